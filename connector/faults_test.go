package connector_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/restconn/restconn/connector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const allIDs = -1

type fvImportCase struct {
	name       string
	scheme     string // default cursor
	auth       string // default bearer
	faults     map[int]fault
	cfg        fvSpecCfg
	ids        int // leading IDs imported; allIDs: every user
	wantErr    func(*testing.T, error)
	reqs       int // list requests the server saw (0: not checked)
	tokenHits  int
	logins     int
	maxElapsed time.Duration
}

const faultUsers = 10

func fvImportCases() []fvImportCase {
	cases := []fvImportCase{
		{name: "429 Retry-After 0", faults: map[int]fault{2: f429}, ids: allIDs, reqs: 5},
		{name: "429 Retry-After HTTP-date", scheme: "offset", auth: "oauth2", faults: map[int]fault{1: f429Date, 3: f429Date}, ids: allIDs, reqs: 6, tokenHits: 1},
		{name: "429 X-RateLimit-Reset timestamp", scheme: "scim", auth: "session", faults: map[int]fault{2: f429Reset}, ids: allIDs, reqs: 5, logins: 1},
		{name: "429 X-RateLimit-Reset delay", scheme: "link", faults: map[int]fault{4: f429ResetDelay}, ids: allIDs, reqs: 5},
		{name: "429 without headers backs off", scheme: "nextURL", faults: map[int]fault{1: f429Bare, 2: f429Bare}, ids: allIDs, reqs: 6},
		{name: "429 waits do not use the retry budget", scheme: "offset", faults: map[int]fault{2: f429, 3: f429, 4: f429}, cfg: fvSpecCfg{maxAttempts: 2}, ids: allIDs, reqs: 7},
		{
			name: "429 Retry-After beyond maxWait fails fast", faults: map[int]fault{2: f429Far}, cfg: fvSpecCfg{maxWait: "1s"},
			ids: 3, reqs: 2, maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "wait"),
		},
		{
			name: "429 HTTP-date beyond maxWait fails fast", scheme: "scim", auth: "oauth2", faults: map[int]fault{1: f429FarDate}, cfg: fvSpecCfg{maxWait: "1s"},
			ids: 0, reqs: 1, tokenHits: 1, maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "rate_limited"),
		},
		{
			name: "429 X-RateLimit-Reset beyond maxWait fails fast", scheme: "link", auth: "session", faults: map[int]fault{3: f429FarReset}, cfg: fvSpecCfg{maxWait: "1s"},
			ids: 6, reqs: 3, logins: 1, maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "slow down"),
		},
		{
			name: "429 more often than maxWaits", faults: map[int]fault{2: f429, 3: f429, 4: f429}, cfg: fvSpecCfg{maxWaits: 2},
			ids: 3, reqs: 4, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "2 waits so far"),
		},
		{name: "503 burst within the retry budget", scheme: "offset", auth: "oauth2", faults: map[int]fault{2: f503, 3: f503, 4: f503}, ids: allIDs, reqs: 7, tokenHits: 1},
		{
			name: "503 burst beyond the retry budget", scheme: "scim", faults: map[int]fault{2: f503, 3: f503, 4: f503, 5: f503},
			ids: 3, reqs: 5, wantErr: fvWantError(nil, "listUsers", 503, "try again later"),
		},
		{name: "502 HTML from a proxy", scheme: "scim", faults: map[int]fault{3: f502HTML}, ids: allIDs, reqs: 5},
		{name: "connection reset mid-body", auth: "session", faults: map[int]fault{2: fResetMidBody}, ids: allIDs, reqs: 5, logins: 1},
		{name: "connection reset in the headers", scheme: "link", auth: "oauth2", faults: map[int]fault{3: fResetHeaders}, ids: allIDs, reqs: 5, tokenHits: 1},
		{name: "connection closed without a response", scheme: "nextURL", faults: map[int]fault{1: fCloseNoResponse, 2: fCloseNoResponse}, ids: allIDs, reqs: 6},
		{name: "response slower than the call timeout", scheme: "offset", faults: map[int]fault{2: fSlow}, cfg: fvSpecCfg{timeout: "100ms"}, ids: allIDs, reqs: 5},
		{
			name: "every attempt slower than the call timeout", faults: map[int]fault{2: fSlow, 3: fSlow}, cfg: fvSpecCfg{timeout: "100ms", maxAttempts: 2},
			ids: 3, reqs: 3, wantErr: fvWantError(nil, "listUsers", 0, "deadline exceeded"),
		},
		{
			name: "truncated JSON", faults: map[int]fault{2: fTruncatedJSON},
			ids: 3, reqs: 2, wantErr: fvWantError(nil, "listUsers", 200, "not valid JSON"),
		},
		{
			name: "HTML instead of JSON", scheme: "offset", auth: "session", faults: map[int]fault{3: fNonJSON},
			ids: 6, reqs: 3, logins: 1, wantErr: fvWantError(nil, "listUsers", 200, "not JSON"),
		},
		{
			name: "bearer token revoked mid-import", faults: map[int]fault{2: fExpire},
			ids: 3, reqs: 2, wantErr: fvWantError(connector.ErrAuth, "listUsers", 401, "invalid_token"),
		},
		{
			name: "session expires again right after re-login: one re-login per call", auth: "session", faults: map[int]fault{2: fExpire, 3: fExpire, 4: fExpire, 5: fExpire},
			ids: 3, reqs: 3, logins: 2, wantErr: fvWantError(connector.ErrAuth, "listUsers", 200, "Auth.SessionInvalid"),
		},
		{name: "session expires after a next URL that carries the old session", scheme: "nextURL", auth: "session", faults: map[int]fault{3: fExpire}, ids: allIDs, reqs: 5, logins: 2},
		{name: "session expires after a Link that carries the old session", scheme: "link", auth: "session", faults: map[int]fault{2: fExpire}, ids: allIDs, reqs: 5, logins: 2},
		{
			name: "next URL on another host", scheme: "nextURL", faults: map[int]fault{2: fForeignNext},
			ids: 6, reqs: 2, wantErr: fvWantError(nil, "listUsers", 200, "different host"),
		},
		{
			name: "Link next on another host", scheme: "link", auth: "oauth2", faults: map[int]fault{1: fForeignNext},
			ids: 3, reqs: 1, tokenHits: 1, wantErr: fvWantError(nil, "listUsers", 200, "different host"),
		},
		{
			name: "protocol-relative next URL on another host", scheme: "nextURL", auth: "session", faults: map[int]fault{3: fForeignRel},
			ids: 9, reqs: 3, logins: 1, wantErr: fvWantError(nil, "listUsers", 200, "different host"),
		},
		{
			name: "redirect to another host", auth: "session", faults: map[int]fault{2: fRedirectForeign},
			ids: 3, reqs: 2, logins: 1, wantErr: fvWantError(nil, "listUsers", 0, "redirect to a different host refused"),
		},
		{
			name: "cursor loop", faults: map[int]fault{3: fLoop},
			ids: 9, reqs: 3, wantErr: fvWantError(nil, "listUsers", 200, "paging loop"),
		},
		{
			name: "body over maxBodyBytes", scheme: "offset", faults: map[int]fault{2: fHuge}, cfg: fvSpecCfg{maxBody: 4096},
			ids: 3, reqs: 2, wantErr: fvWantError(nil, "listUsers", 0, "exceeds the limit of 4096 bytes"),
		},
	}
	// Credentials that expire at random pages (fixed seeds, so a failure
	// reproduces): OAuth2 answers 401, the session answers 200 with an
	// error in the body that the spec's expiry rule recognises.
	schemes := []string{"cursor", "offset", "scim", "link", "nextURL"}
	for seed := uint64(1); seed <= 5; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		for _, auth := range []string{"oauth2", "session"} {
			// Two of the four pages; a page's retry after re-authentication
			// is one more request. (Expiring again on that retry is the
			// bounded case below.)
			p1 := 1 + r.IntN(3)
			p2 := p1 + 1 + r.IntN(4-p1)
			faults := map[int]fault{p1: fExpire, p2 + 1: fExpire}
			c := fvImportCase{
				name:   fmt.Sprintf("%s expires at random pages (seed %d)", auth, seed),
				scheme: schemes[r.IntN(len(schemes))], auth: auth, faults: faults, ids: allIDs, reqs: 6,
			}
			if auth == "oauth2" {
				c.tokenHits = 3
			} else {
				c.logins = 3
			}
			cases = append(cases, c)
		}
	}
	return cases
}

