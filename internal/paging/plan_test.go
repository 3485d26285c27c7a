package paging_test

import (
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/internal/paging"
)

func TestPlannable(t *testing.T) {
	for _, tt := range []struct {
		cfg  paging.Config
		want bool
	}{
		{paging.Config{Type: "offset", Total: "total"}, true},
		{paging.Config{Type: "offset"}, false},
		{paging.Config{Type: "page", Total: "pages"}, true},
		{paging.Config{Type: "page"}, false},
		{paging.Config{Type: "scim"}, true}, // totalResults by default
		{paging.Config{Type: "cursor", Path: "next", Param: "c"}, false},
		{paging.Config{Type: "nextURL", Path: "next"}, false},
		{paging.Config{Type: "link"}, false},
	} {
		p, err := paging.New(tt.cfg)
		require.NoError(t, err)
		assert.Equal(t, tt.want, p.Plannable(), "%+v", tt.cfg)
	}
}

// layout lays out every request of a plan.
func layout(pl *paging.Plan) (at []int, want []int) {
	for {
		r, ok := pl.Next()
		if !ok {
			return at, want
		}
		at = append(at, r.At)
		want = append(want, r.Want)
	}
}

func TestPlanOffsetFromWhatTheServerReturned(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "offset", SizeParam: "limit", Size: 10, Total: "total"})
	require.NoError(t, err)
	// The server caps pages at 4: the plan steps by 4, not by the 10 asked.
	pl, err := p.NewPlan(0, 1, paging.Page{Body: map[string]any{"total": 11}, Records: 4})
	require.NoError(t, err)
	require.NotNil(t, pl)
	assert.Equal(t, 4, pl.Step())
	at, want := layout(pl)
	assert.Equal(t, []int{4, 8}, at)
	assert.Equal(t, []int{4, 4}, want)
	assert.False(t, pl.Exceeded())
}

func TestPlanRequestsCarryTheirPosition(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "offset", Param: "skip", SizeParam: "take", Size: 2, Total: "n"})
	require.NoError(t, err)
	pl, err := p.NewPlan(0, 1, paging.Page{Body: map[string]any{"n": "5"}, Records: 2})
	require.NoError(t, err)
	r, ok := pl.Next()
	require.True(t, ok)
	assert.Equal(t, map[string]string{"skip": "2", "take": "2"}, r.State.Query)
	assert.Equal(t, 2, r.State.Vars()["number"], "the second page")
	r2, ok := pl.Next()
	require.True(t, ok)
	assert.Equal(t, "4", r2.State.Query["skip"])
	assert.Equal(t, "2", r.State.Query["skip"], "requests do not share state")
}

func TestPlanRefillsShortPages(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "scim", Size: 100})
	require.NoError(t, err)
	pl, err := p.NewPlan(1, 1, paging.Page{Body: map[string]any{"totalResults": 10}, Records: 3})
	require.NoError(t, err)
	at, _ := layout(pl)
	assert.Equal(t, []int{4, 7, 10}, at)

	// startIndex 4 came back with 1 record: 5 and 6 are still missing.
	r := paging.Request{State: p.Start(), At: 4, Want: 3}
	gap, ok := pl.Refill(r, 1)
	require.True(t, ok)
	assert.Equal(t, 5, gap.At)
	assert.Equal(t, 2, gap.Want)
	assert.Equal(t, "5", gap.State.Query["startIndex"])
	assert.Equal(t, paging.Position{Number: 1, Offset: 5}, pl.After(r, 1))

	// A refill that returns more than it wants contributes only what is missing.
	assert.Equal(t, 2, gap.Take(3))
	// Nothing is missing after a full page, or after the end of the list.
	_, ok = pl.Refill(r, 3)
	assert.False(t, ok)
	_, ok = pl.Refill(paging.Request{State: p.Start(), At: 10, Want: 3}, 1)
	assert.False(t, ok, "startIndex 10 is the last of 10")
	_, ok = pl.Refill(r, 0)
	assert.False(t, ok, "an empty page ends the walk; it is not refilled")
}

