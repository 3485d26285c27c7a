package saviynt

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file parses the Groovy subset Saviynt connections write inside
// ${...}: literals, property paths with ?. and [n], method calls, string
// concatenation, comparisons, &&, ||, !, and ternaries. Anything else
// (closures, statements, assignments, keywords such as if, for, return, new)
// is a syntax error that names the construct, so the converter can warn and
// leave the field out instead of sending Groovy text to a target.

// node is a parsed expression.
type node interface{ pos() int }

type (
	// litNode is a string, number, boolean or null literal. Numbers keep
	// their source text; val is string, numberLit, bool or nil.
	litNode struct {
		at  int
		val any
	}
	// identNode is a bare name: a binding such as user or response.
	identNode struct {
		at   int
		name string
	}
	// propNode is recv.name or recv?.name.
	propNode struct {
		at   int
		recv node
		name string
		safe bool
	}
	// indexNode is recv[idx].
	indexNode struct {
		at   int
		recv node
		idx  node
	}
	// callNode is recv.name(args) or recv?.name(args); recv is nil for a
	// function call such as foo(1).
	callNode struct {
		at   int
		recv node
		name string
		args []node
		safe bool
	}
	// binNode is l op r.
	binNode struct {
		at   int
		op   string
		l, r node
	}
	// notNode is !x.
	notNode struct {
		at int
		x  node
	}
	// condNode is c ? a : b; an Elvis c ?: b has a == nil.
	condNode struct {
		at      int
		c, a, b node
	}
)

// numberLit is the source text of a numeric literal.
type numberLit string

func (n *litNode) pos() int   { return n.at }
func (n *identNode) pos() int { return n.at }
func (n *propNode) pos() int  { return n.at }
func (n *indexNode) pos() int { return n.at }
func (n *callNode) pos() int  { return n.at }
func (n *binNode) pos() int   { return n.at }
func (n *notNode) pos() int   { return n.at }
func (n *condNode) pos() int  { return n.at }

// exprError is a construct outside the supported subset, or a syntax
// error, at a byte offset of the expression.
type exprError struct {
	at  int
	msg string
}

func (e *exprError) Error() string { return fmt.Sprintf("%s (at offset %d)", e.msg, e.at) }

type tokKind int

const (
	tEOF tokKind = iota
	tIdent
	tNumber
	tString
	tOp
)

type token struct {
	kind tokKind
	text string // identifier, operator, number text, or the decoded string
	at   int
}

// keywords that start statements or declarations: never part of an
// expression the converter can translate.
var statementWords = map[string]string{
	"if": "an if statement", "else": "an if/else statement", "for": "a for loop", "while": "a while loop",
	"return": "a return statement", "def": "a variable declaration", "new": "object creation (new)",
	"in": "the in operator", "instanceof": "instanceof", "as": "a type cast (as)", "switch": "a switch statement",
	"try": "a try block", "throw": "a throw statement", "class": "a class declaration",
	"String": "a declaration or static call on String", "List": "a declaration", "Map": "a declaration", "int": "a declaration",
}

func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			s, n, err := lexString(src[i:])
			if err != nil {
				return nil, &exprError{i, err.Error()}
			}
			toks = append(toks, token{tString, s, i})
			i += n
		case c >= '0' && c <= '9':
			j := i
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.' && j+1 < len(src) && src[j+1] >= '0' && src[j+1] <= '9') {
				j++
			}
			if j < len(src) && strings.ContainsRune("lLgGdDfF", rune(src[j])) {
				return nil, &exprError{j, "a typed number literal (" + src[i:j+1] + ")"}
			}
			toks = append(toks, token{tNumber, src[i:j], i})
			i = j
		case c == '_' || c == '$' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] == '$' || src[j] < utf8.RuneSelf && (unicode.IsLetter(rune(src[j])) || unicode.IsDigit(rune(src[j])))) {
				j++
			}
			word := src[i:j]
			afterDot := len(toks) > 0 && toks[len(toks)-1].kind == tOp && (toks[len(toks)-1].text == "." || toks[len(toks)-1].text == "?.")
			if why, bad := statementWords[word]; bad && !afterDot {
				return nil, &exprError{i, why}
			}
			toks = append(toks, token{tIdent, word, i})
			i = j
		default:
			op := ""
			for _, o := range []string{"?.", "?:", "==~", "=~", "==", "!=", "<=", ">=", "&&", "||", "->", "++", "--", "<<", ">>", "**", "*.", "..",
				"(", ")", "[", "]", ",", ".", "+", "-", "*", "/", "%", "<", ">", "!", "?", ":", ";", "{", "}", "=", "&", "|", "^", "~", "@"} {
				if strings.HasPrefix(src[i:], o) {
					op = o
					break
				}
			}
			if op == "" {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, &exprError{i, fmt.Sprintf("unexpected character %q", r)}
			}
			if why, bad := unsupportedOps[op]; bad {
				return nil, &exprError{i, why}
			}
			toks = append(toks, token{tOp, op, i})
			i += len(op)
		}
	}
	return append(toks, token{tEOF, "", len(src)}), nil
}

