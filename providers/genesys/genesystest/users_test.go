package genesystest_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restconn/restconn/providers/genesys/genesystest"
)

func TestPagingActiveUsers(t *testing.T) {
	// 23 users, every 5th inactive: 19 active, 4 inactive.
	c := newClient(t, genesystest.WithUsers())
	c.srv.SeedUsers(23, 5)
	var wantActive, wantInactive []string
	for _, u := range c.srv.Users() {
		if u.Active {
			wantActive = append(wantActive, u.ID)
		} else {
			wantInactive = append(wantInactive, u.ID)
		}
	}
	if len(wantActive) != 19 || len(wantInactive) != 4 {
		t.Fatalf("seeded %d active, %d inactive", len(wantActive), len(wantInactive))
	}

	walk := func(filter string, count int) []string {
		var got []string
		start := 1
		for pages := 0; ; pages++ {
			if pages > 20 {
				t.Fatal("paging does not end")
			}
			url := fmt.Sprintf("/users?startIndex=%d&count=%d", start, count)
			if filter != "" {
				url += "&filter=" + q(filter)
			}
			m := c.json("GET", url, nil, 200)
			if num(m, "startIndex") != start {
				t.Errorf("startIndex = %v, want %d", m["startIndex"], start)
			}
			ids := listIDs(t, m)
			if num(m, "itemsPerPage") != len(ids) {
				t.Errorf("itemsPerPage %v, %d resources", m["itemsPerPage"], len(ids))
			}
			got = append(got, ids...)
			if len(ids) == 0 || start+num(m, "itemsPerPage") > num(m, "totalResults") {
				return got
			}
			start += num(m, "itemsPerPage")
		}
	}

	for _, count := range []int{1, 5, 7, 25} {
		if got := walk("", count); !slices.Equal(got, wantActive) {
			t.Errorf("count=%d: active ids %v, want %v", count, got, wantActive)
		}
	}
	if got := walk("active eq false", 3); !slices.Equal(got, wantInactive) {
		t.Errorf("inactive ids %v, want %v", got, wantInactive)
	}
	if got := walk("active eq true", 10); !slices.Equal(got, wantActive) {
		t.Errorf("active eq true: %v", got)
	}

	tests := []struct {
		query                            string
		total, start, items, firstActive int
	}{
		{"", 19, 1, 19, 0},                     // default count 25
		{"?count=0", 19, 1, 0, -1},             // 0 returns totalResults only
		{"?count=-3", 19, 1, 0, -1},            // negative means 0
		{"?startIndex=0&count=2", 19, 1, 2, 0}, // below 1 means 1
		{"?startIndex=18&count=5", 19, 18, 2, 17},
		{"?startIndex=40", 19, 40, 0, -1},
	}
	for _, tt := range tests {
		m := c.json("GET", "/users"+tt.query, nil, 200)
		if num(m, "totalResults") != tt.total || num(m, "startIndex") != tt.start || num(m, "itemsPerPage") != tt.items {
			t.Errorf("%q: total %v start %v items %v", tt.query, m["totalResults"], m["startIndex"], m["itemsPerPage"])
		}
		res, ok := m["Resources"].([]any)
		if !ok || len(res) != tt.items {
			t.Errorf("%q: Resources = %v", tt.query, m["Resources"])
		}
		if tt.firstActive >= 0 && len(res) > 0 && listIDs(t, m)[0] != wantActive[tt.firstActive] {
			t.Errorf("%q: first id %s", tt.query, listIDs(t, m)[0])
		}
		if s, _ := m["schemas"].([]any); len(s) != 1 || s[0] != "urn:ietf:params:scim:api:messages:2.0:ListResponse" {
			t.Errorf("schemas = %v", m["schemas"])
		}
	}
	resp, body := c.do("GET", "/users?count=ten", nil)
	scimErr(t, resp, body, 400, "invalidValue")
}

func TestMaxCount(t *testing.T) {
	c := newClient(t, genesystest.WithUsers(), genesystest.WithMaxCount(10))
	c.srv.SeedUsers(30, 0)
	m := c.json("GET", "/users?count=50", nil, 200)
	if num(m, "itemsPerPage") != 10 || num(m, "totalResults") != 30 {
		t.Errorf("items %v total %v", m["itemsPerPage"], m["totalResults"])
	}
	spc := c.json("GET", "/serviceproviderconfig", nil, 200)
	if path(spc, "filter", "maxResults") != float64(10) {
		t.Errorf("filter.maxResults = %v", path(spc, "filter", "maxResults"))
	}
}

