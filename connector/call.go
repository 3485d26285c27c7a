package connector

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/redact"
)

// do runs one call: render, authenticate, send with retries and rate-limit
// waits, re-authenticate on expiry, then check the response against the
// call's rules. It returns the response even when the call failed on a
// response, so chains can test restart rules against it.
func (e *Engine) do(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, red *redact.Redactor, lp *listPage) (*response, error) {
	cred := e.creds[cc.auth]
	var pg *paging.State
	if lp != nil {
		pg = lp.st
	}
	var (
		tries, waits, reauths int
		retries               int // retries granted by the policy: the budget of maxAttempts
		b                     *built
		gen                   uint64
		tok                   string
	)
	for {
		if b == nil {
			var err error
			if tok, gen, err = cred.token(withOp(ctx, op)); err != nil {
				return nil, e.asError(op, cc.name, err)
			}
			data["auth"] = map[string]any{"token": tok}
			var r *rendered
			if lp != nil && lp.cache != nil {
				r = lp.cache
			} else {
				if r, err = e.render(cc, data); err != nil {
					return nil, e.asError(op, cc.name, err)
				}
				if lp != nil && !cc.perPage && !cc.usesAuth {
					lp.cache = r
				}
			}
			red.Add(r.sensitive...)
			if b, err = e.build(cc, r, cred, tok, pg); err != nil {
				return nil, e.asError(op, cc.name, err)
			}
		}
		if e.limiter != nil {
			if err := e.limiter.Wait(ctx); err != nil {
				return nil, e.ctxError(ctx, op, cc.name, err)
			}
		}
		tries++
		timeout := pick(cc.timeout, e.timeout)
		actx, cancel := context.WithTimeout(ctx, timeout)
		hr, err := e.http.Do(actx, &httpx.Request{Method: b.method, URL: b.url, Header: b.header, Body: b.body})
		cancel()
		if lp != nil && lp.traces != nil {
			// A login response holds a token the redactor does not know
			// yet: the caller emits these traces once it does.
			n, b, hr, err := tries, b, hr, err
			*lp.traces = append(*lp.traces, func() { e.traceAttempt(ctx, op, cc.name, n, b, hr, err, red) })
		} else {
			e.traceAttempt(ctx, op, cc.name, tries, b, hr, err, red)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, e.ctxError(ctx, op, cc.name, ctx.Err())
			}
			masked := red.Error(sanitize(err, red))
			if actx.Err() == context.DeadlineExceeded {
				masked = fmt.Errorf("no response within %v: %w", timeout, masked)
			}
			e.logHTTP(ctx, cc.name, tries, b.method, red.URL(b.url), 0, 0, masked)
			a := Attempt{Call: cc.name, Method: b.method, Idempotent: cc.idempotent, Number: retries + 1, Err: masked}
			if retries+1 < e.maxAttempts && e.retry(ctx, a) {
				retries++
				if err := e.pause(ctx, op, cc.name, e.backoff(e.minBackoff, e.maxBackoff, retries), "retrying after transport error", masked); err != nil {
					return nil, err
				}
				continue
			}
			return nil, &Error{Op: op, Call: cc.name, Message: "request failed", Err: masked}
		}
		e.logHTTP(ctx, cc.name, tries, b.method, red.URL(b.url), hr.StatusCode, hr.Duration, nil)
		resp := decodeResponse(hr, b.parsed)

		// An expired token: fetch a new one and send the same request
		// again. Safe for every method: the server refused to act.
		if cred != nil && e.matchAny(cred.a.expiry, resp, data) {
			if !cred.refreshable() || reauths >= 1 {
				return resp, e.responseError(op, cc, resp, red, ErrAuth)
			}
			reauths++
			e.log.LogAttrs(ctx, slog.LevelInfo, "token expired; re-authenticating", slog.String("call", cc.name), slog.String("auth", cred.a.name))
			cred.cache.invalidate(gen)
			b = nil
			continue
		}
		// Rate limited: wait as the server asks. 429 means the request was
		// refused, so any method may be sent again; waits are bounded
		// separately from the retry budget.
		if resp.status == http.StatusTooManyRequests {
			wait, ok := httpx.RetryAfter(resp.header, e.now())
			if !ok {
				wait = e.backoff(e.minBackoff, e.maxBackoff, waits+1)
			}
			if wait > e.maxWait || waits >= e.maxWaits {
				err := e.responseError(op, cc, resp, red, ErrRateLimited)
				err.Message = strings.TrimPrefix(err.Message+fmt.Sprintf("; server asks to wait %v (limit %v, %d waits so far)", wait.Round(time.Second), e.maxWait, waits), "; ")
				return resp, err
			}
			waits++
			if err := e.pause(ctx, op, cc.name, wait, "rate limited; waiting", nil); err != nil {
				return nil, err
			}
			continue
		}
		ok := e.succeeded(cc, resp, data)
		a := Attempt{Call: cc.name, Method: b.method, Idempotent: cc.idempotent, Number: retries + 1, StatusCode: resp.status, Header: resp.header}
		if !ok && retries+1 < e.maxAttempts && e.retry(ctx, a) {
			retries++
			wait := e.backoff(e.minBackoff, e.maxBackoff, retries)
			if ra, ok := httpx.RetryAfter(resp.header, e.now()); ok && ra > wait {
				wait = min(ra, e.maxWait)
			}
			if err := e.pause(ctx, op, cc.name, wait, "retrying after HTTP "+strconv.Itoa(resp.status), nil); err != nil {
				return nil, err
			}
			continue
		}
		if !ok {
			return resp, e.responseError(op, cc, resp, red, nil)
		}
		if resp.badJSON != nil {
			return resp, &Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: "response is not valid JSON: " + resp.badJSON.Error() + ": " + snippet(resp.raw, red)}
		}
		return resp, nil
	}
}

// listPage carries an import's paging state into do, and the call's
// rendered form, which is reused from page to page when no template reads
// .page or .auth: only the paging parameters change between pages.
type listPage struct {
	st     *paging.State
	cache  *rendered
	traces *[]func() // when set, traces are deferred (see login)
}