var unsupportedOps = map[string]string{
	";": "a statement separator (;)", "{": "a closure or block ({...})", "}": "a closure or block ({...})",
	"=": "an assignment (=)", "->": "a closure (->)", "=~": "a regular expression match (=~)", "==~": "a regular expression match (==~)",
	"++": "an increment (++)", "--": "a decrement (--)", "<<": "a shift or append (<<)", ">>": "a shift (>>)",
	"**": "a power (**)", "*.": "a spread operator (*.)", "..": "a range (..)", "&": "a bitwise and (&)", "|": "a bitwise or (|)",
	"^": "a bitwise xor (^)", "~": "a bitwise not (~)", "@": "an annotation or field access (@)",
}

// lexString decodes a single- or double-quoted Groovy string. A
// double-quoted string holding ${...} is a nested GString, which is outside
// the subset.
func lexString(s string) (string, int, error) {
	q := s[0]
	if strings.HasPrefix(s, strings.Repeat(string(q), 3)) {
		return "", 0, fmt.Errorf("a triple-quoted string")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case '\\', '\'', '"', '$':
				b.WriteByte(e)
			case 'u':
				if i+4 >= len(s) {
					return "", 0, fmt.Errorf("a bad \\u escape")
				}
				n, err := strconv.ParseUint(s[i+1:i+5], 16, 32)
				if err != nil {
					return "", 0, fmt.Errorf("a bad \\u escape")
				}
				b.WriteRune(rune(n))
				i += 4
			default:
				return "", 0, fmt.Errorf("an unknown string escape \\%c", e)
			}
		case c == '$' && q == '"' && i+1 < len(s) && (s[i+1] == '{' || isIdentStart(s[i+1])):
			return "", 0, fmt.Errorf("a nested GString (\"...$...\")")
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, fmt.Errorf("an unterminated string")
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

type parser struct {
	toks []token
	i    int
}

// parseExpr parses one expression: the text between ${ and }.
func parseExpr(src string) (node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	if toks[0].kind == tEOF {
		return nil, &exprError{0, "an empty expression"}
	}
	p := &parser{toks: toks}
	n, err := p.ternary()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, &exprError{t.at, fmt.Sprintf("unexpected %q after the expression", t.text)}
	}
	return n, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(op string) bool {
	t := p.peek()
	return t.kind == tOp && t.text == op
}

func (p *parser) expect(op string) error {
	if !p.isOp(op) {
		t := p.peek()
		if t.kind == tEOF {
			return &exprError{t.at, fmt.Sprintf("missing %q at the end", op)}
		}
		return &exprError{t.at, fmt.Sprintf("want %q, found %q", op, t.text)}
	}
	p.next()
	return nil
}

func (p *parser) ternary() (node, error) {
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	switch {
	case p.isOp("?:"):
		at := p.next().at
		b, err := p.ternary()
		if err != nil {
			return nil, err
		}
		return &condNode{at: at, c: c, b: b}, nil
	case p.isOp("?"):
		at := p.next().at
		a, err := p.ternary()
		if err != nil {
			return nil, err
		}
		if err := p.expect(":"); err != nil {
			return nil, err
		}
		b, err := p.ternary()
		if err != nil {
			return nil, err
		}
		return &condNode{at: at, c: c, a: a, b: b}, nil
	}
	return c, nil
}

// binary parses a left-associative level of operators.
func (p *parser) binary(ops []string, sub func() (node, error)) (node, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		match := false
		for _, op := range ops {
			match = match || t.kind == tOp && t.text == op
		}
		if !match {
			return l, nil
		}
		p.next()
		r, err := sub()
		if err != nil {
			return nil, err
		}
		l = &binNode{at: t.at, op: t.text, l: l, r: r}
	}
}

func (p *parser) or() (node, error)  { return p.binary([]string{"||"}, p.and) }
func (p *parser) and() (node, error) { return p.binary([]string{"&&"}, p.equality) }
func (p *parser) equality() (node, error) {
	return p.binary([]string{"==", "!="}, p.relational)
}
func (p *parser) relational() (node, error) {
	return p.binary([]string{"<", "<=", ">", ">="}, p.additive)
}
func (p *parser) additive() (node, error) { return p.binary([]string{"+", "-"}, p.multiplicative) }
func (p *parser) multiplicative() (node, error) {
	return p.binary([]string{"*", "/", "%"}, p.unary)
}

