package connector_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// spec builds a spec from a JSON template with %s replaced by the server URL.
func spec(t testing.TB, js string, url string) *connector.Spec {
	t.Helper()
	s, err := connector.Parse([]byte(strings.ReplaceAll(js, "$URL", url)))
	require.NoError(t, err)
	return s
}

// meServer answers GET /me with 200 when check accepts the request.
func meServer(t *testing.T, check func(r *http.Request) bool) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/me" {
			http.NotFound(w, r)
			return
		}
		if !check(r) {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"error":"unauthorized"}`)
			return
		}
		fmt.Fprint(w, `{"ok":true}`)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestStaticAuthKinds(t *testing.T) {
	tests := []struct {
		name  string
		auth  string
		check func(r *http.Request) bool
	}{
		{"none", `{"type":"none"}`, func(r *http.Request) bool { return r.Header.Get("Authorization") == "" }},
		{"basic", `{"type":"basic","username":"{{ .params.user }}","password":"{{ .secrets.password }}"}`, func(r *http.Request) bool {
			u, p, ok := r.BasicAuth()
			return ok && u == "svc" && p == "pa:ss w0rd"
		}},
		{"bearer", `{"type":"bearer","token":"{{ .secrets.token }}"}`, func(r *http.Request) bool {
			return r.Header.Get("Authorization") == "Bearer static-token-123"
		}},
		{"bearer custom header", `{"type":"bearer","token":"{{ .secrets.token }}","inject":{"in":"header","name":"X-Auth","prefix":"Token "}}`, func(r *http.Request) bool {
			return r.Header.Get("X-Auth") == "Token static-token-123" && r.Header.Get("Authorization") == ""
		}},
		{"apiKey header", `{"type":"apiKey","in":"header","name":"X-API-Key","value":"{{ .secrets.token }}"}`, func(r *http.Request) bool {
			return r.Header.Get("X-API-Key") == "static-token-123"
		}},
		{"apiKey query", `{"type":"apiKey","in":"query","name":"api_key","value":"{{ .secrets.token }}"}`, func(r *http.Request) bool {
			return r.URL.Query().Get("api_key") == "static-token-123"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := meServer(t, tt.check)
			s := spec(t, `{"name":"t","connection":{"baseURL":"$URL","auth":{"a":`+tt.auth+`}},
				"connect":{"calls":[{"path":"/me"}]}}`, srv.URL)
			ok, err := connector.New(s, connector.WithParams(map[string]any{"user": "svc"}),
				connector.WithSecrets(map[string]string{"password": "pa:ss w0rd", "token": "static-token-123"}))
			require.NoError(t, err)
			require.NoError(t, ok.Connect(context.Background()))
			if tt.name == "none" {
				return
			}
			bad, err := connector.New(s, connector.WithParams(map[string]any{"user": "svc"}),
				connector.WithSecrets(map[string]string{"password": "wrong-password", "token": "wrong-token-456"}))
			require.NoError(t, err)
			err = bad.Connect(context.Background())
			require.ErrorIs(t, err, connector.ErrAuth)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, 401, ce.StatusCode)
			assert.NotContains(t, err.Error(), "wrong-token-456")
			assert.NotContains(t, err.Error(), "wrong-password")
		})
	}
}

// oauthServer issues tokens from /oauth/token (client credentials with
// Basic auth) and serves /items with them; tokens can be revoked.
type oauthServer struct {
	*httptest.Server
	mu      sync.Mutex
	valid   map[string]bool
	issued  atomic.Int32
	expires int
}

func newOAuthServer(t *testing.T) *oauthServer {
	o := &oauthServer{valid: map[string]bool{}, expires: 3600}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/oauth/token":
			id, secret, ok := r.BasicAuth()
			_ = r.ParseForm()
			if !ok || id != "cid" || secret != "csecret-xyz" || r.Form.Get("grant_type") != "client_credentials" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"error":"invalid_client","error_description":"client authentication failed"}`)
				return
			}
			n := o.issued.Add(1)
			tok := fmt.Sprintf("tok-%d", n)
			o.mu.Lock()
			o.valid[tok] = true
			o.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"access_token":%q,"token_type":"bearer","expires_in":%d,"scope":%q}`, tok, o.expires, r.Form.Get("scope"))
		case "/items":
			tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			o.mu.Lock()
			ok := o.valid[tok]
			o.mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			fmt.Fprint(w, `{"items":[]}`)
		}
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *oauthServer) revokeAll() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.valid = map[string]bool{}
}

const oauthSpec = `{"name":"t","secrets":{"clientSecret":{"required":true}},
 "connection":{"baseURL":"$URL","auth":{"o":{"type":"oauth2","tokenURL":"$URL/oauth/token","clientID":"cid",
   "clientSecret":"{{ .secrets.clientSecret }}","scopes":["read","write"],"authStyle":"header"}}},
 "connect":{"calls":[{"path":"/items"}]},
 "provision":{"updateAccount":{"calls":[{"method":"PUT","path":"/items"}]}}}`

func TestOAuth2ClientCredentials(t *testing.T) {
	o := newOAuthServer(t)
	e, err := connector.New(spec(t, oauthSpec, o.URL), connector.WithSecrets(map[string]string{"clientSecret": "csecret-xyz"}))
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx))
	require.NoError(t, e.Connect(ctx))
	assert.EqualValues(t, 1, o.issued.Load(), "the token is reused until it expires")

	// Revoked mid-run: the next call gets 401, re-authenticates once and
	// succeeds; concurrent callers share that one refresh.
	o.revokeAll()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 2, o.issued.Load(), "one refresh for all concurrent callers")

	bad, err := connector.New(spec(t, oauthSpec, o.URL), connector.WithSecrets(map[string]string{"clientSecret": "not-the-secret"}))
	require.NoError(t, err)
	err = bad.Connect(ctx)
	require.ErrorIs(t, err, connector.ErrAuth)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "invalid_client", ce.Code)
	assert.Equal(t, 401, ce.StatusCode)
	assert.NotContains(t, err.Error(), "not-the-secret")
}

func TestOAuth2TokenReusedUntilShortlyBeforeExpiry(t *testing.T) {
	o := newOAuthServer(t)
	// A token living less than twice the early-expiry margin (30s) is used
	// for half its life: here 1s, so it is replaced after 500ms.
	o.expires = 1
	e, err := connector.New(spec(t, oauthSpec, o.URL), connector.WithSecrets(map[string]string{"clientSecret": "csecret-xyz"}))
	require.NoError(t, err)
	require.NoError(t, e.Connect(context.Background()))
	require.NoError(t, e.Connect(context.Background()))
	assert.EqualValues(t, 1, o.issued.Load())
	time.Sleep(600 * time.Millisecond)
	require.NoError(t, e.Connect(context.Background()))
	assert.EqualValues(t, 2, o.issued.Load())
}

// sessionServer is an OTRS-like API: POST /Session returns a SessionID,
// other calls carry it and fail inside a 200 body when it has expired.
type sessionServer struct {
	*httptest.Server
	mu       sync.Mutex
	sessions map[string]bool
	logins   atomic.Int32
	lastSeen atomic.Value
}

func newSessionServer(t *testing.T, where string) *sessionServer {
	s := &sessionServer{sessions: map[string]bool{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		body, _ := io.ReadAll(r.Body)
		var in map[string]any
		_ = json.Unmarshal(body, &in)
		if r.URL.Path == "/Session" {
			if in["UserLogin"] != "agent" || in["Password"] != "agent-pass-1" {
				fmt.Fprint(w, `{"Error":{"ErrorCode":"SessionCreate.AuthFail","ErrorMessage":"SessionCreate: Authorization failing!"}}`)
				return
			}
			n := s.logins.Add(1)
			id := fmt.Sprintf("SESSION%dxxxxxxxxxxxxxxxxxxxxxxxxx", n)
			s.mu.Lock()
			s.sessions[id] = true
			s.mu.Unlock()
			fmt.Fprintf(w, `{"SessionID":%q}`, id)
			return
		}
		var sid string
		switch where {
		case "query":
			sid = r.URL.Query().Get("SessionID")
		case "header":
			sid = r.Header.Get("X-Session")
		case "body":
			sid, _ = in["SessionID"].(string)
		}
		s.lastSeen.Store(sid)
		s.mu.Lock()
		ok := s.sessions[sid]
		s.mu.Unlock()
		if !ok {
			fmt.Fprint(w, `{"Error":{"ErrorCode":"TicketGet.AuthFail","ErrorMessage":"TicketGet: Authorization failing!"}}`)
			return
		}
		fmt.Fprint(w, `{"Ticket":[{"TicketID":"1","State":"open"}]}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *sessionServer) expireAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]bool{}
}

