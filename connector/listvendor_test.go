package connector_test

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// listVendor serves a directory of n users over one of the six paging
// kinds, the way real APIs of each kind answer, with a per-page latency
// and, for the kinds that count records, a server page size cap that may
// differ from page to page. It records every request, how many were in
// flight at once, and the state of its connections. The walker's tests
// (walk_test.go) and the resume tests (resume_test.go) drive the engine
// against it.
type listVendor struct {
	*httptest.Server
	t       *testing.T
	kind    string // cursor, nextURL, link, offset, page, scim
	n       int
	size    int                   // the page size the spec asks for
	maxSize func(start int) int   // the server's cap for a page starting at record start (0-based); nil: none
	latency time.Duration         // added to every list response
	onPage  func(r *http.Request) // called for every list request before it is answered
	claim   int                   // the total the server reports (offset, page, scim); 0: n
	pad     int                   // cursor: bytes of padding on every cursor
	prefix  string                // of the IDs; "": "u"

	mu       sync.Mutex
	reqs     int // list requests so far
	inflight int
	peak     int
	conns    map[net.Conn]http.ConnState
}

// listKinds are the six paging kinds.
var listKinds = []string{"cursor", "nextURL", "link", "offset", "page", "scim"}

func newListVendor(t *testing.T, kind string, n, size int) *listVendor {
	v := &listVendor{t: t, kind: kind, n: n, size: size, conns: map[net.Conn]http.ConnState{}}
	v.Server = httptest.NewUnstartedServer(http.HandlerFunc(v.serve))
	v.Config.ConnState = func(c net.Conn, s http.ConnState) {
		v.mu.Lock()
		defer v.mu.Unlock()
		if s == http.StateClosed || s == http.StateHijacked {
			delete(v.conns, c)
			return
		}
		v.conns[c] = s
	}
	v.Start()
	t.Cleanup(v.Close)
	return v
}

// id is the ID of record i of this vendor.
func (v *listVendor) id(i int) string { return fmt.Sprintf("%s%03d", cmp.Or(v.prefix, "u"), i+1) }

// ids returns the IDs of records from to to (exclusive).
func (v *listVendor) ids(from, to int) []string {
	ids := []string{}
	for i := from; i < to; i++ {
		ids = append(ids, v.id(i))
	}
	return ids
}

// lvIDs is ids for a vendor without a prefix.
func lvIDs(from, to int) []string { return (&listVendor{}).ids(from, to) }

