// Package template compiles and renders the templates inside restconn
// connector specs.
//
// Templates are Go text/template with Sprig's hermetic function set, less
// what still reads the clock, the local time zone or randomness (ago,
// randInt, shuffle, toDate, the certificate and encryption generators): env,
// expandenv, now and their kind are not available. The helpers for REST work:
//
//	json v             v as JSON text
//	jsonQuote s        s as a quoted JSON string, e.g. for SCIM filters: userName eq {{ jsonQuote .user.email }}
//	pathEscape s       s escaped as one URL path segment
//	queryEscape s      s escaped for a URL query
//	basicAuth u p      base64("u:p") for an Authorization: Basic header
//	opt m k...         the value at nested keys of map m, or "omitted" when absent
//	omit               the omitted marker itself
//	omitEmpty v        v, or omitted when v is empty ("", nil, empty list or map)
//	required msg v     v, or an error saying msg when v is empty or omitted
//	rfc3339 t          a time in RFC 3339 (UTC)
//	unix t             a time as Unix seconds
//	formatTime l t     a time in Go layout l (UTC)
//	raw v              v, exempt from automatic path escaping
//
// # Missing keys
//
// A reference to a missing map key is an error that names the key, never the
// text "<no value>". Read optional values with opt (or Sprig's get, dig and
// hasKey):
//
//	{{ opt .user "title" }}            omitted when the user has no title
//	{{ dig "title" "n/a" .user }}      a default instead
//
// # Typed values
//
// Value renders a template whose whole source is a single action, such as
// "{{ .user.active }}" or "${user.age}", to the action's value with its type
// (bool, number, list, map) instead of its text. Spec bodies rely on this to
// build JSON documents: "active": "{{ .user.active }}" renders to true, not
// "true". A value that is omitted (see opt) makes Tree drop the member.
//
// # Escaping
//
// Templates compiled with PathSegment escape the output of every action with
// url.PathEscape, so a value can never add path segments or a query to the
// URL it is placed in, and refuse a value that is empty, "." or "..", which
// would change which resource the path names (/users/ instead of
// /users/{id}); wrap a trusted value in raw to opt out. JSON bodies
// need no escaping rule: Tree builds values, and the caller encodes them with
// encoding/json, so a quote in a name can never break out of a string.
//
// # Shorthand
//
// ${user.email} is shorthand for {{ .user.email }}, the binding syntax of
// other identity products' REST connectors. Any other "${" in a template's
// text is an error that says what to write instead: ${user?.email} and
// ${user.email.toLowerCase()} are expressions of another language, which
// would otherwise reach the target as literal text. Write a literal "${"
// as {{ "${" }}.
//
// # Limits
//
// Templates come from spec files people share, so rendering is bounded:
// RenderContext, ValueContext and Tree.RenderContext stop when their
// context ends, and when a rendering goes past its Limits (by default 1
// MiB of text and a million steps of work; see WithLimits) with a
// *LimitError, before building what it asked for:
//
//	{{ repeat 1000000000 "x" }}                  repeat needs 1000000000 bytes, over the limit of 1048576 (MaxOutput)
//	{{ range $i := until 100000000 }}{{ end }}   until needs 100000000 steps, over the limit of 1000000 (MaxSteps)
//
// A range is charged its length times the commands of its body before it
// starts, so a loop that cannot finish never begins. Render, Value and
// Tree.Render use context.Background() and the default limits.
package template

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
)

// Escape selects how the text output of each action is escaped.
type Escape int

const (
	// Plain leaves action output as it is (headers, query values and form
	// values are encoded later by the HTTP layer).
	Plain Escape = iota
	// PathSegment path-escapes the output of every action (URL paths).
	PathSegment
)

// Template is a compiled template. It is immutable and safe for concurrent
// use.
type Template struct {
	name    string
	src     string
	tmpl    *template.Template // nil for a literal
	typed   *template.Template // the single-action form that captures a value; nil if not single-action
	field   []string           // a single action that is only a field chain (.a.b): evaluated without text/template
	literal bool
	refs    map[string]bool // top-level binding names referenced; "*" means the whole data
	// parsed is the tree as written (its actions finished), for analyses
	// of what a template reads: tmpl runs a rewritten copy, in which the
	// data is reached through the root (see rewrite).
	parsed *parse.Tree
}

var shorthand = regexp.MustCompile(`\$\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*\}`)

// Expand rewrites ${a.b} shorthand to {{ .a.b }}.
func Expand(src string) string {
	if !strings.Contains(src, "${") {
		return src
	}
	return shorthand.ReplaceAllString(src, "{{ .$1 }}")
}

