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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// deskServer is a ticket desk: POST /tickets files one, GET /tickets/{id}
// reads it; tests move tickets between states.
type deskServer struct {
	*httptest.Server
	mu      sync.Mutex
	tickets map[string]map[string]any
}

func newDesk(t *testing.T) *deskServer {
	d := &deskServer{tickets: map[string]map[string]any{}}
	d.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		defer d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Method == "POST" && r.URL.Path == "/tickets" {
			var in map[string]any
			b, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(b, &in)
			id := fmt.Sprint(100 + len(d.tickets))
			in["id"], in["number"], in["state"], in["stateType"] = id, "T-"+id, "new", "new"
			d.tickets[id] = in
			_ = json.NewEncoder(w).Encode(in)
			return
		}
		id := strings.TrimPrefix(r.URL.Path, "/tickets/")
		tk, ok := d.tickets[id]
		if !ok {
			w.WriteHeader(404)
			fmt.Fprint(w, `{"error":"no such ticket"}`)
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
	d.tickets[id]["stateType"], d.tickets[id]["state"] = stateType, state
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
