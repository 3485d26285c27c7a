package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

func TestValidateDescribesSpec(t *testing.T) {
	out := runCLI(t, nil, "validate", "testdata/directory.json").ok(t)
	golden(t, "validate-directory.golden", out)
	out = runCLI(t, nil, "validate", "testdata/people.json").ok(t)
	golden(t, "validate-people.golden", out)

	for _, name := range builtinNames() {
		t.Run(name, func(t *testing.T) {
			out := runCLI(t, nil, "validate", "--preset", name).ok(t)
			golden(t, "validate-"+name+".golden", out)
		})
	}
}

func TestValidateJSON(t *testing.T) {
	out := runCLI(t, nil, "validate", "--spec", "testdata/directory.json", "--json").ok(t)
	var got struct {
		Valid         bool `json:"valid"`
		ValuesChecked bool `json:"valuesChecked"`
		specInfo
	}
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.True(t, got.Valid)
	assert.False(t, got.ValuesChecked, "no --param given: values are not checked")
	assert.Equal(t, "directory", got.Name)
	assert.Equal(t, []paramInfo{
		{Name: "baseURL", Description: "Root of the API.", Required: true},
		{Name: "pageSize", Description: "Users per page.", Default: "2"},
	}, got.Params)
	assert.Equal(t, []secretInfo{{Name: "token", Description: "API token.", Required: true, Env: "RESTCONN_SECRET_TOKEN"}}, got.Secrets)
	assert.Equal(t, []authInfo{{Name: "api", Type: "bearer", Default: true}}, got.Auth)
	assert.Equal(t, &importInfo{
		Sources:     []listInfo{{Call: "users", Paging: "cursor"}},
		Incremental: []listInfo{{Call: "changedUsers", Paging: "cursor"}},
	}, got.Accounts)
	assert.Equal(t, []entInfo{{Type: "group", Sources: []listInfo{{Call: "groups", Paging: "none"}}, Members: true}}, got.Entitlements)
	assert.Equal(t, []opInfo{{Op: "disableAccount", Calls: []string{"suspend"}}}, got.Operations)
}

// Validate needs no values, but checks the ones it is given the way the
// engine does when it starts, without a call.
func TestValidateWithValues(t *testing.T) {
	r := runCLI(t, nil, "validate", "testdata/directory.json", "--param", "baseURL=https://dir.example.com", "--json")
	var got struct{ ValuesChecked bool }
	require.NoError(t, json.Unmarshal([]byte(r.ok(t)), &got))
	assert.True(t, got.ValuesChecked, "checked without the secret: a stand-in replaces it")

	tests := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"base URL does not render to http(s)", []string{"--param", "baseURL=ftp://dir.example.com"},
			[]string{"directory.json with the given values: invalid spec: connection.baseURL:", `"ftp://dir.example.com"`}},
		{"required param missing", []string{"--param", "pageSize=5"}, []string{"needs --param baseURL=VALUE"}},
		{"unknown param", []string{"--param", "baseUrl=https://x"}, []string{`declares no param "baseUrl" (have baseURL, pageSize)`}},
		{"secret as a param", []string{"--param", "token=abc"}, []string{`"token" is a secret: set RESTCONN_SECRET_TOKEN`}},
		{"param without value", []string{"--param", "baseURL"}, []string{`--param "baseURL": want name=value`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, nil, append([]string{"validate", "testdata/directory.json"}, tt.args...)...)
			assert.Equal(t, exitUsage, r.code)
			assert.Empty(t, r.stdout)
			for _, s := range tt.stderr {
				assert.Contains(t, r.stderr, s)
			}
			assert.NotContains(t, r.stderr, "abc", "a secret given as a param is not echoed")
		})
	}
}

