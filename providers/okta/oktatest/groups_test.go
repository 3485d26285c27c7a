package oktatest

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestGroupObject(t *testing.T) {
	s := NewServer()
	defer s.Close()
	ad := groupByName(t, s, "Engineering users (AD)")
	r := get(t, s, "/api/v1/groups/"+ad.ID, "expand", "stats")
	wantStatus(t, r, 200)
	m := r.object()
	p := m["profile"].(map[string]any)
	if m["type"] != "APP_GROUP" || p["name"] != "Engineering users (AD)" || p["samAccountName"] != "Engineering users" ||
		m["objectClass"].([]any)[0] != "okta:windows_security_principal" {
		t.Errorf("AD group: %s", r.raw)
	}
	links := m["_links"].(map[string]any)
	if links["source"].(map[string]any)["href"] != s.URL+"/api/v1/apps/0oa2v0el0gP90aqjJ0g7" ||
		links["users"].(map[string]any)["href"] != s.URL+"/api/v1/groups/"+ad.ID+"/users" {
		t.Errorf("_links %v", links)
	}
	stats := m["_embedded"].(map[string]any)["stats"].(map[string]any)
	if stats["usersCount"] != float64(3) {
		t.Errorf("stats %v", stats)
	}
	if !strings.HasPrefix(ad.ID, "00g") || len(ad.ID) != 20 {
		t.Errorf("id %q", ad.ID)
	}
	// Without expand, no _embedded.
	if r := get(t, s, "/api/v1/groups/"+ad.ID); r.object()["_embedded"] != nil {
		t.Errorf("_embedded without expand: %s", r.raw)
	}
	wantError(t, get(t, s, "/api/v1/groups/00gnothing"), 404, "E0000007", "Not found: Resource not found: 00gnothing (UserGroup)")
}

