package intercom_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/intercom"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
)

const adminID = "991267390" // the seeded workspace's first admin

// file files a ticket for a teammate's removal and returns it.
func file(t *testing.T, e *connector.Engine) connector.Ticket {
	t.Helper()
	res, err := e.Provision(context.Background(), connector.Request{Op: connector.RemoveAccount,
		Account: map[string]any{"id": "991267393", "email": "declan.kelly@example.com"}, User: map[string]any{"email": "declan.kelly@example.com"}})
	require.NoError(t, err)
	require.NotNil(t, res.Ticket)
	return *res.Ticket
}

// sent returns the method, path and JSON body of the requests srv received
// after the first n.
func sent(t *testing.T, srv *intercomtest.Server, n int) (calls []string, bodies []map[string]any) {
	t.Helper()
	for _, r := range srv.Requests()[n:] {
		calls = append(calls, r.Method+" "+r.Path)
		var b map[string]any
		if len(r.Body) > 0 {
			require.NoError(t, json.Unmarshal(r.Body, &b))
		}
		bodies = append(bodies, b)
	}
	return calls, bodies
}

func TestCommentTicket(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{AdminID: adminID})
	ctx := context.Background()
	tk := file(t, e)
	n := len(srv.Requests())

	text := "Approved by <b>Ciara</b>.\nPlease go ahead."
	require.NoError(t, e.CommentTicket(ctx, tk.ID, text))
	calls, bodies := sent(t, srv, n)
	assert.Equal(t, []string{"POST /tickets/" + tk.ID + "/reply"}, calls)
	assert.Equal(t, map[string]any{"message_type": "note", "type": "admin", "admin_id": adminID, "body": text}, bodies[0])

	stored, _ := srv.Ticket(tk.ID)
	last := stored.Parts[len(stored.Parts)-1]
	assert.Equal(t, "note", last.PartType)
	assert.Equal(t, text, last.Body)
	assert.Equal(t, adminID, last.AuthorID)
	assert.Equal(t, "submitted", stored.State, "a note changes no state")
	assert.True(t, stored.Open)

	err := e.CommentTicket(ctx, "999999", "x")
	require.ErrorIs(t, err, connector.ErrNotFound)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ticket_not_found", ce.Code)

	// Without an admin to write it, nothing is sent.
	n = len(srv.Requests())
	noAdmin := newEngine(t, srv, intercom.Config{})
	err = noAdmin.CommentTicket(ctx, tk.ID, "x")
	require.ErrorContains(t, err, "adminID is needed")
	assert.Len(t, srv.Requests(), n)
}