func TestFaultsImport(t *testing.T) {
	t.Parallel()
	for _, tc := range fvImportCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.scheme == "" {
				tc.scheme = "cursor"
			}
			if tc.auth == "" {
				tc.auth = "bearer"
			}
			v := newFaultVendor(t, tc.scheme, tc.auth, faultUsers)
			v.listFaults = tc.faults
			if tc.cfg.maxBody != 0 {
				v.maxBody = int(tc.cfg.maxBody)
			}
			// Faults are numbered by arrival. Where pages are known in
			// advance (offset, scim) several requests go at once and
			// which one arrives second is a race: those schemes run one
			// page after the other here, and TestFaultsConcurrentPages
			// injects faults into concurrent requests.
			var opts []connector.Option
			if tc.scheme == "offset" || tc.scheme == "scim" {
				opts = append(opts, connector.WithImportConcurrency(1))
			}
			e := v.engine(t, tc.cfg, opts...)
			start := time.Now()
			ids, err := fvImport(context.Background(), e)
			elapsed := time.Since(start)
			n := tc.ids
			if n == allIDs {
				n = faultUsers
			}
			assert.Equal(t, fvIDs(n), ids, "imported IDs (scheme %s, faults %v)", tc.scheme, tc.faults)
			if tc.wantErr == nil {
				assert.NoError(t, err)
			} else {
				tc.wantErr(t, err)
			}
			listReqs, _, _, tokenHits, logins := v.counts()
			if tc.reqs != 0 {
				assert.Equal(t, tc.reqs, listReqs, "list requests the server saw")
			}
			assert.Equal(t, tc.tokenHits, tokenHits, "token requests")
			assert.Equal(t, tc.logins, logins, "logins")
			assert.Zero(t, v.foreign.hits.Load(), "requests that reached the other host")
			assert.Zero(t, v.foreign.withCred.Load(), "credentials that reached the other host")
			if tc.maxElapsed != 0 {
				assert.Less(t, elapsed, tc.maxElapsed)
			}
		})
	}
}

