package connector

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/jsonx"
	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/redact"
)

// listPage carries an import's paging state into do, and the call's
// rendered form, which is reused from page to page when no template reads
// .page or .auth: only the paging parameters change between pages. The
// requests of one walk share the cache, concurrently.
type listPage struct {
	st        *paging.State
	cache     *atomic.Pointer[rendered]
	traces    *[]func() // when set, traces are deferred (see login)
	throttled func()    // when set, told of every 429 and 503 (the walk narrows its window)
}

// callRun is one call on its way through its attempts.
type callRun struct {
	e    *Engine
	op   Operation
	cc   *compiledCall
	data map[string]any
	red  *redact.Redactor
	lp   *listPage
	cred *credential // nil: the call sends no credential

	b       *built // the request as it is sent; nil: render it (again)
	gen     uint64 // the generation of the token in b
	tries   int    // attempts sent
	retries int    // retries granted by the policy: the budget of maxAttempts
	waits   int    // waits for 429 responses
	reauths int    // new tokens after an expiry
}

// do runs one call: render, authenticate, send with retries and rate-limit
// waits, re-authenticate on expiry, then check the response against the
// call's rules. It returns the response even when the call failed on a
// response, so chains can test restart rules against it.
func (e *Engine) do(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, red *redact.Redactor, lp *listPage) (*response, error) {
	r := &callRun{e: e, op: op, cc: cc, data: data, red: e.scoped(red), lp: lp, cred: e.creds[cc.auth]}
	for {
		if r.b == nil {
			if err := r.prepare(ctx); err != nil {
				return nil, err
			}
		}
		hr, timeout, err := r.send(ctx)
		if err != nil {
			again, err := r.transportFailed(ctx, err, timeout)
			if err != nil {
				return nil, err
			}
			if again {
				continue
			}
		}
		resp, again, err := r.received(ctx, hr)
		if !again {
			return resp, err
		}
	}
}

// prepare fetches the credential's token and renders and builds the
// request.
func (r *callRun) prepare(ctx context.Context) error {
	e, cc := r.e, r.cc
	tok, gen, err := r.cred.token(withOp(ctx, r.op))
	if err != nil {
		return e.asError(r.op, cc.name, err)
	}
	r.gen = gen
	r.data["auth"] = map[string]any{"token": tok}
	var rd *rendered
	if r.lp != nil && r.lp.cache != nil {
		rd = r.lp.cache.Load()
	}
	if rd == nil {
		if rd, err = e.render(ctx, cc, r.data); err != nil {
			return e.asError(r.op, cc.name, err)
		}
		if r.lp != nil && r.lp.cache != nil && !cc.perPage && !cc.usesAuth {
			r.lp.cache.Store(rd)
		}
	}
	r.red.Add(rd.sensitive...)
	var pg *paging.State
	if r.lp != nil {
		pg = r.lp.st
	}
	if r.b, err = cc.build(rd, r.cred, tok, pg); err != nil {
		return e.asError(r.op, cc.name, err)
	}
	e.learnRequest(r.red, r.b)
	return nil
}

// send waits for the client-side rate limit and for the server's (see
// internal/pace) and sends the request once, within the call's timeout,
// which it returns.
func (r *callRun) send(ctx context.Context) (*httpx.Response, time.Duration, error) {
	e, cc, b := r.e, r.cc, r.b
	var limit func(context.Context) error
	if e.limiter != nil {
		limit = e.limiter.Wait
	}
	if err := e.pacer.Wait(ctx, limit); err != nil {
		return nil, 0, ctxError(ctx, r.op, cc.name, err)
	}
	r.tries++
	timeout := cmp.Or(cc.timeout, e.timeout)
	actx, cancel := context.WithTimeout(ctx, timeout)
	hr, err := e.http.Do(actx, &httpx.Request{Method: b.method, URL: b.url, Header: b.header, Body: b.body})
	cancel()
	if hr != nil {
		e.pacer.Done(hr.StatusCode, hr.Header)
	} else {
		e.pacer.Done(0, nil)
	}
	timedOut := actx.Err() == context.DeadlineExceeded
	if r.lp != nil && r.lp.traces != nil {
		// A login response holds a token the redactor does not know
		// yet: the caller emits these traces once it does.
		n := r.tries
		*r.lp.traces = append(*r.lp.traces, func() { e.traceAttempt(ctx, r.op, cc.name, n, b, hr, err, r.red) })
	} else {
		e.traceAttempt(ctx, r.op, cc.name, r.tries, b, hr, err, r.red)
	}
	if !timedOut {
		timeout = 0
	}
	return hr, timeout, err
}