func TestCancelTicket(t *testing.T) {
	clock := time.Unix(1719493000, 0)
	srv := intercomtest.NewServer(intercomtest.WithClock(func() time.Time { return clock }))
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{AdminID: adminID})
	ctx := context.Background()
	tk := file(t, e)
	require.NoError(t, srv.SetTicketState(tk.ID, "in_progress"))
	n := len(srv.Requests())

	got, err := e.CancelTicket(ctx, tk.ID, "Declan stays after all.")
	require.NoError(t, err)
	stored, _ := srv.Ticket(tk.ID)
	assert.Equal(t, connector.Ticket{ID: tk.ID, Number: tk.Number, State: connector.TicketRejected, Status: "in_progress",
		UpdatedAt: time.Unix(stored.UpdatedAt, 0).UTC()}, got)

	calls, bodies := sent(t, srv, n)
	assert.Equal(t, []string{"GET /tickets/" + tk.ID, "POST /tickets/" + tk.ID + "/reply", "PUT /tickets/" + tk.ID}, calls)
	assert.Equal(t, map[string]any{"message_type": "note", "type": "admin", "admin_id": adminID, "body": "Request cancelled: Declan stays after all."}, bodies[1])
	assert.Equal(t, map[string]any{"open": false}, bodies[2], "closed, not resolved")

	assert.False(t, stored.Open)
	assert.Equal(t, "in_progress", stored.State)
	var kinds []string
	for _, p := range stored.Parts[len(stored.Parts)-2:] {
		kinds = append(kinds, p.PartType)
	}
	assert.Equal(t, []string{"note", "close"}, kinds)
	assert.Equal(t, "Request cancelled: Declan stays after all.", stored.Parts[len(stored.Parts)-2].Body)

	polled, err := e.TicketStatus(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, got, polled, "the poll agrees with the cancel's answer")

	// Twice: nothing more is written.
	n = len(srv.Requests())
	_, err = e.CancelTicket(ctx, tk.ID, "again")
	require.NoError(t, err)
	calls, _ = sent(t, srv, n)
	assert.Equal(t, []string{"GET /tickets/" + tk.ID}, calls)

	// A resolved ticket is done: not cancelled.
	done := file(t, e)
	require.NoError(t, srv.SetTicketState(done.ID, "resolved"))
	got, err = e.CancelTicket(ctx, done.ID, "")
	require.ErrorIs(t, err, connector.ErrConflict)
	assert.Equal(t, connector.TicketCompleted, got.State)
	stored, _ = srv.Ticket(done.ID)
	assert.Equal(t, "resolved", stored.State)

	// No reason: the note still says what happened.
	other := file(t, e)
	_, err = e.CancelTicket(ctx, other.ID, "")
	require.NoError(t, err)
	stored, _ = srv.Ticket(other.ID)
	assert.Equal(t, "Request cancelled: nothing needs to be done.", stored.Parts[len(stored.Parts)-2].Body)

	// Without an admin to write the note, the ticket is read but not touched.
	open := file(t, e)
	n = len(srv.Requests())
	_, err = newEngine(t, srv, intercom.Config{}).CancelTicket(ctx, open.ID, "x")
	require.ErrorContains(t, err, "adminID is needed")
	calls, _ = sent(t, srv, n)
	assert.Equal(t, []string{"GET /tickets/" + open.ID}, calls)
	stored, _ = srv.Ticket(open.ID)
	assert.True(t, stored.Open)
}

func TestClosedWithoutResolvingIsRejected(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	e := newEngine(t, srv, intercom.Config{})
	for _, state := range []string{"submitted", "in_progress", "waiting_on_customer"} {
		tk := file(t, e)
		if state != "submitted" {
			require.NoError(t, srv.SetTicketState(tk.ID, state))
		}
		require.NoError(t, srv.CloseTicket(tk.ID)) // a teammate closes it in the Inbox
		got, err := e.TicketStatus(ctx, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, connector.TicketRejected, got.State, state)
		assert.Equal(t, state, got.Status, "Status is still Intercom's ticket_state")

		// Reopened, it is pending again.
		require.NoError(t, srv.SetTicketState(tk.ID, "in_progress"))
		got, err = e.TicketStatus(ctx, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, connector.TicketPending, got.State)
	}

	// Resolved (which closes) is completed.
	tk := file(t, e)
	require.NoError(t, srv.SetTicketState(tk.ID, "resolved"))
	got, err := e.TicketStatus(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketCompleted, got.State)

	// Config.States changes open tickets only: closed stays rejected.
	e = newEngine(t, srv, intercom.Config{States: map[string]connector.TicketState{"waiting_on_customer": connector.TicketOpen}})
	tk = file(t, e)
	require.NoError(t, srv.SetTicketState(tk.ID, "waiting_on_customer"))
	got, err = e.TicketStatus(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketOpen, got.State)
	require.NoError(t, srv.CloseTicket(tk.ID))
	got, err = e.TicketStatus(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketRejected, got.State)
}

