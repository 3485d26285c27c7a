package pace

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/internal/httpx"
)

// limitAt is a response's rate-limit headers: remaining requests until
// reset, announced as a Unix time (with a fraction, so that tests can use
// short windows).
func limitAt(remaining int, reset time.Time) http.Header {
	h := http.Header{}
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(float64(reset.UnixNano())/1e9, 'f', 6, 64))
	return h
}

// slack is what timing assertions allow for the time between announcing a
// reset and starting to wait for it, and for a loaded machine.
const slack = 15 * time.Millisecond

func limitIn(remaining int, d time.Duration) http.Header {
	return limitAt(remaining, time.Now().Add(d))
}

// send lets one request through.
func send(t *testing.T, p *Pacer) {
	t.Helper()
	require.NoError(t, p.Wait(context.Background(), nil))
}

// waitTook lets one request through, answers it without rate-limit
// headers and returns how long it waited. Holds are announced as a reset
// time, so a hold measured from here is a little shorter than the window
// announced before: tests allow slack, which the constants below give.
func waitTook(t *testing.T, p *Pacer) time.Duration {
	t.Helper()
	start := time.Now()
	send(t, p)
	took := time.Since(start)
	p.Done(200, http.Header{})
	return took
}

func TestNoHeadersNoHold(t *testing.T) {
	p := New(httpx.RateHeaders{}, time.Minute)
	for range 100 {
		send(t, p)
		p.Done(200, http.Header{})
	}
	send(t, p)
	p.Done(0, nil) // a transport error
	assert.Zero(t, p.Holds())
}

func TestHoldsWhenTheBudgetIsSpent(t *testing.T) {
	p := New(httpx.RateHeaders{}, time.Minute)
	send(t, p)
	p.Done(200, limitIn(2, 150*time.Millisecond)) // two more in this window
	assert.Less(t, waitTook(t, p), 70*time.Millisecond)
	assert.Less(t, waitTook(t, p), 70*time.Millisecond)
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond-slack, "the third waits for the reset")
	assert.Equal(t, 1, p.Holds())
}

// Requests in flight may not have been counted by the server yet: they
// come off the budget a response announces.
func TestInFlightRequestsCount(t *testing.T) {
	p := New(httpx.RateHeaders{}, time.Minute)
	send(t, p)
	send(t, p)
	send(t, p)
	p.Done(200, limitIn(3, 150*time.Millisecond)) // 2 still in flight: 1 left
	assert.Less(t, waitTook(t, p), 70*time.Millisecond)
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond-slack)
	p.Done(200, http.Header{})
	p.Done(200, http.Header{})
}

// Answers that arrive out of order: the reset they name tells which the
// server counted last.
func TestOutOfOrderAnswers(t *testing.T) {
	t.Run("fixed window: the lowest count wins", func(t *testing.T) {
		p := New(httpx.RateHeaders{}, time.Minute)
		reset := time.Now().Add(150 * time.Millisecond)
		send(t, p)
		send(t, p)
		p.Done(200, limitAt(0, reset))
		p.Done(200, limitAt(5, reset)) // counted earlier, answered later
		assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond-slack)
	})
	t.Run("an earlier reset is stale", func(t *testing.T) {
		p := New(httpx.RateHeaders{}, time.Minute)
		now := time.Now()
		send(t, p)
		send(t, p)
		p.Done(200, limitAt(0, now.Add(150*time.Millisecond)))
		p.Done(200, limitAt(1, now.Add(100*time.Millisecond))) // a token bucket before its last request
		assert.GreaterOrEqual(t, waitTook(t, p), 120*time.Millisecond-slack)
	})
	t.Run("a later reset is a newer count", func(t *testing.T) {
		p := New(httpx.RateHeaders{}, time.Minute)
		now := time.Now()
		send(t, p)
		send(t, p)
		p.Done(200, limitAt(0, now.Add(100*time.Millisecond)))
		p.Done(200, limitAt(3, now.Add(time.Second))) // the next window
		assert.Less(t, waitTook(t, p), 70*time.Millisecond)
	})
}

