package template

import (
	"regexp"
	"strconv"
	"strings"
)

// Text that starts like the ${a.b} shorthand but is not the shorthand is
// almost always an expression written for another product (Saviynt's
// Groovy: ${user?.email}, ${user.email.toLowerCase()}, ${if(x){...}}).
// Sent as it is, it would reach the target as literal text; so a template
// may not hold "${" in its text at all, and the compiler says what to
// write instead. A literal "${" is written {{ "${" }}.

// literalShorthand is how a template writes "${" itself.
const literalShorthand = `{{ "${" }}`

var (
	ident       = `[A-Za-z_][A-Za-z0-9_]*`
	optChain    = regexp.MustCompile(`^` + ident + `(?:\??\.` + ident + `)+$`)
	callSuffix  = regexp.MustCompile(`^(` + ident + `(?:\.` + ident + `)*)((?:\.(?:toLowerCase|toUpperCase|trim)\(\))+)$`)
	indexSuffix = regexp.MustCompile(`^(` + ident + `(?:\.` + ident + `)*)\[\s*(?:'([^'\\]*)'|"([^"\\]*)")\s*\]$`)
)

// strayShorthand returns why text, the literal text of a template (the
// shorthand already expanded), is refused: it holds "${". It returns ""
// when text is fine.
func strayShorthand(text string) string {
	i := strings.Index(text, "${")
	if i < 0 {
		return ""
	}
	expr, closed := shorthandAt(text[i:])
	const literal = `; to send a literal "${", write ` + literalShorthand
	quoted := strconv.Quote(expr)
	if !closed {
		return quoted + " is not a restconn template: the ${ is not closed" + literal
	}
	inner := strings.TrimSpace(expr[2 : len(expr)-1])
	if fix := rewriteHint(inner); fix != "" {
		return quoted + " is not a restconn template: write " + fix + literal
	}
	return quoted + ` is not a restconn template: ${...} takes only a dotted name such as ${user.email}, other expressions are written with {{ }} (see "Templates" in SPEC.md)` + literal
}

// shorthandAt returns the ${...} expression at the start of s, up to its
// matching brace, and whether it has one. An expression that does not end
// is cut at the end of its line (or 60 bytes).
func shorthandAt(s string) (string, bool) {
	depth := 0
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			if depth--; depth == 0 {
				return s[:i+1], true
			}
		case '\n':
			return s[:i], false
		}
	}
	if len(s) > 60 {
		return s[:60] + "…", false
	}
	return s, false
}

// rewriteHint returns the restconn template for the commonest Groovy
// forms: null-safe navigation, the case and trim methods, and a key in
// brackets. It returns "" for anything else.
func rewriteHint(inner string) string {
	switch {
	case optChain.MatchString(inner) && strings.Contains(inner, "?."):
		parts := strings.Split(strings.ReplaceAll(inner, "?.", "."), ".")
		keys := make([]string, len(parts)-1)
		for i, p := range parts[1:] {
			keys[i] = strconv.Quote(p)
		}
		return "{{ opt ." + parts[0] + " " + strings.Join(keys, " ") + " }}"
	case callSuffix.MatchString(inner):
		m := callSuffix.FindStringSubmatch(inner)
		out := "{{ ." + m[1]
		for _, call := range strings.Split(strings.TrimPrefix(m[2], "."), ".") {
			out += " | " + map[string]string{"toLowerCase()": "lower", "toUpperCase()": "upper", "trim()": "trim"}[call]
		}
		return out + " }}"
	case indexSuffix.MatchString(inner):
		m := indexSuffix.FindStringSubmatch(inner)
		return "{{ index ." + m[1] + " " + strconv.Quote(m[2]+m[3]) + " }}"
	}
	return ""
}
