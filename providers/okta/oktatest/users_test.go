package oktatest

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestSeededOrg(t *testing.T) {
	s := NewServer()
	defer s.Close()
	count := map[Status]int{}
	for _, u := range s.Users() {
		count[u.Status]++
	}
	for _, st := range statuses {
		if count[st] == 0 {
			t.Errorf("no seeded user is %s", st)
		}
	}
	me := get(t, s, "/api/v1/users/me")
	wantStatus(t, me, 200)
	if me.str("id") != s.AdminID || me.str("status") != "ACTIVE" {
		t.Errorf("me: %s", me.raw)
	}
	roles := get(t, s, "/api/v1/users/me/roles").list()
	if len(roles) != 1 || roles[0]["type"] != "SUPER_ADMIN" || roles[0]["assignmentType"] != "USER" {
		t.Errorf("admin roles: %v", roles)
	}
	types := map[GroupType]int{}
	for _, g := range s.Groups() {
		types[g.Type]++
	}
	if types[OktaGroup] < 3 || types[AppGroup] != 1 || types[BuiltIn] != 1 {
		t.Errorf("group types %v", types)
	}
	if got := len(s.Members(groupByName(t, s, "Everyone").ID)); got != len(s.Users()) {
		t.Errorf("Everyone has %d members, want all %d users", got, len(s.Users()))
	}
	// managerId names the manager by ID.
	if grace := byLogin(t, s, "grace.hopper@example.com"); grace.Profile.ManagerID != byLogin(t, s, "isaac.brock@example.com").ID {
		t.Errorf("grace's managerId %q", grace.Profile.ManagerID)
	}
}