func TestListGroups(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	names := func(r reply) []string {
		var out []string
		for _, g := range r.list() {
			out = append(out, g["profile"].(map[string]any)["name"].(string))
		}
		return out
	}
	all := []string{"Everyone", "Engineering", "Finance", "Sales", "IT Admins", "Contractors", "Engineering users (AD)"}
	if got := names(get(t, s, "/api/v1/groups")); !slices.Equal(got, all) {
		t.Errorf("groups %v", got)
	}
	ids, pages := walk(t, s, "/api/v1/groups?limit=3")
	if len(ids) != len(all) || pages != 3 {
		t.Errorf("%d groups in %d pages", len(ids), pages)
	}
	tests := []struct {
		param, expr string
		want        []string
	}{
		{"filter", `type eq "OKTA_GROUP"`, []string{"Engineering", "Finance", "Sales", "IT Admins", "Contractors"}},
		{"filter", `type eq "BUILT_IN" or type eq "APP_GROUP"`, []string{"Everyone", "Engineering users (AD)"}},
		{"filter", `type eq "OKTA_GROUP" and lastMembershipUpdated gt "2026-02-01T00:00:00.000Z"`, []string{"Engineering"}},
		{"filter", `lastUpdated lt "2024-01-01T00:00:00.000Z" and type eq "OKTA_GROUP"`, []string{"Engineering", "Sales", "IT Admins"}}, // Finance changed in 2025
		{"filter", `id eq "` + groupByName(t, s, "Sales").ID + `"`, []string{"Sales"}},
		{"search", `profile.name sw "eng"`, []string{"Engineering", "Engineering users (AD)"}},
		{"search", `profile.description co "TEAM"`, []string{"Sales"}},
		{"search", `source.id eq "0oa2v0el0gP90aqjJ0g7"`, []string{"Engineering users (AD)"}},
		{"search", `profile.samAccountName sw "Engineering"`, []string{"Engineering users (AD)"}},
		{"q", "fin", []string{"Finance"}},
		{"q", "e", []string{"Everyone", "Engineering", "Engineering users (AD)"}},
	}
	for _, tt := range tests {
		t.Run(tt.param+" "+tt.expr, func(t *testing.T) {
			r := get(t, s, "/api/v1/groups", tt.param, tt.expr)
			wantStatus(t, r, 200)
			if got := names(r); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	// q is not paged.
	r := get(t, s, "/api/v1/groups", "q", "e", "limit", "1")
	if l := r.links(t); len(r.list()) != 1 || l["next"] != "" {
		t.Errorf("q with limit=1: %d groups, links %v", len(r.list()), l)
	}
	wantError(t, get(t, s, "/api/v1/groups", "filter", `profile.name eq "Sales"`), 400, "E0000031", "", "filtering on profile.name")
	wantError(t, get(t, s, "/api/v1/groups", "search", `profile.dn co "x"`), 400, "E0000031", "", "co operator")
	wantError(t, get(t, s, "/api/v1/groups", "filter", `type eq "OKTA_GROUP"`, "search", `type eq "OKTA_GROUP"`), 400, "E0000033", "")
	wantError(t, get(t, s, "/api/v1/groups", "limit", "x"), 400, "E0000001", "limit")
}

func TestMembersPaging(t *testing.T) {
	s := NewServer(Empty())
	defer s.Close()
	ids := s.SeedUsers(2500)
	g := s.AddGroup(Group{Name: "Big", Members: ids[500:]})
	got, pages := walk(t, s, "/api/v1/groups/"+g.ID+"/users")
	if !slices.Equal(got, ids[500:]) || pages != 2 {
		t.Errorf("default limit (1000): %d members in %d pages, want 2000 in 2", len(got), pages)
	}
	got, pages = walk(t, s, "/api/v1/groups/"+g.ID+"/users?limit=200")
	if !slices.Equal(got, ids[500:]) || pages != 10 {
		t.Errorf("limit=200: %d members in %d pages", len(got), pages)
	}
	// Everyone: every user, the admin first.
	got, _ = walk(t, s, "/api/v1/groups/"+groupByName(t, s, "Everyone").ID+"/users?limit=999")
	if len(got) != 2501 || got[0] != s.AdminID {
		t.Errorf("Everyone: %d members", len(got))
	}
	// Members are user objects, with only the self link.
	first := get(t, s, "/api/v1/groups/"+g.ID+"/users", "limit", "1").list()[0]
	if first["profile"].(map[string]any)["login"] != "user000501@example.com" || len(first["_links"].(map[string]any)) != 1 {
		t.Errorf("first member %v", first)
	}
	wantError(t, get(t, s, "/api/v1/groups/00gnothing/users"), 404, "E0000007", "(UserGroup)")
}

func TestMembersIncludeEveryStatus(t *testing.T) {
	s := NewServer()
	defer s.Close()
	eng := groupByName(t, s, "Engineering")
	statuses := map[string]bool{}
	for _, u := range get(t, s, "/api/v1/groups/"+eng.ID+"/users").list() {
		statuses[u["status"].(string)] = true
	}
	for _, st := range []string{"ACTIVE", "SUSPENDED", "DEPROVISIONED", "STAGED", "PROVISIONED"} {
		if !statuses[st] {
			t.Errorf("no %s member listed: %v", st, statuses)
		}
	}
}

func TestChangeMembership(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	sales := groupByName(t, s, "Sales")
	ada := byLogin(t, s, "ada.lovelace@example.com")
	path := "/api/v1/groups/" + sales.ID + "/users/" + ada.ID

	clk.Advance(time.Hour)
	wantStatus(t, do(t, s, "PUT", path, ""), 204)
	g, _ := s.Group(sales.ID)
	if !slices.Contains(g.Members, ada.ID) || !g.LastMembershipUpdated.Equal(clk.Now()) {
		t.Fatalf("after PUT: members %v, lastMembershipUpdated %v", g.Members, g.LastMembershipUpdated)
	}
	if u := byLogin(t, s, ada.Profile.Login); !u.LastUpdated.Equal(ada.LastUpdated) {
		t.Errorf("a membership change touched the user's lastUpdated")
	}
	// Idempotent: a second PUT changes nothing, not even the timestamp.
	clk.Advance(time.Minute)
	wantStatus(t, do(t, s, "PUT", path, ""), 204)
	if g2, _ := s.Group(sales.ID); len(g2.Members) != len(g.Members) || !g2.LastMembershipUpdated.Equal(g.LastMembershipUpdated) {
		t.Errorf("a repeated PUT changed the group")
	}
	if !slices.Contains(get(t, s, "/api/v1/users/"+ada.ID+"/groups").ids(), sales.ID) {
		t.Error("the user's groups do not list the new group")
	}

	wantStatus(t, do(t, s, "DELETE", path, ""), 204)
	wantStatus(t, do(t, s, "DELETE", path, ""), 204)
	if slices.Contains(s.Members(sales.ID), ada.ID) {
		t.Error("still a member after DELETE")
	}

	ad := groupByName(t, s, "Engineering users (AD)")
	everyone := groupByName(t, s, "Everyone")
	tests := []struct {
		name, method, path string
		status             int
		code, summary      string
	}{
		{"app group", "PUT", "/api/v1/groups/" + ad.ID + "/users/" + ada.ID, 403, "E0000006", "You do not have permission"},
		{"app group remove", "DELETE", "/api/v1/groups/" + ad.ID + "/users/" + byLogin(t, s, "grace.hopper@example.com").ID, 403, "E0000006", ""},
		{"everyone", "DELETE", "/api/v1/groups/" + everyone.ID + "/users/" + ada.ID, 403, "E0000006", ""},
		{"unknown group", "PUT", "/api/v1/groups/00gnothing/users/" + ada.ID, 404, "E0000007", "00gnothing (UserGroup)"},
		{"unknown user", "PUT", "/api/v1/groups/" + sales.ID + "/users/00unobody", 404, "E0000007", "00unobody (User)"},
		{"login instead of id", "PUT", "/api/v1/groups/" + sales.ID + "/users/ada.lovelace@example.com", 404, "E0000007", "(User)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, do(t, s, tt.method, tt.path, ""), tt.status, tt.code, tt.summary)
		})
	}
	if got := len(s.Members(ad.ID)); got != 3 {
		t.Errorf("the AD group changed: %d members", got)
	}
}

func TestAddMembersInBulk(t *testing.T) {
	s := NewServer(Empty())
	defer s.Close()
	ids := s.SeedUsers(100)
	g := s.AddGroup(Group{Name: "Team", Members: []string{ids[5], "user000001@example.com"}})
	s.AddMembers(g.ID, ids[9], ids[5], "USER000003@example.com", ids[9])
	want := []string{ids[0], ids[2], ids[5], ids[9]}
	if got := s.Members(g.ID); !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	for name, f := range map[string]func(){
		"unknown group": func() { s.AddMembers("00gnothing", ids[0]) },
		"unknown user":  func() { s.AddMembers(g.ID, "nobody") },
		"everyone":      func() { s.AddMembers(groupByName(t, s, "Everyone").ID, ids[0]) },
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		})
	}
}

