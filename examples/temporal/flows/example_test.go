package flows_test

import (
	"fmt"
	"time"

	"github.com/restconn/restconn/examples/temporal/flows"
)

// The waits between ticket polls: 30 seconds, each half as long again as
// the one before, up to 15 minutes; a ticket worked after two days is
// polled about 200 times.
func ExampleAwaitPolicy_Next() {
	var p flows.AwaitPolicy // the defaults
	var at time.Duration
	wait := p.Next(0)
	for i := 1; i <= 12; i++ {
		at += wait
		fmt.Printf("poll %2d after %-16v at %v\n", i, wait, at.Round(time.Second))
		wait = p.Next(wait)
	}
	// Output:
	// poll  1 after 30s              at 30s
	// poll  2 after 45s              at 1m15s
	// poll  3 after 1m7.5s           at 2m23s
	// poll  4 after 1m41.25s         at 4m4s
	// poll  5 after 2m31.875s        at 6m36s
	// poll  6 after 3m47.8125s       at 10m23s
	// poll  7 after 5m41.71875s      at 16m5s
	// poll  8 after 8m32.578125s     at 24m38s
	// poll  9 after 12m48.8671875s   at 37m27s
	// poll 10 after 15m0s            at 52m27s
	// poll 11 after 15m0s            at 1h7m27s
	// poll 12 after 15m0s            at 1h22m27s
}