func TestUserObject(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now), Empty(), WithUsers(User{
		Status: StatusActive,
		Profile: Profile{Login: "ann.lee@example.com", Email: "ann.lee@example.com", FirstName: "Ann", LastName: "Lee",
			Title: "CFO", Extra: map[string]any{"costCenter": "7", "badges": []any{"a", "b"}}},
		HasPassword: true, Created: clk.Now().Add(-time.Hour),
	}))
	defer s.Close()
	u := byLogin(t, s, "ann.lee@example.com")
	r := get(t, s, "/api/v1/users/"+u.ID)
	wantStatus(t, r, 200)
	var got map[string]any
	if err := json.Unmarshal([]byte(r.raw), &got); err != nil {
		t.Fatal(err)
	}
	created := "2026-03-02T08:30:00.000Z"
	want := map[string]any{
		"id": u.ID, "status": "ACTIVE", "created": created, "activated": created, "statusChanged": created,
		"lastLogin": nil, "lastUpdated": "2026-03-02T09:30:00.000Z", "passwordChanged": created,
		"type": map[string]any{"id": defaultTypeID},
		"profile": map[string]any{"login": "ann.lee@example.com", "email": "ann.lee@example.com", "firstName": "Ann",
			"lastName": "Lee", "title": "CFO", "mobilePhone": nil, "secondEmail": nil, "costCenter": "7", "badges": []any{"a", "b"}},
		"credentials": map[string]any{"password": map[string]any{}, "provider": map[string]any{"type": "OKTA", "name": "OKTA"}},
	}
	for k, v := range want {
		if fmt.Sprint(got[k]) != fmt.Sprint(v) {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if !strings.HasPrefix(u.ID, "00u") || len(u.ID) != 20 {
		t.Errorf("id %q is not 00u and 17 characters", u.ID)
	}
	links, _ := got["_links"].(map[string]any)
	for _, rel := range []string{"self", "suspend", "deactivate", "resetPassword", "expirePassword"} {
		l, _ := links[rel].(map[string]any)
		if href, _ := l["href"].(string); !strings.HasPrefix(href, s.URL+"/api/v1/users/"+u.ID) {
			t.Errorf("_links.%s = %v", rel, links[rel])
		}
	}
	if links["unsuspend"] != nil || links["activate"] != nil {
		t.Errorf("an active user links to unsuspend or activate: %v", links)
	}
	// In lists, only self.
	list := get(t, s, "/api/v1/users").list()
	if l := list[len(list)-1]["_links"].(map[string]any); len(l) != 1 || l["self"] == nil {
		t.Errorf("list _links %v", l)
	}
}

func TestListUsersPaging(t *testing.T) {
	s := NewServer(Empty())
	defer s.Close()
	ids := s.SeedUsers(450)
	want := append([]string{s.AdminID}, ids...)

	got, pages := walk(t, s, "/api/v1/users")
	if !slices.Equal(got, want) || pages != 3 {
		t.Errorf("default limit: %d users in %d pages, want %d in 3", len(got), pages, len(want))
	}
	got, pages = walk(t, s, "/api/v1/users?limit=100")
	if !slices.Equal(got, want) || pages != 5 {
		t.Errorf("limit=100: %d users in %d pages, want %d in 5", len(got), pages, len(want))
	}
	// Larger limits are capped at 200, and the next link says so.
	r := get(t, s, "/api/v1/users", "limit", "1000")
	if n := len(r.list()); n != 200 {
		t.Errorf("limit=1000 gave %d users", n)
	}
	next, _ := url.Parse(r.links(t)["next"])
	if q := next.Query(); q.Get("limit") != "200" || q.Get("after") != r.ids()[199] {
		t.Errorf("next link %s", next)
	}
	// A capped limit pages on.
	r = get(t, s, "/api/v1/users", "limit", "451")
	if l := r.links(t); l["next"] == "" || len(r.list()) != 200 {
		t.Errorf("limit=451 (capped to 200): %d users, links %v", len(r.list()), l)
	}
	// The last page has no next link, and there is no empty page after it.
	r = get(t, s, "/api/v1/users", "after", ids[249], "limit", "200")
	if l := r.links(t); l["next"] != "" || len(r.list()) != 200 {
		t.Errorf("the last 200 users: %d users, links %v", len(r.list()), l)
	}
	for _, bad := range []string{"0", "-5", "ten", ""} {
		wantError(t, get(t, s, "/api/v1/users", "limit", bad), 400, "E0000001", "limit")
	}
}

func TestPagingIsStableUnderChanges(t *testing.T) {
	s := NewServer(Empty())
	defer s.Close()
	ids := s.SeedUsers(10)
	r := get(t, s, "/api/v1/users", "limit", "4")
	seen := r.ids()
	// Between pages, a user of the next page and the last user seen are
	// deleted, and a new user is created.
	for _, id := range []string{ids[4], seen[3]} {
		do(t, s, "DELETE", "/api/v1/users/"+id, "")
		do(t, s, "DELETE", "/api/v1/users/"+id, "")
	}
	created := s.SeedUsers(1)[0]
	rest, _ := walk(t, s, r.links(t)["next"])
	all := append(seen, rest...)
	want := []string{s.AdminID, ids[0], ids[1], ids[2], ids[3], ids[5], ids[6], ids[7], ids[8], ids[9], created}
	if !slices.Equal(all, want) {
		t.Errorf("paged %v\nwant    %v", all, want)
	}
}

func TestListUsersFilters(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	login := func(r reply) []string {
		var out []string
		for _, u := range r.list() {
			p, _ := u["profile"].(map[string]any)
			l, _ := p["login"].(string)
			out = append(out, strings.TrimSuffix(l, "@example.com"))
		}
		slices.Sort(out)
		return out
	}
	all := login(get(t, s, "/api/v1/users"))
	if slices.Contains(all, "ken.thompson") {
		t.Errorf("the default list holds the DEPROVISIONED ken.thompson: %v", all)
	}
	if len(all) != 11 {
		t.Errorf("default list: %v", all)
	}
	tests := []struct {
		param, expr string
		want        []string
	}{
		{"filter", `status eq "DEPROVISIONED"`, []string{"ken.thompson"}},
		{"filter", `status eq "LOCKED_OUT" or status eq "RECOVERY"`, []string{"frances.allen", "katherine.johnson"}},
		{"filter", `status eq "deprovisioned"`, nil}, // filter values are case-sensitive
		{"filter", `profile.login eq "grace.hopper@example.com"`, []string{"grace.hopper"}},
		{"filter", `profile.login EQ "grace.hopper@example.com"`, []string{"grace.hopper"}}, // operators are not
		{"filter", `profile.firstName eq "Ada" or profile.lastName eq "Allen"`, []string{"ada.lovelace", "frances.allen"}},
		{"filter", `id eq "` + byLogin(t, s, "alan.turing@example.com").ID + `"`, []string{"alan.turing"}},
		{"filter", `lastUpdated gt "` + formatTime(clk.Now().Add(-3*24*time.Hour-time.Minute)) + `"`,
			[]string{"barbara.liskov", "claude.shannon", "frances.allen", "katherine.johnson"}},
		{"filter", `lastUpdated ge "2026-02-27T09:30:00.000Z" and lastUpdated lt "2026-03-01T09:30:00.000Z"`,
			[]string{"barbara.liskov", "claude.shannon", "frances.allen"}},
		{"filter", `lastUpdated lt "2026-03-01T00:00:00.000-10:00" and (status eq "RECOVERY" or status eq "STAGED")`,
			[]string{"barbara.liskov", "frances.allen"}},
		{"search", `profile.department eq "finance"`, []string{"ada.lovelace", "katherine.johnson"}},
		{"search", `profile.lastName sw "h" and status eq "active"`, []string{"margaret.hamilton", "grace.hopper"}},
		{"search", `profile.email co "ALLEN"`, []string{"frances.allen"}},
		{"search", `status eq "DEPROVISIONED"`, []string{"ken.thompson"}},
		{"search", `(status lt "STAGED" or status gt "STAGED") and profile.department eq "Finance"`, []string{"ada.lovelace", "katherine.johnson"}},
		{"search", `profile.mobilePhone pr`, []string{"isaac.brock"}},
		{"search", `profile.city eq "san francisco"`, []string{"isaac.brock"}},
		{"search", `activated pr and created gt "2026-02-20T00:00:00.000Z"`, []string{"dennis.ritchie"}},
		{"search", `type.id eq "` + defaultTypeID + `" and profile.employeeNumber eq "187"`, []string{"isaac.brock"}},
		{"q", "gr", []string{"grace.hopper"}},
		{"q", "KEN", nil}, // DEPROVISIONED users are left out
		{"q", "j", []string{"jordan.rivera", "katherine.johnson"}},
	}
	for _, tt := range tests {
		t.Run(tt.param+" "+tt.expr, func(t *testing.T) {
			r := get(t, s, "/api/v1/users", tt.param, tt.expr)
			wantStatus(t, r, 200)
			got := login(r)
			want := slices.Sorted(slices.Values(tt.want))
			if !slices.Equal(got, want) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

func TestListUsersBadExpressions(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tests := []struct {
		query       []string
		code, cause string
	}{
		{[]string{"filter", `profile.title eq "Engineer"`}, "E0000031", "filtering on profile.title is not supported"},
		{[]string{"filter", `STATUS eq "ACTIVE"`}, "E0000031", "filtering on STATUS"}, // property names are case-sensitive
		{[]string{"filter", `status sw "ACT"`}, "E0000031", "sw operator is not supported for status"},
		{[]string{"filter", `status ne "ACTIVE"`}, "E0000031", "ne operator"},
		{[]string{"filter", `not status eq "ACTIVE"`}, "E0000031", "not operator"},
		{[]string{"filter", `status eq`}, "E0000031", "value is missing"},
		{[]string{"filter", `status eq "ACTIVE`}, "E0000031", "unterminated"},
		{[]string{"filter", `(status eq "ACTIVE"`}, "E0000031", "missing )"},
		{[]string{"filter", `status eq "ACTIVE" and`}, "E0000031", "property name is missing"},
		{[]string{"filter", `status eq ACTIVE`}, "E0000031", "not a quoted string"},
		{[]string{"filter", `status eq "ACTIVE")`}, "E0000031", "unexpected"},
		{[]string{"filter", ``}, "E0000031", "property name is missing"},
		{[]string{"filter", `lastUpdated gt "2026-01-01"`}, "E0000030", "lastUpdated needs a date"},
		{[]string{"filter", `lastUpdated gt "2026-01-01T00:00:00Z"`}, "E0000030", ""},
		{[]string{"filter", `lastUpdated gt 5`}, "E0000030", ""},
		{[]string{"search", `profile.title co "Eng"`}, "E0000031", "co operator is supported only for"},
		{[]string{"search", `lastUpdated sw "2026"`}, "E0000031", "sw operator is not supported for lastUpdated"},
		{[]string{"search", `realmId eq "x"`}, "E0000031", "searching on realmId is not supported"},
		{[]string{"search", `status eq "ACTIVE" and not_a_field pr`}, "E0000031", "searching on not_a_field"},
		{[]string{"filter", `status eq "ACTIVE"`, "search", `status eq "ACTIVE"`}, "E0000033", ""},
		{[]string{"q", "a", "filter", `status eq "ACTIVE"`}, "E0000033", ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.query, " "), func(t *testing.T) {
			r := get(t, s, "/api/v1/users", tt.query...)
			wantStatus(t, r, 400)
			var causes []string
			if tt.cause != "" {
				causes = []string{tt.cause}
			}
			wantError(t, r, 400, tt.code, "", causes...)
		})
	}
}

func TestNextLinkKeepsTheFilter(t *testing.T) {
	s := NewServer(Empty())
	defer s.Close()
	ids := s.SeedUsers(30)
	for _, id := range ids[10:] {
		if err := s.SetStatus(id, StatusSuspended); err != nil {
			t.Fatal(err)
		}
	}
	got, pages := walk(t, s, "/api/v1/users?limit=7&filter="+url.QueryEscape(`status eq "SUSPENDED"`))
	if !slices.Equal(got, ids[10:]) || pages != 3 {
		t.Errorf("%d suspended users in %d pages, want 20 in 3", len(got), pages)
	}
}

func TestGetUser(t *testing.T) {
	s := NewServer()
	defer s.Close()
	grace := byLogin(t, s, "grace.hopper@example.com")
	for _, key := range []string{grace.ID, "grace.hopper@example.com", "Grace.Hopper@Example.com", "grace.hopper"} {
		if r := get(t, s, "/api/v1/users/"+url.PathEscape(key)); r.status != 200 || r.str("id") != grace.ID {
			t.Errorf("GET by %q: %d %s", key, r.status, r.str("id"))
		}
	}
	wantError(t, get(t, s, "/api/v1/users/00unobody"), 404, "E0000007", "Not found: Resource not found: 00unobody (User)")
	// A short name two users share is ambiguous.
	s.AddUser(User{Profile: Profile{Login: "grace.hopper@example.org", Email: "g@example.org", FirstName: "G", LastName: "H"}})
	wantError(t, get(t, s, "/api/v1/users/grace.hopper"), 404, "E0000007", "")
}

func TestCreateUser(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now), Empty())
	defer s.Close()
	now := formatTime(clk.Now())
	profile := func(login string) string {
		return fmt.Sprintf(`"profile":{"login":%q,"email":%q,"firstName":"New","lastName":"Hire","mobilePhone":"+1 555 0100","nickName":"Newbie"}`, login, login)
	}
	password := `"credentials":{"password":{"value":"Sup3rSecret"},"recovery_question":{"question":"Colour?","answer":"blue"}}`
	tests := []struct {
		name, query, body          string
		status                     Status
		activated, passwordChanged bool
	}{
		{"staged", "activate=false", "{" + profile("a@example.com") + "}", StatusStaged, false, false},
		{"staged with password", "activate=false", "{" + profile("b@example.com") + "," + password + "}", StatusStaged, false, true},
		{"activated without password", "activate=true", "{" + profile("c@example.com") + "}", StatusProvisioned, true, false},
		{"activated with password", "", "{" + profile("d@example.com") + "," + password + "}", StatusActive, true, true},
		{"password to change", "nextLogin=changePassword", "{" + profile("e@example.com") + "," + password + "}", StatusPasswordExpired, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, s, "POST", "/api/v1/users?"+tt.query, tt.body)
			wantStatus(t, r, 200)
			if strings.Contains(r.raw, "Sup3rSecret") || strings.Contains(r.raw, "blue") {
				t.Fatalf("the response shows a secret: %s", r.raw)
			}
			m := r.object()
			if m["status"] != string(tt.status) || m["created"] != now || m["lastUpdated"] != now {
				t.Errorf("status %v created %v lastUpdated %v", m["status"], m["created"], m["lastUpdated"])
			}
			if (m["activated"] == now) != tt.activated || (m["statusChanged"] == now) != tt.activated {
				t.Errorf("activated %v statusChanged %v", m["activated"], m["statusChanged"])
			}
			if (m["passwordChanged"] == now) != tt.passwordChanged {
				t.Errorf("passwordChanged %v", m["passwordChanged"])
			}
			p := m["profile"].(map[string]any)
			if p["nickName"] != "Newbie" || p["mobilePhone"] != "+1 555 0100" {
				t.Errorf("profile %v", p)
			}
			u, _ := s.User(r.str("id"))
			if u.Status != tt.status || u.HasPassword != tt.passwordChanged {
				t.Errorf("stored %+v", u)
			}
		})
	}
	if got := len(s.Members(groupByName(t, s, "Everyone").ID)); got != 6 {
		t.Errorf("Everyone has %d members, want 6", got)
	}
}

