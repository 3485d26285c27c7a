package otrs_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/providers/otrs"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

// newEngine builds the preset against srv with the fake's agent unless cfg
// says otherwise.
func newEngine(t *testing.T, srv *otrstest.Server, cfg otrs.Config, opts ...connector.Option) *connector.Engine {
	t.Helper()
	cfg.BaseURL = srv.URL
	if cfg.UserLogin == "" {
		cfg.UserLogin = otrstest.DefaultAgentLogin
	}
	if cfg.Password == "" {
		cfg.Password = otrstest.DefaultAgentPassword
	}
	e, err := otrs.New(cfg, opts...)
	require.NoError(t, err)
	return e
}

// requests returns the requests srv received for a method and route (the
// path below the web service).
func requests(srv *otrstest.Server, method, route string) []otrstest.Request {
	var out []otrstest.Request
	for _, r := range srv.Requests() {
		if r.Method == method && strings.HasSuffix(r.Path, "/Webservice/"+otrstest.DefaultWebservice+route) {
			out = append(out, r)
		}
	}
	return out
}

// zoomURL is where the agent interface of srv's OTRS shows a ticket:
// index.pl, beside nph-genericinterface.pl.
func zoomURL(srv *otrstest.Server, id string) string {
	base, _, _ := strings.Cut(srv.URL, "nph-genericinterface.pl/")
	return base + "index.pl?Action=AgentTicketZoom;TicketID=" + id
}

func jsonBody(t *testing.T, r otrstest.Request) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "%s %s: %s", r.Method, r.Path, r.Body)
	return m
}

// sessionIDs lists every SessionID the client sent (in bodies and queries).
func sessionIDs(t *testing.T, srv *otrstest.Server) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, r := range srv.Requests() {
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		add(q.Get("SessionID"))
		if len(r.Body) > 0 {
			if s, ok := jsonBody(t, r)["SessionID"].(string); ok {
				add(s)
			}
		}
	}
	return out
}

var task = map[string]any{"id": "REQ-42", "requestor": "jane.doe", "comments": "new hire in sales"}

// requests of every operation, with what the ticket title must say.
var opRequests = []struct {
	req   connector.Request
	title string
}{
	{connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "ann.lee@example.com", "username": "alee"}, Task: task, Password: "Initial-Pw-7781!"},
		"Create account for ann.lee@example.com"},
	{connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "u-17", "name": "alee", "title": "Lead"}, Task: task},
		"Update account for alee"},
	{connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "u-17", "name": "alee"}, Task: task},
		"Enable account for alee"},
	{connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": "u-17", "name": "alee"}, Task: task},
		"Disable account for alee"},
	{connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "u-17"}, Task: task},
		"Remove account for u-17"},
	{connector.Request{Op: connector.AddAccess, User: map[string]any{"email": "ann.lee@example.com"}, Account: map[string]any{"id": "u-17", "name": "alee"},
		Entitlement: &connector.Entitlement{Type: "group", ID: "g-9", Name: "Finance approvers"}, Task: task},
		`Grant group "Finance approvers" for alee`},
	{connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": "u-17", "name": "alee"},
		Entitlement: &connector.Entitlement{Type: "role", ID: "r-3"}, Task: task},
		`Revoke role "r-3" for alee`},
	{connector.Request{Op: connector.ChangePassword, Account: map[string]any{"id": "u-17", "name": "alee"}, Task: task, Password: "N3w-Pa55word-Never-Filed"},
		"Change password for alee"},
}

