// Package httpx sends single HTTP attempts for the restconn engine: it builds
// requests with resty, caps response bodies, refuses redirects to other
// hosts, and parses the headers servers use to ask for a pause. Retrying is
// the engine's job; this package never retries.
package httpx

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"
)

// DefaultMaxBodyBytes caps response bodies when the spec sets no limit:
// large enough for any page of a REST list, small enough that a hostile
// server cannot exhaust memory.
const DefaultMaxBodyBytes = 32 << 20

// Request is one HTTP attempt.
type Request struct {
	Method string
	URL    string
	Header http.Header
	Body   []byte // nil for no body
}

// Response is a fully read response.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	Duration   time.Duration
}

// Client sends attempts. It is safe for concurrent use.
type Client struct {
	r       *resty.Client
	maxBody int64
}

// DefaultIdleConnsPerHost is how many idle connections per host the
// transport New builds keeps open. net/http keeps 2, so N workers sending to
// one API (ProvisionAll) would close and re-dial most connections; 64 covers
// the worker counts people run against a single tenant.
const DefaultIdleConnsPerHost = 64

// Option configures a Client built by New.
type Option func(*options)

type options struct {
	idlePerHost int
	tls         *tls.Config
}

// WithIdleConnsPerHost sets how many idle connections per host the transport
// New builds keeps (default DefaultIdleConnsPerHost); give it at least the
// number of goroutines that send at once. It has no effect on a caller's own
// Transport.
func WithIdleConnsPerHost(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.idlePerHost = n
		}
	}
}

// WithTLSConfig sets the TLS configuration of the transport New builds
// (nil: Go's defaults). It has no effect on a caller's own Transport.
func WithTLSConfig(cfg *tls.Config) Option {
	return func(o *options) { o.tls = cfg }
}

// New returns a Client over hc (nil: a client with a default transport). hc
// is copied, never modified: the copy refuses redirects to another host,
// because credentials in custom headers or query parameters must not follow
// a redirect off the configured host.
//
// When hc is nil or has no Transport, New builds one from
// http.DefaultTransport that keeps DefaultIdleConnsPerHost idle connections
// per host (see WithIdleConnsPerHost), so concurrent callers reuse their
// connections. A Transport the caller supplies is used as it is: its
// connection pool is the caller's to size.
func New(hc *http.Client, maxBody int64, opts ...Option) *Client {
	o := options{idlePerHost: DefaultIdleConnsPerHost}
	for _, opt := range opts {
		opt(&o)
	}
	var c http.Client
	if hc != nil {
		c = *hc
	}
	if c.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		if o.tls != nil {
			t.TLSClientConfig = o.tls
		}
		t.MaxIdleConnsPerHost = o.idlePerHost
		// MaxIdleConns caps idle connections over all hosts; it must not
		// undercut the per-host number.
		if t.MaxIdleConns != 0 && t.MaxIdleConns < o.idlePerHost {
			t.MaxIdleConns = o.idlePerHost
		}
		c.Transport = t
	}
	c.CheckRedirect = sameHostRedirect
	r := resty.NewWithClient(&c)
	r.SetLogger(quietLogger{})
	r.SetDisableWarn(true)
	r.SetRetryCount(0)
	r.SetAllowGetMethodPayload(true) // a spec that gives a GET a body means it
	r.SetHeader("User-Agent", "restconn")
	if maxBody <= 0 {
		maxBody = DefaultMaxBodyBytes
	}
	return &Client{r: r, maxBody: maxBody}
}

// HTTPClient returns the underlying *http.Client (for libraries such as
// x/oauth2 that need one).
func (c *Client) HTTPClient() *http.Client { return c.r.GetClient() }

// ErrRedirectHost is returned (wrapped) when a server redirects to another
// host.
var ErrRedirectHost = errors.New("redirect to a different host refused")

func sameHostRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	prev := via[0].URL
	if !SameHost(prev, req.URL) {
		return fmt.Errorf("%w: %s", ErrRedirectHost, req.URL.Host)
	}
	return nil
}

