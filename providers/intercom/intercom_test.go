package intercom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/internal/openapitest"
	"github.com/restconn/restconn/providers/intercom"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
)

func newEngine(t *testing.T, srv *intercomtest.Server, cfg intercom.Config, opts ...connector.Option) *connector.Engine {
	t.Helper()
	if cfg.Token == "" {
		cfg.Token = srv.Token
	}
	cfg.BaseURL = srv.URL
	if cfg.TicketTypeID == "" {
		cfg.TicketTypeID = "1"
	}
	e, err := intercom.New(cfg, append([]connector.Option{connector.WithHTTPClient(srv.Client())}, opts...)...)
	require.NoError(t, err)
	return e
}

func TestConnect(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	require.NoError(t, newEngine(t, srv, intercom.Config{}).Connect(context.Background()))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/me", reqs[0].Path)
	assert.Equal(t, "2.11", reqs[0].Version)
	assert.Equal(t, "Bearer "+srv.Token, reqs[0].Header.Get("Authorization"))

	err := newEngine(t, srv, intercom.Config{Token: "revoked-or-wrong-token"}).Connect(context.Background())
	require.ErrorIs(t, err, connector.ErrAuth)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 401, ce.StatusCode)
	assert.Equal(t, "unauthorized", ce.Code)
	assert.Equal(t, "Access Token Invalid", ce.Message)
	assert.NotContains(t, err.Error(), "revoked-or-wrong-token")
}

func TestImportAccounts(t *testing.T) {
	srv := intercomtest.NewServer(
		intercomtest.WithAdmins(
			intercomtest.Admin{ID: "991267397", Name: "Ciaran Lee", Email: "ciaran@example.com", JobTitle: "Support lead",
				HasInboxSeat: true, TeamIDs: []int{814865, 814866}, AvatarURL: "https://static.example.com/a.png",
				PrimaryTeamIDs: []int{814865}, SecondaryTeamIDs: []int{814866}},
			intercomtest.Admin{ID: "991267398", Name: "Dana Away", Email: "dana@example.com", AwayModeEnabled: true, AwayModeReassign: true},
		),
		intercomtest.WithTeams(
			intercomtest.Team{ID: "814865", Name: "Support", AdminIDs: []int{991267397}, PrimaryAdminIDs: []int{991267397}},
			intercomtest.Team{ID: "814866", Name: "Billing", AdminIDs: []int{991267397}},
		),
	)
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	start := time.Now().UTC().Truncate(time.Second)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 2)
	// synced_at: the import's start, RFC 3339 in UTC, the same on every admin.
	syncedAt, _ := accts[0].Attributes["synced_at"].(string)
	synced, err := time.Parse(time.RFC3339, syncedAt)
	require.NoError(t, err, "synced_at %q", syncedAt)
	assert.True(t, strings.HasSuffix(syncedAt, "Z"), "UTC: %s", syncedAt)
	assert.False(t, synced.Before(start), "synced_at %s is before the import started (%s)", synced, start)
	assert.False(t, synced.After(time.Now()), "synced_at %s is in the future", synced)
	assert.Equal(t, syncedAt, accts[1].Attributes["synced_at"])
	assert.Equal(t, "2.11", accts[1].Attributes["intercom_version"])
	assert.Equal(t, connector.Account{
		ID: "991267397", Name: "Ciaran Lee", Active: true,
		Attributes: map[string]any{
			"id": "991267397", "type": "admin", "name": "Ciaran Lee", "email": "ciaran@example.com", "job_title": "Support lead",
			"away_mode_enabled": false, "away_mode_reassign": false, "has_inbox_seat": true,
			"team_ids": []any{int64(814865), int64(814866)}, "avatar_image_url": "https://static.example.com/a.png",
			"primary_team_ids": []any{int64(814865)}, "secondary_team_ids": []any{int64(814866)},
			"intercom_version": "2.11", "synced_at": syncedAt,
		},
		Entitlements: map[string][]string{"team": {"814865", "814866"}},
	}, accts[0])
	assert.Equal(t, true, accts[1].Attributes["away_mode_enabled"])
	assert.Equal(t, []string{}, accts[1].Entitlements["team"])
	assert.Equal(t, "display_avatar=true", srv.Requests()[0].RawQuery)

	_, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Since: time.Now()}))
	assert.ErrorIs(t, err, connector.ErrUnsupported, "GET /admins has no incremental form")
}