func TestProvisionFilesTickets(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()

	for _, tt := range opRequests {
		t.Run(string(tt.req.Op), func(t *testing.T) {
			before := len(srv.Requests())
			res, err := e.Provision(ctx, tt.req)
			require.NoError(t, err)
			require.NotNil(t, res.Ticket)
			tk, ok := srv.Ticket(res.Ticket.ID)
			require.True(t, ok, "Result.Ticket.ID is the TicketID")
			assert.Equal(t, connector.Ticket{ID: tk.TicketID, Number: tk.TicketNumber, State: connector.TicketPending, URL: zoomURL(srv, tk.TicketID)}, *res.Ticket)

			// Every field the fake stored.
			assert.Equal(t, tt.title, tk.Title)
			assert.Equal(t, "Raw", tk.Queue)
			assert.Equal(t, "open", tk.State)
			assert.Equal(t, "open", tk.StateType)
			assert.Equal(t, "3 normal", tk.Priority)
			assert.Equal(t, "Unclassified", tk.Type, "no Type sent: the system default")
			assert.Equal(t, "jane.doe", tk.CustomerUser, "filed for the requester")
			assert.Equal(t, "ACME", tk.CustomerID)
			assert.Equal(t, otrstest.DefaultAgentLogin, tk.Owner)
			assert.Equal(t, "unlock", tk.Lock)
			assert.Empty(t, tk.DynamicFields)
			require.Len(t, tk.Articles, 1)
			a := tk.Articles[0]
			assert.Equal(t, tt.title, a.Subject)
			assert.Equal(t, "text/plain; charset=utf8", a.ContentType)
			assert.Equal(t, "Internal", a.CommunicationChannel)
			assert.Equal(t, "agent", a.SenderType)
			assert.Contains(t, a.Body, "Requested operation: "+string(tt.req.Op))
			assert.Contains(t, a.Body, "id: REQ-42")
			assert.Contains(t, a.Body, "requestor: jane.doe")
			assert.Contains(t, a.Body, "comments: new hire in sales")
			for k, v := range tt.req.Account {
				assert.Contains(t, a.Body, fmt.Sprintf("%s: %v", k, v), "account")
			}
			for k, v := range tt.req.User {
				assert.Contains(t, a.Body, fmt.Sprintf("%s: %v", k, v), "user")
			}
			if ent := tt.req.Entitlement; ent != nil {
				assert.Contains(t, a.Body, "Entitlement:\n  id: "+ent.ID+"\n  name: "+ent.Name+"\n  type: "+ent.Type)
			}

			// The wire: one login at most, one POST /Ticket with the
			// SessionID in the body (not the URL) and Type left out.
			reqs := srv.Requests()[before:]
			posts := 0
			for _, r := range reqs {
				if r.Method == "POST" && strings.HasSuffix(r.Path, "/Ticket") {
					posts++
					assert.Empty(t, r.RawQuery)
					body := jsonBody(t, r)
					assert.NotEmpty(t, body["SessionID"])
					assert.NotContains(t, body["Ticket"], "Type")
					assert.Equal(t, map[string]any{"Subject": tt.title, "Body": a.Body, "ContentType": "text/plain; charset=utf8"}, body["Article"])
				}
				if tt.req.Password != "" {
					assert.NotContains(t, string(r.Body), tt.req.Password, "the request's password is never sent")
				}
			}
			assert.Equal(t, 1, posts)
			if tt.req.Password != "" {
				assert.NotContains(t, a.Body+tk.Title, tt.req.Password)
			}
		})
	}
	assert.Equal(t, 1, srv.Sessions(), "one session serves every request")
	assert.Len(t, srv.Tickets(), len(opRequests))
}

