package main

import (
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/restconn/restconn/connector"
)

// progress is the line an import shows on a terminal: a spinner, records,
// pages, the rate and the elapsed time. A nil *progress shows nothing.
type progress struct {
	bar   *progressbar.ProgressBar
	what  string
	pages atomic.Int64
}

func newProgress(w io.Writer, what string) *progress {
	p := &progress{what: what}
	p.bar = progressbar.NewOptions64(-1, // unknown total: a spinner
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(p.description()),
		progressbar.OptionShowCount(),
		progressbar.OptionShowTotalBytes(false),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("records"),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetRenderBlankState(true),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	return p
}

func (p *progress) description() string {
	n := p.pages.Load()
	unit := "pages"
	if n == 1 {
		unit = "page"
	}
	return fmt.Sprintf("%s: %d %s", p.what, n, unit)
}

func (p *progress) record() {
	if p != nil {
		_ = p.bar.Add(1)
	}
}

// pageCounter returns a trace observer that counts the pages of the
// spec's list calls: successful attempts of those calls (retries and
// refused attempts are not pages).
func (p *progress) pageCounter(spec *connector.Spec) func(connector.Trace) {
	lists := map[string]bool{}
	info := describe(spec)
	if a := info.Accounts; a != nil {
		for _, l := range append(a.Sources, a.Incremental...) {
			lists[l.Call] = true
		}
	}
	for _, e := range info.Entitlements {
		for _, l := range e.Sources {
			lists[l.Call] = true
		}
	}
	return func(tr connector.Trace) {
		if lists[tr.Call] && tr.Err == nil && tr.StatusCode >= 200 && tr.StatusCode < 300 {
			p.pages.Add(1)
			p.bar.Describe(p.description())
		}
	}
}

// finish draws the final line and ends the spinner.
func (p *progress) finish() {
	if p != nil {
		_ = p.bar.Finish()
	}
}
