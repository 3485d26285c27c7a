package connector

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/jsonpath"
	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/template"
)

// compiled is a spec with every template, path and rule compiled; the
// engine only ever reads it.
type compiled struct {
	baseURL     *template.Template
	tlsCA       *template.Template
	headers     []namedTemplate
	auths       map[string]*compiledAuth
	usedAuths   map[string]bool // auth blocks some call uses: only these are set up by New
	defaultAuth string
	errors      *compiledErrors
	failure     []*compiledCond

	connect      []*compiledCall
	accounts     *compiledAccounts
	ents         map[string]*compiledEnts
	entTypes     []string
	ops          map[Operation]*compiledOp
	ticketCreate *compiledTicketCreate
	ticketStatus *compiledTicketStatus
}

type namedTemplate struct {
	name string
	t    *template.Template
}

type compiledAuth struct {
	name   string
	kind   string
	spec   *Auth
	static map[string]*template.Template // basic: username/password; bearer: token; apiKey: value
	inject *Inject
	login  *compiledCall
	token  *template.Template // session: token from the login response
	expiry []*compiledRule
}

type compiledErrors struct {
	code, message []*jsonpath.Path
	kinds         map[string]error
}

type compiledCond struct {
	path    *jsonpath.Path
	header  string
	value   *template.Template
	exists  *bool
	equals  any
	in      []any
	re      *regexp.Regexp
	not     bool
	hasTest bool
}

type compiledRule struct {
	status []int
	when   []*compiledCond
}

type compiledCall struct {
	name, where string // call name and spec path
	auth        string // auth block name; "" for none
	method      string
	path        *template.Template
	url         *template.Template
	query       []namedTemplate
	headers     []namedTemplate
	body        *template.Tree
	form        []namedTemplate
	success     *compiledRule
	failure     []*compiledCond
	errors      *compiledErrors
	ifT         *template.Template
	forEach     *template.Template
	idempotent  bool
	timeout     time.Duration
	restart     *compiledRestart

	// list calls
	records  *jsonpath.Path
	pager    *paging.Pager
	stop     []*compiledRule
	perPage  bool // some template reads .page: re-render on every page
	usesAuth bool // some template reads .auth: re-render after a new token
}

type compiledRestart struct {
	when compiledRule
	from int
	max  int
}

type compiledRecord struct {
	id           binding.CompiledField
	name         *binding.CompiledField
	attrs        *binding.Mapper
	detail       *compiledCall
	detailRecord *jsonpath.Path
}

type compiledAccounts struct {
	compiledRecord
	sources, incremental []*compiledCall
	unique               bool
	active               *compiledActive
	ents                 []entPath
}

type entPath struct {
	typ  string
	path *jsonpath.Path
}

type compiledActive struct {
	cond compiledCond
	def  bool
}

type compiledEnts struct {
	compiledRecord
	typ          string
	sources      []*compiledCall
	fromAccounts bool
	members      *jsonpath.Path
}

type compiledOp struct {
	calls      []*compiledCall
	accountID  *template.Template
	attributes []namedTemplate
	ticket     *compiledTicketRequest
	types      map[string]*compiledOp
}

type compiledTicketRequest struct {
	title, description *template.Template
}

type compiledTicketCreate struct {
	calls                   []*compiledCall
	id, number, status, key *template.Template
}

type compiledTicketStatus struct {
	calls               []*compiledCall
	status, key, number *template.Template
	states              []compiledState
	def                 TicketState
}

type compiledState struct {
	equals []string
	re     *regexp.Regexp
	state  TicketState
}

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