// Faults that hit requests in flight together (offset and scim, several
// pages at once): a credential that expires under three requests is
// renewed once and the three pages are asked for again; 503s and 429s on
// concurrent pages are retried page by page. The IDs are exact.
func TestFaultsConcurrentPages(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"offset", "scim"} {
		for _, tc := range []struct {
			name      string
			auth      string
			faults    map[int]fault
			minReqs   int
			maxReqs   int
			tokenHits int
			logins    int
		}{
			// Request 1 is page 1, alone; requests 2 to 4 are pages 2 to
			// 4, sent together, each waiting 50ms before its credential is
			// checked: the expiry at request 2 meets all three.
			{name: "OAuth2 token expires under three pages", auth: "oauth2", faults: map[int]fault{2: fExpire}, minReqs: 7, maxReqs: 7, tokenHits: 2},
			{name: "session expires under three pages", auth: "session", faults: map[int]fault{2: fExpire}, minReqs: 7, maxReqs: 7, logins: 2},
			{name: "503 on three pages at once", auth: "bearer", faults: map[int]fault{2: f503, 3: f503, 4: f503}, minReqs: 7, maxReqs: 7},
			{name: "429 on three pages at once", auth: "bearer", faults: map[int]fault{2: f429, 3: f429, 4: f429}, minReqs: 7, maxReqs: 7},
			{name: "503 then expiry", auth: "oauth2", faults: map[int]fault{2: f503, 5: fExpire}, minReqs: 6, maxReqs: 9, tokenHits: 2},
		} {
			t.Run(scheme+"/"+tc.name, func(t *testing.T) {
				t.Parallel()
				v := newFaultVendor(t, scheme, tc.auth, faultUsers)
				v.latency = 50 * time.Millisecond
				v.listFaults = tc.faults
				ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}, connector.WithImportConcurrency(4)))
				require.NoError(t, err)
				assert.Equal(t, fvIDs(faultUsers), ids, "every user once, in order")
				listReqs, _, _, tokenHits, logins := v.counts()
				assert.GreaterOrEqual(t, listReqs, tc.minReqs, "list requests")
				assert.LessOrEqual(t, listReqs, tc.maxReqs, "list requests")
				assert.Equal(t, tc.tokenHits, tokenHits, "token requests: one renewal for all the pages in flight")
				assert.Equal(t, tc.logins, logins, "logins: one renewal for all the pages in flight")
			})
		}
	}
}

