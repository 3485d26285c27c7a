package connector_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

func TestParseErrorsNamePath(t *testing.T) {
	base := func(extra string) string {
		return `{"name":"t","connection":{"baseURL":"https://x.test"` + extra + `}`
	}
	tests := []struct {
		name, js, path, msg string
	}{
		{"not json", `{"name":`, "", "not valid JSON"},
		{"unknown top key", `{"name":"t","conection":{}}`, "conection", `unknown key "conection" (did you mean "connection"?)`},
		{"unknown nested key", base(`,"auth":{"a":{"type":"bearer","tokn":"x"}}}`), "connection.auth.a.tokn", `unknown key "tokn" (did you mean "token"?)`},
		{"wrong type", base(`,"timeout":true}`), "connection.timeout", "bad duration"},
		{"bad duration", base(`,"timeout":"soon"}`), "connection.timeout", `bad duration "soon"`},
		{"missing name", `{"connection":{"baseURL":"https://x"}}`, "name", "missing"},
		{"missing base", `{"name":"t","connection":{}}`, "connection.baseURL", "missing"},
		{"bad auth type", base(`,"auth":{"a":{"type":"magic"}}}`), "connection.auth.a.type", `unknown auth type "magic"`},
		{"field of other kind", base(`,"auth":{"a":{"type":"basic","username":"u","token":"t"}}}`), "connection.auth.a.token", "not used by basic auth"},
		{"two auths no default", base(`,"auth":{"a":{"type":"none"},"b":{"type":"none"}}}`), "connection.defaultAuth", "several auth blocks"},
		{"bad template", base(`}, "provision":{"createAccount":{"calls":[{"path":"/u","body":{"name":"{{ .user.name "}}]}}`),
			"provision.createAccount.calls[0].body.name", "bad template"},
		{"unknown func", base(`}, "provision":{"createAccount":{"calls":[{"path":"/u","body":{"name":"{{ env \"HOME\" }}"}}]}}`),
			"provision.createAccount.calls[0].body.name", `function "env" not defined`},
		{"unknown op", base(`}, "provision":{"createUser":{"calls":[{"path":"/u"}]}}`), "provision.createUser", `unknown operation "createUser"`},
		{"unknown key in call", base(`}, "provision":{"createAccount":{"calls":[{"path":"/u","bodyy":{}}]}}`), "provision.createAccount.calls[0].bodyy", `did you mean "body"?`},
		{"path and url", base(`}, "connect":{"calls":[{"path":"/u","url":"https://y"}]}`), "connect.calls[0]", "not both"},
		{"bad method", base(`}, "connect":{"calls":[{"method":"FETCH","path":"/u"}]}`), "connect.calls[0].method", "unknown HTTP method"},
		{"bad paging", base(`}, "import":{"accounts":{"sources":[{"path":"/u","records":"x","paging":{"type":"scroll"}}],"id":"id"}}`), "import.accounts.sources[0].paging", `unknown paging type "scroll"`},
		{"bad records path", base(`}, "import":{"accounts":{"sources":[{"path":"/u","records":"a..b"}],"id":"id"}}`), "import.accounts.sources[0].records", "empty key"},
		{"bad attr type", base(`}, "import":{"accounts":{"sources":[{"path":"/u"}],"id":"id","attributes":{"x":{"path":"x","type":"uuid"}}}}`), "import.accounts.attributes", `unknown type "uuid"`},
		{"unknown attr key", base(`}, "import":{"accounts":{"sources":[{"path":"/u"}],"id":"id","attributes":{"x":{"path":"x","typ":"int"}}}}`), "import.accounts.attributes.x.typ", `did you mean "type"?`},
		{"restart from unknown", base(`}, "provision":{"updateAccount":{"calls":[{"name":"p","path":"/u","restart":{"when":{"status":[400]},"from":"get"}}]}}`), "provision.updateAccount.calls[0].restart.from", `no earlier call named "get"`},
		{"ticket without create", base(`}, "provision":{"removeAccount":{"ticket":{}}}`), "provision.removeAccount.ticket", "needs tickets.create"},
		{"bad state", base(`}, "tickets":{"status":{"calls":[{"path":"/t"}],"status":"x","states":[{"equals":"x","state":"done"}]}}`), "tickets.status.states[0].state", `want open, pending, completed or rejected`},
		{"cancel without status poll", base(`}, "tickets":{"cancel":{"calls":[{"method":"PUT","path":"/t/{{ .ticket.id }}"}]}}`), "tickets.cancel", "needs tickets.status"},
		{"cancel key without status", base(`}, "tickets":{"status":{"calls":[{"path":"/t"}],"status":"x","states":[{"equals":"x","state":"open"}]},"cancel":{"calls":[{"method":"PUT","path":"/t"}],"key":"k"}}`), "tickets.cancel.key", "needs status"},
		{"comment without calls", base(`}, "tickets":{"comment":{"calls":[]}}`), "tickets.comment.calls", "give at least one call"},
		{"bad updatedAt template", base(`}, "tickets":{"status":{"calls":[{"path":"/t"}],"status":"x","updatedAt":"{{ .x ","states":[{"equals":"x","state":"open"}]}}`), "tickets.status.updatedAt", "bad template"},
		{"bad regexp", base(`, "failure":[{"path":"Error","matches":"("}]}`), "connection.failure[0].matches", "bad regular expression"},
		{"condition without subject", base(`, "failure":[{"equals":"x"}]}`), "connection.failure[0]", "exactly one of path, header or value"},
		{"types on createAccount", base(`}, "provision":{"createAccount":{"types":{"x":{"calls":[{"path":"/u"}]}}}}`), "provision.createAccount.types", "only addAccess and removeAccess"},
		{"duplicate call name", base(`}, "connect":{"calls":[{"name":"a","path":"/u"},{"name":"a","path":"/v"}]}`), "connect.calls[1].name", "already the name"},
		{"quoted key path", base(`,"headers":{"X":"y"}}, "import":{"accounts":{"sources":[{"path":"/u"}],"id":"id","attributes":{"urn:x:2.0":{"path":"x","bad":1}}}}`), `import.accounts.attributes["urn:x:2.0"].bad`, "unknown key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := connector.Parse([]byte(tt.js))
			require.Error(t, err)
			assert.True(t, errors.Is(err, connector.ErrInvalidSpec), "wraps ErrInvalidSpec: %v", err)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.path, ce.Path, "error: %v", err)
			assert.Contains(t, ce.Message, tt.msg)
		})
	}
}