func TestCreateUserErrors(t *testing.T) {
	s := NewServer()
	defer s.Close()
	valid := `"login":"ok@example.com","email":"ok@example.com","firstName":"O","lastName":"K"`
	tests := []struct {
		name, query, body string
		status            int
		code, summary     string
		causes            []string
	}{
		{name: "duplicate login", body: `{"profile":{"login":"Grace.Hopper@example.com","email":"g@example.com","firstName":"G","lastName":"H"}}`,
			status: 400, code: "E0000001", summary: "Api validation failed: login",
			causes: []string{"login: An object with this field already exists in the current organization"}},
		{name: "missing fields", body: `{"profile":{"login":"half@example.com","firstName":""}}`,
			status: 400, code: "E0000001", summary: "Api validation failed: email",
			causes: []string{"email: The field cannot be left blank", "firstName: The field cannot be left blank", "lastName: The field cannot be left blank"}},
		{name: "no profile", body: `{"credentials":{"password":{"value":"Abcdefg1"}}}`, status: 400, code: "E0000001",
			summary: "Api validation failed: profile"},
		{name: "login not an email", body: `{"profile":{"login":"okuser","email":"ok@example.com","firstName":"O","lastName":"K"}}`,
			status: 400, code: "E0000001", causes: []string{"login: Username must be in the form of an email address"}},
		{name: "bad email", body: `{"profile":{"login":"ok@example.com","email":"not an email","firstName":"O","lastName":"K"}}`,
			status: 400, code: "E0000001", causes: []string{"email: Does not match required pattern"}},
		{name: "number as name", body: `{"profile":{"login":"ok@example.com","email":"ok@example.com","firstName":7,"lastName":"K"}}`,
			status: 400, code: "E0000001", causes: []string{"firstName: Does not match required type: string"}},
		{name: "weak password", body: `{"profile":{` + valid + `},"credentials":{"password":{"value":"password"}}}`,
			status: 400, code: "E0000001", summary: "Api validation failed: password", causes: []string{"Password requirements were not met"}},
		{name: "password hash", body: `{"profile":{` + valid + `},"credentials":{"password":{"hash":{"algorithm":"BCRYPT"}}}}`,
			status: 400, code: "E0000001", causes: []string{"not modelled"}},
		{name: "expire without password", query: "nextLogin=changePassword", body: `{"profile":{` + valid + `}}`,
			status: 400, code: "E0000124"},
		{name: "expire without activation", query: "activate=false&nextLogin=changePassword",
			body: `{"profile":{` + valid + `},"credentials":{"password":{"value":"Abcdefg1"}}}`, status: 400, code: "E0000125"},
		{name: "app group", body: `{"profile":{` + valid + `},"groupIds":["` + groupByName(t, s, "Engineering users (AD)").ID + `"]}`,
			status: 400, code: "E0000001", causes: []string{"is not the ID of a group of type OKTA_GROUP"}},
		{name: "unknown group", body: `{"profile":{` + valid + `},"groupIds":["00gnothing"]}`, status: 400, code: "E0000001"},
	}
	before := len(s.Users())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, s, "POST", "/api/v1/users?"+tt.query, tt.body)
			wantError(t, r, tt.status, tt.code, tt.summary, tt.causes...)
		})
	}
	if n := len(s.Users()); n != before {
		t.Errorf("failed creations stored users: %d, want %d", n, before)
	}
}

