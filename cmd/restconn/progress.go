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
	what  string
	bar   *progressbar.ProgressBar
	lists map[string]bool // names of the list calls, whose pages are counted
	pages atomic.Int64
}

// observer returns the trace observer that counts pages, for building the
// engine; start must be called before the import begins.
func (p *progress) observer() func(connector.Trace) {
	if p == nil {
		return nil
	}
	return p.observe
}

// start draws the line on w. The pages counted are the successful
// attempts of the spec's list calls, those made per record (membersFrom,
// entitlementsFrom) included; retries and refused attempts are not pages.
func (p *progress) start(w io.Writer, spec *connector.Spec) {
	if p == nil {
		return
	}
	p.lists = map[string]bool{}
	info := describe(spec)
	if a := info.Accounts; a != nil {
		for _, l := range append(a.Sources, a.Incremental...) {
			p.lists[l.Call] = true
		}
		for _, l := range a.EntitlementsFrom {
			p.lists[l.Call] = true
		}
	}
	for _, e := range info.Entitlements {
		for _, l := range e.Sources {
			p.lists[l.Call] = true
		}
		if e.MembersFrom != nil {
			p.lists[e.MembersFrom.Call] = true
		}
	}
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
}

func (p *progress) observe(tr connector.Trace) {
	if p.lists[tr.Call] && tr.Err == nil && tr.StatusCode >= 200 && tr.StatusCode < 300 {
		p.pages.Add(1)
		p.bar.Describe(p.description())
	}
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

// finish draws the final line and ends the spinner.
func (p *progress) finish() {
	if p != nil {
		_ = p.bar.Finish()
	}
}
