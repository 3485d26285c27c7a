package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"seconds", map[string]string{"Retry-After": "42"}, 42 * time.Second, true},
		{"fraction", map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond, true},
		{"http date", map[string]string{"Retry-After": now.Add(90 * time.Second).Format(http.TimeFormat)}, 90 * time.Second, true},
		{"past date", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"reset unix time", map[string]string{"X-RateLimit-Reset": "1795608030"}, 31 * time.Second, true}, // 30 s ahead, +1 s for the second's granularity
		{"reset as delay", map[string]string{"X-RateLimit-Reset": "15"}, 15 * time.Second, true},
		{"retry-after wins", map[string]string{"Retry-After": "3", "X-RateLimit-Reset": "1795608030"}, 3 * time.Second, true},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0, false},
		{"negative", map[string]string{"Retry-After": "-5"}, 0, false},
		{"none", nil, 0, false},
	}
	if now.Unix() != 1795608000 {
		t.Fatalf("test clock: %d", now.Unix())
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, ok := RetryAfter(h, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RetryAfter = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestSameHost(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"https://api.x.test/a", "https://api.x.test/b?c=1", true},
		{"https://api.x.test/a", "https://API.X.TEST:443/b", true},
		{"http://x.test/a", "http://x.test:80/a", true},
		{"https://x.test/a", "http://x.test/a", false},
		{"https://x.test/a", "https://x.test:8443/a", false},
		{"https://x.test/a", "https://evil.test/a", false},
		{"https://x.test/a", "https://x.test.evil.test/a", false},
	} {
		a, _ := url.Parse(tt.a)
		b, _ := url.Parse(tt.b)
		if got := SameHost(a, b); got != tt.want {
			t.Errorf("SameHost(%s, %s) = %v", tt.a, tt.b, got)
		}
	}
}

func TestDoCapsBodyAndRefusesForeignRedirects(t *testing.T) {
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the other host was reached with %q", r.Header.Get("X-Key"))
	}))
	defer other.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			_, _ = w.Write([]byte(strings.Repeat("x", 2048)))
		case "/away":
			http.Redirect(w, r, other.URL+"/stolen", http.StatusFound)
		case "/here":
			http.Redirect(w, r, "/ok", http.StatusFound)
		case "/ok":
			_, _ = w.Write([]byte("ok"))
		}
	}))
	defer srv.Close()
	c := New(nil, 1024)
	get := func(path string) (*Response, error) {
		return c.Do(context.Background(), &Request{Method: "GET", URL: srv.URL + path, Header: http.Header{"X-Key": {"k"}}})
	}
	var big *BodyTooLargeError
	if _, err := get("/big"); !errors.As(err, &big) || big.Limit != 1024 {
		t.Errorf("oversized body: %v", err)
	}
	if _, err := get("/away"); !errors.Is(err, ErrRedirectHost) {
		t.Errorf("redirect to another host: %v", err)
	}
	if r, err := get("/here"); err != nil || string(r.Body) != "ok" {
		t.Errorf("redirect on the same host: %v", err)
	}
}

func TestIsDialError(t *testing.T) {
	l := httptest.NewServer(http.NotFoundHandler())
	addr := l.URL
	l.Close()
	_, err := New(nil, 0).Do(context.Background(), &Request{Method: "POST", URL: addr, Body: []byte("{}")})
	if err == nil || !IsDialError(err) {
		t.Errorf("closed listener: %v, IsDialError %v", err, IsDialError(err))
	}
	if IsDialError(errors.New("EOF")) {
		t.Error("a plain error is not a dial error")
	}
}

func TestRateLimitHeaders(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name  string
		names RateLimitHeaders
		h     http.Header
		want  RateLimit
	}{
		{"none", RateLimitHeaders{}, hdr(), RateLimit{}},
		{"defaults, unix reset", RateLimitHeaders{}, hdr("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "7", "X-RateLimit-Reset", "1772366405"),
			RateLimit{Limit: 100, Remaining: 7, HasRemaining: true, Reset: time.Unix(1772366405, 0)}},
		{"delay in seconds, fractions", RateLimitHeaders{}, hdr("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "0.25"),
			RateLimit{Remaining: 0, HasRemaining: true, Reset: now.Add(250 * time.Millisecond)}},
		{"HTTP date", RateLimitHeaders{}, hdr("X-RateLimit-Reset", "Sun, 01 Mar 2026 12:00:30 GMT"), RateLimit{Reset: now.Add(30 * time.Second)}},
		{"named headers, seconds", RateLimitHeaders{Remaining: "RateLimit-Remaining", Reset: "RateLimit-Reset", ResetFormat: "seconds"},
			hdr("RateLimit-Remaining", "3", "RateLimit-Reset", "2000000000", "X-RateLimit-Remaining", "99"),
			RateLimit{Remaining: 3, HasRemaining: true, Reset: now.Add(2000000000 * time.Second)}},
		{"unix format forced for a small number", RateLimitHeaders{ResetFormat: "unix"}, hdr("X-RateLimit-Reset", "60"), RateLimit{Reset: time.Unix(60, 0)}},
		{"httpDate format refuses a number", RateLimitHeaders{ResetFormat: "httpDate"}, hdr("X-RateLimit-Reset", "60"), RateLimit{}},
		{"garbage", RateLimitHeaders{}, hdr("X-RateLimit-Remaining", "-1", "X-RateLimit-Reset", "soon"), RateLimit{}},
		{"remaining not a whole number", RateLimitHeaders{}, hdr("X-RateLimit-Remaining", "2.5"), RateLimit{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.names.Read(tt.h, now)
			if got.Limit != tt.want.Limit || got.Remaining != tt.want.Remaining || got.HasRemaining != tt.want.HasRemaining || !got.Reset.Equal(tt.want.Reset) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}