func (c *compiler) auth(where, name string, a *Auth) *compiledAuth {
	if a == nil {
		c.fail(where, "missing value")
	}
	ca := &compiledAuth{name: name, kind: a.Type, spec: a, static: map[string]*template.Template{}, inject: a.Inject}
	need := func(field, v string) {
		if v == "" {
			c.fail(where+"."+field, "missing: %s auth needs it", a.Type)
		}
		ca.static[field] = c.tmpl(where+"."+field, v, template.Plain)
	}
	// Fields that belong to other kinds are mistakes worth naming.
	allowed := map[string][]string{
		"none":    {},
		"basic":   {"username", "password"},
		"bearer":  {"token", "inject", "expiry"},
		"apiKey":  {"in", "name", "value"},
		"oauth2":  {"tokenURL", "clientID", "clientSecret", "scopes", "authStyle", "endpointParams", "earlyExpiry", "inject", "expiry"},
		"session": {"login", "token", "ttl", "inject", "expiry", "earlyExpiry"},
	}
	ok := false
	var kinds []string
	for k := range allowed {
		kinds = append(kinds, k)
		ok = ok || k == a.Type
	}
	if !ok {
		sort.Strings(kinds)
		c.fail(where+".type", "unknown auth type %q (want one of %s)", a.Type, list(kinds))
	}
	set := map[string]bool{
		"username": a.Username != "", "password": a.Password != "", "token": a.Token != "", "in": a.In != "",
		"name": a.Name != "", "value": a.Value != "", "tokenURL": a.TokenURL != "", "clientID": a.ClientID != "",
		"clientSecret": a.ClientSecret != "", "scopes": len(a.Scopes) > 0, "authStyle": a.AuthStyle != "",
		"endpointParams": len(a.EndpointParams) > 0, "earlyExpiry": a.EarlyExpiry != 0, "login": a.Login != nil,
		"ttl": a.TTL != 0, "inject": a.Inject != nil, "expiry": len(a.Expiry) > 0,
	}
	for _, f := range sortedKeys(set) {
		if !set[f] {
			continue
		}
		fine := false
		for _, g := range allowed[a.Type] {
			fine = fine || g == f
		}
		if !fine {
			c.fail(where+"."+f, "not used by %s auth", a.Type)
		}
	}
	switch a.Type {
	case "basic":
		need("username", a.Username)
		ca.static["password"] = c.tmpl(where+".password", a.Password, template.Plain)
	case "bearer":
		need("token", a.Token)
	case "apiKey":
		need("value", a.Value)
		if a.Name == "" {
			c.fail(where+".name", "missing: the header or parameter name")
		}
		if a.In != "header" && a.In != "query" {
			c.fail(where+".in", "want header or query, not %q", a.In)
		}
		ca.inject = &Inject{In: a.In, Name: a.Name}
	case "oauth2":
		need("tokenURL", a.TokenURL)
		need("clientID", a.ClientID)
		need("clientSecret", a.ClientSecret)
		for k, v := range a.EndpointParams {
			ca.static["endpointParams."+k] = c.tmpl(join(where+".endpointParams", k), v, template.Plain)
		}
		switch a.AuthStyle {
		case "", "auto", "header", "params":
		default:
			c.fail(where+".authStyle", "want header, params or auto, not %q", a.AuthStyle)
		}
	case "session":
		if a.Login == nil {
			c.fail(where+".login", "missing: the call that logs in")
		}
		if a.Token == "" {
			c.fail(where+".token", "missing: a template that reads the token from the login response, e.g. {{ .responses.login.body.SessionID }}")
		}
		ca.token = c.tmpl(where+".token", a.Token, template.Plain)
	}
	if ca.inject == nil && (a.Type == "bearer" || a.Type == "oauth2") {
		ca.inject = &Inject{In: "header", Name: "Authorization", Prefix: "Bearer "}
	}
	if in := ca.inject; in != nil {
		if in.In != "header" && in.In != "query" && in.In != "body" {
			c.fail(where+".inject.in", "want header, query or body, not %q", in.In)
		}
		if in.Name == "" {
			c.fail(where+".inject.name", "missing")
		}
		if in.In == "body" {
			c.path(where+".inject.name", in.Name)
		}
	}
	ca.expiry = c.rules(where+".expiry", a.Expiry)
	if len(a.Expiry) == 0 && (a.Type == "oauth2" || a.Type == "session" || a.Type == "bearer") {
		ca.expiry = []*compiledRule{{status: []int{401}}}
	}
	return ca
}

