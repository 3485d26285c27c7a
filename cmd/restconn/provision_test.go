package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys/genesystest"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
	"github.com/restconn/restconn/providers/okta/oktatest"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

// decodeJSON decodes the one JSON object out holds into a T, and checks
// that nothing in it is lost on the way.
func decodeJSON[T any](t *testing.T, out string) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(out), &v), out)
	again, err := json.MarshalIndent(v, "", "  ")
	require.NoError(t, err)
	assert.JSONEq(t, out, string(again))
	return v
}

func TestProvisionTicketFlowIntercom(t *testing.T) {
	srv := intercomtest.NewServer()
	f := fakeOf(t, "intercom", intercomFake(srv))
	req := writeFile(t, "req.json", `{
	  "op": "addAccess",
	  "user": {"email": "ada@example.com"},
	  "account": {"id": "991267393", "email": "declan.kelly@example.com"},
	  "entitlement": {"type": "team", "id": "814866", "name": "Billing"},
	  "task": {"id": "REQ-1"}
	}`)
	res := decodeJSON[connector.Result](t, runCLI(t, f.env, f.args("provision", "--request", req)...).ok(t))
	require.NotNil(t, res.Ticket)
	assert.Equal(t, connector.TicketPending, res.Ticket.State)
	assert.Equal(t, "submitted", res.Ticket.Status)
	tk, ok := srv.Ticket(res.Ticket.ID)
	require.True(t, ok, "the fake has the ticket")
	assert.Contains(t, tk.Attributes["_default_title_"], "Billing")

	status := decodeJSON[connector.Ticket](t, runCLI(t, f.env, f.args("ticket", "status", res.Ticket.ID)...).ok(t))
	assert.Equal(t, *res.Ticket, status)

	require.NoError(t, srv.SetTicketState(res.Ticket.ID, "resolved"))
	status = decodeJSON[connector.Ticket](t, runCLI(t, f.env, f.args("ticket", "status", res.Ticket.ID)...).ok(t))
	assert.Equal(t, connector.TicketCompleted, status.State)

	r := runCLI(t, f.env, f.args("ticket", "status", "424242")...)
	assert.Equal(t, exitFailed, r.code)
	assert.Equal(t, "restconn: ticketStatus: call \"ticket\": HTTP 404: ticket_not_found: Ticket not found (not found)\n", r.stderr)
}

func TestProvisionCallsIntercom(t *testing.T) {
	f := startFake(t, "intercom")
	c := newCLI(t, f.env)
	c.stdin = `{"op": "updateAccount", "account": {"id": "991267390", "away_mode_enabled": true}}`
	res := decodeJSON[connector.Result](t, c.run(f.args("provision", "--request", "-")...).ok(t))
	assert.Equal(t, connector.Result{AccountID: "991267390", Attributes: map[string]any{"away_mode_enabled": true, "away_mode_reassign": false}}, res)
}

func TestProvisionGenesys(t *testing.T) {
	srv := genesystest.NewServer()
	f := fakeOf(t, "genesys", genesysFake(srv))
	req := writeFile(t, "create.json", `{"op": "createAccount", "user": {"email": "katherine.johnson@example.com", "displayname": "Katherine Johnson"}, "password": "Example-Passw0rd!"}`)
	res := decodeJSON[connector.Result](t, runCLI(t, f.env, f.args("provision", "--request", req)...).ok(t))
	require.NotEmpty(t, res.AccountID)
	u, ok := srv.User(res.AccountID)
	require.True(t, ok)
	assert.Equal(t, "Katherine Johnson", u.DisplayName)

	// An operation the target refuses: exit 1 with the status and the
	// vendor's words.
	req = writeFile(t, "update.json", `{"op": "updateAccount", "account": {"id": "00000000-0000-0000-0000-000000000000"}, "user": {"title": "Pilot"}}`)
	r := runCLI(t, f.env, f.args("provision", "--request", req)...)
	assert.Equal(t, exitFailed, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "restconn: updateAccount: call \"get\": HTTP 404")
	assert.Contains(t, r.stderr, "(not found)")
}

func TestProvisionTicketFlowOTRS(t *testing.T) {
	srv := otrstest.NewServer()
	f := fakeOf(t, "otrs", otrsFake(srv, otrstest.DefaultAgentLogin, otrstest.DefaultAgentPassword))
	c := newCLI(t, f.env)
	c.stdin = `{"op": "removeAccess", "user": {"email": "jane.doe@example.com"}, "account": {"id": "jdoe"}, "entitlement": {"type": "group", "id": "finance", "name": "Finance"}}`
	res := decodeJSON[connector.Result](t, c.run(f.args("provision", "--request", "-")...).ok(t))
	require.NotNil(t, res.Ticket)
	assert.Equal(t, connector.TicketPending, res.Ticket.State, "filed; OTRS answers no state until polled")
	tk, ok := srv.Ticket(res.Ticket.ID)
	require.True(t, ok)
	assert.Equal(t, "jane.doe", tk.CustomerUser)
	assert.Equal(t, tk.TicketNumber, res.Ticket.Number)

	require.NoError(t, srv.CloseTicket(res.Ticket.ID, ""))
	status := decodeJSON[connector.Ticket](t, runCLI(t, f.env, f.args("ticket", "status", res.Ticket.ID)...).ok(t))
	closed, _ := srv.Ticket(res.Ticket.ID)
	zoom := strings.Replace(srv.URL, "nph-genericinterface.pl/Webservice/"+otrstest.DefaultWebservice, "index.pl", 1) + "?Action=AgentTicketZoom;TicketID=" + res.Ticket.ID
	assert.Equal(t, connector.Ticket{ID: res.Ticket.ID, Number: tk.TicketNumber, State: connector.TicketCompleted, Status: "closed successful",
		UpdatedAt: closed.Changed, URL: zoom}, status)

	// Wrong password: the login fails, exit 1 with OTRS's error code.
	env := map[string]string{"RESTCONN_SECRET_PASSWORD": "wrong-password"}
	r := runCLI(t, env, f.args("connect")...)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "SessionCreate.AuthFail")
	assert.Contains(t, r.stderr, "(authentication failed)")
}

