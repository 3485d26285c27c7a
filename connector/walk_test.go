package connector_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// Tests of the page walker: every paging kind at every concurrency, pages
// in flight, servers that return fewer records than asked, and what a
// break or a cancel leaves behind.

var walkConcurrencies = []int{1, 2, 4, 0} // 0: the default

func TestWalkEveryKindEveryConcurrency(t *testing.T) {
	t.Parallel()
	for _, kind := range listKinds {
		for _, k := range walkConcurrencies {
			for _, n := range []int{0, 1, 3, 10, 11} {
				t.Run(fmt.Sprintf("%s/k=%d/n=%d", kind, k, n), func(t *testing.T) {
					t.Parallel()
					v := newListVendor(t, kind, n, 3)
					ids, err := fvImport(context.Background(), v.engine(t, connector.WithImportConcurrency(k)))
					require.NoError(t, err)
					assert.Equal(t, lvIDs(0, n), ids)
					assert.Equal(t, max(1, (n+2)/3), v.requests(), "one request per page")
				})
			}
		}
	}
}

// Servers that return fewer records than asked lose nothing: the walk
// plans from what the first page held and fetches what a shorter page
// left out before it hands over any later page.
func TestWalkServerCapsThePageSize(t *testing.T) {
	t.Parallel()
	caps := map[string]func(int) int{
		"cap 4":              func(int) int { return 4 },
		"one short page":     func(start int) int { return map[bool]int{true: 2, false: 4}[start == 8] },
		"several short ones": func(start int) int { return 1 + start%4 },
		"first page capped":  func(start int) int { return map[bool]int{true: 3, false: 10}[start == 0] },
	}
	for _, kind := range []string{"offset", "scim"} {
		for name, maxSize := range caps {
			for _, k := range walkConcurrencies {
				t.Run(fmt.Sprintf("%s/%s/k=%d", kind, name, k), func(t *testing.T) {
					t.Parallel()
					v := newListVendor(t, kind, 41, 10)
					v.maxSize = maxSize
					ids, err := fvImport(context.Background(), v.engine(t, connector.WithImportConcurrency(k)))
					require.NoError(t, err)
					assert.Equal(t, lvIDs(0, 41), ids, "every record once, in order")
				})
			}
		}
	}
	t.Run("random caps", func(t *testing.T) {
		t.Parallel()
		for seed := range uint64(20) {
			for _, kind := range []string{"offset", "scim"} {
				r := rand.New(rand.NewPCG(seed, 7))
				caps := make([]int, 200)
				for i := range caps {
					caps[i] = 1 + r.IntN(12)
				}
				v := newListVendor(t, kind, 150, 10)
				v.maxSize = func(start int) int { return caps[start] }
				ids, err := fvImport(context.Background(), v.engine(t))
				require.NoError(t, err)
				require.Equal(t, lvIDs(0, 150), ids, "%s, seed %d", kind, seed)
			}
		}
	})
}

// A total that promises more records than there are: an empty page ends
// the walk, with or without pages planned after it.
func TestWalkTotalThatLies(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"offset", "page", "scim"} {
		for _, k := range walkConcurrencies {
			t.Run(fmt.Sprintf("%s/k=%d", kind, k), func(t *testing.T) {
				t.Parallel()
				v := newListVendor(t, kind, 7, 3)
				v.claim = 20
				ids, err := fvImport(context.Background(), v.engine(t, connector.WithImportConcurrency(k)))
				require.NoError(t, err)
				assert.Equal(t, lvIDs(0, 7), ids)
			})
		}
	}
}

