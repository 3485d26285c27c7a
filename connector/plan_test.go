package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// planTarget is a server that must never be called: a dry run sends
// nothing, not even a token request. It counts whatever reaches it, on the
// API and on its OAuth token endpoint.
type planTarget struct {
	*httptest.Server
	requests, tokens atomic.Int32
}

func newPlanTarget(t *testing.T) *planTarget {
	p := &planTarget{}
	p.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			p.tokens.Add(1)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"access_token":"tok-never-issued","token_type":"bearer","expires_in":3600}`))
			return
		}
		p.requests.Add(1)
		w.WriteHeader(http.StatusTeapot)
	}))
	t.Cleanup(func() {
		p.Close()
		assert.Zero(t, p.requests.Load(), "requests sent by a plan")
		assert.Zero(t, p.tokens.Load(), "token requests sent by a plan")
	})
	return p
}

// Secrets of the plan specs; none may appear in a plan.
const (
	planClientSecret = "plan-client-secret-7f3a"
	planAPIKey       = "plan-api-key-19cc"
	planPassword     = "Plan-Passw0rd-never-shown"
	planAgentPass    = "plan-agent-pass-5d2e"
)

// planSpec has an OAuth 2.0 default auth block and a create chain that
// looks the user up, creates it when absent (restarting on a 409), adds it
// to each of its groups and notes it in an audit log, with an API key of
// its own.
const planSpec = `{
  "name": "plan",
  "params": {"baseURL": {"required": true}},
  "secrets": {"clientSecret": {"required": true}, "apiKey": {"required": true}},
  "connection": {
    "baseURL": "{{ .params.baseURL }}",
    "headers": {"X-Client": "restconn-plan"},
    "auth": {
      "oauth": {"type": "oauth2", "tokenURL": "{{ .params.baseURL }}/oauth/token", "clientID": "cid", "clientSecret": "{{ .secrets.clientSecret }}"},
      "key": {"type": "apiKey", "in": "query", "name": "api_key", "value": "{{ .secrets.apiKey }}"}
    },
    "defaultAuth": "oauth"
  },
  "provision": {
    "createAccount": {
      "calls": [
        {"name": "lookup", "path": "/users", "query": {"filter": "userName eq {{ jsonQuote .user.email }}"}},
        {"name": "create", "if": "{{ eq (int .responses.lookup.body.totalResults) 0 }}", "method": "POST", "path": "/users",
         "body": {"userName": "{{ .user.email }}", "password": "{{ .password }}", "active": true},
         "restart": {"when": {"status": [409]}, "from": "lookup", "max": 2}},
        {"name": "join", "forEach": "{{ .user.groups }}", "method": "PUT", "path": "/groups/{{ .item }}/members/{{ .responses.create.body.id }}"},
        {"name": "audit", "auth": "key", "method": "POST", "path": "/audit", "headers": {"X-Signature": "{{ sha256sum .secrets.apiKey }}"},
         "body": {"event": "created", "user": "{{ .user.email }}"}}
      ],
      "accountID": "{{ .responses.create.body.id }}"
    }
  }
}`

func planEngine(t *testing.T, js string, srv *planTarget, opts ...connector.Option) *connector.Engine {
	t.Helper()
	var traces atomic.Int32
	all := append([]connector.Option{
		connector.WithParams(map[string]any{"baseURL": srv.URL}),
		connector.WithSecrets(map[string]string{"clientSecret": planClientSecret, "apiKey": planAPIKey, "agentPassword": planAgentPass}),
		connector.WithTrace(func(context.Context, connector.Trace) { traces.Add(1) }),
	}, opts...)
	e, err := connector.New(spec(t, js, srv.URL), all...)
	require.NoError(t, err)
	t.Cleanup(func() { assert.Zero(t, traces.Load(), "traces of a plan") })
	return e
}

var createAda = connector.Request{
	Op:       connector.CreateAccount,
	User:     map[string]any{"email": "ada@example.com", "groups": []any{"eng", "ops"}},
	Password: planPassword,
}

// assertMasked fails if a secret appears anywhere in the plan.
func assertMasked(t *testing.T, plan connector.Plan, secrets ...string) {
	t.Helper()
	b, err := json.Marshal(plan)
	require.NoError(t, err)
	for _, s := range append([]string{planClientSecret, planAPIKey, planPassword, planAgentPass}, secrets...) {
		assert.NotContains(t, string(b), s)
	}
}

func ptr(i int) *int { return &i }

func TestPlanWithoutResponses(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, planSpec, srv)
	plan, err := e.Plan(context.Background(), createAda, connector.PlanOptions{})
	require.NoError(t, err)
	assertMasked(t, plan)
	assert.True(t, plan.Unknown())
	assert.Equal(t, connector.CreateAccount, plan.Op)

	require.Len(t, plan.Auth, 1)
	assert.Equal(t, connector.PlannedCall{Name: "auth:oauth", Where: "connection.auth.oauth", Status: connector.PlanReady, Auth: "oauth",
		Reason: "OAuth 2.0 client-credentials token request, sent before the first call that needs the token and again when it expires",
		Method: "POST", URL: srv.URL + "/oauth/token"}, plan.Auth[0])

	masked := http.Header{"Accept": {"application/json"}, "Authorization": {"[REDACTED]"}, "X-Client": {"restconn-plan"}}
	want := []connector.PlannedCall{
		{Name: "lookup", Where: "provision.createAccount.calls[0]", Status: connector.PlanReady, Auth: "oauth",
			Method: "GET", URL: srv.URL + "/users?filter=userName+eq+%22ada%40example.com%22", Header: masked},
		{Name: "create", Where: "provision.createAccount.calls[1]", Status: connector.PlanReady, Auth: "oauth", If: connector.IfUnknown,
			Reason: "if reads .responses.lookup, which the plan does not know: sent only if it holds",
			Method: "POST", URL: srv.URL + "/users",
			Header: http.Header{"Accept": {"application/json"}, "Authorization": {"[REDACTED]"}, "Content-Type": {"application/json"}, "X-Client": {"restconn-plan"}},
			Body:   `{"active":true,"password":"[REDACTED]","userName":"ada@example.com"}`},
		{Name: "join", Where: "provision.createAccount.calls[2]", Status: connector.PlanUnknown, Auth: "oauth", Index: ptr(0),
			Reason: "reads .responses.create, which the plan does not know"},
		{Name: "join", Where: "provision.createAccount.calls[2]", Status: connector.PlanUnknown, Auth: "oauth", Index: ptr(1),
			Reason: "reads .responses.create, which the plan does not know"},
		{Name: "audit", Where: "provision.createAccount.calls[3]", Status: connector.PlanReady, Auth: "key",
			Method: "POST", URL: srv.URL + "/audit?api_key=REDACTED",
			Header: http.Header{"Accept": {"application/json"}, "Content-Type": {"application/json"}, "X-Client": {"restconn-plan"}, "X-Signature": {"[REDACTED]"}},
			Body:   `{"event":"created","user":"ada@example.com"}`},
	}
	assert.Equal(t, want, plan.Calls)
}

func TestPlanWithResponses(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, planSpec, srv)
	plan, err := e.Plan(context.Background(), createAda, connector.PlanOptions{Responses: map[string]connector.PlannedResponse{
		"lookup": {Body: map[string]any{"totalResults": 0, "Resources": []any{}}},
		"create": {Status: 201, Header: map[string]string{"Location": "/users/u-9"}, Body: map[string]any{"id": "u-9"}},
		"later":  {Body: "ignored: no call has this name"},
	}})
	require.NoError(t, err)
	assertMasked(t, plan)
	assert.False(t, plan.Unknown())
	var got []string
	for _, c := range plan.Calls {
		assert.Equal(t, connector.PlanReady, c.Status, c.Name)
		got = append(got, c.Method+" "+strings.TrimPrefix(c.URL, srv.URL))
	}
	assert.Equal(t, []string{
		"GET /users?filter=userName+eq+%22ada%40example.com%22",
		"POST /users",
		"PUT /groups/eng/members/u-9",
		"PUT /groups/ops/members/u-9",
		"POST /audit?api_key=REDACTED",
	}, got)
	assert.Equal(t, connector.IfTrue, plan.Calls[1].If)
	assert.Equal(t, []*int{nil, nil, ptr(0), ptr(1), nil}, []*int{plan.Calls[0].Index, plan.Calls[1].Index, plan.Calls[2].Index, plan.Calls[3].Index, plan.Calls[4].Index})
}

func TestPlanIfFalseAndEmptyForEach(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, planSpec, srv)
	req := createAda
	req.User = map[string]any{"email": "ada@example.com", "groups": []any{}}
	plan, err := e.Plan(context.Background(), req, connector.PlanOptions{Responses: map[string]connector.PlannedResponse{
		"lookup": {Body: map[string]any{"totalResults": 1}},
		"create": {Body: map[string]any{"id": "never bound: create is skipped"}},
	}})
	require.NoError(t, err)
	assert.False(t, plan.Unknown())
	var status []string
	for _, c := range plan.Calls {
		status = append(status, c.Name+" "+string(c.Status)+" "+c.Reason)
	}
	assert.Equal(t, []string{"lookup ready ", "create skipped if renders false", "join skipped forEach lists nothing", "audit ready "}, status)
	assert.Equal(t, connector.IfFalse, plan.Calls[1].If)
}

// A forEach over data the plan does not know is one unknown entry.
func TestPlanForEachOverUnknown(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, `{"name": "t", "connection": {"baseURL": "$URL"},
	  "provision": {"removeAccount": {"calls": [
	    {"name": "memberships", "path": "/users/{{ .account.id }}/groups"},
	    {"name": "leave", "forEach": "{{ .responses.memberships.body.groups }}", "method": "DELETE", "path": "/groups/{{ .item.id }}/members/{{ .account.id }}"},
	    {"name": "delete", "method": "DELETE", "path": "/users/{{ .account.id }}"}
	  ]}}}`, srv)
	req := connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "u 1/2"}}
	plan, err := e.Plan(context.Background(), req, connector.PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Calls, 3)
	assert.Equal(t, connector.PlannedCall{Name: "leave", Where: "provision.removeAccount.calls[1]", Status: connector.PlanUnknown,
		Reason: "forEach reads .responses.memberships, which the plan does not know"}, plan.Calls[1])
	assert.Equal(t, srv.URL+"/users/u%201%2F2", plan.Calls[2].URL, "path segments escaped as in a real run")
	assert.Empty(t, plan.Auth)

	plan, err = e.Plan(context.Background(), req, connector.PlanOptions{Responses: map[string]connector.PlannedResponse{
		"memberships": {Body: map[string]any{"groups": []any{map[string]any{"id": "g1"}, map[string]any{"id": "g2"}}}},
	}})
	require.NoError(t, err)
	require.Len(t, plan.Calls, 4)
	assert.Equal(t, srv.URL+"/groups/g2/members/u%201%2F2", plan.Calls[2].URL)
	assert.Equal(t, ptr(1), plan.Calls[2].Index)
}

// A given response that would make a real run restart the chain does not
// restart the plan: it follows the path where every call succeeds.
func TestPlanIgnoresRestart(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, planSpec, srv)
	plan, err := e.Plan(context.Background(), createAda, connector.PlanOptions{Responses: map[string]connector.PlannedResponse{
		"lookup": {Body: map[string]any{"totalResults": 0}},
		"create": {Status: 409, Body: map[string]any{"id": "u-9"}},
	}})
	require.NoError(t, err)
	var names []string
	for _, c := range plan.Calls {
		names = append(names, c.Name)
	}
	assert.Equal(t, []string{"lookup", "create", "join", "join", "audit"}, names)
}

// A call that a real run could not render fails the plan there, with the
// error the run would return.
func TestPlanFails(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, planSpec, srv)
	req := connector.Request{Op: connector.CreateAccount, User: map[string]any{"name": "no email"}, Password: planPassword}
	plan, err := e.Plan(context.Background(), req, connector.PlanOptions{})
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "provision.createAccount.calls[0].query.filter", ce.Path)
	assert.Equal(t, "lookup", ce.Call)
	require.Len(t, plan.Calls, 1)
	assert.Equal(t, connector.PlanFailed, plan.Calls[0].Status)
	assert.Equal(t, `provision.createAccount.calls[0].query.filter: required value missing: missing key "email" in .user.email`, plan.Calls[0].Reason)

	_, err = e.Plan(context.Background(), connector.Request{Op: connector.DisableAccount}, connector.PlanOptions{})
	require.ErrorIs(t, err, connector.ErrUnsupported)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.Plan(ctx, createAda, connector.PlanOptions{})
	require.ErrorIs(t, err, context.Canceled)
}

// An if that renders neither true nor false is a spec error in a plan as
// in a run.
func TestPlanBadIf(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, `{"name": "t", "connection": {"baseURL": "$URL"},
	  "provision": {"enableAccount": {"calls": [{"name": "x", "if": "{{ .account.id }}", "method": "POST", "path": "/x"}]}}}`, srv)
	plan, err := e.Plan(context.Background(), connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "42"}}, connector.PlanOptions{})
	require.ErrorIs(t, err, connector.ErrInvalidSpec)
	require.Len(t, plan.Calls, 1)
	assert.Equal(t, connector.PlanFailed, plan.Calls[0].Status)
	assert.Equal(t, `provision.enableAccount.calls[0].if: renders "42": want true or false`, plan.Calls[0].Reason)
}

// An operation fulfilled through a ticket shows the calls that file it,
// with the title and description they would carry; a session login is
// listed in Auth, password masked, and not sent.
func TestPlanTicket(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, `{"name": "desk", "secrets": {"agentPassword": {"required": true}},
	  "connection": {"baseURL": "$URL", "auth": {"s": {"type": "session",
	    "login": {"name": "login", "method": "POST", "path": "/Session", "body": {"UserLogin": "agent", "Password": "{{ .secrets.agentPassword }}"}},
	    "token": "{{ .responses.login.body.SessionID }}", "inject": {"in": "query", "name": "SessionID"}}}},
	  "provision": {"addAccess": {"ticket": {"title": "Grant {{ .entitlement.name }} to {{ .account.id }}"}}},
	  "tickets": {
	    "create": {"calls": [{"name": "file", "method": "POST", "path": "/Ticket", "body": {"Title": "{{ .ticket.title }}", "Body": "{{ .ticket.description }}"}}],
	               "id": "{{ .responses.file.body.TicketID }}"},
	    "status": {"calls": [{"name": "get", "path": "/Ticket/{{ .ticket.id }}"}], "status": "{{ .responses.get.body.State }}", "states": [{"equals": "closed", "state": "completed"}], "default": "open"}
	  }}`, srv)
	req := connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "jdoe"}, Entitlement: &connector.Entitlement{Type: "group", ID: "fin", Name: "Finance"}}
	plan, err := e.Plan(context.Background(), req, connector.PlanOptions{})
	require.NoError(t, err)
	assertMasked(t, plan)
	require.Len(t, plan.Auth, 1)
	login := plan.Auth[0]
	assert.Equal(t, "login", login.Name)
	assert.Equal(t, "connection.auth.s.login", login.Where)
	assert.Equal(t, `{"Password":"[REDACTED]","UserLogin":"agent"}`, login.Body)
	assert.Contains(t, login.Reason, "the login of auth block s")

	require.Len(t, plan.Calls, 1)
	file := plan.Calls[0]
	assert.Equal(t, "tickets.create.calls[0]", file.Where)
	assert.Equal(t, connector.PlanReady, file.Status)
	assert.Equal(t, srv.URL+"/Ticket?SessionID=REDACTED", file.URL, "the session ID's place, masked")
	var body map[string]string
	require.NoError(t, json.Unmarshal([]byte(file.Body), &body))
	assert.Equal(t, "Grant Finance to jdoe", body["Title"])
	assert.Contains(t, body["Body"], "Requested operation: addAccess")
}

// Secrets given by hand in a request, or computed from secrets by a
// template, are masked wherever they land.
func TestPlanMasksEveryField(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, `{"name": "t", "secrets": {"apiKey": {"required": true}},
	  "connection": {"baseURL": "$URL", "auth": {"b": {"type": "basic", "username": "svc", "password": "{{ .secrets.apiKey }}"}}},
	  "provision": {"changePassword": {"calls": [
	    {"name": "set", "method": "PUT", "path": "/users/{{ .account.id }}/{{ .password }}",
	     "query": {"sig": "{{ .secrets.apiKey | b64enc }}", "echo": "{{ .password }}"},
	     "headers": {"X-Pass": "{{ .password | upper }}"},
	     "form": {"password": "{{ .password }}", "old": "{{ .task.old }}"}}
	  ]}}}`, srv)
	req := connector.Request{Op: connector.ChangePassword, Account: map[string]any{"id": "u1"}, Password: planPassword, Task: map[string]any{"old": planPassword}}
	plan, err := e.Plan(context.Background(), req, connector.PlanOptions{})
	require.NoError(t, err)
	require.Len(t, plan.Calls, 1)
	c := plan.Calls[0]
	assertMasked(t, plan, strings.ToUpper(planPassword), "cGxhbi1hcGkta2V5LTE5Y2M=")
	assert.Equal(t, srv.URL+"/users/u1/[REDACTED]?echo=[REDACTED]&sig=REDACTED", c.URL)
	assert.Equal(t, "[REDACTED]", c.Header.Get("Authorization"))
	assert.Equal(t, "[REDACTED]", c.Header.Get("X-Pass"))
	assert.Equal(t, "old=[REDACTED]&password=[REDACTED]", c.Body)
}

func TestPlanImport(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, `{"name": "dir", "secrets": {"apiKey": {"required": true}},
	  "connection": {"baseURL": "$URL", "auth": {"k": {"type": "apiKey", "in": "header", "name": "X-Api-Key", "value": "{{ .secrets.apiKey }}"}}},
	  "import": {
	    "accounts": {
	      "sources": [{"name": "users", "path": "/users", "records": "users", "paging": {"type": "cursor", "path": "next", "param": "cursor", "sizeParam": "limit", "size": 50}}],
	      "incremental": [{"name": "changed", "path": "/users", "query": {"since": "{{ rfc3339 .since }}"}, "records": "users"}],
	      "details": [{"name": "profile", "path": "/users/{{ .record.id }}/profile"}, {"name": "manager", "path": "/users/{{ .detail.profile.managerId }}"}],
	      "id": "id",
	      "entitlements": {"role": "roles"},
	      "entitlementsFrom": {"group": {"name": "userGroups", "path": "/users/{{ .record.id }}/groups", "paging": {"type": "page", "param": "p", "start": 1}, "id": "id"}}
	    },
	    "entitlements": {
	      "group": {"sources": [{"name": "groups", "path": "/groups"}], "id": "id", "detail": {"path": "/groups/{{ .record.id }}"},
	                "membersFrom": {"name": "members", "path": "/groups/{{ .record.id }}/members", "paging": {"type": "offset", "sizeParam": "count", "size": 100}, "id": "userId"}},
	      "role": {"fromAccounts": true}
	    }
	  }}`, srv)
	ctx := context.Background()

	plan, err := e.PlanImportAccounts(ctx, connector.ImportOptions{}, connector.PlanOptions{})
	require.NoError(t, err)
	assertMasked(t, plan)
	type row struct{ name, status, url, reason string }
	rows := func(p connector.Plan) []row {
		var out []row
		for _, c := range p.Calls {
			out = append(out, row{c.Name, string(c.Status), strings.TrimPrefix(c.URL, srv.URL), c.Reason})
		}
		return out
	}
	assert.Equal(t, []row{
		{"users", "ready", "/users?limit=50", "the first page"},
		{"profile", "unknown", "", "made once per account; reads .record, which the plan does not know"},
		{"manager", "unknown", "", "made once per account; reads .detail.profile, which the plan does not know"},
		{"userGroups", "unknown", "", "made once per account; the first page; reads .record, which the plan does not know"},
	}, rows(plan))
	assert.Equal(t, "[REDACTED]", plan.Calls[0].Header.Get("X-Api-Key"))

	record := map[string]any{"id": 7, "name": "ann"}
	plan, err = e.PlanImportAccounts(ctx, connector.ImportOptions{}, connector.PlanOptions{Record: record,
		Responses: map[string]connector.PlannedResponse{"profile": {Body: map[string]any{"managerId": "m-1"}}}})
	require.NoError(t, err)
	assert.Equal(t, []row{
		{"users", "ready", "/users?limit=50", "the first page"},
		{"profile", "ready", "/users/7/profile", "made once per account"},
		{"manager", "ready", "/users/m-1", "made once per account"},
		{"userGroups", "ready", "/users/7/groups?p=1", "made once per account; the first page"},
	}, rows(plan))

	since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	plan, err = e.PlanImportAccounts(ctx, connector.ImportOptions{Since: since}, connector.PlanOptions{Record: record})
	require.NoError(t, err)
	assert.Equal(t, "/users?since=2026-05-01T00%3A00%3A00Z", strings.TrimPrefix(plan.Calls[0].URL, srv.URL))

	plan, err = e.PlanImportAccess(ctx, connector.ImportOptions{}, connector.PlanOptions{Record: map[string]any{"id": "g1"}})
	require.NoError(t, err)
	assert.Equal(t, []row{
		{"groups", "ready", "/groups", ""},
		{"detail", "ready", "/groups/g1", "made once per entitlement"},
		{"members", "ready", "/groups/g1/members?count=100&offset=0", "made once per entitlement; the first page"},
		{"users", "ready", "/users?limit=50", `the first page; entitlements of type "role" are read from the account records`},
		{"profile", "ready", "/users/g1/profile", "made once per account"},
		{"manager", "unknown", "", "made once per account; reads .detail.profile, which the plan does not know"},
		{"userGroups", "ready", "/users/g1/groups?p=1", "made once per account; the first page"},
	}, rows(plan))
	assert.Equal(t, connector.Operation("importAccess"), plan.Op)

	plan, err = e.PlanImportAccess(ctx, connector.ImportOptions{Types: []string{"group"}}, connector.PlanOptions{})
	require.NoError(t, err)
	assert.Len(t, plan.Calls, 3)

	_, err = e.PlanImportAccess(ctx, connector.ImportOptions{Types: []string{"team"}}, connector.PlanOptions{})
	require.ErrorIs(t, err, connector.ErrUnsupported)
	_, err = e.PlanImportAccess(ctx, connector.ImportOptions{Since: since}, connector.PlanOptions{})
	require.ErrorIs(t, err, connector.ErrUnsupported)

	noInc := planEngine(t, `{"name": "t", "connection": {"baseURL": "$URL"}, "import": {"accounts": {"sources": [{"path": "/u"}], "id": "id"}}}`, srv)
	_, err = noInc.PlanImportAccounts(ctx, connector.ImportOptions{Since: since}, connector.PlanOptions{})
	require.ErrorIs(t, err, connector.ErrUnsupported)
	_, err = noInc.PlanImportAccess(ctx, connector.ImportOptions{}, connector.PlanOptions{})
	require.ErrorIs(t, err, connector.ErrUnsupported)
	var ce *connector.Error
	require.True(t, errors.As(err, &ce))
}

// The JSON form of a plan uses the documented names.
func TestPlanJSON(t *testing.T) {
	b, err := json.Marshal(connector.Plan{Op: connector.AddAccess, Calls: []connector.PlannedCall{
		{Name: "x", Where: "provision.addAccess.calls[0]", Status: connector.PlanReady, Index: ptr(0), If: connector.IfTrue, Auth: "a",
			Method: "GET", URL: "https://x.test/", Header: http.Header{"Accept": {"application/json"}}, Body: "{}", Reason: "r"},
		{Name: "y", Where: "provision.addAccess.calls[1]", Status: connector.PlanUnknown},
	}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"op": "addAccess", "calls": [
	  {"name": "x", "where": "provision.addAccess.calls[0]", "status": "ready", "reason": "r", "if": "true", "index": 0, "auth": "a",
	   "method": "GET", "url": "https://x.test/", "header": {"Accept": ["application/json"]}, "body": "{}"},
	  {"name": "y", "where": "provision.addAccess.calls[1]", "status": "unknown"}]}`, string(b))

	var r connector.PlannedResponse
	require.NoError(t, json.Unmarshal([]byte(`{"status": 201, "headers": {"Location": "/u/1"}, "body": {"id": 1}}`), &r))
	assert.Equal(t, connector.PlannedResponse{Status: 201, Header: map[string]string{"Location": "/u/1"}, Body: map[string]any{"id": 1.0}}, r)
}