// intercom_version is the Intercom-Version the import sent.
func TestImportAccountsVersion(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{Version: "2.10"})
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.NotEmpty(t, accts)
	for _, a := range accts {
		assert.Equal(t, "2.10", a.Attributes["intercom_version"])
	}
	assert.Equal(t, "2.10", srv.Requests()[0].Version)
}

func TestImportAccess(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	teams, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.NotEmpty(t, teams)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	// Members of each team agree with the admins' team lists.
	for _, tm := range teams {
		assert.Equal(t, "team", tm.Type)
		assert.NotEmpty(t, tm.Name)
		for _, a := range accts {
			assert.Equal(t, contains(a.Entitlements["team"], tm.ID), contains(tm.Members, a.ID), "team %s admin %s", tm.ID, a.ID)
		}
		assert.Equal(t, tm.Name, tm.Attributes["name"])
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func TestUpdateAccountAwayMode(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	admins, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	a := admins[0]
	require.False(t, a.Attributes["away_mode_enabled"].(bool))

	res, err := e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount,
		Account: map[string]any{"id": a.ID, "away_mode_enabled": true}})
	require.NoError(t, err)
	assert.Equal(t, a.ID, res.AccountID)
	assert.Equal(t, map[string]any{"away_mode_enabled": true, "away_mode_reassign": a.Attributes["away_mode_reassign"]}, res.Attributes)
	got, _ := srv.Admin(a.ID)
	assert.True(t, got.AwayModeEnabled)
	assert.Equal(t, a.Attributes["away_mode_reassign"], got.AwayModeReassign, "an absent field keeps its value")

	_, err = e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount,
		Account: map[string]any{"id": a.ID, "away_mode_enabled": "false", "away_mode_reassign": "true"}})
	require.NoError(t, err)
	got, _ = srv.Admin(a.ID)
	assert.False(t, got.AwayModeEnabled)
	assert.True(t, got.AwayModeReassign)

	_, err = e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "404404", "away_mode_enabled": true}})
	require.ErrorIs(t, err, connector.ErrNotFound)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "admin_not_found", ce.Code)
	assert.Equal(t, 404, ce.StatusCode)

	_, err = e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"name": "no id"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `missing key "id"`)
}

func TestTicketsForLifecycleAndAccess(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	ctx := context.Background()
	task := map[string]any{"id": "REQ-42", "requestor": "manager@example.com", "comments": "new hire"}
	tests := []struct {
		req   connector.Request
		title string
	}{
		{connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "new.hire@example.com", "displayname": "New Hire"}, Task: task},
			"Invite new.hire@example.com to Intercom as a teammate"},
		{connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": "1", "name": "Ann", "email": "ann@example.com"}, Task: task},
			"Suspend Intercom access for teammate ann@example.com"},
		{connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "1", "name": "Ann"}, Task: task},
			"Restore Intercom access for teammate Ann"},
		{connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "1", "email": "ann@example.com"}, Task: task},
			"Remove teammate ann@example.com from Intercom"},
		{connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "1", "email": "ann@example.com"},
			Entitlement: &connector.Entitlement{Type: "team", ID: "814865", Name: "Support"}, Task: task},
			"Add teammate ann@example.com to Intercom team Support"},
		{connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": "1", "email": "ann@example.com"},
			Entitlement: &connector.Entitlement{Type: "team", ID: "814865"}, User: map[string]any{"email": "ann@example.com"}},
			"Remove teammate ann@example.com from Intercom team 814865"},
	}
	for _, tt := range tests {
		t.Run(string(tt.req.Op), func(t *testing.T) {
			res, err := e.Provision(ctx, tt.req)
			require.NoError(t, err)
			require.NotNil(t, res.Ticket)
			assert.Equal(t, connector.TicketPending, res.Ticket.State)
			assert.Equal(t, "submitted", res.Ticket.Status)
			tk, ok := srv.Ticket(res.Ticket.ID)
			require.True(t, ok, "the ticket is stored under Result.Ticket.ID (the API id)")
			assert.Equal(t, tk.TicketID, res.Ticket.Number)
			assert.NotEqual(t, tk.TicketID, res.Ticket.ID)
			assert.Equal(t, "1", tk.TicketTypeID)
			assert.Equal(t, tt.title, tk.Title)
			assert.Contains(t, tk.Description, "Requested operation: "+string(tt.req.Op))
			if tt.req.Task != nil {
				assert.Equal(t, []string{"manager@example.com"}, tk.ContactEmails, "filed for the requester")
				assert.Contains(t, tk.Description, "id: REQ-42")
			} else {
				assert.Equal(t, []string{"ann@example.com"}, tk.ContactEmails, "no requester: filed for the user")
			}
		})
	}
	_, err := e.Provision(ctx, connector.Request{Op: connector.AddAccess, Entitlement: &connector.Entitlement{Type: "role", ID: "x"}})
	assert.ErrorIs(t, err, connector.ErrUnsupported)
	_, err = e.Provision(ctx, connector.Request{Op: connector.ChangePassword})
	assert.ErrorIs(t, err, connector.ErrUnsupported)
}

