package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/internal/jsonx"
)

// Hostile pages: a server answers with what no real API sends, to make the
// engine spend memory and time. Each answer must end in a clear error
// naming the call, within a small multiple of the body's size.

// peakHeap runs fn and returns by how much the heap grew at most while it
// ran (sampled every millisecond), over the heap live before it.
func peakHeap(fn func()) uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var h heapSampler
	stop := h.start(time.Millisecond)
	fn()
	h.sample()
	stop()
	if h.peak < base {
		return 0
	}
	return h.peak - base
}

// pageServer serves body as the one page of GET /users.
func pageServer(t *testing.T, body []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func pageEngine(t *testing.T, srv *httptest.Server, conn string, opts ...connector.Option) *connector.Engine {
	t.Helper()
	e, err := connector.New(spec(t, `{"name": "t", "connection": {"baseURL": "$URL"`+conn+`},
		"import": {"accounts": {"sources": [{"name": "listUsers", "path": "/users", "records": "$"}], "id": "id",
			"attributes": {"score": "score", "tiny": "tiny", "nested": "nested", "members": "members"}}}}`, srv.URL), opts...)
	require.NoError(t, err)
	return e
}

// A 28.6 MiB page of ten million {} (under the 32 MiB body cap) took about
// 940 MiB of heap and 9 s before the import failed. The list limit now
// stops decoding at the 100,001st element; with the limit raised, the
// memory budget stops it. Either way the heap grows by the body and at
// most four times its size for decoding, and the error names the call,
// the page and the list.
func TestFaultsPageOfTenMillionEmptyObjects(t *testing.T) {
	body := make([]byte, 0, 30_000_001)
	body = append(body, '[')
	body = append(body, bytes.Repeat([]byte("{},"), 10_000_000)...)
	body[len(body)-1] = ']'
	require.Equal(t, 30_000_001, len(body)) // 28.6 MiB
	srv := pageServer(t, body)

	for _, tc := range []struct {
		name, conn string
		limit      string
		maxDecode  uint64 // growth of the heap beyond the body read: what decoding it took
		want       []string
	}{
		{"list limit", "", "MaxArrayLen", uint64(len(body)) / 2, []string{`call "listUsers": HTTP 200: page 1 is refused: the list at $ has more than 100000 elements (connection.maxListLength) (limit exceeded)`}},
		{"memory budget", `, "maxListLength": 20000000`, "MaxAlloc", uint64(len(body)) * 4, []string{`call "listUsers": HTTP 200: page 1 is refused: decoding its 30000001 bytes would take more than 119934468 bytes of memory (connection.maxDecodeBytes; stopped at $`}},
		{"memory budget set", `, "maxListLength": 20000000, "maxDecodeBytes": 10000000`, "MaxAlloc", 10_000_000, []string{`call "listUsers": HTTP 200: page 1 is refused: decoding its 30000001 bytes would take more than 10000000 bytes of memory (connection.maxDecodeBytes; stopped at $`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := pageEngine(t, srv, tc.conn)
			var err error
			start := time.Now()
			grew := peakHeap(func() {
				_, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			})
			took := time.Since(start)
			require.Error(t, err)
			assert.ErrorIs(t, err, connector.ErrLimit)
			var le *jsonx.LimitError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tc.limit, le.Limit)
			ce := fvConnError(t, err)
			assert.Equal(t, "listUsers", ce.Call)
			assert.Equal(t, 200, ce.StatusCode)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			t.Logf("%s: the heap grew by %d MiB for a body of %d MiB, in %v", tc.name, grew>>20, len(body)>>20, took)
			if !raceEnabled {
				// The body, its decoding, and a MiB for the HTTP machinery.
				assert.LessOrEqual(t, grew, uint64(len(body))+tc.maxDecode+1<<20, "heap growth: the body and its decoding")
			}
			assert.Less(t, took, 5*time.Second*raceSlowdown)
		})
	}
}

