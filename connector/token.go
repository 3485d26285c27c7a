package connector

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// DefaultEarlyExpiry is how long before its expiry a token is replaced.
const DefaultEarlyExpiry = 30 * time.Second

func (e *Engine) newTokenCache(a *compiledAuth, fetch func(context.Context) (string, time.Time, error)) *tokenCache {
	early := a.earlyExpiry
	if early == 0 {
		early = DefaultEarlyExpiry
	}
	return &tokenCache{fetch: fetch, early: early, now: func() time.Time { return e.now() }, sem: make(chan struct{}, 1)}
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
	var spent tokenBudget
	for attempt := 1; ; attempt++ {
		if e.limiter != nil { // token requests count against the client-side rate too
			if err := e.limiter.Wait(ctx); err != nil {
				return "", time.Time{}, ctxError(ctx, op, call, err)
			}
		}
		actx, cancel := context.WithTimeout(ctx, e.timeout)
		start := time.Now()
		tok, err := cfg.Token(actx)
		cancel()
		e.logHTTP(ctx, call, attempt, http.MethodPost, cfg.TokenURL, e.red, 0, time.Since(start), err)
		if err == nil {
			e.red.Add(tok.AccessToken)
			return tok.AccessToken, tok.Expiry, nil
		}
		if ctx.Err() != nil {
			return "", time.Time{}, ctxError(ctx, op, call, ctx.Err())
		}
		again, out := e.tokenFailure(&Error{Op: op, Call: call}, err, &spent)
		if out != nil {
			return "", time.Time{}, e.mask(out)
		}
		if err := e.pause(ctx, op, call, again.wait, again.why, again.cause); err != nil {
			return "", time.Time{}, err
		}
	}
}

// tokenBudget counts what a token fetch has spent of the retry budget and
// of the 429 waits.
type tokenBudget struct{ retries, waits int }

// tokenRetry is a wait before asking for a token again, with why, for the
// log.
type tokenRetry struct {
	wait  time.Duration
	why   string
	cause error
}

// tokenFailure decides what a failed token request leads to: a wait before
// asking again, or the error out that ends the fetch. out arrives with the
// operation and the call set.
func (e *Engine) tokenFailure(out *Error, err error, spent *tokenBudget) (*tokenRetry, *Error) {
	out.Message, out.Err = "token request failed", ErrAuth
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		masked := e.red.Error(err) // every error of the chain
		out.Message = "token request failed: " + masked.Error()
		var ue *url.Error
		if !errors.As(err, &ue) {
			// An answer without a usable token (no access_token, not
			// JSON): the endpoint refused, asking again will not help.
			return nil, out
		}
		// No answer from the token endpoint: asking again is safe, a
		// token request changes nothing on the server. The transport's
		// error stays in the chain, masked, for errors.Is and errors.As.
		out.Message, out.Err = "token request failed", masked
		if spent.retries+1 < e.retry.maxAttempts {
			spent.retries++
			return &tokenRetry{e.retry.delay(spent.retries), "retrying token request", masked}, nil
		}
		return nil, out
	}
	var header http.Header
	if re.Response != nil {
		out.StatusCode, header = re.Response.StatusCode, re.Response.Header
	}
	out.Code = re.ErrorCode
	out.Message = strings.TrimSpace("token request failed: " + re.ErrorDescription)
	if re.ErrorCode == "" && re.ErrorDescription == "" {
		// Not an OAuth error response (a proxy's HTML page, a server
		// error): the status (in the error) and the start of the body
		// are all there is to tell why.
		out.Message = "token request failed: " + snippetOf(re.Body, e.red, e.fields)
		if strings.TrimSpace(string(re.Body)) == "" {
			out.Message = "token request failed: empty response body"
		}
	}
	switch status := out.StatusCode; {
	case status == http.StatusTooManyRequests:
		out.Err = ErrRateLimited
		if wait, ok := e.retry.rateWait(header, e.now(), spent.waits); ok {
			spent.waits++
			return &tokenRetry{wait, "rate limited; waiting", nil}, nil
		}
	case status >= 500:
		out.Err = nil
		if spent.retries+1 < e.retry.maxAttempts && (status == 502 || status == 503 || status == 504) {
			spent.retries++
			return &tokenRetry{e.retry.delay(spent.retries), "retrying token request after HTTP " + strconv.Itoa(status), nil}, nil
		}
	}
	return nil, out
}

type opKey struct{}

// withOp records the operation on whose behalf a token is fetched, so a
// login that fails mid-operation is reported under that operation.
func withOp(ctx context.Context, op Operation) context.Context {
	return context.WithValue(ctx, opKey{}, op)
}

func opFrom(ctx context.Context) Operation {
	if op, ok := ctx.Value(opKey{}).(Operation); ok {
		return op
	}
	return opConnect
}
