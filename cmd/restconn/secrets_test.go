package main

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
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

// leakCheck runs commands with -v and --trace and gathers everything they
// wrote: stdout, stderr (the log) and the trace files.
type leakCheck struct {
	t      *testing.T
	dir    string
	output []string
	traces int // trace lines written
	logs   int // log lines written
}

func newLeakCheck(t *testing.T) *leakCheck { return &leakCheck{t: t, dir: t.TempDir()} }

func (l *leakCheck) run(c *cli, wantCode int, args ...string) result {
	l.t.Helper()
	trace := filepath.Join(l.dir, "trace-"+strings.Repeat("x", len(l.output))+".jsonl")
	r := c.run(append(args, "-v", "--trace", trace)...)
	require.Equal(l.t, wantCode, r.code, "%q: %s", args, r.stderr)
	b, err := os.ReadFile(trace)
	require.NoError(l.t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var tl traceLine
		require.NoError(l.t, json.Unmarshal([]byte(line), &tl), "trace line %q", line)
		require.NotEmpty(l.t, tl.Method)
		l.traces++
	}
	l.logs += strings.Count(r.stderr, "level=DEBUG msg=http")
	l.output = append(l.output, r.stdout, r.stderr, string(b))
	return r
}

// assertNone fails if any secret appears in anything written.
func (l *leakCheck) assertNone(secrets ...string) {
	l.t.Helper()
	assert.Greater(l.t, l.traces, 0, "no trace written: the check would be empty")
	assert.Greater(l.t, l.logs, 0, "no log written: the check would be empty")
	all := strings.Join(l.output, "\n")
	assert.Contains(l.t, all, "[REDACTED]", "the masks show where secrets were")
	for _, s := range secrets {
		require.NotEmpty(l.t, s)
		assert.NotContains(l.t, all, s, "a secret leaked")
	}
}

func TestSecretsNeverLeakIntercom(t *testing.T) {
	const token = "ic-tok-5a1f-never-printed"
	srv := intercomtest.NewServer(intercomtest.WithToken(token))
	f := fakeOf(t, "intercom", intercomFake(srv))
	c := newCLI(t, f.env)
	l := newLeakCheck(t)
	l.run(c, exitOK, f.args("connect")...)
	l.run(c, exitOK, f.args("import", "accounts")...)
	l.run(c, exitOK, f.args("import", "access")...)
	c.stdin = `{"op": "addAccess", "user": {"email": "ada@example.com"}, "account": {"id": "991267393"}, "entitlement": {"type": "team", "id": "814866"}}`
	res := decodeJSON[connector.Result](t, l.run(c, exitOK, f.args("provision", "--request", "-")...).stdout)
	l.run(c, exitOK, f.args("ticket", "status", res.Ticket.ID)...)
	l.run(c, exitOK, f.args("ticket", "comment", res.Ticket.ID, "--text", "Approved.")...)
	l.run(c, exitOK, f.args("ticket", "cancel", res.Ticket.ID, "--reason", "Not needed.")...)
	l.run(c, exitRejected, f.args("ticket", "await", res.Ticket.ID)...)
	l.run(c, exitOK, f.args("reconcile", "access", "--known", writeFile(t, "known.txt", "team/814865\nteam/1\n"))...)

	// A wrong token is a secret too, and so is one from a secrets file.
	const wrong = "ic-wrong-token-77a0"
	l.run(newCLI(t, map[string]string{"RESTCONN_SECRET_TOKEN": wrong}), exitFailed, f.args("import", "accounts")...)
	file := writeFile(t, "secrets.json", `{"token": "`+token+`"}`)
	l.run(newCLI(t, nil), exitOK, f.args("import", "accounts", "--secrets-file", file)...)
	l.assertNone(token, wrong)
}

func TestSecretsNeverLeakGenesys(t *testing.T) {
	const clientSecret = "gen-secret-19fd-never-printed"
	const password = "Pw-9Xq!never-printed"
	srv := genesystest.NewServer(genesystest.WithClient("gen-client", clientSecret))
	f := fakeOf(t, "genesys", genesysFake(srv))
	c := newCLI(t, f.env)
	l := newLeakCheck(t)
	l.run(c, exitOK, f.args("connect")...)
	l.run(c, exitOK, f.args("import", "accounts")...)
	l.run(c, exitOK, f.args("import", "access")...)
	c.stdin = `{"op": "createAccount", "user": {"email": "katherine.johnson@example.com", "displayname": "Katherine Johnson"}, "password": "` + password + `"}`
	res := decodeJSON[connector.Result](t, l.run(c, exitOK, f.args("provision", "--request", "-")...).stdout)
	c.stdin = `{"op": "changePassword", "account": {"id": "` + res.AccountID + `"}, "password": "` + password + `"}`
	l.run(c, exitOK, f.args("provision", "--request", "-")...)

	// The access tokens the fake issued, and the Basic credentials of the
	// token requests.
	secrets := []string{clientSecret, password, base64.StdEncoding.EncodeToString([]byte("gen-client:" + clientSecret))}
	for _, r := range srv.Requests() {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			secrets = append(secrets, tok)
		}
	}
	require.Greater(t, len(secrets), 3, "the fake saw bearer tokens")
	l.assertNone(secrets...)
}

