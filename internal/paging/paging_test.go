package paging_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/internal/paging"
)

const base = "https://api.example.com/v1/users?limit=3"

// resp is one response of a walk: what the server answered to the request
// the State described.
type resp struct {
	body    string   // JSON, decoded with UseNumber as the engine does
	link    []string // Link header values
	records int
	stop    bool
}

// req is what the State says the next request must carry.
type req struct {
	url    string            // State.URL ("" while the call's own URL is used)
	query  map[string]string // State.Query
	body   map[string]any    // State.Body, keyed by path text
	cursor string
	offset int
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	if s == "" {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

func snapshot(s *paging.State) req {
	r := req{url: s.URL, query: map[string]string{}, body: map[string]any{}, cursor: s.Cursor, offset: s.Offset}
	for k, v := range s.Query {
		r.query[k] = v
	}
	for p, v := range s.Body {
		r.body[p.String()] = v
	}
	return r
}

// walk feeds the responses to a pager and records the request before each
// of them. It stops at Done or at the first error.
func walk(t *testing.T, p *paging.Pager, resps []resp) (reqs []req, done bool, err error) {
	t.Helper()
	s := p.Start()
	for i, r := range resps {
		reqs = append(reqs, snapshot(s))
		requested := base
		if s.URL != "" {
			requested = s.URL
		}
		u, perr := url.Parse(requested)
		require.NoError(t, perr)
		h := http.Header{}
		for _, l := range r.link {
			h.Add("Link", l)
		}
		if err := p.Next(s, paging.Page{Body: decodeJSON(t, r.body), Header: h, Records: r.records, URL: u, Stop: r.stop}); err != nil {
			return reqs, s.Done, err
		}
		assert.Equal(t, i+1, s.Number, "pages fetched")
		if s.Done {
			require.Equal(t, len(resps)-1, i, "walk ended before the last response")
			return reqs, true, nil
		}
	}
	return reqs, s.Done, nil
}

func q(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		cfg     paging.Config
		wantErr string
	}{
		{"nextURL", paging.Config{Type: "nextURL", Path: "next"}, ""},
		{"nextURL without path", paging.Config{Type: "nextURL"}, "needs a path"},
		{"link", paging.Config{Type: "link"}, ""},
		{"cursor", paging.Config{Type: "cursor", Path: "meta.next", Param: "cursor"}, ""},
		{"cursor without path", paging.Config{Type: "cursor", Param: "cursor"}, "needs a path"},
		{"cursor without param", paging.Config{Type: "cursor", Path: "next"}, "needs a param"},
		{"cursor in body", paging.Config{Type: "cursor", Path: "next", Param: "page.after", In: "body"}, ""},
		{"offset defaults", paging.Config{Type: "offset"}, ""},
		{"page start 0", paging.Config{Type: "page", Start: 0}, ""},
		{"page start 1", paging.Config{Type: "page", Start: 1}, ""},
		{"page start 2", paging.Config{Type: "page", Start: 2}, "start must be 0 or 1"},
		{"scim defaults", paging.Config{Type: "scim"}, ""},
		{"unknown type", paging.Config{Type: "token"}, "unknown paging type"},
		{"empty type", paging.Config{}, "unknown paging type"},
		{"bad in", paging.Config{Type: "offset", In: "header"}, "want query or body"},
		{"negative size", paging.Config{Type: "offset", Size: -1}, "must not be negative"},
		{"negative maxPages", paging.Config{Type: "offset", MaxPages: -1}, "must not be negative"},
		{"sizeParam without size", paging.Config{Type: "offset", SizeParam: "limit"}, "needs a size"},
		{"scim sizeParam without size", paging.Config{Type: "scim", SizeParam: "count"}, ""},
		{"bad path", paging.Config{Type: "nextURL", Path: "a..b"}, "empty key"},
		{"bad total", paging.Config{Type: "offset", Total: "a["}, "missing ']'"},
		{"bad body param", paging.Config{Type: "offset", Param: "a..b", In: "body"}, "empty key"},
		{"bad body size param", paging.Config{Type: "offset", SizeParam: "x]", Size: 3, In: "body"}, "unexpected ']'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := paging.New(tt.cfg)
			if tt.wantErr == "" {
				require.NoError(t, err)
				require.NotNil(t, p)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Nil(t, p)
		})
	}
}

func TestWalk(t *testing.T) {
	tests := []struct {
		name    string
		cfg     paging.Config
		resps   []resp
		want    []req // the request before each response
		wantErr error // errors.Is target; nil (and no errText): the walk must end Done
		errText string
	}{
		{
			name: "nextURL relative then absolute then null",
			cfg:  paging.Config{Type: "nextURL", Path: "paging.next"},
			resps: []resp{
				{body: `{"paging":{"next":"/v1/users?after=3"}}`, records: 3},
				{body: `{"paging":{"next":"https://api.example.com/v1/users?after=6"}}`, records: 3},
				{body: `{"paging":{"next":null}}`, records: 1},
			},
			want: []req{
				{query: q()},
				{url: "https://api.example.com/v1/users?after=3", query: q()},
				{url: "https://api.example.com/v1/users?after=6", query: q()},
			},
		},
		{
			name:  "nextURL empty string stops",
			cfg:   paging.Config{Type: "nextURL", Path: "next"},
			resps: []resp{{body: `{"next":""}`, records: 3}},
			want:  []req{{query: q()}},
		},
		{
			name:  "nextURL absent stops",
			cfg:   paging.Config{Type: "nextURL", Path: "next"},
			resps: []resp{{body: `{"data":[]}`, records: 3}},
			want:  []req{{query: q()}},
		},
		{
			name: "nextURL with size param: only the first request carries it",
			cfg:  paging.Config{Type: "nextURL", Path: "next", SizeParam: "limit", Size: 50},
			resps: []resp{
				{body: `{"next":"?page=2&limit=50"}`, records: 50},
				{body: `{}`, records: 10},
			},
			want: []req{
				{query: q("limit", "50")},
				{url: "https://api.example.com/v1/users?page=2&limit=50", query: q("limit", "50")},
			},
		},
		{
			name: "nextURL resolved against a relative path",
			cfg:  paging.Config{Type: "nextURL", Path: "next"},
			resps: []resp{
				{body: `{"next":"users?page=2"}`, records: 1},
				{body: `{}`, records: 0},
			},
			want: []req{{query: q()}, {url: "https://api.example.com/v1/users?page=2", query: q()}},
		},
		{
			name: "nextURL on another host is refused",
			cfg:  paging.Config{Type: "nextURL", Path: "next"},
			resps: []resp{
				{body: `{"next":"https://evil.example.net/v1/users?page=2"}`, records: 3},
			},
			want:    []req{{query: q()}},
			wantErr: paging.ErrForeignHost,
			errText: "evil.example.net",
		},
		{
			name:    "nextURL on another port is refused",
			cfg:     paging.Config{Type: "nextURL", Path: "next"},
			resps:   []resp{{body: `{"next":"https://api.example.com:8443/v1/users?page=2"}`, records: 3}},
			want:    []req{{query: q()}},
			wantErr: paging.ErrForeignHost,
		},
		{
			name:    "nextURL with another scheme is refused",
			cfg:     paging.Config{Type: "nextURL", Path: "next"},
			resps:   []resp{{body: `{"next":"http://api.example.com/v1/users?page=2"}`, records: 3}},
			want:    []req{{query: q()}},
			wantErr: paging.ErrForeignHost,
		},
		{
			name:    "nextURL protocol-relative to another host is refused",
			cfg:     paging.Config{Type: "nextURL", Path: "next"},
			resps:   []resp{{body: `{"next":"//evil.example.net/v1/users"}`, records: 3}},
			want:    []req{{query: q()}},
			wantErr: paging.ErrForeignHost,
		},
		{
			name:    "nextURL with userinfo trick is refused",
			cfg:     paging.Config{Type: "nextURL", Path: "next"},
			resps:   []resp{{body: `{"next":"https://api.example.com@evil.example.net/v1/users"}`, records: 3}},
			want:    []req{{query: q()}},
			wantErr: paging.ErrForeignHost,
		},
		{
			name: "nextURL same host with explicit default port and other case is allowed",
			cfg:  paging.Config{Type: "nextURL", Path: "next"},
			resps: []resp{
				{body: `{"next":"https://API.example.com:443/v1/users?page=2"}`, records: 3},
				{body: `{}`, records: 1},
			},
			want: []req{{query: q()}, {url: "https://API.example.com:443/v1/users?page=2", query: q()}},
		},
		{
			name: "nextURL repeated fails",
			cfg:  paging.Config{Type: "nextURL", Path: "next"},
			resps: []resp{
				{body: `{"next":"/v1/users?page=2"}`, records: 3},
				{body: `{"next":"/v1/users?page=3"}`, records: 3},
				{body: `{"next":"/v1/users?page=2"}`, records: 3},
			},
			want: []req{
				{query: q()},
				{url: "https://api.example.com/v1/users?page=2", query: q()},
				{url: "https://api.example.com/v1/users?page=3", query: q()},
			},
			wantErr: paging.ErrRepeated,
		},
		{
			name: "link header absolute and relative",
			cfg:  paging.Config{Type: "link"},
			resps: []resp{
				{link: []string{`<https://api.example.com/v1/users?page=2>; rel="next", <https://api.example.com/v1/users?page=9>; rel="last"`}, records: 3},
				{link: []string{`</v1/users?page=3>; rel="next"`, `</v1/users?page=1>; rel="first"`}, records: 3},
				{link: []string{`</v1/users?page=2>; rel="prev"`}, records: 3},
			},
			want: []req{
				{query: q()},
				{url: "https://api.example.com/v1/users?page=2", query: q()},
				{url: "https://api.example.com/v1/users?page=3", query: q()},
			},
		},
		{
			name:  "link header without next stops",
			cfg:   paging.Config{Type: "link"},
			resps: []resp{{records: 3}},
			want:  []req{{query: q()}},
		},
		{
			name:    "link header to another host is refused",
			cfg:     paging.Config{Type: "link"},
			resps:   []resp{{link: []string{`<https://evil.example.net/v1/users?page=2>; rel="next"`}, records: 3}},
			want:    []req{{query: q()}},
			wantErr: paging.ErrForeignHost,
		},
		{
			name: "cursor in query, string and number cursors",
			cfg:  paging.Config{Type: "cursor", Path: "meta.next_cursor", Param: "cursor", SizeParam: "limit", Size: 3},
			resps: []resp{
				{body: `{"meta":{"next_cursor":"c2"}}`, records: 3},
				{body: `{"meta":{"next_cursor":12345678901234567890}}`, records: 3},
				{body: `{"meta":{"next_cursor":null}}`, records: 3},
			},
			want: []req{
				{query: q("limit", "3")},
				{query: q("limit", "3", "cursor", "c2"), cursor: "c2"},
				{query: q("limit", "3", "cursor", "12345678901234567890"), cursor: "12345678901234567890"},
			},
		},
		{
			name: "cursor empty string stops",
			cfg:  paging.Config{Type: "cursor", Path: "next", Param: "cursor"},
			resps: []resp{
				{body: `{"next":"a"}`, records: 3},
				{body: `{"next":""}`, records: 3},
			},
			want: []req{{query: q()}, {query: q("cursor", "a"), cursor: "a"}},
		},
		{
			name: "cursor in body with size",
			cfg:  paging.Config{Type: "cursor", Path: "pages.next.starting_after", Param: "pagination.starting_after", SizeParam: "pagination.per_page", Size: 50, In: "body"},
			resps: []resp{
				{body: `{"pages":{"next":{"starting_after":"WzE"}}}`, records: 50},
				{body: `{"pages":{"next":null}}`, records: 2},
			},
			want: []req{
				{query: q(), body: map[string]any{"pagination.per_page": 50}},
				{query: q(), body: map[string]any{"pagination.per_page": 50, "pagination.starting_after": "WzE"}, cursor: "WzE"},
			},
		},
		{
			name: "cursor repeated fails fast",
			cfg:  paging.Config{Type: "cursor", Path: "next", Param: "cursor"},
			resps: []resp{
				{body: `{"next":"a"}`, records: 3},
				{body: `{"next":"b"}`, records: 3},
				{body: `{"next":"a"}`, records: 3},
			},
			want:    []req{{query: q()}, {query: q("cursor", "a"), cursor: "a"}, {query: q("cursor", "b"), cursor: "b"}},
			wantErr: paging.ErrRepeated,
		},
		{
			name: "cursor same twice in a row fails",
			cfg:  paging.Config{Type: "cursor", Path: "next", Param: "cursor"},
			resps: []resp{
				{body: `{"next":"a"}`, records: 3},
				{body: `{"next":"a"}`, records: 3},
			},
			want:    []req{{query: q()}, {query: q("cursor", "a"), cursor: "a"}},
			wantErr: paging.ErrRepeated,
		},
		{
			name: "offset with total",
			cfg:  paging.Config{Type: "offset", SizeParam: "limit", Size: 3, Total: "total"},
			resps: []resp{
				{body: `{"total":7}`, records: 3},
				{body: `{"total":7}`, records: 3},
				{body: `{"total":7}`, records: 1},
			},
			want: []req{
				{query: q("offset", "0", "limit", "3")},
				{query: q("offset", "3", "limit", "3"), offset: 3},
				{query: q("offset", "6", "limit", "3"), offset: 6},
			},
		},
		{
			name: "offset with total reached exactly on a full page",
			cfg:  paging.Config{Type: "offset", SizeParam: "limit", Size: 3, Total: "meta.total"},
			resps: []resp{
				{body: `{"meta":{"total":"6"}}`, records: 3},
				{body: `{"meta":{"total":"6"}}`, records: 3},
			},
			want: []req{
				{query: q("offset", "0", "limit", "3")},
				{query: q("offset", "3", "limit", "3"), offset: 3},
			},
		},
		{
			name: "offset short page is the last",
			cfg:  paging.Config{Type: "offset", Param: "skip", SizeParam: "take", Size: 3},
			resps: []resp{
				{body: `{}`, records: 3},
				{body: `{}`, records: 2},
			},
			want: []req{
				{query: q("skip", "0", "take", "3")},
				{query: q("skip", "3", "take", "3"), offset: 3},
			},
		},
		{
			name: "offset without size or total stops on an empty page",
			cfg:  paging.Config{Type: "offset", Start: 10},
			resps: []resp{
				{body: `[]`, records: 2},
				{body: `[]`, records: 2},
				{body: `[]`, records: 0},
			},
			want: []req{
				{query: q("offset", "10"), offset: 10},
				{query: q("offset", "12"), offset: 12},
				{query: q("offset", "14"), offset: 14},
			},
		},
		{
			name: "offset in body",
			cfg:  paging.Config{Type: "offset", Param: "paging.offset", SizeParam: "paging.limit", Size: 2, In: "body"},
			resps: []resp{
				{body: `{}`, records: 2},
				{body: `{}`, records: 1},
			},
			want: []req{
				{query: q(), body: map[string]any{"paging.offset": 0, "paging.limit": 2}},
				{query: q(), body: map[string]any{"paging.offset": 2, "paging.limit": 2}, offset: 2},
			},
		},
		{
			name:    "offset total not a number",
			cfg:     paging.Config{Type: "offset", Total: "total"},
			resps:   []resp{{body: `{"total":"many"}`, records: 3}},
			want:    []req{{query: q("offset", "0")}},
			errText: "paging total",
		},
		{
			name: "page start 0 with total pages",
			cfg:  paging.Config{Type: "page", Start: 0, SizeParam: "size", Size: 2, Total: "totalPages"},
			resps: []resp{
				{body: `{"totalPages":3}`, records: 2},
				{body: `{"totalPages":3}`, records: 2},
				{body: `{"totalPages":3}`, records: 2},
			},
			want: []req{
				{query: q("page", "0", "size", "2")},
				{query: q("page", "1", "size", "2"), offset: 1},
				{query: q("page", "2", "size", "2"), offset: 2},
			},
		},
		{
			name: "page start 1 with total pages",
			cfg:  paging.Config{Type: "page", Start: 1, Param: "p", Total: "pages"},
			resps: []resp{
				{body: `{"pages":2}`, records: 5},
				{body: `{"pages":2}`, records: 5},
			},
			want: []req{
				{query: q("p", "1"), offset: 1},
				{query: q("p", "2"), offset: 2},
			},
		},
		{
			name: "page short page is the last",
			cfg:  paging.Config{Type: "page", Start: 1, SizeParam: "per_page", Size: 3},
			resps: []resp{
				{body: `[]`, records: 3},
				{body: `[]`, records: 1},
			},
			want: []req{
				{query: q("page", "1", "per_page", "3"), offset: 1},
				{query: q("page", "2", "per_page", "3"), offset: 2},
			},
		},
		{
			name: "page empty page stops",
			cfg:  paging.Config{Type: "page"},
			resps: []resp{
				{body: `[]`, records: 3},
				{body: `[]`, records: 0},
			},
			want: []req{{query: q("page", "0")}, {query: q("page", "1"), offset: 1}},
		},
		{
			name: "scim defaults with itemsPerPage",
			cfg:  paging.Config{Type: "scim"},
			resps: []resp{
				{body: `{"totalResults":7,"itemsPerPage":3,"startIndex":1}`, records: 3},
				{body: `{"totalResults":7,"itemsPerPage":3,"startIndex":4}`, records: 3},
				{body: `{"totalResults":7,"itemsPerPage":1,"startIndex":7}`, records: 1},
			},
			want: []req{
				{query: q("startIndex", "1", "count", "100"), offset: 1},
				{query: q("startIndex", "4", "count", "100"), offset: 4},
				{query: q("startIndex", "7", "count", "100"), offset: 7},
			},
		},
		{
			name: "scim without itemsPerPage advances by records",
			cfg:  paging.Config{Type: "scim", Size: 2},
			resps: []resp{
				{body: `{"totalResults":"4"}`, records: 2},
				{body: `{"totalResults":"4"}`, records: 2},
			},
			want: []req{
				{query: q("startIndex", "1", "count", "2"), offset: 1},
				{query: q("startIndex", "3", "count", "2"), offset: 3},
			},
		},
		{
			name: "scim server caps the page below count",
			cfg:  paging.Config{Type: "scim", Size: 100},
			resps: []resp{
				{body: `{"totalResults":25,"itemsPerPage":10}`, records: 10},
				{body: `{"totalResults":25,"itemsPerPage":10}`, records: 10},
				{body: `{"totalResults":25,"itemsPerPage":5}`, records: 5},
			},
			want: []req{
				{query: q("startIndex", "1", "count", "100"), offset: 1},
				{query: q("startIndex", "11", "count", "100"), offset: 11},
				{query: q("startIndex", "21", "count", "100"), offset: 21},
			},
		},
		{
			name:  "stop rule ends the walk",
			cfg:   paging.Config{Type: "cursor", Path: "next", Param: "cursor"},
			resps: []resp{{body: `{"next":"more"}`, records: 3, stop: true}},
			want:  []req{{query: q()}},
		},
		{
			name: "maxPages fails when more pages remain",
			cfg:  paging.Config{Type: "cursor", Path: "next", Param: "cursor", MaxPages: 2},
			resps: []resp{
				{body: `{"next":"a"}`, records: 3},
				{body: `{"next":"b"}`, records: 3},
			},
			want:    []req{{query: q()}, {query: q("cursor", "a"), cursor: "a"}},
			wantErr: paging.ErrMaxPages,
		},
		{
			name: "maxPages is fine when the last page is within it",
			cfg:  paging.Config{Type: "cursor", Path: "next", Param: "cursor", MaxPages: 2},
			resps: []resp{
				{body: `{"next":"a"}`, records: 3},
				{body: `{"next":null}`, records: 3},
			},
			want: []req{{query: q()}, {query: q("cursor", "a"), cursor: "a"}},
		},
		{
			name: "maxPages applies to offset paging",
			cfg:  paging.Config{Type: "offset", MaxPages: 1},
			resps: []resp{
				{body: `{}`, records: 3},
			},
			want:    []req{{query: q("offset", "0")}},
			wantErr: paging.ErrMaxPages,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := paging.New(tt.cfg)
			require.NoError(t, err)
			reqs, done, err := walk(t, p, tt.resps)
			for i := range tt.want {
				if tt.want[i].body == nil {
					tt.want[i].body = map[string]any{}
				}
			}
			assert.Equal(t, tt.want, reqs)
			switch {
			case tt.wantErr != nil || tt.errText != "":
				require.Error(t, err)
				if tt.wantErr != nil {
					assert.True(t, errors.Is(err, tt.wantErr), "want %v, got %v", tt.wantErr, err)
				}
				assert.Contains(t, err.Error(), tt.errText)
			default:
				require.NoError(t, err)
				assert.True(t, done, "the walk must end Done after the last response")
			}
		})
	}
}