// SameHost reports whether a and b have the same scheme, host and port.
func SameHost(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(hostPort(a), hostPort(b))
}

func hostPort(u *url.URL) string {
	h, p := u.Hostname(), u.Port()
	if p == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			p = "443"
		case "http":
			p = "80"
		}
	}
	return net.JoinHostPort(h, p)
}

// BodyTooLargeError reports a response body over the cap.
type BodyTooLargeError struct{ Limit int64 }

func (e *BodyTooLargeError) Error() string {
	return fmt.Sprintf("response body exceeds the limit of %d bytes", e.Limit)
}

// Do sends one attempt and reads the whole body (up to the cap).
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	start := time.Now()
	r := c.r.R().SetContext(ctx).SetDoNotParseResponse(true)
	for k, vs := range req.Header {
		for _, v := range vs {
			r.Header.Add(k, v)
		}
	}
	if req.Body != nil {
		r.SetBody(req.Body)
	}
	resp, err := r.Execute(req.Method, req.URL)
	if err != nil {
		if resp != nil && resp.RawBody() != nil {
			resp.RawBody().Close()
		}
		return nil, err
	}
	body := resp.RawBody()
	defer body.Close()
	data, err := readBody(body, resp.RawResponse.ContentLength, c.maxBody)
	if err != nil {
		return nil, fmt.Errorf("reading response body (HTTP %d): %w", resp.StatusCode(), err)
	}
	if int64(len(data)) > c.maxBody {
		return nil, &BodyTooLargeError{Limit: c.maxBody}
	}
	return &Response{StatusCode: resp.StatusCode(), Header: resp.Header(), Body: data, Duration: time.Since(start)}, nil
}

// readBody reads up to max+1 bytes of body. A body whose length the
// server declared (and that is within max) is read into one buffer of that
// size: growing a buffer as the bytes arrive would allocate about twice a
// large body, and leave the copies as garbage.
func readBody(body io.Reader, declared, max int64) ([]byte, error) {
	r := io.LimitReader(body, max+1)
	if declared <= 0 || declared > max {
		return io.ReadAll(r) // it grows in steps it copies together once at the end
	}
	buf := make([]byte, 0, declared+1) // one more, to see a body longer than declared
	for {
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		switch {
		case err == io.EOF:
			return buf, nil
		case err != nil:
			return buf, err
		case len(buf) == cap(buf): // the server sent more than it said
			rest, err := io.ReadAll(r)
			return append(buf, rest...), err
		}
	}
}

// IsDialError reports whether err happened before the request could reach
// the server (DNS failure, connection refused): such a request may be sent
// again whatever its method.
func IsDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// RetryAfter returns how long the server asks the client to wait, from
// Retry-After (delay seconds or an HTTP date) or, failing that,
// X-RateLimit-Reset (a Unix time in seconds; values under 10^9 are taken as a
// delay in seconds, as some APIs send). ok is false when neither is usable.
// It is RateHeaders{}.RetryAfter.
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	return RateHeaders{}.RetryAfter(h, now)
}

// Default rate-limit header names.
const (
	DefaultLimitHeader     = "X-RateLimit-Limit"
	DefaultResetHeader     = "X-RateLimit-Reset"
	DefaultRemainingHeader = "X-RateLimit-Remaining"
)

// Reset formats: how RateHeaders.Reset is read.
const (
	ResetAuto     = "auto"     // a number under 10^9 is seconds to wait, a larger one a Unix time; else an HTTP date
	ResetUnix     = "unix"     // Unix seconds when the window resets
	ResetSeconds  = "seconds"  // seconds to wait
	ResetHTTPDate = "httpDate" // an HTTP date when the window resets
)

// RateHeaders names the response headers a server uses to say when it
// accepts requests again and how many it has left: APIs disagree
// (X-RateLimit-Reset, X-Rate-Limit-Reset, RateLimit-Reset, in Unix time or
// in seconds). The zero value reads the common defaults.
type RateHeaders struct {
	Reset     string // the reset time; "" means DefaultResetHeader
	Format    string // how Reset is written: ResetUnix, ResetSeconds, ResetHTTPDate or ResetAuto ("")
	Remaining string // requests left in the window; "" means DefaultRemainingHeader
	Limit     string // requests per window; "" means DefaultLimitHeader
}