// Up to k requests are in flight where pages are known ahead; one page
// ahead where each page names the next; none ahead with k = 1.
func TestWalkOverlap(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind string
		k    int
		peak int
	}{
		{"scim", 0, connector.DefaultImportConcurrency},
		{"scim", 3, 3},
		{"offset", 4, 4},
		{"page", 2, 2},
		{"scim", 1, 1},
		{"cursor", 0, 1},
		{"nextURL", 4, 1},
		{"link", 0, 1},
	} {
		t.Run(fmt.Sprintf("%s/k=%d", tt.kind, tt.k), func(t *testing.T) {
			t.Parallel()
			v := newListVendor(t, tt.kind, 30, 3)
			v.latency = 30 * time.Millisecond
			ids, err := fvImport(context.Background(), v.engine(t, connector.WithImportConcurrency(tt.k)))
			require.NoError(t, err)
			assert.Equal(t, lvIDs(0, 30), ids)
			assert.Equal(t, tt.peak, v.peakInFlight(), "requests in flight at once")
		})
	}
}

// While the caller works on a page, the next one is already asked for;
// with k = 1 nothing is asked for before the caller has taken the page.
func TestWalkNextPageWhileTheCallerWorks(t *testing.T) {
	t.Parallel()
	for _, kind := range listKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			v := newListVendor(t, kind, 9, 3)
			n := 0
			for _, err := range v.engine(t).ImportAccounts(context.Background(), connector.ImportOptions{}) {
				require.NoError(t, err)
				if n++; n == 1 {
					require.Eventually(t, func() bool { return v.requests() >= 2 }, 5*time.Second, time.Millisecond,
						"the second page is asked for while the caller is on the first")
				}
			}
		})
		t.Run(kind+"/k=1", func(t *testing.T) {
			t.Parallel()
			v := newListVendor(t, kind, 9, 3)
			var taken atomic.Int32
			v.onPage = func(*http.Request) {
				before := v.requests() - 1 // requests before this one
				assert.EqualValues(t, 3*before, taken.Load(), "request %d came before the caller took page %d", before+1, before)
			}
			for _, err := range v.engine(t, connector.WithImportConcurrency(1)).ImportAccounts(context.Background(), connector.ImportOptions{}) {
				require.NoError(t, err)
				if taken.Add(1) == 1 {
					time.Sleep(30 * time.Millisecond) // time enough for a request that should not be sent
				}
			}
		})
	}
}

// A caller that does not take its pages holds the walk: at most k
// requests beyond the page it holds.
func TestWalkPrefetchIsBounded(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		kind string
		k    int
		max  int
	}{
		{"scim", 4, 1 + 4},
		{"offset", 2, 1 + 2},
		{"cursor", 4, 1 + 1},
		{"scim", 1, 1},
	} {
		t.Run(fmt.Sprintf("%s/k=%d", tt.kind, tt.k), func(t *testing.T) {
			t.Parallel()
			v := newListVendor(t, tt.kind, 200, 2)
			for _, err := range v.engine(t, connector.WithImportConcurrency(tt.k)).ImportAccounts(context.Background(), connector.ImportOptions{}) {
				require.NoError(t, err)
				// The walk runs ahead as far as it may, and no further.
				require.Eventually(t, func() bool { return v.requests() >= tt.max }, 5*time.Second, time.Millisecond)
				time.Sleep(100 * time.Millisecond)
				assert.Equal(t, tt.max, v.requests(), "requests while the caller holds the first page")
				break
			}
		})
	}
}

// Every request renders its own .page: concurrent requests never see each
// other's (run with -race).
func TestWalkPerRequestTemplateData(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"offset", "page", "scim"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			v := newListVendor(t, kind, 40, 3)
			if kind != "page" { // a page number's page holds what the server puts on it
				v.maxSize = func(start int) int { return map[bool]int{true: 2, false: 3}[start == 9] } // a refill too
			}
			param := map[string]string{"offset": "offset", "page": "page", "scim": "startIndex"}[kind]
			v.onPage = func(r *http.Request) {
				q := r.URL.Query()
				assert.Equal(t, q.Get(param), q.Get("o"), ".page.offset is this request's position")
				assert.NotEmpty(t, q.Get("n"))
			}
			s := v.spec(t, "")
			s.Import.Accounts.Sources[0].Query = map[string]string{"o": "{{ .page.offset }}", "n": "{{ .page.number }}"}
			e, err := connector.New(s, connector.WithImportConcurrency(4))
			require.NoError(t, err)
			ids, err := fvImport(context.Background(), e)
			require.NoError(t, err)
			assert.Equal(t, lvIDs(0, 40), ids)
		})
	}
}