func TestCustomerUser(t *testing.T) {
	srv := otrstest.NewServer(otrstest.WithCustomerUser("it.desk", "it.desk@example.com"))
	defer srv.Close()
	ctx := context.Background()
	e := newEngine(t, srv, otrs.Config{})

	file := func(t *testing.T, e *connector.Engine, req connector.Request) otrstest.Ticket {
		t.Helper()
		req.Op = connector.CreateAccount
		res, err := e.Provision(ctx, req)
		require.NoError(t, err)
		tk, ok := srv.Ticket(res.Ticket.ID)
		require.True(t, ok)
		return tk
	}
	user := map[string]any{"email": "john.smith@example.com", "username": "jsmith"}

	// Precedence: requestor, then the user's email, then the username.
	assert.Equal(t, "jane.doe", file(t, e, connector.Request{User: user, Task: map[string]any{"requestor": " jane.doe "}}).CustomerUser)
	tk := file(t, e, connector.Request{User: user, Task: map[string]any{"requestor": "  "}})
	assert.Equal(t, "john.smith", tk.CustomerUser, "a known e-mail address resolves to its login")
	assert.Equal(t, "Globex", tk.CustomerID)
	assert.Equal(t, "it.desk", file(t, e, connector.Request{User: map[string]any{"username": "it.desk", "email": nil}}).CustomerUser)
	tk = file(t, e, connector.Request{User: map[string]any{"email": "someone.new@corp.example.com"}})
	assert.Equal(t, "someone.new@corp.example.com", tk.CustomerUser, "an unknown address is stored as is")
	assert.Empty(t, tk.CustomerID)

	// Nobody to file for: a clear error before any request.
	n := len(srv.Requests())
	_, err := e.Provision(ctx, connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "u-1"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no customer user for the ticket")
	assert.Contains(t, err.Error(), "Config.CustomerUser")
	assert.Len(t, srv.Requests(), n)

	// OTRS refuses an address it cannot deliver to, and says which field.
	_, err = e.Provision(ctx, connector.Request{Op: connector.CreateAccount, Task: map[string]any{"requestor": "boss@corp.test"}})
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "TicketCreate.InvalidParameter", ce.Code)
	assert.Equal(t, "TicketCreate: Ticket->CustomerUser parameter is invalid!", ce.Message)
	assert.Equal(t, "TicketCreate", ce.Call)

	// Config.CustomerUser: a fixed customer user, or a template.
	fixed := newEngine(t, srv, otrs.Config{CustomerUser: "it.desk"})
	assert.Equal(t, "it.desk", file(t, fixed, connector.Request{User: user, Task: task}).CustomerUser)
	tmpl := newEngine(t, srv, otrs.Config{CustomerUser: `{{ dig "manager" "it.desk@example.com" .user }}`})
	assert.Equal(t, "jane.doe", file(t, tmpl, connector.Request{User: map[string]any{"manager": "jane.doe"}}).CustomerUser)
	assert.Equal(t, "it.desk", file(t, tmpl, connector.Request{User: user}).CustomerUser)
}

func TestTicketSettings(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	e := newEngine(t, srv, otrs.Config{Queue: "Misc", Priority: "4 high", State: "new", Type: "Unclassified"})
	res, err := e.Provision(ctx, connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": "u-1"}, Task: task})
	require.NoError(t, err)
	tk, _ := srv.Ticket(res.Ticket.ID)
	assert.Equal(t, []string{"Misc", "4 high", "new", "new", "Unclassified"}, []string{tk.Queue, tk.Priority, tk.State, tk.StateType, tk.Type})
	post := requests(srv, "POST", "/Ticket")
	require.Len(t, post, 1)
	assert.Equal(t, "Unclassified", jsonBody(t, post[0])["Ticket"].(map[string]any)["Type"], "Type is sent when set")

	// Values OTRS does not know are its InvalidParameter, named.
	for _, tt := range []struct {
		cfg otrs.Config
		msg string
	}{
		{otrs.Config{Queue: "Nope"}, "TicketCreate: Ticket->QueueID or Ticket->Queue parameter is invalid!"},
		{otrs.Config{State: "done"}, "TicketCreate: Ticket->StateID or Ticket->State parameter is invalid!"},
		{otrs.Config{Priority: "urgent"}, "TicketCreate: Ticket->PriorityID or Ticket->Priority parameter is invalid!"},
		{otrs.Config{Type: "Incident"}, "TicketCreate: Ticket->TypeID or Ticket->Type parameter is invalid!"},
	} {
		_, err := newEngine(t, srv, tt.cfg).Provision(ctx, connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "u-1"}, Task: task})
		var ce *connector.Error
		require.ErrorAs(t, err, &ce, tt.msg)
		assert.Equal(t, "TicketCreate.InvalidParameter", ce.Code)
		assert.Equal(t, tt.msg, ce.Message)
		assert.Equal(t, 200, ce.StatusCode, "OTRS reports failures inside HTTP 200")
	}
	assert.Len(t, srv.Tickets(), 1)
}

