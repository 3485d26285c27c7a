package connector_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Secrets: the fault vendor echoes credentials in error bodies, headers and
// URLs, the way careless APIs do; none of it may reach an error, a log line
// or a trace. connectortest.LeakCheck gathers all three.

func assertNoFaultSecrets(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains the secret %q:\n%s", where, s, text)
		}
	}
}

// Servers echo credentials in error bodies, headers and URLs; none of it
// may reach an error, a log line or a trace.
func TestFaultsSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{"bearer", "oauth2", "session"} {
		for _, scheme := range []string{"cursor", "link"} {
			t.Run(auth+"/"+scheme, func(t *testing.T) {
				t.Parallel()
				v := newFaultVendor(t, scheme, auth, faultUsers)
				v.listFaults = map[int]fault{2: fSlow, 4: f503, 6: fEcho400}
				if auth != "bearer" {
					v.listFaults[3] = fExpire // a new runtime credential mid-import
				}
				v.writeFaults = map[int]fault{1: f429, 2: fEcho400}
				lc := connectortest.NewLeakCheck(t)
				e := v.engine(t, fvSpecCfg{timeout: "100ms"}, lc.Options()...)
				var errs []error

				_, err := fvImport(context.Background(), e)
				require.Error(t, err)
				errs = append(errs, err)
				_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
				require.Error(t, err)
				errs = append(errs, err)

				// A redirect to another host that carries the credential.
				v.mu.Lock()
				v.listReqs, v.listFaults = 0, map[int]fault{1: fRedirectForeign}
				v.mu.Unlock()
				_, err = fvImport(context.Background(), e)
				require.Error(t, err)
				errs = append(errs, err)

				v.mu.Lock()
				echoed := v.echoed
				v.mu.Unlock()
				require.Equal(t, 2, echoed, "the server echoed the credentials twice")
				assert.Zero(t, v.foreign.hits.Load(), "requests that reached the other host")
				secrets := v.secretsOf()
				for _, err := range errs {
					lc.Err(err) // every error of the chain, in every form
					var ue *url.Error
					if errors.As(err, &ue) {
						assertNoFaultSecrets(t, "url.Error.URL", ue.URL, secrets)
					}
				}
				logs := lc.Logs()
				require.Contains(t, logs, "level=DEBUG", "the engine logs every attempt at debug level")
				require.Contains(t, logs, "level=INFO", "the engine logs waits and retries")
				require.NotEmpty(t, lc.Traces())
				lc.AddSecrets(secrets...)
				lc.Check() // the log, every trace and every error
				if auth == "session" {
					assert.Contains(t, logs, "SessionID=REDACTED", "the URL in the log masks the session")
				}
			})
		}
	}
}

// The trace of the login call shows the login response, which carries the
// new session ID: it must be masked like every other runtime credential.
func TestFaultsSecretsLoginTrace(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "session", 3)
	lc := connectortest.NewLeakCheck(t)
	e := v.engine(t, fvSpecCfg{}, lc.Options()...)
	_, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	logins := 0
	for _, tr := range lc.Traces() {
		if tr.Call == "login" {
			logins++
			assert.Contains(t, tr.ResponseBody, "SessionID", "the login response is traced")
		}
	}
	lc.AddSecrets(v.secretsOf()...)
	lc.Check() // every trace, the login's included
	assert.Equal(t, 1, logins)
}

// Error messages quote the start of a response body; a secret that spans the
// cut must not leave its first half behind.
func TestFaultsSecretsSnippetCut(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, strings.Repeat("x", 285)+" "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+" is not allowed here")
	}))
	defer srv.Close()
	spec, err := connector.Parse([]byte(`{"name":"x","connection":{"baseURL":"` + srv.URL + `","auth":{"a":{"type":"bearer","token":"{{ .secrets.token }}"}}},
	  "import":{"accounts":{"sources":[{"path":"/users","records":"users"}],"id":"id"}}}`))
	require.NoError(t, err)
	e, err := connector.New(spec, connector.WithSecrets(map[string]string{"token": fvBearerToken}))
	require.NoError(t, err)
	_, err = fvImport(context.Background(), e)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), fvBearerToken[:10])
}

// The debug line of the OAuth2 token request shows the token URL; a secret
// placed in it by the spec must be masked like in every other URL.
func TestFaultsSecretsTokenURLLog(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "oauth2", 3)
	lc := connectortest.NewLeakCheck(t)
	e := v.engine(t, fvSpecCfg{tokenURL: "{{ .params.baseURL }}/oauth/token?tenant_key={{ .secrets.tenantKey }}"}, lc.Options()...)
	_, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	lc.AddSecrets(v.secretsOf()...)
	lc.Check()
}

// A refused login or token request is an authentication failure that names
// the auth call; the server's echo of the wrong credential stays masked.
func TestFaultsCredentialsRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		auth, call string
		status     int
		code       string
		secrets    map[string]string
	}{
		{"oauth2", "auth:api", 401, "invalid_client", map[string]string{"clientSecret": "cs-SECRET-wrong-1234"}},
		{"session", "login", 200, "SessionCreate.AuthFail", map[string]string{"password": "pw-SECRET-wrong-5678"}},
	}
	for _, tc := range cases {
		t.Run(tc.auth, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", tc.auth, faultUsers)
			lc := connectortest.NewLeakCheck(t)
			e := v.engine(t, fvSpecCfg{}, append(lc.Options(), connector.WithSecrets(tc.secrets))...)
			ids, err := fvImport(context.Background(), e)
			assert.Empty(t, ids)
			ce := fvConnError(t, err)
			assert.ErrorIs(t, err, connector.ErrAuth)
			assert.Equal(t, tc.call, ce.Call)
			assert.Equal(t, tc.status, ce.StatusCode)
			assert.Equal(t, tc.code, ce.Code)
			listReqs, _, _, tokenHits, logins := v.counts()
			assert.Zero(t, listReqs)
			assert.Equal(t, 1, tokenHits+logins, "one refused login, not retried")
			secrets := append(v.secretsOf(), tc.secrets["clientSecret"]+tc.secrets["password"])
			lc.Err(err)
			lc.AddSecrets(secrets...)
			lc.Check() // the error, the log and the traces
		})
	}
}

// A secret a template transforms (base64 for a header, a hash for a query
// parameter) is masked like the secret itself.
func TestTransformedSecretsAreMasked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"bad credentials %s"}`, r.Header.Get("X-Creds")) // echoes what it got
	}))
	defer srv.Close()
	lc := connectortest.NewLeakCheck(t)
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","errors":{"message":"error"}},
		"connect":{"calls":[{"path":"/x","headers":{"X-Creds":"{{ basicAuth \"svc\" .secrets.pw }}"},"query":{"sig":"{{ .secrets.pw | sha256sum }}"}}]}}`, srv.URL),
		append(lc.Options(), connector.WithSecrets(map[string]string{"pw": "hunter2-pass"}))...)
	require.NoError(t, err)
	err = e.Connect(context.Background())
	require.Error(t, err)
	traces := lc.Traces()
	b64 := base64.StdEncoding.EncodeToString([]byte("svc:hunter2-pass"))
	out := err.Error() + fmt.Sprintf("%+v", traces)
	assert.NotContains(t, out, b64)
	assert.NotContains(t, out, "hunter2-pass")
	sum := sha256.Sum256([]byte("hunter2-pass"))
	assert.NotContains(t, out, hex.EncodeToString(sum[:]))
	require.Len(t, traces, 1)
	lc.Err(err)
	lc.AddSecrets(b64, "hunter2-pass", hex.EncodeToString(sum[:]))
	lc.Check()
}
