// Package paging walks the pages of a list call: it decides, from one
// response, what the next request must carry and when to stop.
//
// Strategies (Config.Type):
//
//	nextURL  the next page's URL is in the body at Path; absent, null or "" stops
//	link     the next page's URL is the Link header's rel="next" (RFC 8288)
//	cursor   an opaque cursor at Path is sent back in Param (query or body)
//	offset   Param (offset) advances by the records received; stops at Total or on a short page
//	page     Param (page number, first page Start: 0 or 1) advances by one; stops at Total pages or on a short page
//	scim     RFC 7644 startIndex/count, advancing by itemsPerPage until totalResults
//
// Every strategy stops on an empty page, fails on a cursor or URL seen
// before (a server that loops would otherwise never end an import) and fails
// after MaxPages pages, rather than silently returning a partial import.
//
// Next-page URLs are resolved against the request URL and must stay on the
// same scheme, host and port: a URL elsewhere is refused with
// ErrForeignHost, so credentials never travel to another host. Loop
// detection keeps a 128-bit digest of each cursor and URL, not the text: a
// server whose cursors are a megabyte each costs 16 bytes per page.
//
// A walk can stop and continue later: State.Position is where it stands
// after a page (small, no records) and Pager.Resume continues from one.
//
// Where the pages are known in advance (offset, page and scim with a
// total), a Plan lays out the requests after the first page so that a
// caller can send several at once; see Plan for how it loses nothing when a
// server returns fewer records than asked.
package paging

import (
	"errors"
	"fmt"
	"hash/maphash"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/jsonpath"
)

// DefaultMaxPages bounds an import when the spec sets no limit.
const DefaultMaxPages = 100000

// Errors reported by Next.
var (
	ErrRepeated    = errors.New("paging loop: the server returned a cursor or URL seen before")
	ErrMaxPages    = errors.New("page limit reached")
	ErrForeignHost = errors.New("next-page URL points to a different host")
)

// Config describes a strategy. Zero sizes and params take the defaults of
// the strategy (see Defaults).
type Config struct {
	Type      string // nextURL, link, cursor, offset, page, scim
	Path      string // nextURL, cursor: where the next URL or cursor is in the body
	Param     string // cursor, offset, page, scim: the parameter to send
	In        string // "query" (default) or "body": where Param goes
	SizeParam string // the page size parameter, if any
	Size      int    // the page size to ask for
	Start     int    // page: number of the first page (0 or 1); offset: first offset
	Total     string // offset: path to the total of records; page: path to the total of pages; scim: totalResults
	MaxPages  int
}

// Pager is a compiled Config; it is immutable.
type Pager struct {
	cfg   Config
	path  *jsonpath.Path
	total *jsonpath.Path
	param *jsonpath.Path // body placement
	size  *jsonpath.Path
	ipp   *jsonpath.Path // scim itemsPerPage
}

// New checks and compiles cfg.
func New(cfg Config) (*Pager, error) {
	p := &Pager{cfg: cfg}
	var err error
	switch cfg.Type {
	case "nextURL", "cursor":
		if cfg.Path == "" {
			return nil, fmt.Errorf("paging %s needs a path", cfg.Type)
		}
		if cfg.Type == "cursor" && cfg.Param == "" {
			return nil, fmt.Errorf("paging cursor needs a param")
		}
	case "link":
	case "offset":
		if p.cfg.Param == "" {
			p.cfg.Param = "offset"
		}
	case "page":
		if p.cfg.Param == "" {
			p.cfg.Param = "page"
		}
		if cfg.Start != 0 && cfg.Start != 1 {
			return nil, fmt.Errorf("paging page: start must be 0 or 1, not %d", cfg.Start)
		}
	case "scim":
		if p.cfg.Param == "" {
			p.cfg.Param = "startIndex"
		}
		if p.cfg.SizeParam == "" {
			p.cfg.SizeParam = "count"
		}
		if p.cfg.Total == "" {
			p.cfg.Total = "totalResults"
		}
		if p.cfg.Start == 0 {
			p.cfg.Start = 1
		}
		p.ipp = jsonpath.MustCompile("itemsPerPage")
	default:
		return nil, fmt.Errorf("unknown paging type %q: want nextURL, link, cursor, offset, page or scim", cfg.Type)
	}
	switch cfg.In {
	case "", "query", "body":
	default:
		return nil, fmt.Errorf("paging in %q: want query or body", cfg.In)
	}
	if cfg.Size < 0 || cfg.MaxPages < 0 {
		return nil, fmt.Errorf("paging size and maxPages must not be negative")
	}
	if p.cfg.SizeParam != "" && p.cfg.Size == 0 && cfg.Type != "scim" {
		return nil, fmt.Errorf("paging sizeParam %q needs a size", p.cfg.SizeParam)
	}
	if cfg.Type == "scim" && p.cfg.Size == 0 {
		p.cfg.Size = 100
	}
	if p.cfg.MaxPages == 0 {
		p.cfg.MaxPages = DefaultMaxPages
	}
	if cfg.Path != "" {
		if p.path, err = jsonpath.Compile(cfg.Path); err != nil {
			return nil, err
		}
	}
	if p.cfg.Total != "" {
		if p.total, err = jsonpath.Compile(p.cfg.Total); err != nil {
			return nil, err
		}
	}
	if cfg.In == "body" {
		if p.param, err = jsonpath.Compile(p.cfg.Param); err != nil {
			return nil, err
		}
		if p.cfg.SizeParam != "" {
			if p.size, err = jsonpath.Compile(p.cfg.SizeParam); err != nil {
				return nil, err
			}
		}
	}
	return p, nil
}

