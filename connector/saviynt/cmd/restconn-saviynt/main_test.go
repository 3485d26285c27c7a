package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "conn.json")
	require.NoError(t, os.WriteFile(in, []byte(`{
		"connection_json": "{\"authentications\": {\"a\": {\"authType\": \"Basic\", \"properties\": {\"userName\": \"u\", \"password\": \"p\"}}}}",
		"enable_account_json": {"call": [{"name": "c", "url": "https://api.example.com/users/${account.accountID}/enable", "httpMethod": "POST"}]}
	}`), 0o644))
	out := filepath.Join(dir, "spec.json")
	var stdout, stderr bytes.Buffer
	require.Equal(t, 0, run([]string{"-o", out, in}, &stdout, &stderr), stderr.String())
	assert.Contains(t, stderr.String(), `warning: ConnectionJSON authentications.a.properties.password: credential moved to secret "a_password"`)
	spec, err := connector.LoadFile(out)
	require.NoError(t, err)
	assert.Equal(t, "/users/{{ .account.id }}/enable", spec.Provision[connector.EnableAccount].Calls[0].Path)

	stdout.Reset()
	require.Equal(t, 0, run([]string{in}, &stdout, &stderr))
	assert.True(t, strings.HasPrefix(stdout.String(), "{"))

	require.Equal(t, 1, run([]string{filepath.Join(dir, "missing.json")}, &stdout, &stderr))
	require.NoError(t, os.WriteFile(in, []byte(`{}`), 0o644))
	stderr.Reset()
	require.Equal(t, 1, run([]string{in}, &stdout, &stderr))
	assert.Contains(t, stderr.String(), "nothing usable")
	require.Equal(t, 2, run(nil, &stdout, &stderr))
}
