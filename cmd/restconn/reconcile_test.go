package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// kinds lists each change as "kind id" (accounts) or "kind type/id".
func kinds(changes []connector.Change) []string {
	var out []string
	for _, c := range changes {
		if c.Entitlement.ID != "" {
			out = append(out, string(c.Kind)+" "+c.Entitlement.Type+"/"+c.Entitlement.ID)
			continue
		}
		out = append(out, string(c.Kind)+" "+c.Account.ID)
	}
	return out
}

func TestReconcileAccounts(t *testing.T) {
	d := newDirectory(t)
	known := writeFile(t, "known.txt", "1\n2\n\n  3  \n9\n")
	out := runCLI(t, d.env(), d.args("reconcile", "accounts", "--known", known)...).ok(t)
	changes := jsonLines[connector.Change](t, out)
	assert.Equal(t, []string{"present 1", "present 2", "present 3", "added 4", "added 5", "removed 9"}, kinds(changes))
	assert.Equal(t, connector.Account{ID: "9"}, changes[5].Account, "a removed account carries its ID alone")
	assert.Equal(t, "ann", changes[0].Account.Name, "present and added accounts are whole")
	assert.True(t, strings.HasPrefix(out, `{"kind":"present","account":{"id":"1","name":"ann","active":true,`), out)

	// The known IDs from stdin, and from the JSON lines of an import.
	c := newCLI(t, d.env())
	c.stdin = "5\n"
	changes = jsonLines[connector.Change](t, c.run(d.args("reconcile", "accounts", "--known", "-")...).ok(t))
	assert.Equal(t, []string{"added 1", "added 2", "added 3", "added 4", "present 5"}, kinds(changes))

	imported := runCLI(t, d.env(), d.args("import", "accounts")...).ok(t)
	file := writeFile(t, "accounts.jsonl", imported+`{"id":"7","name":"gone","active":true}`+"\n")
	changes = jsonLines[connector.Change](t, runCLI(t, d.env(), d.args("reconcile", "accounts", "--known", file)...).ok(t))
	assert.Equal(t, []string{"present 1", "present 2", "present 3", "present 4", "present 5", "removed 7"}, kinds(changes))
}

func TestReconcileAccess(t *testing.T) {
	d := newDirectory(t)
	known := writeFile(t, "known.txt", "group/g1\ngroup/g9\nrole/admin\n")
	changes := jsonLines[connector.Change](t, runCLI(t, d.env(), d.args("reconcile", "access", "--known", known)...).ok(t))
	assert.Equal(t, []string{"present group/g1", "added group/g2", "removed group/g9"}, kinds(changes),
		"known keys of types the spec lacks are ignored")
	assert.Equal(t, []string{"1", "3"}, changes[0].Entitlement.Members)

	imported := runCLI(t, d.env(), d.args("import", "access")...).ok(t)
	changes = jsonLines[connector.Change](t, runCLI(t, d.env(), d.args("reconcile", "access", "--types", "group", "--known", writeFile(t, "a.jsonl", imported))...).ok(t))
	assert.Equal(t, []string{"present group/g1", "present group/g2"}, kinds(changes))
}