func TestUserFilters(t *testing.T) {
	c := newClient(t)
	ada := userByName(t, c.srv, "ada.lovelace@example.com")
	grace := userByName(t, c.srv, "grace.hopper@example.com")
	alan := userByName(t, c.srv, "alan.turing@example.com")
	quote := c.srv.AddUser(genesystest.User{UserName: `o"brien@example.com`, DisplayName: `Pat "PJ" O'Brien`, Active: true})
	accent := c.srv.AddUser(genesystest.User{UserName: "élodie@example.com", DisplayName: "Élodie Çelik", Active: true})
	slash := c.srv.AddUser(genesystest.User{UserName: "a/b@example.com", DisplayName: `Back\slash`, Active: true, Department: "R&D / QA"})

	tests := []struct {
		filter string
		want   []string
	}{
		{`userName eq "ada.lovelace@example.com"`, []string{ada.ID}},
		{`userName eq ada.lovelace@example.com`, []string{ada.ID}}, // bare, as in the Genesys examples
		{`USERNAME EQ "ADA.LOVELACE@EXAMPLE.COM"`, []string{ada.ID}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "grace.hopper@example.com"`, []string{grace.ID}},
		{`userName eq "o\"brien@example.com"`, []string{quote.ID}},
		{`displayName eq "Pat \"PJ\" O'Brien"`, []string{quote.ID}},
		{`userName eq "\u00e9lodie@example.com"`, []string{accent.ID}},
		{`userName eq "élodie@example.com"`, []string{accent.ID}},
		{`userName eq "a\/b@example.com"`, []string{slash.ID}},
		{`userName eq a/b@example.com`, []string{slash.ID}},
		{`displayName eq "Back\\slash"`, []string{slash.ID}},
		{`department eq "R&D / QA"`, []string{slash.ID}},
		{`id eq ` + grace.ID, []string{grace.ID}},
		{`id eq "` + strings.ToUpper(grace.ID) + `"`, nil}, // ids are case-exact
		{`externalId eq 1001`, []string{ada.ID}},
		{`email eq grace.hopper@example.com`, []string{grace.ID}},
		{`emails.value eq "grace.hopper@example.com"`, []string{grace.ID}},
		{`emails[type eq "work" and value eq "ada.lovelace@example.com"]`, []string{ada.ID}},
		{`manager eq ` + ada.ID, []string{grace.ID}},
		{enterpriseURN + `:manager.value eq "` + ada.ID + `"`, []string{grace.ID}},
		{`division eq Home`, []string{ada.ID, grace.ID, quote.ID, accent.ID, slash.ID}},
		{`department eq Support`, []string{ada.ID, grace.ID}},
		{`employeeNumber eq 1002`, []string{grace.ID}},
		{`title eq agent`, []string{grace.ID}},
		{`displayName eq Grace Hopper`, []string{grace.ID}}, // bare multi-word value
		{`title eq Agent and department eq Support`, []string{grace.ID}},
		{`roles.value eq "Supervisor"`, []string{ada.ID}},
		{`roles eq employee and title eq Agent`, []string{grace.ID}},
		{`phoneNumbers.value eq "tel:+13175550100"`, []string{ada.ID}},
		{`groups.value eq "` + groupByName(t, c.srv, "Sales").ID + `"`, []string{grace.ID}},
		{genesysURN + `:routingSkills[name eq "Billing"]`, []string{grace.ID}},
		{`routingLanguages.name eq french`, []string{grace.ID}},
		{genesysURN + `:externalIds[authority eq "x-pc:scimv2:v1" and value eq "1002"]`, []string{grace.ID}},
		{`active eq false`, []string{alan.ID}},
		{`active eq false and userName eq alan.turing@example.com`, []string{alan.ID}},
		{`userName eq alan.turing@example.com`, nil}, // inactive users need active eq false
		{`userName eq nobody@example.com`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.filter, func(t *testing.T) {
			m := c.json("GET", "/users?filter="+q(tt.filter), nil, 200)
			if got := listIDs(t, m); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if num(m, "totalResults") != len(tt.want) {
				t.Errorf("totalResults = %v", m["totalResults"])
			}
		})
	}

	for _, bad := range []string{
		`userName ne "x"`,
		`userName co "ada"`,
		`userName sw "ada"`,
		`userName pr`,
		`userName eq "a" or userName eq "b"`,
		`not (userName eq "a")`,
		`(userName eq "a")`,
		`nickName eq "a"`,
		`active eq maybe`,
		`userName eq "unterminated`,
		`userName`,
	} {
		t.Run("invalid "+bad, func(t *testing.T) {
			resp, body := c.do("GET", "/users?filter="+q(bad), nil)
			scimErr(t, resp, body, 400, "invalidFilter")
		})
	}
}

func TestCreateUser(t *testing.T) {
	clock := &fakeClock{now: time.Date(2024, 5, 1, 10, 0, 0, 123e6, time.UTC)}
	c := newClient(t, genesystest.WithClock(clock.Now))
	body := map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User", enterpriseURN, genesysURN},
		"userName":    `new"user/ü@example.com`,
		"displayName": `New "Quoted" Üser / Ω`,
		"title":       "Agent <b>&</b>",
		"password":    "hunter2",
		"emails":      []any{map[string]any{"value": "new@example.com", "type": "work", "primary": true}},
		"phoneNumbers": []any{
			map[string]any{"value": "tel:+13175550123;ext=4", "type": "work"},
		},
		"externalId": "EXT-42",
		"roles":      []any{map[string]any{"value": "employee"}},
		"groups":     []any{map[string]any{"value": "ignored"}},
		enterpriseURN: map[string]any{
			"department": "Sales", "employeeNumber": "E1", "dateHire": "2024-04-01",
			"manager": map[string]any{"value": "16e10e2f-1136-43fe-bb84-eac073168a49"},
		},
		genesysURN: map[string]any{
			"routingSkills": []any{map[string]any{"name": "Billing", "proficiency": 4.5}},
		},
	}
	resp, data := c.do("POST", "/users", body)
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/scim+json" {
		t.Errorf("Content-Type = %q", ct)
	}
	var u map[string]any
	mustJSON(t, data, &u)
	id := u["id"].(string)
	loc := c.srv.APIURL + scimRoot + "/users/" + id
	if resp.Header.Get("Location") != loc || path(u, "meta", "location") != loc {
		t.Errorf("Location %q, meta.location %v, want %s", resp.Header.Get("Location"), path(u, "meta", "location"), loc)
	}
	if resp.Header.Get("ETag") != `"1"` || path(u, "meta", "version") != `"1"` {
		t.Errorf("ETag %q, meta.version %v", resp.Header.Get("ETag"), path(u, "meta", "version"))
	}
	if path(u, "meta", "lastModified") != "2024-05-01T10:00:00.123Z" || path(u, "meta", "resourceType") != "User" {
		t.Errorf("meta = %v", u["meta"])
	}
	checks := map[string]any{
		"userName":    `new"user/ü@example.com`,
		"displayName": `New "Quoted" Üser / Ω`,
		"title":       "Agent <b>&</b>",
		"active":      true,
		"externalId":  "EXT-42",
	}
	for k, want := range checks {
		if u[k] != want {
			t.Errorf("%s = %v, want %v", k, u[k], want)
		}
	}
	if _, ok := u["password"]; ok {
		t.Error("password was returned")
	}
	if g, _ := u["groups"].([]any); len(g) != 0 {
		t.Errorf("groups = %v; groups are read-only", u["groups"])
	}
	if path(u, enterpriseURN, "division") != "Home" || path(u, enterpriseURN, "department") != "Sales" ||
		path(u, enterpriseURN, "manager", "value") != "16e10e2f-1136-43fe-bb84-eac073168a49" {
		t.Errorf("enterprise = %v", u[enterpriseURN])
	}
	xids, _ := path(u, genesysURN, "externalIds").([]any)
	if len(xids) != 1 || path(xids[0].(map[string]any), "authority") != "x-pc:scimv2:v1" || path(xids[0].(map[string]any), "value") != "EXT-42" {
		t.Errorf("externalIds = %v", xids)
	}
	stored, ok := c.srv.User(id)
	if !ok || stored.UserName != `new"user/ü@example.com` || len(stored.RoutingSkills) != 1 || stored.RoutingSkills[0].Proficiency != 4.5 {
		t.Errorf("stored = %+v", stored)
	}

	// The same name, in another case, is taken.
	dup := map[string]any{"userName": `NEW"USER/Ü@example.com`, "displayName": "Dup"}
	resp, data = c.do("POST", "/users", dup)
	if !strings.EqualFold(`new"user/ü@example.com`, dup["userName"].(string)) {
		t.Fatal("test data")
	}
	scimErr(t, resp, data, http.StatusConflict, "uniqueness")

	for name, tt := range map[string]struct {
		body, scimType string
		status         int
		contentType    string
	}{
		"no userName":    {`{"displayName":"x"}`, "invalidValue", 400, ""},
		"no displayName": {`{"userName":"x@example.com"}`, "invalidValue", 400, ""},
		"not json":       {`{"userName":`, "invalidSyntax", 400, ""},
		"array":          {`[]`, "invalidSyntax", 400, ""},
		"bad proficiency": {`{"userName":"p@example.com","displayName":"P","` + genesysURN +
			`":{"routingSkills":[{"name":"X","proficiency":7}]}}`, "invalidValue", 400, ""},
		"text/plain": {`{"userName":"t@example.com","displayName":"T"}`, "", 415, "text/plain"},
	} {
		t.Run(name, func(t *testing.T) {
			var hdr []string
			if tt.contentType != "" {
				hdr = []string{"Content-Type", tt.contentType}
			}
			resp, data := c.do("POST", "/users", tt.body, hdr...)
			scimErr(t, resp, data, tt.status, tt.scimType)
		})
	}

	t.Run("core attributes nested under the core URN", func(t *testing.T) {
		c.json("POST", "/users", map[string]any{
			"urn:ietf:params:scim:schemas:core:2.0:User": map[string]any{"userName": "nested@example.com", "displayName": "Nested"},
		}, 201)
	})

	t.Run("application/json accepted", func(t *testing.T) {
		c.json("POST", "/users", `{"userName":"j@example.com","displayName":"J","active":false}`, 201,
			"Content-Type", "application/json; charset=utf-8")
		if u := userByName(t, c.srv, "j@example.com"); u.Active {
			t.Error("active false was ignored")
		}
	})
}

