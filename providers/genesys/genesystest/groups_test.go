package genesystest_test

import (
	"net/http"
	"slices"
	"testing"

	"github.com/restconn/restconn/providers/genesys/genesystest"
)

func TestListGroups(t *testing.T) {
	c := newClient(t)
	support := groupByName(t, c.srv, "Support")
	sales := groupByName(t, c.srv, "Sales")
	grace := userByName(t, c.srv, "grace.hopper@example.com")
	tests := []struct {
		query string
		want  []string
	}{
		{"", []string{support.ID, sales.ID}},
		{"?count=1", []string{support.ID}},
		{"?startIndex=2&count=1", []string{sales.ID}},
		{"?filter=" + q("displayName eq Sales"), []string{sales.ID}},
		{"?filter=" + q("displayname eq sales"), []string{sales.ID}}, // as the Genesys example spells it
		{"?filter=" + q(`displayName eq "Support"`), []string{support.ID}},
		{"?filter=" + q("id eq "+sales.ID), []string{sales.ID}},
		{"?filter=" + q(`externalId eq "sales"`), []string{sales.ID}},
		{"?filter=" + q(`id eq "`+sales.ID+`" and members[value eq "`+grace.ID+`"]`), []string{sales.ID}},
		{"?filter=" + q(`members.value eq "`+grace.ID+`"`), []string{support.ID, sales.ID}},
		{"?filter=" + q("displayName eq Nobody"), nil},
	}
	for _, tt := range tests {
		m := c.json("GET", "/groups"+tt.query, nil, 200)
		if got := listIDs(t, m); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.query, got, tt.want)
		}
	}
	m := c.json("GET", "/groups?count=0", nil, 200)
	if num(m, "totalResults") != 2 || len(m["Resources"].([]any)) != 0 {
		t.Errorf("count=0: %v", m)
	}
	m = c.json("GET", "/groups?excludedAttributes=members", nil, 200)
	if _, ok := m["Resources"].([]any)[0].(map[string]any)["members"]; ok {
		t.Error("members not excluded")
	}
	resp, data := c.do("GET", "/groups?filter="+q("displayName co Sal"), nil)
	scimErr(t, resp, data, 400, "invalidFilter")
	resp, data = c.do("GET", "/groups?filter="+q("active eq true"), nil)
	scimErr(t, resp, data, 400, "invalidFilter")
}

