package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// deskServer is a ticket desk: POST /tickets files one, GET /tickets/{id}
// reads it, POST /tickets/{id}/notes adds a note and PUT /tickets/{id}
// changes its state (with an optional note); tests move tickets between
// states, and fail, delete or script them.
type deskServer struct {
	*httptest.Server
	mu      sync.Mutex
	tickets map[string]map[string]any
	clock   int64             // Unix seconds of the next change
	methods map[string]int    // requests by method
	fail    []int             // statuses to answer the next GETs with, in order
	onGet   func(id string)   // called (locked) before a GET is answered
	drop    int               // GETs to answer by closing the connection
	headers map[string]string // extra headers for failed GETs
}

func newDesk(t *testing.T) *deskServer {
	d := &deskServer{tickets: map[string]map[string]any{}, clock: 1719493048, methods: map[string]int{}}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		d.methods[r.Method]++
		w.Header().Set("Content-Type", "application/json")
		var in map[string]any
		if b, _ := io.ReadAll(r.Body); len(b) > 0 {
			_ = json.Unmarshal(b, &in)
		}
		if r.Method == "POST" && r.URL.Path == "/tickets" {
			id := fmt.Sprint(100 + len(d.tickets))
			in["id"], in["number"], in["state"], in["stateType"] = id, "T-"+id, "new", "new"
			in["updated"], in["notes"] = d.clock, []any{}
			d.tickets[id] = in
			_ = json.NewEncoder(w).Encode(in)
			return
		}
		rest := strings.TrimPrefix(r.URL.Path, "/tickets/")
		id, sub, _ := strings.Cut(rest, "/")
		if r.Method == "GET" {
			if d.drop > 0 {
				d.drop--
				conn, _, _ := w.(http.Hijacker).Hijack()
				_ = conn.Close()
				return
			}
			if len(d.fail) > 0 {
				status := d.fail[0]
				d.fail = d.fail[1:]
				for k, v := range d.headers {
					w.Header().Set(k, v)
				}
				w.WriteHeader(status)
				fmt.Fprintf(w, `{"error":"injected %d"}`, status)
				return
			}
			if d.onGet != nil {
				d.onGet(id)
			}
		}
		tk, ok := d.tickets[id]
		if !ok {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":"no such ticket"}`)
			return
		}
		switch {
		case r.Method == "POST" && sub == "notes":
			d.clock++
			tk["notes"], tk["updated"] = append(tk["notes"].([]any), in["text"]), d.clock
		case r.Method == "PUT" && sub == "":
			d.clock++
			tk["stateType"], tk["state"], tk["updated"] = in["stateType"], in["state"], d.clock
			if note, ok := in["note"]; ok {
				tk["notes"] = append(tk["notes"].([]any), note)
			}
		case r.Method != "GET" || sub != "":
			w.WriteHeader(405)
			return
		}
		_ = json.NewEncoder(w).Encode(tk)
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *deskServer) set(id, stateType, state string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.clock++
	d.tickets[id]["stateType"], d.tickets[id]["state"], d.tickets[id]["updated"] = stateType, state, d.clock
}

func (d *deskServer) ticket(id string) map[string]any {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.tickets[id]
}

func (d *deskServer) count(method string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.methods[method]
}

const deskSpec = `{"name":"desk","connection":{"baseURL":"$URL","errors":{"message":"error"}},
 "provision":{
   "createAccount":{"ticket":{"title":"New account for {{ .user.email }}"}},
   "removeAccount":{"ticket":{}},
   "addAccess":{"ticket":{}}},
 "tickets":{
   "create":{"calls":[{"name":"file","method":"POST","path":"/tickets",
       "body":{"title":"{{ .ticket.title }}","body":"{{ .ticket.description }}","op":"{{ .op }}"}}],
     "id":"{{ .responses.file.body.id }}","number":"{{ .responses.file.body.number }}","status":"{{ .responses.file.body.state }}",
     "key":"{{ .responses.file.body.stateType }}/{{ .responses.file.body.state }}"},
   "status":{"calls":[{"name":"get","path":"/tickets/{{ .ticket.id }}"}],
     "status":"{{ .responses.get.body.state }}",
     "key":"{{ .responses.get.body.stateType }}/{{ .responses.get.body.state }}",
     "number":"{{ .responses.get.body.number }}",
     "states":[
       {"equals":"closed/closed successful","state":"completed"},
       {"matches":"^(closed|removed|merged)/","state":"rejected"},
       {"matches":"^pending","state":"pending"},
       {"in":["new/new","open/open"],"state":"open"}]}}}`