// The reason of an unknown call names every unknown value it reads, and
// whether its if, its forEach or its request reads it.
func TestPlanUnknownReasons(t *testing.T) {
	srv := newPlanTarget(t)
	e := planEngine(t, `{"name": "t", "connection": {"baseURL": "$URL"},
	  "provision": {"updateAccount": {"calls": [
	    {"name": "a", "path": "/a"},
	    {"name": "b", "path": "/b"},
	    {"name": "c", "if": "{{ .responses.a.body.go }}", "method": "PUT", "path": "/c/{{ .responses.b.body.id }}"},
	    {"name": "d", "if": "{{ .responses.a.body.go }}", "method": "PUT", "path": "/d/{{ .responses.a.body.id }}"},
	    {"name": "e", "if": "{{ .responses.a.body.go }}", "forEach": "{{ .responses.a.body.items }}", "method": "PUT", "path": "/e/{{ .item }}"},
	    {"name": "f", "method": "PUT", "path": "/f/{{ .responses.a.body.id }}/{{ .responses.b.body.id }}", "body": {"x": "{{ opt .responses \"c\" }}"}}
	  ]}}}`, srv)
	plan, err := e.Plan(context.Background(), connector.Request{Op: connector.UpdateAccount}, connector.PlanOptions{})
	require.NoError(t, err)
	var reasons []string
	for _, c := range plan.Calls[2:] {
		reasons = append(reasons, c.Name+": "+c.Reason)
	}
	assert.Equal(t, []string{
		"c: if reads .responses.a, which the plan does not know; reads .responses.b, which the plan does not know",
		"d: if and request read .responses.a, which the plan does not know",
		"e: if and forEach read .responses.a, which the plan does not know",
		// opt reads .responses whole: every unknown response.
		"f: reads .responses.a, .responses.b, .responses.c, .responses.d, .responses.e, which the plan does not know",
	}, reasons)
}
