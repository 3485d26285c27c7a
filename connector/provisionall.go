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
// spec's connection.rateLimit) and its 429 handling apply across all
// workers.
//
// Breaking out of the loop stops new requests from starting; requests
// already sent are allowed to finish (a write cut off mid-flight would leave
// its outcome unknown), and their outcomes are discarded. Cancelling ctx
// cancels requests in flight.
func ProvisionAll(ctx context.Context, c Connector, reqs iter.Seq[Request], workers int) iter.Seq2[Outcome, error] {
	return func(yield func(Outcome, error) bool) {
		if workers < 1 {
			workers = 1
		}
		type job struct {
			i   int
			req Request
		}
		jobs := make(chan job)
		results := make(chan Outcome)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range jobs {
					res, err := c.Provision(ctx, j.req)
					results <- Outcome{Index: j.i, Request: j.req, Result: res, Err: err}
				}
			}()
		}
		go func() {
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
		}()
		go func() {
			wg.Wait()
			close(results)
		}()
		stopped := false
		for o := range results {
			if stopped {
				continue // drain what is in flight
			}
			if !yield(o, o.Err) {
				stopped = true
				close(stop)
			}
		}
	}
}