func TestCreateUserInGroups(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sales, finance := groupByName(t, s, "Sales"), groupByName(t, s, "Finance")
	r := do(t, s, "POST", "/api/v1/users", `{"profile":{"login":"joiner@example.com","email":"joiner@example.com","firstName":"J","lastName":"Oiner"},
		"groupIds":["`+sales.ID+`","`+finance.ID+`"]}`)
	wantStatus(t, r, 200)
	id := r.str("id")
	for _, g := range []Group{sales, finance} {
		if !slices.Contains(s.Members(g.ID), id) {
			t.Errorf("not a member of %s", g.Name)
		}
	}
	groups := get(t, s, "/api/v1/users/"+id+"/groups").ids()
	if len(groups) != 3 { // Everyone, Finance, Sales
		t.Errorf("the joiner's groups: %v", groups)
	}
}

func TestUpdateUser(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	isaac := byLogin(t, s, "isaac.brock@example.com")
	clk.Advance(time.Hour)
	now := formatTime(clk.Now())

	// Partial: only the given properties change; null clears one.
	r := do(t, s, "POST", "/api/v1/users/"+isaac.ID, `{"profile":{"title":"VP","mobilePhone":null,"city":null,"division":"R&D"}}`)
	wantStatus(t, r, 200)
	u := byLogin(t, s, "isaac.brock@example.com")
	if u.Profile.Title != "VP" || u.Profile.MobilePhone != "" || u.Profile.FirstName != "Isaac" ||
		u.Profile.Extra["city"] != nil || u.Profile.Extra["division"] != "R&D" || u.Profile.Extra["costCenter"] != "10" {
		t.Errorf("after a partial update: %+v", u.Profile)
	}
	if r.object()["lastUpdated"] != now || !u.LastUpdated.Equal(clk.Now()) || u.PasswordChanged != isaac.PasswordChanged {
		t.Errorf("lastUpdated %v, passwordChanged %v", r.object()["lastUpdated"], u.PasswordChanged)
	}

	// A password alone.
	clk.Advance(time.Minute)
	wantStatus(t, do(t, s, "POST", "/api/v1/users/"+isaac.ID, `{"credentials":{"password":{"value":"An0therOne"}}}`), 200)
	if u := byLogin(t, s, "isaac.brock@example.com"); !u.PasswordChanged.Equal(clk.Now()) || u.Profile.Title != "VP" {
		t.Errorf("after setting a password: %+v", u)
	}
	wantError(t, do(t, s, "POST", "/api/v1/users/"+isaac.ID, `{"credentials":{"password":{"value":"short"}}}`),
		400, "E0000001", "password")

	// Replace: the whole profile.
	r = do(t, s, "PUT", "/api/v1/users/"+isaac.ID,
		`{"profile":{"login":"isaac.b@example.com","email":"isaac.b@example.com","firstName":"Isaac","lastName":"B"}}`)
	wantStatus(t, r, 200)
	u = byLogin(t, s, "isaac.b@example.com")
	if u.Profile.Title != "" || len(u.Profile.Extra) != 0 || u.Profile.LastName != "B" {
		t.Errorf("after a replace: %+v", u.Profile)
	}
	if _, ok := s.User("isaac.brock@example.com"); ok {
		t.Error("the old login still finds the user")
	}
	// The old login is free again.
	wantStatus(t, do(t, s, "POST", "/api/v1/users",
		`{"profile":{"login":"isaac.brock@example.com","email":"i@example.com","firstName":"I","lastName":"B"}}`), 200)

	wantError(t, do(t, s, "PUT", "/api/v1/users/"+isaac.ID, `{"profile":{"login":"isaac.b@example.com"}}`),
		400, "E0000001", "email", "email: The field cannot be left blank")
	wantError(t, do(t, s, "POST", "/api/v1/users/"+isaac.ID, `{"profile":{"login":"grace.hopper@example.com"}}`),
		400, "E0000001", "login", "already exists")
	wantError(t, do(t, s, "POST", "/api/v1/users/"+isaac.ID, `{"profile":"x"}`), 400, "E0000001", "profile")

	// DEPROVISIONED users cannot be changed.
	ken := byLogin(t, s, "ken.thompson@example.com")
	wantError(t, do(t, s, "POST", "/api/v1/users/"+ken.ID, `{"profile":{"title":"x"}}`),
		403, "E0000038", "This operation is not allowed in the user's current status.")
	wantError(t, do(t, s, "PUT", "/api/v1/users/00unobody", `{}`), 404, "E0000007", "(User)")
}