func TestTicketStatusMapsEveryStateType(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	res, err := e.Provision(ctx, opRequests[5].req)
	require.NoError(t, err)
	id := res.Ticket.ID

	tests := []struct {
		state string
		want  connector.TicketState
	}{
		{"new", connector.TicketOpen},
		{"open", connector.TicketOpen},
		{"pending reminder", connector.TicketPending},
		{"pending auto close+", connector.TicketPending},
		{"pending auto close-", connector.TicketPending},
		{"closed successful", connector.TicketCompleted},
		{"closed unsuccessful", connector.TicketRejected},
		{"removed", connector.TicketRejected},
		{"merged", connector.TicketRejected},
		{"open", connector.TicketOpen}, // reopened
	}
	for _, tt := range tests {
		require.NoError(t, srv.SetState(id, tt.state))
		tk, err := e.TicketStatus(ctx, id)
		require.NoError(t, err, tt.state)
		stored, _ := srv.Ticket(id)
		assert.Equal(t, connector.Ticket{ID: id, Number: res.Ticket.Number, State: tt.want, Status: tt.state, UpdatedAt: stored.Changed, URL: zoomURL(srv, id)}, tk, tt.state)
	}

	// GET carries the SessionID in the query (OTRS ignores GET bodies).
	gets := requests(srv, "GET", "/Ticket/"+id)
	require.Len(t, gets, len(tests))
	for _, r := range gets {
		q, err := url.ParseQuery(r.RawQuery)
		require.NoError(t, err)
		assert.Equal(t, []string{"SessionID"}, keys(q))
		assert.Empty(t, r.Body)
	}
	assert.Equal(t, 1, srv.Sessions())
}

func keys(q url.Values) []string {
	var out []string
	for k := range q {
		out = append(out, k)
	}
	return out
}

func TestUnknownTicket(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	for _, id := range []string{"4711", "abc"} {
		_, err := e.TicketStatus(context.Background(), id)
		require.ErrorIs(t, err, connector.ErrNotFound, id)
		var ce *connector.Error
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, "TicketGet", ce.Call)
		assert.Contains(t, []string{"TicketGet.AccessDenied", "TicketGet.WrongStructure"}, ce.Code)
		assert.NotEmpty(t, ce.Message)
	}
	_, err := e.TicketStatus(context.Background(), "4711")
	assert.EqualError(t, err, `restconn: ticketStatus: call "TicketGet": HTTP 200: TicketGet.AccessDenied: TicketGet: User does not have access to the ticket! (not found)`)
	_, err = e.TicketStatus(context.Background(), "1/../../Session")
	assert.ErrorIs(t, err, connector.ErrNotFound, "the ID stays one path segment")
}

func TestSessionExpiresBetweenCreateAndPoll(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx))
	require.NoError(t, e.Connect(ctx))
	assert.Equal(t, 1, srv.Sessions(), "the session is reused")

	res, err := e.Provision(ctx, opRequests[0].req)
	require.NoError(t, err)
	require.NoError(t, srv.CloseTicket(res.Ticket.ID, ""))

	srv.ExpireSessions()
	n := len(srv.Requests())
	tk, err := e.TicketStatus(ctx, res.Ticket.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketCompleted, tk.State)
	assert.Equal(t, 2, srv.Sessions(), "exactly one new session")
	// The refused GET, the login, the same GET again.
	var route []string
	for _, r := range srv.Requests()[n:] {
		route = append(route, r.Method+" "+r.Path[strings.LastIndex(r.Path, "/"+otrstest.DefaultWebservice)+len(otrstest.DefaultWebservice)+1:])
	}
	assert.Equal(t, []string{"GET /Ticket/" + res.Ticket.ID, "POST /Session", "GET /Ticket/" + res.Ticket.ID}, route)
	sids := sessionIDs(t, srv)
	require.Len(t, sids, 2)

	// Expired before a create: refused, so sent again, and filed once.
	srv.ExpireSessions()
	_, err = e.Provision(ctx, opRequests[1].req)
	require.NoError(t, err)
	assert.Equal(t, 3, srv.Sessions())
	assert.Len(t, srv.Tickets(), 2)
	assert.Len(t, requests(srv, "POST", "/Ticket"), 3)
}

func TestConcurrentRequestsShareOneRelogin(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx))
	srv.ExpireSessions()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Provision(ctx, opRequests[i].req)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.Equal(t, 2, srv.Sessions(), "one new session for all concurrent callers")
	assert.Len(t, srv.Tickets(), 8, "each request filed once")
}

