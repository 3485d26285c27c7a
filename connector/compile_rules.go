package connector

import (
	"fmt"
	"regexp"

	"github.com/restconn/restconn/template"
)

func (c *compiler) errorRules(where string, e *ErrorRules) *compiledErrors {
	if e == nil {
		return nil
	}
	out := &compiledErrors{kinds: map[string]error{}}
	for i, p := range e.Code {
		out.code = append(out.code, c.path(fmt.Sprintf("%s.code[%d]", where, i), p))
	}
	for i, p := range e.Message {
		out.message = append(out.message, c.path(fmt.Sprintf("%s.message[%d]", where, i), p))
	}
	for code, kind := range e.Map {
		s, ok := sentinelFor[kind]
		if !ok {
			c.fail(join(where+".map", code), "unknown kind %q (want auth, notFound, conflict, rateLimited or unsupported)", kind)
		}
		out.kinds[code] = s
	}
	return out
}

func (c *compiler) conds(where string, conds []Condition) []*compiledCond {
	var out []*compiledCond
	for i := range conds {
		out = append(out, c.cond(fmt.Sprintf("%s[%d]", where, i), &conds[i]))
	}
	return out
}

func (c *compiler) cond(where string, k *Condition) *compiledCond {
	cc := &compiledCond{header: k.Header, exists: k.Exists, equals: k.Equals, in: k.In, not: k.Not}
	n := 0
	if k.Path != "" {
		cc.path = c.path(where+".path", k.Path)
		n++
	}
	if k.Header != "" {
		n++
	}
	if k.Value != "" {
		cc.value = c.tmpl(where+".value", k.Value, template.Plain)
		n++
	}
	if n != 1 {
		c.fail(where, "give exactly one of path, header or value")
	}
	if k.Matches != "" {
		re, err := regexp.Compile(k.Matches)
		if err != nil {
			c.fail(where+".matches", "bad regular expression: %v", err)
		}
		cc.re = re
	}
	cc.hasTest = k.Exists != nil || k.Equals != nil || k.In != nil || k.Matches != ""
	return cc
}

func (c *compiler) rule(where string, r *Rule) *compiledRule {
	if r == nil {
		return nil
	}
	for i, s := range r.Status {
		if s < 100 || s > 599 {
			c.fail(fmt.Sprintf("%s.status[%d]", where, i), "%d is not an HTTP status", s)
		}
	}
	if len(r.Status) == 0 && len(r.When) == 0 {
		c.fail(where, "empty rule: give status codes, conditions or both")
	}
	return &compiledRule{status: r.Status, when: c.conds(where+".when", r.When)}
}

func (c *compiler) rules(where string, rs []Rule) []*compiledRule {
	var out []*compiledRule
	for i := range rs {
		out = append(out, c.rule(fmt.Sprintf("%s[%d]", where, i), &rs[i]))
	}
	return out
}
