package connector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// TestRateLimitHeadersNamedBySpec: a server that answers its first request
// with 429 and only its own reset header (Okta sends X-Rate-Limit-Reset, a
// Unix time, and no Retry-After). The engine waits as that header says when
// the spec names it: a far reset fails at once with ErrRateLimited, a past
// one is sent again at once. A header the spec does not name is ignored,
// and the backoff applies.
func TestRateLimitHeadersNamedBySpec(t *testing.T) {
	now := time.Now()
	unix := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	date := func(d time.Duration) string { return now.Add(d).UTC().Format(http.TimeFormat) }
	tests := []struct {
		name   string
		retry  string // connection.retry members added to maxWait
		header string
		value  string
		far    bool // the wait asked for exceeds maxWait: ErrRateLimited after one request
	}{
		{name: "okta unix, far", retry: `"resetHeader": "X-Rate-Limit-Reset", "resetFormat": "unix"`, header: "X-Rate-Limit-Reset", value: unix(time.Hour), far: true},
		{name: "okta unix, past", retry: `"resetHeader": "X-Rate-Limit-Reset", "resetFormat": "unix"`, header: "X-Rate-Limit-Reset", value: unix(-5 * time.Second)},
		{name: "okta unix, auto", retry: `"resetHeader": "X-Rate-Limit-Reset"`, header: "X-Rate-Limit-Reset", value: unix(time.Hour), far: true},
		{name: "unnamed header is ignored", retry: `"minBackoff": "1ms", "maxBackoff": "2ms"`, header: "X-Rate-Limit-Reset", value: unix(time.Hour)},
		{name: "seconds, far", retry: `"resetHeader": "X-Retry-In", "resetFormat": "seconds"`, header: "X-Retry-In", value: "3600", far: true},
		{name: "seconds, none", retry: `"resetHeader": "X-Retry-In", "resetFormat": "seconds"`, header: "X-Retry-In", value: "0"},
		{name: "seconds, a Unix-sized number is still seconds", retry: `"resetHeader": "X-Retry-In", "resetFormat": "seconds"`, header: "X-Retry-In", value: unix(0), far: true},
		{name: "httpDate, far", retry: `"resetHeader": "X-Reset-At", "resetFormat": "httpDate"`, header: "X-Reset-At", value: date(time.Hour), far: true},
		{name: "httpDate, past", retry: `"resetHeader": "X-Reset-At", "resetFormat": "httpDate"`, header: "X-Reset-At", value: date(-time.Hour)},
		{name: "default header, far", header: "X-RateLimit-Reset", value: unix(time.Hour), far: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				if hits.Add(1) == 1 {
					w.Header().Set(tt.header, tt.value)
					w.Header().Set("X-Rate-Limit-Remaining", "0")
					w.WriteHeader(http.StatusTooManyRequests)
					fmt.Fprint(w, `{"errorCode":"E0000047","errorSummary":"API call exceeded rate limit due to too many requests."}`)
					return
				}
				fmt.Fprint(w, `[{"id": "u1"}]`)
			}))
			defer srv.Close()
			retry := `"maxWait": "1s"`
			if tt.retry != "" {
				retry += ", " + tt.retry
			}
			e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL", "retry": {`+retry+`},
				"errors": {"code": "errorCode", "message": "errorSummary"}},
				"import": {"accounts": {"sources": [{"path": "/users"}], "id": "id"}}}`)
			start := time.Now()
			accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			assert.Less(t, time.Since(start), 2*time.Second)
			if tt.far {
				require.ErrorIs(t, err, connector.ErrRateLimited)
				var ce *connector.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, "E0000047", ce.Code)
				assert.Contains(t, ce.Message, "limit 1s")
				assert.NotContains(t, ce.Message, "server asks to wait 0s")
				assert.EqualValues(t, 1, hits.Load())
				return
			}
			require.NoError(t, err)
			assert.Len(t, accts, 1)
			assert.EqualValues(t, 2, hits.Load())
		})
	}
}

// The token endpoint's 429 is read the same way.
func TestRateLimitHeadersOnTokenEndpoint(t *testing.T) {
	var tokenHits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			tokenHits.Add(1)
			w.Header().Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			fmt.Fprint(w, `{"error":"slow_down"}`)
			return
		}
		t.Errorf("unexpected %s", r.URL)
	}))
	defer srv.Close()
	spec := `{"name": "t", "connection": {"baseURL": "$URL",
		"retry": {"maxWait": "1s", "minBackoff": "1ms", "maxBackoff": "2ms", "resetHeader": "X-Rate-Limit-Reset", "resetFormat": "unix"},
		"auth": {"o": {"type": "oauth2", "tokenURL": "$URL/oauth/token", "clientID": "c", "clientSecret": "{{ .secrets.s }}", "authStyle": "header"}}},
		"connect": {"calls": [{"path": "/me"}]}}`
	e := memberEngine(t, srv, spec, connector.WithSecrets(map[string]string{"s": "client-secret"}))
	err := e.Connect(context.Background())
	require.ErrorIs(t, err, connector.ErrRateLimited)
	assert.EqualValues(t, 1, tokenHits.Load(), "a reset an hour away is not waited for")

	// Without resetHeader the same answer is retried after the backoff.
	tokenHits.Store(0)
	e = memberEngine(t, srv, strings.Replace(spec, `, "resetHeader": "X-Rate-Limit-Reset", "resetFormat": "unix"`, `, "maxWaits": 2`, 1),
		connector.WithSecrets(map[string]string{"s": "client-secret"}))
	require.ErrorIs(t, e.Connect(context.Background()), connector.ErrRateLimited)
	assert.EqualValues(t, 3, tokenHits.Load(), "the first request and two waits")
}