func TestWalkMaxPages(t *testing.T) {
	t.Parallel()
	for _, kind := range listKinds {
		for _, k := range walkConcurrencies {
			t.Run(fmt.Sprintf("%s/k=%d", kind, k), func(t *testing.T) {
				t.Parallel()
				v := newListVendor(t, kind, 10, 3)
				e, err := connector.New(v.spec(t, `,"maxPages":2`), connector.WithImportConcurrency(k))
				require.NoError(t, err)
				ids, err := fvImport(context.Background(), e)
				assert.Equal(t, lvIDs(0, 6), ids, "the pages within the limit")
				require.Error(t, err)
				assert.Contains(t, err.Error(), "page limit")
				assert.Contains(t, err.Error(), `call "users"`)
			})
		}
	}
}

// A page that fails while later ones are in flight: the pages before it
// are handed over, then its error, and nothing after it.
func TestWalkErrorWithPagesInFlight(t *testing.T) {
	t.Parallel()
	v := newListVendor(t, "scim", 30, 3)
	v.onPage = func(r *http.Request) {
		if r.URL.Query().Get("startIndex") == "10" {
			panic(http.ErrAbortHandler) // the connection drops: a transport error
		}
	}
	s := v.spec(t, "")
	s.Connection.Retry.MaxAttempts = 1
	e, err := connector.New(s)
	require.NoError(t, err)
	ids, err := fvImport(context.Background(), e)
	assert.Equal(t, lvIDs(0, 9), ids)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `call "users"`)
}

// goroutines waits until the number of goroutines is at most want, and
// returns it.
func goroutines(want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := runtime.NumGoroutine()
		if n <= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Breaking out of the loop or cancelling the context while k requests are
// in flight cancels them: no goroutine and no connection is left behind.
// Not parallel: it counts the process's goroutines.
func TestWalkLeavesNothingBehind(t *testing.T) {
	for _, tt := range []struct {
		name string
		end  func(cancel context.CancelFunc) bool // called at every record; true: break
	}{
		{"break", func(context.CancelFunc) bool { return true }},
		{"cancel", func(cancel context.CancelFunc) bool { cancel(); return false }},
	} {
		for _, kind := range []string{"scim", "cursor"} {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				v := newListVendor(t, kind, 300, 3)
				v.latency = 200 * time.Millisecond
				hc := benchHTTPClient(t)
				e := v.engine(t, connector.WithHTTPClient(hc))
				before := runtime.NumGoroutine()

				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				n := 0
				var err error
				for _, ierr := range e.ImportAccounts(ctx, connector.ImportOptions{}) {
					if ierr != nil {
						err = ierr
						break
					}
					if n++; n == 1 {
						want := map[string]int{"scim": 1 + connector.DefaultImportConcurrency, "cursor": 2}[kind]
						require.Eventually(t, func() bool { return v.requests() == want }, 5*time.Second, time.Millisecond, "requests in flight")
						if tt.end(cancel) {
							break
						}
					}
				}
				if tt.name == "cancel" {
					assert.ErrorIs(t, err, context.Canceled)
				}
				assert.Eventually(t, func() bool { return v.activeConns() == 0 }, 5*time.Second, time.Millisecond, "requests still being answered")
				hc.CloseIdleConnections()
				assert.Eventually(t, func() bool { return v.openConns() == 0 }, 5*time.Second, time.Millisecond, "connections left open")
				assert.LessOrEqual(t, goroutines(before), before, "goroutines left behind")
			})
		}
	}
}

