package saviynt

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// This file translates parsed Groovy expressions into restconn templates
// (Go text/template with Sprig's hermetic functions and restconn's own).
//
// The value model: every translated expression is a template pipeline. A
// Groovy null is restconn's *omitted* marker (opt, omit), which drops a JSON
// member, a header or a query parameter and prints as nothing. Reads are
// strict by default (a missing attribute fails the operation before anything
// is sent, instead of sending the text "null"); a path with ?., the operand
// of a null check and the receiver of toString() are read with opt, so
// absence is a value rather than an error.

// vtype is what the converter knows statically about a value.
type vtype int

const (
	tUnknown vtype = iota // a JSON value from a response: any kind
	tStr
	tInt // an integer: literals and len results
	tNum // another number literal
	tBool
	tList
)

// nullForm says how a Groovy null shows in a translated value.
type nullForm int

const (
	nNever   nullForm = iota // cannot be null (or a strict read that fails instead)
	nOmitted                 // the omitted marker
	nEmpty                   // an empty string, list or zero standing in for null
)

// val is a translated expression: a pipeline usable as an operand (a field
// chain, a literal, or a parenthesized function call).
type val struct {
	expr string
	typ  vtype
	null nullForm
	safe bool // cannot fail when rendered
	read bool // a read of a binding, whose Go type is the caller's (an imported column may be an int)
}

// top returns the pipeline without the parentheses an operand needs.
func (v val) top() string {
	if strings.HasPrefix(v.expr, "(") && strings.HasSuffix(v.expr, ")") && balanced(v.expr[1:len(v.expr)-1]) {
		return v.expr[1 : len(v.expr)-1]
	}
	return v.expr
}

// balanced reports whether s's parentheses (outside quoted strings) pair up,
// so "(a) (b)" is not mistaken for one parenthesized pipeline.
func balanced(s string) bool {
	depth, quote := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quote && c == '\\':
			i++
		case c == '"':
			quote = !quote
		case quote:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return false
			}
		}
	}
	return depth == 0
}

func call(fn string, args ...string) string {
	return "(" + fn + " " + strings.Join(args, " ") + ")"
}

// errNeedsText marks an expression that has no single-pipeline form (a
// ternary whose branches may fail) but can still be written as text.
var errNeedsText = errors.New("needs a text template")

// elem is one step of a resolved path: a key or a list index.
type elem struct {
	key   string
	idx   int
	isIdx bool
}

// resolved is what a binding name and its steps mean in restconn: a path
// from a root variable (".user", ".responses"), or a ready pipeline.
type resolved struct {
	root     string
	elems    []elem
	typ      vtype
	expr     string // a pipeline instead of a path (e.g. a basic-auth header value)
	nullable bool   // expr may be omitted
	prefix   string // literal text before the value (a token's "Bearer ")
}

// resolver maps a Groovy binding and the steps after it to restconn.
type resolver func(name string, steps []elem) (resolved, error)