// clock is a settable clock for otrstest.WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestSessionDiesOfAge(t *testing.T) {
	clk := &clock{now: time.Date(2024, 10, 2, 7, 2, 39, 0, time.UTC)}
	srv := otrstest.NewServer(otrstest.WithClock(clk.Now), otrstest.WithSessionMaxIdle(time.Hour))
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	res, err := e.Provision(ctx, opRequests[2].req)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(res.Ticket.Number, "2024100210"), res.Ticket.Number)

	clk.Advance(59 * time.Minute) // used or not, a GI session dies an hour after its creation
	_, err = e.TicketStatus(ctx, res.Ticket.ID)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Sessions())

	clk.Advance(2 * time.Minute)
	require.NoError(t, srv.SetState(res.Ticket.ID, "pending reminder"))
	tk, err := e.TicketStatus(ctx, res.Ticket.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketPending, tk.State)
	assert.Equal(t, 2, srv.Sessions(), "exactly one re-login")
}

func TestSessionRefusedAtOnce(t *testing.T) {
	// A server that kills every session at once (SessionMaxIdleTime 0):
	// the engine gives up with ErrAuth instead of logging in forever, and
	// no ticket is filed.
	srv := otrstest.NewServer(otrstest.WithSessionMaxIdle(0))
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	_, err := e.Provision(context.Background(), opRequests[0].req)
	require.ErrorIs(t, err, connector.ErrAuth)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "TicketCreate.AuthFail", ce.Code)
	assert.Empty(t, srv.Tickets())
	assert.LessOrEqual(t, srv.Sessions(), 3, "re-logins are bounded")
}

func TestWrongPassword(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	const pw = "Wr0ng-Passw0rd-Value"
	e := newEngine(t, srv, otrs.Config{Password: pw})
	ctx := context.Background()

	err := e.Connect(ctx)
	require.ErrorIs(t, err, connector.ErrAuth)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "SessionCreate", ce.Call)
	assert.Equal(t, "SessionCreate.AuthFail", ce.Code)
	assert.Equal(t, "SessionCreate: Authorization failing!", ce.Message)
	assert.NotContains(t, err.Error(), pw)

	// A request with a bad password fails the same way, and files nothing.
	_, err = e.Provision(ctx, opRequests[0].req)
	require.ErrorIs(t, err, connector.ErrAuth)
	assert.NotContains(t, err.Error(), pw)
	_, err = e.TicketStatus(ctx, "1")
	require.ErrorIs(t, err, connector.ErrAuth)
	assert.Empty(t, requests(srv, "POST", "/Ticket"))
	assert.Empty(t, requests(srv, "GET", "/Ticket/1"))
	assert.Equal(t, 0, srv.Sessions())

	// An unknown agent is the same AuthFail.
	err = newEngine(t, srv, otrs.Config{UserLogin: "nobody"}).Connect(ctx)
	require.ErrorIs(t, err, connector.ErrAuth)
}

func TestServerFaultsAreReportedAndNotResent(t *testing.T) {
	tests := []struct {
		fault   otrstest.Fault
		status  int
		code    string
		message string
	}{
		{otrstest.FaultServer, 500, "Server", "OperationObject returned an error, cancelling Request"},
		{otrstest.FaultPlainText, 500, "", "Error while encoding return JSON structure."},
		{otrstest.FaultApache, 500, "", "Internal Server Error"},
		{otrstest.FaultUnavailable, 503, "", "Service Unavailable"},
		{otrstest.FaultDropConnection, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			srv := otrstest.NewServer()
			defer srv.Close()
			e := newEngine(t, srv, otrs.Config{})
			ctx := context.Background()
			require.NoError(t, e.Connect(ctx))

			srv.FailNext(1, tt.fault)
			_, err := e.Provision(ctx, opRequests[0].req)
			require.Error(t, err)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "TicketCreate", ce.Call)
			assert.Equal(t, tt.status, ce.StatusCode)
			assert.Equal(t, tt.code, ce.Code)
			assert.Contains(t, ce.Message, tt.message)
			assert.Contains(t, err.Error(), tt.message)
			assert.Len(t, requests(srv, "POST", "/Ticket"), 1, "a POST that may have reached OTRS is not sent again")
			assert.Empty(t, srv.Tickets())

			// The next request goes through.
			res, err := e.Provision(ctx, opRequests[0].req)
			require.NoError(t, err)
			assert.Len(t, srv.Tickets(), 1)

			// A fault while polling is reported the same way.
			if tt.status == 500 {
				srv.FailNext(1, tt.fault)
				_, err = e.TicketStatus(ctx, res.Ticket.ID)
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "TicketGet", ce.Call)
				assert.Contains(t, ce.Message, tt.message)
			}
		})
	}
}

