package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys/genesystest"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
	"github.com/restconn/restconn/providers/okta/oktatest"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

// countedFake is a preset's fake and the number of requests it has seen,
// on every host it serves (Genesys's OAuth login host included).
type countedFake struct {
	*fake
	requests func() int
}

func countedFakes(t *testing.T) map[string]countedFake {
	ic := intercomtest.NewServer()
	gs := genesystest.NewServer()
	ot := otrstest.NewServer()
	ok := oktatest.NewServer()
	return map[string]countedFake{
		"intercom": {fakeOf(t, "intercom", intercomFake(ic)), func() int { return len(ic.Requests()) }},
		"genesys":  {fakeOf(t, "genesys", genesysFake(gs)), func() int { return len(gs.Requests()) }},
		"otrs":     {fakeOf(t, "otrs", otrsFake(ot, otrstest.DefaultAgentLogin, otrstest.DefaultAgentPassword)), func() int { return len(ot.Requests()) }},
		"okta":     {fakeOf(t, "okta", oktaFake(ok)), func() int { return len(ok.Requests()) }},
	}
}

const planPassword = "Plan-Pw-9c1e-never-printed"

// planRequest is a request with what every preset's operations read.
func planRequest(entType string) string {
	return fmt.Sprintf(`{
	  "user": {"email": "ada@example.com", "username": "ada@example.com", "firstname": "Ada", "lastname": "Lovelace", "displayname": "Ada Lovelace", "title": "Engineer"},
	  "account": {"id": "991267393", "name": "ada", "email": "ada@example.com"},
	  "entitlement": {"type": %q, "id": "814866", "name": "Billing"},
	  "task": {"id": "REQ-1"},
	  "password": %q}`, entType, planPassword)
}

// Plan every operation (every entitlement type of addAccess and
// removeAccess) and both imports of every preset against its fake, with
// its real credentials: the fakes see no request at all (no API call, no
// token request, no login), and no secret is printed.
func TestPlanSendsNothing(t *testing.T) {
	for name, f := range countedFakes(t) {
		t.Run(name, func(t *testing.T) {
			b, _ := builtinByName(name)
			info := describe(b.spec())
			var secrets []string
			for _, s := range f.env {
				secrets = append(secrets, s)
			}
			c := newCLI(t, f.env)
			plans := 0
			check := func(args ...string) {
				t.Helper()
				r := c.run(append(args, "--json")...)
				require.Contains(t, []int{exitOK, exitFailed}, r.code, "%v: %s", args, r.stderr)
				if r.code == exitFailed {
					// A request this generic may lack a value an operation needs.
					assert.Contains(t, r.stderr, "required value missing", "%v", args)
				}
				plan := decodeJSON[connector.Plan](t, r.stdout)
				require.NotEmpty(t, plan.Calls, "%v", args)
				for _, s := range append(secrets, planPassword) {
					assert.NotContains(t, r.stdout+r.stderr, s, "%v", args)
				}
				plans++
			}
			for _, op := range info.Operations {
				types := []string{"none"}
				for _, typ := range op.Types {
					types = append(types, typ.Type)
				}
				if len(op.Types) > 0 {
					types = types[1:]
				}
				for _, typ := range types {
					c.stdin = planRequest(typ)
					check(f.args("plan", "--op", op.Op, "--request", "-")...)
				}
			}
			if info.Accounts != nil {
				check(f.args("plan", "--import", "accounts")...)
				check(f.args("plan", "--import", "accounts", "--record", writeFile(t, "rec.json", `{"id": "00u1", "login": "ada"}`))...)
			}
			if len(info.Entitlements) > 0 {
				check(f.args("plan", "--import", "access", "--record", writeFile(t, "rec.json", `{"id": "g1"}`))...)
			}
			assert.GreaterOrEqual(t, plans, 5)
			assert.Zero(t, f.requests(), "requests the fake received")
		})
	}
}

// The text form, for a fixed org: what a newcomer reads.
func TestPlanText(t *testing.T) {
	c := newCLI(t, nil)
	c.stdin = `{"account": {"id": "00u1ex"}}`
	out := c.run("plan", "--preset", "okta", "--param", "orgURL=https://acme.okta.com", "--op", "disableAccount", "--request", "-").ok(t)
	golden(t, "plan-okta-disable.golden", out)

	resp := writeFile(t, "resp.json", `{"user": {"status": 200, "body": {"id": "00u1ex", "status": "ACTIVE"}}}`)
	out = c.run("plan", "--preset", "okta", "--param", "orgURL=https://acme.okta.com", "--op", "disableAccount",
		"--request", writeFile(t, "req.json", `{"op": "enableAccount", "account": {"id": "00u1ex"}}`), "--responses", resp).ok(t)
	golden(t, "plan-okta-disable-responses.golden", out)
}

