package connector

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/jsonpath"
	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/template"
)

// Validate checks the spec without building an engine: structure, names,
// paths, rules and templates. It compiles the spec as New does (reusing the
// templates Parse compiled) and discards the result. Errors are *Error
// values wrapping ErrInvalidSpec with the JSON path of the offending field.
func (s *Spec) Validate() error {
	_, err := compile(s)
	return err
}

// compiler turns a spec into the plan an engine runs. It visits the spec in
// a fixed order (the spec's parts as SPEC.md lists them, operations in the
// order of Operations, map keys sorted), so the same invalid spec always
// fails with the same error.
type compiler struct {
	spec *Spec
	set  *template.Set // where templates are compiled, and found when Parse compiled them

	// all makes run go on after an error, one part of the spec at a time,
	// to report every part's first error (Diagnose); errs holds them.
	all  bool
	errs []*Error
}

// compile compiles s, reusing the templates Parse compiled for it.
func compile(s *Spec) (*compiled, error) {
	set := template.NewSet()
	if parsed := templatesOf(s); parsed != nil {
		set = parsed.Derive()
	}
	return compileWith(s, set)
}

func compileWith(s *Spec, set *template.Set) (*compiled, error) {
	return (&compiler{spec: s, set: set}).run()
}

// fail aborts compilation with a spec error; run recovers it. Panics keep
// the many small checks below readable.
type compileError struct{ err *Error }

func (c *compiler) fail(path, format string, args ...any) {
	panic(compileError{specError(path, fmt.Sprintf(format, args...))})
}

func (c *compiler) run() (*compiled, error) {
	s := c.spec
	out := &compiled{auths: map[string]*compiledAuth{}, usedAuths: map[string]bool{}, ents: map[string]*compiledEnts{}, ops: map[Operation]*compiledOp{}}
	c.step(c.names)
	c.step(func() { c.connection(out) })
	c.step(func() { c.auths(out) })
	if s.Connect != nil {
		c.step(func() { out.connect = c.chain("connect.calls", s.Connect.Calls, out) })
	}
	if s.Import != nil {
		c.step(func() { c.imports(out) })
	}
	c.step(func() { c.provision(out) })
	c.step(func() { c.tickets(out) })
	if len(c.errs) > 0 {
		return nil, c.errs[0]
	}
	return out, nil
}

// step runs one part of the compilation and recovers the error that fail
// raises in it. Without all, the first error ends the compilation. With
// all, the next parts still run; a part may then trip over what an
// earlier failed part left unset, which is a consequence of the error
// already reported, not another one, and is dropped.
func (c *compiler) step(f func()) {
	if len(c.errs) > 0 && !c.all {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(compileError)
			switch {
			case ok:
				c.errs = append(c.errs, ce.err)
			case !c.all || len(c.errs) == 0:
				panic(r)
			}
		}
	}()
	f()
}

// names checks the connector's name and the names of its params and
// secrets.
func (c *compiler) names() {
	s := c.spec
	if strings.TrimSpace(s.Name) == "" {
		c.fail("name", "missing: give the connector a name")
	}
	for _, name := range slices.Sorted(maps.Keys(s.Params)) {
		c.identifier("params."+name, name)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Secrets)) {
		c.identifier("secrets."+name, name)
		if _, dup := s.Params[name]; dup {
			c.fail("secrets."+name, "%q is declared both as a param and as a secret", name)
		}
	}
}

func opNames() []string {
	var names []string
	for _, o := range Operations {
		names = append(names, string(o))
	}
	return names
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (c *compiler) identifier(path, name string) {
	if !identRe.MatchString(name) {
		c.fail(path, "name %q must be a letter or underscore followed by letters, digits or underscores (templates refer to it as .x.%s)", name, name)
	}
}

func (c *compiler) tmpl(path, src string, esc template.Escape) *template.Template {
	t, err := c.set.Compile(path, src, esc)
	if err != nil {
		msg := err.Error()
		if te, ok := err.(*template.Error); ok {
			msg = "bad template: " + te.Msg
		}
		c.fail(path, "%s", msg)
	}
	return t
}

// tree compiles a JSON value whose strings are templates (a call's body).
func (c *compiler) tree(where string, v any) *template.Tree {
	t, err := c.set.CompileTree(where, v)
	if err != nil {
		c.failAt(where, err)
	}
	return t
}

// failAt fails with err: at the path of the template that does not
// compile, or else at where.
func (c *compiler) failAt(where string, err error) {
	var te *template.Error
	if errors.As(err, &te) {
		c.fail(te.Template, "bad template: %s", te.Msg)
	}
	c.fail(where, "%v", err)
}

func (c *compiler) optTmpl(path, src string) *template.Template {
	if src == "" {
		return nil
	}
	return c.tmpl(path, src, template.Plain)
}

func (c *compiler) templates(path string, m map[string]string, esc template.Escape) []namedTemplate {
	var out []namedTemplate
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, namedTemplate{name: k, t: c.tmpl(join(path, k), m[k], esc)})
	}
	return out
}

func (c *compiler) path(where, src string) *jsonpath.Path {
	p, err := jsonpath.Compile(src)
	if err != nil {
		c.fail(where, "%v", err)
	}
	return p
}

// field compiles a Field; a value template is compiled as where.value.
func (c *compiler) field(where string, f binding.Field) record.Field {
	cf, err := record.CompileFieldWith(f, func(name, src string) (*template.Template, error) {
		return c.set.Compile(where+"."+name, src, template.Plain)
	})
	if err != nil {
		c.failAt(where, err)
	}
	return cf
}

// textField compiles an ID or a name: text unless the spec gives a type,
// so that a numeric ID keeps every digit.
func (c *compiler) textField(where string, f binding.Field) record.Field {
	if f.Type == binding.Auto {
		f.Type = binding.String
	}
	return c.field(where, f)
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
