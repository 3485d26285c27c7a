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
	importK    int

	maxList     int
	maxDecode   int64
	renderBytes int64
	renderSteps int64
	mask        []string
	idlePerHost int
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
//
// Within that limit the engine also paces itself by what the server
// announces, with or without a client limit. Each response's
// X-RateLimit-Remaining and X-RateLimit-Reset give the requests the server
// still accepts before its window resets (X-RateLimit-Limit, the quota when
// it does); the engine counts that budget down with every request it sends
// (less the requests still in flight, which the server may not have
// counted; answers that overtook each other are put back in order by the
// reset they name), and once it is spent holds new requests until the
// announced reset. A 429 holds every request until the announced reset, or
// its Retry-After. The check is made as a request is about to go, after the
// client limit let it through, and a held request passes the client limit
// again. A hold never exceeds connection.retry.maxWait, and pacing never
// sends faster than the client limit: it only holds. So a client whose
// limit equals the server's runs at that limit with (almost) no 429
// responses, where a token bucket alone draws a few per window from its
// burst, network jitter and timers that fire late on a busy machine.
// SPEC.md ("Rate limits") has the details.
func WithRateLimit(rps float64, burst int) Option {
	return func(o *options) { o.rps, o.burst = rps, burst }
}

// WithImportConcurrency sets how many page requests of one list walk may be
// in flight at once, overriding every list call's paging.concurrency. k
// requests run at once only where the paging scheme tells later pages in
// advance (offset, page and scim with a total); cursor and next-URL schemes
// fetch the next page while the caller works on the current one. k = 1 is
// strictly sequential: no request is sent before the caller has taken
// every record of the page before it. k <= 0 keeps the spec's setting
// (default DefaultImportConcurrency); k above MaxImportConcurrency is
// capped to it.
func WithImportConcurrency(k int) Option {
	return func(o *options) { o.importK = min(k, MaxImportConcurrency) }
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

// WithMaxListLength caps the elements of any one list in a response body
// (the records of a page, a list inside a record), overriding
// connection.maxListLength (default DefaultMaxListLength). A response with
// a longer list fails its call.
func WithMaxListLength(n int) Option { return func(o *options) { o.maxList = n } }

// WithMaxDecodeBytes sets the memory decoding one response may take,
// overriding connection.maxDecodeBytes (default: 4 times the body, at
// least 64 MiB). A response that needs more fails its call.
func WithMaxDecodeBytes(n int64) Option { return func(o *options) { o.maxDecode = n } }

// WithRenderLimits bounds every rendering of a template (or of a whole
// body): maxBytes of text, maxSteps of work (see SPEC.md "Limits"),
// overriding connection.maxRenderBytes and connection.maxRenderSteps. Zero
// keeps the spec's value or the default.
func WithRenderLimits(maxBytes, maxSteps int64) Option {
	return func(o *options) { o.renderBytes, o.renderSteps = maxBytes, maxSteps }
}

// WithMask adds field names to the spec's connection.mask: JSON keys,
// form fields and query parameters whose values are masked in traces, logs
// and errors wherever they appear, such as "ssn".
func WithMask(names ...string) Option {
	return func(o *options) { o.mask = append(o.mask, names...) }
}

// WithMaxIdleConnsPerHost sets how many idle connections to the target the
// engine's own HTTP client keeps (default 64): at least the number of
// requests sent at once, such as ProvisionAll's workers, so that each
// reuses a connection instead of opening a new one. It has no effect on a
// client given with WithHTTPClient.
func WithMaxIdleConnsPerHost(n int) Option { return func(o *options) { o.idlePerHost = n } }
