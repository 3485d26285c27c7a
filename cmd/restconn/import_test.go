package main

import (
	"context"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// libraryEngine builds, with the library alone, the engine the command
// builds for a fake.
func libraryEngine(t *testing.T, name string, f *fake) *connector.Engine {
	t.Helper()
	b, _ := builtinByName(name)
	params := map[string]any{}
	for _, p := range f.params {
		params[p[0]] = p[1]
	}
	secrets := map[string]string{}
	for _, s := range f.secrets {
		secrets[s[0]] = s[1]
	}
	eng, err := connector.New(b.spec(), connector.WithParams(params), connector.WithSecrets(secrets))
	require.NoError(t, err)
	return eng
}

// The command prints exactly what the library yields, one JSON line per
// record, and each line reads back into the public type.
func TestImportMatchesLibrary(t *testing.T) {
	for _, name := range []string{"intercom", "genesys"} {
		t.Run(name, func(t *testing.T) {
			f := startFake(t, name)
			eng := libraryEngine(t, name, f)
			ctx := context.Background()

			out := runCLI(t, f.env, f.args("import", "accounts")...).ok(t)
			accounts := jsonLines[connector.Account](t, out)
			var want []string
			for a, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
				require.NoError(t, err)
				want = append(want, marshalLine(t, a))
			}
			require.NotEmpty(t, want)
			assert.Equal(t, strings.Join(want, "\n")+"\n", out)
			assert.Len(t, accounts, len(want))

			out = runCLI(t, f.env, f.args("import", "access")...).ok(t)
			ents := jsonLines[connector.Entitlement](t, out)
			want = nil
			for e, err := range eng.ImportAccess(ctx, connector.ImportOptions{}) {
				require.NoError(t, err)
				want = append(want, marshalLine(t, e))
			}
			require.NotEmpty(t, want)
			assert.Equal(t, strings.Join(want, "\n")+"\n", out)
			assert.Len(t, ents, len(want))
		})
	}
}

func TestImportFakeData(t *testing.T) {
	f := startFake(t, "intercom")
	accounts := jsonLines[connector.Account](t, runCLI(t, f.env, f.args("import", "accounts")...).ok(t))
	require.Len(t, accounts, 4)
	assert.Equal(t, "991267391", accounts[1].ID)
	assert.Equal(t, "Tomás Byrne", accounts[1].Name)
	assert.True(t, accounts[1].Active)
	assert.Equal(t, map[string][]string{"team": {"814865", "814866"}}, accounts[1].Entitlements)
	assert.Equal(t, []any{int64(814865), int64(814866)}, accounts[1].Attributes["team_ids"], "numbers read back as the engine's int64")

	teams := jsonLines[connector.Entitlement](t, runCLI(t, f.env, f.args("import", "access")...).ok(t))
	require.Len(t, teams, 3)
	assert.Equal(t, connector.Entitlement{Type: "team", ID: "814867", Name: "Escalations",
		Attributes: map[string]any{"admin_ids": []any{}, "id": "814867", "name": "Escalations", "type": "team"},
		Members:    []string{}}, teams[2], "an empty team lists no members, which is not the same as not listing them")
}

func TestImportTypes(t *testing.T) {
	f := startFake(t, "genesys")
	all := jsonLines[connector.Entitlement](t, runCLI(t, f.env, f.args("import", "access")...).ok(t))
	types := map[string]int{}
	for _, e := range all {
		types[e.Type]++
	}
	require.Greater(t, types["group"], 0)
	require.Greater(t, types["role"], 0)

	for _, sel := range []string{"group", "role", "role,group"} {
		got := jsonLines[connector.Entitlement](t, runCLI(t, f.env, f.args("import", "access", "--types", sel)...).ok(t))
		n := 0
		for _, e := range got {
			assert.Contains(t, strings.Split(sel, ","), e.Type)
		}
		for _, typ := range strings.Split(sel, ",") {
			n += types[typ]
		}
		assert.Len(t, got, n, "--types %s", sel)
	}

	r := runCLI(t, f.env, f.args("import", "access", "--types", "team")...)
	assert.Equal(t, exitFailed, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, `"team"`)
}

func TestImportSince(t *testing.T) {
	d := newDirectory(t)
	now := time.Date(2024, 4, 11, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		since string
		ids   []string
		query string // updated_since sent
	}{
		{"2024-03-01T00:00:00Z", []string{"3", "4", "5"}, "2024-03-01T00:00:00Z"},
		{"2024-04-01", []string{"4", "5"}, "2024-04-01T00:00:00Z"},
		{"48h", []string{"4", "5"}, "2024-04-09T12:00:00Z"},
		{"2024-02-01T01:00:00+01:00", []string{"2", "3", "4", "5"}, "2024-02-01T00:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.since, func(t *testing.T) {
			c := newCLI(t, d.env())
			c.now = now
			before := len(d.userQueries())
			accounts := jsonLines[connector.Account](t, c.run(d.args("import", "accounts", "--since", tt.since)...).ok(t))
			var ids []string
			for _, a := range accounts {
				ids = append(ids, a.ID)
			}
			assert.Equal(t, tt.ids, ids)
			q, err := url.ParseQuery(d.userQueries()[before])
			require.NoError(t, err)
			assert.Equal(t, tt.query, q.Get("updated_since"))
		})
	}

	for _, bad := range []string{"yesterday", "-24h", "0s", "2024-13-01"} {
		r := runCLI(t, d.env(), d.args("import", "accounts", "--since", bad)...)
		assert.Equal(t, exitUsage, r.code, bad)
		assert.Contains(t, r.stderr, "--since", bad)
	}

	// A spec without an incremental import says so: the operation fails.
	f := startFake(t, "intercom")
	r := runCLI(t, f.env, f.args("import", "accounts", "--since", "24h")...)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "import.accounts.incremental")
	assert.Contains(t, r.stderr, connector.ErrUnsupported.Error())
}