func TestGetUser(t *testing.T) {
	c := newClient(t)
	ada := userByName(t, c.srv, "ada.lovelace@example.com")
	resp, data := c.do("GET", "/users/"+ada.ID, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var u map[string]any
	mustJSON(t, data, &u)
	if resp.Header.Get("ETag") != path(u, "meta", "version") {
		t.Errorf("ETag %q != meta.version %v", resp.Header.Get("ETag"), path(u, "meta", "version"))
	}
	schemas, _ := u["schemas"].([]any)
	if len(schemas) != 3 {
		t.Errorf("schemas = %v", schemas)
	}
	groups, _ := u["groups"].([]any)
	support := groupByName(t, c.srv, "Support")
	if len(groups) != 1 || path(groups[0].(map[string]any), "value") != support.ID ||
		path(groups[0].(map[string]any), "$ref") != c.srv.APIURL+scimRoot+"/groups/"+support.ID {
		t.Errorf("groups = %v", groups)
	}
	if roles, _ := u["roles"].([]any); len(roles) != 2 {
		t.Errorf("roles = %v", u["roles"])
	}

	for _, inm := range []string{`"1"`, `W/"1"`, `1`, `"9", "1"`} {
		resp, data = c.do("GET", "/users/"+ada.ID, nil, "If-None-Match", inm)
		if resp.StatusCode != http.StatusNotModified || len(data) != 0 {
			t.Errorf("If-None-Match %s: status %d", inm, resp.StatusCode)
		}
	}
	if resp, _ = c.do("GET", "/users/"+ada.ID, nil, "If-None-Match", `"0"`); resp.StatusCode != 200 {
		t.Errorf("stale If-None-Match: status %d", resp.StatusCode)
	}

	resp, data = c.do("GET", "/users/00000000-0000-4000-8000-000000000000", nil)
	scimErr(t, resp, data, 404, "")

	// Inactive users are found by id.
	alan := userByName(t, c.srv, "alan.turing@example.com")
	if m := c.json("GET", "/users/"+alan.ID, nil, 200); m["active"] != false {
		t.Errorf("active = %v", m["active"])
	}
}

func TestAttributes(t *testing.T) {
	c := newClient(t)
	ada := userByName(t, c.srv, "ada.lovelace@example.com")
	tests := []struct {
		query        string
		present      []string
		absent       []string
		enterprise   []string // keys expected in the enterprise extension
		noEnterprise bool
	}{
		{"excludedAttributes=roles,externalId", []string{"displayName", "emails", "groups"}, []string{"roles", "externalId"}, nil, false},
		{"excludedAttributes=roles&excludedAttributes=groups", []string{"externalId"}, []string{"roles", "groups"}, nil, false},
		{"excludedAttributes=id,userName,meta", []string{"id", "userName", "meta"}, nil, nil, false},
		{"excludedAttributes=" + enterpriseURN + ":division", nil, nil, []string{"department", "employeeNumber"}, false},
		{"excludedAttributes=" + enterpriseURN, nil, []string{enterpriseURN}, nil, true},
		{"attributes=displayName", []string{"displayName", "id", "userName", "active", "meta", "schemas"}, []string{"emails", "roles", "title", genesysURN}, nil, true},
		{"attributes=emails.value," + enterpriseURN + ":department", []string{"emails"}, []string{"roles"}, []string{"department"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			for _, u := range []map[string]any{
				c.json("GET", "/users/"+ada.ID+"?"+tt.query, nil, 200),
				c.json("GET", "/users?filter="+q("id eq "+ada.ID)+"&"+tt.query, nil, 200)["Resources"].([]any)[0].(map[string]any),
			} {
				for _, k := range tt.present {
					if _, ok := u[k]; !ok {
						t.Errorf("%s missing", k)
					}
				}
				for _, k := range tt.absent {
					if _, ok := u[k]; ok {
						t.Errorf("%s present", k)
					}
				}
				ent, hasEnt := u[enterpriseURN].(map[string]any)
				if tt.noEnterprise && hasEnt {
					t.Errorf("enterprise extension present: %v", ent)
				}
				if tt.enterprise != nil {
					keys := make([]string, 0, len(ent))
					for k := range ent {
						keys = append(keys, k)
					}
					slices.Sort(keys)
					want := slices.Clone(tt.enterprise)
					slices.Sort(want)
					if !slices.Equal(keys, want) {
						t.Errorf("enterprise keys %v, want %v", keys, want)
					}
				}
			}
		})
	}
	// Sub-attribute selection keeps only that sub-attribute.
	u := c.json("GET", "/users/"+ada.ID+"?attributes=emails.value", nil, 200)
	if e := u["emails"].([]any)[0].(map[string]any); len(e) != 1 || e["value"] != "ada.lovelace@example.com" {
		t.Errorf("emails = %v", u["emails"])
	}
}

func TestPatchUser(t *testing.T) {
	type check func(t *testing.T, u genesystest.User, body map[string]any)
	tests := []struct {
		name  string
		ops   []map[string]any
		check check
	}{
		{"deactivate", []map[string]any{op("replace", "active", false)}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if u.Active {
				t.Error("still active")
			}
		}},
		{"op names are case-insensitive, booleans may be strings", []map[string]any{op("Replace", "active", "False")}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if u.Active {
				t.Error("still active")
			}
		}},
		{"displayName and title", []map[string]any{op("replace", "displayName", "Ada King"), op("add", "title", `Countess "of" Lovelace`)}, func(t *testing.T, u genesystest.User, b map[string]any) {
			if u.DisplayName != "Ada King" || u.Title != `Countess "of" Lovelace` || b["title"] != u.Title {
				t.Errorf("got %q, %q", u.DisplayName, u.Title)
			}
		}},
		{"remove title", []map[string]any{op("remove", "title", nil)}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if u.Title != "" {
				t.Errorf("title = %q", u.Title)
			}
		}},
		{"replace work email by filter", []map[string]any{op("replace", `emails[type eq "work"].value`, "ada@new.example.com")}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.Emails) != 1 || u.Emails[0].Value != "ada@new.example.com" || u.Emails[0].Type != "work" {
				t.Errorf("emails = %+v", u.Emails)
			}
		}},
		{"add mobile phone by filter creates it", []map[string]any{op("add", `phoneNumbers[type eq "mobile"].value`, "+13175550199")}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.PhoneNumbers) != 2 || u.PhoneNumbers[1] != (genesystest.Phone{Value: "+13175550199", Type: "mobile"}) {
				t.Errorf("phones = %+v", u.PhoneNumbers)
			}
		}},
		{"add email of the same type replaces it", []map[string]any{op("add", "emails", []any{map[string]any{"value": "x@example.com", "type": "work", "primary": true}})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.Emails) != 1 || u.Emails[0].Value != "x@example.com" {
				t.Errorf("emails = %+v", u.Emails)
			}
		}},
		{"add roles", []map[string]any{op("add", "roles", []any{map[string]any{"value": "Quality Evaluator"}, map[string]any{"value": "employee"}})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if !slices.Equal(u.Roles, []string{"employee", "Supervisor", "Quality Evaluator"}) {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"remove role by filter", []map[string]any{op("remove", `roles[value eq "Supervisor"]`, nil)}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if !slices.Equal(u.Roles, []string{"employee"}) {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"replace roles", []map[string]any{op("replace", "roles", []any{map[string]any{"value": "admin"}})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if !slices.Equal(u.Roles, []string{"admin"}) {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"remove all roles", []map[string]any{op("remove", "roles", nil)}, func(t *testing.T, u genesystest.User, b map[string]any) {
			if len(u.Roles) != 0 || len(b["roles"].([]any)) != 0 {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"enterprise attribute by URN path", []map[string]any{op("replace", enterpriseURN+":department", "Billing"), op("add", enterpriseURN+":manager", "16e10e2f-1136-43fe-bb84-eac073168a49")}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if u.Department != "Billing" || u.ManagerID != "16e10e2f-1136-43fe-bb84-eac073168a49" {
				t.Errorf("department %q manager %q", u.Department, u.ManagerID)
			}
		}},
		{"routing skills", []map[string]any{op("add", genesysURN+":routingSkills", []any{map[string]any{"name": "Billing", "proficiency": 4}})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.RoutingSkills) != 1 || u.RoutingSkills[0] != (genesystest.Proficiency{Name: "Billing", Proficiency: 4}) {
				t.Errorf("skills = %v", u.RoutingSkills)
			}
		}},
		{"routing language proficiency by filter", []map[string]any{op("replace", genesysURN+`:routingLanguages[name eq "English"].proficiency`, 3.5)}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.RoutingLanguages) != 1 || u.RoutingLanguages[0].Proficiency != 3.5 {
				t.Errorf("languages = %v", u.RoutingLanguages)
			}
		}},
		{"path-less replace", []map[string]any{op("replace", "", map[string]any{
			"id": "ignored", "active": false, "displayName": "A. L.",
			enterpriseURN:                 map[string]any{"employeeNumber": "X9"},
			enterpriseURN + ":department": "Research",
		})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if u.Active || u.DisplayName != "A. L." || u.EmployeeNumber != "X9" || u.Department != "Research" || u.Division != "Home" {
				t.Errorf("user = %+v", u)
			}
		}},
		{"path-less add", []map[string]any{op("add", "", map[string]any{"title": "Head", "roles": []any{map[string]any{"value": "Master"}}})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if u.Title != "Head" || !slices.Contains(u.Roles, "Master") || !slices.Contains(u.Roles, "Supervisor") {
				t.Errorf("user = %+v", u)
			}
		}},
		{"remove email by filter", []map[string]any{op("remove", `emails[type eq "work"]`, nil)}, func(t *testing.T, u genesystest.User, b map[string]any) {
			if len(u.Emails) != 0 {
				t.Errorf("emails = %+v", u.Emails)
			}
			if _, ok := b["emails"]; ok {
				t.Errorf("rendered emails = %v", b["emails"])
			}
		}},
		{"new primary phone demotes the old one", []map[string]any{op("add", "phoneNumbers", map[string]any{"value": "+441632960000", "type": "home", "primary": true})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			want := []genesystest.Phone{{Value: "tel:+13175550100", Type: "work"}, {Value: "+441632960000", Type: "home", Primary: true}}
			if !slices.Equal(u.PhoneNumbers, want) {
				t.Errorf("phones = %+v", u.PhoneNumbers)
			}
		}},
		{"sub-attribute of every value", []map[string]any{op("replace", "emails.value", "all@example.com")}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.Emails) != 1 || u.Emails[0].Value != "all@example.com" {
				t.Errorf("emails = %+v", u.Emails)
			}
		}},
		{"remove roles by value list", []map[string]any{op("remove", "roles", []any{map[string]any{"value": "supervisor"}})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if !slices.Equal(u.Roles, []string{"employee"}) {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"remove roles with an empty list removes nothing", []map[string]any{op("remove", "roles", []any{})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.Roles) != 2 {
				t.Errorf("roles = %v", u.Roles)
			}
		}},
		{"manager as an object or by sub-attribute", []map[string]any{
			op("replace", enterpriseURN+":manager", map[string]any{"value": "m-1"}),
			op("replace", enterpriseURN+":manager.value", "m-2"),
		}, func(t *testing.T, u genesystest.User, b map[string]any) {
			if u.ManagerID != "m-2" || path(b, enterpriseURN, "manager", "$ref") == nil {
				t.Errorf("manager %q, rendered %v", u.ManagerID, path(b, enterpriseURN, "manager"))
			}
		}},
		{"remove manager", []map[string]any{op("add", enterpriseURN+":manager", "m-1"), op("remove", enterpriseURN+":manager", nil)}, func(t *testing.T, u genesystest.User, b map[string]any) {
			if u.ManagerID != "" || path(b, enterpriseURN, "manager") != nil {
				t.Errorf("manager %q", u.ManagerID)
			}
		}},
		{"whole enterprise extension", []map[string]any{op("replace", enterpriseURN, map[string]any{"Department": "Ops", "dateHire": "2020-01-02"})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if u.Department != "Ops" || u.DateHire != "2020-01-02" || u.EmployeeNumber != "1001" {
				t.Errorf("user = %+v", u)
			}
		}},
		{"routing skills: upsert, filter remove", []map[string]any{
			op("add", genesysURN+":routingSkills", []any{map[string]any{"name": "Billing", "proficiency": 1}, map[string]any{"name": "Sales", "proficiency": "2"}}),
			op("add", genesysURN+":routingSkills", map[string]any{"name": "Billing", "proficiency": 2}),
			op("remove", genesysURN+`:routingSkills[name eq "Sales"]`, nil),
		}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if !slices.Equal(u.RoutingSkills, []genesystest.Proficiency{{Name: "Billing", Proficiency: 2}}) {
				t.Errorf("skills = %v", u.RoutingSkills)
			}
		}},
		{"remove routing languages by value", []map[string]any{op("remove", genesysURN+":routingLanguages", []any{map[string]any{"name": "English"}})}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if len(u.RoutingLanguages) != 0 {
				t.Errorf("languages = %v", u.RoutingLanguages)
			}
		}},
		{"externalIds: add by filter, remove by filter", []map[string]any{
			op("add", genesysURN+`:externalIds[authority eq "teams"].value`, "t-1"),
			op("add", genesysURN+":externalIds", map[string]any{"authority": "zoom", "value": "z-1"}),
			op("remove", genesysURN+`:externalIds[authority eq "teams"]`, nil),
		}, func(t *testing.T, u genesystest.User, _ map[string]any) {
			if !slices.Equal(u.ExternalIDs, []genesystest.ExternalID{{Authority: "zoom", Value: "z-1"}}) {
				t.Errorf("externalIds = %v", u.ExternalIDs)
			}
		}},
		{"externalIds with another authority", []map[string]any{op("add", genesysURN+":externalIds", []any{
			map[string]any{"authority": "microsoftteams", "value": "abc"},
			map[string]any{"authority": "x-pc:scimv2:v1", "value": "ignored"},
		})}, func(t *testing.T, u genesystest.User, b map[string]any) {
			if len(u.ExternalIDs) != 1 || u.ExternalIDs[0] != (genesystest.ExternalID{Authority: "microsoftteams", Value: "abc"}) {
				t.Errorf("externalIds = %v", u.ExternalIDs)
			}
			if x, _ := path(b, genesysURN, "externalIds").([]any); len(x) != 2 {
				t.Errorf("rendered externalIds = %v", x)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newClient(t)
			ada := userByName(t, c.srv, "ada.lovelace@example.com")
			resp, data := c.do("PATCH", "/users/"+ada.ID, patchOp(tt.ops...))
			if resp.StatusCode != 200 {
				t.Fatalf("status %d: %s", resp.StatusCode, data)
			}
			if resp.Header.Get("ETag") != `"2"` {
				t.Errorf("ETag = %q, want \"2\"", resp.Header.Get("ETag"))
			}
			var body map[string]any
			mustJSON(t, data, &body)
			u, _ := c.srv.User(ada.ID)
			if u.Version != 2 || path(body, "meta", "version") != `"2"` {
				t.Errorf("version %d, meta.version %v", u.Version, path(body, "meta", "version"))
			}
			tt.check(t, u, body)
		})
	}

	t.Run("deactivated users leave the default list", func(t *testing.T) {
		c := newClient(t)
		ada := userByName(t, c.srv, "ada.lovelace@example.com")
		c.json("PATCH", "/users/"+ada.ID, patchOp(op("replace", "active", false)), 200)
		if ids := listIDs(t, c.json("GET", "/users", nil, 200)); slices.Contains(ids, ada.ID) {
			t.Error("inactive user listed")
		}
		if ids := listIDs(t, c.json("GET", "/users?filter="+q("active eq false"), nil, 200)); !slices.Contains(ids, ada.ID) {
			t.Error("inactive user missing from active eq false")
		}
	})
}

