package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys/genesystest"
)

// Every command has help with examples; the tree is walked so that a new
// command cannot forget them.
func TestHelpEverywhere(t *testing.T) {
	root := (&app{}).rootCmd()
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		if c.Name() == "help" || c.Name() == "completion" || c.Parent() != nil && c.Parent().Name() == "completion" {
			return
		}
		path := strings.Fields(c.CommandPath())[1:]
		r := runCLI(t, nil, append(path, "--help")...)
		out := r.ok(t)
		assert.Contains(t, out, "Usage:", "%s", c.CommandPath())
		if !c.HasSubCommands() || c == root {
			assert.Contains(t, out, "Examples:", "%s has no examples", c.CommandPath())
			n++
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	assert.GreaterOrEqual(t, n, 12, "leaf commands checked")
}

func TestExitCodes(t *testing.T) {
	d := newDirectory(t)
	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
		err  string
	}{
		{"version", nil, []string{"version"}, exitOK, ""},
		{"--version", nil, []string{"--version"}, exitOK, ""},
		{"connect", d.env(), d.args("connect"), exitOK, ""},
		{"unknown command", nil, []string{"conect"}, exitUsage, `unknown command "conect"`},
		{"unknown flag", d.env(), d.args("connect", "--verbsoe"), exitUsage, "unknown flag: --verbsoe"},
		{"no spec", nil, []string{"connect"}, exitUsage, "give the spec: --spec FILE or --preset NAME"},
		{"spec and preset", d.env(), d.args("connect", "--preset", "intercom"), exitUsage, "restconn: --preset and --spec: give one, not both\n"},
		{"unknown preset", nil, []string{"connect", "--preset", "oktaa"}, exitUsage, `unknown preset "oktaa" (have intercom, genesys, otrs, okta)`},
		{"extra argument", d.env(), d.args("connect", "now"), exitUsage, `connect takes no arguments, got ["now"]`},
		{"ticket status without ID", d.env(), d.args("ticket", "status"), exitUsage, "ticket status wants ID"},
		{"import without what", nil, []string{"import"}, exitUsage, "import needs a subcommand: accounts, access"},
		{"import of unknown", nil, []string{"import", "acounts"}, exitUsage, `import: unknown subcommand "acounts"`},
		{"negative timeout", d.env(), d.args("connect", "--timeout", "-1s"), exitUsage, "must not be negative"},
		{"unknown auth block", d.env(), d.args("connect", "--auth", "oauth"), exitUsage, `has no auth block "oauth" (have api)`},
		{"wrong token", map[string]string{"RESTCONN_SECRET_TOKEN": "nope"}, d.args("connect"), exitFailed,
			"restconn: connect: call \"me\": HTTP 401: unauthorized: invalid token (authentication failed)"},
		{"unreachable", d.env(), []string{"connect", "--spec", "testdata/directory.json", "--param", "baseURL=http://127.0.0.1:1"}, exitFailed, "connect"},
		{"timeout", d.env(), d.args("import", "accounts", "--timeout", "1ns"), exitFailed, "timed out (--timeout)"},
		{"plan", nil, []string{"plan", "--spec", "testdata/directory.json", "--param", "baseURL=https://dir.example.com", "--op", "disableAccount", "--request", writeFile(t, "r.json", `{"account": {"id": "2"}}`)}, exitOK, ""},
		{"plan without what", nil, []string{"plan", "--preset", "intercom"}, exitUsage, "give --op OPERATION (with --request) or --import accounts|access"},
		{"plan that fails", nil, []string{"plan", "--spec", "testdata/directory.json", "--param", "baseURL=https://dir.example.com", "--op", "disableAccount"}, exitFailed, `missing key "id" in .account.id`},
		{"reconcile", d.env(), d.args("reconcile", "accounts", "--known", writeFile(t, "k.txt", "1\n9\n")), exitOK, ""},
		{"reconcile refused", d.env(), d.args("reconcile", "accounts", "--known", writeFile(t, "k.txt", "1\n8\n9\n"), "--max-removed", "1"), exitRefused, "the import would remove 2 of 3 known accounts"},
		{"reconcile without --known", d.env(), d.args("reconcile", "access"), exitUsage, "--known FILE is required"},
		{"ticket await without ID", d.env(), d.args("ticket", "await"), exitUsage, "ticket await wants ID"},
		{"ticket of unknown", nil, []string{"ticket", "close"}, exitUsage, `ticket: unknown subcommand "close": want one of: status, await, comment, cancel`},
		{"ticket on a spec without tickets", d.env(), d.args("ticket", "cancel", "1"), exitFailed, "the spec has no tickets.cancel (not supported by this connector)"},
		{"convert without file", nil, []string{"convert", "saviynt"}, exitUsage, "convert saviynt wants FILE.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, tt.args...)
			assert.Equal(t, tt.code, r.code, "stderr: %s", r.stderr)
			if tt.code == exitOK {
				assert.Empty(t, r.stderr)
				return
			}
			assert.Contains(t, r.stderr, tt.err)
			assert.True(t, strings.HasPrefix(r.stderr, "restconn: "), "%q", r.stderr)
			assert.Equal(t, 1, strings.Count(r.stderr, "restconn: "), "one prefix: %q", r.stderr)
			if tt.code == exitUsage {
				assert.Contains(t, r.stderr, "--help' for usage", "usage errors point to --help")
			}
		})
	}
}