var methods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// call compiles one call. defaultName names an unnamed call.
func (c *compiler) call(where string, k *Call, out *compiled, defaultName string) *compiledCall {
	if k == nil {
		c.fail(where, "missing value")
	}
	if defaultName == "login" || defaultName == "detail" {
		if k.If != "" || k.ForEach != "" || k.Restart != nil {
			c.fail(where, "if, forEach and restart belong to provisioning chains, not to %s calls", defaultName)
		}
	}
	cc := &compiledCall{name: k.Name, where: where, idempotent: k.Idempotent, timeout: time.Duration(k.Timeout)}
	if cc.name == "" {
		cc.name = defaultName
	}
	defer func() {
		if cc.auth != "" {
			out.usedAuths[cc.auth] = true
		}
	}()
	cc.method = strings.ToUpper(k.Method)
	if cc.method == "" {
		cc.method = http.MethodGet
	}
	if !methods[cc.method] {
		c.fail(where+".method", "unknown HTTP method %q", k.Method)
	}
	switch cc.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		cc.idempotent = true
	}
	switch {
	case k.Path != "" && k.URL != "":
		c.fail(where, "give path or url, not both")
	case k.Path != "":
		cc.path = c.tmpl(where+".path", k.Path, template.PathSegment)
	case k.URL != "":
		cc.url = c.tmpl(where+".url", k.URL, template.Plain)
	default:
		c.fail(where+".path", "missing: give path (relative to connection.baseURL) or url")
	}
	switch k.Auth {
	case "":
		cc.auth = out.defaultAuth
	case "none":
	default:
		if _, ok := c.spec.Connection.Auth[k.Auth]; !ok {
			c.fail(where+".auth", "no auth block named %q", k.Auth)
		}
		cc.auth = k.Auth
	}
	cc.query = c.templates(where+".query", k.Query, template.Plain)
	cc.headers = c.templates(where+".headers", k.Headers, template.Plain)
	if k.Body != nil && k.Form != nil {
		c.fail(where, "give body or form, not both")
	}
	if k.Body != nil {
		t, err := template.CompileTree(where+".body", k.Body)
		if err != nil {
			if te, ok := err.(*template.Error); ok {
				c.fail(te.Template, "bad template: %s", te.Msg)
			}
			c.fail(where+".body", "%v", err)
		}
		cc.body = t
	}
	cc.form = c.templates(where+".form", k.Form, template.Plain)
	cc.success = c.rule(where+".success", k.Success)
	cc.failure = c.conds(where+".failure", k.Failure)
	cc.errors = c.errorRules(where+".errors", k.Errors)
	if k.If != "" {
		cc.ifT = c.tmpl(where+".if", k.If, template.Plain)
	}
	if k.ForEach != "" {
		cc.forEach = c.tmpl(where+".forEach", k.ForEach, template.Plain)
	}
	if k.Timeout < 0 {
		c.fail(where+".timeout", "must not be negative")
	}
	return cc
}

func (c *compiler) chain(where string, calls []*Call, out *compiled) []*compiledCall {
	var cs []*compiledCall
	names := map[string]int{}
	for i, k := range calls {
		p := fmt.Sprintf("%s[%d]", where, i)
		cc := c.call(p, k, out, "call"+strconv.Itoa(i))
		if k.Name != "" {
			c.identifier(p+".name", k.Name)
			if j, dup := names[k.Name]; dup {
				c.fail(p+".name", "%q is already the name of call %d", k.Name, j)
			}
			names[k.Name] = i
		}
		if k.Restart != nil && k.ForEach != "" {
			c.fail(p+".restart", "a call repeated with forEach cannot restart the chain")
		}
		if k.Restart != nil {
			from, ok := names[k.Restart.From]
			if !ok {
				c.fail(p+".restart.from", "no earlier call named %q in this chain", k.Restart.From)
			}
			m := k.Restart.Max
			if m == 0 {
				m = 1
			}
			if m < 0 || m > 10 {
				c.fail(p+".restart.max", "want 1 to 10")
			}
			cc.restart = &compiledRestart{when: *c.rule(p+".restart.when", &k.Restart.When), from: from, max: m}
		}
		cs = append(cs, cc)
	}
	if len(cs) == 0 {
		c.fail(where, "empty: give at least one call")
	}
	return cs
}