func (p *parser) unary() (node, error) {
	switch {
	case p.isOp("!"):
		at := p.next().at
		x, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &notNode{at: at, x: x}, nil
	case p.isOp("-"):
		at := p.next().at
		if t := p.peek(); t.kind == tNumber {
			p.next()
			return &litNode{at: at, val: numberLit("-" + t.text)}, nil
		}
		return nil, &exprError{at, "a unary minus on a non-literal"}
	}
	return p.postfix()
}

func (p *parser) postfix() (node, error) {
	n, err := p.primary()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp(".") || p.isOp("?."):
			t := p.next()
			name := p.next()
			if name.kind != tIdent {
				return nil, &exprError{name.at, fmt.Sprintf("want a property or method name after %q", t.text)}
			}
			if p.isOp("(") {
				args, err := p.args()
				if err != nil {
					return nil, err
				}
				n = &callNode{at: name.at, recv: n, name: name.text, args: args, safe: t.text == "?."}
				continue
			}
			n = &propNode{at: name.at, recv: n, name: name.text, safe: t.text == "?."}
		case p.isOp("["):
			at := p.next().at
			idx, err := p.ternary()
			if err != nil {
				return nil, err
			}
			if err := p.expect("]"); err != nil {
				return nil, err
			}
			n = &indexNode{at: at, recv: n, idx: idx}
		case p.isOp("("):
			id, ok := n.(*identNode)
			if !ok {
				return nil, &exprError{p.peek().at, "a call of a computed value"}
			}
			args, err := p.args()
			if err != nil {
				return nil, err
			}
			n = &callNode{at: id.at, name: id.name, args: args}
		default:
			return n, nil
		}
	}
}

func (p *parser) args() ([]node, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var args []node
	if p.isOp(")") {
		p.next()
		return args, nil
	}
	for {
		a, err := p.ternary()
		if err != nil {
			return nil, err
		}
		args = append(args, a)
		if p.isOp(")") {
			p.next()
			return args, nil
		}
		if err := p.expect(","); err != nil {
			return nil, err
		}
	}
}

func (p *parser) primary() (node, error) {
	t := p.next()
	switch t.kind {
	case tString:
		return &litNode{at: t.at, val: t.text}, nil
	case tNumber:
		return &litNode{at: t.at, val: numberLit(t.text)}, nil
	case tIdent:
		switch t.text {
		case "null":
			return &litNode{at: t.at, val: nil}, nil
		case "true", "false":
			return &litNode{at: t.at, val: t.text == "true"}, nil
		}
		return &identNode{at: t.at, name: t.text}, nil
	case tOp:
		if t.text == "(" {
			n, err := p.ternary()
			if err != nil {
				return nil, err
			}
			if err := p.expect(")"); err != nil {
				return nil, err
			}
			return n, nil
		}
		if t.text == "[" {
			return nil, &exprError{t.at, "a list or map literal ([...])"}
		}
		return nil, &exprError{t.at, fmt.Sprintf("unexpected %q", t.text)}
	}
	return nil, &exprError{t.at, "the expression ends too early"}
}

// segment is a piece of a GString: literal text, or the source of one
// ${...} expression.
type segment struct {
	text   string
	expr   string
	isExpr bool
	at     int // offset of the segment in the string
}

// splitGString cuts s into literal text and ${...} expressions. The end of
// an expression is the first } outside quotes at brace depth zero, so a
// closure inside still ends up in the expression (and fails to parse there,
// with a message that names it).
func splitGString(s string) ([]segment, error) {
	var out []segment
	lit := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) || s[i+1] != '{' {
			continue
		}
		if i > lit {
			out = append(out, segment{text: s[lit:i], at: lit})
		}
		start := i + 2
		depth, quote := 0, byte(0)
		end := -1
		for j := start; j < len(s) && end < 0; j++ {
			c := s[j]
			switch {
			case c == '\\' && quote == 0:
				j++ // \" inside a JSON string body: the quote is escaped for JSON, not Groovy
			case quote != 0:
				if c == '\\' {
					j++
				} else if c == quote {
					quote = 0
				}
			case c == '\'' || c == '"':
				quote = c
			case c == '{':
				depth++
			case c == '}':
				if depth == 0 {
					end = j
				}
				depth--
			}
		}
		if end < 0 {
			return nil, &exprError{i, "an unterminated ${...}"}
		}
		out = append(out, segment{expr: s[start:end], isExpr: true, at: i})
		i = end
		lit = end + 1
	}
	if lit < len(s) {
		out = append(out, segment{text: s[lit:], at: lit})
	}
	return out, nil
}