// emitter translates expressions against one resolver.
type emitter struct {
	resolve resolver
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// strictPath reads a path with text/template field access, which fails on
// a missing key.
func strictPath(root string, elems []elem) string {
	expr := root
	for _, e := range elems {
		switch {
		case e.isIdx && e.idx == -1:
			expr = call("last", expr)
		case e.isIdx:
			expr = call("index", expr, strconv.Itoa(e.idx))
		case identRe.MatchString(e.key):
			expr += "." + e.key
		default:
			expr = call("index", expr, strconv.Quote(e.key))
		}
	}
	return expr
}

// lenientPath reads a path with opt: absent or null anywhere is omitted.
// opt walks keys only, so the part up to the last index is read strictly.
func lenientPath(root string, elems []elem) (expr string, safe bool) {
	last := -1
	for i, e := range elems {
		if e.isIdx {
			last = i
		}
	}
	base := strictPath(root, elems[:last+1])
	keys := []string{base}
	for _, e := range elems[last+1:] {
		keys = append(keys, strconv.Quote(e.key))
	}
	return call("opt", keys...), last < 0
}

// pstep is a path step with its null-safety.
type pstep struct {
	elem
	safe bool
}

// flatten turns a chain of property, index and getter nodes into a binding
// name and steps. ok is false when the chain holds something else (a
// method call other than a getter, a computed index).
func flatten(n node) (name string, steps []pstep, ok bool) {
	switch n := n.(type) {
	case *identNode:
		return n.name, nil, true
	case *propNode:
		name, steps, ok = flatten(n.recv)
		return name, append(steps, pstep{elem{key: n.name}, n.safe}), ok
	case *indexNode:
		l, isLit := n.idx.(*litNode)
		if !isLit {
			return "", nil, false
		}
		name, steps, ok = flatten(n.recv)
		switch v := l.val.(type) {
		case string:
			return name, append(steps, pstep{elem{key: v}, false}), ok
		case numberLit:
			i, err := strconv.Atoi(string(v))
			if err != nil || i < -1 {
				return "", nil, false
			}
			return name, append(steps, pstep{elem{idx: i, isIdx: true}, false}), ok
		}
		return "", nil, false
	case *callNode:
		if n.recv == nil {
			return "", nil, false
		}
		var e elem
		switch {
		case n.name == "get" && len(n.args) == 1:
			l, isLit := n.args[0].(*litNode)
			if !isLit {
				return "", nil, false
			}
			s, isStr := l.val.(string)
			if !isStr {
				return "", nil, false
			}
			e = elem{key: s}
		case n.name == "getAt" && len(n.args) == 1:
			l, isLit := n.args[0].(*litNode)
			if !isLit {
				return "", nil, false
			}
			num, isNum := l.val.(numberLit)
			i, err := strconv.Atoi(string(num))
			if !isNum || err != nil || i < -1 {
				return "", nil, false
			}
			e = elem{idx: i, isIdx: true}
		case len(n.args) == 0 && len(n.name) > 3 && strings.HasPrefix(n.name, "get") && n.name[3] >= 'A' && n.name[3] <= 'Z':
			// A Java getter: user.getFirstname() is user.firstname.
			e = elem{key: strings.ToLower(n.name[3:4]) + n.name[4:]}
		default:
			return "", nil, false
		}
		name, steps, ok = flatten(n.recv)
		return name, append(steps, pstep{e, n.safe}), ok
	}
	return "", nil, false
}

func (em *emitter) path(n node, lenient bool) (val, bool, error) {
	name, steps, ok := flatten(n)
	if !ok {
		return val{}, false, nil
	}
	elems := make([]elem, len(steps))
	for i, s := range steps {
		elems[i] = s.elem
		lenient = lenient || s.safe
	}
	r, err := em.resolve(name, elems)
	if err != nil {
		return val{}, true, err
	}
	var v val
	switch {
	case r.expr != "":
		v = val{expr: r.expr, typ: r.typ, safe: true}
		if r.nullable {
			v.null = nOmitted
		}
	case lenient:
		expr, safe := lenientPath(r.root, r.elems)
		v = val{expr: expr, typ: r.typ, null: nOmitted, safe: safe, read: true}
	default:
		v = val{expr: strictPath(r.root, r.elems), typ: r.typ, read: true}
	}
	if r.prefix != "" {
		v = concatVals([]val{{expr: strconv.Quote(r.prefix), typ: tStr, safe: true}, v})
	}
	return v, true, nil
}

// value translates n into a typed pipeline. lenient reads paths with opt.
func (em *emitter) value(n node, lenient bool) (val, error) {
	switch n := n.(type) {
	case *litNode:
		return literal(n), nil
	case *identNode, *propNode, *indexNode:
		v, isPath, err := em.path(n, lenient)
		if err != nil || isPath {
			return v, err
		}
		return em.member(n)
	case *callNode:
		if v, isPath, err := em.path(n, lenient); isPath || err != nil {
			return v, err
		}
		return em.method(n)
	case *binNode:
		switch n.op {
		case "+":
			return em.plus(n)
		case "==", "!=", "<", "<=", ">", ">=", "&&", "||":
			b, safe, err := em.boolean(n)
			return val{expr: b, typ: tBool, safe: safe}, err
		}
		return val{}, &exprError{n.at, fmt.Sprintf("arithmetic (%s)", n.op)}
	case *notNode:
		b, safe, err := em.boolean(n)
		return val{expr: b, typ: tBool, safe: safe}, err
	case *condNode:
		return em.ternary(n)
	}
	return val{}, &exprError{n.pos(), "an unsupported expression"}
}

// member reads a key or index of a computed value, such as
// x.split(',')[0].
func (em *emitter) member(n node) (val, error) {
	var recv node
	var e elem
	switch n := n.(type) {
	case *propNode:
		recv, e = n.recv, elem{key: n.name}
	case *indexNode:
		l, isLit := n.idx.(*litNode)
		if !isLit {
			return val{}, &exprError{n.at, "a computed index"}
		}
		switch x := l.val.(type) {
		case string:
			e = elem{key: x}
		case numberLit:
			i, err := strconv.Atoi(string(x))
			if err != nil || i < -1 {
				return val{}, &exprError{n.at, "an index other than a whole number from -1 up"}
			}
			e = elem{idx: i, isIdx: true}
		default:
			return val{}, &exprError{n.at, "a computed index"}
		}
		recv = n.recv
	default:
		return val{}, &exprError{n.pos(), "an unsupported expression"}
	}
	r, err := em.value(recv, false)
	if err != nil {
		return val{}, err
	}
	if r.null != nNever {
		return val{}, &exprError{n.pos(), "a member of a value that may be null"}
	}
	t := tUnknown
	if r.typ == tList && e.isIdx {
		t = tStr // the elements of split
	}
	return val{expr: strictPath(r.expr, []elem{e}), typ: t}, nil
}

func literal(n *litNode) val {
	switch v := n.val.(type) {
	case string:
		return val{expr: strconv.Quote(v), typ: tStr, safe: true}
	case numberLit:
		t := tInt
		if strings.Contains(string(v), ".") {
			t = tNum
		}
		return val{expr: string(v), typ: t, safe: true}
	case bool:
		return val{expr: strconv.FormatBool(v), typ: tBool, safe: true}
	}
	return val{expr: "(omit)", null: nOmitted, safe: true}
}

// isNull is a bool pipeline testing a value for Groovy null.
func isNull(v val) string {
	switch v.null {
	case nOmitted:
		return call("kindIs", `"struct"`, v.expr) // the omitted marker is the only struct a JSON value can be
	case nEmpty:
		return call("empty", v.expr)
	}
	return "false"
}

// truth is Groovy truth as a bool pipeline: null, false, "", 0 and empty
// collections are false.
func truth(v val) string {
	switch {
	case v.typ == tBool && v.null != nOmitted:
		return v.expr // false stands for null
	case v.typ == tStr && v.null == nOmitted:
		return call("not", call("empty", call("cat", v.expr))) // cat prints omitted as ""
	case v.null == nOmitted:
		return call("and", call("not", isNull(v)), call("not", call("empty", v.expr)))
	}
	return call("not", call("empty", v.expr))
}

// boolean translates n into a bool pipeline.
func (em *emitter) boolean(n node) (string, bool, error) {
	switch n := n.(type) {
	case *litNode:
		if b, ok := n.val.(bool); ok {
			return strconv.FormatBool(b), true, nil
		}
	case *notNode:
		b, safe, err := em.boolean(n.x)
		return call("not", b), safe, err
	case *binNode:
		switch n.op {
		case "&&", "||":
			l, ls, err := em.boolean(n.l)
			if err != nil {
				return "", false, err
			}
			r, rs, err := em.boolean(n.r)
			if err != nil {
				return "", false, err
			}
			fn := map[string]string{"&&": "and", "||": "or"}[n.op]
			return call(fn, l, r), ls && rs, nil // and/or stop early, as && and || do
		case "==", "!=":
			b, safe, err := em.equal(n.l, n.r)
			if n.op == "!=" {
				b = call("not", b)
			}
			return b, safe, err
		case "<", "<=", ">", ">=":
			return em.compare(n)
		}
	case *callNode:
		if n.recv != nil && (n.name == "equals" || n.name == "equalsIgnoreCase") && len(n.args) == 1 {
			if n.name == "equalsIgnoreCase" {
				l, err := em.stringArg(n.recv, n.safe)
				if err != nil {
					return "", false, err
				}
				r, err := em.stringArg(n.args[0], false)
				if err != nil {
					return "", false, err
				}
				return call("eq", call("lower", l.expr), call("lower", r.expr)), l.safe && r.safe, nil
			}
			return em.equal(n.recv, n.args[0])
		}
	}
	v, err := em.value(n, isPath(n))
	if err != nil {
		return "", false, err
	}
	return truth(v), v.safe, nil
}

// isPath reports whether n is a binding path (read with opt where absence
// is a value: a null check, a truth test).
func isPath(n node) bool {
	_, _, ok := flatten(n)
	return ok
}

// equal is Groovy ==: null equals only null; other values compare by
// their text (strings, numbers, booleans).
func (em *emitter) equal(ln, rn node) (string, bool, error) {
	if l, ok := ln.(*litNode); ok && l.val == nil {
		ln, rn = rn, ln
	}
	if r, ok := rn.(*litNode); ok && r.val == nil {
		v, err := em.value(ln, isPath(ln))
		if err != nil {
			return "", false, err
		}
		return isNull(v), v.safe, nil
	}
	l, err := em.value(ln, isPath(ln))
	if err != nil {
		return "", false, err
	}
	r, err := em.value(rn, isPath(rn))
	if err != nil {
		return "", false, err
	}
	// Both sides compare as text: a caller may pass an imported column
	// typed (an int, a bool) where Groovy saw the column's string.
	text := func(v val) string {
		if s, isLit := literalText(v); isLit {
			return strconv.Quote(s)
		}
		if v.typ == tStr && !v.read {
			return v.expr // a literal or the result of a string function
		}
		return call("cat", v.expr) // cat prints nil and omitted as "" (a null is tested before eq runs)
	}
	core := call("eq", text(l), text(r))
	safe := l.safe && r.safe
	ln2, rn2 := l.null != nNever, r.null != nNever
	switch {
	case ln2 && rn2:
		return call("or", call("and", isNull(l), isNull(r)), call("and", call("not", isNull(l)), call("not", isNull(r)), core)), safe, nil
	case ln2:
		return call("and", call("not", isNull(l)), core), safe, nil
	case rn2:
		return call("and", call("not", isNull(r)), core), safe, nil
	}
	return core, safe, nil
}

// literalText returns the text of a number or boolean literal pipeline.
func literalText(v val) (string, bool) {
	if (v.typ == tInt || v.typ == tNum || v.typ == tBool) && v.safe && !strings.HasPrefix(v.expr, "(") {
		return v.expr, true
	}
	return "", false
}

func (em *emitter) compare(n *binNode) (string, bool, error) {
	l, err := em.value(n.l, false)
	if err != nil {
		return "", false, err
	}
	r, err := em.value(n.r, false)
	if err != nil {
		return "", false, err
	}
	fn := map[string]string{"<": "lt", "<=": "le", ">": "gt", ">=": "ge"}[n.op]
	num := func(v val) string {
		if v.typ == tInt || v.typ == tNum {
			if s, isLit := literalText(v); isLit {
				if !strings.Contains(s, ".") {
					s += ".0"
				}
				return s
			}
		}
		return call("float64", v.expr)
	}
	var core string
	switch {
	case l.typ == tInt && r.typ == tInt:
		core = call(fn, l.expr, r.expr)
	case l.typ == tStr && r.typ == tStr:
		core = call(fn, l.expr, r.expr)
	default:
		core = call(fn, num(l), num(r))
	}
	safe := l.safe && r.safe
	for _, v := range []val{l, r} {
		if v.null != nNever {
			core = call("and", call("not", isNull(v)), core) // a comparison with null is false
		}
	}
	return core, safe, nil
}

// plusParts flattens a + chain into its operands, left to right.
func plusParts(n node) []node {
	if b, ok := n.(*binNode); ok && b.op == "+" {
		return append(plusParts(b.l), plusParts(b.r)...)
	}
	return []node{n}
}

// joins decides what a + chain does, as Groovy does at run time: once a
// string is on the left, everything after it is joined as text; numbers
// are added. A chain whose operands may be either (two response values) is
// refused rather than guessed.
func (em *emitter) joins(n *binNode, parts []node) (bool, error) {
	str, allNum := false, true
	for i, p := range parts {
		t := em.typeOf(p)
		str = str || t == tStr
		allNum = allNum && (t == tInt || t == tNum)
		if i == 0 {
			continue
		}
		if !str && !allNum {
			return false, &exprError{n.at, "a + whose operands may be numbers or text (write one side as a string)"}
		}
	}
	if str && len(parts) > 2 && em.typeOf(parts[0]) != tStr && em.typeOf(parts[1]) != tStr {
		return false, &exprError{n.at, "a + that adds numbers before joining text"}
	}
	return str, nil
}

func (em *emitter) plus(n *binNode) (val, error) {
	parts := plusParts(n)
	str, err := em.joins(n, parts)
	if err != nil {
		return val{}, err
	}
	vals := make([]val, len(parts))
	for i, p := range parts {
		if vals[i], err = em.value(p, false); err != nil {
			return val{}, err
		}
	}
	if str {
		return concatVals(vals), nil
	}
	exprs := make([]string, len(vals))
	safe, fn := true, "add"
	for i, v := range vals {
		exprs[i] = v.expr
		safe = safe && v.safe
		if v.typ == tNum {
			fn = "addf"
		}
	}
	return val{expr: call(fn, exprs...), typ: tNum, safe: safe}, nil
}

// concatVals joins values as text. join drops nil and prints omitted as "",
// where print would write "<nil>".
func concatVals(vals []val) val {
	exprs := make([]string, len(vals))
	safe, lits := true, true
	for i, v := range vals {
		exprs[i] = v.expr
		safe = safe && v.safe
		lits = lits && v.typ == tStr && v.safe && v.null == nNever && strings.HasPrefix(v.expr, `"`)
	}
	if lits {
		s := ""
		for _, v := range vals {
			u, _ := strconv.Unquote(v.expr)
			s += u
		}
		return val{expr: strconv.Quote(s), typ: tStr, safe: true}
	}
	return val{expr: call("join", `""`, call("list", exprs...)), typ: tStr, safe: safe}
}

// ternary is c ? a : b (or c ?: b) as one pipeline. Sprig's ternary
// evaluates both branches, so it is used only when neither can fail;
// otherwise the caller writes the expression as text (if/else).
func (em *emitter) ternary(n *condNode) (val, error) {
	var c string
	var a val
	var err error
	// A branch that is a plain read is read with opt, so it cannot fail
	// when it is not the one taken.
	branch := func(n node) (val, error) {
		v, err := em.value(n, false)
		if err == nil && !v.safe && isPath(n) {
			return em.value(n, true)
		}
		return v, err
	}
	if n.a == nil { // Elvis: c ?: b
		if a, err = em.value(n.c, true); err != nil {
			return val{}, err
		}
		c = truth(a)
	} else {
		if c, _, err = em.boolean(n.c); err != nil {
			return val{}, err
		}
		if a, err = branch(n.a); err != nil {
			return val{}, err
		}
	}
	b, err := branch(n.b)
	if err != nil {
		return val{}, err
	}
	// The condition is evaluated in either form; only a branch that may
	// fail needs if/else, which evaluates the branch taken alone.
	if !a.safe || !b.safe {
		return val{}, errNeedsText
	}
	t := a.typ
	if b.typ != a.typ && !(b.null == nOmitted && b.typ == tUnknown) {
		t = tUnknown
	}
	null := nNever
	if a.null != nNever || b.null != nNever {
		null = nOmitted
	}
	return val{expr: call("ternary", a.expr, b.expr, c), typ: t, null: null, safe: true}, nil
}

// stringArg translates a method receiver or argument that must be a string.
func (em *emitter) stringArg(n node, lenient bool) (val, error) {
	v, err := em.value(n, lenient)
	if err != nil {
		return val{}, err
	}
	if v.typ == tStr && v.null != nOmitted {
		return v, nil
	}
	null := nNever
	if v.null != nNever {
		null = nEmpty
	}
	return val{expr: call("cat", v.expr), typ: tStr, null: null, safe: v.safe}, nil
}

func intArg(n node) (string, bool) {
	l, ok := n.(*litNode)
	if !ok {
		return "", false
	}
	s, ok := l.val.(numberLit)
	if !ok {
		return "", false
	}
	if _, err := strconv.Atoi(string(s)); err != nil {
		return "", false
	}
	return string(s), true
}

// methodArgs are the methods of the subset, with the numbers of arguments
// each takes.
var methodArgs = map[string][]int{
	"size": {0}, "length": {0}, "toString": {0}, "toLowerCase": {0}, "toUpperCase": {0}, "trim": {0},
	"isEmpty": {0}, "replace": {2}, "replaceAll": {2}, "split": {1}, "contains": {1}, "substring": {1, 2},
	"equals": {1}, "equalsIgnoreCase": {1}, "startsWith": {1}, "endsWith": {1}, "join": {1},
}

// method translates the String and collection methods of the subset.
func (em *emitter) method(n *callNode) (val, error) {
	if n.recv == nil {
		return val{}, &exprError{n.at, fmt.Sprintf("a call of %s(...)", n.name)}
	}
	if id, ok := n.recv.(*identNode); ok && (id.name == "Math" || id.name == "Integer" || id.name == "String" || id.name == "Long" || id.name == "System") {
		return val{}, &exprError{n.at, fmt.Sprintf("a static Java call (%s.%s)", id.name, n.name)}
	}
	counts, known := methodArgs[n.name]
	if !known {
		return val{}, &exprError{n.at, fmt.Sprintf("the method %s()", n.name)}
	}
	if !slices.Contains(counts, len(n.args)) {
		return val{}, &exprError{n.at, fmt.Sprintf("%s() with %d arguments", n.name, len(n.args))}
	}
	lenient := n.safe
	// strs translates the receiver and the arguments as strings, for the
	// String methods.
	strs := func() (val, []val, error) {
		r, err := em.stringArg(n.recv, lenient)
		if err != nil {
			return val{}, nil, err
		}
		args := make([]val, len(n.args))
		for i, a := range n.args {
			if args[i], err = em.stringArg(a, false); err != nil {
				return val{}, nil, err
			}
		}
		return r, args, nil
	}
	result := func(expr string, t vtype, recv val, args ...val) val {
		safe := recv.safe
		for _, a := range args {
			safe = safe && a.safe
		}
		return val{expr: expr, typ: t, null: recv.null, safe: safe}
	}
	switch n.name {
	case "size", "length":
		r, err := em.value(n.recv, lenient)
		if err != nil {
			return val{}, err
		}
		if r.null == nOmitted {
			// null?.size() is null; len of an empty list stands in for it.
			r = val{expr: call("ternary", "(list)", r.expr, isNull(r)), typ: r.typ, null: nEmpty, safe: r.safe}
		}
		return val{expr: call("len", r.expr), typ: tInt, null: r.null}, nil
	case "toString":
		return em.stringArg(n.recv, true)
	case "toLowerCase", "toUpperCase", "trim", "isEmpty":
		r, _, err := strs()
		if err != nil {
			return val{}, err
		}
		fn := map[string]string{"toLowerCase": "lower", "toUpperCase": "upper", "trim": "trim", "isEmpty": "empty"}[n.name]
		t := tStr
		if fn == "empty" {
			t = tBool
		}
		return result(call(fn, r.expr), t, r), nil
	case "replace", "replaceAll":
		r, a, err := strs()
		if err != nil {
			return val{}, err
		}
		if n.name == "replaceAll" {
			return result(call("regexReplaceAll", a[0].expr, r.expr, a[1].expr), tStr, r, a...), nil
		}
		return result(call("replace", a[0].expr, a[1].expr, r.expr), tStr, r, a...), nil
	case "split":
		r, a, err := strs()
		if err != nil {
			return val{}, err
		}
		// Java's split takes a regular expression; a plain separator is
		// split literally.
		if sep, isLit := strconv.Unquote(a[0].expr); isLit == nil && regexp.QuoteMeta(sep) == sep {
			return result(call("splitList", a[0].expr, r.expr), tList, r, a...), nil
		}
		return result(call("regexSplit", a[0].expr, r.expr, "-1"), tList, r, a...), nil
	case "join":
		r, err := em.value(n.recv, lenient)
		if err != nil {
			return val{}, err
		}
		a, err := em.stringArg(n.args[0], false)
		if err != nil {
			return val{}, err
		}
		return result(call("join", a.expr, r.expr), tStr, r, a), nil
	case "contains":
		r, err := em.value(n.recv, lenient)
		if err != nil {
			return val{}, err
		}
		if r.typ == tList {
			a, err := em.value(n.args[0], false)
			if err != nil {
				return val{}, err
			}
			return result(call("has", a.expr, r.expr), tBool, r, a), nil
		}
		s, a, err := strs()
		if err != nil {
			return val{}, err
		}
		return result(call("contains", a[0].expr, s.expr), tBool, s, a...), nil
	case "startsWith", "endsWith":
		r, a, err := strs()
		if err != nil {
			return val{}, err
		}
		fn := map[string]string{"startsWith": "hasPrefix", "endsWith": "hasSuffix"}[n.name]
		return result(call(fn, a[0].expr, r.expr), tBool, r, a...), nil
	case "substring":
		r, err := em.stringArg(n.recv, lenient)
		if err != nil {
			return val{}, err
		}
		from, ok := intArg(n.args[0])
		to := "-1"
		if len(n.args) == 2 {
			var ok2 bool
			to, ok2 = intArg(n.args[1])
			ok = ok && ok2
		}
		if !ok {
			return val{}, &exprError{n.at, "substring() with computed positions"}
		}
		return result(call("substr", from, to, r.expr), tStr, r), nil
	case "equals", "equalsIgnoreCase":
		b, safe, err := em.boolean(n)
		return val{expr: b, typ: tBool, safe: safe}, err
	}
	return val{}, &exprError{n.at, fmt.Sprintf("the method %s()", n.name)}
}

// typeOf is the static type of an expression, for choosing between
// joining and adding without translating twice.
func (em *emitter) typeOf(n node) vtype {
	v, err := em.value(n, true)
	if err == nil {
		return v.typ
	}
	if c, ok := n.(*condNode); ok {
		a := tUnknown
		if c.a != nil {
			a = em.typeOf(c.a)
		} else {
			a = em.typeOf(c.c)
		}
		if b := em.typeOf(c.b); b == a || isNullLit(c.b) {
			return a
		} else if c.a != nil && isNullLit(c.a) {
			return b
		}
	}
	return tUnknown
}

func isNullLit(n node) bool {
	l, ok := n.(*litNode)
	return ok && l.val == nil
}

// escapeLiteral writes literal text so that text/template and restconn's
// ${a.b} shorthand leave it alone.
func escapeLiteral(s string) string {
	if !strings.Contains(s, "{{") && !strings.Contains(s, "${") {
		return s
	}
	s = strings.ReplaceAll(s, "{{", `{{ "{{" }}`)
	return strings.ReplaceAll(s, "${", `{{ "$" }}{`)
}

// text translates n into template text: literal parts stay text, a
// ternary becomes {{ if }}...{{ else }}...{{ end }}, and joined strings are
// written side by side.
func (em *emitter) text(n node) (string, error) {
	switch n := n.(type) {
	case *litNode:
		switch v := n.val.(type) {
		case string:
			return escapeLiteral(v), nil
		case nil:
			return "", nil
		}
		return literal(n).expr, nil
	case *binNode:
		if n.op == "+" {
			parts := plusParts(n)
			str, err := em.joins(n, parts)
			if err != nil {
				return "", err
			}
			if str {
				var b strings.Builder
				for _, p := range parts {
					t, err := em.text(p)
					if err != nil {
						return "", err
					}
					b.WriteString(t)
				}
				return b.String(), nil
			}
		}
	case *condNode:
		if n.a == nil {
			c, err := em.value(n.c, true)
			if err != nil {
				return "", err
			}
			b, err := em.text(n.b)
			if err != nil {
				return "", err
			}
			return "{{ if " + stripParens(truth(c)) + " }}{{ " + c.top() + " }}{{ else }}" + b + "{{ end }}", nil
		}
		c, _, err := em.boolean(n.c)
		if err != nil {
			return "", err
		}
		a, err := em.text(n.a)
		if err != nil {
			return "", err
		}
		b, err := em.text(n.b)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(b, "{{ if ") && strings.HasSuffix(b, "{{ end }}") && isOneIf(b) {
			// c ? a : (d ? e : f) reads as if / else if / else.
			return "{{ if " + stripParens(c) + " }}" + a + "{{ else " + strings.TrimPrefix(b, "{{ "), nil
		}
		return "{{ if " + stripParens(c) + " }}" + a + "{{ else }}" + b + "{{ end }}", nil
	}
	v, err := em.value(n, false)
	if err != nil {
		return "", err
	}
	return "{{ " + v.top() + " }}", nil
}

// isOneIf reports whether s is a single {{ if }}...{{ end }} block, so it
// can be chained as an else-if.
func isOneIf(s string) bool {
	depth := 0
	for i := 0; i < len(s); {
		j := strings.Index(s[i:], "{{ ")
		if j < 0 {
			break
		}
		i += j + 3
		switch {
		case strings.HasPrefix(s[i:], "if "):
			depth++
		case strings.HasPrefix(s[i:], "end }}"):
			depth--
			if depth == 0 && len(s[i:]) != len("end }}") {
				return false
			}
		}
	}
	return depth == 0
}

func stripParens(s string) string { return val{expr: s}.top() }

// The forms callers need. Each returns a restconn template.

// textTemplate is a GString's template: literal text and expressions side
// by side (a URL, a header, a form value).
func (em *emitter) textTemplate(segs []segment) (string, error) {
	var b strings.Builder
	for _, s := range segs {
		if !s.isExpr {
			b.WriteString(escapeLiteral(s.text))
			continue
		}
		n, err := parseExpr(s.expr)
		if err != nil {
			return "", err
		}
		t, err := em.text(n)
		if err != nil {
			return "", err
		}
		b.WriteString(t)
	}
	return b.String(), nil
}

// valueTemplate keeps the expression's type (a bare ${...} in a JSON body).
func (em *emitter) valueTemplate(n node) (string, error) {
	v, err := em.value(n, false)
	if errors.Is(err, errNeedsText) {
		if em.typeOf(n) != tStr {
			return "", &exprError{n.pos(), "a ternary whose branches may fail, where the JSON type of its value must be kept"}
		}
		return em.text(n)
	}
	if err != nil {
		return "", err
	}
	switch {
	case v.null == nEmpty:
		return "{{ omitEmpty " + v.expr + " }}", nil
	case v.typ == tStr && v.null == nNever && isPath(n):
		// Groovy writes the text into the JSON as it is: "true" becomes
		// true, "1234" becomes 1234, and text that is no JSON value fails
		// (here before anything is sent).
		return "{{ mustFromJson (cat " + v.expr + ") }}", nil
	}
	return "{{ " + v.top() + " }}", nil
}

// quotedTemplate is an expression inside a JSON string: the result is text
// ("a quoted expression stays a string"), and a null drops the member.
func (em *emitter) quotedTemplate(n node) (string, error) {
	v, err := em.value(n, false)
	if errors.Is(err, errNeedsText) {
		return em.text(n)
	}
	if err != nil {
		return "", err
	}
	switch {
	case v.typ == tStr && v.null == nEmpty:
		return "{{ omitEmpty " + v.expr + " }}", nil
	case v.typ == tStr:
		return "{{ " + v.top() + " }}", nil
	case v.null != nNever:
		return "{{ omitEmpty (cat " + v.expr + ") }}", nil
	}
	return "{{ cat " + v.expr + " }}", nil
}

// boolTemplate renders "true" or "false" (a call's if).
func (em *emitter) boolTemplate(n node) (string, error) {
	b, _, err := em.boolean(n)
	if err != nil {
		return "", err
	}
	return "{{ " + stripParens(b) + " }}", nil
}
