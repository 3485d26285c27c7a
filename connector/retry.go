package connector

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/restconn/restconn/internal/httpx"
)

// Defaults for connection settings the spec leaves out.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultMaxAttempts = 4
	DefaultMinBackoff  = 250 * time.Millisecond
	DefaultMaxBackoff  = 10 * time.Second
	DefaultMaxWait     = 2 * time.Minute
	DefaultMaxWaits    = 10
)

// retrySettings are an engine's limits on retries and waits, from the
// spec's connection.retry and the options.
type retrySettings struct {
	policy      RetryPolicy
	backoff     Backoff
	maxAttempts int
	minBackoff  time.Duration
	maxBackoff  time.Duration
	maxWait     time.Duration     // the longest wait a 429 may ask for
	maxWaits    int               // 429 waits per call
	headers     httpx.RateHeaders // where a 429 says how long to wait, and how many requests are left
}

func newRetrySettings(r *Retry, o options) retrySettings {
	s := retrySettings{
		policy:      o.retry,
		backoff:     o.backoff,
		maxAttempts: DefaultMaxAttempts,
		minBackoff:  DefaultMinBackoff,
		maxBackoff:  DefaultMaxBackoff,
		maxWait:     DefaultMaxWait,
		maxWaits:    DefaultMaxWaits,
	}
	if s.policy == nil {
		s.policy = DefaultRetryPolicy
	}
	if s.backoff == nil {
		s.backoff = DefaultBackoff
	}
	if r != nil {
		s.maxAttempts = cmp.Or(r.MaxAttempts, DefaultMaxAttempts)
		s.minBackoff = cmp.Or(time.Duration(r.MinBackoff), DefaultMinBackoff)
		s.maxBackoff = cmp.Or(time.Duration(r.MaxBackoff), DefaultMaxBackoff)
		s.maxWait = cmp.Or(time.Duration(r.MaxWait), DefaultMaxWait)
		s.maxWaits = cmp.Or(r.MaxWaits, DefaultMaxWaits)
		s.headers = httpx.RateHeaders{Reset: r.ResetHeader, Format: r.ResetFormat, Remaining: r.RemainingHeader}
	}
	s.maxBackoff = max(s.maxBackoff, s.minBackoff)
	return s
}

// delay is the backoff before retry (or unguided wait) number n.
func (s *retrySettings) delay(n int) time.Duration { return s.backoff(s.minBackoff, s.maxBackoff, n) }

// rateWait is how long to wait before asking again after a 429 whose
// header is h, when waits waits were made before: what the server asks
// for, else the backoff. ok is false when the server asks for more than
// maxWait or the waits are spent.
func (s *retrySettings) rateWait(h http.Header, now time.Time, waits int) (wait time.Duration, ok bool) {
	wait, asked := s.headers.RetryAfter(h, now)
	if !asked {
		wait = s.delay(waits + 1)
	}
	return wait, wait <= s.maxWait && waits < s.maxWaits
}

// canRetry reports whether a call that has been retried retries times may
// try once more and the policy agrees.
func (s *retrySettings) canRetry(ctx context.Context, retries int, a Attempt) bool {
	return retries+1 < s.maxAttempts && s.policy(ctx, a)
}

// Attempt describes a finished HTTP attempt to a RetryPolicy.
type Attempt struct {
	Call       string
	Method     string
	Idempotent bool // the method is idempotent or the spec marks the call so
	Number     int  // 1 for the first attempt
	StatusCode int  // 0 when no response arrived
	Header     http.Header
	Err        error // the transport error, secrets masked at every level of its chain; nil when a response arrived
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

// pause waits d, logging why, and reports cancellation as an *Error.
func (e *Engine) pause(ctx context.Context, op Operation, call string, d time.Duration, why string, cause error) error {
	attrs := []slog.Attr{slog.String("call", call), slog.Duration("wait", d)}
	if cause != nil {
		attrs = append(attrs, slog.String("error", cause.Error()))
	}
	e.log.LogAttrs(ctx, slog.LevelInfo, why, attrs...)
	if err := e.sleep(ctx, d); err != nil {
		return ctxError(ctx, op, call, err)
	}
	return nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