func TestPlanPageNumbers(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "page", Start: 1, SizeParam: "per_page", Size: 50, Total: "total_pages"})
	require.NoError(t, err)
	pl, err := p.NewPlan(1, 1, paging.Page{Body: map[string]any{"total_pages": 4}, Records: 20})
	require.NoError(t, err)
	at, want := layout(pl)
	assert.Equal(t, []int{2, 3, 4}, at)
	assert.Equal(t, []int{0, 0, 0}, want, "a page holds what the server puts on it")
	r := paging.Request{State: p.Start(), At: 2}
	_, ok := pl.Refill(r, 5)
	assert.False(t, ok, "page numbers have no gaps")
	assert.Equal(t, 3, pl.After(r, 5).Offset)
}

func TestPlanFollowsTheTotal(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "offset", SizeParam: "limit", Size: 5, Total: "total"})
	require.NoError(t, err)
	pl, err := p.NewPlan(0, 1, paging.Page{Body: map[string]any{"total": 10}, Records: 5})
	require.NoError(t, err)
	r, ok := pl.Next()
	require.True(t, ok)
	assert.Equal(t, 5, r.At)
	_, ok = pl.Next()
	assert.False(t, ok)
	require.NoError(t, pl.Observe(paging.Page{Body: map[string]any{"total": 17}}))
	at, _ := layout(pl)
	assert.Equal(t, []int{10, 15}, at, "the list grew")
	require.NoError(t, pl.Observe(paging.Page{Body: map[string]any{"total": 12}}))
	assert.True(t, pl.Ended(12))
	assert.False(t, pl.Ended(11))
	assert.ErrorContains(t, pl.Observe(paging.Page{Body: map[string]any{"total": "many"}}), "paging total")
}

func TestPlanStopsAtMaxPages(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "offset", SizeParam: "limit", Size: 2, Total: "total", MaxPages: 3})
	require.NoError(t, err)
	pl, err := p.NewPlan(0, 1, paging.Page{Body: map[string]any{"total": 100}, Records: 2})
	require.NoError(t, err)
	at, _ := layout(pl)
	assert.Equal(t, []int{2, 4}, at)
	assert.True(t, pl.Exceeded())
	assert.Equal(t, 3, pl.MaxPages())
}

func TestNoPlanWithoutATotal(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "offset", SizeParam: "limit", Size: 2, Total: "total"})
	require.NoError(t, err)
	for name, pg := range map[string]paging.Page{
		"no total":   {Body: map[string]any{}, Records: 2},
		"null total": {Body: map[string]any{"total": nil}, Records: 2},
		"empty page": {Body: map[string]any{"total": 9}, Records: 0},
		"stop rule":  {Body: map[string]any{"total": 9}, Records: 2, Stop: true},
	} {
		pl, err := p.NewPlan(0, 1, pg)
		assert.NoError(t, err, name)
		assert.Nil(t, pl, name)
	}
	p, err = paging.New(paging.Config{Type: "cursor", Path: "next", Param: "c"})
	require.NoError(t, err)
	pl, err := p.NewPlan(0, 1, paging.Page{Body: map[string]any{"next": "x"}, Records: 2})
	assert.NoError(t, err)
	assert.Nil(t, pl)
}

func TestResume(t *testing.T) {
	u, _ := url.Parse(base)
	tests := []struct {
		name  string
		cfg   paging.Config
		body  map[string]any
		link  string
		query map[string]string
	}{
		{"cursor", paging.Config{Type: "cursor", Path: "next", Param: "after", SizeParam: "limit", Size: 3}, map[string]any{"next": "c2"}, "", q("after", "c2", "limit", "3")},
		{"nextURL", paging.Config{Type: "nextURL", Path: "next"}, map[string]any{"next": "/v1/users?page=2"}, "", q()},
		{"link", paging.Config{Type: "link"}, nil, `</v1/users?page=2>; rel="next"`, q()},
		{"offset", paging.Config{Type: "offset", SizeParam: "limit", Size: 3}, map[string]any{}, "", q("offset", "3", "limit", "3")},
		{"page", paging.Config{Type: "page", Start: 1}, map[string]any{}, "", q("page", "2")},
		{"scim", paging.Config{Type: "scim", Size: 3}, map[string]any{"totalResults": 9}, "", q("startIndex", "4", "count", "3")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := paging.New(tt.cfg)
			require.NoError(t, err)
			s := p.Start()
			h := map[string][]string{}
			if tt.link != "" {
				h["Link"] = []string{tt.link}
			}
			require.NoError(t, p.Next(s, paging.Page{Body: tt.body, Header: h, Records: 3, URL: u}))
			pos := s.Position()
			assert.Equal(t, 1, pos.Number)
			r, err := p.Resume(pos)
			require.NoError(t, err)
			assert.Equal(t, s.Query, r.Query)
			assert.Equal(t, tt.query, r.Query)
			assert.Equal(t, s.URL, r.URL)
			assert.Equal(t, s.Vars(), r.Vars())
			assert.Equal(t, pos, r.Position())
		})
	}
}

