package connector

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/jsonpath"
	"github.com/restconn/restconn/template"
)

// Validate checks the spec without building an engine: structure, names,
// paths, rules and templates. Errors are *Error values wrapping
// ErrInvalidSpec with the JSON path of the offending field.
func (s *Spec) Validate() error {
	_, err := compile(s)
	return err
}

type compiler struct {
	spec *Spec
}

func compile(s *Spec) (*compiled, error) {
	c := &compiler{spec: s}
	out, err := c.run()
	if err != nil {
		return nil, err
	}
	return out, nil
}

// fail aborts compilation with a spec error; run recovers it. Panics keep
// the many small checks below readable.
type compileError struct{ err *Error }

func (c *compiler) fail(path, format string, args ...any) {
	panic(compileError{specError(path, fmt.Sprintf(format, args...))})
}

func (c *compiler) run() (out *compiled, err error) {
	defer func() {
		if r := recover(); r != nil {
			ce, ok := r.(compileError)
			if !ok {
				panic(r)
			}
			out, err = nil, ce.err
		}
	}()
	s := c.spec
	out = &compiled{auths: map[string]*compiledAuth{}, usedAuths: map[string]bool{}, ents: map[string]*compiledEnts{}, ops: map[Operation]*compiledOp{}}
	if strings.TrimSpace(s.Name) == "" {
		c.fail("name", "missing: give the connector a name")
	}
	for name := range s.Params {
		c.identifier("params."+name, name)
	}
	for name := range s.Secrets {
		c.identifier("secrets."+name, name)
		if _, dup := s.Params[name]; dup {
			c.fail("secrets."+name, "%q is declared both as a param and as a secret", name)
		}
	}

	conn := &s.Connection
	if conn.BaseURL == "" {
		c.fail("connection.baseURL", "missing")
	}
	out.baseURL = c.tmpl("connection.baseURL", conn.BaseURL, template.Plain)
	out.headers = c.templates("connection.headers", conn.Headers, template.Plain)
	if conn.Timeout < 0 {
		c.fail("connection.timeout", "must not be negative")
	}
	if conn.TLS != nil {
		switch conn.TLS.MinVersion {
		case "", "1.2", "1.3":
		default:
			c.fail("connection.tls.minVersion", "want \"1.2\" or \"1.3\", not %q", conn.TLS.MinVersion)
		}
		if conn.TLS.CAPEM != "" {
			out.tlsCA = c.tmpl("connection.tls.caPEM", conn.TLS.CAPEM, template.Plain)
		}
	}
	if r := conn.Retry; r != nil {
		if r.MaxAttempts < 0 || r.MaxWaits < 0 || r.MinBackoff < 0 || r.MaxBackoff < 0 || r.MaxWait < 0 {
			c.fail("connection.retry", "values must not be negative")
		}
		if r.MaxBackoff > 0 && r.MinBackoff > r.MaxBackoff {
			c.fail("connection.retry.minBackoff", "is greater than maxBackoff")
		}
	}
	if rl := conn.RateLimit; rl != nil {
		if rl.RequestsPerSecond <= 0 {
			c.fail("connection.rateLimit.requestsPerSecond", "must be positive")
		}
		if rl.Burst < 0 {
			c.fail("connection.rateLimit.burst", "must not be negative")
		}
	}
	if conn.MaxBodyBytes < 0 {
		c.fail("connection.maxBodyBytes", "must not be negative")
	}
	out.errors = c.errorRules("connection.errors", conn.Errors)
	out.failure = c.conds("connection.failure", conn.Failure)

	authNames := sortedKeys(conn.Auth)
	for _, name := range authNames {
		c.identifier("connection.auth."+name, name)
		if name == "none" {
			c.fail("connection.auth.none", `"none" is reserved: it means no auth where a call names its auth block`)
		}
	}
	for _, name := range authNames {
		out.auths[name] = c.auth("connection.auth."+name, name, conn.Auth[name])
	}
	switch {
	case conn.DefaultAuth != "":
		if _, ok := conn.Auth[conn.DefaultAuth]; !ok && conn.DefaultAuth != "none" {
			c.fail("connection.defaultAuth", "no auth block named %q (have %s)", conn.DefaultAuth, list(authNames))
		}
		out.defaultAuth = conn.DefaultAuth
	case len(authNames) == 1:
		out.defaultAuth = authNames[0]
	case len(authNames) > 1:
		c.fail("connection.defaultAuth", "missing: several auth blocks exist (%s), name the default", list(authNames))
	}
	if out.defaultAuth == "none" {
		out.defaultAuth = ""
	}
	// Login calls are compiled after the default is known.
	for _, name := range authNames {
		a := out.auths[name]
		if a.kind == "session" {
			a.login = c.call("connection.auth."+name+".login", a.spec.Login, out, "login")
			if a.spec.Login.Auth == "" {
				a.login.auth = "" // a login call authenticates itself (with its body or its own auth)
			}
			if a.login.auth == name {
				c.fail("connection.auth."+name+".login.auth", "a login call cannot use its own auth block")
			}
			if a.login.auth != "" && out.auths[a.login.auth].kind == "session" {
				c.fail("connection.auth."+name+".login.auth", "a login call cannot use another session auth block")
			}
		}
	}

	if s.Connect != nil {
		out.connect = c.chain("connect.calls", s.Connect.Calls, out)
	}
	if s.Import != nil {
		c.imports(out)
	}
	for op, os := range s.Provision {
		path := "provision." + string(op)
		known := false
		for _, o := range Operations {
			known = known || o == op
		}
		if !known {
			c.fail(path, "unknown operation %q (want one of %s)", op, list(opNames()))
		}
		if os == nil {
			c.fail(path, "missing value")
		}
		out.ops[op] = c.op(path, op, os, out, true)
	}
	if t := s.Tickets; t != nil {
		if t.Create != nil {
			p := "tickets.create"
			tc := &compiledTicketCreate{calls: c.chain(p+".calls", t.Create.Calls, out)}
			if t.Create.ID == "" {
				c.fail(p+".id", "missing: a template for the new ticket's ID")
			}
			tc.id = c.tmpl(p+".id", t.Create.ID, template.Plain)
			tc.number = c.optTmpl(p+".number", t.Create.Number)
			tc.status = c.optTmpl(p+".status", t.Create.Status)
			tc.key = c.optTmpl(p+".key", t.Create.Key)
			if t.Create.Key != "" && t.Create.Status == "" {
				c.fail(p+".key", "needs status")
			}
			out.ticketCreate = tc
		}
		if t.Status != nil {
			out.ticketStatus = c.ticketStatus("tickets.status", t.Status, out)
		}
		if t.Create != nil && t.Create.Status != "" && t.Status == nil {
			c.fail("tickets.create.status", "needs tickets.status.states to map the status")
		}
	}
	for op, cop := range out.ops {
		needs := cop.ticket != nil
		for _, t := range cop.types {
			needs = needs || t.ticket != nil
		}
		if needs && out.ticketCreate == nil {
			c.fail("provision."+string(op)+".ticket", "needs tickets.create")
		}
	}
	return out, nil
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
	t, err := template.Compile(path, src, esc)
	if err != nil {
		msg := err.Error()
		if te, ok := err.(*template.Error); ok {
			msg = "bad template: " + te.Msg
		}
		c.fail(path, "%s", msg)
	}
	return t
}

func (c *compiler) optTmpl(path, src string) *template.Template {
	if src == "" {
		return nil
	}
	return c.tmpl(path, src, template.Plain)
}

func (c *compiler) templates(path string, m map[string]string, esc template.Escape) []namedTemplate {
	var out []namedTemplate
	for _, k := range sortedKeys(m) {
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

func (c *compiler) field(where string, f binding.Field) binding.CompiledField {
	cf, err := binding.CompileField(f)
	if err != nil {
		c.fail(where, "%v", err)
	}
	return cf
}

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

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