func TestPatchUserErrors(t *testing.T) {
	c := newClient(t)
	ada := userByName(t, c.srv, "ada.lovelace@example.com")
	tests := []struct {
		name     string
		body     any
		status   int
		scimType string
	}{
		{"unknown path", patchOp(op("replace", "nickName", "x")), 400, "invalidPath"},
		{"unknown extension attribute", patchOp(op("replace", enterpriseURN+":costCenter", "x")), 400, "invalidPath"},
		{"malformed path", patchOp(op("replace", `emails[type eq "work"`, "x")), 400, "invalidPath"},
		{"groups are read-only", patchOp(op("add", "groups", []any{map[string]any{"value": "g"}})), 400, "mutability"},
		{"groups in a path-less op", patchOp(op("replace", "", map[string]any{"groups": []any{}})), 400, "mutability"},
		{"id is read-only", patchOp(op("replace", "id", "x")), 400, "mutability"},
		{"remove userName", patchOp(op("remove", "userName", nil)), 400, "mutability"},
		{"remove without path", patchOp(op("remove", "", nil)), 400, "noTarget"},
		{"replace missing role", patchOp(op("replace", `roles[value eq "nope"]`, map[string]any{"value": "x"})), 400, "noTarget"},
		{"wrong type", patchOp(op("replace", "active", 3)), 400, "invalidValue"},
		{"proficiency out of range", patchOp(op("add", genesysURN+":routingSkills", map[string]any{"name": "X", "proficiency": 5.5})), 400, "invalidValue"},
		{"skill without a name", patchOp(op("add", genesysURN+":routingSkills", map[string]any{"proficiency": 1})), 400, "invalidValue"},
		{"replace missing skill", patchOp(op("replace", genesysURN+`:routingSkills[proficiency eq 1]`, map[string]any{"proficiency": 2})), 400, "noTarget"},
		{"replace email by a non-type filter", patchOp(op("replace", `emails[value eq "nobody@example.com"].value`, "x@example.com")), 400, "noTarget"},
		{"unknown email sub-attribute", patchOp(op("replace", `emails[type eq "work"].label`, "x")), 400, "invalidPath"},
		{"no value", patchOp(op("replace", "title", nil)), 400, "invalidValue"},
		{"path-less with a scalar", patchOp(op("replace", "", "x")), 400, "invalidValue"},
		{"unknown op", patchOp(op("merge", "title", "x")), 400, "invalidSyntax"},
		{"no operations", map[string]any{"schemas": []string{patchOpURN}}, 400, "invalidSyntax"},
		{"not json", `{"Operations":`, 400, "invalidSyntax"},
		{"duplicate userName", patchOp(op("replace", "userName", "GRACE.HOPPER@example.com")), 409, "uniqueness"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := c.do("PATCH", "/users/"+ada.ID, tt.body)
			scimErr(t, resp, data, tt.status, tt.scimType)
		})
	}
	// Failed operations change nothing, not even the version.
	if u, _ := c.srv.User(ada.ID); u.Version != 1 || u.UserName != ada.UserName {
		t.Errorf("user changed: %+v", u)
	}
	resp, data := c.do("PATCH", "/users/00000000-0000-4000-8000-000000000000", patchOp(op("replace", "title", "x")))
	scimErr(t, resp, data, 404, "")
}