func TestValidateInvalidSpec(t *testing.T) {
	tests := []struct {
		file, stderr string
	}{
		{"testdata/bad-key.json", `restconn: testdata/bad-key.json: invalid spec: connection.baseUrl: unknown key "baseUrl" (did you mean "baseURL"?)` + "\n"},
		{"testdata/bad-template.json", "restconn: testdata/bad-template.json: invalid spec: import.accounts.sources[0].path: bad template: 1: unclosed action\n"},
		{"testdata/not-json.json", "restconn: testdata/not-json.json: invalid spec: not valid JSON: invalid character '}' looking for beginning of object key string (line 2)\n"},
		// Every error, not only the first: unknown keys, then each
		// operation's own.
		{"testdata/bad-many.json", `restconn: testdata/bad-many.json: invalid spec: connection.authh: unknown key "authh" (did you mean "auth"?)` + "\n" +
			`testdata/bad-many.json: invalid spec: provision.removeAccount.calls[0].metod: unknown key "metod" (did you mean "method"?)` + "\n" +
			`testdata/bad-many.json: invalid spec: provision.createAccount.calls[0].body.email: bad template: 1: function "nosuchfunc" not defined` + "\n" +
			`testdata/bad-many.json: invalid spec: provision.disableAccount.calls[0].method: unknown HTTP method "FROB"` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			r := runCLI(t, nil, "validate", tt.file)
			assert.Equal(t, exitUsage, r.code)
			assert.Empty(t, r.stdout)
			assert.Equal(t, tt.stderr, r.stderr)

			// Every command reading the spec says the same.
			r = runCLI(t, map[string]string{"RESTCONN_SECRET_TOKEN": "x"}, "connect", "--spec", tt.file)
			assert.Equal(t, exitUsage, r.code)
			assert.Equal(t, tt.stderr, r.stderr)
		})
	}

	r := runCLI(t, nil, "validate", "testdata/no-such-file.json")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "no-such-file.json")
}

func TestValidateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"validate"},
		{"validate", "a.json", "b.json"},
		{"validate", "testdata/directory.json", "--preset", "intercom"},
		{"validate", "--preset", "nosuch"},
		{"validate", "--spec", "testdata/directory.json", "--preset", "intercom"},
		{"validate", "--preset", "genesys", "--auth", "nosuch"},
	} {
		r := runCLI(t, nil, args...)
		assert.Equal(t, exitUsage, r.code, "%q: %s", args, r.stderr)
		assert.Empty(t, r.stdout, "%q", args)
		assert.NotEmpty(t, r.stderr, "%q", args)
	}
}

// Sub-lists, merged detail calls, thresholds and the ticket calls in the
// JSON form.
func TestValidateJSONSubLists(t *testing.T) {
	out := runCLI(t, nil, "validate", "--spec", "testdata/people.json", "--json").ok(t)
	var got specInfo
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	assert.Equal(t, &importInfo{
		Sources:          []listInfo{{Call: "people", Paging: "cursor"}},
		Details:          []string{"profile", "manager"},
		EntitlementsFrom: []subListInfo{{Type: "group", listInfo: listInfo{Call: "personGroups", Paging: "page"}}},
		Threshold:        &connector.Threshold{MaxRemoved: 25, MaxRemovedPercent: 5},
	}, got.Accounts)
	assert.Equal(t, []entInfo{{Type: "group", Sources: []listInfo{{Call: "groups", Paging: "none"}}, Members: true,
		MembersFrom: &listInfo{Call: "groupMembers", Paging: "offset"}, MembersChunk: 200,
		Threshold: &connector.Threshold{MaxRemovedPercent: 10}}}, got.Entitlements)
	assert.Equal(t, &ticketInfo{Create: []string{"file"}, Status: []string{"get"}, Comment: []string{"note"}, Cancel: []string{"withdraw"}}, got.Tickets)
	assert.Contains(t, out, `"entitlementsFrom": [
      {
        "type": "group",
        "call": "personGroups",
        "paging": "page"
      }
    ]`, "the sub-list's call and paging inline")
}