func TestTicketLifecycle(t *testing.T) {
	d := newDesk(t)
	e, err := connector.New(spec(t, deskSpec, d.URL))
	require.NoError(t, err)
	ctx := context.Background()

	res, err := e.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "ann@x"}, Task: map[string]any{"id": "REQ-7"}})
	require.NoError(t, err)
	require.NotNil(t, res.Ticket)
	assert.Equal(t, connector.Ticket{ID: "100", Number: "T-100", State: connector.TicketOpen, Status: "new"}, *res.Ticket)
	assert.Equal(t, "New account for ann@x", d.tickets["100"]["title"])
	assert.Contains(t, d.tickets["100"]["body"], "Requested operation: createAccount")
	assert.Contains(t, d.tickets["100"]["body"], "id: REQ-7")

	res, err = e.Provision(ctx, connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "a1", "name": "ann"},
		Entitlement: &connector.Entitlement{Type: "team", ID: "7", Name: "Sales"}})
	require.NoError(t, err)
	assert.Equal(t, `Grant team "Sales" for ann`, d.tickets["101"]["title"], "the default title says what, which and for whom")
	assert.Equal(t, "addAccess", d.tickets["101"]["op"])

	for _, tt := range []struct {
		stateType, state string
		want             connector.TicketState
	}{
		{"open", "open", connector.TicketOpen},
		{"pending reminder", "pending reminder", connector.TicketPending},
		{"pending auto", "pending auto close+", connector.TicketPending},
		{"closed", "closed successful", connector.TicketCompleted},
		{"closed", "closed unsuccessful", connector.TicketRejected},
		{"removed", "removed", connector.TicketRejected},
		{"merged", "merged", connector.TicketRejected},
	} {
		d.set("100", tt.stateType, tt.state)
		tk, err := e.TicketStatus(ctx, "100")
		require.NoError(t, err)
		assert.Equal(t, connector.Ticket{ID: "100", Number: "T-100", State: tt.want, Status: tt.state}, tk, tt.state)
	}

	d.set("100", "weird", "weird")
	_, err = e.TicketStatus(ctx, "100")
	assert.ErrorContains(t, err, `status "weird/weird" matches no rule`)

	_, err = e.TicketStatus(ctx, "999")
	require.ErrorIs(t, err, connector.ErrNotFound)
	assert.ErrorContains(t, err, "no such ticket")
}

// helpdeskSpec is deskSpec with the whole ticket life: updatedAt and url
// on create and status, comment, and a cancel that reads the state from
// its response ($CANCEL_READ) or, without it, polls. Single attempts and
// no rate-limit waits, so that AwaitTicket's own retries are what tests
// see.
const helpdeskSpec = `{"name":"helpdesk","connection":{"baseURL":"$URL","errors":{"message":"error"},
   "retry":{"maxAttempts":1,"maxWait":"1ms"}},
 "provision":{"createAccount":{"ticket":{}}},
 "tickets":{
   "create":{"calls":[{"name":"file","method":"POST","path":"/tickets","body":{"title":"{{ .ticket.title }}"}}],
     "id":"{{ .responses.file.body.id }}","number":"{{ .responses.file.body.number }}",
     "status":"{{ .responses.file.body.state }}",
     "key":"{{ .responses.file.body.stateType }}/{{ .responses.file.body.state }}",
     "updatedAt":"{{ .responses.file.body.updated }}","url":"https://desk.example.com/t/{{ .responses.file.body.number }}"},
   "status":{"calls":[{"name":"get","path":"/tickets/{{ .ticket.id }}"}],
     "status":"{{ .responses.get.body.state }}",
     "key":"{{ .responses.get.body.stateType }}/{{ .responses.get.body.state }}",
     "number":"{{ .responses.get.body.number }}",
     "updatedAt":"{{ .responses.get.body.updated }}",
     "url":" https://desk.example.com/t/{{ .responses.get.body.number }}\n",
     "states":[
       {"equals":"closed/closed successful","state":"completed"},
       {"matches":"^(closed|removed|merged)/","state":"rejected"},
       {"matches":"^pending","state":"pending"},
       {"in":["new/new","open/open"],"state":"open"}]},
   "comment":{"calls":[{"method":"POST","path":"/tickets/{{ .ticket.id }}/notes","body":{"text":"{{ .ticket.text }}"}}]},
   "cancel":{"calls":[{"name":"close","method":"PUT","path":"/tickets/{{ .ticket.id }}",
       "body":{"stateType":"closed","state":"closed unsuccessful","note":"{{ .ticket.reason | default \"Withdrawn.\" }}"}}]
     $CANCEL_READ}}}`