func TestPutUser(t *testing.T) {
	c := newClient(t)
	grace := userByName(t, c.srv, "grace.hopper@example.com")
	body := map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:User"},
		"id":          grace.ID,
		"userName":    "grace@example.com",
		"displayName": "Rear Admiral Hopper",
		"emails":      []any{map[string]any{"value": "grace@example.com", "type": "work", "primary": true}},
		"groups":      []any{map[string]any{"value": "ignored"}},
	}
	u := c.json("PUT", "/users/"+grace.ID, body, 200, "If-Match", `"1"`)
	if u["userName"] != "grace@example.com" || u["displayName"] != "Rear Admiral Hopper" || u["active"] != true {
		t.Errorf("user = %v", u)
	}
	stored, _ := c.srv.User(grace.ID)
	// Omitted attributes are cleared; membership is untouched.
	if stored.Title != "" || len(stored.Roles) != 0 || stored.ManagerID != "" || stored.RoutingSkills != nil || stored.Version != 2 {
		t.Errorf("stored = %+v", stored)
	}
	if g, _ := u["groups"].([]any); len(g) != 2 {
		t.Errorf("groups = %v", u["groups"])
	}
	resp, data := c.do("PUT", "/users/"+grace.ID, map[string]any{"userName": "grace@example.com"})
	scimErr(t, resp, data, 400, "invalidValue")
	resp, data = c.do("PUT", "/users/"+grace.ID, map[string]any{"userName": "ada.lovelace@example.com", "displayName": "x"})
	scimErr(t, resp, data, 409, "uniqueness")
}

