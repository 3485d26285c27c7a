package oktatest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file implements Okta's filter and search expressions: comparisons
// "property op value" joined with and, or and parentheses, as in
//
//	lastUpdated gt "2026-01-01T00:00:00.000Z" and (status eq "LOCKED_OUT" or status eq "RECOVERY")
//
// A dialect says which properties and operators a parameter allows and
// whether string values compare case-sensitively, per the description of
// each parameter.

// expr is a parsed expression.
type expr interface {
	match(get attrGetter) bool
}

// attrGetter returns the value of a property of a user or group: a string,
// a time.Time (zero for null), a bool, a number, a []any, or nil; ok is
// false when the object has no such property.
type attrGetter func(name string) (v any, ok bool)

type andExpr struct{ l, r expr }

func (e andExpr) match(get attrGetter) bool { return e.l.match(get) && e.r.match(get) }

type orExpr struct{ l, r expr }

func (e orExpr) match(get attrGetter) bool { return e.l.match(get) || e.r.match(get) }

// cmpExpr is one comparison.
type cmpExpr struct {
	attr string
	op   string    // eq, sw, co, gt, ge, lt, le, pr
	val  any       // string (lower case when fold), bool, json.Number or nil
	when time.Time // the value of a timestamp comparison
	fold bool      // strings compare case-insensitively
}

// dialect describes what one query parameter accepts.
type dialect struct {
	param string // "filter" or "search", for error messages
	fold  bool
	// allow returns an error unless op may be used on the property.
	allow func(attr, op string) error
}

// timeAttrs are the timestamp properties; their values must be dates.
var timeAttrs = map[string]bool{
	"created": true, "activated": true, "statusChanged": true, "lastUpdated": true,
	"lastLogin": true, "passwordChanged": true, "lastMembershipUpdated": true,
}

// dateLayout is the only form Okta accepts in expressions:
// yyyy-MM-dd'T'HH:mm:ss.SSSZZ, with Z or an offset.
const dateLayout = "2006-01-02T15:04:05.000Z07:00"

func onlyOps(attr, op string, ops ...string) error {
	if slices.Contains(ops, op) {
		return nil
	}
	return fmt.Errorf("the %s operator is not supported for %s", op, attr)
}

// The dialects of the user and group lists. The filter parameters support
// a few properties with eq (and the inequalities on timestamps); search
// supports any property with eq, sw, the inequalities and pr, and co on a
// few profile properties.
var (
	userFilter = dialect{param: "filter", allow: func(attr, op string) error {
		switch attr {
		case "status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName":
			return onlyOps(attr, op, "eq")
		case "lastUpdated":
			return onlyOps(attr, op, "eq", "gt", "ge", "lt", "le")
		}
		return fmt.Errorf("filtering on %s is not supported; use status, lastUpdated, id, profile.login, profile.email, profile.firstName or profile.lastName", attr)
	}}
	userSearch = dialect{param: "search", fold: true, allow: func(attr, op string) error {
		switch {
		case attr == "id" || attr == "status" || attr == "type.id" || timeAttrs[attr] && attr != "lastMembershipUpdated":
		case strings.HasPrefix(attr, "profile.") && len(attr) > len("profile."):
		default:
			return fmt.Errorf("searching on %s is not supported", attr)
		}
		return searchOp(attr, op, "profile.firstName", "profile.lastName", "profile.email", "profile.login")
	}}
	groupFilter = dialect{param: "filter", allow: func(attr, op string) error {
		switch attr {
		case "id", "type":
			return onlyOps(attr, op, "eq")
		case "lastUpdated", "lastMembershipUpdated":
			return onlyOps(attr, op, "eq", "gt", "ge", "lt", "le")
		}
		return fmt.Errorf("filtering on %s is not supported; use id, type, lastUpdated or lastMembershipUpdated", attr)
	}}
	groupSearch = dialect{param: "search", fold: true, allow: func(attr, op string) error {
		switch {
		case attr == "id" || attr == "type" || attr == "source.id" ||
			attr == "created" || attr == "lastUpdated" || attr == "lastMembershipUpdated":
		case strings.HasPrefix(attr, "profile.") && len(attr) > len("profile."):
		default:
			return fmt.Errorf("searching on %s is not supported", attr)
		}
		return searchOp(attr, op, "profile.name", "profile.description")
	}}
)

// searchOp checks an operator of a search: co only on the properties
// listed, sw only on strings.
func searchOp(attr, op string, coAttrs ...string) error {
	switch op {
	case "eq", "gt", "ge", "lt", "le", "pr":
		return nil
	case "sw":
		if timeAttrs[attr] {
			return fmt.Errorf("the sw operator is not supported for %s", attr)
		}
		return nil
	case "co":
		if slices.Contains(coAttrs, attr) {
			return nil
		}
		return fmt.Errorf("the co operator is supported only for %s", strings.Join(coAttrs, ", "))
	}
	return fmt.Errorf("the %s operator is not supported", op)
}

// parseExpr parses s in dialect d.
func parseExpr(s string, d dialect) (expr, *apiError) {
	p := &exprParser{s: s, d: d}
	e, err := p.or()
	if err == nil {
		p.space()
		if p.pos < len(p.s) {
			err = p.errorf("unexpected %q", p.rest())
		}
	}
	if err != nil {
		return nil, err
	}
	return e, nil
}

type exprParser struct {
	s     string
	pos   int
	d     dialect
	depth int
}

