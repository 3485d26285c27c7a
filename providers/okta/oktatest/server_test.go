package oktatest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestSSWSToken(t *testing.T) {
	s := NewServer(WithToken("00secret-token"))
	defer s.Close()
	tests := []struct {
		name   string
		header string // Authorization; "" sends none
		status int
	}{
		{"the token", "SSWS 00secret-token", 200},
		{"no header", "", 401},
		{"bearer scheme", "Bearer 00secret-token", 401},
		{"lowercase scheme", "ssws 00secret-token", 401},
		{"another token", "SSWS 00other-token", 401},
		{"scheme only", "SSWS ", 401},
		{"token only", "00secret-token", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, s, "GET", "/api/v1/users/me", "", "Authorization", tt.header)
			if tt.status == 200 {
				wantStatus(t, r, 200)
				return
			}
			wantError(t, r, 401, "E0000011", "Invalid token provided")
		})
	}
}

func TestTokenStopsWorking(t *testing.T) {
	t.Run("revoked", func(t *testing.T) {
		s := NewServer()
		defer s.Close()
		wantStatus(t, get(t, s, "/api/v1/users/me"), 200)
		s.RevokeToken()
		wantError(t, get(t, s, "/api/v1/users/me"), 401, "E0000011", "Invalid token")
	})
	// An API token acts as its owner, and stops working when the owner
	// cannot sign in any more.
	for _, op := range []string{"suspend", "deactivate"} {
		t.Run("owner "+op, func(t *testing.T) {
			s := NewServer()
			defer s.Close()
			wantStatus(t, do(t, s, "POST", "/api/v1/users/me/lifecycle/"+op, ""), 200)
			wantError(t, get(t, s, "/api/v1/users/me"), 401, "E0000011", "Invalid token")
		})
	}
}

func TestRateLimitHeadersAndWindow(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now), WithRateLimit(3, time.Minute))
	defer s.Close()
	reset := strconv.FormatInt(clk.Now().Add(time.Minute).Unix(), 10)

	check := func(r reply, remaining, reset string) {
		t.Helper()
		if got := r.header.Get("X-Rate-Limit-Limit"); got != "3" {
			t.Errorf("X-Rate-Limit-Limit %q, want 3", got)
		}
		if got := r.header.Get("X-Rate-Limit-Remaining"); got != remaining {
			t.Errorf("X-Rate-Limit-Remaining %q, want %s", got, remaining)
		}
		if got := r.header.Get("X-Rate-Limit-Reset"); got != reset {
			t.Errorf("X-Rate-Limit-Reset %q, want %s", got, reset)
		}
	}
	check(get(t, s, "/api/v1/users/me"), "2", reset)
	// Refused calls carry the headers and do not count.
	r := do(t, s, "GET", "/api/v1/users/me", "", "Authorization", "SSWS wrong")
	wantStatus(t, r, 401)
	check(r, "2", reset)
	check(get(t, s, "/api/v1/groups"), "1", reset)
	r = get(t, s, "/api/v1/nowhere")
	wantStatus(t, r, 404)
	check(r, "0", reset)
	r = get(t, s, "/api/v1/users/me")
	wantError(t, r, 429, "E0000047", "API call exceeded rate limit due to too many requests.")
	check(r, "0", reset)

	clk.Advance(59 * time.Second)
	wantStatus(t, get(t, s, "/api/v1/users/me"), 429)
	clk.Advance(time.Second) // the window ends
	next := strconv.FormatInt(clk.Now().Add(time.Minute).Unix(), 10)
	check(get(t, s, "/api/v1/users/me"), "2", next)
}

func TestRateLimitResetRoundsUp(t *testing.T) {
	clk := newClock()
	clk.Advance(300 * time.Millisecond)
	s := NewServer(WithClock(clk.Now), WithRateLimit(1, 10*time.Second))
	defer s.Close()
	r := get(t, s, "/api/v1/users/me")
	// The window ends at :10.3, so a client must wait until :11.
	if got, want := r.header.Get("X-Rate-Limit-Reset"), strconv.FormatInt(clk.Now().Unix()+11, 10); got != want {
		t.Errorf("X-Rate-Limit-Reset %s, want %s", got, want)
	}
}

