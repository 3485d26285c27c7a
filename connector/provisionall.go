package connector

import (
	"context"
	"iter"
	"sync"
)

// Outcome is the result of one request run by ProvisionAll.
type Outcome struct {
	Index   int // position of the request in the input sequence
	Request Request
	Result  Result
	Err     error // the request's own error; other requests go on
}

// ProvisionAll runs requests on c with up to workers running at once and
// yields one Outcome per request as it finishes (not in input order; use
// Outcome.Index), with the request's error as the second value. A failed
// request does not stop the others, so partial failures are visible one by
// one.
//
// Concurrency never exceeds the target's limits: every request goes through
// c, so an Engine's client-side rate limit (connector.WithRateLimit or the
// spec's connection.rateLimit), its pacing by the server's X-RateLimit
// headers (see WithRateLimit) and its 429 handling apply across all
// workers. With the client limit at the server's, ProvisionAll runs at
// that limit with (almost) no 429 responses (BenchmarkProvisionAtTheLimit).
//
// Breaking out of the loop stops new requests from starting: a worker takes
// its next request only after the loop body has accepted its last outcome.
// Requests already in flight on other workers are allowed to finish (a
// write cut off mid-flight would leave its outcome unknown) before the loop
// returns, and their outcomes are discarded. Cancelling ctx cancels requests
// in flight. If reqs blocks, the goroutine reading it is left waiting for
// its next element.
func ProvisionAll(ctx context.Context, c Connector, reqs iter.Seq[Request], workers int) iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		jobs := make(chan job)
		results := make(chan delivery)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range max(workers, 1) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				work(ctx, c, jobs, results, stop)
			}()
		}
		// The producer may block inside reqs; it is not waited for, so a
		// source that never yields again leaks only this goroutine.
		go feed(ctx, reqs, jobs, stop)
		go func() {
			wg.Wait()
			close(results)
		}()
		closeStop := sync.OnceFunc(func() { close(stop) })
		defer closeStop() // also when yield panics: release every worker
		for d := range results {
			more := yield(d.o, d.o.Err)
			if !more {
				closeStop()
			}
			d.next <- more
			if !more {
				wg.Wait() // requests in flight finish before ProvisionAll returns
				return
			}
		}
	}
}

// job is one request of ProvisionAll with its position in the input.
type job struct {
	i   int
	req Request
}

// delivery hands a worker's outcome to the consumer, who answers on next
// whether the worker may take another request: nothing new starts once the
// loop has been left.
type delivery struct {
	o    Outcome
	next chan bool
}

// feed numbers the requests and sends them to the workers until reqs ends,
// stop closes or ctx is done.
func feed(ctx context.Context, reqs iter.Seq[Request], jobs chan<- job, stop <-chan struct{}) {
	defer close(jobs)
	i := 0
	for r := range reqs {
		select {
		case jobs <- job{i, r}:
		case <-stop:
			return
		case <-ctx.Done():
			return
		}
		i++
	}
}

// work runs requests one at a time and delivers each outcome.
func work(ctx context.Context, c Connector, jobs <-chan job, results chan<- delivery, stop <-chan struct{}) {
	next := make(chan bool)
	for {
		var j job
		var ok bool
		select {
		case j, ok = <-jobs:
			if !ok {
				return
			}
		case <-stop:
			return
		}
		res, err := c.Provision(ctx, j.req)
		select {
		case results <- delivery{Outcome{Index: j.i, Request: j.req, Result: res, Err: err}, next}:
		case <-stop:
			return
		}
		if !<-next {
			return
		}
	}
}