func TestGetGroup(t *testing.T) {
	c := newClient(t)
	sales := groupByName(t, c.srv, "Sales")
	grace := userByName(t, c.srv, "grace.hopper@example.com")
	resp, data := c.do("GET", "/groups/"+sales.ID, nil)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") != `"1"` {
		t.Fatalf("status %d ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	var g map[string]any
	mustJSON(t, data, &g)
	want := map[string]any{"value": grace.ID, "type": "User", "$ref": c.srv.APIURL + scimRoot + "/users/" + grace.ID}
	members := g["members"].([]any)
	if len(members) != 1 {
		t.Fatalf("members = %v", members)
	}
	for k, v := range want {
		if members[0].(map[string]any)[k] != v {
			t.Errorf("member %s = %v, want %v", k, members[0].(map[string]any)[k], v)
		}
	}
	if g["displayName"] != "Sales" || path(g, "meta", "resourceType") != "Group" || path(g, "meta", "version") != `"1"` {
		t.Errorf("group = %v", g)
	}
	if resp, _ := c.do("GET", "/groups/"+sales.ID, nil, "If-None-Match", `"1"`); resp.StatusCode != http.StatusNotModified {
		t.Errorf("If-None-Match: %d", resp.StatusCode)
	}
	resp, data = c.do("GET", "/groups/nope", nil)
	scimErr(t, resp, data, 404, "")
}

func TestGroupMembership(t *testing.T) {
	c := newClient(t)
	sales := groupByName(t, c.srv, "Sales")
	ada := userByName(t, c.srv, "ada.lovelace@example.com")
	grace := userByName(t, c.srv, "grace.hopper@example.com")
	alan := userByName(t, c.srv, "alan.turing@example.com")

	userGroups := func(id string) []string {
		t.Helper()
		var out []string
		for _, g := range c.json("GET", "/users/"+id, nil, 200)["groups"].([]any) {
			gm := g.(map[string]any)
			if gm["type"] != "Group" || gm["$ref"] != c.srv.APIURL+scimRoot+"/groups/"+gm["value"].(string) {
				t.Errorf("group reference = %v", gm)
			}
			out = append(out, gm["value"].(string))
		}
		return out
	}
	members := func() []string {
		g, _ := c.srv.Group(sales.ID)
		return g.Members
	}

	// Add two members, one of them inactive.
	m := c.json("PATCH", "/groups/"+sales.ID, patchOp(op("add", "members", []any{
		map[string]any{"value": ada.ID}, map[string]any{"value": alan.ID, "type": "User"},
	})), 200)
	if got := members(); !slices.Equal(got, []string{grace.ID, ada.ID, alan.ID}) {
		t.Errorf("members = %v", got)
	}
	if path(m, "meta", "version") != `"2"` || len(m["members"].([]any)) != 3 {
		t.Errorf("response = %v", m)
	}
	if !slices.Contains(userGroups(ada.ID), sales.ID) {
		t.Error("ada's groups[] lacks Sales")
	}
	// Membership is not part of the user's version.
	if u, _ := c.srv.User(ada.ID); u.Version != 1 {
		t.Errorf("user version %d", u.Version)
	}

	// Remove one by value filter.
	c.json("PATCH", "/groups/"+sales.ID, patchOp(op("remove", `members[value eq "`+grace.ID+`"]`, nil)), 200, "If-Match", `"2"`)
	if got := members(); !slices.Equal(got, []string{ada.ID, alan.ID}) {
		t.Errorf("members = %v", got)
	}
	if slices.Contains(userGroups(grace.ID), sales.ID) {
		t.Error("grace still in Sales")
	}

	// Remove with a value list (Microsoft Entra ID style), op in capitals.
	c.json("PATCH", "/groups/"+sales.ID, patchOp(op("Remove", "members", []any{map[string]any{"value": alan.ID}})), 200)
	if got := members(); !slices.Equal(got, []string{ada.ID}) {
		t.Errorf("members = %v", got)
	}

	// An empty value list removes nothing.
	c.json("PATCH", "/groups/"+sales.ID, patchOp(op("remove", "members", []any{})), 200)
	if got := members(); !slices.Equal(got, []string{ada.ID}) {
		t.Errorf("members = %v", got)
	}

	// Replace all members.
	c.json("PATCH", "/groups/"+sales.ID, patchOp(op("replace", "members", []any{map[string]any{"value": grace.ID}})), 200)
	if got := members(); !slices.Equal(got, []string{grace.ID}) {
		t.Errorf("members = %v", got)
	}

	// Path-less replace of the name.
	c.json("PATCH", "/groups/"+sales.ID, patchOp(op("replace", "", map[string]any{"id": sales.ID, "displayName": "Sales EMEA"})), 200)
	if g, _ := c.srv.Group(sales.ID); g.DisplayName != "Sales EMEA" || g.Version != 7 {
		t.Errorf("group = %+v", g)
	}

	errs := []struct {
		name     string
		body     any
		scimType string
		status   int
		ifMatch  string
	}{
		{"nonexistent user", patchOp(op("add", "members", []any{map[string]any{"value": "00000000-0000-4000-8000-000000000000"}})), "invalidValue", 400, ""},
		{"nested group", patchOp(op("add", "members", []any{map[string]any{"value": sales.ID, "type": "Group"}})), "invalidValue", 400, ""},
		{"member without value", patchOp(op("add", "members", []any{map[string]any{"display": "x"}})), "invalidValue", 400, ""},
		{"unknown path", patchOp(op("replace", "owner", "x")), "invalidPath", 400, ""},
		{"remove displayName", patchOp(op("remove", "displayName", nil)), "mutability", 400, ""},
		{"duplicate name", patchOp(op("replace", "displayName", "support")), "uniqueness", 409, ""},
		{"stale If-Match", patchOp(op("add", "members", []any{map[string]any{"value": ada.ID}})), "invalidVers", 400, `"1"`},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			var hdr []string
			if tt.ifMatch != "" {
				hdr = []string{"If-Match", tt.ifMatch}
			}
			resp, data := c.do("PATCH", "/groups/"+sales.ID, tt.body, hdr...)
			scimErr(t, resp, data, tt.status, tt.scimType)
		})
	}
	if got := members(); !slices.Equal(got, []string{grace.ID}) {
		t.Errorf("failed patches changed members: %v", got)
	}
}

func TestPutGroup(t *testing.T) {
	c := newClient(t)
	support := groupByName(t, c.srv, "Support")
	alan := userByName(t, c.srv, "alan.turing@example.com")
	m := c.json("PUT", "/groups/"+support.ID, map[string]any{
		"schemas":     []string{"urn:ietf:params:scim:schemas:core:2.0:Group"},
		"displayName": "Support Tier 2",
		"externalId":  "sup-2",
		"members":     []any{map[string]any{"value": alan.ID}},
	}, 200, "If-Match", `W/"1"`)
	if m["displayName"] != "Support Tier 2" || m["externalId"] != "sup-2" || len(m["members"].([]any)) != 1 {
		t.Errorf("group = %v", m)
	}
	resp, data := c.do("PUT", "/groups/"+support.ID, map[string]any{"members": []any{}})
	scimErr(t, resp, data, 400, "invalidValue")
}