func (c *compiler) listCall(where string, k *ListCall, out *compiled) *compiledCall {
	if k == nil {
		c.fail(where, "missing value")
	}
	if k.Restart != nil || k.ForEach != "" || k.If != "" {
		c.fail(where, "restart, forEach and if are for provisioning chains, not list calls")
	}
	cc := c.call(where, &k.Call, out, "list")
	if k.Name != "" {
		c.identifier(where+".name", k.Name)
	}
	cc.records = c.path(where+".records", k.Records)
	if k.Paging != nil && k.Records == "" {
		c.fail(where+".records", "missing: paged lists need the path of the records")
	}
	if k.Paging != nil {
		pg := k.Paging
		p, err := paging.New(paging.Config{Type: pg.Type, Path: pg.Path, Param: pg.Param, In: pg.In,
			SizeParam: pg.SizeParam, Size: pg.Size, Start: pg.Start, Total: pg.Total, MaxPages: pg.MaxPages})
		if err != nil {
			c.fail(where+".paging", "%v", err)
		}
		if pg.In == "body" && k.Body == nil {
			c.fail(where+".paging.in", "body paging needs a JSON object body on the call")
		}
		cc.pager = p
	}
	cc.stop = c.rules(where+".stop", k.Stop)
	cc.perPage = cc.usesAny("page") || usesName(out.headers, "page")
	cc.usesAuth = cc.usesAny("auth") || usesName(out.headers, "auth")
	return cc
}

func usesName(l []namedTemplate, name string) bool {
	for _, nt := range l {
		if nt.t.Uses(name) {
			return true
		}
	}
	return false
}

// usesAny reports whether any template of the call reads the binding.
func (cc *compiledCall) usesAny(name string) bool {
	for _, t := range []*template.Template{cc.path, cc.url} {
		if t != nil && t.Uses(name) {
			return true
		}
	}
	for _, l := range [][]namedTemplate{cc.query, cc.headers, cc.form} {
		for _, nt := range l {
			if nt.t.Uses(name) {
				return true
			}
		}
	}
	return cc.body != nil && cc.body.Uses(name)
}

func (c *compiler) record(where string, id binding.Field, name *binding.Field, attrs map[string]binding.Field, detail *Call, detailRecord string, out *compiled) compiledRecord {
	r := compiledRecord{}
	if id.Path == "" {
		c.fail(where+".id", "missing: the path of the record's ID")
	}
	// IDs and names are text: a numeric ID keeps every digit.
	if id.Type == binding.Auto {
		id.Type = binding.String
	}
	r.id = c.field(where+".id", id)
	if name != nil {
		nf := *name
		if nf.Type == binding.Auto {
			nf.Type = binding.String
		}
		n := c.field(where+".name", nf)
		r.name = &n
	}
	m, err := binding.Compile(attrs)
	if err != nil {
		c.fail(where+".attributes", "%v", err)
	}
	r.attrs = m
	if detail != nil {
		r.detail = c.call(where+".detail", detail, out, "detail")
		if detailRecord != "" {
			r.detailRecord = c.path(where+".detailRecord", detailRecord)
		}
	} else if detailRecord != "" {
		c.fail(where+".detailRecord", "needs a detail call")
	}
	return r
}

func (c *compiler) sources(where string, ls []*ListCall, out *compiled) []*compiledCall {
	var cs []*compiledCall
	for i, l := range ls {
		cs = append(cs, c.listCall(fmt.Sprintf("%s[%d]", where, i), l, out))
	}
	return cs
}

func (c *compiler) imports(out *compiled) {
	im := c.spec.Import
	if a := im.Accounts; a != nil {
		p := "import.accounts"
		if len(a.Sources) == 0 {
			c.fail(p+".sources", "missing: at least one list call")
		}
		ca := &compiledAccounts{
			compiledRecord: c.record(p, a.ID, a.Name, a.Attributes, a.Detail, a.DetailRecord, out),
			sources:        c.sources(p+".sources", a.Sources, out),
			incremental:    c.sources(p+".incremental", a.Incremental, out),
			unique:         a.Unique || len(a.Sources) > 1,
		}
		if a.Active != nil {
			act := a.Active
			k := Condition{Path: act.Path, Equals: act.Equals, In: act.In, Matches: act.Matches, Not: act.Not}
			if act.Path == "" {
				c.fail(p+".active.path", "missing")
			}
			ca.active = &compiledActive{cond: *c.cond(p+".active", &k), def: act.Default == nil || *act.Default}
		}
		for _, typ := range sortedKeys(a.Entitlements) {
			ca.ents = append(ca.ents, entPath{typ: typ, path: c.path(join(p+".entitlements", typ), a.Entitlements[typ])})
		}
		out.accounts = ca
	}
	for _, typ := range sortedKeys(im.Entitlements) {
		e := im.Entitlements[typ]
		p := join("import.entitlements", typ)
		if e == nil {
			c.fail(p, "missing value")
		}
		ce := &compiledEnts{typ: typ, fromAccounts: e.FromAccounts}
		switch {
		case e.FromAccounts && len(e.Sources) > 0:
			c.fail(p, "give sources or fromAccounts, not both")
		case e.FromAccounts:
			if out.accounts == nil || !hasEnt(out.accounts, typ) {
				c.fail(p+".fromAccounts", "needs import.accounts.entitlements.%s", typ)
			}
			if e.Detail != nil || len(e.Attributes) > 0 || e.Members != "" {
				c.fail(p, "entitlements derived from accounts take no detail, attributes or members")
			}
		default:
			if len(e.Sources) == 0 {
				c.fail(p+".sources", "missing: at least one list call, or fromAccounts")
			}
			ce.compiledRecord = c.record(p, e.ID, e.Name, e.Attributes, e.Detail, e.DetailRecord, out)
			ce.sources = c.sources(p+".sources", e.Sources, out)
			if e.Members != "" {
				ce.members = c.path(p+".members", e.Members)
			}
		}
		out.ents[typ] = ce
		out.entTypes = append(out.entTypes, typ)
	}
}

