package genesystest_test

import (
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restconn/restconn/providers/genesys/genesystest"
)

func TestTokenEndpoint(t *testing.T) {
	srv := genesystest.NewServer(genesystest.WithClient("my-id", "s3cr+t/=="))
	defer srv.Close()

	tests := []struct {
		name        string
		id, secret  string
		contentType string
		form        string
		wantStatus  int
		wantError   string
	}{
		{"ok", "my-id", "s3cr+t/==", "application/x-www-form-urlencoded", "grant_type=client_credentials", 200, ""},
		{"ok with charset", "my-id", "s3cr+t/==", "application/x-www-form-urlencoded; charset=utf-8", "grant_type=client_credentials", 200, ""},
		{"wrong secret", "my-id", "nope", "application/x-www-form-urlencoded", "grant_type=client_credentials", 401, "invalid_client"},
		{"unknown client", "other", "s3cr+t/==", "application/x-www-form-urlencoded", "grant_type=client_credentials", 401, "invalid_client"},
		{"no client auth", "", "", "application/x-www-form-urlencoded", "grant_type=client_credentials", 401, "invalid_client"},
		{"wrong grant", "my-id", "s3cr+t/==", "application/x-www-form-urlencoded", "grant_type=password&username=a&password=b", 400, "unsupported_grant_type"},
		{"missing grant", "my-id", "s3cr+t/==", "application/x-www-form-urlencoded", "", 400, "invalid_request"},
		{"json body", "my-id", "s3cr+t/==", "application/json", `{"grant_type":"client_credentials"}`, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := tokenRequest(t, srv, tt.id, tt.secret, tt.contentType, tt.form)
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.wantStatus, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q", ct)
			}
			var m map[string]any
			mustJSON(t, body, &m)
			if tt.wantError == "" {
				if tok, _ := m["access_token"].(string); len(tok) < 32 {
					t.Errorf("access_token = %q, want a long opaque string", tok)
				}
				if m["token_type"] != "bearer" || m["expires_in"] != float64(86399) {
					t.Errorf("token_type, expires_in = %v, %v", m["token_type"], m["expires_in"])
				}
				return
			}
			if m["error"] != tt.wantError {
				t.Errorf("error = %v, want %s", m["error"], tt.wantError)
			}
			if m["description"] == "" || m["error_description"] == "" {
				t.Errorf("want description and error_description: %s", body)
			}
		})
	}

	t.Run("tokens are distinct", func(t *testing.T) {
		if a, b := fetchToken(t, srv), fetchToken(t, srv); a == b {
			t.Error("two tokens are equal")
		}
	})
	t.Run("GET is not allowed", func(t *testing.T) {
		resp, _ := send(t, mustRequest(t, http.MethodGet, srv.LoginURL+"/oauth/token"))
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("status %d", resp.StatusCode)
		}
	})
	t.Run("login host records requests", func(t *testing.T) {
		var n int
		for _, r := range srv.Requests() {
			if r.Host == "login" && r.Path == "/oauth/token" {
				n++
			}
		}
		if n < len(tests) {
			t.Errorf("recorded %d login requests, want at least %d", n, len(tests))
		}
	})
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func TestTokenTTL(t *testing.T) {
	srv := genesystest.NewServer(genesystest.WithTokenTTL(90 * time.Second))
	defer srv.Close()
	_, body := tokenRequest(t, srv, srv.ClientID, srv.ClientSecret, "application/x-www-form-urlencoded", "grant_type=client_credentials")
	var m map[string]any
	mustJSON(t, body, &m)
	if m["expires_in"] != float64(90) {
		t.Errorf("expires_in = %v, want 90", m["expires_in"])
	}
}

// platformErr checks a Genesys Platform API error (401, 429).
func platformErr(t *testing.T, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	var e struct {
		Message   string `json:"message"`
		Code      string `json:"code"`
		Status    int    `json:"status"`
		ContextID string `json:"contextId"`
	}
	mustJSON(t, body, &e)
	if e.Code != code || e.Status != status || e.Message == "" {
		t.Errorf("body = %s, want code %s", body, code)
	}
	if corr := resp.Header.Get("ININ-Correlation-Id"); corr == "" || e.ContextID != corr {
		t.Errorf("contextId %q, ININ-Correlation-Id %q", e.ContextID, corr)
	}
}