// A failure mid-import: the complete records before it are printed, the
// error names the call, the HTTP status and the vendor's code, exit 1.
func TestImportFailsMidway(t *testing.T) {
	d := newDirectory(t)
	d.failCursor = "c2"
	r := runCLI(t, d.env(), d.args("import", "accounts")...)
	assert.Equal(t, exitFailed, r.code)
	accounts := jsonLines[connector.Account](t, r.stdout)
	require.Len(t, accounts, 2)
	assert.Equal(t, "restconn: importAccounts: call \"users\": HTTP 400: bad_cursor: cursor expired\n", r.stderr)
}

func TestImportProgress(t *testing.T) {
	d := newDirectory(t)
	c := newCLI(t, d.env())
	c.terminal = true
	r := c.run(d.args("import", "accounts")...)
	accounts := jsonLines[connector.Account](t, r.ok(t))
	require.Len(t, accounts, 5)
	// The last drawing of the line, after the spinner's carriage returns.
	last := r.stderr[strings.LastIndex(strings.TrimRight(r.stderr, "\n"), "\r")+1:]
	assert.Contains(t, last, "accounts: 3 pages")
	assert.Contains(t, last, "(5, ")
	assert.Contains(t, last, "records/")
	assert.Regexp(t, `\[\d+s\]`, last, "elapsed time")
	assert.True(t, strings.HasSuffix(r.stderr, "\n"), "the line ends, so the shell prompt starts on its own line")

	for _, args := range [][]string{{"--no-progress"}, {"-v"}} {
		r := c.run(append(d.args("import", "accounts"), args...)...)
		jsonLines[connector.Account](t, r.ok(t))
		assert.NotContains(t, r.stderr, "pages", "%v", args)
	}

	// Not a terminal: no progress.
	r = runCLI(t, d.env(), d.args("import", "access")...)
	assert.Empty(t, r.stderr)

	// No engine, no line: only the error.
	c = newCLI(t, nil)
	c.terminal = true
	r = c.run(d.args("import", "accounts")...)
	assert.Equal(t, exitUsage, r.code)
	assert.True(t, strings.HasPrefix(r.stderr, "restconn: "), "%q", r.stderr)
}

// An import interrupted by a failure resumes, with --checkpoint, after the
// last page whose lines were written: nothing is lost and the pages before
// are not fetched again.
func TestImportCheckpointResumes(t *testing.T) {
	d := newDirectory(t)
	file := t.TempDir() + "/users.ckpt"
	d.mu.Lock()
	d.failCursor = "c4" // the third page (two users a page)
	d.mu.Unlock()

	r := runCLI(t, d.env(), d.args("import", "accounts", "--checkpoint", file)...)
	require.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "bad_cursor")
	first := jsonLines[connector.Account](t, r.stdout)
	require.Len(t, first, 4, "the two pages before the failure were written")
	token, err := os.ReadFile(file)
	require.NoError(t, err, "the token of the last complete page is saved")
	assert.NotContains(t, string(token), d.token)
	info, err := os.Stat(file)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	d.mu.Lock()
	d.failCursor = ""
	d.queries = nil
	d.mu.Unlock()
	rest := jsonLines[connector.Account](t, runCLI(t, d.env(), d.args("import", "accounts", "--checkpoint", file)...).ok(t))
	require.Len(t, rest, 1)
	assert.Equal(t, "5", rest[0].ID)
	assert.Equal(t, []string{"cursor=c4&limit=2"}, d.userQueries(), "the resumed import starts at the failed page")
	_, err = os.Stat(file)
	assert.ErrorIs(t, err, fs.ErrNotExist, "a completed import removes its checkpoint")

	// The next run starts from the beginning again.
	all := jsonLines[connector.Account](t, runCLI(t, d.env(), d.args("import", "accounts", "--checkpoint", file)...).ok(t))
	assert.Len(t, all, 5)
}

func TestImportCheckpointRefusesRelativeSince(t *testing.T) {
	d := newDirectory(t)
	r := runCLI(t, d.env(), d.args("import", "accounts", "--since", "24h", "--checkpoint", t.TempDir()+"/x")...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "absolute --since")
	assert.Empty(t, d.userQueries(), "nothing sent")

	// A token of another import is refused before any request.
	file := writeFile(t, "other.ckpt", "AAAA")
	r = runCLI(t, d.env(), d.args("import", "accounts", "--checkpoint", file)...)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "resume token")
	assert.Contains(t, r.stderr, "--checkpoint "+file+": ", "the message names the file")
	assert.Contains(t, r.stderr, "remove the file to import from the beginning")
	assert.Equal(t, 1, strings.Count(r.stderr, "restconn: "), r.stderr)
	assert.Empty(t, d.userQueries(), "nothing sent")
}