// --auth picks another auth block of the spec: Genesys with a pre-issued
// token instead of OAuth client credentials.
func TestAuthFlag(t *testing.T) {
	srv := genesystest.NewServer(genesystest.WithStaticToken("pre-issued-7c2e"))
	t.Cleanup(srv.Close)
	env := map[string]string{"RESTCONN_SECRET_ACCESSTOKEN": "pre-issued-7c2e"}
	args := []string{"--preset", "genesys", "--param", "apiBaseURL=" + srv.APIURL, "--auth", "token"}
	runCLI(t, env, append([]string{"connect"}, args...)...).ok(t)
	accounts := jsonLines[connector.Account](t, runCLI(t, env, append([]string{"import", "accounts"}, args...)...).ok(t))
	assert.Len(t, accounts, 3)
	for _, r := range srv.Requests() {
		assert.Equal(t, "api", r.Host, "no OAuth token request")
		assert.Equal(t, "Bearer pre-issued-7c2e", r.Header.Get("Authorization"))
	}
}

func TestPresets(t *testing.T) {
	out := runCLI(t, nil, "presets").ok(t)
	golden(t, "presets.golden", out)

	var infos []specInfo
	require.NoError(t, json.Unmarshal([]byte(runCLI(t, nil, "presets", "--json").ok(t)), &infos))
	require.Len(t, infos, 4)
	for i, name := range []string{"intercom", "genesys", "otrs", "okta"} {
		assert.Equal(t, name, infos[i].Name)
		assert.NotEmpty(t, infos[i].Description)
		assert.NotEmpty(t, infos[i].Secrets)
		assert.NotEmpty(t, infos[i].Params)
	}
	assert.Equal(t, secretInfo{Name: "token", Description: "Access token of the Intercom app.", Required: true, Env: "RESTCONN_SECRET_TOKEN"}, infos[0].Secrets[0])
}

func TestVersion(t *testing.T) {
	assert.Regexp(t, `^restconn \S+.* \(go1\.\d+.*, \w+/\w+\)\n$`, runCLI(t, nil, "version").ok(t))
}

func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		out := runCLI(t, nil, "completion", shell).ok(t)
		assert.Contains(t, out, "restconn", shell)
	}
	// The shell asks the command for candidates.
	out := runCLI(t, nil, "__complete", "connect", "--preset", "").ok(t)
	assert.Equal(t, []string{"intercom", "genesys", "otrs", "okta", ":4"}, strings.Fields(out))
	out = runCLI(t, nil, "__complete", "import", "accounts", "--preset", "intercom", "--param", "").ok(t)
	assert.Contains(t, out, "baseURL=\tAPI host")
	out = runCLI(t, nil, "__complete", "import", "access", "--preset", "genesys", "--types", "").ok(t)
	assert.Equal(t, []string{"group", "role", ":4"}, strings.Fields(out))
	out = runCLI(t, nil, "__complete", "connect", "--preset", "genesys", "--auth", "").ok(t)
	assert.Equal(t, []string{"oauth", "token", ":4"}, strings.Fields(out))
	out = runCLI(t, nil, "__complete", "plan", "--preset", "otrs", "--op", "").ok(t)
	assert.Equal(t, []string{"createAccount", "updateAccount", "enableAccount", "disableAccount", "removeAccount", "addAccess", "removeAccess", "changePassword", ":4"}, strings.Fields(out))
	out = runCLI(t, nil, "__complete", "plan", "--import", "").ok(t)
	assert.Equal(t, []string{"accounts", "access", ":4"}, strings.Fields(out))
	out = runCLI(t, nil, "__complete", "reconcile", "access", "--preset", "genesys", "--types", "").ok(t)
	assert.Equal(t, []string{"group", "role", ":4"}, strings.Fields(out))
	out = runCLI(t, nil, "__complete", "fake", "").ok(t)
	assert.Contains(t, out, "okta\t")
}