func TestSecretsNeverLeakOTRS(t *testing.T) {
	const password = "otrs-pw-3c9a-never-printed"
	srv := otrstest.NewServer(otrstest.WithAgent("agent7", password))
	f := fakeOf(t, "otrs", otrsFake(srv, "agent7", password))
	c := newCLI(t, f.env)
	l := newLeakCheck(t)
	l.run(c, exitOK, f.args("connect")...)
	c.stdin = `{"op": "addAccess", "user": {"email": "jane.doe@example.com"}, "account": {"id": "jdoe"}, "entitlement": {"type": "group", "id": "finance"}}`
	res := decodeJSON[connector.Result](t, l.run(c, exitOK, f.args("provision", "--request", "-")...).stdout)
	l.run(c, exitOK, f.args("ticket", "status", res.Ticket.ID)...)
	l.run(c, exitOK, f.args("ticket", "comment", res.Ticket.ID, "--text", "Approved.")...)
	l.run(c, exitOK, f.args("ticket", "cancel", res.Ticket.ID)...)
	l.run(c, exitRejected, f.args("ticket", "await", res.Ticket.ID)...)
	l.run(newCLI(t, map[string]string{"RESTCONN_SECRET_PASSWORD": "otrs-wrong-pw-51"}), exitFailed, f.args("connect")...)

	// The session IDs the agent's calls carried.
	secrets := []string{password, "otrs-wrong-pw-51"}
	for _, r := range srv.Requests() {
		if id := sessionID(r); id != "" {
			secrets = append(secrets, id)
		}
	}
	require.Greater(t, len(secrets), 2, "the fake saw session IDs")
	l.assertNone(secrets...)
}

func TestSecretsNeverLeakOkta(t *testing.T) {
	const token = "okta-tok-6e2d-never-printed"
	const password = "Okta-Pw-4b8f!never-printed"
	srv := oktatest.NewServer(oktatest.WithToken(token))
	f := fakeOf(t, "okta", oktaFake(srv))
	c := newCLI(t, f.env)
	l := newLeakCheck(t)
	l.run(c, exitOK, f.args("connect")...)
	l.run(c, exitOK, f.args("import", "accounts")...)
	l.run(c, exitOK, f.args("import", "access")...)
	l.run(c, exitOK, f.args("reconcile", "accounts", "--known", writeFile(t, "known.txt", srv.AdminID+"\n00unotthere\n"))...)
	c.stdin = `{"op": "createAccount", "user": {"email": "marie.curie@example.com", "firstname": "Marie", "lastname": "Curie"}, "password": "` + password + `"}`
	res := decodeJSON[connector.Result](t, l.run(c, exitOK, f.args("provision", "--request", "-")...).stdout)
	c.stdin = `{"op": "changePassword", "account": {"id": "` + res.AccountID + `"}, "password": "` + password + `"}`
	l.run(c, exitOK, f.args("provision", "--request", "-")...)
	l.run(newCLI(t, map[string]string{"RESTCONN_SECRET_TOKEN": "okta-wrong-77c1"}), exitFailed, f.args("connect")...)
	l.assertNone(token, password, "okta-wrong-77c1")
}

func sessionID(r otrstest.Request) string {
	if q, err := url.ParseQuery(r.RawQuery); err == nil && q.Get("SessionID") != "" {
		return q.Get("SessionID")
	}
	var body struct{ SessionID string }
	_ = json.Unmarshal(r.Body, &body)
	return body.SessionID
}

// Secrets come from the environment or a secrets file, never from flags;
// a bad secrets file never echoes a value.
func TestSecretsFile(t *testing.T) {
	d := newDirectory(t)
	file := writeFile(t, "s.json", `{"token": "`+d.token+`"}`)
	runCLI(t, nil, d.args("connect", "--secrets-file", file)...).ok(t)

	// The file wins over the environment.
	runCLI(t, map[string]string{"RESTCONN_SECRET_TOKEN": "stale"}, d.args("connect", "--secrets-file", file)...).ok(t)

	for _, tt := range []struct{ content, stderr string }{
		{`{"tokn": "dir-secret-1"}`, `declares no secret "tokn" (have token)`},
		{`{"token": 12345678}`, "token: want a string"},
		{`["dir-secret-1"]`, "want a JSON object"},
		{`dir-secret-1`, "want a JSON object"},
	} {
		r := runCLI(t, nil, d.args("connect", "--secrets-file", writeFile(t, "s.json", tt.content))...)
		assert.Equal(t, exitUsage, r.code, tt.content)
		assert.Contains(t, r.stderr, tt.stderr)
		assert.NotContains(t, r.stderr, "dir-secret-1")
		assert.NotContains(t, r.stderr, "12345678")
	}

	r := runCLI(t, nil, d.args("connect")...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "testdata/directory.json needs RESTCONN_SECRET_TOKEN (or --secrets-file)")
}

// A secret the spec declares optional but the auth block in use needs
// (Genesys: clientSecret for oauth, accessToken for --auth token): the
// message names the environment variable to set, not only the template.
func TestMissingSecretOfAuthBlock(t *testing.T) {
	f := startFake(t, "genesys")
	r := runCLI(t, nil, f.args("connect")...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "preset genesys with the given values: ")
	assert.Contains(t, r.stderr, "connection.auth.oauth.clientSecret: ")
	assert.Contains(t, r.stderr, "set RESTCONN_SECRET_CLIENTSECRET or give it in --secrets-file")

	r = runCLI(t, f.env, f.args("connect", "--auth", "token")...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "set RESTCONN_SECRET_ACCESSTOKEN or give it in --secrets-file")

	assert.Equal(t, ": give --param region=VALUE", missingValueHint(`required value missing: missing key "region" in .params.region`))
	assert.Empty(t, missingValueHint(`required value missing: missing key "id" in .account.id`))
}