func TestStateVars(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "cursor", Path: "next", Param: "cursor"})
	require.NoError(t, err)
	s := p.Start()
	assert.Equal(t, map[string]any{"number": 1, "cursor": "", "offset": 0, "url": ""}, s.Vars())
	u, _ := url.Parse(base)
	require.NoError(t, p.Next(s, paging.Page{Body: map[string]any{"next": "abc"}, Records: 2, URL: u}))
	assert.Equal(t, map[string]any{"number": 2, "cursor": "abc", "offset": 0, "url": ""}, s.Vars())

	p, err = paging.New(paging.Config{Type: "page", Start: 1})
	require.NoError(t, err)
	s = p.Start()
	assert.Equal(t, 1, s.Vars()["offset"])
	require.NoError(t, p.Next(s, paging.Page{Records: 2, URL: u}))
	assert.Equal(t, map[string]any{"number": 2, "cursor": "", "offset": 2, "url": ""}, s.Vars())
}

// The pager must recognise a loop back to the very first page: the first
// request's URL has been fetched, so a next link pointing at it again is a
// cursor "seen before". Without that, page 1 is fetched (and its records
// yielded) twice before the loop is noticed.
func TestNextURLLoopBackToFirstPage(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "nextURL", Path: "next"})
	require.NoError(t, err)
	s := p.Start()
	first, _ := url.Parse(base)
	// A server whose next link is the page just fetched loops: fail before
	// asking for it (and yielding its records) again.
	err = p.Next(s, paging.Page{Body: map[string]any{"next": base}, Records: 3, URL: first})
	assert.ErrorIs(t, err, paging.ErrRepeated)
	assert.NotEqual(t, base, s.URL, "the pager must not ask for the page it has just fetched")
}