// State is the position of one walk. Create it with Start.
type State struct {
	Number int               // pages fetched so far
	URL    string            // when set, the next request goes to this absolute URL as it is
	Query  map[string]string // parameters to set on the next request's query
	Body   map[*jsonpath.Path]any
	Done   bool
	Cursor string // the last cursor (cursor strategy)
	Offset int    // offset, page number or startIndex sent with the next request

	seen map[digest]struct{} // cursors and URLs seen in this walk
}

// digest identifies a cursor or URL in loop detection: 128 bits from two
// independently seeded hashes, so that memory per page is fixed whatever
// the length of the cursor, and two different cursors colliding is not a
// practical concern (the seeds are random per process).
type digest [2]uint64

var seeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

func digestOf(s string) digest {
	return digest{maphash.String(seeds[0], s), maphash.String(seeds[1], s)}
}

// Vars returns the state as the .page template variable.
func (s *State) Vars() map[string]any {
	return map[string]any{"number": s.Number + 1, "cursor": s.Cursor, "offset": s.Offset, "url": s.URL}
}

// Start returns the state for the first request.
func (p *Pager) Start() *State {
	s := &State{Query: map[string]string{}, Body: map[*jsonpath.Path]any{}, seen: map[digest]struct{}{}}
	switch p.cfg.Type {
	case "offset", "page", "scim":
		s.Offset = p.cfg.Start
		p.set(s, p.cfg.Param, p.param, s.Offset)
	}
	if p.cfg.SizeParam != "" {
		p.set(s, p.cfg.SizeParam, p.size, p.cfg.Size)
	}
	return s
}

func (p *Pager) set(s *State, name string, bodyPath *jsonpath.Path, v any) {
	if p.cfg.In == "body" {
		s.Body[bodyPath] = v
		return
	}
	switch v := v.(type) {
	case int:
		s.Query[name] = strconv.Itoa(v)
	case string:
		s.Query[name] = v
	}
}

// Page is what Next needs of a response.
type Page struct {
	Body    any
	Header  http.Header
	Records int
	URL     *url.URL // the URL that was requested
	Stop    bool     // the spec's stop conditions matched
}

// Next advances s past pg. It sets s.Done when there are no more pages.
func (p *Pager) Next(s *State, pg Page) error {
	s.Number++
	if pg.Stop || pg.Records == 0 {
		s.Done = true
		return nil
	}
	switch p.cfg.Type {
	case "nextURL", "link":
		// The page just fetched counts as seen, so a link back to it (or
		// to the first page) is a loop, not a page to import again.
		s.seen[digestOf(urlKey(pg.URL))] = struct{}{}
		var next string
		if p.cfg.Type == "link" {
			next = ParseLink(pg.Header.Values("Link"))["next"]
		} else if v, ok := p.path.Get(pg.Body); ok {
			next, _ = v.(string)
		}
		if next == "" {
			s.Done = true
			return nil
		}
		u, err := pg.URL.Parse(next)
		if err != nil {
			return fmt.Errorf("next-page URL %q: %w", next, err)
		}
		if !httpx.SameHost(pg.URL, u) {
			return fmt.Errorf("%w: %s", ErrForeignHost, u.Host)
		}
		if err := p.remember(s, urlKey(u)); err != nil {
			return err
		}
		s.URL = u.String()
	case "cursor":
		v, ok := p.path.Get(pg.Body)
		c, _ := v.(string)
		if n, isNum := v.(interface{ String() string }); isNum && c == "" {
			c = n.String()
		}
		if !ok || c == "" {
			s.Done = true
			return nil
		}
		if err := p.remember(s, c); err != nil {
			return err
		}
		s.Cursor = c
		p.set(s, p.cfg.Param, p.param, c)
	case "offset", "page", "scim":
		if p.cfg.SizeParam != "" && pg.Records < p.cfg.Size && p.total == nil {
			s.Done = true // a short page is the last
			return nil
		}
		switch p.cfg.Type {
		case "offset":
			s.Offset += pg.Records
		case "page":
			s.Offset++
		case "scim":
			step := pg.Records
			if v, ok := p.ipp.Get(pg.Body); ok {
				if n, err := toInt(v); err == nil && n > 0 {
					step = n
				}
			}
			s.Offset += step
		}
		if p.total != nil {
			if v, ok := p.total.Get(pg.Body); ok {
				total, err := toInt(v)
				if err != nil {
					return fmt.Errorf("paging total at %q: %v", p.cfg.Total, err)
				}
				switch p.cfg.Type {
				case "offset":
					s.Done = s.Offset-p.cfg.Start >= total
				case "page":
					s.Done = s.Offset-p.cfg.Start >= total
				case "scim":
					s.Done = s.Offset > total
				}
			}
		}
		if s.Done {
			return nil
		}
		p.set(s, p.cfg.Param, p.param, s.Offset)
	}
	if s.Number >= p.cfg.MaxPages {
		return fmt.Errorf("%w: more than %d pages", ErrMaxPages, p.cfg.MaxPages)
	}
	return nil
}

// urlKey identifies a page URL whatever the order of its query parameters.
func urlKey(u *url.URL) string {
	if u == nil {
		return ""
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.EscapedPath() + "?" + u.Query().Encode()
}

func (p *Pager) remember(s *State, key string) error {
	d := digestOf(key)
	if _, dup := s.seen[d]; dup {
		return ErrRepeated
	}
	s.seen[d] = struct{}{}
	return nil
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case float64:
		return int(x), nil
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case string:
		return strconv.Atoi(x)
	case interface{ Int64() (int64, error) }:
		n, err := x.Int64()
		return int(n), err
	}
	return 0, fmt.Errorf("not a number: %v", v)
}