// Every scheme with every auth, without faults: the baseline the fault
// cases are measured against.
func TestFaultsBaseline(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"cursor", "offset", "scim", "link", "nextURL"} {
		for _, auth := range []string{"bearer", "oauth2", "session"} {
			for _, n := range []int{0, 1, 3, 10} {
				t.Run(fmt.Sprintf("%s/%s/%d", scheme, auth, n), func(t *testing.T) {
					t.Parallel()
					v := newFaultVendor(t, scheme, auth, n)
					ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
					require.NoError(t, err)
					assert.Equal(t, fvIDs(n), ids)
					listReqs, _, _, tokenHits, logins := v.counts()
					pages := max(1, (n+2)/3) // an empty list is one empty page
					assert.Equal(t, pages, listReqs, "list requests")
					assert.Equal(t, map[string]int{"oauth2": 1}[auth], tokenHits)
					assert.Equal(t, map[string]int{"session": 1}[auth], logins)
				})
			}
		}
	}
}

type fvWriteCase struct {
	name       string
	auth       string
	faults     map[int]fault
	cfg        fvSpecCfg
	wantErr    func(*testing.T, error)
	attempts   int // write requests the server saw
	applied    int // writes the server carried out
	tokenHits  int
	logins     int
	maxElapsed time.Duration
}

func TestFaultsWrite(t *testing.T) {
	t.Parallel()
	cases := []fvWriteCase{
		{name: "clean", attempts: 1, applied: 1},
		{name: "503 is not retried", faults: map[int]fault{1: f503}, attempts: 1, wantErr: fvWantError(nil, "create", 503, "try again later")},
		{name: "502 is not retried", faults: map[int]fault{1: f502HTML}, attempts: 1, wantErr: fvWantError(nil, "create", 502, "Bad Gateway")},
		{name: "reset mid-body is not retried", faults: map[int]fault{1: fResetMidBody}, attempts: 1, applied: 1, wantErr: fvWantError(nil, "create", 0, "request failed")},
		{name: "reset without response is not retried", auth: "oauth2", faults: map[int]fault{1: fCloseNoResponse}, attempts: 1, applied: 1, tokenHits: 1, wantErr: fvWantError(nil, "create", 0, "request failed")},
		{name: "timeout is not retried", faults: map[int]fault{1: fSlow}, cfg: fvSpecCfg{timeout: "100ms"}, attempts: 1, applied: 1, wantErr: fvWantError(nil, "create", 0, "deadline exceeded")},
		{name: "429 is retried after the wait", faults: map[int]fault{1: f429}, attempts: 2, applied: 1},
		{name: "429 with HTTP-date and reset headers", auth: "session", faults: map[int]fault{1: f429Date, 2: f429Reset}, attempts: 3, applied: 1, logins: 1},
		{name: "429 waits do not use the retry budget", faults: map[int]fault{1: f429, 2: f429, 3: f429}, cfg: fvSpecCfg{maxAttempts: 2}, attempts: 4, applied: 1},
		{
			name: "429 beyond maxWait fails fast", faults: map[int]fault{1: f429Far}, cfg: fvSpecCfg{maxWait: "1s"}, attempts: 1,
			maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "create", 429, "slow down"),
		},
		{name: "expired OAuth2 token: refused, re-sent with a new one", auth: "oauth2", faults: map[int]fault{1: fExpire}, attempts: 2, applied: 1, tokenHits: 2},
		{name: "expired session: refused, re-sent after login", auth: "session", faults: map[int]fault{1: fExpire}, attempts: 2, applied: 1, logins: 2},
		{name: "idempotent: 503 is retried", faults: map[int]fault{1: f503, 2: f503}, cfg: fvSpecCfg{idempotent: true}, attempts: 3, applied: 1},
		{name: "idempotent: reset is retried", faults: map[int]fault{1: fResetMidBody}, cfg: fvSpecCfg{idempotent: true}, attempts: 2, applied: 2},
		{name: "idempotent: timeout is retried", faults: map[int]fault{1: fSlow}, cfg: fvSpecCfg{idempotent: true, timeout: "100ms"}, attempts: 2, applied: 2},
		{
			name: "idempotent: 503 beyond the retry budget", faults: map[int]fault{1: f503, 2: f503}, cfg: fvSpecCfg{idempotent: true, maxAttempts: 2},
			attempts: 2, wantErr: fvWantError(nil, "create", 503, "unavailable"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.auth == "" {
				tc.auth = "bearer"
			}
			v := newFaultVendor(t, "cursor", tc.auth, 0)
			v.writeFaults = tc.faults
			e := v.engine(t, tc.cfg)
			start := time.Now()
			res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
			elapsed := time.Since(start)
			_, attempts, applied, tokenHits, logins := v.counts()
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, fmt.Sprintf("acct-%d", applied), res.AccountID)
			} else {
				tc.wantErr(t, err)
			}
			assert.Equal(t, tc.attempts, attempts, "write requests the server saw")
			assert.Equal(t, tc.applied, applied, "writes the server carried out")
			assert.Equal(t, tc.tokenHits, tokenHits, "token requests")
			assert.Equal(t, tc.logins, logins, "logins")
			if tc.maxElapsed != 0 {
				assert.Less(t, elapsed, tc.maxElapsed)
			}
		})
	}
}

