package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/internal/paging"
)

// membersServer serves one group of total members, Okta-shaped, in pages
// of limit linked by absolute Link headers. Every page is rendered once
// and then served from memory, so that the server's share of a benchmark
// is small and the same for the engine and the baseline.
type membersServer struct {
	*httptest.Server
	total int
	mu    sync.Mutex
	pages map[string][]byte // by query
}

func newMembersServer(tb testing.TB, total int) *membersServer {
	s := &membersServer{total: total, pages: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.Close)
	return s
}

func (s *membersServer) serve(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.URL.Path == "/api/v1/groups" {
		fmt.Fprint(w, `[{"id": "00gbig", "type": "OKTA_GROUP", "profile": {"name": "Big", "description": "All staff"}}]`)
		return
	}
	after, _ := strconv.Atoi(r.URL.Query().Get("after"))
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	end := min(after+limit, s.total)
	if end < s.total {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?limit=%d&after=%d>; rel="next"`, s.URL, r.URL.Path, limit, end))
	}
	s.mu.Lock()
	body, ok := s.pages[r.URL.RawQuery]
	if !ok {
		var users []map[string]any
		for i := after; i < end; i++ {
			login := fmt.Sprintf("user%06d@example.com", i)
			users = append(users, map[string]any{
				"id": fmt.Sprintf("00u%017d", i), "status": "ACTIVE", "created": "2026-01-01T00:00:00.000Z",
				"lastUpdated": "2026-05-01T10:00:00.000Z", "type": map[string]any{"id": "oty0000000000000000"},
				"profile": map[string]any{"login": login, "email": login, "firstName": "First", "lastName": "Last", "mobilePhone": nil},
				"_links":  map[string]any{"self": map[string]any{"href": s.URL + "/api/v1/users/" + fmt.Sprintf("00u%017d", i)}},
			})
		}
		body, _ = json.Marshal(users)
		s.pages[r.URL.RawQuery] = body
	}
	s.mu.Unlock()
	_, _ = w.Write(body)
}

// baselineMembers is what a developer would write by hand: walk the group
// list and each group's member pages with net/http and encoding/json,
// yielding an entitlement per chunk of members, de-duplicated like the
// engine does.
func baselineMembers(ctx context.Context, hc *http.Client, base string, chunk int) iter.Seq2[connector.Entitlement, error] {
	type group struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Profile struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"profile"`
	}
	type member struct {
		ID string `json:"id"`
	}
	get := func(u string, into any) (string, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return "", err
		}
		res, err := hc.Do(req)
		if err != nil {
			return "", err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return "", fmt.Errorf("GET %s: %s", u, res.Status)
		}
		return paging.ParseLink(res.Header.Values("Link"))["next"], json.NewDecoder(res.Body).Decode(into)
	}
	return func(yield func(connector.Entitlement, error) bool) {
		var groups []group
		if _, err := get(base+"/api/v1/groups", &groups); err != nil {
			yield(connector.Entitlement{}, err)
			return
		}
		for _, g := range groups {
			ent := connector.Entitlement{Type: "group", ID: g.ID, Name: g.Profile.Name,
				Attributes: map[string]any{"description": g.Profile.Description, "type": g.Type}}
			seen := map[string]struct{}{}
			ids := make([]string, 0, chunk)
			for next := base + "/api/v1/groups/" + g.ID + "/users?limit=1000"; next != ""; {
				var page []member
				var err error
				if next, err = get(next, &page); err != nil {
					yield(connector.Entitlement{}, err)
					return
				}
				for _, m := range page {
					if _, dup := seen[m.ID]; dup {
						continue
					}
					seen[m.ID] = struct{}{}
					if len(ids) == chunk {
						out := ent
						out.Members = ids
						if !yield(out, nil) {
							return
						}
						ids = make([]string, 0, chunk)
					}
					ids = append(ids, m.ID)
				}
			}
			ent.Members = ids
			if !yield(ent, nil) {
				return
			}
		}
	}
}

// BenchmarkMembersFrom imports a group of 20,000 members (20 pages, 20
// chunks) through the engine's membersFrom and through the hand-written
// baseline, against the same cached pages.
func BenchmarkMembersFrom(b *testing.B) {
	const total = 20_000
	srv := newMembersServer(b, total)
	hc := benchHTTPClient(b)
	e := memberEngine(b, srv.Server, `{"name": "t", "connection": {"baseURL": "$URL"},
		"import": {"entitlements": {"group": {
			"sources": [{"path": "/api/v1/groups", "paging": {"type": "link"}}],
			"id": "id", "name": "profile.name", "attributes": {"description": "profile.description", "type": "type"},
			"membersFrom": {"path": "/api/v1/groups/{{ .record.id }}/users", "query": {"limit": "1000"}, "paging": {"type": "link"}, "id": "id"}
		}}}}`, connector.WithHTTPClient(hc))
	ctx := context.Background()
	count := func(b *testing.B, seq iter.Seq2[connector.Entitlement, error]) {
		n := 0
		for ent, err := range seq {
			if err != nil {
				b.Fatal(err)
			}
			n += len(ent.Members)
		}
		if n != total {
			b.Fatalf("%d members, want %d", n, total)
		}
	}
	count(b, e.ImportAccess(ctx, connector.ImportOptions{})) // render and cache every page
	b.Run("engine", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			count(b, e.ImportAccess(ctx, connector.ImportOptions{}))
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/member")
	})
	b.Run("baseline", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			count(b, baselineMembers(ctx, hc, srv.URL, connector.DefaultMembersChunk))
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*total), "ns/member")
	})
}