func TestLifecycle(t *testing.T) {
	type step struct {
		op         string
		query      string
		status     int    // HTTP status
		code       string // error code when status >= 400
		to         Status // the user's status afterwards
		hasTokenIn string // a field the 200 body must have
	}
	tests := []struct {
		name  string
		from  Status
		pwd   bool
		steps []step
	}{
		{"activate staged with password", StatusStaged, true, []step{
			{op: "activate", status: 200, to: StatusActive},
			{op: "activate", status: 403, code: "E0000016", to: StatusActive}}},
		{"activate staged without password", StatusStaged, false, []step{
			{op: "activate", query: "sendEmail=false", status: 200, to: StatusProvisioned, hasTokenIn: "activationUrl"},
			{op: "reactivate", query: "sendEmail=false", status: 200, to: StatusProvisioned, hasTokenIn: "activationToken"},
			{op: "activate", status: 403, code: "E0000016", to: StatusProvisioned}}},
		{"activate deprovisioned", StatusDeprovisioned, true, []step{
			{op: "activate", status: 200, to: StatusActive}}},
		{"suspend and unsuspend", StatusActive, true, []step{
			{op: "unsuspend", status: 400, code: "E0000001", to: StatusActive},
			{op: "suspend", status: 200, to: StatusSuspended},
			{op: "suspend", status: 400, code: "E0000001", to: StatusSuspended},
			{op: "unlock", status: 403, code: "E0000032", to: StatusSuspended},
			{op: "expire_password", status: 403, code: "E0000038", to: StatusSuspended},
			{op: "reset_password", query: "sendEmail=true", status: 403, code: "E0000038", to: StatusSuspended},
			{op: "unsuspend", status: 200, to: StatusActive}}},
		{"suspend needs ACTIVE", StatusLockedOut, true, []step{
			{op: "suspend", status: 400, code: "E0000001", to: StatusLockedOut},
			{op: "unlock", status: 200, to: StatusActive},
			{op: "unlock", status: 200, to: StatusActive}}},
		{"passwords", StatusActive, true, []step{
			{op: "expire_password", status: 200, to: StatusPasswordExpired, hasTokenIn: "profile"},
			{op: "reset_password", query: "sendEmail=false", status: 200, to: StatusRecovery, hasTokenIn: "resetPasswordUrl"},
			{op: "reactivate", status: 200, to: StatusProvisioned, hasTokenIn: "activationUrl"}, // sendEmail defaults to false
			{op: "reactivate", query: "sendEmail=true", status: 200, to: StatusProvisioned}}},
		{"expire without password", StatusProvisioned, false, []step{
			{op: "expire_password", status: 403, code: "E0000038", to: StatusProvisioned}}},
		{"deactivate", StatusSuspended, true, []step{
			{op: "deactivate", status: 200, to: StatusDeprovisioned},
			{op: "deactivate", status: 403, code: "E0000038", to: StatusDeprovisioned},
			{op: "suspend", status: 400, code: "E0000001", to: StatusDeprovisioned},
			{op: "reactivate", status: 403, code: "E0000038", to: StatusDeprovisioned}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			s := NewServer(WithClock(clk.Now), Empty(), WithUsers(User{Status: tt.from, HasPassword: tt.pwd,
				Profile: Profile{Login: "u@example.com", Email: "u@example.com", FirstName: "U", LastName: "Ser"},
				Created: clk.Now().Add(-time.Hour), LastUpdated: clk.Now().Add(-time.Hour)}))
			defer s.Close()
			id := byLogin(t, s, "u@example.com").ID
			for i, st := range tt.steps {
				before := byLogin(t, s, "u@example.com")
				clk.Advance(time.Minute)
				path := "/api/v1/users/" + id + "/lifecycle/" + st.op
				if st.query != "" {
					path += "?" + st.query
				}
				r := do(t, s, "POST", path, "")
				if st.status >= 400 {
					wantError(t, r, st.status, st.code, "")
				} else {
					wantStatus(t, r, st.status)
					if st.hasTokenIn != "" && r.object()[st.hasTokenIn] == nil {
						t.Errorf("step %d %s: no %s in %s", i, st.op, st.hasTokenIn, r.raw)
					}
					if st.hasTokenIn == "" && r.raw != "{}" {
						t.Errorf("step %d %s: body %s, want {}", i, st.op, r.raw)
					}
				}
				after := byLogin(t, s, "u@example.com")
				if after.Status != st.to {
					t.Fatalf("step %d %s: status %s, want %s", i, st.op, after.Status, st.to)
				}
				if changed := after.Status != before.Status; changed != after.StatusChanged.Equal(clk.Now()) {
					t.Errorf("step %d %s: statusChanged %v (status changed: %v)", i, st.op, after.StatusChanged, changed)
				}
				if st.status >= 400 && !after.LastUpdated.Equal(before.LastUpdated) {
					t.Errorf("step %d %s: a refused operation changed lastUpdated", i, st.op)
				}
			}
		})
	}
	s := NewServer()
	defer s.Close()
	wantError(t, do(t, s, "POST", "/api/v1/users/00unobody/lifecycle/suspend", ""), 404, "E0000007", "(User)")
}

