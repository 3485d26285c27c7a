package flows_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/examples/temporal/flows"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

func TestEnvSecret(t *testing.T) {
	t.Setenv("RESTCONN_SECRET_TOKEN", "plain")
	t.Setenv("RESTCONN_SECRET_OKTA_TOKEN", "okta")
	t.Setenv("RESTCONN_SECRET_ACME_OKTA_TOKEN", "acme")
	t.Setenv("RESTCONN_SECRET_CLIENTSECRET", "")
	for _, tt := range []struct {
		creds, name, want string
		ok                bool
	}{
		{"acme-okta", "token", "acme", true},
		{"okta", "token", "okta", true},
		{"intercom", "token", "plain", true}, // no set of its own: the plain variable
		{"", "token", "plain", true},
		{"genesys", "clientSecret", "", false}, // empty is unset
	} {
		got, ok := flows.EnvSecret(tt.creds, tt.name)
		assert.Equal(t, tt.want, got, "%s %s", tt.creds, tt.name)
		assert.Equal(t, tt.ok, ok, "%s %s", tt.creds, tt.name)
	}
}

// One worker, two Okta orgs: each target gets the token of its own
// credentials set, and each target's engine is built once.
func TestPresetsCredentials(t *testing.T) {
	a := oktatest.NewServer(oktatest.Empty(), oktatest.WithToken("00token-of-org-a"))
	t.Cleanup(a.Close)
	b := oktatest.NewServer(oktatest.Empty(), oktatest.WithToken("00token-of-org-b"))
	t.Cleanup(b.Close)
	vault := map[string]string{"org-a/token": a.Token, "org-b/token": b.Token}
	connect := flows.Presets(flows.Builtin, func(creds, name string) (string, bool) {
		v, ok := vault[creds+"/"+name]
		return v, ok
	})
	ctx := context.Background()
	for _, tt := range []struct {
		creds string
		srv   *oktatest.Server
	}{{"org-a", a}, {"org-b", b}} {
		target := flows.Target{Preset: "okta", Params: map[string]any{"orgURL": tt.srv.URL}, Credentials: tt.creds}
		c, err := connect(ctx, target)
		require.NoError(t, err)
		require.NoError(t, c.Connect(ctx), tt.creds)
		again, err := connect(ctx, target)
		require.NoError(t, err)
		assert.Same(t, c.(*connector.Engine), again.(*connector.Engine), "built once")
	}

	_, err := connect(ctx, flows.Target{Preset: "okta", Params: map[string]any{"orgURL": a.URL}})
	assert.ErrorContains(t, err, "token", "the okta set is not in the vault: the required secret is missing")
	_, err = connect(ctx, flows.Target{Preset: "salesforce"})
	assert.ErrorContains(t, err, `unknown preset "salesforce" (this worker has genesys, intercom, okta, otrs)`)
}
