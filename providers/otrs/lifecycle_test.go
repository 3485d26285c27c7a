package otrs_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/otrs"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

// fileOne files the AddAccess request of opRequests and returns its ticket.
func fileOne(t *testing.T, e *connector.Engine) connector.Ticket {
	t.Helper()
	res, err := e.Provision(context.Background(), opRequests[5].req)
	require.NoError(t, err)
	require.NotNil(t, res.Ticket)
	return *res.Ticket
}

func TestCommentTicket(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	tk := fileOne(t, e)
	before := len(srv.Requests())

	text := "Approved by the data owner.\nGrant it before Monday, please."
	require.NoError(t, e.CommentTicket(ctx, tk.ID, text))

	// Exactly one TicketUpdate, carrying the session and one article.
	reqs := srv.Requests()[before:]
	require.Len(t, reqs, 1)
	require.Equal(t, "PATCH", reqs[0].Method)
	assert.Equal(t, otrstest.ScriptPath+"/Webservice/"+otrstest.DefaultWebservice+"/Ticket/"+tk.ID, reqs[0].Path)
	assert.Empty(t, reqs[0].RawQuery)
	body := jsonBody(t, reqs[0])
	assert.NotEmpty(t, body["SessionID"])
	delete(body, "SessionID")
	assert.Equal(t, map[string]any{"Article": map[string]any{
		"CommunicationChannel": "Internal", "SenderType": "agent", "IsVisibleForCustomer": float64(1),
		"Subject": "Approved by the data owner.", "Body": text, "ContentType": "text/plain; charset=utf8",
	}}, body)

	// The fake shows the article; the ticket's state is untouched.
	got, _ := srv.Ticket(tk.ID)
	require.Len(t, got.Articles, 2)
	a := got.Articles[1]
	assert.Equal(t, "Approved by the data owner.", a.Subject)
	assert.Equal(t, text, a.Body)
	assert.Equal(t, "Internal", a.CommunicationChannel)
	assert.Equal(t, "agent", a.SenderType)
	assert.True(t, a.IsVisibleForCustomer)
	assert.Equal(t, "open", got.State)

	// A long first line is cut for the subject; the body keeps it whole.
	long := "Needed for the Q3 audit: the quick brown fox jumps over the lazy dog, again and again and again and again"
	require.NoError(t, e.CommentTicket(ctx, tk.ID, long))
	got, _ = srv.Ticket(tk.ID)
	assert.Equal(t, strings.TrimSpace(long[:100]), got.Articles[2].Subject, "OTRS trims what it stores")
	assert.Equal(t, long, got.Articles[2].Body)

	err := e.CommentTicket(ctx, "4711", "hello")
	require.ErrorIs(t, err, connector.ErrNotFound)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "TicketUpdate.AccessDenied", ce.Code)
}

func TestCancelTicket(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	tk := fileOne(t, e)
	before := len(srv.Requests())

	got, err := e.CancelTicket(ctx, tk.ID, "The request was withdrawn by the manager.")
	require.NoError(t, err)
	stored, _ := srv.Ticket(tk.ID)
	assert.Equal(t, connector.Ticket{ID: tk.ID, Number: tk.Number, State: connector.TicketRejected, Status: "closed unsuccessful",
		UpdatedAt: stored.Changed, URL: zoomURL(srv, tk.ID)}, got)

	// Read, update, read again: TicketUpdate's answer has no state.
	reqs := srv.Requests()[before:]
	require.Len(t, reqs, 3)
	assert.Equal(t, []string{"GET", "PATCH", "GET"}, []string{reqs[0].Method, reqs[1].Method, reqs[2].Method})
	body := jsonBody(t, reqs[1])
	delete(body, "SessionID")
	assert.Equal(t, map[string]any{
		"Ticket": map[string]any{"State": "closed unsuccessful"},
		"Article": map[string]any{"CommunicationChannel": "Internal", "SenderType": "agent", "IsVisibleForCustomer": float64(1),
			"Subject": "Request cancelled", "Body": "The request was withdrawn by the manager.", "ContentType": "text/plain; charset=utf8"},
	}, body)
	assert.Equal(t, "closed unsuccessful", stored.State)
	assert.Equal(t, "closed", stored.StateType)
	assert.Equal(t, "unlock", stored.Lock)
	require.Len(t, stored.Articles, 2)
	assert.Equal(t, "Request cancelled", stored.Articles[1].Subject)

	// Again: already rejected, nothing sent but the read.
	n := len(srv.Requests())
	got, err = e.CancelTicket(ctx, tk.ID, "twice")
	require.NoError(t, err)
	assert.Equal(t, connector.TicketRejected, got.State)
	assert.Len(t, srv.Requests(), n+1)

	// Completed work is not cancelled.
	done := fileOne(t, e)
	require.NoError(t, srv.CloseTicket(done.ID, "closed successful"))
	got, err = e.CancelTicket(ctx, done.ID, "")
	require.ErrorIs(t, err, connector.ErrConflict)
	assert.Equal(t, connector.TicketCompleted, got.State)
	stored, _ = srv.Ticket(done.ID)
	assert.Equal(t, "closed successful", stored.State)
	assert.Len(t, stored.Articles, 1)

	// Without a reason the article still says what happened.
	other := fileOne(t, e)
	_, err = e.CancelTicket(ctx, other.ID, "  ")
	require.NoError(t, err)
	stored, _ = srv.Ticket(other.ID)
	assert.Equal(t, "The request was cancelled; nothing needs to be done.", stored.Articles[1].Body)

	_, err = e.CancelTicket(ctx, "4711", "x")
	require.ErrorIs(t, err, connector.ErrNotFound)
}

