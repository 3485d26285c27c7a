package connector

import (
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/template"
)

// connection compiles the connection's templates and checks its settings.
func (c *compiler) connection(out *compiled) {
	conn := &c.spec.Connection
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
		c.headerName("connection.retry.resetHeader", r.ResetHeader)
		c.headerName("connection.retry.remainingHeader", r.RemainingHeader)
		if !httpx.ValidResetFormat(r.ResetFormat) {
			c.fail("connection.retry.resetFormat", "want unix, seconds, httpDate or auto, not %q", r.ResetFormat)
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
	c.limits(conn)
	out.errors = c.errorRules("connection.errors", conn.Errors)
	out.failure = c.conds("connection.failure", conn.Failure)
}

// headerToken is an HTTP header name (RFC 9110 token).
var headerToken = regexp.MustCompile("^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")

// headerName checks an optional header name.
func (c *compiler) headerName(where, name string) {
	if name != "" && !headerToken.MatchString(name) {
		c.fail(where, "%q is not a header name", name)
	}
}

// auths compiles the auth blocks, picks the default and then compiles the
// login calls, which may use another block.
func (c *compiler) auths(out *compiled) {
	conn := &c.spec.Connection
	names := slices.Sorted(maps.Keys(conn.Auth))
	for _, name := range names {
		c.identifier("connection.auth."+name, name)
		if name == "none" {
			c.fail("connection.auth.none", `"none" is reserved: it means no auth where a call names its auth block`)
		}
	}
	for _, name := range names {
		out.auths[name] = c.auth("connection.auth."+name, name, conn.Auth[name])
	}
	switch {
	case conn.DefaultAuth != "":
		if _, ok := conn.Auth[conn.DefaultAuth]; !ok && conn.DefaultAuth != "none" {
			c.fail("connection.defaultAuth", "no auth block named %q (have %s)", conn.DefaultAuth, list(names))
		}
		out.defaultAuth = conn.DefaultAuth
	case len(names) == 1:
		out.defaultAuth = names[0]
	case len(names) > 1:
		c.fail("connection.defaultAuth", "missing: several auth blocks exist (%s), name the default", list(names))
	}
	if out.defaultAuth == "none" {
		out.defaultAuth = ""
	}
	// Login calls are compiled after the default is known.
	for _, name := range names {
		a, login := out.auths[name], conn.Auth[name].Login
		if a.kind != "session" {
			continue
		}
		where := "connection.auth." + name + ".login"
		a.login = c.call(where, login, out, "login")
		if login.Auth == "" {
			a.login.auth = "" // a login call authenticates itself (with its body or its own auth)
		}
		if a.login.auth == name {
			c.fail(where+".auth", "a login call cannot use its own auth block")
		}
		if a.login.auth != "" && out.auths[a.login.auth].kind == "session" {
			c.fail(where+".auth", "a login call cannot use another session auth block")
		}
	}
}

// authFields lists, for each auth type, the fields it takes. Fields that
// belong to other types are mistakes worth naming.
var authFields = map[string][]string{
	"none":    {},
	"basic":   {"username", "password"},
	"bearer":  {"token", "inject", "expiry"},
	"apiKey":  {"in", "name", "value"},
	"oauth2":  {"tokenURL", "clientID", "clientSecret", "scopes", "authStyle", "endpointParams", "earlyExpiry", "inject", "expiry"},
	"session": {"login", "token", "ttl", "inject", "expiry", "earlyExpiry"},
}

// auth compiles one auth block; the compiled block copies what it needs
// from a and keeps no pointer into the spec.
func (c *compiler) auth(where, name string, a *Auth) *compiledAuth {
	if a == nil {
		c.fail(where, "missing value")
	}
	c.authType(where, a)
	ca := &compiledAuth{name: name, kind: a.Type, static: map[string]*template.Template{},
		earlyExpiry: time.Duration(a.EarlyExpiry), ttl: time.Duration(a.TTL)}
	if a.Inject != nil {
		in := *a.Inject
		ca.inject = &in
	}
	need := func(field, v string) {
		if v == "" {
			c.fail(where+"."+field, "missing: %s auth needs it", a.Type)
		}
		ca.static[field] = c.tmpl(where+"."+field, v, template.Plain)
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
		ca.inject = &TokenPlacement{In: a.In, Name: a.Name}
	case "oauth2":
		need("tokenURL", a.TokenURL)
		need("clientID", a.ClientID)
		need("clientSecret", a.ClientSecret)
		ca.scopes = slices.Clone(a.Scopes)
		ca.endpointParams = slices.Sorted(maps.Keys(a.EndpointParams))
		for _, k := range ca.endpointParams {
			ca.static["endpointParams."+k] = c.tmpl(join(where+".endpointParams", k), a.EndpointParams[k], template.Plain)
		}
		switch a.AuthStyle {
		case "", "auto", "header", "params":
		default:
			c.fail(where+".authStyle", "want header, params or auto, not %q", a.AuthStyle)
		}
		ca.authStyle = a.AuthStyle
	case "session":
		if a.Login == nil {
			c.fail(where+".login", "missing: the call that logs in")
		}
		if a.Token == "" {
			c.fail(where+".token", "missing: a template that reads the token from the login response, e.g. {{ .responses.login.body.SessionID }}")
		}
		ca.token = c.tmpl(where+".token", a.Token, template.Plain)
	}
	c.placement(where, a, ca)
	ca.expiry = c.rules(where+".expiry", a.Expiry)
	if len(a.Expiry) == 0 && (a.Type == "oauth2" || a.Type == "session" || a.Type == "bearer") {
		ca.expiry = []*compiledRule{{status: []int{401}}}
	}
	return ca
}

// authType checks the type of an auth block and that it sets only the
// fields of that type.
func (c *compiler) authType(where string, a *Auth) {
	allowed, ok := authFields[a.Type]
	if !ok {
		c.fail(where+".type", "unknown auth type %q (want one of %s)", a.Type, list(slices.Sorted(maps.Keys(authFields))))
	}
	set := map[string]bool{
		"username": a.Username != "", "password": a.Password != "", "token": a.Token != "", "in": a.In != "",
		"name": a.Name != "", "value": a.Value != "", "tokenURL": a.TokenURL != "", "clientID": a.ClientID != "",
		"clientSecret": a.ClientSecret != "", "scopes": len(a.Scopes) > 0, "authStyle": a.AuthStyle != "",
		"endpointParams": len(a.EndpointParams) > 0, "earlyExpiry": a.EarlyExpiry != 0, "login": a.Login != nil,
		"ttl": a.TTL != 0, "inject": a.Inject != nil, "expiry": len(a.Expiry) > 0,
	}
	for _, f := range slices.Sorted(maps.Keys(set)) {
		if set[f] && !slices.Contains(allowed, f) {
			c.fail(where+"."+f, "not used by %s auth", a.Type)
		}
	}
}

// placement checks where the block's token goes; bearer and oauth2 tokens
// go to the Authorization header unless the block says otherwise.
func (c *compiler) placement(where string, a *Auth, ca *compiledAuth) {
	if ca.inject == nil && (a.Type == "bearer" || a.Type == "oauth2") {
		ca.inject = &TokenPlacement{In: "header", Name: "Authorization", Prefix: "Bearer "}
	}
	in := ca.inject
	if in == nil {
		return
	}
	if in.In != "header" && in.In != "query" && in.In != "body" {
		c.fail(where+".inject.in", "want header, query or body, not %q", in.In)
	}
	if in.Name == "" {
		c.fail(where+".inject.name", "missing")
	}
	if in.In == "body" {
		ca.body = c.path(where+".inject.name", in.Name)
	}
}
