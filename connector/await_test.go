package connector_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// fast polls every millisecond or two, so tests wait for real but briefly.
var fast = connector.AwaitOptions{Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond}

// script moves a desk ticket one step along steps at each poll that
// reads it, after the first: the agent works while restconn waits.
func (d *deskServer) script(id string, steps ...[2]string) {
	reads := 0
	d.onGet = func(got string) {
		if got != id || len(steps) == 0 {
			return
		}
		if reads++; reads > 1 {
			st := steps[0]
			steps = steps[1:]
			d.clock++
			d.tickets[id]["stateType"], d.tickets[id]["state"], d.tickets[id]["updated"] = st[0], st[1], d.clock
		}
	}
}

func TestAwaitTicketThroughEveryState(t *testing.T) {
	for _, tt := range []struct {
		name  string
		steps [][2]string
		want  []string // the states and statuses OnChange sees
		final connector.TicketState
	}{
		{"completed", [][2]string{{"new", "new"}, {"open", "open"}, {"open", "open"}, {"pending reminder", "pending reminder"},
			{"pending auto", "pending auto close+"}, {"closed", "closed successful"}},
			[]string{"open/new", "open/open", "pending/pending reminder", "pending/pending auto close+", "completed/closed successful"}, connector.TicketCompleted},
		{"rejected", [][2]string{{"open", "open"}, {"merged", "merged"}},
			[]string{"open/new", "open/open", "rejected/merged"}, connector.TicketRejected},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, e := newHelpdesk(t, true)
			tk := fileTicket(t, e)
			d.methods["GET"] = 0
			d.script(tk.ID, tt.steps...)
			var seen []string
			opts := fast
			opts.OnChange = func(t connector.Ticket) { seen = append(seen, string(t.State)+"/"+t.Status) }
			got, err := connector.AwaitTicket(context.Background(), e, tk.ID, opts)
			require.NoError(t, err)
			assert.Equal(t, tt.final, got.State)
			assert.Equal(t, tt.want, seen, "the first reading and each change of state or status, nothing else")
			assert.Equal(t, len(tt.steps)+1, d.count("GET"), "stops at the final state")
			assert.Equal(t, "T-100", got.Number)
			assert.False(t, got.UpdatedAt.IsZero())
		})
	}
}

func TestAwaitTicketFinalAtOnce(t *testing.T) {
	d, e := newHelpdesk(t, true)
	tk := fileTicket(t, e)
	d.set(tk.ID, "closed", "closed successful")
	n := 0
	// Long waits: a final ticket must not wait at all.
	got, err := connector.AwaitTicket(context.Background(), e, tk.ID, connector.AwaitOptions{OnChange: func(connector.Ticket) { n++ }})
	require.NoError(t, err)
	assert.Equal(t, connector.TicketCompleted, got.State)
	assert.Equal(t, 1, n)
	assert.Equal(t, 1, d.count("GET"))
}

func TestAwaitTicketContextEnds(t *testing.T) {
	d, e := newHelpdesk(t, true)
	tk := fileTicket(t, e)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	got, err := connector.AwaitTicket(ctx, e, tk.ID, fast)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, connector.TicketOpen, got.State, "the last ticket read comes back with the error")
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, connector.Operation("awaitTicket"), ce.Op)
	assert.Contains(t, err.Error(), `stopped waiting for ticket 100: still open (status "new")`)
	assert.Greater(t, d.count("GET"), 1)

	// Cancelled from OnChange, during the long default wait.
	ctx, cancel = context.WithCancel(context.Background())
	start := time.Now()
	_, err = connector.AwaitTicket(ctx, e, tk.ID, connector.AwaitOptions{OnChange: func(connector.Ticket) { cancel() }})
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 10*time.Second)

	// Already ended: no ticket read.
	got, err = connector.AwaitTicket(ctx, e, tk.ID, fast)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, connector.Ticket{}, got)
	assert.Contains(t, err.Error(), "before it was read")
}