func TestCancelState(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	// A state whose type the default rules do not know still reads
	// rejected once it is the cancel state.
	for _, state := range []string{"removed", "merged", "closed unsuccessful"} {
		e := newEngine(t, srv, otrs.Config{CancelState: state})
		tk := fileOne(t, e)
		got, err := e.CancelTicket(ctx, tk.ID, "no longer needed")
		require.NoError(t, err, state)
		assert.Equal(t, connector.TicketRejected, got.State, state)
		assert.Equal(t, state, got.Status)
		stored, _ := srv.Ticket(tk.ID)
		assert.Equal(t, state, stored.State)
	}

	// A pending state as cancel state reads rejected too (pending is not
	// final, so it would otherwise be waited on for ever).
	e := newEngine(t, srv, otrs.Config{CancelState: "pending auto close-"})
	tk := fileOne(t, e)
	require.NoError(t, srv.SetState(tk.ID, "pending auto close-"))
	got, err := e.TicketStatus(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketRejected, got.State)
	// ... and only that state: other pending states stay pending.
	require.NoError(t, srv.SetState(tk.ID, "pending auto close+"))
	got, err = e.TicketStatus(ctx, tk.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketPending, got.State)

	_, err = otrs.New(otrs.Config{BaseURL: srv.URL, UserLogin: "u", Password: "p", CancelState: "closed successful"})
	require.ErrorContains(t, err, "reads completed")
}

func TestRequestIDField(t *testing.T) {
	srv := otrstest.NewServer(otrstest.WithDynamicField("RequestID"))
	defer srv.Close()
	ctx := context.Background()
	e := newEngine(t, srv, otrs.Config{RequestIDField: "RequestID"})

	res, err := e.Provision(ctx, opRequests[0].req) // Task id REQ-42
	require.NoError(t, err)
	stored, _ := srv.Ticket(res.Ticket.ID)
	assert.Equal(t, map[string]string{"RequestID": "REQ-42"}, stored.DynamicFields)
	posts := requests(srv, "POST", "/Ticket")
	assert.Equal(t, []any{map[string]any{"Name": "RequestID", "Value": "REQ-42"}}, jsonBody(t, posts[len(posts)-1])["DynamicField"])

	// A numeric task ID is sent as text; no task ID sends no field.
	req := opRequests[2].req
	req.Task = map[string]any{"id": 90017, "requestor": "jane.doe"}
	res, err = e.Provision(ctx, req)
	require.NoError(t, err)
	stored, _ = srv.Ticket(res.Ticket.ID)
	assert.Equal(t, map[string]string{"RequestID": "90017"}, stored.DynamicFields)
	req.Task = map[string]any{"requestor": "jane.doe"}
	res, err = e.Provision(ctx, req)
	require.NoError(t, err)
	stored, _ = srv.Ticket(res.Ticket.ID)
	assert.Empty(t, stored.DynamicFields)
	posts = requests(srv, "POST", "/Ticket")
	assert.NotContains(t, jsonBody(t, posts[len(posts)-1]), "DynamicField")

	// A field OTRS does not have is OTRS's error, named.
	e = newEngine(t, srv, otrs.Config{RequestIDField: "NoSuchField"})
	_, err = e.Provision(ctx, opRequests[0].req)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "TicketCreate.InvalidParameter", ce.Code)
	assert.Contains(t, ce.Message, "DynamicField")
}

func TestAwaitTicket(t *testing.T) {
	var (
		mu  sync.Mutex
		now = time.Date(2024, 10, 2, 7, 0, 0, 0, time.UTC)
	)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := otrstest.NewServer(otrstest.WithClock(clock))
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	tk := fileOne(t, e)

	// An agent works the ticket, an hour a step, while restconn waits.
	steps := []string{"pending reminder", "closed successful"}
	var seen []string
	got, err := connector.AwaitTicket(context.Background(), e, tk.ID, connector.AwaitOptions{
		Interval: time.Millisecond, MaxInterval: 2 * time.Millisecond,
		OnChange: func(t connector.Ticket) {
			seen = append(seen, string(t.State)+"/"+t.Status+" "+t.UpdatedAt.Format(time.TimeOnly))
			if len(steps) > 0 {
				mu.Lock()
				now = now.Add(time.Hour)
				mu.Unlock()
				_ = srv.SetState(tk.ID, steps[0])
				steps = steps[1:]
			}
		},
	})
	require.NoError(t, err)
	assert.Equal(t, connector.TicketCompleted, got.State)
	assert.Equal(t, []string{"open/open 07:00:00", "pending/pending reminder 08:00:00", "completed/closed successful 09:00:00"}, seen)
	assert.Equal(t, time.Date(2024, 10, 2, 9, 0, 0, 0, time.UTC), got.UpdatedAt, "Changed, read as UTC")
	assert.Equal(t, zoomURL(srv, tk.ID), got.URL)
}
