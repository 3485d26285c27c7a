package connector_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// limitServer is a strictly rate-limited API: a fixed window (rate
// requests per one-second window aligned to the clock's seconds, the
// window's end announced as a Unix time, as Intercom and GitHub do) or a
// token bucket (rate tokens a second, burst at most, the time until the
// bucket is full again announced as a delay in seconds). Every response carries
// X-RateLimit-Limit, -Remaining and -Reset unless quiet; a refused request
// gets 429 with Retry-After in whole seconds.
type limitServer struct {
	*httptest.Server
	kind  string // "window" or "bucket"
	rate  float64
	burst float64
	quiet bool // send no rate-limit headers

	mu       sync.Mutex
	window   int64 // fixed window: the current second
	used     int
	tokens   float64
	last     time.Time
	ok, t429 int
	first    time.Time // of the first accepted request
	lastOK   time.Time // of the last accepted request
}

func newLimitServer(tb testing.TB, kind string, rate float64, burst int) *limitServer {
	s := &limitServer{kind: kind, rate: rate, burst: float64(burst), tokens: float64(burst)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

// admit decides a request arriving at now and returns the headers to send.
func (s *limitServer) admit(now time.Time) (ok bool, remaining int, reset string, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.kind {
	case "window":
		if sec := now.Unix(); sec != s.window {
			s.window, s.used = sec, 0
		}
		end := time.Unix(s.window+1, 0)
		if s.used < int(s.rate) {
			s.used++
			ok = true
		}
		remaining, reset, retryAfter = int(s.rate)-s.used, strconv.FormatInt(s.window+1, 10), end.Sub(now)
	case "bucket":
		if !s.last.IsZero() {
			s.tokens = math.Min(s.burst, s.tokens+now.Sub(s.last).Seconds()*s.rate)
		}
		s.last = now
		if s.tokens >= 1 {
			s.tokens--
			ok = true
		}
		// The bucket's "window" resets when it is full again; the next
		// request is accepted when it holds one token.
		full := time.Duration((s.burst - s.tokens) / s.rate * float64(time.Second))
		next := time.Duration(math.Max(0, 1-s.tokens) / s.rate * float64(time.Second))
		remaining, reset, retryAfter = int(s.tokens), strconv.FormatFloat(full.Seconds(), 'f', 4, 64), next
	}
	if ok {
		s.ok++
		if s.first.IsZero() {
			s.first = now
		}
		s.lastOK = now
	} else {
		s.t429++
	}
	return ok, remaining, reset, retryAfter
}

func (s *limitServer) serve(w http.ResponseWriter, r *http.Request) {
	ok, remaining, reset, retryAfter := s.admit(time.Now())
	if !s.quiet {
		limit := int(s.rate) // per window
		if s.kind == "bucket" {
			limit = int(s.burst) // per bucket
		}
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		w.Header().Set("X-RateLimit-Reset", reset)
	}
	w.Header().Set("Content-Type", "application/json")
	if !ok {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(retryAfter.Seconds()))))
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"errors":[{"code":"rate_limit_exceeded","message":"Too many requests"}]}`)
		return
	}
	fmt.Fprint(w, `{"type":"admin","id":"1"}`)
}

// counts returns the accepted and refused requests and the rate accepted
// requests came at.
func (s *limitServer) counts() (ok, refused int, rate float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ok > 1 {
		rate = float64(s.ok-1) / s.lastOK.Sub(s.first).Seconds()
	}
	return s.ok, s.t429, rate
}

// provisionAtLimit runs n requests through ProvisionAll with workers
// workers and the client limit set to the server's rate.
func provisionAtLimit(tb testing.TB, s *limitServer, n, workers int) {
	tb.Helper()
	e, err := connector.New(spec(tb, `{"name":"limited","connection":{"baseURL":"$URL","retry":{"maxWaits":20}},
		"provision":{"disableAccount":{"calls":[{"name":"away","method":"PUT","path":"/admins/{{ .account.id }}/away"}]}}}`, s.URL),
		connector.WithRateLimit(s.rate, 1))
	require.NoError(tb, err)
	reqs := func(yield func(connector.Request) bool) {
		for i := range n {
			if !yield(connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": i}}) {
				return
			}
		}
	}
	done := 0
	for _, err := range connector.ProvisionAll(context.Background(), e, reqs, workers) {
		require.NoError(tb, err)
		done++
	}
	require.Equal(tb, n, done)
}

// ProvisionAll with the client limit equal to a strict server limit: the
// engine paces itself by the server's X-RateLimit headers and is (almost)
// never refused. BenchmarkProvisionAtTheLimit measures the throughput.
func TestProvisionAllAtTheServerLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for seconds")
	}
	const rate, n = 200, 600
	for _, kind := range []string{"window", "bucket"} {
		t.Run(kind, func(t *testing.T) {
			s := newLimitServer(t, kind, rate, rate/40) // a bucket of 25ms worth of requests
			provisionAtLimit(t, s, n, 8)
			ok, refused, got := s.counts()
			t.Logf("%s: %d accepted, %d refused (429), %.0f requests/s accepted at a limit of %d/s", kind, ok, refused, got, rate)
			assert.Equal(t, n, ok)
			assert.LessOrEqual(t, float64(refused), 0.005*n, "at most 0.5%% of requests refused")
		})
	}
}

// BenchmarkProvisionAtTheLimit runs 2,000 requests through ProvisionAll (8
// workers) with the client limit equal to the server's rate R = 250/s:
// against a fixed window, a token bucket holding 1/40 s of requests and a
// strict one holding 2, each with its X-RateLimit headers and without
// (then only Retry-After on a 429 tells the engine anything). It reports
// the accepted requests per second as a percentage of R and the 429s per
// 1,000 requests. Run with -benchtime=1x: one iteration is 8 seconds.
func BenchmarkProvisionAtTheLimit(b *testing.B) {
	const rate, n = 250, 2000
	for _, tt := range []struct {
		name  string
		kind  string
		burst int
	}{
		{"window", "window", 1},
		{"bucket=R/40", "bucket", rate / 40},
		{"bucket=2", "bucket", 2},
	} {
		for _, quiet := range []bool{false, true} {
			b.Run(fmt.Sprintf("%s/headers=%v", tt.name, !quiet), func(b *testing.B) {
				var pct, refusals float64
				for b.Loop() {
					s := newLimitServer(b, tt.kind, rate, tt.burst)
					s.quiet = quiet
					provisionAtLimit(b, s, n, 8)
					_, refused, got := s.counts()
					pct += 100 * got / rate
					refusals += 1000 * float64(refused) / n
				}
				b.ReportMetric(pct/float64(b.N), "%R")
				b.ReportMetric(refusals/float64(b.N), "429/1000req")
			})
		}
	}
}