func TestProvisionRequestErrors(t *testing.T) {
	d := newDirectory(t)
	tests := []struct {
		name, request string
		code          int
		stderr        string
	}{
		{"unknown key", `{"op": "disableAccount", "acount": {"id": "1"}}`, exitUsage, `req.json: acount: unknown key "acount" (did you mean "account"?)`},
		{"unknown entitlement key", `{"op": "addAccess", "entitlement": {"type": "g", "id": "1", "nmae": "x"}}`, exitUsage, `req.json: entitlement.nmae: unknown key "nmae" (did you mean "name"?)`},
		{"missing op", `{"account": {"id": "1"}}`, exitUsage, "req.json: op: missing: the operation to carry out (createAccount, updateAccount,"},
		{"unknown op", `{"op": "suspend"}`, exitUsage, `req.json: op: unknown operation "suspend"`},
		{"access without entitlement", `{"op": "removeAccess", "account": {"id": "1"}}`, exitUsage, `req.json: entitlement: missing: removeAccess needs {"type", "id", "name"}`},
		{"not JSON", `{"op": `, exitUsage, "req.json: not a JSON request object"},
		{"two objects", `{"op": "disableAccount"} {}`, exitUsage, "req.json: trailing data"},
		{"operation not in the spec", `{"op": "createAccount", "user": {"email": "x@example.com"}}`, exitFailed, `operation "createAccount" is not in the spec`},
		{"target refuses", `{"op": "disableAccount", "account": {"id": "99"}}`, exitFailed, `restconn: disableAccount: call "suspend": HTTP 404: user_not_found: no user 99 (not found)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := writeFile(t, "req.json", tt.request)
			r := runCLI(t, d.env(), d.args("provision", "--request", req)...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}

	out := runCLI(t, d.env(), d.args("provision", "--request", writeFile(t, "req.json", `{"op": "disableAccount", "account": {"id": "2"}}`))...).ok(t)
	assert.Equal(t, connector.Result{AccountID: "2", Attributes: map[string]any{}}, decodeJSON[connector.Result](t, out))

	r := runCLI(t, d.env(), d.args("provision")...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--request FILE is required")
}

// A --param whose declared default is not text is read as JSON of that
// kind: --param deactivateOnDisable=false must not be the text "false",
// which a template's if reads as true (Okta would deactivate, not suspend).
func TestProvisionTypedParams(t *testing.T) {
	srv := oktatest.NewServer()
	f := fakeOf(t, "okta", oktaFake(srv))
	var active []string
	for _, a := range jsonLines[connector.Account](t, runCLI(t, f.env, f.args("import", "accounts")...).ok(t)) {
		if a.Attributes["status"] == "ACTIVE" && a.ID != srv.AdminID { // the admin owns the token
			active = append(active, a.ID)
		}
	}
	require.GreaterOrEqual(t, len(active), 2)
	disable := func(id, value string) result {
		req := writeFile(t, "disable.json", `{"op": "disableAccount", "account": {"id": "`+id+`"}}`)
		return runCLI(t, f.env, f.args("provision", "--request", req, "--param", "deactivateOnDisable="+value)...)
	}
	res := decodeJSON[connector.Result](t, disable(active[0], "false").ok(t))
	assert.Equal(t, "SUSPENDED", res.Attributes["status"], "deactivateOnDisable=false suspends")
	res = decodeJSON[connector.Result](t, disable(active[1], "true").ok(t))
	assert.Equal(t, "DEPROVISIONED", res.Attributes["status"], "deactivateOnDisable=true deactivates")

	r := disable(active[0], "no")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--param deactivateOnDisable=no: want true or false (its default is false)")

	// Numbers likewise; a param whose default is text takes the text as is.
	assert.Equal(t, map[string]any{"n": int64(5)}, mustParam(t, "n", "5", json.Number("1")))
	assert.Equal(t, map[string]any{"n": 2.5}, mustParam(t, "n", "2.5", json.Number("1")))
	assert.Equal(t, map[string]any{"n": "true"}, mustParam(t, "n", "true", "x"))
	assert.Equal(t, map[string]any{"n": "5"}, mustParam(t, "n", "5", nil))
	_, err := paramValue("n", "five", json.Number("1"))
	assert.ErrorContains(t, err, "--param n=five: want a number (its default is 1)")
}

func mustParam(t *testing.T, name, value string, def any) map[string]any {
	t.Helper()
	v, err := paramValue(name, value, def)
	require.NoError(t, err)
	return map[string]any{name: v}
}
