package connector

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/internal/paging"
)

func TestWindowAIMD(t *testing.T) {
	var w window
	w.init(4)
	assert.Equal(t, 4, w.size())
	w.shrink()
	assert.Equal(t, 2, w.size(), "halved")
	w.shrink()
	w.shrink()
	assert.Equal(t, 1, w.size(), "never below one")
	var sizes []int
	for range 8 {
		w.grow()
		sizes = append(sizes, w.size())
	}
	assert.Equal(t, []int{2, 2, 2, 3, 3, 3, 4, 4}, sizes, "one more per window's worth of pages")
	for range 10 {
		w.grow()
	}
	assert.Equal(t, 4, w.size(), "never above k")
}

// 429 and 503 responses narrow the walk's window; the pages are all there.
func TestWalkNarrowsOnPushBack(t *testing.T) {
	var served atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := served.Add(1)
		if n == 2 || n == 3 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(map[int32]int{2: http.StatusTooManyRequests, 3: http.StatusServiceUnavailable}[n])
			return
		}
		start, _ := strconv.Atoi(r.URL.Query().Get("startIndex"))
		var recs []string
		for i := start; i < start+2 && i <= 20; i++ {
			recs = append(recs, fmt.Sprintf(`{"id":"%d"}`, i))
		}
		fmt.Fprintf(w, `{"totalResults":20,"Resources":[%s]}`, strings.Join(recs, ","))
	}))
	defer srv.Close()
	spec, err := Parse([]byte(`{"name":"t","connection":{"baseURL":"` + srv.URL + `","retry":{"minBackoff":"1ms","maxBackoff":"2ms"}},
		"import":{"accounts":{"sources":[{"name":"users","path":"/users","records":"Resources","paging":{"type":"scim","size":2}}],"id":"id"}}}`))
	require.NoError(t, err)
	e, err := New(spec)
	require.NoError(t, err)
	w, err := e.newWalker(context.Background(), opImportAccounts, e.c.accounts.sources[0], e.newRun(opImportAccounts, time.Time{}).listData(nil), paging.Position{})
	require.NoError(t, err)
	var cur []float64
	n := 0
	w.run(func(pg *page, err error) bool {
		require.NoError(t, err)
		n += len(pg.records)
		w.win.mu.Lock()
		cur = append(cur, w.win.cur)
		w.win.mu.Unlock()
		return true
	})
	w.stop()
	assert.Equal(t, 20, n)
	assert.Less(t, slices.Min(cur), 3.0, "a 429 and a 503 halve the window twice: 4 to 1, then it grows back by 1/window a page")
	assert.InDelta(t, 4.0, cur[len(cur)-1], 1.01, "and grows back")
}