func (p *exprParser) errorf(format string, args ...any) *apiError {
	return invalidSearch(fmt.Sprintf("%s %q: %s (at offset %d)", p.d.param, p.s, fmt.Sprintf(format, args...), p.pos))
}

func (p *exprParser) rest() string {
	r := p.s[p.pos:]
	if len(r) > 20 {
		r = r[:20] + "..."
	}
	return r
}

func (p *exprParser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

// word reads a property name, operator or keyword.
func (p *exprParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) && !strings.ContainsRune(" \t\r\n()\"", rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// keyword consumes kw (case-insensitively) if it comes next.
func (p *exprParser) keyword(kw string) bool {
	save := p.pos
	if strings.EqualFold(p.word(), kw) {
		return true
	}
	p.pos = save
	return false
}

func (p *exprParser) or() (expr, *apiError) {
	l, err := p.and()
	for err == nil && p.keyword("or") {
		var r expr
		if r, err = p.and(); err == nil {
			l = orExpr{l, r}
		}
	}
	return l, err
}

func (p *exprParser) and() (expr, *apiError) {
	l, err := p.factor()
	for err == nil && p.keyword("and") {
		var r expr
		if r, err = p.factor(); err == nil {
			l = andExpr{l, r}
		}
	}
	return l, err
}

func (p *exprParser) factor() (expr, *apiError) {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == '(' {
		if p.depth++; p.depth > 20 {
			return nil, p.errorf("too deeply nested")
		}
		p.pos++
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.s) || p.s[p.pos] != ')' {
			return nil, p.errorf("missing )")
		}
		p.pos++
		p.depth--
		return e, nil
	}
	attr := p.word()
	switch {
	case attr == "":
		return nil, p.errorf("a property name is missing")
	case strings.EqualFold(attr, "not"):
		return nil, p.errorf("the not operator is not supported")
	}
	op := strings.ToLower(p.word())
	if op == "" {
		return nil, p.errorf("an operator is missing after %s", attr)
	}
	if err := p.d.allow(attr, op); err != nil {
		return nil, p.errorf("%v", err)
	}
	c := cmpExpr{attr: attr, op: op, fold: p.d.fold}
	if op == "pr" {
		return c, nil
	}
	val, err := p.value()
	if err != nil {
		return nil, err
	}
	c.val = val
	if s, ok := val.(string); ok && c.fold {
		c.val = strings.ToLower(s) // once here, not for every user matched
	}
	if timeAttrs[attr] {
		s, isString := val.(string)
		t, perr := time.Parse(dateLayout, s)
		if !isString || perr != nil {
			return nil, invalidDate(fmt.Sprintf("%s %q: %s needs a date such as \"2026-01-01T00:00:00.000Z\"", p.d.param, p.s, attr))
		}
		c.when = t
	}
	return c, nil
}

// value reads a quoted string, true, false, null or a number.
func (p *exprParser) value() (any, *apiError) {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == '"' {
		start := p.pos
		p.pos++
		for p.pos < len(p.s) && p.s[p.pos] != '"' {
			if p.s[p.pos] == '\\' {
				p.pos++
			}
			p.pos++
		}
		if p.pos >= len(p.s) {
			p.pos = start
			return nil, p.errorf("unterminated string")
		}
		p.pos++
		var s string
		if err := json.Unmarshal([]byte(p.s[start:p.pos]), &s); err != nil {
			p.pos = start
			return nil, p.errorf("bad string escape")
		}
		return s, nil
	}
	w := p.word()
	switch w {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	case "":
		return nil, p.errorf("a value is missing")
	}
	if json.Valid([]byte(w)) && strings.ContainsAny(w[:1], "-0123456789") {
		return json.Number(w), nil
	}
	return nil, p.errorf("value %s is not a quoted string, number, true, false or null", w)
}

func (c cmpExpr) match(get attrGetter) bool {
	v, present := get(c.attr)
	if c.op == "pr" {
		return present && v != nil && v != "" && !isZeroTime(v)
	}
	return present && c.matchValue(v)
}

func isZeroTime(v any) bool {
	t, ok := v.(time.Time)
	return ok && t.IsZero()
}

func (c cmpExpr) matchValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return c.op == "eq" && c.val == nil
	case time.Time:
		if v.IsZero() {
			return c.op == "eq" && c.val == nil
		}
		return c.order(v.Compare(c.when))
	case string:
		want, ok := c.val.(string)
		if !ok {
			return false
		}
		if c.fold {
			v = strings.ToLower(v)
		}
		switch c.op {
		case "sw":
			return strings.HasPrefix(v, want)
		case "co":
			return strings.Contains(v, want)
		}
		return c.order(strings.Compare(v, want))
	case bool:
		want, ok := c.val.(bool)
		return ok && c.op == "eq" && v == want
	case json.Number, float64:
		want, ok := c.val.(json.Number)
		if !ok {
			return false
		}
		a, _ := json.Number(fmt.Sprint(v)).Float64()
		b, _ := want.Float64()
		switch {
		case a < b:
			return c.order(-1)
		case a > b:
			return c.order(1)
		}
		return c.order(0)
	case []any:
		// An array matches when one of its elements does, as in SCIM.
		for _, e := range v {
			if c.matchValue(e) {
				return true
			}
		}
	}
	return false
}

// order applies an ordering operator to the result of a comparison.
func (c cmpExpr) order(cmp int) bool {
	switch c.op {
	case "eq":
		return cmp == 0
	case "gt":
		return cmp > 0
	case "ge":
		return cmp >= 0
	case "lt":
		return cmp < 0
	case "le":
		return cmp <= 0
	}
	return false
}