// With made-up responses, ifs are decided and calls that read earlier
// responses are rendered; the JSON form is a connector.Plan.
func TestPlanResponses(t *testing.T) {
	args := []string{"plan", "--preset", "okta", "--param", "orgURL=https://acme.okta.com", "--op", "enableAccount", "--json",
		"--request", writeFile(t, "req.json", `{"account": {"id": "00u1ex"}}`)}
	plan := decodeJSON[connector.Plan](t, runCLI(t, nil, args...).ok(t))
	assert.True(t, plan.Unknown())

	for status, want := range map[string][]string{
		"SUSPENDED":     {"user ready ", "unsuspend ready true", "activate skipped false", "after ready unknown"},
		"DEPROVISIONED": {"user ready ", "unsuspend skipped false", "activate ready true", "after ready unknown"},
		"ACTIVE":        {"user ready ", "unsuspend skipped false", "activate skipped false", "after skipped false"},
	} {
		resp := writeFile(t, "resp.json", `{"user": {"body": {"id": "00u1ex", "status": "`+status+`"}}}`)
		plan := decodeJSON[connector.Plan](t, runCLI(t, nil, append(args, "--responses", resp)...).ok(t))
		var got []string
		for _, c := range plan.Calls {
			got = append(got, c.Name+" "+string(c.Status)+" "+c.If)
		}
		assert.Equal(t, want, got, status)
	}

	// Given a response for unsuspend as well, the last call is decided.
	resp := writeFile(t, "resp.json", `{"user": {"body": {"status": "SUSPENDED"}}, "unsuspend": {"status": 200, "body": {}}, "after": {"body": {}}}`)
	plan = decodeJSON[connector.Plan](t, runCLI(t, nil, append(args, "--responses", resp)...).ok(t))
	assert.False(t, plan.Unknown())
	assert.Equal(t, "https://acme.okta.com/api/v1/users/00u1ex", plan.Calls[3].URL)

	// A response for a call the plan does not have is most likely a typo.
	resp = writeFile(t, "resp.json", `{"usr": {"body": {}}}`)
	r := runCLI(t, nil, append(args, "--responses", resp)...)
	r.ok(t)
	assert.Equal(t, "restconn: --responses: no call of the plan is named \"usr\"\n", r.stderr)
}

func TestPlanImport(t *testing.T) {
	base := []string{"plan", "--preset", "okta", "--param", "orgURL=https://acme.okta.com", "--param", "limit=50", "--json"}
	plan := decodeJSON[connector.Plan](t, runCLI(t, nil, append(base, "--import", "access")...).ok(t))
	require.Len(t, plan.Calls, 2)
	assert.Equal(t, "https://acme.okta.com/api/v1/groups?limit=50", plan.Calls[0].URL)
	assert.Equal(t, connector.PlanUnknown, plan.Calls[1].Status)
	assert.Equal(t, "import.entitlements.group.membersFrom", plan.Calls[1].Where)

	rec := writeFile(t, "group.json", `{"id": "00g1ex", "profile": {"name": "Engineering"}}`)
	plan = decodeJSON[connector.Plan](t, runCLI(t, nil, append(base, "--import", "access", "--record", rec)...).ok(t))
	assert.Equal(t, "https://acme.okta.com/api/v1/groups/00g1ex/users?limit=50", plan.Calls[1].URL)
	assert.Equal(t, "made once per entitlement; the first page", plan.Calls[1].Reason)

	c := newCLI(t, nil)
	c.now = time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	plan = decodeJSON[connector.Plan](t, c.run(append(base, "--import", "accounts", "--since", "24h")...).ok(t))
	require.Len(t, plan.Calls, 1)
	assert.Equal(t, "changedUsers", plan.Calls[0].Name)
	assert.Equal(t, `https://acme.okta.com/api/v1/users?filter=lastUpdated+gt+%222026-03-01T12%3A00%3A00.000Z%22&limit=50`, plan.Calls[0].URL)
}

// An import with calls per record, in text: without a sample record they
// are unknown; with one, and a response for the first detail call, every
// call is rendered.
func TestPlanImportText(t *testing.T) {
	base := []string{"plan", "--spec", "testdata/people.json", "--param", "baseURL=https://hr.example.com", "--import", "accounts"}
	golden(t, "plan-people-accounts.golden", runCLI(t, nil, base...).ok(t))
	out := runCLI(t, nil, append(base, "--record", writeFile(t, "rec.json", `{"id": "p-7", "login": "ann"}`),
		"--responses", writeFile(t, "resp.json", `{"profile": {"body": {"managerId": "p-1", "title": "Nurse"}}}`))...).ok(t)
	golden(t, "plan-people-accounts-record.golden", out)
	assert.NotContains(t, out, "unknown")
}