// Compile parses src under name (restconn uses the spec JSON path of the
// field as the name, so errors say where the template is). Each call
// prepares the function map anew; to compile many templates, use a Set.
func Compile(name, src string, esc Escape) (*Template, error) {
	return NewSet().Compile(name, src, esc)
}

func (s *Set) compile(name, src string, esc Escape) (*Template, error) {
	t := &Template{name: name, src: src}
	src = Expand(src)
	if !strings.Contains(src, "{{") {
		if msg := strayShorthand(src); msg != "" {
			return nil, &Error{Template: name, Msg: msg}
		}
		t.literal = true
		t.src = src
		return t, nil
	}
	trees, err := parse.Parse(name, src, "", "", funcs, builtins)
	if err != nil {
		return nil, cleanError(name, err)
	}
	tree := trees[name]
	if len(trees) > 1 || hasTemplateCall(tree.Root) {
		// Escaping and typed values work on one tree; specs have no use
		// for sub-templates.
		return nil, &Error{Template: name, Msg: "define, block and template actions are not supported"}
	}
	if err := check(name, tree); err != nil {
		return nil, err
	}
	t.refs = map[string]bool{}
	collectRefs(tree.Root, t.refs)
	if single(tree) {
		// The typed form captures the action's value instead of printing
		// it: a copy of the tree with one more command in the pipeline.
		typed := tree.Copy()
		pipe := typed.Root.Nodes[0].(*parse.ActionNode).Pipe
		t.field = fieldChain(pipe)
		appendCommand(typed, pipe, "__capture")
		rewrite(typed)
		if t.typed, err = s.add(name, typed); err != nil {
			return nil, cleanError(name, err)
		}
	}
	// Every printed value goes through a final function: text for plain
	// templates (a JSON null prints as nothing, never "<no value>"), the
	// path escaper for URL paths.
	final := "__text"
	if esc == PathSegment {
		final = "__pathEscape"
	}
	for _, n := range tree.Root.Nodes {
		finishActions(tree, n, final)
	}
	t.parsed = tree.Copy()
	rewrite(tree)
	if t.tmpl, err = s.add(name, tree); err != nil {
		return nil, cleanError(name, err)
	}
	return t, nil
}

// MustCompile is like Compile but panics on error.
func MustCompile(name, src string, esc Escape) *Template {
	t, err := Compile(name, src, esc)
	if err != nil {
		panic(err)
	}
	return t
}

// Name returns the template's name.
func (t *Template) Name() string { return t.name }

// Source returns the template text (after shorthand expansion).
func (t *Template) Source() string { return t.src }

// IsLiteral reports whether the template has no actions: it renders to its
// source whatever the data.
func (t *Template) IsLiteral() bool { return t.literal }

// Uses reports whether the template may read the top-level binding name (for
// example "page"), so callers can skip re-rendering templates whose inputs
// did not change.
func (t *Template) Uses(name string) bool {
	if t.literal {
		return false
	}
	return t.refs[name] || t.refs["*"]
}

// fieldChain returns the keys of a pipeline that is a bare field chain such
// as .user.email or $.user.email, the commonest typed leaf.
func fieldChain(pipe *parse.PipeNode) []string {
	if len(pipe.Cmds) != 1 || len(pipe.Cmds[0].Args) != 1 {
		return nil
	}
	switch n := pipe.Cmds[0].Args[0].(type) {
	case *parse.FieldNode:
		return n.Ident
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			return n.Ident[1:]
		}
	}
	return nil
}

// lookup evaluates t.field, a field chain, the way text/template does with
// missingkey=error, without its per-execution costs. handled is false when
// the template is not a field chain, or the chain meets something other
// than a map[string]any: text/template then evaluates it (and explains the
// failure) as usual.
func (t *Template) lookup(data map[string]any) (v any, handled bool, err error) {
	if t.field == nil {
		return nil, false, nil
	}
	v = data
	for i, k := range t.field {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		if v, ok = m[k]; !ok {
			return nil, true, &Error{Template: t.name, Key: k, Msg: fmt.Sprintf("missing key %q in .%s", k, strings.Join(t.field[:i+1], "."))}
		}
	}
	return normalize(v), true, nil
}

// single reports whether the tree is exactly one action without variable
// declarations: the form whose value keeps its type.
func single(tr *parse.Tree) bool {
	if len(tr.Root.Nodes) != 1 {
		return false
	}
	a, ok := tr.Root.Nodes[0].(*parse.ActionNode)
	return ok && len(a.Pipe.Decl) == 0
}

