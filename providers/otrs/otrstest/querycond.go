package otrstest

import (
	"regexp"
	"strings"
)

// likeMatcher evaluates the subset of Kernel::System::DB::QueryCondition
// that TicketSearch applies to TicketNumber, Title, CustomerID and
// CustomerUserLogin on a MySQL-backed system: comparisons are
// case-insensitive; "*" and "%" are wildcards (a word without one must
// match the whole value); "&&", "+" and "AND" join with AND; "||" and "OR"
// with OR (mixing both at one level matches nothing); "!" negates a word;
// parentheses group; "\" escapes and "\"…\"" quotes a phrase. Spaces are
// part of a word.
type likeMatcher struct {
	toks []string
	pos  int
	bad  bool
}

func matchQueryCondition(expr, value string) bool {
	expr = strings.TrimSpace(expr)
	expr = strings.ReplaceAll(expr, "+", "&&")
	expr = andOrRe.ReplaceAllStringFunc(expr, func(m string) string {
		if strings.Contains(m, "AND") {
			return strings.Replace(m, "AND", "&&", 1)
		}
		return strings.Replace(m, "OR", "||", 1)
	})
	lm := &likeMatcher{toks: tokenizeCondition(expr)}
	ok := lm.expr(value)
	if lm.bad || lm.pos != len(lm.toks) {
		return false
	}
	return ok
}

var andOrRe = regexp.MustCompile(`(?:^|[\s()])(AND|OR)(?:[\s()]|$)`)

// tokenizeCondition splits into words and the operators ( ) && || !.
func tokenizeCondition(s string) []string {
	var toks []string
	var word strings.Builder
	flush := func() {
		if w := strings.TrimSpace(word.String()); w != "" {
			toks = append(toks, w)
		}
		word.Reset()
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			word.WriteByte(s[i])
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				word.WriteByte(c)
				continue
			}
			word.WriteString(s[i+1 : i+1+j])
			i += j + 1
		case c == '(' || c == ')':
			flush()
			toks = append(toks, string(c))
		case (c == '&' || c == '|') && i+1 < len(s) && s[i+1] == c:
			flush()
			toks = append(toks, string([]byte{c, c}))
			i++
		case c == '!' && strings.TrimSpace(word.String()) == "":
			word.Reset()
			toks = append(toks, "!")
		default:
			word.WriteByte(c)
		}
	}
	flush()
	return toks
}

func (m *likeMatcher) peek() string {
	if m.pos < len(m.toks) {
		return m.toks[m.pos]
	}
	return ""
}

func (m *likeMatcher) expr(v string) bool {
	res := m.term(v)
	op := ""
	for {
		t := m.peek()
		if t != "&&" && t != "||" {
			return res
		}
		if op != "" && op != t {
			m.bad = true
		}
		op = t
		m.pos++
		r := m.term(v)
		if t == "&&" {
			res = res && r
		} else {
			res = res || r
		}
	}
}

func (m *likeMatcher) term(v string) bool {
	switch t := m.peek(); t {
	case "!":
		m.pos++
		return !m.term(v)
	case "(":
		m.pos++
		if m.peek() == ")" { // empty parentheses are dropped
			m.pos++
			return true
		}
		r := m.expr(v)
		if m.peek() != ")" {
			m.bad = true
			return false
		}
		m.pos++
		return r
	case "", ")", "&&", "||":
		m.bad = true
		return false
	default:
		m.pos++
		return likeMatch(strings.ReplaceAll(t, "*", "%"), v)
	}
}

// likeMatch is a case-insensitive SQL LIKE with % as the only wildcard
// (without % it is plain equality).
func likeMatch(pattern, v string) bool {
	pattern, v = strings.ToLower(pattern), strings.ToLower(v)
	if !strings.Contains(pattern, "%") {
		return pattern == v
	}
	parts := strings.Split(pattern, "%")
	if !strings.HasPrefix(v, parts[0]) {
		return false
	}
	v = v[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(v, p)
		if i < 0 {
			return false
		}
		v = v[i+len(p):]
	}
	return strings.HasSuffix(v, last)
}
