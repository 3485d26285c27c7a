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

func limitHeader(remaining int, reset time.Duration) http.Header {
	h := http.Header{}
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatFloat(reset.Seconds(), 'f', 3, 64))
	return h
}

// waitTook lets one request through and returns how long it waited.
func waitTook(t *testing.T, p *Pacer) time.Duration {
	t.Helper()
	start := time.Now()
	require.NoError(t, p.Wait(context.Background()))
	return time.Since(start)
}

func TestNoHeadersNoHold(t *testing.T) {
	p := New(httpx.RateLimitHeaders{}, time.Minute)
	for range 100 {
		require.NoError(t, p.Wait(context.Background()))
		p.Done(200, http.Header{})
	}
	p.Done(0, nil) // a transport error
	assert.Zero(t, p.Holds())
}

func TestHoldsWhenTheBudgetIsSpent(t *testing.T) {
	p := New(httpx.RateLimitHeaders{}, time.Minute)
	require.NoError(t, p.Wait(context.Background()))
	p.Done(200, limitHeader(2, 150*time.Millisecond)) // two more in this window
	assert.Less(t, waitTook(t, p), 50*time.Millisecond)
	assert.Less(t, waitTook(t, p), 50*time.Millisecond)
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond, "the third waits for the reset")
	assert.Equal(t, 1, p.Holds())
}

// Requests in flight may not have been counted by the server yet: they
// come off the budget a response announces.
func TestInFlightRequestsCount(t *testing.T) {
	p := New(httpx.RateLimitHeaders{}, time.Minute)
	for range 3 {
		require.NoError(t, p.Wait(context.Background()))
	}
	p.Done(200, limitHeader(3, 150*time.Millisecond)) // 2 still in flight: 1 left
	assert.Less(t, waitTook(t, p), 50*time.Millisecond)
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond)
}

// A late answer from earlier in the window does not raise the budget.
func TestOutOfOrderAnswersDoNotRaiseTheBudget(t *testing.T) {
	p := New(httpx.RateLimitHeaders{}, time.Minute)
	require.NoError(t, p.Wait(context.Background()))
	require.NoError(t, p.Wait(context.Background()))
	p.Done(200, limitHeader(0, 150*time.Millisecond))
	p.Done(200, limitHeader(5, 150*time.Millisecond)) // sent earlier, answered later
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond)
}

func TestTooManyRequestsHoldsEveryone(t *testing.T) {
	p := New(httpx.RateLimitHeaders{}, time.Minute)
	require.NoError(t, p.Wait(context.Background()))
	h := http.Header{}
	h.Set("Retry-After", "0.15")
	p.Done(http.StatusTooManyRequests, h)
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond)

	require.NoError(t, p.Wait(context.Background()))
	p.Done(http.StatusTooManyRequests, http.Header{"Retry-After": {"0"}})
	assert.Less(t, waitTook(t, p), 50*time.Millisecond, "Retry-After: 0 holds nothing")
}

// A reset further away than the longest hold (a daily quota) holds
// nothing: the request goes, and a 429 is handled as a 429.
func TestFarResetDoesNotHold(t *testing.T) {
	p := New(httpx.RateLimitHeaders{}, 100*time.Millisecond)
	require.NoError(t, p.Wait(context.Background()))
	p.Done(200, limitHeader(0, time.Hour))
	assert.Less(t, waitTook(t, p), 50*time.Millisecond)
}

func TestNamedHeaders(t *testing.T) {
	p := New(httpx.RateLimitHeaders{Remaining: "RateLimit-Remaining", Reset: "RateLimit-Reset", ResetFormat: "seconds"}, time.Minute)
	require.NoError(t, p.Wait(context.Background()))
	p.Done(200, http.Header{"Ratelimit-Remaining": {"0"}, "Ratelimit-Reset": {"0.15"}})
	assert.GreaterOrEqual(t, waitTook(t, p), 100*time.Millisecond)
}

func TestWaitHonoursTheContext(t *testing.T) {
	p := New(httpx.RateLimitHeaders{}, time.Minute)
	require.NoError(t, p.Wait(context.Background()))
	p.Done(200, limitHeader(0, 30*time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	assert.ErrorIs(t, p.Wait(ctx), context.DeadlineExceeded)
	assert.Less(t, time.Since(start), time.Second)
}
