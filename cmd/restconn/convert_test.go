package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// The library's golden conversion (connector/saviynt/testdata/full): the
// command writes the same spec, and the same warnings on stderr.
const saviyntFull = "../../connector/saviynt/testdata/full/"

func TestConvertSaviynt(t *testing.T) {
	r := runCLI(t, nil, "convert", "saviynt", saviyntFull+"connection.json")
	out := r.ok(t)
	want, err := os.ReadFile(saviyntFull + "spec.golden.json")
	require.NoError(t, err)
	assert.JSONEq(t, string(want), out)
	assert.NotContains(t, out, `\u0026`, "templates stay readable: no HTML escaping")

	warnings, err := os.ReadFile(saviyntFull + "warnings.golden.txt")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	wantLines := strings.Split(strings.TrimSuffix(string(warnings), "\n"), "\n")
	require.Len(t, lines, len(wantLines)+1, "a warning a line, then the summary")
	for i, w := range wantLines {
		assert.Equal(t, "warning: "+w, lines[i])
	}
	assert.Equal(t, saviyntFull+"connection.json: "+strconv.Itoa(len(wantLines))+
		" warnings; secrets to set: RESTCONN_SECRET_ACCTAUTH_CLIENTSECRET, RESTCONN_SECRET_ENTAUTH_PASSWORD, RESTCONN_SECRET_HELPDESKAUTH_PASSWORD",
		lines[len(lines)-1])

	// -o writes the file, which validate accepts; stdout stays empty.
	spec := filepath.Join(t.TempDir(), "spec.json")
	r = runCLI(t, nil, "convert", "saviynt", saviyntFull+"connection.json", "-o", spec)
	assert.Empty(t, r.ok(t))
	_, err = connector.LoadFile(spec)
	require.NoError(t, err)
	runCLI(t, nil, "validate", spec).ok(t)
}

// Terraform's snake_case attribute names, JSON values instead of JSON
// text, and stdin.
func TestConvertSaviyntTerraform(t *testing.T) {
	c := newCLI(t, nil)
	c.stdin = `{
		"connection_json": "{\"authentications\": {\"a\": {\"authType\": \"Basic\", \"properties\": {\"userName\": \"u\", \"password\": \"p-never-in-the-spec\"}}}}",
		"enable_account_json": {"call": [{"name": "c", "url": "https://api.example.com/users/${account.accountID}/enable", "httpMethod": "POST"}]}
	}`
	r := c.run("convert", "saviynt", "-")
	out := r.ok(t)
	assert.NotContains(t, out, "p-never-in-the-spec")
	assert.Contains(t, r.stderr, `warning: ConnectionJSON authentications.a.properties.password: credential moved to secret "a_password"`)
	assert.True(t, strings.HasSuffix(r.stderr, "stdin: 1 warning; secrets to set: RESTCONN_SECRET_A_PASSWORD\n"), r.stderr)
	spec, err := connector.Parse([]byte(out))
	require.NoError(t, err)
	assert.Equal(t, "/users/{{ .account.id }}/enable", spec.Provision[connector.EnableAccount].Calls[0].Path)
}

func TestConvertErrors(t *testing.T) {
	tests := []struct {
		name, content string
		args          []string
		code          int
		stderr        string
	}{
		{"nothing usable", `{}`, nil, exitUsage, "c.json: saviynt: nothing usable in the connection: no attribute could be read"},
		{"only unknown attributes", `{"FooJSON": "{}"}`, nil, exitUsage, "warning: FooJSON: not converted: not a REST connection attribute restconn knows"},
		{"not an object", `["ConnectionJSON"]`, nil, exitUsage, "c.json: want a JSON object of the connection's attributes"},
		{"not JSON", `ConnectionJSON=`, nil, exitUsage, "c.json: want a JSON object"},
		{"missing file", "", []string{"convert", "saviynt", "no-such.json"}, exitUsage, "no-such.json"},
		{"no file", "", []string{"convert", "saviynt"}, exitUsage, "convert saviynt wants FILE.json"},
		{"no product", "", []string{"convert"}, exitUsage, "convert needs a subcommand: saviynt"},
		{"unwritable output", `{"EnableAccountJSON": {"call": [{"name": "c", "url": "https://api.example.com/u", "httpMethod": "POST"}]}}`,
			[]string{"-o", filepath.Join(t.TempDir(), "no", "such", "dir", "spec.json")}, exitFailed, "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			if tt.content != "" {
				args = append([]string{"convert", "saviynt", writeFile(t, "c.json", tt.content)}, args...)
			}
			r := runCLI(t, nil, args...)
			assert.Equal(t, tt.code, r.code, r.stderr)
			assert.Empty(t, r.stdout)
			assert.Contains(t, r.stderr, tt.stderr)
		})
	}
}