func TestAwaitTicketNotFoundMidWait(t *testing.T) {
	d, e := newHelpdesk(t, true)
	tk := fileTicket(t, e)
	d.methods["GET"] = 0
	d.onGet = func(id string) {
		if d.methods["GET"] == 3 {
			delete(d.tickets, id) // an agent deleted the ticket
		}
	}
	got, err := connector.AwaitTicket(context.Background(), e, tk.ID, fast)
	require.ErrorIs(t, err, connector.ErrNotFound)
	assert.Equal(t, connector.TicketOpen, got.State)
	assert.Equal(t, 3, d.count("GET"), "no poll after the 404")
}

func TestAwaitTicketRetriesTransientErrors(t *testing.T) {
	d, e := newHelpdesk(t, true)
	tk := fileTicket(t, e)
	d.methods["GET"] = 0
	d.fail = []int{503, 429, 500, 502, 504, 408}
	d.headers = map[string]string{"Retry-After": "3600"} // far beyond the spec's maxWait: the engine gives up at once
	d.drop = 1                                           // and one connection cut without a response
	d.script(tk.ID, [2]string{"closed", "closed successful"})
	var changes int
	opts := fast
	opts.OnChange = func(connector.Ticket) { changes++ }
	got, err := connector.AwaitTicket(context.Background(), e, tk.ID, opts)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketCompleted, got.State)
	assert.Equal(t, 9, d.count("GET"), "seven failures, then new, then closed")
	assert.Equal(t, 2, changes)
}

func TestAwaitTicketPermanentErrorsEnd(t *testing.T) {
	for _, status := range []int{401, 403, 400, 422} {
		d, e := newHelpdesk(t, true)
		tk := fileTicket(t, e)
		d.methods["GET"] = 0
		d.fail = []int{status}
		_, err := connector.AwaitTicket(context.Background(), e, tk.ID, fast)
		require.Error(t, err, "%d", status)
		var ce *connector.Error
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, status, ce.StatusCode)
		assert.Equal(t, status == 401 || status == 403, errors.Is(err, connector.ErrAuth))
		assert.Equal(t, 1, d.count("GET"), "%d is not retried", status)
	}

	// A spec without tickets.status, and a status no rule maps.
	d := newDesk(t)
	plain, err := connector.New(spec(t, `{"name":"x","connection":{"baseURL":"$URL"}}`, d.URL))
	require.NoError(t, err)
	_, err = connector.AwaitTicket(context.Background(), plain, "1", fast)
	require.ErrorIs(t, err, connector.ErrUnsupported)

	d, e := newHelpdesk(t, true)
	tk := fileTicket(t, e)
	d.set(tk.ID, "weird", "weird")
	_, err = connector.AwaitTicket(context.Background(), e, tk.ID, fast)
	require.ErrorContains(t, err, "matches no rule")
	assert.Equal(t, 1, d.count("GET"))

	_, err = connector.AwaitTicket(context.Background(), e, "", fast)
	require.ErrorContains(t, err, "empty ticket ID")
}

// Transient classifies what TicketStatus returns, for callers that retry
// on their own schedule (a job engine): server errors and lost
// connections may pass, a refusal or a missing ticket does not.
func TestTransientOnTicketStatusErrors(t *testing.T) {
	for _, tt := range []struct {
		fail []int
		drop int
		want bool
	}{
		{fail: []int{500}, want: true},
		{fail: []int{408}, want: true},
		{fail: []int{503, 503, 503, 503, 503, 503, 503, 503, 503, 503}, want: true}, // beyond the engine's own retries
		{drop: 10, want: true},
		{fail: []int{400}, want: false},
		{fail: []int{401}, want: false},
		{fail: []int{404}, want: false},
	} {
		d, e := newHelpdesk(t, true)
		tk := fileTicket(t, e)
		d.mu.Lock()
		d.fail, d.drop = tt.fail, tt.drop
		d.mu.Unlock()
		_, err := e.TicketStatus(context.Background(), tk.ID)
		require.Error(t, err, "fail %v drop %d", tt.fail, tt.drop)
		assert.Equal(t, tt.want, connector.Transient(err), "fail %v drop %d: %v", tt.fail, tt.drop, err)
	}
	assert.False(t, connector.Transient(nil))
	assert.False(t, connector.Transient(errors.New("another connector's error")))
}