func TestDeleteUserTwice(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	isaac := byLogin(t, s, "isaac.brock@example.com")
	eng := groupByName(t, s, "Engineering")
	clk.Advance(time.Hour)

	// First call: deactivation. The user stays, and so do its memberships.
	wantStatus(t, do(t, s, "DELETE", "/api/v1/users/"+isaac.ID, ""), 204)
	u := byLogin(t, s, "isaac.brock@example.com")
	if u.Status != StatusDeprovisioned || !u.StatusChanged.Equal(clk.Now()) || !slices.Contains(s.Members(eng.ID), isaac.ID) {
		t.Fatalf("after the first DELETE: %s, member %v", u.Status, slices.Contains(s.Members(eng.ID), isaac.ID))
	}
	if got := get(t, s, "/api/v1/users/"+isaac.ID); got.str("status") != "DEPROVISIONED" {
		t.Errorf("GET after deactivation: %s", got.raw)
	}

	// Second call: deletion.
	clk.Advance(time.Minute)
	wantStatus(t, do(t, s, "DELETE", "/api/v1/users/"+isaac.ID, ""), 204)
	if _, ok := s.User(isaac.ID); ok {
		t.Error("the user still exists")
	}
	for _, g := range s.Groups() {
		if slices.Contains(g.Members, isaac.ID) {
			t.Errorf("still a member of %s", g.Name)
		}
	}
	if g, _ := s.Group(eng.ID); !g.LastMembershipUpdated.Equal(clk.Now()) {
		t.Errorf("Engineering's lastMembershipUpdated %v", g.LastMembershipUpdated)
	}
	wantError(t, get(t, s, "/api/v1/users/"+isaac.ID), 404, "E0000007", isaac.ID+" (User)")
	wantError(t, do(t, s, "DELETE", "/api/v1/users/"+isaac.ID, ""), 404, "E0000007", "")
	// The login is free again.
	wantStatus(t, do(t, s, "POST", "/api/v1/users",
		`{"profile":{"login":"isaac.brock@example.com","email":"isaac.brock@example.com","firstName":"I","lastName":"B"}}`), 200)
}

