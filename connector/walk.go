package connector

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"math"
	"sync"
	"sync/atomic"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/paging"
)

// Page requests in flight per list walk.
const (
	// DefaultImportConcurrency is how many page requests of one list walk
	// are in flight at once where the paging scheme knows later pages in
	// advance, when neither the spec (paging.concurrency) nor
	// WithImportConcurrency says otherwise.
	DefaultImportConcurrency = 4
	// MaxImportConcurrency bounds paging.concurrency and
	// WithImportConcurrency.
	MaxImportConcurrency = 64
	// prefetchBytes bounds the response bodies a walk keeps in flight:
	// pages of a thousand fat records gain little from several requests
	// at once (their latency is spread over many records) and cost several
	// megabytes each once decoded, so the window narrows to fit.
	prefetchBytes = 3 << 20
)

// page is one page of a list call as the walker hands it over.
type page struct {
	number  int // 1-based, in the order pages are handed over (a resumed walk goes on counting)
	records []any
	// after is where a walk resumed after this page starts; after.Done
	// when no page follows.
	after paging.Position
}

// pages walks the pages of a list call and yields them in order: the one
// page walker of the engine, for imports and for lists nested in them.
// data holds the call's variables (.since, .record, ...); every request
// renders against its own shallow copy, with its own .page and .auth.
// from is where to start: the zero Position is the first page, a Position
// from an earlier page's after resumes behind that page.
//
// While the caller works on a page the next request is already on its way.
// Where the paging scheme knows later pages in advance (offset, page and
// scim with a total, see paging.Plan), up to k requests are in flight, k
// from WithImportConcurrency or the call's paging.concurrency (default
// DefaultImportConcurrency); a 429 or 503 halves that window, and every
// page that comes back without one widens it again by 1/window (AIMD).
// k = 1 sends each request only after the caller has taken the page before
// it. At most k pages wait decoded for the caller besides the one it holds,
// and fewer when pages are large: the window narrows so that the response
// bodies in flight stay under 3 MiB (at least one page ahead).
//
// Breaking out of the loop, or ctx ending, cancels the requests in flight;
// pages returns once every one of them has finished, so nothing outlives
// the loop.
func (e *Engine) pages(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, from paging.Position) iter.Seq2[*page, error] {
	return func(yield func(*page, error) bool) {
		if cc.pager == nil {
			e.onePage(ctx, op, cc, data, from, yield)
			return
		}
		w, err := e.newWalker(ctx, op, cc, data, from)
		if err != nil {
			yield(nil, err)
			return
		}
		defer w.stop()
		w.run(yield)
	}
}

// onePage is the walk of a list call without paging: one request.
func (e *Engine) onePage(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, from paging.Position, yield func(*page, error) bool) {
	if from.Done {
		return
	}
	if err := ctx.Err(); err != nil {
		yield(nil, ctxError(ctx, op, cc.name, err))
		return
	}
	resp, err := e.do(ctx, op, cc, maps.Clone(data), e.red, &listPage{})
	if err != nil {
		yield(nil, err)
		return
	}
	recs, err := e.pageRecords(op, cc, resp, 1)
	if err != nil {
		yield(nil, err)
		return
	}
	yield(&page{number: 1, records: recs, after: paging.Position{Number: 1, Done: true}}, nil)
}

// walker is the state of one paged walk. Its fields are the consumer's:
// only fetch's fields are written by the goroutines that run requests.
type walker struct {
	e      *Engine
	op     Operation
	cc     *compiledCall
	data   map[string]any
	k      int
	ctx    context.Context // canceled when the walk ends
	cancel context.CancelFunc
	wg     sync.WaitGroup
	cache  atomic.Pointer[rendered]
	win    window

	queue    []*fetch      // requests sent, in the order their pages are handed over
	next     *paging.State // the next request of a one-at-a-time walk, once known
	plan     *paging.Plan  // set once the first page has shown the total
	handed   int           // pages handed over, a resumed walk's included
	largest  int           // the largest response body so far, in bytes
	finished bool          // nothing more to send
}

// fetch is one request of a walk and, once ready is closed, its outcome.
type fetch struct {
	st      *paging.State
	at      int            // st.Offset when sent
	req     paging.Request // planned requests
	planned bool
	ctx     context.Context
	cancel  context.CancelFunc
	ready   chan struct{}

	// Written by the request's goroutine before ready is closed.
	err     error
	records []any
	size    int // bytes of the response body
	body    any // kept for the plan's totals until the page is handed over
	stop    bool
	pgErr   error // paging's verdict on what follows (a loop, the page limit)
}