func TestSessionAuth(t *testing.T) {
	for _, where := range []string{"query", "header", "body"} {
		t.Run(where, func(t *testing.T) {
			srv := newSessionServer(t, where)
			inject := map[string]string{
				"query":  `{"in":"query","name":"SessionID"}`,
				"header": `{"in":"header","name":"X-Session"}`,
				"body":   `{"in":"body","name":"SessionID"}`,
			}[where]
			method := "GET"
			body := ""
			if where == "body" {
				method, body = "POST", `,"body":{"TicketID":"1"}`
			}
			js := `{"name":"t","secrets":{"password":{}},
			 "connection":{"baseURL":"$URL",
			   "auth":{"s":{"type":"session",
			     "login":{"method":"POST","path":"/Session","body":{"UserLogin":"agent","Password":"{{ .secrets.password }}"}},
			     "token":"{{ .responses.login.body.SessionID }}",
			     "inject":` + inject + `,
			     "expiry":[{"when":[{"path":"Error.ErrorCode","matches":"\\.AuthFail$"}]}]}},
			   "errors":{"code":"Error.ErrorCode","message":"Error.ErrorMessage","map":{"SessionCreate.AuthFail":"auth"}},
			   "failure":[{"path":"Error","exists":true}]},
			 "tickets":{"status":{"calls":[{"name":"get","method":"` + method + `","path":"/Ticket/{{ .ticket.id }}"` + body + `}],
			   "status":"{{ (index .responses.get.body.Ticket 0).State }}","states":[{"equals":"open","state":"open"}]}}}`
			e, err := connector.New(spec(t, js, srv.URL), connector.WithSecrets(map[string]string{"password": "agent-pass-1"}))
			require.NoError(t, err)
			ctx := context.Background()
			require.NoError(t, e.Connect(ctx))
			tk, err := e.TicketStatus(ctx, "1")
			require.NoError(t, err)
			assert.Equal(t, connector.TicketOpen, tk.State)
			assert.EqualValues(t, 1, srv.logins.Load())

			srv.expireAll() // the session dies: an AuthFail inside HTTP 200
			tk, err = e.TicketStatus(ctx, "1")
			require.NoError(t, err)
			assert.Equal(t, "open", tk.Status)
			assert.EqualValues(t, 2, srv.logins.Load(), "one new session, then the same call again")
			assert.Equal(t, "SESSION2xxxxxxxxxxxxxxxxxxxxxxxxx", srv.lastSeen.Load())

			bad, err := connector.New(spec(t, js, srv.URL), connector.WithSecrets(map[string]string{"password": "wrong-pass-2"}))
			require.NoError(t, err)
			err = bad.Connect(ctx)
			require.ErrorIs(t, err, connector.ErrAuth)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "SessionCreate.AuthFail", ce.Code)
			assert.NotContains(t, err.Error(), "wrong-pass-2")
		})
	}
}

func TestBasicAuthHeaderIsExact(t *testing.T) {
	srv := meServer(t, func(r *http.Request) bool {
		return r.Header.Get("Authorization") == "Basic "+base64.StdEncoding.EncodeToString([]byte("svc:pw"))
	})
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","auth":{"b":{"type":"basic","username":"svc","password":"pw"}}},"connect":{"calls":[{"path":"/me"}]}}`, srv.URL))
	require.NoError(t, err)
	require.NoError(t, e.Connect(context.Background()))
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