func appendCommand(tr *parse.Tree, pipe *parse.PipeNode, fn string) {
	id := parse.NewIdentifier(fn).SetTree(tr).SetPos(pipe.Pos)
	pipe.Cmds = append(pipe.Cmds, &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pipe.Pos, Args: []parse.Node{id}})
}

// finishActions appends fn to every output action, in the way html/template
// inserts its escapers.
func finishActions(tr *parse.Tree, n parse.Node, fn string) {
	switch n := n.(type) {
	case *parse.ActionNode:
		if len(n.Pipe.Decl) > 0 {
			return // an assignment prints nothing
		}
		if last := n.Pipe.Cmds[len(n.Pipe.Cmds)-1]; len(last.Args) > 0 {
			if id, ok := last.Args[0].(*parse.IdentifierNode); ok && id.Ident == "raw" && fn == "__pathEscape" {
				fn = "__text"
			}
		}
		appendCommand(tr, n.Pipe, fn)
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			finishActions(tr, c, fn)
		}
	case *parse.IfNode:
		finishActions(tr, n.List, fn)
		finishActions(tr, n.ElseList, fn)
	case *parse.RangeNode:
		finishActions(tr, n.List, fn)
		finishActions(tr, n.ElseList, fn)
	case *parse.WithNode:
		finishActions(tr, n.List, fn)
		finishActions(tr, n.ElseList, fn)
	}
}

// hasTemplateCall reports whether the tree calls a named template.
func hasTemplateCall(n parse.Node) bool {
	found := false
	forEachNode(n, func(n parse.Node) {
		if _, ok := n.(*parse.TemplateNode); ok {
			found = true
		}
	})
	return found
}

// collectRefs records the top-level binding names the tree may read ("*"
// when it may read the whole data). Fields under a range or with count as
// top-level names too: a cautious answer, for Uses.
func collectRefs(n parse.Node, refs map[string]bool) {
	forEachNode(n, func(n parse.Node) {
		switch n := n.(type) {
		case *parse.FieldNode:
			refs[n.Ident[0]] = true
		case *parse.VariableNode:
			if n.Ident[0] == "$" {
				if len(n.Ident) > 1 {
					refs[n.Ident[1]] = true
				} else {
					refs["*"] = true
				}
			}
		case *parse.DotNode:
			refs["*"] = true // "." may be the root data
		}
	})
}

// check refuses what a spec must not write: text that looks like the
// ${...} shorthand but is not (see strayShorthand), and the names of the
// functions the compiler adds, which start with "__".
func check(name string, tree *parse.Tree) error {
	var err error
	forEachNode(tree.Root, func(n parse.Node) {
		if err != nil {
			return
		}
		switch n := n.(type) {
		case *parse.TextNode:
			if msg := strayShorthand(string(n.Text)); msg != "" {
				err = &Error{Template: name, Msg: msg}
			}
		case *parse.IdentifierNode:
			if strings.HasPrefix(n.Ident, "__") {
				err = &Error{Template: name, Msg: fmt.Sprintf("function %q not defined", n.Ident)}
			}
		}
	})
	return err
}

var bufPool = sync.Pool{New: func() any { return new(strings.Builder) }}

// Render executes the template and returns its text. An omitted value
// renders as the empty string. It is RenderContext with
// context.Background(): the default Limits apply.
func (t *Template) Render(data map[string]any) (string, error) {
	return t.RenderContext(context.Background(), data)
}

// RenderContext is Render within ctx: the rendering stops, with an error
// wrapping ctx.Err(), when ctx ends, and with a *LimitError when it goes
// past the Limits of ctx (see WithLimits).
func (t *Template) RenderContext(ctx context.Context, data map[string]any) (string, error) {
	if t.literal {
		return t.src, nil
	}
	st := getState(ctx)
	defer putState(st)
	return t.text(st, data)
}

func (t *Template) text(st *execState, data map[string]any) (string, error) {
	if t.literal {
		return t.src, nil
	}
	b := bufPool.Get().(*strings.Builder)
	b.Reset()
	defer bufPool.Put(b)
	if err := st.exec(t.tmpl, st.writer(b), data); err != nil {
		return "", cleanError(t.name, err)
	}
	return b.String(), nil
}

// Value executes the template and returns a typed value: for a single-action
// template the action's value (which may be Omitted), otherwise the rendered
// text. It is ValueContext with context.Background().
func (t *Template) Value(data map[string]any) (any, error) {
	return t.ValueContext(context.Background(), data)
}