func TestRoles(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	m := byLogin(t, s, "margaret.hamilton@example.com")
	base := "/api/v1/users/" + m.ID + "/roles"
	if r := get(t, s, base); r.status != 200 || r.raw != "[]" || r.links(t)["self"] != s.URL+base {
		t.Errorf("no roles: %d %s %v", r.status, r.raw, r.header.Values("Link"))
	}
	r := do(t, s, "POST", base, `{"type":"USER_ADMIN"}`)
	wantStatus(t, r, 201)
	o := r.object()
	if o["type"] != "USER_ADMIN" || o["label"] != "User Administrator" || o["status"] != "ACTIVE" ||
		o["assignmentType"] != "USER" || o["created"] != formatTime(clk.Now()) ||
		o["_links"].(map[string]any)["assignee"].(map[string]any)["href"] != s.URL+"/api/v1/users/"+m.ID {
		t.Errorf("assignment %s", r.raw)
	}
	rid := r.str("id")
	if got := get(t, s, base+"/"+rid); got.str("id") != rid {
		t.Errorf("GET the assignment: %s", got.raw)
	}
	if u := byLogin(t, s, m.Profile.Login); !slices.Equal(u.Roles, []string{"USER_ADMIN"}) {
		t.Errorf("stored roles %v", u.Roles)
	}
	wantError(t, do(t, s, "POST", base, `{"type":"USER_ADMIN"}`), 409, "E0000090", "Duplicate role assignment")
	wantError(t, do(t, s, "POST", base, `{"type":"WORKFLOWS_ADMIN"}`), 400, "E0000001", "type")
	wantError(t, do(t, s, "POST", base, `{}`), 400, "E0000001", "type", "type: The field cannot be left blank")
	wantStatus(t, do(t, s, "DELETE", base+"/"+rid, ""), 204)
	wantError(t, do(t, s, "DELETE", base+"/"+rid, ""), 404, "E0000007", rid+" (RoleAssignment)")
	wantError(t, get(t, s, base+"/"+rid), 404, "E0000007", "")
	wantError(t, get(t, s, "/api/v1/users/00unobody/roles"), 404, "E0000007", "(User)")
}