// The list limit applies to every list of every response, at its default
// or as the spec or an option sets it (the option wins), and a list within
// the limit is imported whole.
func TestFaultsListLength(t *testing.T) {
	records := func(n int, extra string) []byte {
		var b bytes.Buffer
		b.WriteByte('[')
		for i := range n {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"u%d"%s}`, i, extra)
		}
		b.WriteByte(']')
		return b.Bytes()
	}
	t.Run("default", func(t *testing.T) {
		e := pageEngine(t, pageServer(t, records(connector.DefaultMaxListLength, "")), "")
		accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
		require.NoError(t, err)
		assert.Len(t, accts, connector.DefaultMaxListLength, "a page of exactly the limit")
		e = pageEngine(t, pageServer(t, records(connector.DefaultMaxListLength+1, "")), "")
		_, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
		assert.ErrorIs(t, err, connector.ErrLimit)
		assert.ErrorContains(t, err, "the list at $ has more than 100000 elements (connection.maxListLength)")
	})
	srv := pageServer(t, records(11, `,"members":[1,2,3,4,5,6]`))
	for _, tc := range []struct {
		name, conn string
		opts       []connector.Option
		want       string
	}{
		{"spec", `, "maxListLength": 10`, nil, "the list at $ has more than 10 elements"},
		{"option wins", `, "maxListLength": 100`, []connector.Option{connector.WithMaxListLength(5)}, "the list at $[0].members has more than 5 elements"},
		{"a list inside a record", `, "maxListLength": 11`, []connector.Option{connector.WithMaxListLength(0)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := pageEngine(t, srv, tc.conn, tc.opts...)
			accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			if tc.want == "" {
				require.NoError(t, err)
				assert.Len(t, accts, 11)
				return
			}
			assert.Empty(t, accts)
			assert.ErrorIs(t, err, connector.ErrLimit)
			assert.ErrorContains(t, err, tc.want)
		})
	}

	// A provisioning call's response is bounded too; the call is named.
	var hits atomic.Int32
	big := records(30, "")
	psrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		_, _ = w.Write(big)
	}))
	defer psrv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","maxListLength":20},
		"provision":{"createAccount":{"calls":[{"name":"create","method":"POST","path":"/u"}]}}}`, psrv.URL))
	require.NoError(t, err)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount})
	assert.ErrorIs(t, err, connector.ErrLimit)
	assert.Equal(t, "create", fvConnError(t, err).Call)
	assert.ErrorContains(t, err, `call "create": HTTP 200: the response is refused: the list at $ has more than 20 elements`)
	assert.Equal(t, int32(1), hits.Load(), "a refused body is not fetched again")

	_, err = connector.Parse([]byte(`{"name":"t","connection":{"baseURL":"https://x","maxListLength":-1}}`))
	assert.ErrorContains(t, err, "connection.maxListLength: must not be negative")
}

// A number beyond float64's range became +Inf and broke json.Marshal of
// the account. Untyped, it keeps its exact text; as a float attribute it
// is an error naming the record and the attribute.
func TestFaultsOutOfRangeNumbers(t *testing.T) {
	srv := pageServer(t, []byte(`[{"id": "u1", "score": 1e400, "tiny": 1e-400, "nested": {"x": -1E+999, "l": [2e308]}}]`))
	accts, err := connectortest.Collect(pageEngine(t, srv, "").ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 1)
	a := accts[0]
	assert.Equal(t, json.Number("1e400"), a.Attributes["score"])
	assert.Equal(t, float64(0), a.Attributes["tiny"])
	assert.Equal(t, map[string]any{"x": json.Number("-1E+999"), "l": []any{json.Number("2e308")}}, a.Attributes["nested"])
	b, err := json.Marshal(a)
	require.NoError(t, err, "an account marshals")
	assert.Contains(t, string(b), `"score":1e400`)
	var back connector.Account
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, a.Attributes["score"], back.Attributes["score"], "and reads back the same")
	assert.Equal(t, a.Attributes["nested"], back.Attributes["nested"])

	e, err := connector.New(spec(t, `{"name": "t", "connection": {"baseURL": "$URL"},
		"import": {"accounts": {"sources": [{"name": "listUsers", "path": "/users", "records": "$"}], "id": "id",
			"attributes": {"score": {"path": "score", "type": "float"}}}}}`, srv.URL))
	require.NoError(t, err)
	_, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.Error(t, err)
	assert.Equal(t, "listUsers", fvConnError(t, err).Call)
	assert.ErrorContains(t, err, `page 1, record 0 (id "u1"): attribute "score": path "score": cannot convert 1e400 (json.Number) to float: beyond the range of a float64`)
}

