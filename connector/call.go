package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/jsonpath"
	"github.com/restconn/restconn/internal/jsonx"
	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/template"
)

// response is a received response with its body decoded.
type response struct {
	status  int
	header  http.Header
	body    any // decoded JSON, the text of a non-JSON body, or nil when empty
	raw     []byte
	url     *url.URL
	badJSON error // set when the body looked like JSON but did not parse
}

func (r *response) binding() map[string]any { return binding.Response(r.status, r.header, r.body) }

// built is a request ready to send, rendered once and re-sent as it is on
// retries (a new token after an expiry re-renders it).
type built struct {
	method string
	url    string
	parsed *url.URL // url, for paging, which resolves next-page links against it
	header http.Header
	body   []byte
}

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

// pause waits d, logging why, and reports cancellation as an *Error.
func (e *Engine) pause(ctx context.Context, op Operation, call string, d time.Duration, why string, cause error) error {
	attrs := []slog.Attr{slog.String("call", call), slog.Duration("wait", d)}
	if cause != nil {
		attrs = append(attrs, slog.String("error", cause.Error()))
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, why, attrs...)
	if err := e.sleep(ctx, d); err != nil {
		return e.ctxError(ctx, op, call, err)
	}
	return nil
}

func (e *Engine) ctxError(ctx context.Context, op Operation, call string, err error) *Error {
	if c := ctx.Err(); c != nil {
		err = c
	}
	return &Error{Op: op, Call: call, Message: "canceled", Err: err}
}

// listPage carries an import's paging state into do, and the call's
// rendered form, which is reused from page to page when no template reads
// .page or .auth: only the paging parameters change between pages.
type listPage struct {
	st     *paging.State
	cache  *rendered
	traces *[]func() // when set, traces are deferred (see login)
}

// rendered is a call with its templates rendered, before paging parameters
// and credentials are applied. It is never modified once built.
type rendered struct {
	url    *url.URL
	query  url.Values
	header http.Header
	body   any // the rendered body; nil for none
	form   []byte
	// sensitive holds header, query and form values computed from
	// secrets (a base64 of user:password, a hash): the redactor knows the
	// secrets, not what a template made of them.
	sensitive []string
}

// secretInputs are the variables whose values, transformed by a template,
// must be masked like the secrets themselves.
var secretInputs = []string{"secrets", "password", "auth"}

func readsSecrets(t interface{ Uses(string) bool }) bool {
	for _, name := range secretInputs {
		if t.Uses(name) {
			return true
		}
	}
	return false
}

// render renders the call's templates.
func (e *Engine) render(cc *compiledCall, data map[string]any) (*rendered, error) {
	r := &rendered{header: http.Header{}}
	var u string
	if cc.url != nil {
		s, err := cc.url.Render(data)
		if err != nil {
			return nil, err
		}
		u = s
	} else {
		s, err := cc.path.Render(data)
		if err != nil {
			return nil, err
		}
		if s != "" && !strings.HasPrefix(s, "/") {
			s = "/" + s
		}
		u = e.baseURL + s
	}
	pu, err := parseCallURL(u)
	if err != nil {
		return nil, err
	}
	r.url = pu
	r.query = pu.Query()
	for _, nt := range cc.query {
		v, err := nt.t.Value(data)
		if err != nil {
			return nil, err
		}
		if v == template.Omitted {
			continue
		}
		if err := setValues(r.query, nt.name, v); err != nil {
			return nil, fmt.Errorf("query %s: %w", nt.name, err)
		}
		if readsSecrets(nt.t) {
			r.sensitive = append(r.sensitive, r.query[nt.name]...)
		}
	}
	for _, l := range [][]namedTemplate{e.c.headers, cc.headers} {
		for _, nt := range l {
			v, err := nt.t.Value(data)
			if err != nil {
				return nil, err
			}
			if v == template.Omitted {
				continue
			}
			s, err := text(v)
			if err != nil {
				return nil, fmt.Errorf("header %s: %w", nt.name, err)
			}
			if strings.ContainsAny(s, "\r\n") {
				return nil, fmt.Errorf("header %s: value contains a line break", nt.name)
			}
			r.header.Set(nt.name, s)
			if readsSecrets(nt.t) {
				r.sensitive = append(r.sensitive, s, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "Basic "), "Bearer ")))
			}
		}
	}
	if cc.body != nil {
		v, err := cc.body.Render(data)
		if err != nil {
			return nil, err
		}
		if v != template.Omitted {
			r.body = v
		}
	}
	if cc.form != nil {
		f := url.Values{}
		for _, nt := range cc.form {
			v, err := nt.t.Value(data)
			if err != nil {
				return nil, err
			}
			if v == template.Omitted {
				continue
			}
			if err := setValues(f, nt.name, v); err != nil {
				return nil, fmt.Errorf("form %s: %w", nt.name, err)
			}
			if readsSecrets(nt.t) {
				r.sensitive = append(r.sensitive, f[nt.name]...)
			}
		}
		r.form = []byte(f.Encode())
	}
	return r, nil
}

func parseCallURL(u string) (*url.URL, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("call URL %q is not an absolute http(s) URL", u)
	}
	return pu, nil
}