// A request that never reached the server (the dial failed) may be sent
// again whatever its method; the first dial here goes to a closed listener.
func TestFaultsWriteDialFailure(t *testing.T) {
	t.Parallel()
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadAddr := dead.Addr().String()
	require.NoError(t, dead.Close())

	t.Run("first dial fails", func(t *testing.T) {
		v := newFaultVendor(t, "cursor", "bearer", 0)
		var dials atomic.Int32
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) == 1 {
				addr = deadAddr
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
		defer tr.CloseIdleConnections()
		e := v.engine(t, fvSpecCfg{}, connector.WithHTTPClient(&http.Client{Transport: tr}))
		res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
		require.NoError(t, err)
		assert.Equal(t, "acct-1", res.AccountID)
		_, attempts, applied, _, _ := v.counts()
		assert.Equal(t, 1, attempts)
		assert.Equal(t, 1, applied)
		assert.Equal(t, int32(2), dials.Load())
	})
	t.Run("server down", func(t *testing.T) {
		v := newFaultVendor(t, "cursor", "bearer", 0)
		var dials atomic.Int32
		tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, deadAddr)
		}}
		e := v.engine(t, fvSpecCfg{maxAttempts: 3}, connector.WithHTTPClient(&http.Client{Transport: tr}))
		_, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
		fvWantError(nil, "create", 0, "connection refused")(t, err)
		var op *net.OpError
		require.True(t, errors.As(err, &op), "the dial error stays reachable with errors.As")
		assert.Equal(t, "dial", op.Op)
		assert.Equal(t, int32(3), dials.Load(), "dials: one per attempt")
	})
}

// When the token expires under many concurrent requests, exactly one of
// them fetches a new one; the others wait for it.
func TestFaultsTokenRefreshConcurrency(t *testing.T) {
	t.Parallel()
	const n = 24
	for _, auth := range []string{"oauth2", "session"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", auth, 0)
			e := v.engine(t, fvSpecCfg{})
			require.NoError(t, e.Connect(context.Background()))
			v.expire()
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([]string, n)
			errs := make([]error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": fmt.Sprint("user", i)}, Password: fvUserPassword})
					results[i], errs[i] = res.AccountID, err
				}()
			}
			close(start)
			wg.Wait()
			seen := map[string]bool{}
			for i := range results {
				require.NoError(t, errs[i])
				assert.False(t, seen[results[i]], "account %s returned twice", results[i])
				seen[results[i]] = true
			}
			_, attempts, applied, tokenHits, logins := v.counts()
			assert.Equal(t, n, applied)
			assert.LessOrEqual(t, attempts, 2*n)
			if auth == "oauth2" {
				assert.Equal(t, 2, tokenHits, "token requests: the first and exactly one refresh")
			} else {
				assert.Equal(t, 2, logins, "logins: the first and exactly one re-login")
			}
		})
	}
}

