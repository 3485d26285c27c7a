// Package pace holds requests back when the server has said that its rate
// limit is used up, so that a client running at the server's limit gets
// (almost) no 429 responses.
//
// A client-side token bucket at exactly the server's rate still draws 429s:
// its burst, the jitter of the network and the moments a busy process runs
// late (timers that were due fire together) let a few more requests than
// the limit land in one of the server's windows, and each 429 costs a
// worker a full Retry-After wait. Servers say where they stand in every
// response (X-RateLimit-Remaining and X-RateLimit-Reset, or the names a
// spec configures): a Pacer keeps the number of requests the server still
// accepts before its reset (the budget) and holds new requests once the
// budget is spent, until the announced reset.
//
// The decision is made when the request is about to go, after the client's
// own rate limiter has let it through (Wait takes the limiter as an
// argument): a request held here waits for the limiter again afterwards,
// so the requests released by a reset are spread at the client's rate
// instead of going out together.
//
// The budget is counted conservatively:
//
//   - A response that says r requests remain sets it to r minus the
//     requests still in flight (the server may not have counted them yet).
//   - Answers can arrive in another order than the server counted them in,
//     and their reset times tell that order: within a fixed window every
//     answer names the same reset and the remaining count only goes down;
//     a token bucket's "full again" time moves later with every request it
//     counts. So an answer that names an earlier reset than one already
//     seen is stale and ignored, and of answers naming the same reset the
//     lowest count wins.
//   - Each request let through takes one from the budget.
//   - When the announced reset has passed, the server's quota is back: the
//     budget becomes the limit (X-RateLimit-Limit, or the name configured,
//     or else the most the server ever said remained, plus one) minus the
//     requests in flight, until a response tells more. A request that finds
//     that budget spent waits for the next response; with nothing in
//     flight it goes.
//   - A 429 sets the budget to zero until the announced reset, or its
//     Retry-After when it announces none (servers round Retry-After up to
//     whole seconds; the refused request itself still waits its
//     Retry-After).
//   - A reset further away than the longest hold (a daily quota) holds
//     nothing: the request goes, and its 429, if any, is handled as such.
//
// Servers that announce the reset as a delay in whole seconds make the
// order of answers only approximately known; the budget may then be one or
// two too high for a moment, and a 429 that follows is handled as any 429.
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

// Pacer paces the requests of one client. It is safe for concurrent use.
type Pacer struct {
	names   httpx.RateHeaders
	maxHold time.Duration
	now     func() time.Time

	mu       sync.Mutex
	inflight int  // requests let through and not done
	known    bool // budget holds
	budget   int  // requests the server still accepts before reset
	reset    time.Time
	limit    int           // the server's quota per window, as far as known
	changed  chan struct{} // closed (and replaced) whenever an answer arrives
	holds    int           // requests that were held, for tests and logs
}

// New returns a Pacer that reads the headers names names and holds a
// request for at most maxHold at a time.
func New(names httpx.RateHeaders, maxHold time.Duration) *Pacer {
	return &Pacer{names: names, maxHold: maxHold, now: time.Now, changed: make(chan struct{})}
}

// Wait blocks until a request may be sent and counts it as in flight:
// first until before (the client's rate limiter; nil for none) lets it
// through, then while the server's budget is spent, after which it waits
// for before again. The caller must call Done once for every successful
// Wait.
func (p *Pacer) Wait(ctx context.Context, before func(context.Context) error) error {
	var held time.Time // when the first hold began
	for {
		if before != nil {
			if err := before(ctx); err != nil {
				return err
			}
		}
		force := !held.IsZero() && time.Since(held) >= p.maxHold
		ok, wait, changed := p.try(!held.IsZero(), force)
		if ok {
			return nil
		}
		if held.IsZero() {
			held = time.Now()
		}
		if wait <= 0 {
			wait = p.maxHold - time.Since(held) // an answer may never come: never wait longer than a hold
		}
		var t *time.Timer
		var timer <-chan time.Time
		if wait > 0 {
			t = time.NewTimer(wait)
			timer = t.C
		}
		select {
		case <-ctx.Done():
		case <-timer:
		case <-changed:
		}
		if t != nil {
			t.Stop()
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

// try lets a request through (ok) or says what to wait for: the reset
// (wait > 0) or the next answer (changed). force lets it through: it has
// been held as long as a hold may last.
func (p *Pacer) try(held, force bool) (ok bool, wait time.Duration, changed <-chan struct{}) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if p.known && !p.reset.IsZero() && !now.Before(p.reset) {
		// The window is over: the quota is back, less what is on its way.
		p.reset = time.Time{}
		p.known = p.limit > 0
		p.budget = p.limit - p.inflight
	}
	switch {
	case !p.known, p.budget > 0, force:
	case p.reset.IsZero() && p.inflight == 0:
		// Spent, but nothing in flight will tell more: go.
	case !p.reset.IsZero() && p.reset.Sub(now) > p.maxHold:
		// Too far away to wait for here.
	case p.reset.IsZero():
		return false, 0, p.changed
	default:
		return false, p.reset.Sub(now), p.changed
	}
	p.budget--
	p.inflight++
	if held {
		p.holds++
	}
	return true, 0, nil
}

// Done records the response of a request Wait let through: its status and
// header, or status 0 and a nil header when no response arrived.
func (p *Pacer) Done(status int, h http.Header) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inflight--
	close(p.changed) // wake the requests waiting for an answer
	p.changed = make(chan struct{})
	if h == nil {
		return
	}
	now := p.now()
	rl := p.names.Read(h, now)
	switch {
	case rl.Limit > 0:
		p.limit = rl.Limit
	case rl.HasRemaining:
		p.limit = max(p.limit, rl.Remaining+1)
	}
	if status == http.StatusTooManyRequests {
		// The announced reset is the more precise: servers round
		// Retry-After up to whole seconds.
		reset := rl.Reset
		if d, ok := httpx.RetryAfter(h, now); ok && h.Get("Retry-After") != "" && reset.IsZero() {
			reset = now.Add(d)
		}
		if reset.After(now) {
			p.known, p.budget = true, 0
			p.reset = later(p.reset, reset)
		}
		return
	}
	if !rl.HasRemaining || !rl.Reset.After(now) {
		return // nothing to pace by
	}
	budget := rl.Remaining - p.inflight
	switch {
	case !p.known || rl.Reset.After(p.reset):
		p.known, p.budget, p.reset = true, budget, rl.Reset // counted after every answer so far
	case rl.Reset.Equal(p.reset):
		p.budget = min(p.budget, budget) // the same window: the lowest count is the latest
	default:
		// Counted before an answer already seen: stale.
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Holds returns how many requests have been held back so far.
func (p *Pacer) Holds() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.holds
}