func hasEnt(a *compiledAccounts, typ string) bool {
	for _, e := range a.ents {
		if e.typ == typ {
			return true
		}
	}
	return false
}

func (c *compiler) op(where string, op Operation, os *OpSpec, out *compiled, top bool) *compiledOp {
	co := &compiledOp{types: map[string]*compiledOp{}}
	if len(os.Types) > 0 {
		if !top || (op != AddAccess && op != RemoveAccess) {
			c.fail(where+".types", "only addAccess and removeAccess are chosen per entitlement type")
		}
		for _, typ := range sortedKeys(os.Types) {
			t := os.Types[typ]
			if t == nil {
				c.fail(join(where+".types", typ), "missing value")
			}
			co.types[typ] = c.op(join(where+".types", typ), op, t, out, false)
		}
	}
	switch {
	case os.Ticket != nil && len(os.Calls) > 0:
		c.fail(where, "give calls or ticket, not both")
	case os.Ticket != nil:
		co.ticket = &compiledTicketRequest{
			title:       c.optTmpl(where+".ticket.title", os.Ticket.Title),
			description: c.optTmpl(where+".ticket.description", os.Ticket.Description),
		}
		if os.AccountID != "" || len(os.Attributes) > 0 {
			c.fail(where, "a ticket operation maps no accountID or attributes")
		}
	case len(os.Calls) > 0:
		co.calls = c.chain(where+".calls", os.Calls, out)
	case len(os.Types) == 0:
		c.fail(where, "give calls, ticket or types")
	}
	co.accountID = c.optTmpl(where+".accountID", os.AccountID)
	co.attributes = c.templates(where+".attributes", os.Attributes, template.Plain)
	return co
}

func (c *compiler) ticketStatus(where string, t *TicketStatus, out *compiled) *compiledTicketStatus {
	ts := &compiledTicketStatus{calls: c.chain(where+".calls", t.Calls, out)}
	if t.Status == "" {
		c.fail(where+".status", "missing: a template for the target's status text")
	}
	ts.status = c.tmpl(where+".status", t.Status, template.Plain)
	ts.key = c.optTmpl(where+".key", t.Key)
	ts.number = c.optTmpl(where+".number", t.Number)
	if len(t.States) == 0 {
		c.fail(where+".states", "missing: rules that map statuses to open, pending, completed or rejected")
	}
	for i, r := range t.States {
		p := fmt.Sprintf("%s.states[%d]", where, i)
		if !r.State.valid() {
			c.fail(p+".state", "want open, pending, completed or rejected, not %q", r.State)
		}
		cs := compiledState{state: r.State}
		n := 0
		if r.Equals != "" {
			cs.equals = append(cs.equals, r.Equals)
			n++
		}
		if len(r.In) > 0 {
			cs.equals = append(cs.equals, r.In...)
			n++
		}
		if r.Matches != "" {
			re, err := regexp.Compile(r.Matches)
			if err != nil {
				c.fail(p+".matches", "bad regular expression: %v", err)
			}
			cs.re = re
			n++
		}
		if n != 1 {
			c.fail(p, "give exactly one of equals, in or matches")
		}
		ts.states = append(ts.states, cs)
	}
	if t.Default != "" && !t.Default.valid() {
		c.fail(where+".default", "want open, pending, completed or rejected, not %q", t.Default)
	}
	ts.def = t.Default
	return ts
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