func TestUserGroups(t *testing.T) {
	s := NewServer()
	defer s.Close()
	isaac := byLogin(t, s, "isaac.brock@example.com")
	r := get(t, s, "/api/v1/users/"+isaac.ID+"/groups")
	wantStatus(t, r, 200)
	var names []string
	for _, g := range r.list() {
		names = append(names, g["profile"].(map[string]any)["name"].(string))
	}
	want := []string{"Everyone", "Engineering", "IT Admins", "Engineering users (AD)"}
	if !slices.Equal(names, want) {
		t.Errorf("isaac's groups %v, want %v", names, want)
	}
	for _, key := range []string{isaac.ID, "isaac.brock%40example.com"} {
		got, pages := walk(t, s, "/api/v1/users/"+key+"/groups?limit=3")
		if len(got) != 4 || pages != 2 {
			t.Errorf("paged by %s: %d groups in %d pages", key, len(got), pages)
		}
	}
	wantError(t, get(t, s, "/api/v1/users/00unobody/groups"), 404, "E0000007", "")
}

func TestSetStatusAndProfile(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	clk.Advance(time.Hour)
	if err := s.SetStatus("ada.lovelace@example.com", StatusLockedOut); err != nil {
		t.Fatal(err)
	}
	u := byLogin(t, s, "ada.lovelace@example.com")
	if u.Status != StatusLockedOut || !u.StatusChanged.Equal(clk.Now()) || !u.LastUpdated.Equal(clk.Now()) {
		t.Errorf("after SetStatus: %+v", u)
	}
	p := u.Profile
	p.Title = "Chief Analyst"
	if err := s.SetProfile(u.ID, p); err != nil {
		t.Fatal(err)
	}
	r := get(t, s, "/api/v1/users", "filter", `lastUpdated ge "`+formatTime(clk.Now())+`"`)
	if ids := r.ids(); len(ids) != 1 || ids[0] != u.ID {
		t.Errorf("incremental filter found %v", ids)
	}
	if err := s.SetStatus("nobody", StatusActive); err == nil {
		t.Error("SetStatus of an unknown user: no error")
	}
	if err := s.SetStatus(u.ID, "ASLEEP"); err == nil {
		t.Error("SetStatus to an unknown status: no error")
	}
	p.Login = "grace.hopper@example.com"
	if err := s.SetProfile(u.ID, p); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("SetProfile to a taken login: %v", err)
	}
}