func TestNewChecksParams(t *testing.T) {
	s, err := connector.Parse([]byte(`{"name":"t","params":{"region":{"required":true},"version":{"default":"2.11"}},
		"secrets":{"token":{"required":true}},
		"connection":{"baseURL":"https://{{ .params.region }}.x.test","headers":{"V":"{{ .params.version }}"}}}`))
	require.NoError(t, err)
	_, err = connector.New(s, connector.WithSecrets(map[string]string{"token": "t"}))
	assert.ErrorIs(t, err, connector.ErrInvalidSpec)
	assert.ErrorContains(t, err, "params.region: required parameter missing")
	_, err = connector.New(s, connector.WithParams(map[string]any{"region": "eu"}))
	assert.ErrorContains(t, err, "secrets.token: required secret missing")
	_, err = connector.New(s, connector.WithParams(map[string]any{"region": "eu", "token": "leak"}), connector.WithSecrets(map[string]string{"token": "t"}))
	assert.ErrorContains(t, err, "declared as a secret")
	_, err = connector.New(s, connector.WithParams(map[string]any{"region": "eu"}), connector.WithSecrets(map[string]string{"token": "t"}))
	assert.NoError(t, err)
}

func TestLoadFileAndClone(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "s.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"name":"t","connection":{"baseURL":"https://x","timeout":"5s"}}`), 0o600))
	s, err := connector.LoadFile(p)
	require.NoError(t, err)
	c := s.Clone()
	c.Connection.BaseURL = "https://y"
	assert.Equal(t, "https://x", s.Connection.BaseURL)
	require.NoError(t, c.Validate())
	_, err = connector.LoadFile(filepath.Join(dir, "missing.json"))
	assert.Error(t, err)
}

