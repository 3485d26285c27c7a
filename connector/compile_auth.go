package connector

import (
	"sort"

	"github.com/restconn/restconn/template"
)

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