// ValidResetFormat reports whether f is a reset format ("" is ResetAuto).
func ValidResetFormat(f string) bool {
	switch f {
	case "", ResetAuto, ResetUnix, ResetSeconds, ResetHTTPDate:
		return true
	}
	return false
}

// RetryAfter returns how long the server asks the client to wait: from
// Retry-After (delay seconds or an HTTP date), which every server may send,
// or else from the reset header in its format. A Unix reset time is waited
// for one second past, as it is rounded to the second. ok is false when
// neither header is usable.
func (r RateHeaders) RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			return seconds(n), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampZero(t.Sub(now)), true
		}
	}
	v := strings.TrimSpace(h.Get(cmp.Or(r.Reset, DefaultResetHeader)))
	if v == "" {
		return 0, false
	}
	format := cmp.Or(r.Format, ResetAuto)
	if format == ResetHTTPDate || format == ResetAuto {
		if t, err := http.ParseTime(v); err == nil {
			return clampZero(t.Sub(now)), true
		}
		if format == ResetHTTPDate {
			return 0, false
		}
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 || math.IsNaN(n) {
		return 0, false
	}
	if format == ResetSeconds || format == ResetAuto && n < 1e9 {
		return seconds(n), true
	}
	if n >= float64(math.MaxInt64)/float64(time.Second) || math.IsInf(n, 0) {
		return time.Duration(math.MaxInt64), true // far beyond any maximum wait
	}
	return clampZero(time.Unix(int64(n), 0).Sub(now) + time.Second), true
}

// seconds converts a delay without overflowing: a delay beyond what a
// Duration holds (or infinite) is the longest Duration, which any maximum
// wait refuses.
func seconds(n float64) time.Duration {
	if n >= float64(math.MaxInt64)/float64(time.Second) || math.IsInf(n, 0) || math.IsNaN(n) {
		return time.Duration(math.MaxInt64)
	}
	return time.Duration(n * float64(time.Second))
}

func clampZero(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	return d
}

// quietLogger keeps resty silent: the engine does its own, redacted logging.
type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}

var _ resty.Logger = quietLogger{}

// RateLimit is what one response says about the server's rate limit.
type RateLimit struct {
	Limit        int  // requests per window; 0 when not announced
	Remaining    int  // requests the server still accepts before Reset
	HasRemaining bool // Remaining was announced
	Reset        time.Time
}

// Read reads the rate limit h announces. Reset is zero when not announced
// or not understood; Remaining is only reported when it is a whole number
// of zero or more, Limit when it is a whole number above zero.
func (n RateHeaders) Read(h http.Header, now time.Time) RateLimit {
	var rl RateLimit
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get(cmp.Or(n.Limit, DefaultLimitHeader)))); err == nil && v > 0 {
		rl.Limit = v
	}
	if v := strings.TrimSpace(h.Get(cmp.Or(n.Remaining, DefaultRemainingHeader))); v != "" {
		if r, err := strconv.Atoi(v); err == nil && r >= 0 {
			rl.Remaining, rl.HasRemaining = r, true
		}
	}
	v := strings.TrimSpace(h.Get(cmp.Or(n.Reset, DefaultResetHeader)))
	if v == "" {
		return rl
	}
	num, numErr := strconv.ParseFloat(v, 64)
	numOK := numErr == nil && num >= 0 && !math.IsInf(num, 0)
	switch f := cmp.Or(n.Format, ResetAuto); {
	case f == ResetSeconds && numOK, f == ResetAuto && numOK && num < 1e9:
		rl.Reset = now.Add(seconds(num))
	case f == ResetUnix && numOK, f == ResetAuto && numOK:
		sec, frac := math.Modf(num)
		rl.Reset = time.Unix(int64(sec), int64(frac*1e9))
	case f == ResetHTTPDate, f == ResetAuto:
		if t, err := http.ParseTime(v); err == nil {
			rl.Reset = t
		}
	}
	return rl
}
