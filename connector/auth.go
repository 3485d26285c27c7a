package connector

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
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

func (e *Engine) newCredential(a *compiledAuth, data map[string]any) (*credential, error) {
	cr := &credential{a: a}
	render := func(field string) (string, error) {
		t := a.static[field]
		if t == nil {
			return "", nil
		}
		v, err := t.Render(data)
		if err != nil {
			return "", e.specRenderError(err)
		}
		return v, nil
	}
	switch a.kind {
	case "basic":
		u, err := render("username")
		if err != nil {
			return nil, err
		}
		p, err := render("password")
		if err != nil {
			return nil, err
		}
		cr.static = "Basic " + base64.StdEncoding.EncodeToString([]byte(u+":"+p))
		e.red.Add(p)
		e.red.AddPair(u, p)
	case "bearer":
		t, err := render("token")
		if err != nil {
			return nil, err
		}
		cr.static = t
		e.red.Add(t)
	case "apiKey":
		v, err := render("value")
		if err != nil {
			return nil, err
		}
		cr.static = v
		e.red.Add(v)
	case "oauth2":
		cfg := &clientcredentials.Config{TokenURL: "", Scopes: a.spec.Scopes, EndpointParams: map[string][]string{}}
		var err error
		if cfg.TokenURL, err = render("tokenURL"); err != nil {
			return nil, err
		}
		if cfg.ClientID, err = render("clientID"); err != nil {
			return nil, err
		}
		if cfg.ClientSecret, err = render("clientSecret"); err != nil {
			return nil, err
		}
		e.red.Add(cfg.ClientSecret)
		e.red.AddPair(cfg.ClientID, cfg.ClientSecret)
		for k := range a.spec.EndpointParams {
			v, err := render("endpointParams." + k)
			if err != nil {
				return nil, err
			}
			cfg.EndpointParams[k] = []string{v}
		}
		switch a.spec.AuthStyle {
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
		return setPath(body, in.Name, value)
	}
	return nil
}

// login runs a session auth block's login call and reads the token.
func (e *Engine) login(ctx context.Context, a *compiledAuth) (string, time.Time, error) {
	op := opFrom(ctx)
	vars := e.baseVars()
	vars.Responses = map[string]any{}
	data := vars.Map()
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
	tok, err := a.token.Render(data)
	if err != nil {
		return "", time.Time{}, e.templateError(op, a.login.name, err)
	}
	if tok == "" {
		return "", time.Time{}, e.mask(&Error{Op: op, Call: a.login.name, StatusCode: resp.status, Message: "login response carries no token (connection.auth." + a.name + ".token rendered empty)", Err: ErrAuth})
	}
	e.red.Add(tok)
	var exp time.Time
	if ttl := time.Duration(a.spec.TTL); ttl > 0 {
		exp = e.now().Add(ttl)
	}
	return tok, exp, nil
}
