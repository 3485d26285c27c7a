package connector

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/restconn/restconn/internal/httpx"
)

// credential holds what one auth block adds to requests. Static kinds
// (basic, bearer, apiKey) are rendered once in New; oauth2 and session
// tokens come from a cache that refreshes them.
type credential struct {
	a      *compiledAuth
	static string // rendered header or parameter value
	cache  *tokenCache
}

// DefaultEarlyExpiry is how long before its expiry a token is replaced.
const DefaultEarlyExpiry = 30 * time.Second

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

func (e *Engine) newTokenCache(a *compiledAuth, fetch func(context.Context) (string, time.Time, error)) *tokenCache {
	early := time.Duration(a.spec.EarlyExpiry)
	if early == 0 {
		early = DefaultEarlyExpiry
	}
	return &tokenCache{fetch: fetch, early: early, now: func() time.Time { return e.now() }, sem: make(chan struct{}, 1)}
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

// tokenCache keeps one token and refreshes it once for all concurrent
// callers: the first caller fetches while the others wait on sem.
type tokenCache struct {
	fetch func(context.Context) (string, time.Time, error)
	early time.Duration
	now   func() time.Time
	sem   chan struct{}

	tok    string
	exp    time.Time     // zero: no known expiry
	margin time.Duration // replace the token this long before exp
	gen    uint64
}

func (c *tokenCache) get(ctx context.Context) (string, uint64, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return "", 0, ctx.Err()
	}
	defer func() { <-c.sem }()
	if c.tok != "" && (c.exp.IsZero() || c.now().Before(c.exp.Add(-c.margin))) {
		return c.tok, c.gen, nil
	}
	tok, exp, err := c.fetch(ctx)
	if err != nil {
		return "", 0, err
	}
	c.tok, c.exp = tok, exp
	// A token that lives less than twice the margin is still used for
	// half its life rather than fetched anew for every call.
	c.margin = c.early
	if life := exp.Sub(c.now()); !exp.IsZero() && life < 2*c.early {
		c.margin = life / 2
	}
	c.gen++
	return c.tok, c.gen, nil
}

// invalidate drops the token of generation gen. A caller holding an older
// generation does nothing: another caller has already refreshed it.
func (c *tokenCache) invalidate(gen uint64) {
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	if gen == c.gen {
		c.tok = ""
	}
}

func (e *Engine) fetchOAuth2(ctx context.Context, name string, cfg *clientcredentials.Config) (string, time.Time, error) {
	op := opFrom(ctx)
	call := "auth:" + name
	ctx = context.WithValue(ctx, oauth2.HTTPClient, e.http.HTTPClient())
	retries, waits := 0, 0
	for attempt := 1; ; attempt++ {
		if e.limiter != nil { // token requests count against the client-side rate too
			if err := e.limiter.Wait(ctx); err != nil {
				return "", time.Time{}, e.ctxError(ctx, op, call, err)
			}
		}
		actx, cancel := context.WithTimeout(ctx, e.timeout)
		start := time.Now()
		tok, err := cfg.Token(actx)
		cancel()
		e.logHTTP(ctx, call, attempt, http.MethodPost, e.red.URL(cfg.TokenURL), 0, time.Since(start), err)
		if err == nil {
			e.red.Add(tok.AccessToken)
			return tok.AccessToken, tok.Expiry, nil
		}
		if ctx.Err() != nil {
			return "", time.Time{}, e.ctxError(ctx, op, call, ctx.Err())
		}
		out := &Error{Op: op, Call: call, Message: "token request failed", Err: ErrAuth}
		var re *oauth2.RetrieveError
		var ue *url.Error
		if !errors.As(err, &re) {
			out.Message = "token request failed: " + e.red.String(err.Error())
			if !errors.As(err, &ue) {
				// An answer without a usable token (no access_token, not
				// JSON): the endpoint refused, asking again will not help.
				return "", time.Time{}, e.mask(out)
			}
			// No answer from the token endpoint: asking again is safe, a
			// token request changes nothing on the server.
			out.Err = nil
			if retries+1 < e.maxAttempts {
				retries++
				if err := e.pause(ctx, op, call, e.backoff(e.minBackoff, e.maxBackoff, retries), "retrying token request", e.red.Error(err)); err != nil {
					return "", time.Time{}, err
				}
				continue
			}
			return "", time.Time{}, e.mask(out)
		}
		var header http.Header
		if re.Response != nil {
			out.StatusCode, header = re.Response.StatusCode, re.Response.Header
		}
		out.Code = re.ErrorCode
		out.Message = strings.TrimSpace("token request failed: " + re.ErrorDescription)
		switch status := out.StatusCode; {
		case status == http.StatusTooManyRequests:
			out.Err = ErrRateLimited
			wait, ok := httpx.RetryAfter(header, e.now())
			if !ok {
				wait = e.backoff(e.minBackoff, e.maxBackoff, waits+1)
			}
			if wait <= e.maxWait && waits < e.maxWaits {
				waits++
				if err := e.pause(ctx, op, call, wait, "rate limited; waiting", nil); err != nil {
					return "", time.Time{}, err
				}
				continue
			}
		case status >= 500:
			out.Err = nil
			if retries+1 < e.maxAttempts && (status == 502 || status == 503 || status == 504) {
				retries++
				if err := e.pause(ctx, op, call, e.backoff(e.minBackoff, e.maxBackoff, retries), "retrying token request after HTTP "+strconv.Itoa(status), nil); err != nil {
					return "", time.Time{}, err
				}
				continue
			}
		}
		return "", time.Time{}, e.mask(out)
	}
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
