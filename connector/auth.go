package connector

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// credential holds what one auth block adds to requests. Static kinds
// (basic, bearer, apiKey) are rendered once in New; oauth2 and session
// tokens come from a cache that refreshes them.
type credential struct {
	a      *compiledAuth
	static string // rendered header or parameter value
	cache  *tokenCache
}

func (e *Engine) newCredential(ctx context.Context, a *compiledAuth, data map[string]any) (*credential, error) {
	v, err := e.renderAuth(ctx, a, data)
	if err != nil {
		return nil, err
	}
	cr := &credential{a: a}
	switch a.kind {
	case "basic":
		u, p := v["username"], v["password"]
		cr.static = "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
		e.red.Add(p)
		e.red.AddPair(u, p)
	case "bearer", "apiKey":
		cr.static = v["token"] + v["value"] // one of them is set
		e.red.Add(cr.static)
	case "oauth2":
		cfg := &clientcredentials.Config{TokenURL: v["tokenURL"], ClientID: v["clientID"], ClientSecret: v["clientSecret"],
			Scopes: a.scopes, EndpointParams: map[string][]string{}}
		e.red.Add(cfg.ClientSecret)
		e.red.AddPair(cfg.ClientID, cfg.ClientSecret)
		for _, k := range a.endpointParams {
			cfg.EndpointParams[k] = []string{v["endpointParams."+k]}
		}
		switch a.authStyle {
		case "header":
			cfg.AuthStyle = oauth2.AuthStyleInHeader
		case "params":
			cfg.AuthStyle = oauth2.AuthStyleInParams
		}
		cr.cache = e.newTokenCache(a, func(ctx context.Context) (string, time.Time, error) {
			return e.fetchOAuth2(ctx, a.name, cfg)
		})
	case "session":
		cr.cache = e.newTokenCache(a, func(ctx context.Context) (string, time.Time, error) {
			return e.login(ctx, a)
		})
	}
	return cr, nil
}

// staticFields is the order in which renderAuth renders a block's
// templates, so a block missing two secrets always names the same one.
var staticFields = []string{"username", "password", "token", "value", "tokenURL", "clientID", "clientSecret"}

// renderAuth renders the templates of an auth block that do not change
// while the engine lives.
func (e *Engine) renderAuth(ctx context.Context, a *compiledAuth, data map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(a.static))
	fields := staticFields
	for _, k := range a.endpointParams {
		fields = append(slices.Clip(fields), "endpointParams."+k)
	}
	for _, f := range fields {
		t := a.static[f]
		if t == nil {
			continue
		}
		v, err := t.RenderContext(ctx, data)
		if err != nil {
			return nil, e.specRenderError(err)
		}
		out[f] = v
	}
	return out, nil
}

// token returns the current token (empty for static kinds) and its
// generation, for invalidate.
func (cr *credential) token(ctx context.Context) (string, uint64, error) {
	if cr == nil || cr.cache == nil {
		return "", 0, nil
	}
	return cr.cache.get(ctx)
}

// refreshable reports whether an expiry can be cured by fetching a new
// token.
func (cr *credential) refreshable() bool { return cr != nil && cr.cache != nil }

// apply adds the credential to a request being built.
func (cr *credential) apply(token string, h http.Header, q map[string][]string, body map[string]any) error {
	if cr == nil {
		return nil
	}
	a := cr.a
	value := cr.static
	if cr.cache != nil {
		value = token
	}
	if a.kind == "basic" {
		h.Set("Authorization", value)
		return nil
	}
	in := a.inject
	if in == nil {
		return nil // session whose token the call templates place themselves (.auth.token)
	}
	value = in.Prefix + value
	switch in.In {
	case "header":
		h.Set(in.Name, value)
	case "query":
		q[in.Name] = []string{value}
	case "body":
		if body == nil {
			return errors.New("auth " + a.name + " injects into the body, but the call has no JSON object body")
		}
		return a.body.Set(body, value)
	}
	return nil
}

// login runs a session auth block's login call and reads the token.
func (e *Engine) login(ctx context.Context, a *compiledAuth) (string, time.Time, error) {
	op := opFrom(ctx)
	v := e.baseVars()
	v.Responses = map[string]any{}
	data := v.Map()
	var traces []func()
	defer func() {
		for _, t := range traces {
			t() // after the token is known to the redactor
		}
	}()
	resp, err := e.do(ctx, op, a.login, data, e.red, &listPage{traces: &traces})
	if err != nil {
		// A refused login is an authentication failure; a server error or
		// a rate limit is not.
		var ce *Error
		if errors.As(err, &ce) && ce.Err == nil && resp != nil && resp.status < 500 && resp.status != 429 {
			ce.Err = ErrAuth
		}
		return "", time.Time{}, err
	}
	data["responses"].(map[string]any)[a.login.name] = resp.binding()
	tok, err := a.token.RenderContext(ctx, data)
	if err != nil {
		return "", time.Time{}, e.templateError(op, a.login.name, err)
	}
	if tok == "" {
		return "", time.Time{}, e.mask(&Error{Op: op, Call: a.login.name, StatusCode: resp.status, Message: "login response carries no token (connection.auth." + a.name + ".token rendered empty)", Err: ErrAuth})
	}
	e.red.Add(tok)
	var exp time.Time
	if ttl := a.ttl; ttl > 0 {
		exp = e.now().Add(ttl)
	}
	return tok, exp, nil
}
