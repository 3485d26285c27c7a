package oktatest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// TestHundredThousandMemberGroup pages through a group of 100,000 members,
// the size of the engine's bounded-memory import test, and checks that
// every member arrives exactly once, in order, and that every next link is
// absolute on the server's host.
func TestHundredThousandMemberGroup(t *testing.T) {
	s := NewServer(Empty())
	defer s.Close()
	ids := s.SeedUsers(bigGroup)
	g := s.AddGroup(Group{Name: "All staff"})
	s.AddMembers(g.ID, ids...)

	var got []string
	pages := 0
	for next := s.URL + "/api/v1/groups/" + g.ID + "/users?limit=1000"; next != ""; pages++ {
		req, _ := http.NewRequest("GET", next, nil)
		req.Header.Set("Authorization", "SSWS "+s.Token)
		res, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page []struct {
			ID string `json:"id"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil || res.StatusCode != 200 {
			t.Fatalf("page %d: %d %v", pages, res.StatusCode, err)
		}
		for _, u := range page {
			got = append(got, u.ID)
		}
		next = ""
		for _, l := range res.Header.Values("Link") {
			if m := linkRE.FindStringSubmatch(l); m != nil && m[2] == "next" {
				if !strings.HasPrefix(m[1], s.URL+"/api/v1/groups/"+g.ID+"/users?") {
					t.Fatalf("next link %s", m[1])
				}
				next = m[1]
			}
		}
	}
	if pages != bigGroup/1000 || !slices.Equal(got, ids) {
		t.Fatalf("%d members in %d pages, want %d in %d, in order", len(got), pages, bigGroup, bigGroup/1000)
	}
}

// The benchmarks below compare the fake with a hand-written baseline in
// the same run: BenchmarkSeed100k builds 100,000 users and a group holding
// them all; BenchmarkPageMembers100k pages through that group, 1,000
// members a page, over HTTP. The baseline does the least work that can
// produce the same data and the same bytes: no lock, no request log, no
// rate limit, no cursor search.

func BenchmarkSeed100k(b *testing.B) {
	const n = 100000
	b.Run("fake", func(b *testing.B) {
		// Measured before the timed runs, whose garbage would blur it,
		// and reported after them, since b.Loop clears metrics.
		retained := retainedPerUser(n, func() any {
			s := NewServer(Empty())
			s.AddMembers(s.AddGroup(Group{Name: "All staff"}).ID, s.SeedUsers(n)...)
			s.Close()
			return s
		})
		b.ReportAllocs()
		for b.Loop() {
			s := NewServer(Empty())
			ids := s.SeedUsers(n)
			g := s.AddGroup(Group{Name: "All staff"})
			s.AddMembers(g.ID, ids...)
			s.Close()
		}
		b.ReportMetric(retained, "retained-B/user")
	})
	b.Run("baseline", func(b *testing.B) {
		retained := retainedPerUser(n, func() any { return baselineOrg(n) })
		b.ReportAllocs()
		for b.Loop() {
			baselineOrg(n)
		}
		b.ReportMetric(retained, "retained-B/user")
	})
}

// baselineOrg is the hand-written counterpart of seeding: users, a login
// index and a member list sorted by ID.
func baselineOrg(n int) []any {
	users, byLogin := baselineUsers(n)
	members := slices.Clone(users)
	sort.Slice(members, func(i, j int) bool { return members[i].id < members[j].id })
	return []any{users, byLogin, members}
}

// retainedPerUser is the heap that what build returns keeps alive, per
// user.
func retainedPerUser(n int, build func() any) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	kept := build()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(kept)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(n)
}

func BenchmarkPageMembers100k(b *testing.B) {
	const n, limit = 100000, 1000
	b.Run("fake", func(b *testing.B) {
		s := NewServer(Empty())
		defer s.Close()
		ids := s.SeedUsers(n)
		g := s.AddGroup(Group{Name: "All staff", Members: ids})
		url := s.URL + "/api/v1/groups/" + g.ID + "/users?limit=" + strconv.Itoa(limit)
		b.ReportAllocs()
		for b.Loop() {
			pageAll(b, s.Client(), url, s.Token, n)
		}
	})
	b.Run("baseline", func(b *testing.B) {
		users, _ := baselineUsers(n)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			// Pages are addressed by offset: the cheapest possible cursor.
			from, _ := strconv.Atoi(r.URL.Query().Get("after"))
			to := min(from+limit, len(users))
			page := make([]baselineUser, 0, to-from)
			for _, u := range users[from:to] {
				page = append(page, baselineRender(u))
			}
			if to < len(users) {
				w.Header().Set("Link", fmt.Sprintf(`<http://%s%s?after=%d>; rel="next"`, r.Host, r.URL.Path, to))
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(page)
		}))
		defer srv.Close()
		b.ReportAllocs()
		for b.Loop() {
			pageAll(b, srv.Client(), srv.URL+"/members", "", n)
		}
	})
}