func (e *Engine) newWalker(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, from paging.Position) (*walker, error) {
	k := firstSet(e.importK, cc.concurrency, DefaultImportConcurrency)
	w := &walker{e: e, op: op, cc: cc, data: data, k: k, handed: from.Number}
	w.win.init(k)
	st, err := cc.pager.Resume(from)
	if err != nil {
		return nil, &Error{Op: op, Call: cc.name, Message: "resume token: " + err.Error(), Err: ErrInvalidToken}
	}
	if st.URL != "" {
		// A resumed next-page URL keeps the rule every next-page URL
		// keeps: the call's scheme, host and port, or nothing is sent.
		rd, err := e.render(ctx, cc, data)
		if err != nil {
			return nil, e.asError(op, cc.name, err)
		}
		u, err := parseCallURL(st.URL)
		if err != nil || !httpx.SameHost(rd.url, u) {
			host := "?"
			if u != nil {
				host = u.Host
			}
			return nil, &Error{Op: op, Call: cc.name, Message: fmt.Sprintf("resume token: next-page URL on %s, not on the call's host %s", host, rd.url.Host), Err: ErrInvalidToken}
		}
	}
	if !st.Done {
		w.next = st
	}
	w.ctx, w.cancel = context.WithCancel(ctx)
	return w, nil
}

// firstSet returns the first of the settings that is set.
func firstSet(v ...int) int {
	for _, x := range v {
		if x > 0 {
			return x
		}
	}
	return 1
}

// run hands the walk's pages to yield in order.
func (w *walker) run(yield func(*page, error) bool) {
	for {
		if err := w.ctx.Err(); err != nil {
			yield(nil, ctxError(w.ctx, w.op, w.cc.name, err))
			return
		}
		w.fill()
		if len(w.queue) == 0 {
			return
		}
		f := w.queue[0]
		select {
		case <-f.ready:
		case <-w.ctx.Done():
			yield(nil, ctxError(w.ctx, w.op, w.cc.name, w.ctx.Err()))
			return
		}
		w.queue[0] = nil
		w.queue = w.queue[1:]
		if f.err != nil {
			yield(nil, f.err)
			return
		}
		pg, after := w.handOver(f)
		if w.k > 1 {
			w.fill() // the next requests go while the caller works on this page
		}
		if !yield(pg, nil) {
			return
		}
		if after != nil {
			yield(nil, after)
			return
		}
	}
}

// handOver turns a finished request into the page to hand over, and lays
// out what follows it. after is an error to yield after the page's
// records.
func (w *walker) handOver(f *fetch) (pg *page, after error) {
	w.handed++
	w.win.grow()
	w.largest = max(w.largest, f.size)
	pg = &page{number: w.handed, records: f.records}
	body := f.body
	f.body, f.records = nil, nil
	if !f.planned {
		pg.after = f.st.Position()
		pg.after.Number = w.handed
		if f.pgErr != nil {
			w.finished = true
			return pg, f.pgErr
		}
		if f.st.Done {
			w.finished = true
			return pg, nil
		}
		if w.k > 1 && w.plan == nil && w.cc.pager.Plannable() {
			pl, err := w.cc.pager.NewPlan(f.at, w.handed, paging.Page{Body: body, Records: len(pg.records), Stop: f.stop})
			if err == nil && pl != nil {
				// Later pages are known: plan them from what the server
				// returned rather than from what paging.Next computed.
				w.plan = pl
				pg.after = pl.After(paging.Request{State: f.st, At: f.at, Want: pl.Step()}, len(pg.records))
				pg.after.Number = w.handed
				pg.after.Done = pl.Ended(pg.after.Offset)
				w.finished = pg.after.Done
				return pg, nil
			}
		}
		w.next = f.st
		return pg, nil
	}

	// A planned page.
	pl := w.plan
	got := len(pg.records)
	took := f.req.Take(got)
	pg.records = pg.records[:took]
	pgErr := pl.Observe(paging.Page{Body: body})
	pg.after = pl.After(f.req, took)
	pg.after.Number = w.handed
	if pgErr != nil {
		w.discard()
		return pg, w.e.mask(&Error{Op: w.op, Call: w.cc.name, Message: fmt.Sprintf("page %d: %v", w.handed, pgErr)})
	}
	if got == 0 || f.stop || pl.Ended(pg.after.Offset) {
		// An empty page, or a stop rule: the list ends here, whatever
		// was planned after it.
		pg.after.Done = true
		w.discard()
		return pg, nil
	}
	gap, refill := pl.Refill(f.req, took)
	if refill {
		// The server returned fewer records than the page stands for:
		// fetch the rest before any later page is handed over.
		w.queue = append([]*fetch{w.launch(gap.State, gap)}, w.queue...)
	}
	if pl.Exceeded() && (len(w.queue) == 0 || !refill && took < f.req.Want) {
		// The page limit: no page after a missing part is handed over,
		// so that no checkpoint skips it.
		w.discard()
		return pg, w.e.mask(&Error{Op: w.op, Call: w.cc.name, Message: fmt.Sprintf("page %d: %v: more than %d pages", w.handed, paging.ErrMaxPages, pl.MaxPages())})
	}
	return pg, nil
}