// build turns a rendered call into a request: paging parameters, the
// credential and the encoded body. r is not modified.
func (e *Engine) build(cc *compiledCall, r *rendered, cred *credential, tok string, pg *paging.State) (*built, error) {
	b := &built{method: cc.method, header: r.header.Clone()}
	u := *r.url
	var q url.Values
	if pg != nil && pg.URL != "" {
		next, err := parseCallURL(pg.URL) // a next-page URL is used as the server gave it
		if err != nil {
			return nil, err
		}
		u, q = *next, next.Query()
	} else {
		q = make(url.Values, len(r.query)+2)
		for k, v := range r.query {
			q[k] = v
		}
		if pg != nil {
			for k, v := range pg.Query {
				q.Set(k, v)
			}
		}
	}
	body := r.body
	needsCopy := pg != nil && len(pg.Body) > 0 || cred != nil && cred.a.inject != nil && cred.a.inject.In == "body"
	var obj map[string]any
	if m, ok := body.(map[string]any); ok && needsCopy {
		obj = cloneMap(m) // rendered bodies may share the spec's literal maps: never mutate them
		body = obj
	}
	if pg != nil && len(pg.Body) > 0 {
		if obj == nil {
			return nil, errors.New("paging places parameters in the body, but the call has no JSON object body")
		}
		for p, v := range pg.Body {
			if err := p.Set(obj, v); err != nil {
				return nil, err
			}
		}
	}
	if err := cred.apply(tok, b.header, q, obj); err != nil {
		return nil, err
	}
	u.RawQuery = q.Encode()
	b.url, b.parsed = u.String(), &u
	switch {
	case r.form != nil:
		b.body = r.form
		setDefault(b.header, "Content-Type", "application/x-www-form-urlencoded")
	case body != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("encoding body: %w", err)
		}
		b.body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		setDefault(b.header, "Content-Type", "application/json")
	}
	setDefault(b.header, "Accept", "application/json")
	return b, nil
}

// setValues sets a query or form parameter; a list repeats it.
func setValues(vals url.Values, name string, v any) error {
	var list []any
	switch l := v.(type) {
	case []any:
		list = l
	case []string:
		for _, s := range l {
			list = append(list, s)
		}
	default:
		s, err := text(v)
		if err != nil {
			return err
		}
		vals.Set(name, s)
		return nil
	}
	vals.Del(name)
	for _, x := range list {
		s, err := text(x)
		if err != nil {
			return err
		}
		vals.Add(name, s)
	}
	return nil
}

func setDefault(h http.Header, k, v string) {
	if h.Get(k) == "" {
		h.Set(k, v)
	}
}

// text turns a rendered scalar into its text; lists and objects are JSON.
func text(v any) (string, error) {
	switch v.(type) {
	case map[string]any, []any:
		b, err := json.Marshal(v)
		return string(b), err
	}
	if s, err := binding.ToString(v); err == nil {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if mm, ok := v.(map[string]any); ok {
			v = cloneMap(mm)
		}
		out[k] = v
	}
	return out
}

func setPath(body map[string]any, path, value string) error {
	p, err := jsonpath.Compile(path)
	if err != nil {
		return err
	}
	return p.Set(body, value)
}

// decodeResponse decodes a JSON body (numbers as json.Number, so large IDs
// keep every digit) in one pass with jsonx, which gives the values
// encoding/json would at a fraction of the cost: this is the hot path of an
// import. A body that looks like JSON but does not parse is recorded in
// badJSON; other bodies are kept as text.
func decodeResponse(hr *httpx.Response, u *url.URL) *response {
	r := &response{status: hr.StatusCode, header: hr.Header, raw: hr.Body, url: u}
	trimmed := bytes.TrimSpace(hr.Body)
	if len(trimmed) == 0 {
		return r
	}
	ct := strings.ToLower(hr.Header.Get("Content-Type"))
	if trimmed[0] == '{' || trimmed[0] == '[' || strings.Contains(ct, "json") {
		v, err := jsonx.Decode(trimmed)
		if err != nil {
			r.badJSON = err
			r.body = string(hr.Body)
			return r
		}
		r.body = v
		return r
	}
	r.body = string(hr.Body)
	return r
}

// succeeded applies the call's success rule (default: any 2xx) and failure
// conditions (the call's, else the connection's).
func (e *Engine) succeeded(cc *compiledCall, r *response, data map[string]any) bool {
	if cc.success != nil {
		if len(cc.success.status) > 0 && !containsInt(cc.success.status, r.status) {
			return false
		}
		if len(cc.success.status) == 0 && (r.status < 200 || r.status > 299) {
			return false
		}
		if !e.allHold(cc.success.when, r, data) {
			return false
		}
	} else if r.status < 200 || r.status > 299 {
		return false
	}
	failure := cc.failure
	if failure == nil {
		failure = e.c.failure
	}
	for _, k := range failure {
		if e.holds(k, r, data) {
			return false
		}
	}
	return true
}

func containsInt(l []int, v int) bool {
	for _, x := range l {
		if x == v {
			return true
		}
	}
	return false
}