func TestResumeRemembersTheCursor(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "cursor", Path: "next", Param: "c"})
	require.NoError(t, err)
	s, err := p.Resume(paging.Position{Number: 4, Cursor: "abc"})
	require.NoError(t, err)
	assert.ErrorIs(t, p.Next(s, paging.Page{Body: map[string]any{"next": "abc"}, Records: 1}), paging.ErrRepeated)

	p, err = paging.New(paging.Config{Type: "nextURL", Path: "next"})
	require.NoError(t, err)
	s, err = p.Resume(paging.Position{Number: 4, URL: "https://api.example.com/v1/users?page=5"})
	require.NoError(t, err)
	u, _ := url.Parse(s.URL)
	assert.ErrorIs(t, p.Next(s, paging.Page{Body: map[string]any{"next": "/v1/users?page=5"}, Records: 1, URL: u}), paging.ErrRepeated)
}

func TestResumeRefusesImpossiblePositions(t *testing.T) {
	for _, tt := range []struct {
		cfg paging.Config
		pos paging.Position
		err string
	}{
		{paging.Config{Type: "cursor", Path: "n", Param: "c"}, paging.Position{Number: 2}, "needs a cursor"},
		{paging.Config{Type: "nextURL", Path: "n"}, paging.Position{Number: 2}, "needs the next page's URL"},
		{paging.Config{Type: "link"}, paging.Position{Number: 2, URL: "/relative"}, "not an absolute URL"},
		{paging.Config{Type: "scim"}, paging.Position{Number: 2, Offset: 0}, "before the first"},
		{paging.Config{Type: "page", Start: 1}, paging.Position{Number: 2, Offset: -3}, "before the first"},
		{paging.Config{Type: "offset"}, paging.Position{Number: -1}, "negative"},
	} {
		p, err := paging.New(tt.cfg)
		require.NoError(t, err)
		_, err = p.Resume(tt.pos)
		assert.ErrorContains(t, err, tt.err, "%+v", tt.pos)
	}
	p, err := paging.New(paging.Config{Type: "cursor", Path: "n", Param: "c"})
	require.NoError(t, err)
	s, err := p.Resume(paging.Position{Number: 7, Done: true})
	require.NoError(t, err)
	assert.True(t, s.Done)
}

// Loop detection keeps a digest per cursor: a walk over pages whose
// cursors are a megabyte each does not hold on to them.
func TestLoopDetectionKeepsDigestsNotCursors(t *testing.T) {
	const pages, size = 64, 1 << 20
	p, err := paging.New(paging.Config{Type: "cursor", Path: "next", Param: "c"})
	require.NoError(t, err)
	s := p.Start()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	pad := strings.Repeat("x", size)
	for i := range pages {
		c := strconv.Itoa(i) + pad // a new megabyte-long string per page
		require.NoError(t, p.Next(s, paging.Page{Body: map[string]any{"next": c}, Records: 1}))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	assert.Less(t, grew, int64(4*size), "the walk kept %d MiB after %d one-megabyte cursors", grew>>20, pages)
	assert.ErrorIs(t, p.Next(s, paging.Page{Body: map[string]any{"next": "5" + pad}, Records: 1}), paging.ErrRepeated)
}