func TestNumericIDs(t *testing.T) {
	srv := otrstest.NewServer(otrstest.WithNumericIDs())
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	var ids []string
	for range 3 {
		res, err := e.Provision(ctx, opRequests[3].req)
		require.NoError(t, err)
		ids = append(ids, res.Ticket.ID)
	}
	assert.Equal(t, []string{"1", "2", "3"}, ids)
	require.NoError(t, srv.CloseTicket("2", "closed unsuccessful"))
	tk, err := e.TicketStatus(ctx, "2")
	require.NoError(t, err)
	want, _ := srv.Ticket("2")
	assert.Equal(t, connector.Ticket{ID: "2", Number: want.TicketNumber, State: connector.TicketRejected, Status: "closed unsuccessful", UpdatedAt: want.Changed, URL: zoomURL(srv, "2")}, tk)
}

func TestImportIsUnsupported(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, otrs.Config{})
	ctx := context.Background()
	for _, err := range e.ImportAccounts(ctx, connector.ImportOptions{}) {
		assert.ErrorIs(t, err, connector.ErrUnsupported)
	}
	for _, err := range e.ImportAccess(ctx, connector.ImportOptions{}) {
		assert.ErrorIs(t, err, connector.ErrUnsupported)
	}
	assert.Empty(t, srv.Requests())
}

func TestConfigValidation(t *testing.T) {
	const base = "https://desk.example.com/otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST"
	ok := otrs.Config{BaseURL: base, UserLogin: "agent", Password: "pw-value-1"}
	tests := []struct {
		name   string
		mutate func(*otrs.Config)
		want   string
	}{
		{"no base URL", func(c *otrs.Config) { c.BaseURL = "" }, "Config.BaseURL is required"},
		{"not http", func(c *otrs.Config) { c.BaseURL = "ftp://desk.example.com/otrs/nph-genericinterface.pl/Webservice/X" }, "is not an http(s) URL"},
		{"host only", func(c *otrs.Config) { c.BaseURL = "https://desk.example.com" }, "does not end with /nph-genericinterface.pl/Webservice/<Name>"},
		{"route included", func(c *otrs.Config) { c.BaseURL = base + "/Ticket" }, "does not end with"},
		{"query", func(c *otrs.Config) { c.BaseURL = base + "?SessionID=x" }, "does not end with"},
		{"no user", func(c *otrs.Config) { c.UserLogin = " " }, "Config.UserLogin is required"},
		{"no password", func(c *otrs.Config) { c.Password = "" }, "Config.Password is required"},
		{"bad customer template", func(c *otrs.Config) { c.CustomerUser = "{{ .user.email" }, "Config.CustomerUser"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.mutate(&cfg)
			_, err := otrs.New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "otrs: "), err.Error())
		})
	}
	// A password in the URL is not repeated in the error.
	_, err := otrs.New(otrs.Config{BaseURL: "https://agent:url-secret-99@desk.example.com/otrs", UserLogin: "a", Password: "p"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "url-secret-99")
	_, err = otrs.New(otrs.Config{BaseURL: "ftp://agent:url-secret-99@desk.example.com/", UserLogin: "a", Password: "p"})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "url-secret-99")

	_, err = otrs.New(otrs.Config{BaseURL: "https://agent:url-secret-99@desk.example.com/otrs", UserLogin: "a", Password: "p", CustomerUser: "{{ .oops"})
	require.Error(t, err)
	_, err = otrs.New(otrs.Config{BaseURL: base, UserLogin: "a", Password: "p", CustomerUser: "{{ .oops"})
	assert.ErrorIs(t, err, connector.ErrInvalidSpec)

	for _, u := range []string{base, base + "/", "http://10.0.0.5:8080/znuny/nph-genericinterface.pl/Webservice/My%20Service", "https://desk.example.com/otobo/nph-genericinterface.pl/WebserviceID/3"} {
		cfg := ok
		cfg.BaseURL = u
		_, err := otrs.New(cfg)
		assert.NoError(t, err, u)
	}
}