func TestUnusedAuthBlocksNeedNoSecrets(t *testing.T) {
	s, err := connector.Parse([]byte(`{"name":"t","connection":{"baseURL":"https://x.test","defaultAuth":"oauth",
		"auth":{"oauth":{"type":"oauth2","tokenURL":"https://x.test/token","clientID":"id","clientSecret":"{{ .secrets.clientSecret }}"},
		        "token":{"type":"bearer","token":"{{ .secrets.accessToken }}"}}}}`))
	require.NoError(t, err)
	_, err = connector.New(s, connector.WithSecrets(map[string]string{"clientSecret": "cs"}))
	assert.NoError(t, err, "the token block is not used by any call")

	s.Connection.DefaultAuth = "token"
	_, err = connector.New(s, connector.WithSecrets(map[string]string{"clientSecret": "cs"}))
	assert.ErrorContains(t, err, `missing key "accessToken"`)
}

func TestDiagnose(t *testing.T) {
	tests := []struct {
		name  string
		spec  string
		paths []string // of every error, in order
	}{
		{"valid", `{"name":"ok","connection":{"baseURL":"https://x.test"}}`, nil},
		{"not JSON", `{"name":`, []string{""}},
		{"unknown keys", `{"name":"bad","params":{"p2":{"requred":true},"p1":{"defualt":1}},"connection":{"baseURL":"https://x.test",
		  "auth":{"b":{"type":"bearer","tokn":"x"},"a":{"type":"bearer","tken":"x"}}}}`,
			// The compiler then finds a's token missing (b's is not reached:
			// one error per part).
			[]string{"connection.auth.a.tken", "connection.auth.b.tokn", "params.p1.defualt", "params.p2.requred", "connection.auth.a.token"}},
		{"wrong kinds", `{"name":"bad","connection":{"baseURL":1,"timeout":"soon","headers":[]}}`,
			[]string{"connection.baseURL", "connection.headers", "connection.timeout"}},
		{"every part", `{"name":"bad","connection":{"baseURL":"https://x.test"},
		  "import":{"accounts":{"sources":[{"path":"/u"}]},"entitlements":{"r":{"fromAccounts":true},"q":{}}},
		  "provision":{"removeAccess":{},"addAccess":{"calls":[]},"disableAccount":{"ticket":{}},
		    "updateAccount":{"calls":[{"path":"/u","if":"{{ .x "}]},"createAccount":{"calls":[{"method":"FETCH","path":"/u"}]}}}`,
			[]string{"import.accounts.id", "import.entitlements.q.sources", "provision.createAccount.calls[0].method",
				"provision.updateAccount.calls[0].if", "provision.addAccess", "provision.removeAccess", "provision.disableAccount.ticket"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := connector.Diagnose([]byte(tt.spec))
			var paths []string
			for _, e := range errs {
				require.ErrorIs(t, e, connector.ErrInvalidSpec)
				paths = append(paths, e.Path)
			}
			assert.Equal(t, tt.paths, paths, "%v", errs)

			// The first is the error Parse returns; the list is the same
			// every time.
			_, err := connector.Parse([]byte(tt.spec))
			if len(errs) == 0 {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, err.Error(), errs[0].Error())
			for range 20 {
				again := connector.Diagnose([]byte(tt.spec))
				require.Equal(t, fmt.Sprint(errs), fmt.Sprint(again))
			}
		})
	}
}