// Users from SeedUsers keep no profile until one changes; they must behave
// like any other user.
func TestSeededUsersBehaveLikeOthers(t *testing.T) {
	s := NewServer(Empty(), WithUsers(User{Profile: Profile{Login: "User000001@example.com", Email: "x@example.com", FirstName: "X", LastName: "Y"}}))
	defer s.Close()
	ids := s.SeedUsers(5)
	first := byLogin(t, s, "USER000002@example.com") // 1 was taken
	if first.ID != ids[0] || first.Profile.LastName != "User000002" || first.Profile.Department != "Finance" || first.Profile.EmployeeNumber != "100002" {
		t.Fatalf("first seeded user %+v", first)
	}
	wantError(t, do(t, s, "POST", "/api/v1/users",
		`{"profile":{"login":"user000003@example.com","email":"a@example.com","firstName":"A","lastName":"B"}}`), 400, "E0000001", "login", "already exists")
	r := get(t, s, "/api/v1/users", "filter", `profile.login eq "user000004@example.com"`)
	if got := r.ids(); len(got) != 1 || got[0] != ids[2] {
		t.Errorf("filter on a seeded login: %v", got)
	}
	if got := get(t, s, "/api/v1/users/user000004").str("id"); got != ids[2] {
		t.Errorf("short name of a seeded user: %q", got)
	}

	// Renaming materialises the profile: the new login finds the user, the
	// old one is free.
	wantStatus(t, do(t, s, "POST", "/api/v1/users/"+ids[1], `{"profile":{"login":"renamed@example.com","title":"Boss"}}`), 200)
	u := byLogin(t, s, "renamed@example.com")
	if u.ID != ids[1] || u.Profile.Title != "Boss" || u.Profile.LastName != "User000003" {
		t.Errorf("renamed user %+v", u.Profile)
	}
	if _, ok := s.User("user000003@example.com"); ok {
		t.Error("the old login still finds the renamed user")
	}
	wantStatus(t, do(t, s, "POST", "/api/v1/users",
		`{"profile":{"login":"user000003@example.com","email":"a@example.com","firstName":"A","lastName":"B"}}`), 200)

	// Deleting frees the login too.
	do(t, s, "DELETE", "/api/v1/users/"+ids[3], "")
	do(t, s, "DELETE", "/api/v1/users/"+ids[3], "")
	if _, ok := s.User("user000005@example.com"); ok {
		t.Error("a deleted seeded user is still found")
	}
	wantStatus(t, do(t, s, "POST", "/api/v1/users",
		`{"profile":{"login":"user000005@example.com","email":"a@example.com","firstName":"A","lastName":"B"}}`), 200)
	// Lookalike logins are not seeded users.
	for _, login := range []string{"user0000002@example.com", "user2@example.com", "user000002@example.org", "user-00002@example.com"} {
		if _, ok := s.User(login); ok {
			t.Errorf("%s finds a user", login)
		}
	}
}