// transportFailed handles an attempt that got no response: it reports
// whether to send the request again, or the error that ends the call.
// timeout is set when the attempt ran out of time.
func (r *callRun) transportFailed(ctx context.Context, err error, timeout time.Duration) (again bool, _ error) {
	e, cc, b := r.e, r.cc, r.b
	if ce, ok := err.(*Error); ok {
		return false, ce // the rate limiter gave up: the context ended
	}
	if ctx.Err() != nil {
		return false, ctxError(ctx, r.op, cc.name, ctx.Err())
	}
	masked := r.red.Error(err) // every error of the chain: a server can echo a secret into the transport's errors
	if timeout != 0 {
		masked = fmt.Errorf("no response within %v: %w", timeout, masked)
	}
	e.logHTTP(ctx, cc.name, r.tries, b.method, b.url, r.red, 0, 0, masked)
	a := Attempt{Call: cc.name, Method: b.method, Idempotent: cc.idempotent, Number: r.retries + 1, Err: masked}
	if !e.retry.canRetry(ctx, r.retries, a) {
		return false, &Error{Op: r.op, Call: cc.name, Message: "request failed", Err: masked}
	}
	r.retries++
	if err := e.pause(ctx, r.op, cc.name, e.retry.delay(r.retries), "retrying after transport error", masked); err != nil {
		return false, err
	}
	return true, nil
}

// received handles a response: an expired token, a rate limit, a failure
// worth retrying, or the call's outcome. again asks for another attempt.
func (r *callRun) received(ctx context.Context, hr *httpx.Response) (_ *response, again bool, _ error) {
	e, cc := r.e, r.cc
	e.logHTTP(ctx, cc.name, r.tries, r.b.method, r.b.url, r.red, hr.StatusCode, hr.Duration, nil)
	resp := decodeResponse(hr, r.b.parsed, e.decodeLimits)
	if le, isLimit := resp.badJSON.(*jsonx.LimitError); isLimit {
		// Nothing in the body can be read, not even the rules that would
		// tell success from failure; and the same request would get the
		// same body.
		return resp, false, tooLarge(r.op, cc, resp, r.lp, le)
	}
	e.learnResponse(r.red, resp)

	// An expired token: fetch a new one and send the same request again.
	// Safe for every method: the server refused to act.
	expired := false
	if r.cred != nil {
		var err error
		if expired, err = matchAny(ctx, r.cred.a.expiry, resp, r.data); err != nil {
			return resp, false, e.renderError(r.red, r.op, cc.name, err)
		}
	}
	if expired {
		if !r.cred.refreshable() || r.reauths >= 1 {
			return resp, false, responseError(r.op, cc, resp, r.red, e.fields, ErrAuth)
		}
		r.reauths++
		e.log.LogAttrs(ctx, slog.LevelInfo, "token expired; re-authenticating", slog.String("call", cc.name), slog.String("auth", r.cred.a.name))
		r.cred.cache.invalidate(r.gen)
		r.b = nil
		return nil, true, nil
	}
	if resp.status == http.StatusTooManyRequests {
		r.throttled()
		return r.rateLimited(ctx, resp)
	}
	ok, err := cc.succeeded(ctx, resp, r.data)
	if err != nil {
		return resp, false, e.renderError(r.red, r.op, cc.name, err)
	}
	a := Attempt{Call: cc.name, Method: r.b.method, Idempotent: cc.idempotent, Number: r.retries + 1, StatusCode: resp.status, Header: resp.header}
	if !ok && resp.status == http.StatusServiceUnavailable {
		r.throttled()
	}
	if !ok && e.retry.canRetry(ctx, r.retries, a) {
		r.retries++
		wait := e.retry.delay(r.retries)
		if ra, ok := e.retry.headers.RetryAfter(resp.header, e.now()); ok && ra > wait {
			wait = min(ra, e.retry.maxWait)
		}
		if err := e.pause(ctx, r.op, cc.name, wait, "retrying after HTTP "+strconv.Itoa(resp.status), nil); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	}
	if !ok {
		return resp, false, responseError(r.op, cc, resp, r.red, e.fields, nil)
	}
	if resp.badJSON != nil {
		return resp, false, &Error{Op: r.op, Call: cc.name, StatusCode: resp.status, Message: "response is not valid JSON: " + resp.badJSON.Error() + ": " + snippetOf(resp.raw, r.red, e.fields)}
	}
	return resp, false, nil
}

// throttled tells the list walk, if any, that the server pushed back.
func (r *callRun) throttled() {
	if r.lp != nil && r.lp.throttled != nil {
		r.lp.throttled()
	}
}

// rateLimited waits as a 429 response asks. 429 means the request was
// refused, so any method may be sent again; waits are bounded separately
// from the retry budget.
func (r *callRun) rateLimited(ctx context.Context, resp *response) (_ *response, again bool, _ error) {
	e := r.e
	wait, ok := e.retry.rateWait(resp.header, e.now(), r.waits)
	if !ok {
		err := responseError(r.op, r.cc, resp, r.red, e.fields, ErrRateLimited)
		err.Message = strings.TrimPrefix(err.Message+fmt.Sprintf("; server asks to wait %v (limit %v, %d waits so far)", wait.Round(time.Second), e.retry.maxWait, r.waits), "; ")
		return resp, false, err
	}
	r.waits++
	if err := e.pause(ctx, r.op, r.cc.name, wait, "rate limited; waiting", nil); err != nil {
		return nil, false, err
	}
	return nil, true, nil
}