func TestTicketStatus(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	ctx := context.Background()
	res, err := e.Provision(ctx, connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "1", "email": "x@example.com"}, User: map[string]any{"email": "x@example.com"}})
	require.NoError(t, err)
	id := res.Ticket.ID
	for _, tt := range []struct {
		state string
		want  connector.TicketState
	}{
		{"in_progress", connector.TicketPending},
		{"waiting_on_customer", connector.TicketPending},
		{"resolved", connector.TicketCompleted},
		{"in_progress", connector.TicketPending}, // reopened
	} {
		require.NoError(t, srv.SetTicketState(id, tt.state))
		tk, err := e.TicketStatus(ctx, id)
		require.NoError(t, err)
		stored, _ := srv.Ticket(id)
		assert.Equal(t, connector.Ticket{ID: id, Number: res.Ticket.Number, State: tt.want, Status: tt.state, UpdatedAt: time.Unix(stored.UpdatedAt, 0).UTC()}, tk)
	}
	_, err = e.TicketStatus(ctx, "999999")
	require.ErrorIs(t, err, connector.ErrNotFound)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ticket_not_found", ce.Code)

	// Overriding the mapping: waiting on the customer counts as rejected.
	e2 := newEngine(t, srv, intercom.Config{States: map[string]connector.TicketState{"waiting_on_customer": connector.TicketRejected}})
	require.NoError(t, srv.SetTicketState(id, "waiting_on_customer"))
	tk, err := e2.TicketStatus(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, connector.TicketRejected, tk.State)
}

func TestTicketConfig(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	ctx := context.Background()
	req := connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "u@example.com"}, Task: map[string]any{"requestor": "Boss Person"}}

	// A template for the contact, over the request.
	e := newEngine(t, srv, intercom.Config{ContactEmail: "it-desk+{{ .task.id }}@example.com"})
	res, err := e.Provision(ctx, connector.Request{Op: req.Op, User: req.User, Task: map[string]any{"id": "7"}})
	require.NoError(t, err)
	tk, _ := srv.Ticket(res.Ticket.ID)
	assert.Equal(t, []string{"it-desk+7@example.com"}, tk.ContactEmails)

	// A requestor that is not an email: filed for the user.
	e = newEngine(t, srv, intercom.Config{})
	res, err = e.Provision(ctx, req)
	require.NoError(t, err)
	tk, _ = srv.Ticket(res.Ticket.ID)
	assert.Equal(t, []string{"u@example.com"}, tk.ContactEmails)

	// An unknown ticket type is Intercom's error, named.
	e = newEngine(t, srv, intercom.Config{TicketTypeID: "4242"})
	_, err = e.Provision(ctx, req)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "ticket", ce.Call)
	assert.Equal(t, 404, ce.StatusCode)

	// No ticket type at all: a clear error before any call.
	n := len(srv.Requests())
	eNo, err := intercom.New(intercom.Config{Token: srv.Token, BaseURL: srv.URL}, connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	_, err = eNo.Provision(ctx, req)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ticketTypeID is needed")
	assert.Len(t, srv.Requests(), n)

	_, err = intercom.New(intercom.Config{})
	assert.ErrorContains(t, err, "Token is required")
	_, err = intercom.New(intercom.Config{Token: "t", ContactEmail: "{{ .oops"})
	assert.ErrorIs(t, err, connector.ErrInvalidSpec)
}

