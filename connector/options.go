package connector

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// Option configures New.
type Option func(*options)

type options struct {
	params     map[string]any
	secrets    map[string]string
	httpClient *http.Client
	logger     *slog.Logger
	retry      RetryPolicy
	backoff    Backoff
	rps        float64
	burst      int
	timeout    time.Duration
	maxBody    int64
	trace      func(context.Context, Trace)
}

// WithParams sets non-secret connection parameters, seen by templates as
// .params. They override the spec's defaults.
func WithParams(p map[string]any) Option {
	return func(o *options) {
		if o.params == nil {
			o.params = map[string]any{}
		}
		for k, v := range p {
			o.params[k] = v
		}
	}
}

// WithSecrets sets secret parameters, seen by templates as .secrets. Their
// values are masked in every error, log line and trace.
func WithSecrets(s map[string]string) Option {
	return func(o *options) {
		if o.secrets == nil {
			o.secrets = map[string]string{}
		}
		for k, v := range s {
			o.secrets[k] = v
		}
	}
}

// WithHTTPClient sets the HTTP client (for proxies, custom transports and
// tests). The client is copied, not modified; the spec's TLS options do not
// apply to it.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithLogger sets the logger. The engine logs one debug line per HTTP
// attempt (call, method, URL with secrets masked, status, duration) and
// retries and waits at info level.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithRetryPolicy replaces DefaultRetryPolicy.
func WithRetryPolicy(p RetryPolicy) Option { return func(o *options) { o.retry = p } }

// WithBackoff replaces DefaultBackoff.
func WithBackoff(b Backoff) Option { return func(o *options) { o.backoff = b } }

// WithRateLimit limits the engine to rps requests per second with bursts of
// burst, overriding the spec's connection.rateLimit. The limit is shared by
// every call of the engine, including concurrent ones.
func WithRateLimit(rps float64, burst int) Option {
	return func(o *options) { o.rps, o.burst = rps, burst }
}

// WithTimeout sets the default per-attempt timeout, overriding the spec's
// connection.timeout (a call's own timeout still wins).
func WithTimeout(d time.Duration) Option { return func(o *options) { o.timeout = d } }

// WithMaxBodyBytes caps response bodies, overriding connection.maxBodyBytes.
func WithMaxBodyBytes(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithTrace calls fn after every HTTP attempt of a spec call (login calls
// included) with the request and response, secrets masked: "show me the
// request that was sent". OAuth2 token requests are logged but not traced:
// x/oauth2 sends them. fn must be safe for concurrent use.
func WithTrace(fn func(context.Context, Trace)) Option { return func(o *options) { o.trace = fn } }