func TestWebserviceAddressing(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	byID := strings.Replace(srv.URL, "/Webservice/"+otrstest.DefaultWebservice, "/WebserviceID/1", 1)
	e, err := otrs.New(otrs.Config{BaseURL: byID + "/", UserLogin: otrstest.DefaultAgentLogin, Password: otrstest.DefaultAgentPassword})
	require.NoError(t, err)
	res, err := e.Provision(ctx, opRequests[0].req)
	require.NoError(t, err)
	_, err = e.TicketStatus(ctx, res.Ticket.ID)
	require.NoError(t, err)

	// A wrong web service name is the web server's HTML error page.
	wrong := strings.Replace(srv.URL, otrstest.DefaultWebservice, "GenericTicketConnector", 1)
	e, err = otrs.New(otrs.Config{BaseURL: wrong, UserLogin: otrstest.DefaultAgentLogin, Password: otrstest.DefaultAgentPassword})
	require.NoError(t, err)
	err = e.Connect(ctx)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 500, ce.StatusCode)
	assert.Contains(t, ce.Message, "Internal Server Error")
}

func TestSpecIsACopy(t *testing.T) {
	connectortest.CheckSpecCopy(t, otrs.Spec)
	a, b := otrs.Spec(), otrs.Spec()
	a.Tickets.Status.States = nil
	a.Connection.Auth["session"].Login.Path = "/Elsewhere"
	a.Tickets.Create.Calls[0].Body.(map[string]any)["Ticket"].(map[string]any)["Queue"] = "Junk"
	assert.NotEmpty(t, b.Tickets.Status.States)
	assert.Equal(t, "/Session", b.Connection.Auth["session"].Login.Path)
	assert.Equal(t, "{{ .params.queue }}", b.Tickets.Create.Calls[0].Body.(map[string]any)["Ticket"].(map[string]any)["Queue"])
	assert.Equal(t, "otrs", b.Name)
	require.NoError(t, b.Validate())
	assert.Nil(t, b.Import, "no import: ImportAccounts and ImportAccess are unsupported")
	for _, op := range connector.Operations {
		require.Contains(t, b.Provision, op)
		assert.NotNil(t, b.Provision[op].Ticket, op)
	}

	// New with a customer user does not change what Spec returns.
	srv := otrstest.NewServer()
	defer srv.Close()
	newEngine(t, srv, otrs.Config{CustomerUser: "it.desk@example.com"})
	assert.NotEqual(t, "it.desk@example.com", otrs.Spec().Tickets.Create.Calls[0].Body.(map[string]any)["Ticket"].(map[string]any)["CustomerUser"])

	// A customized copy runs.
	c := otrs.Spec()
	c.Tickets.Status.States = append([]connector.StateRule{{Equals: "closed/closed unsuccessful", State: connector.TicketCompleted}}, c.Tickets.Status.States...)
	e, err := connector.New(c, connector.WithParams(map[string]any{"baseURL": srv.URL, "userLogin": otrstest.DefaultAgentLogin}),
		connector.WithSecrets(map[string]string{"password": otrstest.DefaultAgentPassword}))
	require.NoError(t, err)
	res, err := e.Provision(context.Background(), opRequests[0].req)
	require.NoError(t, err)
	require.NoError(t, srv.CloseTicket(res.Ticket.ID, "closed unsuccessful"))
	tk, err := e.TicketStatus(context.Background(), res.Ticket.ID)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketCompleted, tk.State)
}