func TestBearerTokens(t *testing.T) {
	c := newClient(t, genesystest.WithStaticToken("scim-static-token"))

	tests := []struct {
		name   string
		header string
		status int
		code   string
	}{
		{"issued token", "Bearer " + c.token, 200, ""},
		{"lowercase scheme", "bearer " + c.token, 200, ""},
		{"static token", "Bearer scim-static-token", 200, ""},
		{"no header", "", 401, "authentication.required"},
		{"basic scheme", "Basic " + base64.StdEncoding.EncodeToString([]byte("a:b")), 401, "authentication.required"},
		{"unknown token", "Bearer not-a-token", 401, "bad.credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := mustRequest(t, http.MethodGet, c.srv.APIURL+scimRoot+"/users")
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			resp, body := send(t, req)
			if tt.status == 200 {
				if resp.StatusCode != 200 {
					t.Fatalf("status %d: %s", resp.StatusCode, body)
				}
				return
			}
			platformErr(t, resp, body, tt.status, tt.code)
		})
	}

	t.Run("discovery needs no token", func(t *testing.T) {
		for _, p := range []string{"/serviceproviderconfig", "/resourcetypes", "/schemas"} {
			resp, body := send(t, mustRequest(t, http.MethodGet, c.srv.APIURL+scimRoot+p))
			if resp.StatusCode != 200 {
				t.Errorf("%s: status %d: %s", p, resp.StatusCode, body)
			}
		}
	})
}

func TestExpireTokensAfter(t *testing.T) {
	c := newClient(t, genesystest.WithStaticToken("static"))
	c.srv.ExpireTokensAfter(2)
	for i := 1; i <= 2; i++ {
		c.json("GET", "/users?count=1", nil, 200)
	}
	resp, body := c.do("GET", "/users?count=1", nil)
	platformErr(t, resp, body, 401, "bad.credentials")

	// Re-authenticating is the fix; the new token is not affected.
	c.token = fetchToken(t, c.srv)
	c.json("GET", "/users?count=1", nil, 200)
	// The static token never expires.
	c.token = "static"
	c.json("GET", "/users?count=1", nil, 200)
}

func TestExpireTokens(t *testing.T) {
	c := newClient(t)
	c.json("GET", "/users", nil, 200)
	c.srv.ExpireTokens()
	resp, body := c.do("GET", "/users", nil)
	platformErr(t, resp, body, 401, "bad.credentials")
	c.token = fetchToken(t, c.srv)
	c.json("GET", "/users", nil, 200)
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func TestTokenExpiryWithClock(t *testing.T) {
	clock := &fakeClock{now: time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)}
	c := newClient(t, genesystest.WithClock(clock.Now), genesystest.WithTokenTTL(time.Hour))
	c.json("GET", "/users", nil, 200)
	clock.Advance(59 * time.Minute)
	c.json("GET", "/users", nil, 200)
	clock.Advance(time.Minute)
	resp, body := c.do("GET", "/users", nil)
	platformErr(t, resp, body, 401, "bad.credentials")
}

func TestRateLimitNext(t *testing.T) {
	c := newClient(t)
	c.srv.RateLimitNext(2, 1500*time.Millisecond)
	for i := 0; i < 2; i++ {
		resp, body := c.do("GET", "/users", nil)
		platformErr(t, resp, body, http.StatusTooManyRequests, "too.many.requests.retry.after")
		if ra := resp.Header.Get("Retry-After"); ra != "2" {
			t.Errorf("Retry-After = %q, want 2 (seconds, rounded up)", ra)
		}
		if !strings.Contains(string(body), "Retry the request in [2] seconds") {
			t.Errorf("message: %s", body)
		}
	}
	c.json("GET", "/users", nil, 200)
}

func TestFailNext(t *testing.T) {
	c := newClient(t)
	c.srv.FailNext(2, http.StatusServiceUnavailable)
	for i := 0; i < 2; i++ {
		resp, body := c.do("GET", "/users", nil)
		scimErr(t, resp, body, http.StatusServiceUnavailable, "")
	}
	c.json("GET", "/users", nil, 200)

	// Faults queue in order: rate limits first, then failures.
	c.srv.FailNext(1, 500)
	c.srv.RateLimitNext(1, 0)
	if resp, _ := c.do("GET", "/users", nil); resp.StatusCode != 429 {
		t.Errorf("first status %d, want 429", resp.StatusCode)
	}
	if resp, _ := c.do("GET", "/users", nil); resp.StatusCode != 500 {
		t.Errorf("second status %d, want 500", resp.StatusCode)
	}
	c.json("GET", "/users", nil, 200)
}

func TestCorrelationIDAndRequests(t *testing.T) {
	c := newClient(t)
	resp, _ := c.do("GET", "/users?count=2", nil, "X-Test", "1")
	if resp.Header.Get("ININ-Correlation-Id") == "" {
		t.Error("no ININ-Correlation-Id")
	}
	reqs := c.srv.Requests()
	last := reqs[len(reqs)-1]
	if last.Host != "api" || last.Method != "GET" || last.Path != scimRoot+"/users" ||
		last.RawQuery != "count=2" || last.Header.Get("X-Test") != "1" {
		t.Errorf("last request = %+v", last)
	}
}
