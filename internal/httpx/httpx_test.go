package httpx

import (
	"context"
	"crypto/tls"
	"errors"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/restconn/restconn/internal/redact"
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

func TestRateHeadersRemaining(t *testing.T) {
	now := time.Now()
	h := http.Header{"X-Rate-Limit-Remaining": {"17"}, "X-Ratelimit-Remaining": {"4"}}
	if rl := (RateHeaders{Remaining: "X-Rate-Limit-Remaining"}).Read(h, now); rl.Remaining != 17 || !rl.HasRemaining {
		t.Errorf("named: %d, %v", rl.Remaining, rl.HasRemaining)
	}
	if rl := (RateHeaders{}).Read(h, now); rl.Remaining != 4 || !rl.HasRemaining {
		t.Errorf("default: %d, %v", rl.Remaining, rl.HasRemaining)
	}
	if rl := (RateHeaders{}).Read(http.Header{"X-Ratelimit-Remaining": {"many"}}, now); rl.HasRemaining {
		t.Error("a word is not a count")
	}
	if rl := (RateHeaders{}).Read(http.Header{}, now); rl.HasRemaining {
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

// loadConns sends workers×perWorker GET requests, each worker one after
// the other, and returns how many connections the server saw opened.
func loadConns(t *testing.T, c *Client, workers, perWorker int) int64 {
	t.Helper()
	var opened atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// A vendor API takes a while to answer, so the workers' requests
		// overlap as they do against a real server.
		time.Sleep(time.Millisecond)
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			opened.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				// Between requests a worker renders the next one; meanwhile
				// its connection waits in the idle pool.
				time.Sleep(time.Millisecond)
				if _, err := c.Do(context.Background(), &Request{Method: "GET", URL: srv.URL}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	return opened.Load()
}

func TestConcurrentWorkersReuseConnections(t *testing.T) {
	const workers, each = 16, 50
	// At most one connection per worker, with some slack for a worker
	// that dials while another's connection is on its way back to the
	// pool.
	n := loadConns(t, New(nil, 0), workers, each)
	t.Logf("default client: %d connections", n)
	if n > 2*workers {
		t.Errorf("default client: %d connections for %d workers × %d requests; want about %d", n, workers, each, workers)
	}
	if n := loadConns(t, New(&http.Client{Timeout: time.Minute}, 0), workers, each); n > 2*workers {
		t.Errorf("client without a transport: %d connections; want about %d", n, workers)
	}
	if n := loadConns(t, New(nil, 0, WithIdleConnsPerHost(workers)), workers, each); n > 2*workers {
		t.Errorf("WithIdleConnsPerHost(%d): %d connections; want about %d", workers, n, workers)
	}
	// The failure this guards against: net/http's 2 idle connections
	// per host make most of the 800 requests dial anew.
	two := http.DefaultTransport.(*http.Transport).Clone()
	two.MaxIdleConnsPerHost = 2
	if n := loadConns(t, New(&http.Client{Transport: two}, 0), workers, each); n <= 4*workers {
		t.Errorf("2 idle connections per host: only %d connections; the test no longer shows the churn it guards against", n)
	} else {
		t.Logf("2 idle connections per host: %d connections", n)
	}
}

func TestCallerTransportUntouched(t *testing.T) {
	own := &http.Transport{MaxIdleConnsPerHost: 3}
	c := New(&http.Client{Transport: own}, 0, WithIdleConnsPerHost(99))
	if c.HTTPClient().Transport != own || own.MaxIdleConnsPerHost != 3 {
		t.Errorf("the caller's transport was replaced or changed: %#v", c.HTTPClient().Transport)
	}
	built, ok := New(nil, 0, WithIdleConnsPerHost(200)).HTTPClient().Transport.(*http.Transport)
	if !ok || built.MaxIdleConnsPerHost != 200 || built.MaxIdleConns < 200 {
		t.Errorf("built transport: %#v", built)
	}
	if d := http.DefaultTransport.(*http.Transport); d.MaxIdleConnsPerHost != 0 {
		t.Errorf("http.DefaultTransport was changed: MaxIdleConnsPerHost %d", d.MaxIdleConnsPerHost)
	}
	cfg := &tls.Config{ServerName: "api.example.com", MinVersion: tls.VersionTLS13}
	built, ok = New(nil, 0, WithTLSConfig(cfg)).HTTPClient().Transport.(*http.Transport)
	if !ok || built.TLSClientConfig != cfg || built.MaxIdleConnsPerHost != DefaultIdleConnsPerHost {
		t.Errorf("built transport with TLS: %#v", built)
	}
	if c := New(&http.Client{Transport: own}, 0, WithTLSConfig(cfg)); c.HTTPClient().Transport != own || own.TLSClientConfig != nil {
		t.Errorf("the caller's transport was given the TLS configuration: %#v", c.HTTPClient().Transport)
	}
}

// TestIsDialErrorAfterMasking: the engine's retry policy sees transport
// errors only after redact.Redactor.Error has masked them, secrets in the
// URL included; a dial error must still be recognised.
func TestIsDialErrorAfterMasking(t *testing.T) {
	l := httptest.NewServer(http.NotFoundHandler())
	addr := l.URL
	l.Close()
	var red redact.Redactor
	red.Add("s3cret")
	_, err := New(nil, 0).Do(context.Background(), &Request{Method: "POST", URL: addr + "/?api_key=s3cret", Body: []byte("{}")})
	masked := red.Error(err)
	if strings.Contains(masked.Error(), "s3cret") || !IsDialError(masked) {
		t.Errorf("masked dial error %q: IsDialError %v", masked, IsDialError(masked))
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
		names RateHeaders
		h     http.Header
		want  RateLimit
	}{
		{"none", RateHeaders{}, hdr(), RateLimit{}},
		{"defaults, unix reset", RateHeaders{}, hdr("X-RateLimit-Limit", "100", "X-RateLimit-Remaining", "7", "X-RateLimit-Reset", "1772366405"),
			RateLimit{Limit: 100, Remaining: 7, HasRemaining: true, Reset: time.Unix(1772366405, 0)}},
		{"delay in seconds, fractions", RateHeaders{}, hdr("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "0.25"),
			RateLimit{Remaining: 0, HasRemaining: true, Reset: now.Add(250 * time.Millisecond)}},
		{"HTTP date", RateHeaders{}, hdr("X-RateLimit-Reset", "Sun, 01 Mar 2026 12:00:30 GMT"), RateLimit{Reset: now.Add(30 * time.Second)}},
		{"named headers, seconds", RateHeaders{Remaining: "RateLimit-Remaining", Reset: "RateLimit-Reset", Format: "seconds"},
			hdr("RateLimit-Remaining", "3", "RateLimit-Reset", "2000000000", "X-RateLimit-Remaining", "99"),
			RateLimit{Remaining: 3, HasRemaining: true, Reset: now.Add(2000000000 * time.Second)}},
		{"unix format forced for a small number", RateHeaders{Format: "unix"}, hdr("X-RateLimit-Reset", "60"), RateLimit{Reset: time.Unix(60, 0)}},
		{"httpDate format refuses a number", RateHeaders{Format: "httpDate"}, hdr("X-RateLimit-Reset", "60"), RateLimit{}},
		{"garbage", RateHeaders{}, hdr("X-RateLimit-Remaining", "-1", "X-RateLimit-Reset", "soon"), RateLimit{}},
		{"remaining not a whole number", RateHeaders{}, hdr("X-RateLimit-Remaining", "2.5"), RateLimit{}},
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

// A body of declared length is read into one buffer of that size: growing
// a buffer as bytes arrive would allocate twice a large page and leave the
// copies as garbage. A body that lies about its length is read whole all
// the same, and the cap still holds.
func TestDoReadsDeclaredLengthOnce(t *testing.T) {
	const size = 8 << 20
	page := []byte(strings.Repeat("x", size))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/declared":
			w.Header().Set("Content-Length", strconv.Itoa(size))
			_, _ = w.Write(page)
		case "/chunked":
			w.(http.Flusher).Flush() // no Content-Length
			_, _ = w.Write(page)
		case "/short":
			w.Header().Set("Content-Length", "100")
			_, _ = w.Write(page[:100])
		}
	}))
	defer srv.Close()
	c := New(nil, 16<<20)
	get := func(path string) (*Response, uint64) {
		t.Helper()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		r, err := c.Do(context.Background(), &Request{Method: "GET", URL: srv.URL + path})
		runtime.ReadMemStats(&after)
		if err != nil {
			t.Fatal(err)
		}
		return r, after.TotalAlloc - before.TotalAlloc
	}
	r, declared := get("/declared")
	if len(r.Body) != size {
		t.Fatalf("read %d bytes of %d", len(r.Body), size)
	}
	// Server and client share the process: the server's writes allocate
	// little, the client's read one buffer of the body's size.
	if declared > size+size/4 {
		t.Errorf("reading %d declared bytes allocated %d bytes", size, declared)
	}
	r, chunked := get("/chunked")
	if len(r.Body) != size {
		t.Fatalf("read %d bytes of %d", len(r.Body), size)
	}
	if chunked < declared {
		t.Logf("a body of unknown length allocated %d bytes, less than the %d of a declared one", chunked, declared)
	}
	if r, _ := get("/short"); len(r.Body) != 100 {
		t.Errorf("short body: %d bytes", len(r.Body))
	}
	// net/http holds a server to its Content-Length; readBody does not
	// count on it: more bytes than declared are read, up to one past the
	// cap, for Do to refuse.
	long := strings.Repeat("y", 1000)
	if b, err := readBody(strings.NewReader(long), 100, 16<<20); err != nil || string(b) != long {
		t.Errorf("a body longer than declared: %d bytes, %v", len(b), err)
	}
	if b, err := readBody(strings.NewReader(long), 100, 500); err != nil || len(b) != 501 {
		t.Errorf("a body longer than declared and than the cap: %d bytes, %v", len(b), err)
	}
}