// fill sends requests until the window is full or nothing more is known.
func (w *walker) fill() {
	size := w.win.size()
	if w.largest > 0 {
		size = min(size, max(1, prefetchBytes/w.largest))
	}
	for !w.finished && len(w.queue) < size {
		switch {
		case w.next != nil:
			st := w.next
			w.next = nil
			w.queue = append(w.queue, w.launch(st, paging.Request{}))
		case w.plan != nil:
			r, ok := w.plan.Next()
			if !ok {
				return
			}
			w.queue = append(w.queue, w.launch(r.State, r))
		default:
			return
		}
	}
}

// discard cancels the requests sent for pages that will not be handed
// over.
func (w *walker) discard() {
	for _, f := range w.queue {
		f.cancel()
	}
	w.queue = nil
	w.finished = true
}

// stop ends the walk: it cancels every request in flight and waits for
// them.
func (w *walker) stop() {
	w.cancel()
	w.wg.Wait()
}

// launch sends one request: in its own goroutine, or in the caller's when
// the walk is strictly sequential.
func (w *walker) launch(st *paging.State, r paging.Request) *fetch {
	f := &fetch{st: st, at: st.Offset, req: r, planned: r.State != nil, ready: make(chan struct{})}
	f.ctx, f.cancel = context.WithCancel(w.ctx)
	if w.k == 1 {
		w.request(f)
		return f
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.request(f)
	}()
	return f
}

// request runs one request of the walk and decodes its page. It touches
// only f and what is safe to share.
func (w *walker) request(f *fetch) {
	defer close(f.ready)
	defer f.cancel()
	e, cc := w.e, w.cc
	data := maps.Clone(w.data)
	data["page"] = f.st.Vars()
	number := f.st.Number + 1
	lp := &listPage{st: f.st, cache: &w.cache, throttled: w.win.shrink}
	resp, err := e.do(f.ctx, w.op, cc, data, e.red, lp)
	if err != nil {
		f.err = err
		return
	}
	recs, err := e.pageRecords(w.op, cc, resp, number)
	if err != nil {
		f.err = err
		return
	}
	f.records, f.size = recs, len(resp.raw)
	if f.stop, err = matchAny(f.ctx, cc.stop, resp, data); err != nil {
		f.err = e.renderError(e.red, w.op, cc.name, err)
		return
	}
	if f.planned || (w.k > 1 && cc.pager.Plannable()) {
		f.body = resp.body // for the plan's totals
	}
	if f.planned {
		return
	}
	if err := cc.pager.Next(f.st, paging.Page{Body: resp.body, Header: resp.header, Records: len(recs), URL: resp.url, Stop: f.stop}); err != nil {
		f.pgErr = e.mask(&Error{Op: w.op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: %v", number, err)})
	}
}

// window is a walk's number of requests in flight: at most k, halved by
// every 429 or 503 and widened by 1/window for every page handed over
// (additive increase, multiplicative decrease).
type window struct {
	mu  sync.Mutex
	k   float64
	cur float64
}

func (w *window) init(k int) { w.k, w.cur = float64(k), float64(k) }

func (w *window) size() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return int(math.Floor(w.cur))
}

func (w *window) shrink() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cur = max(1, w.cur/2)
}

func (w *window) grow() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.cur = min(w.k, w.cur+1/w.cur)
}