const cancelRead = `,"status":"{{ .responses.close.body.state }}",
     "key":"{{ .responses.close.body.stateType }}/{{ .responses.close.body.state }}",
     "number":"{{ .responses.close.body.number }}","updatedAt":"{{ .responses.close.body.updated }}"`

func newHelpdesk(t *testing.T, cancelReads bool) (*deskServer, *connector.Engine) {
	t.Helper()
	d := newDesk(t)
	js := strings.ReplaceAll(helpdeskSpec, "$CANCEL_READ", "")
	if cancelReads {
		js = strings.ReplaceAll(helpdeskSpec, "$CANCEL_READ", cancelRead)
	}
	e, err := connector.New(spec(t, js, d.URL))
	require.NoError(t, err)
	return d, e
}

func fileTicket(t *testing.T, e *connector.Engine) connector.Ticket {
	t.Helper()
	res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "ann@example.com"}})
	require.NoError(t, err)
	require.NotNil(t, res.Ticket)
	return *res.Ticket
}

func TestTicketUpdatedAtAndURL(t *testing.T) {
	d, e := newHelpdesk(t, false)
	created := fileTicket(t, e)
	assert.Equal(t, connector.Ticket{ID: "100", Number: "T-100", State: connector.TicketOpen, Status: "new",
		UpdatedAt: time.Unix(1719493048, 0).UTC(), URL: "https://desk.example.com/t/T-100"}, created)

	d.set("100", "open", "open")
	tk, err := e.TicketStatus(context.Background(), "100")
	require.NoError(t, err)
	assert.Equal(t, connector.Ticket{ID: "100", Number: "T-100", State: connector.TicketOpen, Status: "open",
		UpdatedAt: time.Unix(1719493049, 0).UTC(), URL: "https://desk.example.com/t/T-100"}, tk, "the URL is trimmed")
	assert.Equal(t, time.UTC, tk.UpdatedAt.Location())

	for _, tt := range []struct {
		updated any
		want    time.Time
		err     string
	}{
		{updated: 1719493048, want: time.Unix(1719493048, 0)},
		{updated: "1719493048", want: time.Unix(1719493048, 0)},
		{updated: "2024-10-02T07:05:39Z", want: time.Date(2024, 10, 2, 7, 5, 39, 0, time.UTC)},
		{updated: "2024-10-02T09:05:39.25+02:00", want: time.Date(2024, 10, 2, 7, 5, 39, 250e6, time.UTC)},
		{updated: "", want: time.Time{}},
		{updated: " ", want: time.Time{}},
		{updated: "2024-10-02 07:05:39", err: `tickets.status.updatedAt: renders "2024-10-02 07:05:39": want an RFC 3339 time`},
		{updated: 1719493048.5, err: `renders "1719493048.5"`},
		{updated: "yesterday", err: `renders "yesterday"`},
	} {
		t.Run(fmt.Sprint(tt.updated), func(t *testing.T) {
			d.mu.Lock()
			d.tickets["100"]["updated"] = tt.updated
			d.mu.Unlock()
			tk, err := e.TicketStatus(context.Background(), "100")
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				var ce *connector.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "tickets.status.updatedAt", ce.Path)
				return
			}
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(tk.UpdatedAt), "got %v", tk.UpdatedAt)
			assert.Equal(t, tt.want.IsZero(), tk.UpdatedAt.IsZero())
		})
	}

	// In JSON, updatedAt is RFC 3339 and left out when unknown.
	b, err := json.Marshal(created)
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"100","number":"T-100","state":"open","status":"new","updatedAt":"2024-06-27T12:57:28Z","url":"https://desk.example.com/t/T-100"}`, string(b))
	b, err = json.Marshal(connector.Ticket{ID: "1", State: connector.TicketPending})
	require.NoError(t, err)
	assert.JSONEq(t, `{"id":"1","state":"pending"}`, string(b))
}

func TestCommentTicket(t *testing.T) {
	ctx := context.Background()
	d, e := newHelpdesk(t, false)
	tk := fileTicket(t, e)
	require.NoError(t, e.CommentTicket(ctx, tk.ID, "Approved by the app owner."))
	require.NoError(t, e.CommentTicket(ctx, tk.ID, `Second note: "quoted" & <tagged>`))
	assert.Equal(t, []any{"Approved by the app owner.", `Second note: "quoted" & <tagged>`}, d.ticket(tk.ID)["notes"])

	err := e.CommentTicket(ctx, "999", "hello")
	require.ErrorIs(t, err, connector.ErrNotFound)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, connector.Operation("ticketComment"), ce.Op)
	assert.Equal(t, 404, ce.StatusCode)

	posts := d.count("POST")
	for _, bad := range []struct{ id, text, msg string }{{tk.ID, "", "empty comment text"}, {tk.ID, " \n", "empty comment text"}, {"", "x", "empty ticket ID"}} {
		err := e.CommentTicket(ctx, bad.id, bad.text)
		assert.ErrorContains(t, err, bad.msg)
	}
	assert.Equal(t, posts, d.count("POST"), "refused before any request")

	// A spec without tickets.comment (or cancel) cannot do either.
	plain, err := connector.New(spec(t, deskSpec, d.URL))
	require.NoError(t, err)
	assert.ErrorIs(t, plain.CommentTicket(ctx, tk.ID, "x"), connector.ErrUnsupported)
	_, err = plain.CancelTicket(ctx, tk.ID, "x")
	assert.ErrorIs(t, err, connector.ErrUnsupported)
	assert.ErrorContains(t, err, "the spec has no tickets.cancel")
	assert.Equal(t, posts, d.count("POST"))
	assert.Zero(t, d.count("PUT"))
}

func TestCancelTicket(t *testing.T) {
	ctx := context.Background()
	for _, reads := range []bool{true, false} {
		name := map[bool]string{true: "state from the cancel's response", false: "state from a poll"}[reads]
		t.Run(name, func(t *testing.T) {
			d, e := newHelpdesk(t, reads)
			tk := fileTicket(t, e)
			d.set(tk.ID, "open", "open")
			gets := d.count("GET")

			got, err := e.CancelTicket(ctx, tk.ID, "The employee left before the start date.")
			require.NoError(t, err)
			assert.Equal(t, connector.Ticket{ID: tk.ID, Number: "T-100", State: connector.TicketRejected, Status: "closed unsuccessful",
				UpdatedAt: time.Unix(1719493050, 0).UTC(), URL: map[bool]string{false: "https://desk.example.com/t/T-100"}[reads]}, got)
			assert.Equal(t, []any{"The employee left before the start date."}, d.ticket(tk.ID)["notes"])
			wantGets := map[bool]int{true: 1, false: 2}[reads] // the check before, and the poll after
			assert.Equal(t, gets+wantGets, d.count("GET"))
			assert.Equal(t, 1, d.count("PUT"))

			// Cancelling again changes nothing: the ticket is already rejected.
			again, err := e.CancelTicket(ctx, tk.ID, "twice")
			require.NoError(t, err)
			assert.Equal(t, connector.TicketRejected, again.State)
			assert.Equal(t, 1, d.count("PUT"))
			assert.Len(t, d.ticket(tk.ID)["notes"], 1)

			// A completed ticket is never turned into a rejected one.
			done := fileTicket(t, e)
			d.set(done.ID, "closed", "closed successful")
			got, err = e.CancelTicket(ctx, done.ID, "")
			require.ErrorIs(t, err, connector.ErrConflict)
			assert.ErrorContains(t, err, "already completed")
			assert.Equal(t, connector.TicketCompleted, got.State)
			assert.Equal(t, "closed successful", d.ticket(done.ID)["state"])
			assert.Equal(t, 1, d.count("PUT"))

			// An empty reason is allowed; the spec supplies its own text.
			open := fileTicket(t, e)
			got, err = e.CancelTicket(ctx, open.ID, "")
			require.NoError(t, err)
			assert.Equal(t, connector.TicketRejected, got.State)
			assert.Equal(t, []any{"Withdrawn."}, d.ticket(open.ID)["notes"])

			_, err = e.CancelTicket(ctx, "999", "x")
			require.ErrorIs(t, err, connector.ErrNotFound)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, connector.Operation("ticketCancel"), ce.Op)
			_, err = e.CancelTicket(ctx, "", "x")
			assert.ErrorContains(t, err, "empty ticket ID")
			assert.Equal(t, 2, d.count("PUT"))
		})
	}
}