func TestTooManyRequestsHoldsEveryone(t *testing.T) {
	p := New(httpx.RateHeaders{}, time.Minute)
	send(t, p)
	h := http.Header{}
	h.Set("Retry-After", "0.15")
	p.Done(http.StatusTooManyRequests, h)
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond-slack)

	send(t, p)
	p.Done(http.StatusTooManyRequests, http.Header{"Retry-After": {"0"}})
	assert.Less(t, waitTook(t, p), 70*time.Millisecond, "Retry-After: 0 holds nothing")

	// The announced reset wins over a Retry-After rounded up to seconds.
	send(t, p)
	h = limitIn(0, 100*time.Millisecond)
	h.Set("Retry-After", "1")
	p.Done(http.StatusTooManyRequests, h)
	took := waitTook(t, p)
	assert.GreaterOrEqual(t, took, 50*time.Millisecond-slack)
	assert.Less(t, took, 600*time.Millisecond)
}

// When the reset passes, the quota is back: the limit less what is in
// flight. A request that finds that spent waits for the next answer; with
// nothing in flight it goes.
func TestQuotaComesBackAtTheReset(t *testing.T) {
	p := New(httpx.RateHeaders{}, time.Minute)
	send(t, p)
	h := limitIn(0, 100*time.Millisecond)
	h.Set("X-RateLimit-Limit", "3")
	p.Done(200, h)
	send(t, p) // held until the reset, then one of 3
	send(t, p)
	send(t, p)
	done := make(chan time.Duration)
	// Measured from here, not from when the goroutine is scheduled, which
	// on a loaded machine may be late.
	start := time.Now()
	go func() { done <- waitTook(t, p) }()
	select {
	case <-done:
		t.Fatal("the fourth request of a window of 3 went")
	case <-time.After(100 * time.Millisecond):
	}
	p.Done(200, limitIn(5, time.Second)) // the answer to the first: 5 left, 2 in flight
	select {
	case <-done:
		assert.GreaterOrEqual(t, time.Since(start), 100*time.Millisecond)
	case <-time.After(5 * time.Second):
		t.Fatal("the answer did not wake the waiting request")
	}
	p.Done(200, http.Header{})
	p.Done(200, http.Header{})
	assert.Less(t, waitTook(t, p), 70*time.Millisecond)

	q := New(httpx.RateHeaders{}, time.Minute)
	send(t, q)
	h = limitIn(0, 50*time.Millisecond)
	h.Set("X-RateLimit-Limit", "1")
	q.Done(200, h)
	send(t, q) // the one request of the next window
	q.Done(0, nil)
	assert.Less(t, waitTook(t, q), 70*time.Millisecond, "spent, but nothing in flight: go")
}

// A request held here waits for the client's limiter again: those a reset
// releases go at the client's rate, not together.
func TestHeldRequestsWaitForTheLimiterAgain(t *testing.T) {
	p := New(httpx.RateHeaders{}, time.Minute)
	send(t, p)
	p.Done(200, limitIn(0, 50*time.Millisecond))
	calls := 0
	require.NoError(t, p.Wait(context.Background(), func(context.Context) error { calls++; return nil }))
	p.Done(200, http.Header{})
	assert.Equal(t, 2, calls, "before the hold and after it")
}

// A reset further away than the longest hold (a daily quota) holds
// nothing: the request goes, and a 429 is handled as a 429.
func TestFarResetDoesNotHold(t *testing.T) {
	p := New(httpx.RateHeaders{}, 100*time.Millisecond)
	send(t, p)
	p.Done(200, limitIn(0, time.Hour))
	assert.Less(t, waitTook(t, p), 70*time.Millisecond)
}

// A request waiting for an answer that does not come (a slow request in
// flight) waits no longer than a hold.
func TestWaitingForAnAnswerIsBounded(t *testing.T) {
	p := New(httpx.RateHeaders{}, 100*time.Millisecond)
	send(t, p)
	h := limitIn(0, 20*time.Millisecond)
	h.Set("X-RateLimit-Limit", "1")
	p.Done(200, h)
	send(t, p) // after the reset: the one request of the window, and it hangs
	took := waitTook(t, p)
	assert.GreaterOrEqual(t, took, 80*time.Millisecond-slack)
	assert.Less(t, took, 2*time.Second)
}

func TestNamedHeaders(t *testing.T) {
	p := New(httpx.RateHeaders{Remaining: "RateLimit-Remaining", Reset: "RateLimit-Reset", Format: "seconds"}, time.Minute)
	send(t, p)
	p.Done(200, http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"0.15"}})
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond-slack)
}

func TestWaitHonoursTheContext(t *testing.T) {
	p := New(httpx.RateHeaders{}, time.Minute)
	send(t, p)
	p.Done(200, limitIn(0, 30*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	assert.ErrorIs(t, p.Wait(ctx, nil), context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}