// Cancelling the context stops the import promptly, wherever it waits, and
// no request follows.
func TestFaultsCancel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults map[int]fault
		opts   []connector.Option
		cfg    fvSpecCfg
		reqs   int
	}{
		{name: "during a stalled response", faults: map[int]fault{2: fSlow}, reqs: 2},
		{name: "during a Retry-After wait", faults: map[int]fault{2: f429Far}, cfg: fvSpecCfg{maxWait: "2h"}, reqs: 2},
		{name: "during a retry backoff", faults: map[int]fault{2: f503}, cfg: fvSpecCfg{}, reqs: 2},
		{name: "during a client-side rate-limit wait", opts: []connector.Option{connector.WithRateLimit(0.5, 1)}, reqs: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", "bearer", faultUsers)
			v.listFaults = tc.faults
			opts := tc.opts
			if tc.name == "during a retry backoff" {
				opts = append(opts, connector.WithBackoff(func(time.Duration, time.Duration, int) time.Duration { return time.Hour }))
			}
			e := v.engine(t, tc.cfg, opts...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var ids []string
			var err error
			var canceledAt atomic.Int64
			for a, ierr := range e.ImportAccounts(ctx, connector.ImportOptions{}) {
				if ierr != nil {
					err = ierr
					break
				}
				ids = append(ids, a.ID)
				if len(ids) == 3 {
					time.AfterFunc(50*time.Millisecond, func() { canceledAt.Store(time.Now().UnixNano()); cancel() })
				}
			}
			ended := time.Now()
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			fvConnError(t, err)
			assert.Equal(t, fvIDs(3), ids)
			require.NotZero(t, canceledAt.Load(), "the import ended before the cancel")
			assert.Less(t, ended.Sub(time.Unix(0, canceledAt.Load())), 300*time.Millisecond, "the import must end promptly after cancel")
			time.Sleep(50 * time.Millisecond)
			listReqs, _, _, _, _ := v.counts()
			assert.Equal(t, tc.reqs, listReqs, "list requests")
		})
	}
	t.Run("canceled before the import", func(t *testing.T) {
		t.Parallel()
		v := newFaultVendor(t, "cursor", "oauth2", faultUsers)
		e := v.engine(t, fvSpecCfg{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ids, err := fvImport(ctx, e)
		assert.Empty(t, ids)
		assert.ErrorIs(t, err, context.Canceled)
		listReqs, _, _, tokenHits, _ := v.counts()
		assert.Zero(t, listReqs)
		assert.Zero(t, tokenHits)
	})
}

// Breaking out of the range loop makes no further requests. Strictly
// sequential imports (WithImportConcurrency(1)) send no request before the
// loop has taken the page before it; TestWalkLeavesNothingBehind covers
// the default, which asks for the next pages while the loop works.
func TestFaultsBreakEarly(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"cursor", "offset", "scim", "link", "nextURL"} {
		for _, after := range []int{1, 3, 4, 9} {
			t.Run(fmt.Sprintf("%s/after %d", scheme, after), func(t *testing.T) {
				t.Parallel()
				v := newFaultVendor(t, scheme, "bearer", faultUsers)
				e := v.engine(t, fvSpecCfg{}, connector.WithImportConcurrency(1))
				n := 0
				for _, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
					require.NoError(t, err)
					n++
					if n == after {
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
				listReqs, _, _, _, _ := v.counts()
				assert.Equal(t, (after+2)/3, listReqs, "list requests: only the pages the loop consumed")
			})
		}
	}
}

// The client-side rate limit spaces requests, from the option or the spec.
func TestFaultsClientRateLimit(t *testing.T) {
	t.Parallel()
	for _, viaSpec := range []bool{false, true} {
		t.Run(fmt.Sprintf("spec=%v", viaSpec), func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", "bearer", 5)
			v.pageSize = 1
			var e *connector.Engine
			if viaSpec {
				e = v.engine(t, fvSpecCfg{rateLimit: 20})
			} else {
				e = v.engine(t, fvSpecCfg{}, connector.WithRateLimit(20, 1))
			}
			ids, err := fvImport(context.Background(), e)
			require.NoError(t, err)
			assert.Equal(t, fvIDs(5), ids)
			v.mu.Lock()
			times := append([]time.Time(nil), v.times...)
			v.mu.Unlock()
			require.Len(t, times, 5)
			assert.GreaterOrEqual(t, times[4].Sub(times[0]), 150*time.Millisecond, "5 requests at 20/s span at least 4 intervals of 50ms")
		})
	}
}