func TestRateLimitNext(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	s.RateLimitNext(2, 30*time.Second)
	want := strconv.FormatInt(clk.Now().Add(30*time.Second).Unix(), 10)
	for range 2 {
		// Checked before the token: even a bad token gets the 429.
		r := do(t, s, "GET", "/api/v1/users", "", "Authorization", "SSWS wrong")
		wantError(t, r, 429, "E0000047", "rate limit")
		if r.header.Get("X-Rate-Limit-Remaining") != "0" || r.header.Get("X-Rate-Limit-Reset") != want {
			t.Errorf("429 headers: remaining %s reset %s, want 0 %s", r.header.Get("X-Rate-Limit-Remaining"), r.header.Get("X-Rate-Limit-Reset"), want)
		}
	}
	r := get(t, s, "/api/v1/users")
	wantStatus(t, r, 200)
	if got := r.header.Get("X-Rate-Limit-Remaining"); got != strconv.Itoa(DefaultRateLimit-1) {
		t.Errorf("forced 429s used the budget: remaining %s", got)
	}
	if n := len(s.Requests()); n != 3 {
		t.Errorf("%d requests recorded, want 3", n)
	}
}

func TestFailNext(t *testing.T) {
	s := NewServer()
	defer s.Close()
	before := len(s.Users())
	s.FailNext(2, http.StatusServiceUnavailable)
	body := `{"profile":{"login":"x.y@example.com","email":"x.y@example.com","firstName":"X","lastName":"Y"}}`
	for range 2 {
		wantError(t, do(t, s, "POST", "/api/v1/users", body), 503, "E0000009", "Service Unavailable")
	}
	if n := len(s.Users()); n != before {
		t.Fatalf("a failed call created a user: %d users, want %d", n, before)
	}
	wantStatus(t, do(t, s, "POST", "/api/v1/users", body), 200)

	s.FailNext(1, http.StatusInternalServerError)
	wantError(t, get(t, s, "/api/v1/users/me"), 500, "E0000009", "Internal Server Error")
	wantStatus(t, get(t, s, "/api/v1/users/me"), 200)
}

func TestBadRequests(t *testing.T) {
	s := NewServer()
	defer s.Close()
	me := s.AdminID
	tests := []struct {
		name                 string
		method, path, body   string
		header               []string
		status               int
		code, summary, cause string
	}{
		{name: "unknown path", method: "GET", path: "/api/v1/apps", status: 404, code: "E0000008", summary: "The requested path was not found"},
		{name: "outside the API", method: "GET", path: "/oauth2/v1/token", status: 404, code: "E0000008"},
		{name: "unknown lifecycle operation", method: "POST", path: "/api/v1/users/" + me + "/lifecycle/explode", status: 404, code: "E0000008"},
		{name: "method not allowed", method: "PATCH", path: "/api/v1/users/" + me, body: `{}`, status: 405, code: "E0000022"},
		{name: "not JSON", method: "POST", path: "/api/v1/users/" + me, body: `{"profile":`, status: 400, code: "E0000003", summary: "not well-formed"},
		{name: "not an object", method: "POST", path: "/api/v1/users/" + me, body: `[]`, status: 400, code: "E0000003"},
		{name: "two objects", method: "POST", path: "/api/v1/users/" + me, body: `{}{}`, status: 400, code: "E0000003"},
		{name: "form body", method: "POST", path: "/api/v1/users/" + me, body: `a=b`,
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: 415, code: "E0000019"},
		{name: "too large", method: "POST", path: "/api/v1/users/" + me, body: `{"profile":{"title":"` + strings.Repeat("x", maxBody) + `"}}`,
			status: 413, code: "E0000003", cause: "larger than"},
		{name: "bad activate", method: "POST", path: "/api/v1/users?activate=maybe", body: `{}`, status: 400, code: "E0000001", cause: "activate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, s, tt.method, tt.path, tt.body, tt.header...)
			wantError(t, r, tt.status, tt.code, tt.summary, tt.cause)
		})
	}
	r := do(t, s, "PATCH", "/api/v1/users/"+me, `{}`)
	if got := r.header.Get("Allow"); got != "GET, POST, PUT, DELETE" {
		t.Errorf("Allow %q", got)
	}
}