func TestGroupsCannotBeCreatedOrDeleted(t *testing.T) {
	c := newClient(t)
	sales := groupByName(t, c.srv, "Sales")
	resp, data := c.do("POST", "/Groups", map[string]any{"displayName": "New"})
	scimErr(t, resp, data, http.StatusMethodNotAllowed, "")
	if resp.Header.Get("Allow") != "GET" {
		t.Errorf("Allow = %q", resp.Header.Get("Allow"))
	}
	resp, data = c.do("DELETE", "/Groups/"+sales.ID, nil)
	scimErr(t, resp, data, http.StatusMethodNotAllowed, "")
	if resp.Header.Get("Allow") != "GET, PUT, PATCH" {
		t.Errorf("Allow = %q", resp.Header.Get("Allow"))
	}
	if len(c.srv.Groups()) != 2 {
		t.Error("groups changed")
	}
}

func TestWithGroups(t *testing.T) {
	u := genesystest.User{ID: "u-1", UserName: "u1@example.com", DisplayName: "U1", Active: true}
	c := newClient(t,
		genesystest.WithUsers(u),
		genesystest.WithGroups(genesystest.Group{ID: "g-1", DisplayName: "Team", Members: []string{"u-1"}}),
	)
	m := c.json("GET", "/groups/g-1", nil, 200)
	if len(m["members"].([]any)) != 1 {
		t.Errorf("members = %v", m["members"])
	}
	if g := c.json("GET", "/users/u-1", nil, 200)["groups"].([]any); len(g) != 1 {
		t.Errorf("groups = %v", g)
	}

	// WithUsers alone keeps the seeded groups, empty.
	c2 := newClient(t, genesystest.WithUsers(u))
	for _, g := range c2.srv.Groups() {
		if len(g.Members) != 0 {
			t.Errorf("%s has members %v", g.DisplayName, g.Members)
		}
	}
}

func TestDiscovery(t *testing.T) {
	c := newClient(t)
	spc := c.json("GET", "/ServiceProviderConfig", nil, 200)
	for _, k := range []string{"patch", "filter", "etag"} {
		if path(spc, k, "supported") != true {
			t.Errorf("%s.supported = %v", k, path(spc, k, "supported"))
		}
	}
	if path(spc, "bulk", "supported") != false || path(spc, "sort", "supported") != false ||
		path(spc, "filter", "maxResults") != float64(genesystest.DefaultMaxCount) {
		t.Errorf("spc = %v", spc)
	}
	if schemes, _ := spc["authenticationSchemes"].([]any); len(schemes) != 1 {
		t.Errorf("authenticationSchemes = %v", spc["authenticationSchemes"])
	}

	rts := c.json("GET", "/resourcetypes", nil, 200)
	if num(rts, "totalResults") != 2 {
		t.Errorf("resource types = %v", rts)
	}
	user := c.json("GET", "/resourcetypes/User", nil, 200)
	if user["endpoint"] != "/Users" || user["schema"] != "urn:ietf:params:scim:schemas:core:2.0:User" {
		t.Errorf("User resource type = %v", user)
	}
	schemas := c.json("GET", "/schemas", nil, 200)
	if num(schemas, "totalResults") != 4 {
		t.Errorf("schemas = %v", num(schemas, "totalResults"))
	}
	for _, r := range schemas["Resources"].([]any) {
		rm := r.(map[string]any)
		if attrs, _ := rm["attributes"].([]any); len(attrs) == 0 {
			t.Errorf("schema %v has no attributes", rm["id"])
		}
	}
	c.json("GET", "/schemas/"+enterpriseURN, nil, 200)

	resp, data := c.do("GET", "/schemas?filter="+q("id eq x"), nil)
	scimErr(t, resp, data, http.StatusForbidden, "")
	resp, data = c.do("GET", "/resourcetypes/Widget", nil)
	scimErr(t, resp, data, 404, "")
	if resp, _ := c.do("GET", "/serviceproviderconfig", nil, "If-None-Match", path(spc, "meta", "version").(string)); resp.StatusCode != 304 {
		t.Errorf("If-None-Match on the config: %d", resp.StatusCode)
	}
}