func (v *listVendor) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/users" {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	v.mu.Lock()
	v.reqs++
	v.inflight++
	v.peak = max(v.peak, v.inflight)
	v.mu.Unlock()
	defer func() {
		v.mu.Lock()
		v.inflight--
		v.mu.Unlock()
	}()
	if v.onPage != nil {
		v.onPage(r)
	}
	if v.latency > 0 {
		select {
		case <-time.After(v.latency):
		case <-r.Context().Done():
			return
		}
	}
	num := func(name string, def int) int {
		if n, err := strconv.Atoi(q.Get(name)); err == nil {
			return n
		}
		return def
	}
	window := func(start, count int) []any {
		if v.maxSize != nil {
			count = min(count, v.maxSize(start))
		}
		recs := []any{}
		for i := max(start, 0); i < start+count && i < v.n; i++ {
			recs = append(recs, map[string]any{"id": v.id(i)})
		}
		return recs
	}
	total := v.n
	if v.claim != 0 {
		total = v.claim
	}
	var body any
	switch v.kind {
	case "cursor":
		from := 0
		if c := q.Get("cursor"); c != "" {
			c, _, _ = strings.Cut(c, ".")
			b, _ := base64.RawURLEncoding.DecodeString(c)
			from, _ = strconv.Atoi(strings.TrimPrefix(string(b), "at:"))
		}
		recs := window(from, num("limit", 10))
		var next any
		if from+len(recs) < v.n {
			c := base64.RawURLEncoding.EncodeToString([]byte("at:" + strconv.Itoa(from+len(recs))))
			if v.pad > 0 {
				c += "." + strings.Repeat("p", v.pad)
			}
			next = c
		}
		body = map[string]any{"data": recs, "next": next}
	case "nextURL":
		from := num("from", 0)
		recs := window(from, num("limit", 10))
		var next any
		if from+len(recs) < v.n {
			next = fmt.Sprintf("%s/users?from=%d&limit=%d", v.URL, from+len(recs), num("limit", 10))
		}
		body = map[string]any{"results": recs, "paging": map[string]any{"next": next}}
	case "link":
		per, pg := num("per_page", 10), num("page", 1)
		recs := window((pg-1)*per, per)
		if pg*per < v.n {
			w.Header().Set("Link", fmt.Sprintf(`<%s/users?page=%d&per_page=%d>; rel="next"`, v.URL, pg+1, per))
		}
		body = recs
	case "offset":
		body = map[string]any{"items": window(num("offset", 0), num("limit", 10)), "total": total}
	case "page":
		per, pg := num("per_page", 10), num("page", 1)
		body = map[string]any{"users": window((pg-1)*per, per), "total_pages": (total + per - 1) / per}
	case "scim":
		start := num("startIndex", 1)
		recs := window(start-1, num("count", 10))
		body = map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": total, "startIndex": start, "itemsPerPage": len(recs), "Resources": recs}
	default:
		v.t.Errorf("unknown kind %q", v.kind)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// listCall is the spec's list call for the vendor's kind, named name.
func (v *listVendor) listCall(name string, extra string) string {
	paging := map[string]string{
		"cursor":  `"records":"data","paging":{"type":"cursor","path":"next","param":"cursor","sizeParam":"limit","size":%d%s}`,
		"nextURL": `"records":"results","paging":{"type":"nextURL","path":"paging.next","sizeParam":"limit","size":%d%s}`,
		"link":    `"records":"$","paging":{"type":"link","sizeParam":"per_page","size":%d%s}`,
		"offset":  `"records":"items","paging":{"type":"offset","sizeParam":"limit","size":%d,"total":"total"%s}`,
		"page":    `"records":"users","paging":{"type":"page","start":1,"sizeParam":"per_page","size":%d,"total":"total_pages"%s}`,
		"scim":    `"records":"Resources","paging":{"type":"scim","size":%d%s}`,
	}[v.kind]
	return fmt.Sprintf(`{"name":%q,"path":"/users",`+paging+`}`, name, v.size, extra)
}

// absCall is listCall with the vendor's absolute URL, for a spec whose
// base URL is another server's.
func (v *listVendor) absCall(name string, extra string) string {
	return strings.Replace(v.listCall(name, extra), `"path":"/users"`, `"url":"`+v.URL+`/users"`, 1)
}

// spec returns a one-source spec over the vendor.
func (v *listVendor) spec(t *testing.T, pagingExtra string) *connector.Spec {
	return spec(t, `{"name":"lv","connection":{"baseURL":"$URL","retry":{"minBackoff":"1ms","maxBackoff":"5ms"}},
		"import":{"accounts":{"sources":[`+v.listCall("users", pagingExtra)+`],"id":"id"}}}`, v.URL)
}

func (v *listVendor) engine(t *testing.T, opts ...connector.Option) *connector.Engine {
	t.Helper()
	e, err := connector.New(v.spec(t, ""), opts...)
	require.NoError(t, err)
	return e
}

// requests returns the number of list requests so far.
func (v *listVendor) requests() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.reqs
}

func (v *listVendor) peakInFlight() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.peak
}

// activeConns returns the connections that are not idle: a request is
// being read or answered on them.
func (v *listVendor) activeConns() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	n := 0
	for _, s := range v.conns {
		if s != http.StateIdle {
			n++
		}
	}
	return n
}

// openConns returns the connections not closed yet.
func (v *listVendor) openConns() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return len(v.conns)
}