func TestRequestsAreRecorded(t *testing.T) {
	s := NewServer()
	defer s.Close()
	do(t, s, "POST", "/api/v1/users/me?strict=true", `{"profile":{"title":"Boss"}}`)
	do(t, s, "GET", "/api/v1/users/me", "", "Authorization", "SSWS wrong")
	reqs := s.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests, want 2", len(reqs))
	}
	r := reqs[0]
	if r.Method != "POST" || r.Path != "/api/v1/users/me" || r.Query().Get("strict") != "true" ||
		string(r.Body) != `{"profile":{"title":"Boss"}}` || r.Header.Get("Authorization") != "SSWS "+s.Token {
		t.Errorf("recorded %+v", r)
	}
	if reqs[1].Header.Get("Authorization") != "SSWS wrong" {
		t.Errorf("refused request not recorded as sent: %+v", reqs[1])
	}
	// Requests returns copies.
	reqs[0].Body[0] = 'X'
	if s.Requests()[0].Body[0] != '{' {
		t.Error("Requests shares its bodies")
	}
}

func TestOptionsPanicOnMistakes(t *testing.T) {
	for name, opt := range map[string]Option{
		"empty token":     WithToken(""),
		"nil clock":       WithClock(nil),
		"zero limit":      WithRateLimit(0, time.Minute),
		"zero window":     WithRateLimit(10, 0),
		"negative delay":  WithLatency(-time.Second),
		"nil middleware":  WithMiddleware(nil),
		"duplicate login": WithUsers(User{Profile: Profile{Login: "a@example.com"}}, User{Profile: Profile{Login: "A@example.com"}}),
		"unknown member":  WithGroups(Group{Name: "G", Members: []string{"nobody@example.com"}}),
		"unknown status":  WithUsers(User{Profile: Profile{Login: "a@example.com"}, Status: "HAPPY"}),
		"unknown role":    WithUsers(User{Profile: Profile{Login: "a@example.com"}, Roles: []string{"KING"}}),
		"built-in group":  WithGroups(Group{Name: "All", Type: BuiltIn}),
		"group sans name": WithGroups(Group{}),
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if r := recover(); r == nil || !strings.HasPrefix(fmt.Sprint(r), "oktatest: ") {
					t.Errorf("recovered %v, want an oktatest panic", r)
				}
			}()
			s := NewServer(opt)
			s.Close()
		})
	}
}

func TestWithLatency(t *testing.T) {
	s := NewServer(WithLatency(50 * time.Millisecond))
	defer s.Close()
	start := time.Now()
	get(t, s, "/api/v1/users/me")
	// Only a lower bound: a slow machine may take longer, never shorter.
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("answered in %v, want at least 50ms", d)
	}
}

func TestLinkHeaderUsesServerHost(t *testing.T) {
	s := NewServer()
	defer s.Close()
	// The client names the host differently; Okta's links still name the
	// org's own host.
	req, _ := http.NewRequest("GET", s.URL+"/api/v1/users?limit=2", nil)
	req.Host = "acme.okta.com"
	req.Header.Set("Authorization", "SSWS "+s.Token)
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, l := range res.Header.Values("Link") {
		if !strings.HasPrefix(l, "<"+s.URL+"/api/v1/users?") {
			t.Errorf("Link %q is not on %s", l, s.URL)
		}
	}
}

// TestConcurrentUse runs API calls and set-up methods side by side; run
// with -race, it checks the locking.
func TestConcurrentUse(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sales := groupByName(t, s, "Sales").ID
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				login := fmt.Sprintf("w%d.u%d@example.com", w, i)
				r := do(t, s, "POST", "/api/v1/users", fmt.Sprintf(`{"profile":{"login":%q,"email":%q,"firstName":"W","lastName":"U"}}`, login, login))
				if r.status != 200 {
					t.Errorf("create %s: %d", login, r.status)
					return
				}
				do(t, s, "PUT", "/api/v1/groups/"+sales+"/users/"+r.str("id"), "")
				get(t, s, "/api/v1/groups/"+sales+"/users", "limit", "5")
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		ids := s.SeedUsers(50)
		s.AddMembers(sales, ids...)
		_ = s.Users()
		_ = s.Requests()
	}()
	wg.Wait()
	if got := len(s.Members(sales)); got != 2+40+50 {
		t.Errorf("Sales has %d members, want 92", got)
	}
}
