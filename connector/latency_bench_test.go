package connector_test

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// BenchmarkImportLatency imports 1,500 Genesys-shaped users from the SCIM
// directory of bench_test.go with a latency added to every page (0, 5 and
// 30 ms), pages of 25, 100 and 500, with and without caller work (200 µs
// of CPU per record, a busy loop: time.Sleep of 200 µs takes about a
// millisecond here), and in every iteration runs, one after the
// other on the same server:
//
//   - base: the hand-written sequential client (net/http + encoding/json,
//     one page after the other; baselineImport);
//   - engine: the engine with its defaults (scim paging: up to
//     DefaultImportConcurrency pages in flight);
//   - cursor: the engine over the same pages with cursor paging, which
//     cannot know later pages before it has the current one, so it runs
//     one page ahead.
//
// Beside them it computes the one-page-ahead model
// L + c + w + (P−1)·max(L + c, w): L the added latency, c the engine's own
// time per page (request, decode, map; measured one page after the other
// at zero latency before the iterations), w the caller's measured work per
// page, P the pages. Metrics: the wall time of each import in ms, the
// model's, speedup (base/engine) and the ratios to the model. BENCHMARKS.md
// records the figures.
//
//	go test -run='^$' -bench=ImportLatency -benchtime=3x -count=3 ./connector
func BenchmarkImportLatency(b *testing.B) {
	const users = 1500
	for _, lat := range []time.Duration{0, 5 * time.Millisecond, 30 * time.Millisecond} {
		for _, size := range []int{25, 100, 500} {
			for _, work := range []time.Duration{0, 200 * time.Microsecond} {
				b.Run(fmt.Sprintf("lat=%v/size=%d/work=%v", lat, size, work), func(b *testing.B) {
					benchLatency(b, users, size, lat, work)
				})
			}
		}
	}
}

// benchCursorSpec is benchSpec with cursor paging over the same pages.
func benchCursorSpec(size int) string {
	return strings.ReplaceAll(strings.Replace(benchSpec, `"paging":{"type":"scim","size":$SIZE}`,
		`"paging":{"type":"cursor","path":"nextCursor","param":"cursor","sizeParam":"count","size":$SIZE}`, 1), "$SIZE", strconv.Itoa(size))
}

func benchLatency(b *testing.B, users, size int, lat, work time.Duration) {
	d := newSCIMDirectory(b, users, true)
	d.prerender(size)
	hc := benchHTTPClient(b)
	engine := benchEngine(b, d.URL, size, hc)
	sequential := benchEngine(b, d.URL, size, hc, connector.WithImportConcurrency(1))
	cursor, err := connector.New(spec(b, benchCursorSpec(size), d.URL), connector.WithHTTPClient(hc))
	require.NoError(b, err)
	ctx := context.Background()
	pages := (users + size - 1) / size

	// An import, timed, with the caller's work per record; it returns the
	// wall time and the time spent in the caller's work.
	run := func(seq iter.Seq2[connector.Account, error]) (total, worked time.Duration) {
		start := time.Now()
		n := 0
		for a, err := range seq {
			if err != nil {
				b.Fatal(err)
			}
			benchSink = a
			n++
			if work > 0 {
				t := time.Now()
				for time.Since(t) < work { // busy: a sleep this short overshoots by a millisecond
				}
				worked += time.Since(t)
			}
		}
		if n != users {
			b.Fatalf("imported %d users, want %d", n, users)
		}
		return time.Since(start), worked
	}

	// c: the engine's own time per page, one page after the other, at zero
	// latency and without caller work (the best of three).
	saved := work
	work = 0
	c := time.Duration(1<<63 - 1)
	for range 3 {
		t, _ := run(sequential.ImportAccounts(ctx, connector.ImportOptions{}))
		c = min(c, t/time.Duration(pages))
	}
	work = saved
	run(baselineImport(ctx, hc, d.URL, size)) // warm
	run(cursor.ImportAccounts(ctx, connector.ImportOptions{}))
	d.latency.Store(int64(lat))

	var base, eng, cur, model time.Duration
	for b.Loop() {
		t, _ := run(baselineImport(ctx, hc, d.URL, size))
		base += t
		t, w := run(engine.ImportAccounts(ctx, connector.ImportOptions{}))
		eng += t
		wp := w / time.Duration(pages)
		model += lat + c + wp + time.Duration(pages-1)*max(lat+c, wp)
		t, _ = run(cursor.ImportAccounts(ctx, connector.ImportOptions{}))
		cur += t
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / n }
	b.ReportMetric(ms(base), "base-ms")
	b.ReportMetric(ms(eng), "engine-ms")
	b.ReportMetric(ms(cur), "cursor-ms")
	b.ReportMetric(ms(model), "model-ms")
	b.ReportMetric(float64(base)/float64(eng), "speedup")
	b.ReportMetric(float64(eng)/float64(model), "engine/model")
	b.ReportMetric(float64(cur)/float64(model), "cursor/model")
	b.ReportMetric(float64(c)/float64(time.Millisecond), "c-ms")
}