func TestRateLimitWaitsUntilReset(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	srv.RateLimitNext(2, time.Second)
	start := time.Now()
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	assert.NotEmpty(t, accts)
	assert.GreaterOrEqual(t, time.Since(start), 900*time.Millisecond, "waited for X-RateLimit-Reset")
	assert.Len(t, srv.Requests(), 3)

	// A reset further away than the preset's limit fails at once.
	srv.RateLimitNext(1, 10*time.Minute)
	start = time.Now()
	err = e.Connect(context.Background())
	require.ErrorIs(t, err, connector.ErrRateLimited)
	assert.Less(t, time.Since(start), 5*time.Second)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "rate_limit_exceeded", ce.Code)
}

// TestRequestsMatchOpenAPI sends every kind of request the preset makes and
// validates each against Intercom's OpenAPI description.
func TestRequestsMatchOpenAPI(t *testing.T) {
	v := openapitest.FromEnv(t, "RESTCONN_INTERCOM_OPENAPI")
	srv := intercomtest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, intercom.Config{})
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx))
	accts, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	_, err = connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	_, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": accts[0].ID, "away_mode_enabled": true}})
	require.NoError(t, err)
	for _, op := range []connector.Operation{connector.CreateAccount, connector.RemoveAccount, connector.AddAccess} {
		res, err := e.Provision(ctx, connector.Request{Op: op, User: map[string]any{"email": `o'neil "q"@example.com`},
			Account: map[string]any{"id": accts[0].ID}, Entitlement: &connector.Entitlement{Type: "team", ID: "1", Name: "Ops"}})
		require.NoError(t, err)
		_, err = e.TicketStatus(ctx, res.Ticket.ID)
		require.NoError(t, err)
	}
	// The ticket's life: assignment on create, a note, a cancel; and an
	// update with nothing to change.
	full := newEngine(t, srv, intercom.Config{AdminID: accts[0].ID, TeamAssigneeID: "814866", AdminAssigneeID: accts[1].ID})
	res, err := full.Provision(ctx, connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": accts[1].ID}, User: map[string]any{"email": "x@example.com"}})
	require.NoError(t, err)
	require.NoError(t, full.CommentTicket(ctx, res.Ticket.ID, "Approved <b>today</b>."))
	_, err = full.CancelTicket(ctx, res.Ticket.ID, "Withdrawn.")
	require.NoError(t, err)
	_, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": accts[0].ID, "away_mode_enabled": true}})
	require.NoError(t, err)
	reqs := srv.Requests()
	require.GreaterOrEqual(t, len(reqs), 10)
	kinds := map[string]bool{}
	for _, r := range reqs {
		kinds[r.Method+" "+strings.Join(strings.Split(r.Path, "/")[:2], "/")] = true
		if strings.HasSuffix(r.Path, "/reply") {
			kinds["POST reply"] = true
		}
	}
	for _, k := range []string{"POST /tickets", "PUT /tickets", "POST reply", "GET /tickets", "PUT /admins"} {
		assert.True(t, kinds[k], "no %s request was checked", k)
	}
	for _, r := range reqs {
		hr := httptest.NewRequest(r.Method, "https://api.intercom.io"+r.Path+"?"+r.RawQuery, bytes.NewReader(r.Body))
		hr.Header = r.Header.Clone()
		assert.NoError(t, v.ValidateRequest(hr, r.Body), "%s %s", r.Method, r.Path)
		if r.Method != http.MethodGet {
			var body map[string]any
			require.NoError(t, json.Unmarshal(r.Body, &body), "bodies are JSON objects")
		}
	}
}

func TestSpecIsACopy(t *testing.T) {
	connectortest.CheckSpecCopy(t, intercom.Spec) // every field, deep down
	a, b := intercom.Spec(), intercom.Spec()
	a.Connection.BaseURL = "https://changed.example.com"
	assert.NotEqual(t, a.Connection.BaseURL, b.Connection.BaseURL)
	assert.Equal(t, "intercom", b.Name)
	assert.True(t, strings.HasPrefix(b.Description, "Intercom REST API 2.11"))
	assert.False(t, errors.Is(b.Validate(), connector.ErrInvalidSpec))
}