// Loop detection keeps digests: a walk over pages whose cursors are a
// megabyte each does not accumulate them.
func TestWalkHugeCursorsDoNotAccumulate(t *testing.T) {
	t.Parallel()
	const pages = 48
	v := newListVendor(t, "cursor", 2*pages, 2)
	v.pad = 1 << 20
	s := v.spec(t, "")
	s.Connection.MaxBodyBytes = 4 << 20
	e, err := connector.New(s, connector.WithImportConcurrency(1))
	require.NoError(t, err)
	var ms runtime.MemStats
	var at8, atEnd uint64
	n := 0
	for _, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		require.NoError(t, err)
		n++
		switch n {
		case 16, 2 * pages: // the last record of page 8, of the last page
			runtime.GC()
			runtime.ReadMemStats(&ms)
			if n == 16 {
				at8 = ms.HeapAlloc
			} else {
				atEnd = ms.HeapAlloc
			}
		}
	}
	require.Equal(t, 2*pages, n)
	t.Logf("live heap after page 8: %.1f MiB, after page %d: %.1f MiB", mib(at8), pages, mib(atEnd))
	assert.Less(t, int64(atEnd)-int64(at8), int64(8<<20), "%d one-megabyte cursors later the walk holds %d MiB more", pages-8, (int64(atEnd)-int64(at8))>>20)
}

// paging.concurrency sets k per list call; WithImportConcurrency overrides
// it; out-of-range values are spec errors naming the field.
func TestWalkConcurrencyFromTheSpec(t *testing.T) {
	t.Parallel()
	v := newListVendor(t, "scim", 30, 3)
	v.latency = 30 * time.Millisecond
	e, err := connector.New(v.spec(t, `,"concurrency":2`))
	require.NoError(t, err)
	ids, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	assert.Equal(t, lvIDs(0, 30), ids)
	assert.Equal(t, 2, v.peakInFlight())

	w := newListVendor(t, "scim", 30, 3)
	w.latency = 30 * time.Millisecond
	e, err = connector.New(w.spec(t, `,"concurrency":2`), connector.WithImportConcurrency(3))
	require.NoError(t, err)
	_, err = fvImport(context.Background(), e)
	require.NoError(t, err)
	assert.Equal(t, 3, w.peakInFlight(), "the option wins")

	for _, bad := range []string{`,"concurrency":-1`, `,"concurrency":65`} {
		_, err := connector.Parse([]byte(`{"name":"lv","connection":{"baseURL":"` + v.URL + `"},
			"import":{"accounts":{"sources":[` + v.listCall("users", bad) + `],"id":"id"}}}`))
		require.ErrorIs(t, err, connector.ErrInvalidSpec)
		assert.ErrorContains(t, err, "import.accounts.sources[0].paging.concurrency")
	}
}

// Sources declared disjoint are not de-duplicated: no memory per account,
// and an account listed by both comes twice.
func TestDisjointSources(t *testing.T) {
	t.Parallel()
	a := newListVendor(t, "scim", 4, 3)
	b := newListVendor(t, "offset", 3, 3) // u001..u003 again
	js := `{"name":"d","connection":{"baseURL":"$URL"},"import":{"accounts":{"sources":[` +
		a.listCall("a", "") + `,` + b.absCall("b", "") + `],"id":"id"%s}}}`
	e, err := connector.New(spec(t, fmt.Sprintf(js, ""), a.URL))
	require.NoError(t, err)
	ids, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	assert.Equal(t, lvIDs(0, 4), ids, "several sources are de-duplicated")

	e, err = connector.New(spec(t, fmt.Sprintf(js, `,"disjoint":true`), a.URL))
	require.NoError(t, err)
	ids, err = fvImport(context.Background(), e)
	require.NoError(t, err)
	assert.Equal(t, append(lvIDs(0, 4), lvIDs(0, 3)...), ids, "disjoint: taken at their word")

	_, err = connector.Parse([]byte(fmt.Sprintf(js, `,"disjoint":true,"unique":true`)))
	require.ErrorIs(t, err, connector.ErrInvalidSpec)
	assert.ErrorContains(t, err, "import.accounts.disjoint")
}