func TestSecretsNeverLeak(t *testing.T) {
	const agentPW = "Agent-Pa55-Secret-42"
	srv := otrstest.NewServer(otrstest.WithAgent("svc.restconn", agentPW))
	defer srv.Close()
	ctx := context.Background()

	lc := connectortest.NewLeakCheck(t)
	logger := slog.New(slog.NewJSONHandler(lc.Writer(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	observe := append(lc.Options(), connector.WithLogger(logger)) // lc's traces, this test's JSON log
	var errs []error
	keep := func(err error) {
		if err != nil {
			errs = append(errs, lc.Err(err))
		}
	}

	noWait := connector.WithBackoff(func(time.Duration, time.Duration, int) time.Duration { return 0 })
	bad := newEngine(t, srv, otrs.Config{UserLogin: "svc.restconn", Password: "Not-The-Pa55word"}, observe...)
	keep(bad.Connect(ctx))
	_, err := bad.Provision(ctx, opRequests[0].req)
	keep(err)

	e := newEngine(t, srv, otrs.Config{UserLogin: "svc.restconn", Password: agentPW}, append(observe, noWait)...)
	require.NoError(t, e.Connect(ctx))
	var ids []string
	for _, tt := range []connector.Request{opRequests[0].req, opRequests[7].req} {
		res, err := e.Provision(ctx, tt)
		require.NoError(t, err)
		ids = append(ids, res.Ticket.ID)
	}
	srv.ExpireSessions()
	_, err = e.TicketStatus(ctx, ids[0])
	require.NoError(t, err)
	_, err = e.TicketStatus(ctx, "999")
	keep(err)
	srv.FailNext(1, otrstest.FaultServer)
	_, err = e.TicketStatus(ctx, ids[1])
	keep(err)
	srv.FailNext(1, otrstest.FaultDropConnection) // a GET is retried: a traced transport error
	_, err = e.TicketStatus(ctx, ids[1])
	require.NoError(t, err)
	_, err = e.Provision(ctx, connector.Request{Op: connector.ChangePassword, Account: map[string]any{"id": "u-1"}, Password: "N3w-Pa55word-Never-Filed"})
	keep(err) // no customer user: a template error
	// Comments and cancels carry the SessionID in their bodies too.
	require.NoError(t, e.CommentTicket(ctx, ids[0], "Approved."))
	_, err = e.CancelTicket(ctx, ids[1], "No longer needed.")
	require.NoError(t, err)

	sids := sessionIDs(t, srv)
	require.Len(t, sids, 2, "one session, then one after the expiry")
	secrets := append([]string{agentPW, "Not-The-Pa55word", opRequests[0].req.Password, opRequests[7].req.Password, "N3w-Pa55word-Never-Filed"}, sids...)
	require.Len(t, errs, 5)
	traces := lc.Traces()
	require.NotEmpty(t, traces)
	require.Contains(t, lc.Logs(), `"level":"DEBUG"`)
	lc.AddSecrets(secrets...)
	lc.Check() // the log, every trace and every error

	var loginLeak []string
	for _, s := range secrets {
		assert.NotContains(t, lc.Logs(), s, "log")
		for _, err := range errs {
			assert.NotContains(t, err.Error(), s, "error")
		}
		for _, tr := range traces {
			hdr, _ := json.Marshal([]any{tr.RequestHeader, tr.ResponseHeader})
			text := strings.Join([]string{tr.URL, string(hdr), tr.RequestBody, fmt.Sprint(tr.Err)}, "\n")
			assert.NotContains(t, text, s, "trace of %s %s", tr.Method, tr.URL)
			if tr.Call == "SessionCreate" && strings.Contains(tr.ResponseBody, s) {
				loginLeak = append(loginLeak, s)
				continue
			}
			assert.NotContains(t, tr.ResponseBody, s, "trace of %s %s", tr.Method, tr.URL)
		}
	}
	for _, tk := range srv.Tickets() {
		for _, s := range secrets {
			assert.NotContains(t, tk.Title+tk.Articles[0].Subject+tk.Articles[0].Body, s, "ticket %s", tk.TicketID)
		}
	}
	// The password of a request never reaches OTRS at all.
	for _, r := range srv.Requests() {
		for _, pw := range []string{opRequests[0].req.Password, opRequests[7].req.Password, "N3w-Pa55word-Never-Filed"} {
			assert.NotContains(t, string(r.Body)+r.RawQuery, pw)
		}
	}

	// The engine traces a login response only once the new SessionID is
	// known to its redactor, so the trace of SessionCreate masks it too.
	assert.Empty(t, loginLeak, "SessionIDs in the trace of their own SessionCreate response")
}