func TestIfMatch(t *testing.T) {
	c := newClient(t)
	ada := userByName(t, c.srv, "ada.lovelace@example.com")
	// Each successful PATCH bumps the version, so each form names the next.
	for i, form := range []string{`"1"`, `W/"2"`, `3`, `*`} {
		resp, data := c.do("PATCH", "/users/"+ada.ID, patchOp(op("replace", "title", fmt.Sprint(i))), "If-Match", form)
		if resp.StatusCode != 200 {
			t.Fatalf("If-Match %s: status %d: %s", form, resp.StatusCode, data)
		}
	}
	for _, method := range []string{"PATCH", "PUT", "DELETE"} {
		var body any
		switch method {
		case "PATCH":
			body = patchOp(op("replace", "title", "stale"))
		case "PUT":
			body = map[string]any{"userName": ada.UserName, "displayName": "x"}
		}
		resp, data := c.do(method, "/users/"+ada.ID, body, "If-Match", `"1"`)
		scimErr(t, resp, data, 400, "invalidVers")
	}

	// A concurrent change makes a held ETag stale.
	grace := userByName(t, c.srv, "grace.hopper@example.com")
	m := c.json("GET", "/users/"+grace.ID, nil, 200)
	tag := path(m, "meta", "version").(string)
	c.srv.BumpVersion(grace.ID)
	resp, data := c.do("PATCH", "/users/"+grace.ID, patchOp(op("replace", "title", "x")), "If-Match", tag)
	scimErr(t, resp, data, 400, "invalidVers")
	if resp, _ := c.do("GET", "/users/"+grace.ID, nil, "If-None-Match", tag); resp.StatusCode != 200 {
		t.Errorf("If-None-Match with stale tag: %d", resp.StatusCode)
	}
}

