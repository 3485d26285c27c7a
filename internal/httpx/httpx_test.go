package httpx

import (
	"context"
	"errors"
	"math"
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

func TestRateHeadersRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) // Unix 1795608000
	okta := RateHeaders{Reset: "X-Rate-Limit-Reset", Format: ResetUnix, Remaining: "X-Rate-Limit-Remaining"}
	tests := []struct {
		name   string
		rh     RateHeaders
		header map[string]string
		want   time.Duration
		ok     bool
	}{
		{"okta unix", okta, map[string]string{"X-Rate-Limit-Reset": "1795608030"}, 31 * time.Second, true},
		{"okta unix past", okta, map[string]string{"X-Rate-Limit-Reset": "1795607000"}, 0, true},
		{"unix small is still a time", okta, map[string]string{"X-Rate-Limit-Reset": "15"}, 0, true},
		{"okta ignores the default header", okta, map[string]string{"X-RateLimit-Reset": "1795608030"}, 0, false},
		{"retry-after first", okta, map[string]string{"Retry-After": "3", "X-Rate-Limit-Reset": "1795608030"}, 3 * time.Second, true},
		{"okta garbage", okta, map[string]string{"X-Rate-Limit-Reset": "soon"}, 0, false},
		{"okta far", okta, map[string]string{"X-Rate-Limit-Reset": "1e30"}, time.Duration(math.MaxInt64), true},
		{"seconds", RateHeaders{Reset: "RateLimit-Reset", Format: ResetSeconds}, map[string]string{"RateLimit-Reset": "1795608030"}, 1795608030 * time.Second, true},
		{"seconds fraction", RateHeaders{Reset: "RateLimit-Reset", Format: ResetSeconds}, map[string]string{"RateLimit-Reset": "2.5"}, 2500 * time.Millisecond, true},
		{"http date", RateHeaders{Reset: "X-Reset-At", Format: ResetHTTPDate}, map[string]string{"X-Reset-At": now.Add(time.Minute).Format(http.TimeFormat)}, time.Minute, true},
		{"http date refuses numbers", RateHeaders{Reset: "X-Reset-At", Format: ResetHTTPDate}, map[string]string{"X-Reset-At": "60"}, 0, false},
		{"auto on a named header", RateHeaders{Reset: "X-Reset"}, map[string]string{"X-Reset": "20"}, 20 * time.Second, true},
		{"auto takes a date", RateHeaders{Format: ResetAuto}, map[string]string{"X-RateLimit-Reset": now.Add(time.Minute).Format(http.TimeFormat)}, time.Minute, true},
		{"negative", RateHeaders{Format: ResetSeconds}, map[string]string{"X-RateLimit-Reset": "-1"}, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got, ok := tt.rh.RetryAfter(h, now)
			if got != tt.want || ok != tt.ok {
				t.Errorf("RetryAfter = %v, %v; want %v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
	for _, f := range []string{"", ResetAuto, ResetUnix, ResetSeconds, ResetHTTPDate} {
		if !ValidResetFormat(f) {
			t.Errorf("ValidResetFormat(%q) = false", f)
		}
	}
	if ValidResetFormat("ms") {
		t.Error(`ValidResetFormat("ms") = true`)
	}
}

func TestRateHeadersLeft(t *testing.T) {
	h := http.Header{"X-Rate-Limit-Remaining": {"17"}, "X-Ratelimit-Remaining": {"4"}}
	if n, ok := (RateHeaders{Remaining: "X-Rate-Limit-Remaining"}).Left(h); n != 17 || !ok {
		t.Errorf("named: %d, %v", n, ok)
	}
	if n, ok := (RateHeaders{}).Left(h); n != 4 || !ok {
		t.Errorf("default: %d, %v", n, ok)
	}
	if _, ok := (RateHeaders{}).Left(http.Header{"X-Ratelimit-Remaining": {"many"}}); ok {
		t.Error("a word is not a count")
	}
	if _, ok := (RateHeaders{}).Left(http.Header{}); ok {
		t.Error("absent")
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
