package connector

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/restconn/restconn/internal/httpx"
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

// Trace describes one HTTP attempt, with every known secret masked and
// bodies cut at 64 KiB.
type Trace struct {
	Op             Operation
	Call           string
	Attempt        int
	Method         string
	URL            string
	RequestHeader  http.Header
	RequestBody    string
	StatusCode     int
	ResponseHeader http.Header
	ResponseBody   string
	Duration       time.Duration
	Err            error
}

// Attempt describes a finished HTTP attempt to a RetryPolicy.
type Attempt struct {
	Call       string
	Method     string
	Idempotent bool // the method is idempotent or the spec marks the call so
	Number     int  // 1 for the first attempt
	StatusCode int  // 0 when no response arrived
	Header     http.Header
	Err        error // the transport error, secrets masked; nil when a response arrived
}

// RetryPolicy decides whether a failed attempt is retried. It is not asked
// about 429 responses and expired tokens: those are handled separately and
// do not consume the retry budget.
type RetryPolicy func(ctx context.Context, a Attempt) bool

// DefaultRetryPolicy retries, within the budget of connection.retry.maxAttempts:
//   - any request that never reached the server (DNS or dial failure);
//   - idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE, or a call marked
//     "idempotent") after other transport errors, timeouts, 502, 503 and 504.
//
// POST and PATCH are not retried once they may have reached the server, so a
// write is never applied twice. Redirects to another host and oversized
// bodies are never retried.
func DefaultRetryPolicy(ctx context.Context, a Attempt) bool {
	if ctx.Err() != nil {
		return false
	}
	if a.Err != nil {
		var big *httpx.BodyTooLargeError
		if errors.Is(a.Err, httpx.ErrRedirectHost) || errors.As(a.Err, &big) {
			return false
		}
		return httpx.IsDialError(a.Err) || a.Idempotent
	}
	switch a.StatusCode {
	case http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return a.Idempotent
	}
	return false
}

// Backoff returns how long to wait before retry number attempt (1 for the
// first retry), between min and max.
type Backoff func(min, max time.Duration, attempt int) time.Duration

// DefaultBackoff doubles the wait from min with each retry, caps it at max
// and picks a random point in its upper half ("equal jitter"), so that many
// clients retrying at once spread out.
func DefaultBackoff(min, max time.Duration, attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := min
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + time.Duration(rand.Int64N(int64(d-half)+1))
}