// pageAll follows next links from url, reading every page, and checks the
// member count.
func pageAll(b *testing.B, c *http.Client, url, token string, want int) {
	got := 0
	for url != "" {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "SSWS "+token)
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var page []struct {
			ID string `json:"id"`
		}
		if err := json.NewDecoder(res.Body).Decode(&page); err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		got += len(page)
		url = ""
		for _, l := range res.Header.Values("Link") {
			if m := linkRE.FindStringSubmatch(l); m != nil && m[2] == "next" {
				url = m[1]
			}
		}
	}
	if got != want {
		b.Fatalf("paged %d members, want %d", got, want)
	}
}

// baselineUsers builds the same users as SeedUsers, in plain slices and a
// map, without the fake's bookkeeping.
func baselineUsers(n int) ([]*user, map[string]*user) {
	users := make([]*user, n)
	byLogin := make(map[string]*user, n)
	departments := []string{"Engineering", "Sales", "Finance", "Support"}
	for i := range users {
		seq := i + 1
		login := fmt.Sprintf("user%06d@example.com", seq)
		last := fmt.Sprintf("User%06d", seq)
		u := &user{
			id: newID("00u", uint64(idStart+i)), status: StatusActive,
			profile: &Profile{Login: login, Email: login, FirstName: "Test", LastName: last, DisplayName: "Test " + last,
				Department: departments[seq%4], EmployeeNumber: strconv.Itoa(100000 + seq)},
			hasPassword: true,
		}
		users[i] = u
		byLogin[login] = u
	}
	return users, byLogin
}

// baselineUser is the User object as a struct for encoding/json, the way
// one would write a fake by hand.
type baselineUser struct {
	ID              string              `json:"id"`
	Status          Status              `json:"status"`
	Created         string              `json:"created"`
	Activated       *string             `json:"activated"`
	StatusChanged   *string             `json:"statusChanged"`
	LastLogin       *string             `json:"lastLogin"`
	LastUpdated     string              `json:"lastUpdated"`
	PasswordChanged *string             `json:"passwordChanged"`
	Type            struct{ ID string } `json:"type"`
	Profile         map[string]any      `json:"profile"`
	Credentials     map[string]any      `json:"credentials"`
	Links           map[string]any      `json:"_links"`
}

func baselineRender(u *user) baselineUser {
	p := u.profile
	b := baselineUser{
		ID: u.id, Status: u.status, Created: formatTime(u.created.time()), LastUpdated: formatTime(u.lastUpdated.time()),
		Profile: map[string]any{"login": p.Login, "email": p.Email, "firstName": p.FirstName, "lastName": p.LastName,
			"displayName": p.DisplayName, "department": p.Department, "employeeNumber": p.EmployeeNumber,
			"mobilePhone": nil, "secondEmail": nil},
		Credentials: map[string]any{"password": map[string]any{}, "provider": map[string]any{"type": "OKTA", "name": "OKTA"}},
		Links:       map[string]any{"self": map[string]any{"href": "http://example/api/v1/users/" + u.id}},
	}
	b.Type.ID = defaultTypeID
	return b
}
