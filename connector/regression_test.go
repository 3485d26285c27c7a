package connector_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// Regression tests for defects found in review.

func TestNumericIDsKeepEveryDigit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"id":18446744073709551615,"g":[18446744073709551615]},{"id":18446744073709551614,"g":[]}]}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"import":{"accounts":{"sources":[{"path":"/a","records":"items"},{"path":"/b","records":"items"}],"id":"id","attributes":{"raw":"id"},"entitlements":{"g":"g"}}}}`, srv.URL))
	require.NoError(t, err)
	accts, err := collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 2, "two sources, deduplicated by exact ID")
	assert.Equal(t, "18446744073709551615", accts[0].ID)
	assert.Equal(t, "18446744073709551614", accts[1].ID)
	assert.Equal(t, []string{"18446744073709551615"}, accts[0].Entitlements["g"])
	assert.Equal(t, "18446744073709551615", fmt.Sprint(accts[0].Attributes["raw"]))
}

func TestHugeRetryAfterFailsFast(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Retry-After", "99999999999")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},"connect":{"calls":[{"path":"/x"}]}}`, srv.URL))
	require.NoError(t, err)
	start := time.Now()
	err = e.Connect(context.Background())
	require.ErrorIs(t, err, connector.ErrRateLimited)
	assert.EqualValues(t, 1, hits.Load())
	assert.Less(t, time.Since(start), time.Second)
}

func TestGetWithBodySendsIt(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		fmt.Fprint(w, `{"items":[]}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},"connect":{"calls":[{"path":"/x","body":{"q":"x"}}]}}`, srv.URL))
	require.NoError(t, err)
	require.NoError(t, e.Connect(context.Background()))
	assert.Equal(t, `{"q":"x"}`, got)
}

func TestTransformedSecretsAreMasked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"error":"bad credentials %s"}`, r.Header.Get("X-Creds")) // echoes what it got
	}))
	defer srv.Close()
	var mu sync.Mutex
	var traces []connector.Trace
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","errors":{"message":"error"}},
		"connect":{"calls":[{"path":"/x","headers":{"X-Creds":"{{ basicAuth \"svc\" .secrets.pw }}"},"query":{"sig":"{{ .secrets.pw | sha256sum }}"}}]}}`, srv.URL),
		connector.WithSecrets(map[string]string{"pw": "hunter2-pass"}),
		connector.WithTrace(func(_ context.Context, tr connector.Trace) { mu.Lock(); traces = append(traces, tr); mu.Unlock() }))
	require.NoError(t, err)
	err = e.Connect(context.Background())
	require.Error(t, err)
	b64 := base64.StdEncoding.EncodeToString([]byte("svc:hunter2-pass"))
	out := err.Error() + fmt.Sprintf("%+v", traces)
	assert.NotContains(t, out, b64)
	assert.NotContains(t, out, "hunter2-pass")
	sum := sha256.Sum256([]byte("hunter2-pass"))
	assert.NotContains(t, out, hex.EncodeToString(sum[:]))
	require.Len(t, traces, 1)
}

func TestOAuthUnusableTokenAnswerIsAuthError(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"error_hint":"client disabled"}`) // 200 without access_token
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","auth":{"o":{"type":"oauth2","tokenURL":"$URL/token","clientID":"c","clientSecret":"s","authStyle":"header"}}}}`, srv.URL))
	require.NoError(t, err)
	err = e.Connect(context.Background())
	require.ErrorIs(t, err, connector.ErrAuth)
	assert.EqualValues(t, 1, hits.Load(), "no retry of a refusal")
}

func TestForEachOverCallerSlices(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"provision":{"addAccess":{"calls":[{"forEach":"{{ .entitlement.attributes.ids }}","method":"PUT","path":"/g/{{ .item }}"}]}}}`, srv.URL))
	require.NoError(t, err)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.AddAccess,
		Entitlement: &connector.Entitlement{Type: "g", Attributes: map[string]any{"ids": []string{"a", "b"}}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"/g/a", "/g/b"}, paths)
}