func TestAssignNewTickets(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	e := newEngine(t, srv, intercom.Config{AdminID: adminID, TeamAssigneeID: "814866", AdminAssigneeID: "991267391"})
	n := len(srv.Requests())
	tk := file(t, e)

	calls, bodies := sent(t, srv, n)
	assert.Equal(t, []string{"POST /tickets", "PUT /tickets/" + tk.ID, "PUT /tickets/" + tk.ID}, calls)
	assert.Equal(t, map[string]any{"assignment": map[string]any{"admin_id": adminID, "assignee_id": "814866"}}, bodies[1])
	assert.Equal(t, map[string]any{"assignment": map[string]any{"admin_id": adminID, "assignee_id": "991267391"}}, bodies[2])
	stored, _ := srv.Ticket(tk.ID)
	assert.Equal(t, "814866", stored.TeamAssigneeID)
	assert.Equal(t, "991267391", stored.AdminAssigneeID)
	assert.Equal(t, connector.Ticket{ID: tk.ID, Number: stored.TicketID, State: connector.TicketPending, Status: "submitted",
		UpdatedAt: time.Unix(stored.UpdatedAt, 0).UTC()}, tk)

	// A team only, without an acting admin.
	e = newEngine(t, srv, intercom.Config{TeamAssigneeID: "814865"})
	n = len(srv.Requests())
	tk = file(t, e)
	_, bodies = sent(t, srv, n)
	require.Len(t, bodies, 2)
	assert.Equal(t, map[string]any{"assignment": map[string]any{"assignee_id": "814865"}}, bodies[1])
	stored, _ = srv.Ticket(tk.ID)
	assert.Equal(t, "814865", stored.TeamAssigneeID)
	assert.Equal(t, "0", stored.AdminAssigneeID)

	// An assignee Intercom does not know is its error, named.
	e = newEngine(t, srv, intercom.Config{TeamAssigneeID: "4242"})
	_, err := e.Provision(ctx, connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "1"}, User: map[string]any{"email": "x@example.com"}})
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "assignTeam", ce.Call)
	assert.Equal(t, "assignee_not_found", ce.Code)
}

func TestUpdateAccountUnchanged(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	ctx := context.Background()
	before, _ := srv.Admin("991267391")

	for _, account := range []map[string]any{
		{"id": "991267391"},
		{"id": "991267391", "away_mode_enabled": before.AwayModeEnabled},
		{"id": "991267391", "away_mode_enabled": before.AwayModeEnabled, "away_mode_reassign": before.AwayModeReassign},
		{"id": "991267391", "away_mode_enabled": nil, "away_mode_reassign": strings.ToUpper(fmt.Sprint(before.AwayModeReassign))}, // null is absent; text in any case
	} {
		n := len(srv.Requests())
		res, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: account,
			User: map[string]any{"title": "ignored: away mode is not an identity column"}})
		require.NoError(t, err)
		assert.True(t, res.Unchanged, "%v", account)
		assert.Equal(t, "991267391", res.AccountID)
		assert.Equal(t, map[string]any{"away_mode_enabled": before.AwayModeEnabled, "away_mode_reassign": before.AwayModeReassign}, res.Attributes)
		calls, _ := sent(t, srv, n)
		assert.Equal(t, []string{"GET /admins/991267391"}, calls, "zero writes")
	}

	n := len(srv.Requests())
	res, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "991267391", "away_mode_reassign": !before.AwayModeReassign}})
	require.NoError(t, err)
	assert.False(t, res.Unchanged)
	calls, _ := sent(t, srv, n)
	assert.Equal(t, []string{"GET /admins/991267391", "PUT /admins/991267391/away"}, calls)
	after, _ := srv.Admin("991267391")
	assert.Equal(t, !before.AwayModeReassign, after.AwayModeReassign)
	assert.Equal(t, before.AwayModeEnabled, after.AwayModeEnabled)
}

func TestAwaitTicket(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	for _, tt := range []struct {
		steps []string // "close" closes without resolving
		want  []string
		final connector.TicketState
	}{
		{[]string{"in_progress", "waiting_on_customer", "resolved"},
			[]string{"pending/submitted", "pending/in_progress", "pending/waiting_on_customer", "completed/resolved"}, connector.TicketCompleted},
		{[]string{"in_progress", "close"},
			[]string{"pending/submitted", "pending/in_progress", "rejected/in_progress"}, connector.TicketRejected},
	} {
		tk := file(t, e)
		steps := tt.steps
		var seen []string
		got, err := connector.AwaitTicket(context.Background(), e, tk.ID, connector.AwaitOptions{
			Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond,
			OnChange: func(t connector.Ticket) {
				seen = append(seen, string(t.State)+"/"+t.Status)
				if len(steps) > 0 {
					if steps[0] == "close" {
						_ = srv.CloseTicket(tk.ID)
					} else {
						_ = srv.SetTicketState(tk.ID, steps[0])
					}
					steps = steps[1:]
				}
			},
		})
		require.NoError(t, err)
		assert.Equal(t, tt.final, got.State)
		assert.Equal(t, tt.want, seen)
	}
}