func TestParseLink(t *testing.T) {
	tests := []struct {
		name   string
		values []string
		want   map[string]string
	}{
		{"single", []string{`<https://api.example.com/u?page=2>; rel="next"`}, map[string]string{"next": "https://api.example.com/u?page=2"}},
		{
			"github style",
			[]string{`<https://api.github.com/user/repos?page=3&per_page=100>; rel="next", <https://api.github.com/user/repos?page=50&per_page=100>; rel="last"`},
			map[string]string{"next": "https://api.github.com/user/repos?page=3&per_page=100", "last": "https://api.github.com/user/repos?page=50&per_page=100"},
		},
		{
			"RFC 8288 example with title*",
			[]string{`</TheBook/chapter2>; rel="previous"; title*=UTF-8'de'letztes%20Kapitel, </TheBook/chapter4>; rel="next"; title*=UTF-8'de'n%c3%a4chstes%20Kapitel`},
			map[string]string{"previous": "/TheBook/chapter2", "next": "/TheBook/chapter4"},
		},
		{"several rels in one link", []string{`<http://example.org/x>; rel="next last"`}, map[string]string{"next": "http://example.org/x", "last": "http://example.org/x"}},
		{"unquoted rel", []string{`</p2>;rel=next`}, map[string]string{"next": "/p2"}},
		{"whitespace everywhere", []string{"  </p2>  ;  rel = \"next\" ,\t</p1> ;rel=prev  "}, map[string]string{"next": "/p2", "prev": "/p1"}},
		{"comma inside quotes", []string{`</p2>; title="a, b; c"; rel="next", </p9>; rel="last"`}, map[string]string{"next": "/p2", "last": "/p9"}},
		{"escaped quote inside quotes", []string{`</p2>; title="say \"hi\", <x>; rel=prev"; rel=next`}, map[string]string{"next": "/p2"}},
		{"case-insensitive rel", []string{`</p2>; REL="Next"`}, map[string]string{"next": "/p2"}},
		{"first link of a relation wins", []string{`</a>; rel=next, </b>; rel=next`}, map[string]string{"next": "/a"}},
		{"several header values", []string{`</a>; rel=next`, `</z>; rel=last`}, map[string]string{"next": "/a", "last": "/z"}},
		{"anchor and other params ignored", []string{`</a>; anchor="#foo"; type="text/html"; rel=next; hreflang=de`}, map[string]string{"next": "/a"}},
		{"link without rel", []string{`</a>; title="x"`}, map[string]string{}},
		{"rel without value", []string{`</a>; rel`}, map[string]string{}},
		{"rel with empty value", []string{`</a>; rel=""`}, map[string]string{}},
		{"empty target", []string{`<>; rel=next`}, map[string]string{"next": ""}},
		{"empty", []string{""}, map[string]string{}},
		{"no values", nil, map[string]string{}},
		{"garbage", []string{"garbage"}, map[string]string{}},
		{"only commas", []string{", , ,"}, map[string]string{}},
		{"unterminated target", []string{`<https://a/2; rel=next`}, map[string]string{}},
		{"missing brackets", []string{`https://a/2; rel=next`}, map[string]string{}},
		{"garbage then a valid link", []string{`junk; rel=prev, </b>; rel=next`}, map[string]string{"next": "/b"}},
		{"unterminated quoted param", []string{`</a>; title="abc, </b>; rel=next`}, map[string]string{}},
		{"semicolons only", []string{`</a>;;; rel=next`}, map[string]string{"next": "/a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, paging.ParseLink(tt.values))
		})
	}
}

// RFC 8288 section 3.3: "occurrences [of rel] after the first MUST be
// ignored by parsers".
func TestParseLinkRepeatedRel(t *testing.T) {
	assert.Equal(t, map[string]string{"prev": "/a"}, paging.ParseLink([]string{`</a>; rel=prev; rel=next`}))
}

func TestOffsetFromOneStopsAtTotal(t *testing.T) {
	p, err := paging.New(paging.Config{Type: "offset", Param: "offset", SizeParam: "limit", Size: 2, Start: 1, Total: "total"})
	if err != nil {
		t.Fatal(err)
	}
	s := p.Start()
	var offsets []string
	for !s.Done {
		offsets = append(offsets, s.Query["offset"])
		if err := p.Next(s, paging.Page{Body: map[string]any{"total": 5.0}, Records: 2}); err != nil {
			t.Fatal(err)
		}
	}
	if fmt.Sprint(offsets) != "[1 3 5]" {
		t.Fatalf("offsets %v: with offsets counted from 1, records 1..5 need offsets 1, 3 and 5", offsets)
	}
}
