// Package httpx sends single HTTP attempts for the restconn engine: it builds
// requests with resty, caps response bodies, refuses redirects to other
// hosts, and parses the headers servers use to ask for a pause. Retrying is
// the engine's job; this package never retries.
package httpx

import (
	"context"
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

// New returns a Client over hc (nil: a client with a default transport). hc
// is copied, never modified: the copy refuses redirects to another host,
// because credentials in custom headers or query parameters must not follow
// a redirect off the configured host.
func New(hc *http.Client, maxBody int64) *Client {
	var c http.Client
	if hc != nil {
		c = *hc
	}
	if c.Transport == nil {
		c.Transport = http.DefaultTransport.(*http.Transport).Clone()
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
	data, err := io.ReadAll(io.LimitReader(body, c.maxBody+1))
	if err != nil {
		return nil, fmt.Errorf("reading response body (HTTP %d): %w", resp.StatusCode(), err)
	}
	if int64(len(data)) > c.maxBody {
		return nil, &BodyTooLargeError{Limit: c.maxBody}
	}
	return &Response{StatusCode: resp.StatusCode(), Header: resp.Header(), Body: data, Duration: time.Since(start)}, nil
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
func RetryAfter(h http.Header, now time.Time) (d time.Duration, ok bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			return seconds(n), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return clampZero(t.Sub(now)), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if n, err := strconv.ParseFloat(v, 64); err == nil && n >= 0 {
			if n < 1e9 {
				return seconds(n), true
			}
			return clampZero(time.Unix(int64(n), 0).Sub(now) + time.Second), true
		}
	}
	return 0, false
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

// Default names of the headers in which servers announce their rate limit.
const (
	DefaultLimitHeader     = "X-RateLimit-Limit"
	DefaultRemainingHeader = "X-RateLimit-Remaining"
	DefaultResetHeader     = "X-RateLimit-Reset"
)

// RateLimitHeaders names the response headers in which a server announces
// its rate limit. Empty fields take the defaults; ResetFormat is "unix"
// (seconds since 1970), "seconds" (a delay), "httpDate" or "auto" (the
// default: a number below 10⁹ is a delay, a larger one a Unix time, and
// anything else an HTTP date).
type RateLimitHeaders struct {
	Limit       string // requests per window
	Remaining   string // requests left in the current window
	Reset       string // when the window resets
	ResetFormat string
}

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
func (n RateLimitHeaders) Read(h http.Header, now time.Time) RateLimit {
	var rl RateLimit
	if v, err := strconv.Atoi(strings.TrimSpace(h.Get(cmpOr(n.Limit, DefaultLimitHeader)))); err == nil && v > 0 {
		rl.Limit = v
	}
	if v := strings.TrimSpace(h.Get(cmpOr(n.Remaining, DefaultRemainingHeader))); v != "" {
		if r, err := strconv.Atoi(v); err == nil && r >= 0 {
			rl.Remaining, rl.HasRemaining = r, true
		}
	}
	v := strings.TrimSpace(h.Get(cmpOr(n.Reset, DefaultResetHeader)))
	if v == "" {
		return rl
	}
	num, numErr := strconv.ParseFloat(v, 64)
	numOK := numErr == nil && num >= 0 && !math.IsInf(num, 0)
	switch f := cmpOr(n.ResetFormat, "auto"); {
	case f == "seconds" && numOK, f == "auto" && numOK && num < 1e9:
		rl.Reset = now.Add(seconds(num))
	case f == "unix" && numOK, f == "auto" && numOK:
		sec, frac := math.Modf(num)
		rl.Reset = time.Unix(int64(sec), int64(frac*1e9))
	case f == "httpDate", f == "auto":
		if t, err := http.ParseTime(v); err == nil {
			rl.Reset = t
		}
	}
	return rl
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