// responseError builds the error for a failed response: vendor code and
// message from the error paths, and the sentinel from the spec's code map,
// the status, or kind.
func (e *Engine) responseError(op Operation, cc *compiledCall, r *response, red *redact.Redactor, kind error) *Error {
	rules := cc.errors
	if rules == nil {
		rules = e.c.errors
	}
	out := &Error{Op: op, Call: cc.name, StatusCode: r.status, Err: kind}
	if rules != nil {
		out.Code = firstText(rules.code, r.body)
		out.Message = firstText(rules.message, r.body)
		if s, ok := rules.kinds[out.Code]; ok {
			out.Err = s
		}
	}
	if out.Err == nil {
		out.Err = sentinelForStatus(r.status)
	}
	if out.Code == "" && out.Message == "" && len(bytes.TrimSpace(r.raw)) > 0 {
		out.Message = snippet(r.raw, red)
	}
	if out.Message == "" && out.Code == "" {
		out.Message = http.StatusText(r.status)
	}
	out.Code = red.String(out.Code)
	out.Message = red.String(out.Message)
	return out
}

func firstText(paths []*jsonpath.Path, body any) string {
	for _, p := range paths {
		if v, ok := p.Get(body); ok && v != nil {
			if s, err := binding.ToString(v); err == nil && s != "" {
				return s
			}
		}
	}
	return ""
}

var space = regexp.MustCompile(`\s+`)

// snippet is the start of a body for an error message, secrets masked.
func snippet(b []byte, red *redact.Redactor) string {
	s := red.String(strings.TrimSpace(space.ReplaceAllString(string(b), " ")))
	if len(s) > 300 {
		s = s[:300]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// sanitize rewrites a *url.Error so its URL carries no secrets in the query.
func sanitize(err error, red *redact.Redactor) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: red.URL(ue.URL), Err: red.Error(ue.Err)}
	}
	return err
}

// asError turns a non-response failure (template, auth) into an *Error.
func (e *Engine) asError(op Operation, call string, err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		if ce.Op == "" {
			ce.Op = op
		}
		return ce
	}
	var te *template.Error
	if errors.As(err, &te) {
		return e.templateError(op, call, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Op: op, Call: call, Message: "canceled", Err: err}
	}
	return e.mask(&Error{Op: op, Call: call, Message: err.Error()})
}

// templateError reports a render failure at its spec path. A missing key is
// a problem of the input (a required attribute absent), not of the spec.
func (e *Engine) templateError(op Operation, call string, err error) *Error {
	out := &Error{Op: op, Call: call, Message: err.Error()}
	var te *template.Error
	if errors.As(err, &te) {
		out.Path = te.Template
		out.Message = te.Msg
		if te.Key != "" {
			out.Message = "required value missing: " + te.Msg
		}
	}
	return e.mask(out)
}

func (e *Engine) mask(err *Error) *Error { return maskWith(e.red, err) }

// maskWith masks every text field of err with red (the engine's redactor,
// or an operation's, which also knows the request's password).
func maskWith(red *redact.Redactor, err *Error) *Error {
	err.Message = red.String(err.Message)
	err.Code = red.String(err.Code)
	if err.Err != nil && !isSentinel(err.Err) {
		err.Err = red.Error(err.Err)
	}
	return err
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrUnsupported, ErrAuth, ErrNotFound, ErrConflict, ErrRateLimited, ErrInvalidSpec} {
		if err == s {
			return true
		}
	}
	return false
}

// logHTTP writes the one debug line per attempt.
func (e *Engine) logHTTP(ctx context.Context, call string, attempt int, method, maskedURL string, status int, d time.Duration, err error) {
	if !e.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("call", call), slog.String("method", method), slog.String("url", maskedURL), slog.Int("attempt", attempt)}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	attrs = append(attrs, slog.Duration("duration", d))
	if err != nil {
		attrs = append(attrs, slog.String("error", e.red.String(err.Error())))
	}
	e.log.LogAttrs(ctx, slog.LevelDebug, "http", attrs...)
}

const traceBodyLimit = 64 << 10

func (e *Engine) traceAttempt(ctx context.Context, op Operation, call string, n int, b *built, hr *httpx.Response, err error, red *redact.Redactor) {
	if e.trace == nil {
		return
	}
	t := Trace{Op: op, Call: call, Attempt: n, Method: b.method, URL: red.URL(b.url), RequestHeader: maskHeader(b.header, red), RequestBody: cut(red.String(string(b.body)))}
	if hr != nil {
		t.StatusCode, t.ResponseHeader, t.ResponseBody, t.Duration = hr.StatusCode, maskHeader(hr.Header, red), cut(red.String(string(hr.Body))), hr.Duration
	}
	if err != nil {
		t.Err = red.Error(sanitize(err, red))
	}
	e.trace(ctx, t)
}

func cut(s string) string {
	if len(s) > traceBodyLimit {
		return s[:traceBodyLimit] + "…"
	}
	return s
}

func maskHeader(h http.Header, red *redact.Redactor) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			if redact.SensitiveName(k) {
				v = redact.Mask
			}
			out[k] = append(out[k], red.String(v))
		}
	}
	return out
}