// A threshold refuses the removals: exit 3, stderr says how many, of how
// many and which limit, and no removed line is written.
func TestReconcileThresholds(t *testing.T) {
	d := newDirectory(t)
	known := writeFile(t, "known.txt", "1\n2\n3\n4\n5\n6\n7\n8\n") // 6, 7 and 8 are gone: 3 of 8
	tests := []struct {
		name   string
		flags  []string
		spec   string // a threshold for import.accounts in the spec
		code   int
		stderr string
	}{
		{"no limit", nil, "", exitOK, ""},
		{"within", []string{"--max-removed", "3"}, "", exitOK, ""},
		{"over max-removed", []string{"--max-removed", "2"}, "", exitRefused,
			"restconn: reconcileAccounts: the import would remove 3 of 8 known accounts (37.5%), more than the limit of 2 (maxRemoved) set by --max-removed; nothing was reported removed (removal threshold exceeded)\n"},
		{"over max-removed-percent", []string{"--max-removed-percent", "30"}, "", exitRefused, "more than the limit of 30% (maxRemovedPercent) set by --max-removed-percent;"},
		{"the spec's threshold", nil, `{"maxRemoved": 1}`, exitRefused, "more than the limit of 1 (maxRemoved) set by the spec's import.accounts.threshold;"},
		{"the flag overrides the spec", []string{"--max-removed", "5"}, `{"maxRemoved": 1}`, exitOK, ""},
		{"-1 lifts the spec's", []string{"--max-removed", "-1"}, `{"maxRemoved": 1}`, exitOK, ""},
	}
	dirSpec, err := os.ReadFile("testdata/directory.json")
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append(d.args("reconcile", "accounts", "--known", known), tt.flags...)
			if tt.spec != "" {
				spec := strings.Replace(string(dirSpec), `"entitlements": {"group": "groups"}`, `"entitlements": {"group": "groups"}, "threshold": `+tt.spec, 1)
				require.NotEqual(t, string(dirSpec), spec)
				args[len(args)-len(tt.flags)-3] = writeFile(t, "spec.json", spec) // after --spec
				require.Equal(t, "--spec", args[len(args)-len(tt.flags)-4])
			}
			r := runCLI(t, d.env(), args...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			changes := jsonLines[connector.Change](t, r.stdout)
			removed := 0
			for _, c := range changes {
				if c.Kind == connector.Removed {
					removed++
				}
			}
			if tt.code == exitOK {
				assert.Empty(t, r.stderr)
				assert.Equal(t, 3, removed)
				return
			}
			assert.Len(t, changes, 5, "added and present lines stream before the check")
			assert.Zero(t, removed, "no removed line when refused")
			assert.Contains(t, r.stderr, tt.stderr)
			assert.NotContains(t, r.stderr, "--help", "not a usage error")
		})
	}
}

func TestReconcileErrors(t *testing.T) {
	d := newDirectory(t)
	known := writeFile(t, "known.txt", "1\n9\n")
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		code   int
		stderr string
	}{
		{"no --known", d.env(), d.args("reconcile", "accounts"), exitUsage, "--known FILE is required"},
		{"no kind", nil, []string{"reconcile"}, exitUsage, "reconcile needs a subcommand: accounts, access"},
		{"bad threshold", d.env(), d.args("reconcile", "accounts", "--known", known, "--max-removed-percent", "101"), exitUsage, "--max-removed-percent"},
		{"missing file", d.env(), d.args("reconcile", "accounts", "--known", "no-such-file.txt"), exitUsage, "no-such-file.txt"},
		{"access key without type", d.env(), d.args("reconcile", "access", "--known", writeFile(t, "k.txt", "group/g1\ng2\n")), exitUsage, "k.txt:2: want type/id, e.g. group/42"},
		{"JSON line without id", d.env(), d.args("reconcile", "accounts", "--known", writeFile(t, "k.jsonl", `{"name":"ann"}`)), exitUsage, `k.jsonl:1: a JSON line needs an "id"`},
		{"JSON entitlement without type", d.env(), d.args("reconcile", "access", "--known", writeFile(t, "k.jsonl", `{"id":"g1"}`)), exitUsage, `k.jsonl:1: an entitlement line needs a "type"`},
		{"import fails", map[string]string{"RESTCONN_SECRET_TOKEN": "wrong"}, d.args("reconcile", "accounts", "--known", known), exitFailed,
			"restconn: importAccounts: call \"users\": HTTP 401: unauthorized: invalid token (authentication failed)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.env, tt.args...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Contains(t, r.stderr, tt.stderr)
			assert.Empty(t, r.stdout)
		})
	}

	// An import that fails midway: the lines before stay, no removed line.
	d.failCursor = "c2"
	r := runCLI(t, d.env(), d.args("reconcile", "accounts", "--known", known)...)
	assert.Equal(t, exitFailed, r.code)
	assert.Equal(t, []string{"present 1", "added 2"}, kinds(jsonLines[connector.Change](t, r.stdout)))
	assert.Contains(t, r.stderr, "bad_cursor")
}

func TestReconcileProgress(t *testing.T) {
	d := newDirectory(t)
	c := newCLI(t, d.env())
	c.terminal = true
	r := c.run(d.args("reconcile", "accounts", "--known", writeFile(t, "k.txt", "1\n9\n"))...)
	assert.Len(t, jsonLines[connector.Change](t, r.ok(t)), 6)
	last := r.stderr[strings.LastIndex(strings.TrimRight(r.stderr, "\n"), "\r")+1:]
	assert.Contains(t, last, "accounts: 3 pages")
	assert.Contains(t, last, "(6, ")
	assert.Regexp(t, `\[\d+s\]`, last, "elapsed time")

	r = c.run(d.args("reconcile", "accounts", "--known", writeFile(t, "k.txt", "1\n"), "--no-progress")...)
	r.ok(t)
	assert.Empty(t, r.stderr)
}
