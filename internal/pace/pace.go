// Package pace holds requests back when the server has said that its rate
// limit is used up, so that a client running at the server's limit gets
// (almost) no 429 responses.
//
// A client-side token bucket at exactly the server's rate still draws 429s:
// the bucket's burst and the jitter of the network let a few more requests
// than the limit land in one of the server's windows, and each 429 costs a
// worker a full Retry-After wait. Servers say where they stand in every
// response (X-RateLimit-Remaining and X-RateLimit-Reset, or the names a
// spec configures): a Pacer keeps the number of requests the server still
// accepts before its reset (its budget) and holds new requests once the
// budget is spent, until the announced reset.
//
// The budget is counted conservatively. A response that says r requests
// remain sets it to r minus the requests still in flight (the server may
// not have counted them yet); within one window it only ever goes down, so
// responses that arrive out of order cannot raise it; each request let
// through takes one from it. A response announcing a later reset opens a
// new window. Once the reset time has passed the budget is unknown and
// requests go until a response tells otherwise. A 429 sets the budget to
// zero until its Retry-After (or announced reset). A reset further away
// than the longest hold (a daily quota) holds nothing: the request goes and
// its 429, if any, is handled as such.
//
// The Pacer never lets requests go faster than the client's own rate
// limit: it only holds them.
package pace

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/restconn/restconn/internal/httpx"
)

// sameWindow is how far apart two announced reset times may be and still
// name the same window: servers that announce a delay in whole seconds
// move it by up to a second from response to response. Windows shorter
// than this are merged, which errs on the side of holding.
const sameWindow = 900 * time.Millisecond

// Pacer paces the requests of one client. It is safe for concurrent use.
type Pacer struct {
	names   httpx.RateLimitHeaders
	maxHold time.Duration
	now     func() time.Time

	mu       sync.Mutex
	inflight int       // requests let through and not done
	known    bool      // budget and reset describe the current window
	budget   int       // requests still accepted before reset
	reset    time.Time // when the current window ends
	holds    int       // requests that were held, for tests and logs
}

// New returns a Pacer that reads the headers names names and holds a
// request for at most maxHold.
func New(names httpx.RateLimitHeaders, maxHold time.Duration) *Pacer {
	return &Pacer{names: names, maxHold: maxHold, now: time.Now}
}

// Wait blocks until a request may be sent and counts it as in flight. The
// caller must call Done once for every successful Wait.
func (p *Pacer) Wait(ctx context.Context) error {
	held := false
	for {
		p.mu.Lock()
		now := p.now()
		if p.known && !now.Before(p.reset) {
			p.known = false // the window is over: the server's next answer tells
		}
		wait := p.reset.Sub(now)
		if !p.known || p.budget > 0 || wait > p.maxHold {
			if p.known && p.budget > 0 {
				p.budget--
			}
			p.inflight++
			if held {
				p.holds++
			}
			p.mu.Unlock()
			return nil
		}
		p.mu.Unlock()
		held = true
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Done records the response of a request Wait let through: status and
// header, or status 0 and a nil header when no response arrived.
func (p *Pacer) Done(status int, h http.Header) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	if h == nil {
		return
	}
	now := p.now()
	rl := p.names.Read(h, now)
	if status == http.StatusTooManyRequests {
		reset := rl.Reset
		if d, ok := httpx.RetryAfter(h, now); ok && h.Get("Retry-After") != "" {
			reset = now.Add(d)
		}
		if reset.After(now) {
			p.known, p.budget = true, 0
			if reset.After(p.reset) || p.reset.Before(now) {
				p.reset = reset
			}
		}
		return
	}
	if !rl.HasRemaining || rl.Reset.IsZero() || !rl.Reset.After(now) {
		return
	}
	budget := rl.Remaining - p.inflight
	switch {
	case !p.known || rl.Reset.After(p.reset.Add(sameWindow)):
		p.known, p.budget, p.reset = true, budget, rl.Reset // a new window
	case rl.Reset.Before(p.reset.Add(-sameWindow)):
		// An answer from a window that is over, overtaken on the way.
	default:
		p.budget = min(p.budget, budget)
		if rl.Reset.After(p.reset) {
			p.reset = rl.Reset
		}
	}
}

// Holds returns how many requests have been held back so far.
func (p *Pacer) Holds() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.holds
}