func TestDeleteUser(t *testing.T) {
	c := newClient(t)
	grace := userByName(t, c.srv, "grace.hopper@example.com")
	resp, data := c.do("DELETE", "/users/"+grace.ID, nil, "If-Match", `W/"1"`)
	if resp.StatusCode != http.StatusNoContent || len(data) != 0 {
		t.Fatalf("status %d: %s", resp.StatusCode, data)
	}
	resp, data = c.do("GET", "/users/"+grace.ID, nil)
	scimErr(t, resp, data, 404, "")
	resp, data = c.do("DELETE", "/users/"+grace.ID, nil)
	scimErr(t, resp, data, 404, "")
	if _, ok := c.srv.User(grace.ID); ok {
		t.Error("User still finds the deleted user")
	}
	for _, g := range c.srv.Groups() {
		if slices.Contains(g.Members, grace.ID) {
			t.Errorf("group %s still has the deleted user", g.DisplayName)
		}
	}
	// The userName is free again.
	c.json("POST", "/users", map[string]any{"userName": grace.UserName, "displayName": "Grace 2"}, 201)
}

func TestPaths(t *testing.T) {
	c := newClient(t)
	for _, p := range []string{
		"/api/v2/scim/v2/users",
		"/api/v2/scim/v2/Users",
		"/api/v2/scim/v2/USERS/",
		"/api/v2/scim/users",
		"/API/V2/SCIM/V2/Users",
		"/api/v2/scim/v2/ServiceProviderConfig",
		"/api/v2/scim/v2/ResourceTypes/user",
		"/api/v2/scim/v2/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group",
		"/api/v2/scim/serviceproviderconfig",
		"/api/v2/scim/v2/Groups",
	} {
		if resp, data := c.do("GET", p, nil); resp.StatusCode != 200 {
			t.Errorf("GET %s: status %d: %s", p, resp.StatusCode, data)
		}
	}
	// meta.location follows the root the client used.
	m := c.json("GET", "/api/v2/scim/users?count=1", nil, 200)
	loc := path(m["Resources"].([]any)[0].(map[string]any), "meta", "location").(string)
	if !strings.HasPrefix(loc, c.srv.APIURL+"/api/v2/scim/users/") {
		t.Errorf("legacy location = %s", loc)
	}

	resp, data := c.do("GET", "/Widgets", nil)
	scimErr(t, resp, data, 404, "")
	resp, data = c.do("PUT", "/Users", map[string]any{})
	scimErr(t, resp, data, 405, "")
	if resp.Header.Get("Allow") != "GET, POST" {
		t.Errorf("Allow = %q", resp.Header.Get("Allow"))
	}
	if resp, _ := c.do("GET", "/api/v2/users", nil); resp.StatusCode != 404 {
		t.Errorf("non-SCIM path: %d", resp.StatusCode)
	}
}

func TestBodyLimit(t *testing.T) {
	c := newClient(t)
	big := `{"userName":"big@example.com","displayName":"` + strings.Repeat("x", 2<<20) + `"}`
	resp, data := c.do("POST", "/users", big)
	scimErr(t, resp, data, http.StatusRequestEntityTooLarge, "")
}

func TestConcurrentUse(t *testing.T) {
	c := newClient(t, genesystest.WithUsers())
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("c%02d@example.com", i)
			resp, data := c.do("POST", "/users", map[string]any{"userName": name, "displayName": name})
			if resp.StatusCode != 201 {
				t.Errorf("status %d: %s", resp.StatusCode, data)
			}
			c.do("GET", "/users", nil)
			_ = c.srv.Users()
			_ = c.srv.Requests()
		}()
	}
	wg.Wait()
	if n := len(c.srv.Users()); n != 20 {
		t.Errorf("%d users", n)
	}
}