// An OAuth2 token endpoint answering 500 with an HTML page said "token
// request failed:" and nothing else. It now says the status and the start
// of the body, masked (the page echoes the client secret).
func TestFaultsTokenEndpointHTML(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status int
		body   string
		want   string
		hits   int32
	}{
		{"500 HTML", 500, "<html><head><title>500 Internal Server Error</title></head>\n<body>\n  <h1>Internal  Server Error</h1>\n  <p>client_secret=%s rejected by upstream</p>\n</body></html>",
			"HTTP 500: token request failed: <html><head><title>500 Internal Server Error</title></head> <body> <h1>Internal Server Error</h1> <p>client_secret=[REDACTED] rejected by upstream</p> </body></html>", 1},
		{"502 retried, then reported", 502, "<html><body><h1>502 Bad Gateway</h1><!-- %s --></body></html>",
			"HTTP 502: token request failed: <html><body><h1>502 Bad Gateway</h1><!-- [REDACTED] --></body></html>", 3},
		{"500 empty", 500, "", "HTTP 500: token request failed: empty response body", 1},
		{"400 not OAuth", 400, "bad request for %s", "HTTP 400: token request failed: bad request for [REDACTED]", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const secret = "cs-SECRET-html-0451"
			var hits atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				_ = r.ParseForm()
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tc.status)
				if tc.body != "" {
					fmt.Fprintf(w, tc.body, r.PostForm.Get("client_secret"))
				}
			}))
			defer srv.Close()
			lc := connectortest.NewLeakCheck(t, secret)
			e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","retry":{"maxAttempts":3,"minBackoff":"1ms","maxBackoff":"2ms"},
				"auth":{"api":{"type":"oauth2","tokenURL":"$URL/token","clientID":"c","clientSecret":"{{ .secrets.s }}","authStyle":"params"}}},
				"connect":{"calls":[{"path":"/me"}]}}`, srv.URL), append(lc.Options(), connector.WithSecrets(map[string]string{"s": secret}))...)
			require.NoError(t, err)
			err = lc.Err(e.Connect(context.Background()))
			ce := fvConnError(t, err)
			assert.Equal(t, "auth:api", ce.Call)
			assert.Equal(t, tc.status, ce.StatusCode)
			assert.Equal(t, `restconn: connect: call "auth:api": `+tc.want+map[bool]string{true: " (authentication failed)"}[tc.status < 500], err.Error())
			assert.Equal(t, tc.hits, hits.Load())
			lc.Check()
		})
	}
}

// ProvisionAll with N workers on the engine's own client reuses N
// connections: net/http keeps 2 idle per host, which made most requests
// dial anew. The same holds for the TLS client a spec's connection.tls
// builds.
func TestFaultsProvisionAllReusesConnections(t *testing.T) {
	const workers, requests = 16, 800
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(200 * time.Microsecond)
		fmt.Fprint(w, `{"id":"x"}`)
	})
	reqs := func(yield func(connector.Request) bool) {
		for i := range requests {
			if !yield(connector.Request{Op: connector.CreateAccount, User: map[string]any{"name": fmt.Sprint("u", i)}}) {
				return
			}
		}
	}
	// run sends the requests twice and returns the connections the server
	// saw opened in all, and during the second round.
	run := func(t *testing.T, srv *httptest.Server, tls string, opts ...connector.Option) (all, second int32) {
		var conns atomic.Int32
		srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
		if tls == "" {
			srv.Start()
		} else {
			srv.StartTLS()
		}
		defer srv.Close()
		conn := ""
		if tls != "" {
			c := srv.Certificate()
			pemText := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
			b, _ := json.Marshal(pemText)
			conn = `, "tls": {"caPEM": ` + string(b) + `}`
		}
		newEngine := func(conn string) *connector.Engine {
			e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"`+conn+`},
				"provision":{"createAccount":{"calls":[{"name":"c","method":"POST","path":"/u/{{ .user.name }}"}]}}}`, srv.URL), opts...)
			require.NoError(t, err)
			return e
		}
		if tls != "" {
			// Without the spec's CA the server is not trusted: the client
			// at work below is the one connection.tls builds.
			_, err := newEngine("").Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"name": "x"}})
			require.ErrorContains(t, err, "certificate")
		}
		e := newEngine(conn)
		var first int32
		for round := range 2 {
			n := 0
			for _, err := range connector.ProvisionAll(context.Background(), e, reqs, workers) {
				require.NoError(t, err)
				n++
			}
			require.Equal(t, requests, n)
			if round == 0 {
				first = conns.Load()
			}
		}
		return conns.Load(), conns.Load() - first
	}
	for _, tls := range []string{"", "tls"} {
		t.Run("default client "+tls, func(t *testing.T) {
			n, second := run(t, httptest.NewUnstartedServer(handler), tls)
			t.Logf("%d workers, 2×%d requests: %d connections, %d of them in the second round", workers, requests, n, second)
			// While the first requests wait for connections, dials race:
			// a request may take a connection freed by another before its
			// own dial (a TLS handshake) ends, and the dialled one is kept
			// too; on a loaded machine a connection may also be on its way
			// back to the pool when the next request looks. So the first
			// round opens a few more than the workers (16 to 34 seen), and
			// after that none, however many requests follow.
			assert.LessOrEqual(t, n, int32(3*workers))
			assert.LessOrEqual(t, second, int32(2), "connections opened for the second round")
		})
	}
	// The failure this guards against: a client that keeps 2 idle
	// connections per host dials for most requests.
	t.Run("2 idle per host", func(t *testing.T) {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 2
		defer tr.CloseIdleConnections()
		n, second := run(t, httptest.NewUnstartedServer(handler), "", connector.WithHTTPClient(&http.Client{Transport: tr}))
		t.Logf("2 idle per host: %d connections, %d in the second round", n, second)
		assert.Greater(t, second, int32(2*workers))
	})
	t.Run("option", func(t *testing.T) {
		n, second := run(t, httptest.NewUnstartedServer(handler), "", connector.WithMaxIdleConnsPerHost(4))
		t.Logf("WithMaxIdleConnsPerHost(4): %d connections, %d in the second round", n, second)
		assert.Greater(t, second, int32(2*workers), "fewer idle connections than workers: some dial again")
	})
}