// A Retry-After of one second is honoured as given.
func TestFaultsRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "bearer", faultUsers)
	v.listFaults = map[int]fault{2: f429One}
	e := v.engine(t, fvSpecCfg{})
	start := time.Now()
	ids, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	assert.Equal(t, fvIDs(faultUsers), ids)
	assert.GreaterOrEqual(t, time.Since(start), 950*time.Millisecond)
	v.mu.Lock()
	gap := v.times[2].Sub(v.times[1])
	v.mu.Unlock()
	assert.GreaterOrEqual(t, gap, 950*time.Millisecond, "the retry came %v after the 429", gap)
}

// Waiting for a 429 or re-authenticating must not use up the retry budget
// of the attempts that follow: with maxAttempts 2, one 503 after any number
// of 429s or token refreshes is still retried.
func TestFaultsRetryBudgetAfterWaits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		auth   string
		faults map[int]fault
	}{
		{"429s then 503", "bearer", map[int]fault{2: f429, 3: f429, 4: f429, 5: f503}},
		{"token refresh then 503", "oauth2", map[int]fault{2: fExpire, 3: f503}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newFaultVendor(t, "cursor", tc.auth, faultUsers)
			v.listFaults = tc.faults
			ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{maxAttempts: 2}))
			require.NoError(t, err)
			assert.Equal(t, fvIDs(faultUsers), ids)
		})
	}
}

// A transport timeout says so: the message names the call timeout.
func TestFaultsTimeoutMessage(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "bearer", 0)
	v.writeFaults = map[int]fault{1: fSlow}
	e := v.engine(t, fvSpecCfg{timeout: "100ms"})
	_, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no response within 100ms")
}

// A next link back to the first page is a loop: the import must fail
// without yielding the first page's records a second time.
func TestFaultsLoopBackToFirstPage(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"nextURL", "link"} {
		t.Run(scheme, func(t *testing.T) {
			v := newFaultVendor(t, scheme, "bearer", faultUsers)
			v.listFaults = map[int]fault{1: fLoopFirst}
			ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
			assert.Equal(t, fvIDs(3), ids, "no record twice")
			fvWantError(nil, "listUsers", 200, "paging loop")(t, err)
		})
	}
}

// A login that meets a 429 waits as the server asks and logs in, like any
// other call: the token request is refused, so sending it again is safe.
func TestFaultsLoginRateLimited(t *testing.T) {
	t.Parallel()
	t.Run("session", func(t *testing.T) {
		t.Parallel()
		v := newFaultVendor(t, "cursor", "session", faultUsers)
		v.tokenFaults = map[int]fault{1: f429, 2: f429Date}
		ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
		require.NoError(t, err)
		assert.Equal(t, fvIDs(faultUsers), ids)
		_, _, _, _, logins := v.counts()
		assert.Equal(t, 3, logins)
	})
	t.Run("oauth2", func(t *testing.T) {
		t.Parallel()
		v := newFaultVendor(t, "cursor", "oauth2", faultUsers)
		v.tokenFaults = map[int]fault{1: f429, 2: f503}
		ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
		require.NoError(t, err)
		assert.Equal(t, fvIDs(faultUsers), ids)
		_, _, _, tokenHits, _ := v.counts()
		assert.Equal(t, 3, tokenHits)
	})
}

// A credential refused in the middle of an operation is reported under that
// operation, for OAuth2 as for sessions.
func TestFaultsAuthErrorOp(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{"session", "oauth2"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", auth, faultUsers)
			e := v.engine(t, fvSpecCfg{}, connector.WithSecrets(map[string]string{"clientSecret": "wrong", "password": "wrong"}))
			_, err := fvImport(context.Background(), e)
			assert.Equal(t, connector.Operation("importAccounts"), fvConnError(t, err).Op)
			_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
			assert.Equal(t, connector.CreateAccount, fvConnError(t, err).Op)
		})
	}
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
