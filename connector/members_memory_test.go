package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// bigGroupMembers is the size of the group TestBigGroupMemoryBounded
// imports: 100,000 members, 100 pages of 1000.
const (
	bigGroupMembers = 100_000
	bigGroupPage    = 1000
)

// bigGroupServer serves one group whose members it generates page by page,
// as Okta shapes them (full user objects, about 900 bytes of JSON each),
// in bare arrays linked by absolute Link headers: it keeps nothing, so the
// heap measured is the engine's.
func bigGroupServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var pages atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v1/groups" {
			fmt.Fprint(w, `[{"id": "00gbig", "type": "OKTA_GROUP", "profile": {"name": "Everyone at Example", "description": "All staff"}}]`)
			return
		}
		pages.Add(1)
		after, _ := strconv.Atoi(r.URL.Query().Get("after"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		end := min(after+limit, bigGroupMembers)
		var b bytes.Buffer
		b.WriteByte('[')
		for i := after; i < end; i++ {
			if i > after {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"id":"00u%017d","status":"ACTIVE","created":"2026-01-01T00:00:00.000Z","activated":"2026-01-01T00:00:00.000Z",`+
				`"statusChanged":null,"lastLogin":"2026-06-01T09:30:00.000Z","lastUpdated":"2026-05-01T10:00:00.000Z","passwordChanged":"2026-01-02T00:00:00.000Z",`+
				`"type":{"id":"oty0000000000000000"},"profile":{"firstName":"First%d","lastName":"Last%d","mobilePhone":null,"secondEmail":null,`+
				`"login":"user%06d@example.com","email":"user%06d@example.com","department":"Engineering","title":"Engineer"},`+
				`"credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}},`+
				`"_links":{"self":{"href":"%s/api/v1/users/00u%017d"}}}`, i, i, i, i, i, srv.URL, i)
		}
		b.WriteByte(']')
		if end < bigGroupMembers {
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?limit=%d&after=%d>; rel="next"`, srv.URL, r.URL.Path, limit, end))
		}
		_, _ = w.Write(b.Bytes())
	}))
	t.Cleanup(srv.Close)
	return srv, &pages
}

// liveHeap is the heap still in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestBigGroupMemoryBounded imports a group of 100,000 members through
// membersFrom and measures the live heap (after a forced collection) at
// every fifth chunk the engine yields: it must stay far below what holding the
// group would cost. The consumer checks the chunks' union with a bitmap of
// 12.5 KB: every member exactly once.
//
// The bound: holding the group's member records, as an engine that
// gathered a group before yielding it would, costs the decoded pages
// (measured below from one page, times 100); even holding only the
// 100,000 member IDs as an []string costs about 4 MiB. The streamed import
// holds the page the loop is on and the next one, fetched ahead (each about
// 2.4 MiB decoded, plus the body in flight), one chunk and the 128-bit
// digests that de-duplicate the members (internal/idset: 20 to 25 bytes a
// member, some 2.5 MiB at 100,000): bigGroupMaxLive, under a tenth of
// holding the records.
func TestBigGroupMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 100,000 members")
	}
	const bigGroupMaxLive = 18 << 20
	srv, pages := bigGroupServer(t)
	e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL"},
		"import": {"entitlements": {"group": {
			"sources": [{"path": "/api/v1/groups", "paging": {"type": "link"}}],
			"id": "id", "name": "profile.name", "attributes": {"description": "profile.description", "type": "type"},
			"membersFrom": {"path": "/api/v1/groups/{{ .record.id }}/users", "query": {"limit": "1000"}, "paging": {"type": "link"}, "id": "id"}
		}}}}`)

	base := liveHeap()
	var peak uint64
	seen := make([]uint64, (bigGroupMembers+63)/64)
	chunks, members := 0, 0
	start := time.Now()
	for ent, err := range e.ImportAccess(context.Background(), connector.ImportOptions{}) {
		require.NoError(t, err)
		chunks++
		require.Equal(t, "00gbig", ent.ID)
		require.Equal(t, "Everyone at Example", ent.Name)
		require.Equal(t, map[string]any{"description": "All staff", "type": "OKTA_GROUP"}, ent.Attributes)
		require.LessOrEqual(t, len(ent.Members), connector.DefaultMembersChunk)
		for _, m := range ent.Members {
			n, err := strconv.Atoi(strings.TrimPrefix(m, "00u"))
			require.NoError(t, err, m)
			require.Zero(t, seen[n/64]&(1<<(n%64)), "member %s yielded twice", m)
			seen[n/64] |= 1 << (n % 64)
			members++
		}
		if chunks%5 == 0 { // a collection every 5000 members
			if live := liveHeap(); live > base {
				peak = max(peak, live-base)
			}
		}
	}
	took := time.Since(start)
	require.Equal(t, bigGroupMembers, members, "every member")
	assert.Equal(t, bigGroupMembers/connector.DefaultMembersChunk, chunks, "in chunks of the default size")
	assert.EqualValues(t, bigGroupMembers/bigGroupPage, pages.Load())

	// What holding the group would cost: one decoded page, times 100; and
	// the member IDs alone.
	resp, err := srv.Client().Get(srv.URL + "/api/v1/groups/00gbig/users?limit=1000&after=0")
	require.NoError(t, err)
	var body bytes.Buffer
	_, err = body.ReadFrom(resp.Body)
	require.NoError(t, err)
	resp.Body.Close()
	before := liveHeap()
	dec := json.NewDecoder(&body)
	dec.UseNumber()
	var page []any
	require.NoError(t, dec.Decode(&page))
	pageCost := liveHeap() - before
	runtime.KeepAlive(page)
	page = nil
	before = liveHeap()
	ids := make([]string, bigGroupMembers)
	for i := range ids {
		ids[i] = fmt.Sprintf("00u%017d", i)
	}
	idCost := liveHeap() - before
	runtime.KeepAlive(ids)

	t.Logf("%d members in %d chunks, %v: peak live heap %.1f MiB above the start (bound %.0f MiB); holding the records would take about %.0f MiB (%.2f MiB a page of %d), holding the IDs alone %.1f MiB",
		members, chunks, took.Round(time.Millisecond), mib(peak), mib(bigGroupMaxLive), mib(pageCost*bigGroupMembers/bigGroupPage), mib(pageCost), bigGroupPage, mib(idCost))
	assert.Less(t, peak, uint64(bigGroupMaxLive), "peak live heap")
	assert.Less(t, peak, pageCost*bigGroupMembers/bigGroupPage/10, "a tenth of holding the member records")
}