// A ticket-fulfilled operation shows the calls that file the ticket.
func TestPlanTicketOperation(t *testing.T) {
	c := newCLI(t, nil)
	c.stdin = `{"account": {"id": "jdoe"}, "user": {"email": "jane.doe@example.com"}, "entitlement": {"type": "group", "id": "finance", "name": "Finance"}}`
	plan := decodeJSON[connector.Plan](t, c.run("plan", "--preset", "otrs", "--param", "baseURL=https://desk.example.com/otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST",
		"--param", "userLogin=agent", "--op", "addAccess", "--request", "-", "--json").ok(t))
	require.Len(t, plan.Auth, 1)
	assert.Equal(t, `{"Password":"[REDACTED]","UserLogin":"agent"}`, plan.Auth[0].Body, "the login, with a stand-in password, masked")
	require.Len(t, plan.Calls, 1)
	assert.Equal(t, "tickets.create.calls[0]", plan.Calls[0].Where)
	assert.Equal(t, connector.PlanReady, plan.Calls[0].Status)
	assert.Contains(t, plan.Calls[0].Body, `"SessionID":"[REDACTED]"`, "the session's place, masked")
	assert.Contains(t, plan.Calls[0].Body, "Finance")
}

func TestPlanExitCodes(t *testing.T) {
	okta := []string{"--preset", "okta", "--param", "orgURL=https://acme.okta.com"}
	req := writeFile(t, "req.json", `{"account": {"id": "1"}}`)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"neither op nor import", []string{"plan", "--preset", "okta"}, exitUsage, "give --op OPERATION (with --request) or --import accounts|access"},
		{"both", append([]string{"plan", "--op", "enableAccount", "--import", "access"}, okta...), exitUsage, "give --op or --import, not both"},
		{"unknown op", append([]string{"plan", "--op", "suspend"}, okta...), exitUsage, "--op suspend: want one of createAccount,"},
		{"unknown import", append([]string{"plan", "--import", "users"}, okta...), exitUsage, "--import users: want accounts or access"},
		{"types with op", append([]string{"plan", "--op", "enableAccount", "--types", "group"}, okta...), exitUsage, "--types, --since and --record go with --import"},
		{"types with accounts", append([]string{"plan", "--import", "accounts", "--types", "group"}, okta...), exitUsage, "--types goes with --import access"},
		{"request with import", append([]string{"plan", "--import", "accounts", "--request", req}, okta...), exitUsage, "--request goes with --op"},
		{"stdin twice", append([]string{"plan", "--op", "enableAccount", "--request", "-", "--responses", "-"}, okta...), exitUsage, "only one of"},
		{"bad request", append([]string{"plan", "--op", "enableAccount", "--request", writeFile(t, "bad.json", `{"acount": {}}`)}, okta...), exitUsage, `bad.json: acount: unknown key "acount"`},
		{"bad responses key", append([]string{"plan", "--op", "enableAccount", "--request", req, "--responses", writeFile(t, "r.json", `{"user": {"header": {}}}`)}, okta...), exitUsage, `r.json: want a JSON object of call names to responses`},
		{"responses not an object", append([]string{"plan", "--op", "enableAccount", "--request", req, "--responses", writeFile(t, "r.json", `[]`)}, okta...), exitUsage, `r.json: want a JSON object`},
		{"record not JSON", append([]string{"plan", "--import", "access", "--record", writeFile(t, "rec.json", `{id: 1}`)}, okta...), exitUsage, "rec.json: not JSON"},
		{"access without request", append([]string{"plan", "--op", "addAccess"}, okta...), exitUsage, `--op addAccess needs --request FILE with an "entitlement"`},
		{"access without entitlement", append([]string{"plan", "--op", "addAccess", "--request", req}, okta...), exitUsage, `req.json: entitlement: missing: addAccess needs {"type", "id", "name"}`},
		{"missing param", []string{"plan", "--preset", "okta", "--op", "enableAccount"}, exitUsage, "preset okta needs --param orgURL=VALUE"},
		{"invalid spec", []string{"plan", "--spec", "testdata/bad-key.json", "--op", "enableAccount"}, exitUsage, "connection.baseUrl"},
		{"a call fails to render", append([]string{"plan", "--op", "enableAccount"}, okta...), exitFailed, `restconn: enableAccount: provision.enableAccount.calls[0].path: call "user": required value missing: missing key "id" in .account.id`},
		{"import the spec lacks", []string{"plan", "--spec", "testdata/directory.json", "--param", "baseURL=https://dir.example.com", "--import", "access", "--types", "role"}, exitFailed, `entitlement type "role" is not in the spec (have group)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}

	// The plan up to the call that fails is printed.
	r := runCLI(t, nil, append([]string{"plan", "--op", "enableAccount", "--json"}, okta...)...)
	assert.Equal(t, exitFailed, r.code)
	plan := decodeJSON[connector.Plan](t, r.stdout)
	require.Len(t, plan.Calls, 1)
	assert.Equal(t, connector.PlanFailed, plan.Calls[0].Status)

	// An operation the spec lacks: nothing to show.
	r = runCLI(t, nil, "plan", "--spec", "testdata/directory.json", "--param", "baseURL=https://dir.example.com", "--op", "createAccount")
	assert.Equal(t, exitFailed, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, `operation "createAccount" is not in the spec`)
	assert.True(t, strings.HasPrefix(r.stderr, "restconn: "))
}
