package connector_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// Memory of an import must not grow with the number of records: the engine
// holds a bounded number of pages (the one the loop works on and those in
// flight, see WithImportConcurrency; with pages of 1.7 MB, one page ahead).
// TestImportMemoryBounded imports N and then 10·N
// records through the engine (page size 1000) from a server that generates
// each page on the fly and keeps nothing, counts the accounts without
// keeping them, and measures the heap three ways:
//
//   - peak: the highest HeapAlloc (heap objects allocated, garbage not yet
//     collected included), sampled every 250 records and every 5 ms. It is
//     what the process needs, but it depends on where collections fall
//     within a page and on how promptly the collector runs on a busy
//     machine (seen here: 24 to 41 MiB for the same import), so it is only
//     held to a fixed bound;
//   - steady: HeapAlloc at a page boundary right after a forced collection,
//     at every N/2 records (the highest is logged). It is what the import
//     keeps alive, but it depends on whether the next page has already
//     arrived and been decoded at that moment (10 to 17 MiB here);
//   - final: the same at the last record, when no page can be in flight or
//     ahead, so it is what the import keeps alive for itself and whatever
//     piled up per record. The large import's is compared with the small
//     one's (comparing the highest steady samples, twenty of the large
//     import's against two of the small one's, failed on a busy machine
//     with nothing accumulating);
//   - retained: the heap still live after the import, against before it.
//
// The race build imports fewer records (race_on_test.go).
const (
	memPageSize = 1000
	// memMaxPeak bounds the peak heap of either import. A page of 1000
	// Genesys-shaped users is 1.7 MB of JSON; the live heap at a page
	// boundary is about 12 MiB, and the collector lets the heap grow to
	// about twice the live heap before it collects.
	memMaxPeak = 64 << 20
	// memMaxRatio bounds the steady heap of the large import relative to
	// the small one's. Records that pile up (a seen-ID set, a slice that
	// keeps every account) grow it with the count; 1.5 leaves room for
	// noise only, and fails for a leak of about 40 bytes per record (400
	// under the race build's smaller counts).
	memMaxRatio = 1.5
	// memMaxRetained bounds the heap still live after the import ends and
	// a collection runs, relative to before it started.
	memMaxRetained = 1 << 20
)

// heapSampler records the peak HeapAlloc.
type heapSampler struct {
	mu   sync.Mutex
	peak uint64
	n    int
}

func (h *heapSampler) sample() {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	h.mu.Lock()
	h.peak = max(h.peak, ms.HeapAlloc)
	h.n++
	h.mu.Unlock()
}

// start samples the heap every period in a goroutine of its own until
// stop is called; stop waits for it and may be called more than once.
func (h *heapSampler) start(period time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(period)
		defer tick.Stop()
		for {
			h.sample()
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return sync.OnceFunc(func() { close(done); wg.Wait() })
}

type importMemory struct {
	peak, steady, final, retained uint64
	samples                       int
	took                          time.Duration
}

// importHeap imports every record of a directory of total users, counting
// them only, and measures the heap.
func importHeap(t *testing.T, total, steadyEvery int) importMemory {
	t.Helper()
	require.Zero(t, steadyEvery%memPageSize, "steady samples are taken at page boundaries")
	d := newSCIMDirectory(t, total, false)
	hc := benchHTTPClient(t)
	e := benchEngine(t, d.URL, memPageSize, hc)
	start := time.Now()

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc

	var h heapSampler
	var out importMemory
	stopSampler := h.start(5 * time.Millisecond) // samples inside decoding, where the peak usually is
	defer stopSampler()                          // when the import fails
	n := 0
	for a, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == "" {
			t.Fatalf("record %d has no ID", n)
		}
		n++
		if n%250 == 0 {
			h.sample()
		}
		if n%steadyEvery == 0 { // the last record of a page
			runtime.GC()
			runtime.ReadMemStats(&ms)
			out.steady = max(out.steady, ms.HeapAlloc)
			if n == total {
				out.final = ms.HeapAlloc
			}
		}
	}
	stopSampler()
	require.Equal(t, total, n)
	require.EqualValues(t, (total+memPageSize-1)/memPageSize, d.requests.Load())

	// Drop the directory's pre-encoded users and the connections, so that
	// neither counts against the import or the next one.
	hc.CloseIdleConnections()
	d.Close()
	d.mu.Lock()
	d.ring = nil
	d.mu.Unlock()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if ms.HeapAlloc > base {
		out.retained = ms.HeapAlloc - base
	}
	out.peak, out.samples, out.took = h.peak, h.n, time.Since(start)
	return out
}

func TestImportMemoryBounded(t *testing.T) {
	small, large := memRecords, 10*memRecords
	every := small / 2 // two steady samples for the small import, twenty for the large
	s := importHeap(t, small, every)
	l := importHeap(t, large, every)
	for _, r := range []struct {
		n int
		m importMemory
	}{{small, s}, {large, l}} {
		t.Logf("%7d records: peak heap %5.1f MiB (%4d samples), steady %5.1f MiB, final %5.1f MiB, retained %4.2f MiB, %v",
			r.n, mib(r.m.peak), r.m.samples, mib(r.m.steady), mib(r.m.final), mib(r.m.retained), r.m.took.Round(time.Millisecond))
	}
	assert.Less(t, l.peak, uint64(memMaxPeak), "peak heap of the large import")
	assert.Less(t, s.peak, uint64(memMaxPeak), "peak heap of the small import")
	assert.LessOrEqual(t, float64(l.final), memMaxRatio*float64(s.final),
		"the live heap grew with the record count: %.1f MiB at %d records, %.1f MiB at %d", mib(l.final), large, mib(s.final), small)
	assert.Less(t, l.retained, uint64(memMaxRetained), "heap retained after the import")
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }
