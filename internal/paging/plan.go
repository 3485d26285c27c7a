package paging

import (
	"fmt"
	"net/url"
)

// Position is where a walk stands after a page: what the next request
// carries, and nothing else (no records, no loop-detection history). It is
// what a resume token stores.
type Position struct {
	Number int    // pages fetched so far
	URL    string // nextURL, link: the next page's absolute URL
	Cursor string // cursor: the cursor to send next
	Offset int    // offset, page, scim: the offset, page number or startIndex to send next
	Done   bool   // no page follows
}

// Position returns where s stands.
func (s *State) Position() Position {
	return Position{Number: s.Number, URL: s.URL, Cursor: s.Cursor, Offset: s.Offset, Done: s.Done}
}

// Resume returns a State that continues a walk at pos, as if the pages
// before it had just been fetched; the zero Position is the first page. The cursor or URL of pos counts as seen
// (a server that answers with it again is looping); the cursors seen before
// pos are not known any more. A position that cannot come from this
// strategy is an error. Resume does not check the host of pos.URL: the
// caller compares it with the call's own URL.
func (p *Pager) Resume(pos Position) (*State, error) {
	if pos.Number < 0 {
		return nil, fmt.Errorf("page number %d is negative", pos.Number)
	}
	s := p.Start()
	s.Number, s.Done = pos.Number, pos.Done
	if pos.Done || pos == (Position{}) {
		return s, nil // done, or the first page
	}
	switch p.cfg.Type {
	case "nextURL", "link":
		if pos.URL == "" {
			if pos.Number > 0 {
				return nil, fmt.Errorf("%s paging after page %d needs the next page's URL", p.cfg.Type, pos.Number)
			}
			return s, nil
		}
		u, err := url.Parse(pos.URL)
		if err != nil || !u.IsAbs() || u.Host == "" {
			return nil, fmt.Errorf("next-page URL %q is not an absolute URL", pos.URL)
		}
		s.URL = pos.URL
		s.seen[digestOf(urlKey(u))] = struct{}{}
	case "cursor":
		if pos.Cursor == "" {
			if pos.Number > 0 {
				return nil, fmt.Errorf("cursor paging after page %d needs a cursor", pos.Number)
			}
			return s, nil
		}
		s.Cursor = pos.Cursor
		s.seen[digestOf(pos.Cursor)] = struct{}{}
		p.set(s, p.cfg.Param, p.param, pos.Cursor)
	case "offset", "page", "scim":
		if pos.Offset < p.cfg.Start {
			return nil, fmt.Errorf("%s %d is before the first (%d)", p.cfg.Param, pos.Offset, p.cfg.Start)
		}
		s.Offset = pos.Offset
		p.set(s, p.cfg.Param, p.param, s.Offset)
	}
	return s, nil
}

// Plannable reports whether the strategy lets a walk know later pages
// before it has fetched them: offset and page with a total, and scim. Cursor
// and URL strategies learn each page's successor from the page itself.
func (p *Pager) Plannable() bool {
	switch p.cfg.Type {
	case "offset", "page", "scim":
		return p.total != nil
	}
	return false
}

// Plan lays out the requests of a walk whose pages are known in advance, so
// that several can be in flight at once. It starts from the walk's first
// page, which tells the total and how many records the server really puts
// on a page: a server that caps the page size below the size asked for
// (a SCIM server capping count, an offset API with its own maximum) sets
// the step, not the configuration.
//
// Each planned request wants Step records (offset, scim). The caller takes
// at most that many from its page (records beyond it belong to the next
// planned request) and asks Refill for the rest when the page comes back
// shorter before the end of the list: nothing is lost and nothing is read
// twice however the server sizes its pages. Page-number plans want whatever
// each page holds: the server defines its pages.
//
// A Plan is not safe for concurrent use; one goroutine lays out the
// requests of a walk.
type Plan struct {
	p      *Pager
	step   int // records per page (offset, scim); 1 for page
	next   int // position of the next request to lay out
	end    int // exclusive end position, from the latest total
	number int // pages laid out so far, the first included
	over   bool
}

// Request is one planned request.
type Request struct {
	State *State // what the request carries; the caller owns it
	At    int    // its position: offset, startIndex or page number
	Want  int    // records it contributes at most; 0: all it holds (page)
}

// Take returns how many of got records the request contributes.
func (r Request) Take(got int) int {
	if r.Want > 0 && got > r.Want {
		return r.Want
	}
	return got
}

// NewPlan starts a plan after the first page of a walk, fetched at
// position at (the number of pages fetched so far, that one included, is
// number). It returns nil when pg says nothing about the total or holds no
// records: such a walk goes on one page at a time.
func (p *Pager) NewPlan(at, number int, pg Page) (*Plan, error) {
	if !p.Plannable() || pg.Records == 0 || pg.Stop {
		return nil, nil
	}
	end, ok, err := p.end(pg.Body)
	if err != nil || !ok {
		return nil, err
	}
	pl := &Plan{p: p, step: 1, next: at + 1, end: end, number: number}
	if p.cfg.Type != "page" {
		pl.step = pg.Records
		pl.next = at + pg.Records
	}
	return pl, nil
}

// end reads the total of a page as an exclusive end position.
func (p *Pager) end(body any) (int, bool, error) {
	v, ok := p.total.Get(body)
	if !ok || v == nil {
		return 0, false, nil
	}
	total, err := toInt(v)
	if err != nil {
		return 0, false, fmt.Errorf("paging total at %q: %v", p.cfg.Total, err)
	}
	if p.cfg.Type == "scim" {
		return total + 1, true, nil // startIndex runs from 1 to totalResults
	}
	return p.cfg.Start + total, true, nil
}

// Step is the number of records a planned request asks for (1 for page
// numbers).
func (pl *Plan) Step() int { return pl.step }

// Next lays out the next request, or reports that the plan is exhausted.
// Exceeded tells whether it stopped at paging's maxPages with pages left.
func (pl *Plan) Next() (Request, bool) {
	if pl.next >= pl.end {
		return Request{}, false
	}
	if pl.number >= pl.p.cfg.MaxPages {
		pl.over = true
		return Request{}, false
	}
	r := pl.request(pl.next, pl.step)
	if pl.p.cfg.Type == "page" {
		r.Want = 0
	}
	pl.next += pl.step
	return r, true
}

// Exceeded reports whether the plan stopped at maxPages with pages left.
func (pl *Plan) Exceeded() bool { return pl.over }

// MaxPages is the page limit the plan stops at.
func (pl *Plan) MaxPages() int { return pl.p.cfg.MaxPages }

func (pl *Plan) request(at, want int) Request {
	s := pl.p.Start()
	s.Number = pl.number
	s.Offset = at
	pl.p.set(s, pl.p.cfg.Param, pl.p.param, at)
	pl.number++
	return Request{State: s, At: at, Want: want}
}

// Observe reads the total of a later page: a list that grew gets more
// requests, one that shrank fewer. Pages are observed in order.
func (pl *Plan) Observe(pg Page) error {
	end, ok, err := pl.p.end(pg.Body)
	if ok {
		pl.end = end
	}
	return err
}

// Refill returns the request for the records a page left out: r got got
// records (0 < got < r.Want) while the list goes on past them. ok is false
// when nothing is missing, or when maxPages forbids another request (then
// Exceeded is true).
func (pl *Plan) Refill(r Request, got int) (Request, bool) {
	if r.Want == 0 || got <= 0 || got >= r.Want || r.At+got >= pl.end {
		return Request{}, false
	}
	if pl.number >= pl.p.cfg.MaxPages {
		pl.over = true
		return Request{}, false
	}
	return pl.request(r.At+got, r.Want-got), true
}

// After returns the position after r's page, which contributed took
// records: where a walk resumed after it starts. Done is left to the
// caller, who knows whether requests follow.
func (pl *Plan) After(r Request, took int) Position {
	at := r.At + took
	if pl.p.cfg.Type == "page" {
		at = r.At + 1
	}
	return Position{Number: r.State.Number + 1, Offset: at}
}

// Ended reports whether position at is at or past the end of the list.
func (pl *Plan) Ended(at int) bool { return at >= pl.end }

// EmptyList reports whether body says the list is empty although it
// carries no records: a SCIM ListResponse may leave Resources out when
// totalResults is 0 (RFC 7644, section 3.4.2).
func (p *Pager) EmptyList(body any) bool {
	if p.cfg.Type != "scim" {
		return false
	}
	v, ok := p.total.Get(body)
	if !ok {
		return false
	}
	n, err := toInt(v)
	return err == nil && n == 0
}
