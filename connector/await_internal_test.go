package connector

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAwaitTicketSchedule runs AwaitTicket on a fake clock: the waits it
// asks for are recorded instead of slept.
func TestAwaitTicketSchedule(t *testing.T) {
	var (
		mu    sync.Mutex
		polls int
		final = 14 // the poll that finds the ticket done
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		polls++
		state := "open"
		if polls >= final {
			state = "done"
		}
		fmt.Fprintf(w, `{"state":%q}`, state)
	}))
	defer srv.Close()
	spec, err := Parse([]byte(strings.ReplaceAll(`{"name":"d","connection":{"baseURL":"$URL"},"tickets":{"status":{
	  "calls":[{"name":"get","path":"/t/{{ .ticket.id }}"}],"status":"{{ .responses.get.body.state }}",
	  "states":[{"equals":"done","state":"completed"},{"equals":"open","state":"open"}]}}}`, "$URL", srv.URL)))
	require.NoError(t, err)
	e, err := New(spec)
	require.NoError(t, err)

	var waits []time.Duration
	defer func(orig func(context.Context, time.Duration) error) { awaitSleep = orig }(awaitSleep)
	awaitSleep = func(ctx context.Context, d time.Duration) error {
		waits = append(waits, d)
		return ctx.Err()
	}
	run := func(opts AwaitOptions) []time.Duration {
		t.Helper()
		mu.Lock()
		polls = 0
		mu.Unlock()
		waits = nil
		tk, err := AwaitTicket(context.Background(), e, "7", opts)
		require.NoError(t, err)
		require.Equal(t, TicketCompleted, tk.State)
		return waits
	}

	s := time.Second
	assert.Equal(t, []time.Duration{30 * s, 45 * s, 67500 * time.Millisecond, 101250 * time.Millisecond, 151875 * time.Millisecond,
		227812500 * time.Microsecond, 341718750 * time.Microsecond, 512578125 * time.Microsecond, 768867187500 * time.Nanosecond,
		15 * time.Minute, 15 * time.Minute, 15 * time.Minute, 15 * time.Minute}, run(AwaitOptions{}),
		"the defaults: 30s growing by half to 15m, one wait between polls")
	assert.Equal(t, run(AwaitOptions{}), run(AwaitOptions{Interval: -1, MaxInterval: -1}), "negative means default")

	final = 4
	assert.Equal(t, []time.Duration{10 * s, 15 * s, 20 * s}, run(AwaitOptions{Interval: 10 * s, MaxInterval: 20 * s}))
	assert.Equal(t, []time.Duration{10 * time.Minute, 10 * time.Minute, 10 * time.Minute}, run(AwaitOptions{Interval: 10 * time.Minute, MaxInterval: time.Minute}),
		"a MaxInterval below Interval is raised to it")
	assert.Equal(t, []time.Duration{20 * time.Minute, 20 * time.Minute, 20 * time.Minute}, run(AwaitOptions{Interval: 20 * time.Minute}),
		"an Interval above the default MaxInterval is kept")
}

func TestTransient(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want bool
	}{
		{&Error{StatusCode: 503}, true},
		{&Error{StatusCode: 500}, true},
		{&Error{StatusCode: 408}, true},
		{&Error{StatusCode: 429, Err: ErrRateLimited}, true},
		{&Error{StatusCode: 200, Code: "TicketGet.AccessDenied", Err: ErrNotFound}, false},
		{&Error{StatusCode: 200, Message: "Error in a 200 body"}, false},
		{&Error{StatusCode: 404, Err: ErrNotFound}, false},
		{&Error{StatusCode: 401, Err: ErrAuth}, false},
		{&Error{StatusCode: 400}, false},
		{&Error{StatusCode: 502, Err: ErrAuth}, false}, // a mapped vendor code wins
		{&Error{Message: "request failed", Err: &netTimeout{}}, true},
		{&Error{Message: "canceled", Err: context.DeadlineExceeded}, true}, // an attempt's own timeout; AwaitTicket checks its ctx first
		{&Error{Path: "tickets.status.status", Message: "required value missing"}, false},
		{&Error{Message: "empty ticket ID"}, false},
		{fmt.Errorf("some other connector: %w", &netTimeout{}), true},
		{fmt.Errorf("unknown"), false},
	} {
		assert.Equal(t, tt.want, transient(tt.err), "%#v", tt.err)
	}
}

type netTimeout struct{}

func (*netTimeout) Error() string   { return "i/o timeout" }
func (*netTimeout) Timeout() bool   { return true }
func (*netTimeout) Temporary() bool { return true }