// ValueContext is Value within ctx, as RenderContext is Render.
func (t *Template) ValueContext(ctx context.Context, data map[string]any) (any, error) {
	if t.literal {
		return t.src, nil
	}
	if v, handled, err := t.lookup(data); handled {
		return v, err
	}
	st := getState(ctx)
	defer putState(st)
	return t.value(st, data)
}

func (t *Template) value(st *execState, data map[string]any) (any, error) {
	if t.typed == nil {
		return t.text(st, data)
	}
	if v, handled, err := t.lookup(data); handled {
		return v, err
	}
	err := st.exec(t.typed, st.writer(discard{}), data)
	var c *captured
	if errors.As(err, &c) {
		return c.v, nil
	}
	if err != nil {
		return nil, cleanError(t.name, err)
	}
	return nil, fmt.Errorf("template %s: no value captured", t.name)
}

// execState is what one rendering needs besides the compiled template:
// its budget, and the root it executes on (see rewrite). Renderings take
// one from a pool.
type execState struct {
	b    budget
	w    budgetWriter
	root map[string]any
}

// writer returns the state's writer, counting into its budget, over w.
// (A writer made anew for each execution would be allocated each time.)
func (st *execState) writer(w io.Writer) io.Writer {
	st.w = budgetWriter{b: &st.b, w: w}
	return &st.w
}

var statePool = sync.Pool{New: func() any { return &execState{root: make(map[string]any, 2)} }}

func getState(ctx context.Context) *execState {
	st := statePool.Get().(*execState)
	st.b.reset(ctx)
	return st
}

func putState(st *execState) {
	st.b, st.w = budget{}, budgetWriter{}
	statePool.Put(st)
}

func (st *execState) exec(tmpl *template.Template, w io.Writer, data map[string]any) error {
	st.root[dataKey], st.root[budgetKey] = data, &st.b
	defer func() { st.root[dataKey], st.root[budgetKey] = nil, nil }()
	if err := st.b.live(); err != nil {
		return err
	}
	return tmpl.Execute(w, st.root)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// captured carries a single action's value out of text/template, which
// wraps function errors with %w; using an error keeps Value free of shared
// state, so one compiled template serves concurrent renders.
type captured struct{ v any }

func (*captured) Error() string { return "value captured" }

func capture(v any) (string, error) { return "", &captured{v: normalize(v)} }

// normalize turns reflect-produced typed nils and named string types into
// plain values.
func normalize(v any) any {
	switch v.(type) {
	case nil, string, bool, int, int64, float64, map[string]any, []any:
		return v
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Map, reflect.Slice, reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil
		}
	}
	return v
}

var (
	missingKey = regexp.MustCompile(`at <([^>]*)>: map has no entry for key "([^"]*)"`)
	nilPointer = regexp.MustCompile(`at <([^>]*)>: nil pointer evaluating ([^ ]*)`)
	prefix     = regexp.MustCompile(`^template: [^:]*:(\d+:\d+: )?(executing "[^"]*" )?`)
	callNoise  = regexp.MustCompile(`^at <[^>]*>: error calling [^:]*: `)
)

// cleanError turns text/template's errors into short messages that name the
// template and, for a missing key, the key.
func cleanError(name string, err error) error {
	var le *LimitError
	if errors.As(err, &le) {
		return &Error{Template: name, Msg: le.Error(), Err: le}
	}
	var sp *stopped
	if errors.As(err, &sp) {
		return &Error{Template: name, Msg: sp.Error(), Err: sp}
	}
	msg := rootless.Replace(err.Error())
	if m := missingKey.FindStringSubmatch(msg); m != nil {
		return &Error{Template: name, Key: m[2], Msg: fmt.Sprintf("missing key %q in %s", m[2], m[1])}
	}
	if m := nilPointer.FindStringSubmatch(msg); m != nil {
		return &Error{Template: name, Msg: fmt.Sprintf("%s is nil (evaluating %s)", m[1], m[2])}
	}
	msg = prefix.ReplaceAllString(msg, "")
	msg = callNoise.ReplaceAllString(msg, "")
	return &Error{Template: name, Msg: msg, Err: err}
}

// Error is a compile or render failure of one template.
type Error struct {
	Template string // the template's name: in restconn, the spec path
	Key      string // the missing map key, when that is the cause
	Msg      string
	Err      error
}

func (e *Error) Error() string { return "template " + e.Template + ": " + e.Msg }

// Unwrap returns the underlying text/template error, if any.
func (e *Error) Unwrap() error { return e.Err }
