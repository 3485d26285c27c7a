package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// memberAPI is a directory that lists groups and their members the way
// Okta, GitHub and SCIM servers do: bare JSON arrays paged by Link headers
// with absolute next URLs, members from a call per group, a user's groups
// from a call per user, and per-user detail endpoints. Members can also be
// paged by offset in an envelope, optionally repeating the last member of
// each page at the start of the next, as a server does when members are
// added while a client pages.
type memberAPI struct {
	users   []string            // user IDs, in order
	groups  []string            // group IDs, in order
	members map[string][]string // group ID -> member IDs, in order
	limit   int                 // default page size
	repeat  bool                // offset member pages overlap by one member
	failAt  string              // a path (with query) answered 500
	delay   time.Duration       // before each answer

	mu   sync.Mutex
	reqs []*http.Request
	srv  *httptest.Server
}

func (a *memberAPI) start(t *testing.T) *httptest.Server {
	t.Helper()
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a.srv
}

func (a *memberAPI) requests() []*http.Request {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.reqs)
}

// paths lists the requests received as "path?query".
func (a *memberAPI) paths() []string {
	var out []string
	for _, r := range a.requests() {
		out = append(out, r.URL.RequestURI())
	}
	return out
}

func (a *memberAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.reqs = append(a.reqs, r.Clone(context.Background()))
	a.mu.Unlock()
	time.Sleep(a.delay)
	w.Header().Set("Content-Type", "application/json")
	if r.URL.RequestURI() == a.failAt {
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"errorCode":"E0000009","errorSummary":"Internal Server Error"}`)
		return
	}
	seg := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	q := r.URL.Query()
	switch {
	case len(seg) == 1 && seg[0] == "users":
		a.linkPage(w, r, a.users, func(id string) any { return map[string]any{"id": id, "login": id + "@example.com"} })
	case len(seg) == 1 && seg[0] == "groups":
		a.linkPage(w, r, a.groups, func(id string) any {
			return map[string]any{"id": id, "profile": map[string]any{"name": "Group " + id}, "type": "OKTA_GROUP"}
		})
	case len(seg) == 3 && seg[0] == "groups" && seg[2] == "users":
		a.linkPage(w, r, a.members[seg[1]], func(id string) any { return map[string]any{"id": id, "status": "ACTIVE"} })
	case len(seg) == 3 && seg[0] == "groups" && seg[2] == "members":
		off, _ := strconv.Atoi(q.Get("offset"))
		size, _ := strconv.Atoi(q.Get("limit"))
		all := a.members[seg[1]]
		from := off
		if a.repeat && off > 0 {
			from-- // the last member of the previous page again
		}
		end := min(from+size, len(all))
		page := []any{}
		for _, id := range all[min(from, end):end] {
			page = append(page, map[string]any{"user_id": id})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"members": page, "total": len(all)})
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "groups":
		var gs []string
		for _, g := range a.groups {
			if slices.Contains(a.members[g], seg[1]) {
				gs = append(gs, g)
			}
		}
		a.linkPage(w, r, gs, func(id string) any { return map[string]any{"id": id} })
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "roles":
		_ = json.NewEncoder(w).Encode(map[string]any{"data": []any{map[string]any{"role": "admin"}, map[string]any{"role": "auditor"}}})
	case len(seg) == 3 && seg[0] == "users" && seg[2] == "manager":
		_ = json.NewEncoder(w).Encode(map[string]any{"manager": "boss-of-" + seg[1], "roles": q["role"]})
	default:
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"errorCode":"E0000007","errorSummary":"Not found"}`)
	}
}

// linkPage writes one page of ids as a bare JSON array, with a Link header
// to the next page (after the page's last ID) while more remain.
func (a *memberAPI) linkPage(w http.ResponseWriter, r *http.Request, ids []string, rec func(string) any) {
	q := r.URL.Query()
	limit := a.limit
	if l, err := strconv.Atoi(q.Get("limit")); err == nil {
		limit = l
	}
	start := 0
	if after := q.Get("after"); after != "" {
		start = slices.Index(ids, after) + 1
	}
	end := min(start+limit, len(ids))
	page := []any{}
	for _, id := range ids[start:end] {
		page = append(page, rec(id))
	}
	if end < len(ids) {
		next := *r.URL
		nq := next.Query()
		nq.Set("after", ids[end-1])
		next.RawQuery = nq.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, a.srv.URL, next.RequestURI()))
	}
	_ = json.NewEncoder(w).Encode(page)
}

// memberEngine builds an engine for a spec whose $URL is the server's.
func memberEngine(t testing.TB, srv *httptest.Server, spec string, opts ...connector.Option) *connector.Engine {
	t.Helper()
	s, err := connector.Parse([]byte(strings.ReplaceAll(spec, "$URL", srv.URL)))
	require.NoError(t, err)
	e, err := connector.New(s, append([]connector.Option{connector.WithHTTPClient(srv.Client())}, opts...)...)
	require.NoError(t, err)
	return e
}

func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i+1)
	}
	return out
}

func TestBareArrays(t *testing.T) {
	api := &memberAPI{users: ids("u", 7), limit: 3}
	srv := api.start(t)
	tests := []struct {
		name    string
		source  string
		want    []string
		wantErr string
	}{
		{name: "paged, records left out", source: `{"path": "/users", "paging": {"type": "link"}}`, want: api.users},
		{name: "paged, records empty", source: `{"path": "/users", "records": "", "paging": {"type": "link"}}`, want: api.users},
		{name: "paged, records $", source: `{"path": "/users", "records": "$", "paging": {"type": "link"}}`, want: api.users},
		{name: "paged by offset", source: `{"path": "/groups/g/members", "records": "members", "paging": {"type": "offset", "sizeParam": "limit", "size": 2, "total": "total"}}`},
		{name: "not paged", source: `{"path": "/users", "query": {"limit": "100"}}`, want: api.users},
		{name: "paged object body", source: `{"path": "/users/u1/roles", "paging": {"type": "link"}}`,
			wantErr: `call "list": HTTP 200: page 1: the body is an object, not a list of records: give records, the path of the list in each page`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == nil && tt.wantErr == "" {
				api.members = map[string][]string{"g": {"u2", "u4", "u6"}}
				tt.want = api.members["g"]
			}
			id := `"id"`
			if strings.Contains(tt.source, "members") {
				id = `"user_id"`
			}
			e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL"},
				"import": {"accounts": {"sources": [`+tt.source+`], "id": `+id+`}}}`)
			accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, a := range accts {
				got = append(got, a.ID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
	// An unpaged list whose body is one object is one record, as before.
	e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL"},
		"import": {"accounts": {"sources": [{"path": "/users/u1/manager"}], "id": "manager"}}}`)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 1)
	assert.Equal(t, "boss-of-u1", accts[0].ID)
}

// groupSpec imports groups (Link paging, bare arrays) with members from a
// call per group; extra is added to the entitlement import.
func groupSpec(members, extra string) string {
	return `{"name": "t", "connection": {"baseURL": "$URL"},
		"import": {"entitlements": {"group": {
			"sources": [{"name": "groups", "path": "/groups", "paging": {"type": "link"}}],
			"id": "id", "name": "profile.name", "attributes": {"type": "type"},
			"membersFrom": ` + members + extra + `}}}}`
}

const linkMembers = `{"name": "members", "path": "/groups/{{ .record.id }}/users", "query": {"limit": "2"}, "paging": {"type": "link"}, "id": "id"}`

func TestMembersFromLinkPaging(t *testing.T) {
	api := &memberAPI{groups: []string{"g1", "g2", "g3"}, limit: 2, members: map[string][]string{
		"g1": ids("u", 5), // three pages: u1 u2 | u3 u4 | u5
		"g2": {},
		"g3": {"u9"},
	}}
	srv := api.start(t)
	// One request at a time: the test checks the order of the requests.
	e := memberEngine(t, srv, groupSpec(linkMembers, ""), connector.WithImportConcurrency(1))
	ents, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	attrs := map[string]any{"type": "OKTA_GROUP"}
	assert.Equal(t, []connector.Entitlement{
		{Type: "group", ID: "g1", Name: "Group g1", Attributes: attrs, Members: ids("u", 5)},
		{Type: "group", ID: "g2", Name: "Group g2", Attributes: attrs, Members: []string{}},
		{Type: "group", ID: "g3", Name: "Group g3", Attributes: attrs, Members: []string{"u9"}},
	}, ents, "one chunk each: fewer members than the default chunk")
	// The member pages follow the absolute next links the server gave,
	// and the group list pages too.
	assert.Equal(t, []string{
		"/groups",
		"/groups/g1/users?limit=2", "/groups/g1/users?after=u2&limit=2", "/groups/g1/users?after=u4&limit=2",
		"/groups/g2/users?limit=2",
		"/groups?after=g2",
		"/groups/g3/users?limit=2",
	}, api.paths())
}

func TestMembersInChunks(t *testing.T) {
	api := &memberAPI{groups: []string{"g5", "g4", "g0", "g1"}, limit: 2, members: map[string][]string{
		"g5": ids("u", 5),
		"g4": ids("v", 4),
		"g0": {},
		"g1": {"w1"},
	}}
	srv := api.start(t)
	e := memberEngine(t, srv, groupSpec(linkMembers, `, "membersChunk": 2`), connector.WithImportConcurrency(1))
	ents, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	var got []string
	for _, ent := range ents {
		got = append(got, ent.ID+":"+strings.Join(ent.Members, ","))
		// Every chunk repeats the entitlement's name and attributes,
		// each in a map of its own.
		assert.Equal(t, "Group "+ent.ID, ent.Name)
		assert.Equal(t, map[string]any{"type": "OKTA_GROUP"}, ent.Attributes)
		ent.Attributes["mutated"] = true
	}
	assert.Equal(t, []string{"g5:u1,u2", "g5:u3,u4", "g5:u5", "g4:v1,v2", "g4:v3,v4", "g0:", "g1:w1"}, got,
		"a group of exactly two chunks ends without an empty one; a group without members is yielded once")
	merged, err := connectortest.MergeEntitlements(ents)
	require.NoError(t, err)
	require.Len(t, merged, 4)
	assert.Equal(t, ids("u", 5), merged[0].Members)
	assert.Equal(t, ids("v", 4), merged[1].Members)
	assert.Equal(t, []string{}, merged[2].Members)

	// Breaking out in the middle of a group's chunks stops its walk.
	n := len(api.requests())
	for ent, err := range e.ImportAccess(context.Background(), connector.ImportOptions{}) {
		require.NoError(t, err)
		assert.Equal(t, []string{"u1", "u2"}, ent.Members)
		break
	}
	assert.Len(t, api.requests()[n:], 3, "the group page and two member pages (the second shows the chunk is not the last)")
}

// A server that repeats a member across pages (offset paging while members
// are added) yields each member once.
func TestMembersRepeatedAcrossPages(t *testing.T) {
	api := &memberAPI{groups: []string{"g1"}, limit: 10, repeat: true, members: map[string][]string{"g1": ids("u", 7)}}
	srv := api.start(t)
	e := memberEngine(t, srv, groupSpec(`{"path": "/groups/{{ .record.id }}/members", "records": "members",
		"paging": {"type": "offset", "sizeParam": "limit", "size": 3, "total": "total"}, "id": "user_id"}`, `, "membersChunk": 3`), connector.WithImportConcurrency(1))
	ents, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	merged, err := connectortest.MergeEntitlements(ents)
	require.NoError(t, err, "no member twice, not even across chunks")
	require.Len(t, merged, 1)
	assert.Equal(t, ids("u", 7), merged[0].Members)
	var pages []string
	for _, r := range api.requests()[1:] {
		pages = append(pages, r.URL.Query().Get("offset"))
	}
	assert.Equal(t, []string{"0", "3", "6"}, pages, "the pages overlapped: 3 members each, 9 in all, 7 distinct")
}

func TestMembersFromErrors(t *testing.T) {
	tests := []struct {
		name    string
		members string
		failAt  string
		want    []string
	}{
		{name: "a member page fails", members: linkMembers, failAt: "/groups/g1/users?after=u2&limit=2",
			want: []string{`call "members": HTTP 500: members of group "g1": `, "E0000009"}},
		{name: "a member without ID", members: `{"path": "/groups/{{ .record.id }}/users", "query": {"limit": "2"}, "paging": {"type": "link"}, "id": "user_id"}`,
			want: []string{`call "membersFrom"`, `members of group "g1": page 1, record 0: no ID at "user_id"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &memberAPI{groups: []string{"g1"}, limit: 2, failAt: tt.failAt, members: map[string][]string{"g1": ids("u", 3)}}
			srv := api.start(t)
			e := memberEngine(t, srv, groupSpec(tt.members, ""), connector.WithRetryPolicy(func(context.Context, connector.Attempt) bool { return false }))
			_, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
			require.Error(t, err)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

const userGroupsSpec = `{"name": "t", "connection": {"baseURL": "$URL"},
	"import": {
		"accounts": {
			"sources": [{"path": "/users", "paging": {"type": "link"}}],
			"id": "id", "name": "login",
			"entitlementsFrom": {"group": {"name": "userGroups", "path": "/users/{{ .record.id }}/groups", "query": {"limit": "1"}, "paging": {"type": "link"}, "id": "id"}}
		},
		"entitlements": {
			"group": {"sources": [{"path": "/groups", "paging": {"type": "link"}}], "id": "id",
			          "membersFrom": {"path": "/groups/{{ .record.id }}/users", "paging": {"type": "link"}, "id": "id"}}
		}
	}}`

func TestEntitlementsFrom(t *testing.T) {
	api := &memberAPI{users: ids("u", 3), groups: []string{"g1", "g2", "g3"}, limit: 2, members: map[string][]string{
		"g1": {"u1", "u2"}, "g2": {"u2"}, "g3": {"u2", "u3"},
	}}
	srv := api.start(t)
	// derived: the same lists under another type, derived from accounts.
	derived := strings.Replace(userGroupsSpec, `"group": {"name": "userGroups"`, `"derived": {"name": "userGroups"`, 1)
	derived = strings.Replace(derived, `"entitlements": {`, `"entitlements": {"derived": {"fromAccounts": true},`, 1)
	e := memberEngine(t, srv, derived)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	got := map[string][]string{}
	for _, a := range accts {
		got[a.ID] = a.Entitlements["derived"]
	}
	assert.Equal(t, map[string][]string{"u1": {"g1"}, "u2": {"g1", "g2", "g3"}, "u3": {"g3"}}, got)
	assert.Contains(t, api.paths(), "/users/u2/groups?after=g2&limit=1", "the account's list is paged")
	ents, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{Types: []string{"derived"}}))
	require.NoError(t, err)
	assert.Len(t, ents, 3)

	// Both sides agree: the conformance suite's membership check.
	connectortest.Run(t, func(t *testing.T) connector.Connector { return memberEngine(t, srv, userGroupsSpec) }, connectortest.CheckMembership())
}

// An account's entitlements are held whole: more than
// MaxEntitlementsPerAccount is an error naming the call and the account.
func TestEntitlementsFromLimit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/users" {
			fmt.Fprint(w, `[{"id": "u1"}]`)
			return
		}
		ids := make([]string, connector.MaxEntitlementsPerAccount+1)
		for i := range ids {
			ids[i] = "g" + strconv.Itoa(i)
		}
		_ = json.NewEncoder(w).Encode(ids)
	}))
	defer srv.Close()
	// One page of 100,001: a list longer than the default
	// connection.maxListLength, so the spec raises it.
	e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL", "maxListLength": 200000},
		"import": {"accounts": {"sources": [{"path": "/users"}], "id": "id",
			"entitlementsFrom": {"group": {"name": "userGroups", "path": "/users/{{ .record.id }}/groups", "id": "$"}}}}}`)
	_, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.Error(t, err)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "userGroups", ce.Call)
	assert.Contains(t, err.Error(), `group entitlements of account "u1": more than 100000 IDs`)
}

func TestMergedDetailCalls(t *testing.T) {
	api := &memberAPI{users: []string{"u1", "u2"}, limit: 10}
	srv := api.start(t)
	e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL"},
		"import": {"accounts": {
			"sources": [{"path": "/users"}],
			"details": [
				{"name": "roles", "path": "/users/{{ .record.id }}/roles"},
				{"name": "manager", "path": "/users/{{ .record.id }}/manager",
				 "query": {"role": "{{ (index .detail.roles.data 0).role }}"}}
			],
			"id": "id", "name": "login",
			"attributes": {
				"login": "login",
				"roles": {"value": "{{ .detail.roles.data }}"},
				"role_count": {"value": "{{ len .detail.roles.data }}", "type": "int"},
				"manager": {"value": "{{ .detail.manager.manager }}"},
				"asked": {"value": "{{ .detail.manager.roles }}", "type": "list", "of": "string"}
			}
		}}}`)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 2)
	assert.Equal(t, connector.Account{ID: "u1", Name: "u1@example.com", Active: true, Attributes: map[string]any{
		"login":      "u1@example.com", // the list record is kept, ID and all
		"roles":      []any{map[string]any{"role": "admin"}, map[string]any{"role": "auditor"}},
		"role_count": int64(2),
		"manager":    "boss-of-u1",
		"asked":      []any{"admin"}, // the second detail read the first
	}}, accts[0])
	assert.Equal(t, []string{"/users", "/users/u1/roles", "/users/u1/manager?role=admin", "/users/u2/roles", "/users/u2/manager?role=admin"}, api.paths())
}

func TestValueFields(t *testing.T) {
	// Pages take time: .now must not move within one import.
	api := &memberAPI{users: ids("u", 5), groups: []string{"g1"}, members: map[string][]string{"g1": {"u1"}}, limit: 2, delay: 5 * time.Millisecond}
	srv := api.start(t)
	e := memberEngine(t, srv, `{"name": "t",
		"params": {"version": {"default": "2.11"}},
		"connection": {"baseURL": "$URL"},
		"import": {
			"accounts": {
				"sources": [{"path": "/users", "paging": {"type": "link"}}, {"path": "/groups"}],
				"incremental": [{"path": "/users", "query": {"since": "{{ rfc3339 .since }}"}, "paging": {"type": "link"}}],
				"id": {"value": "id-{{ .record.id }}"},
				"name": {"value": "{{ .record.id | upper }}"},
				"attributes": {
					"api_version": {"value": "{{ .params.version }}"},
					"synced_at": {"value": "{{ rfc3339 .now }}"},
					"synced": {"value": "{{ .now }}", "type": "time"},
					"since": {"value": "{{ opt . \"since\" }}", "type": "time"},
					"nothing": {"value": "{{ opt .record \"title\" }}", "default": "n/a"}
				}
			},
			"entitlements": {"group": {"sources": [{"path": "/groups"}], "id": "id",
				"attributes": {"synced_at": {"value": "{{ rfc3339 .now }}"}},
				"membersFrom": {"path": "/groups/{{ .record.id }}/users", "paging": {"type": "link"}, "id": {"value": "id-{{ .record.id }}"}}}}
		}}`)
	before := time.Now().UTC()
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 6)
	assert.Equal(t, "id-g1", accts[5].ID, "the second source, listed later")
	synced := accts[0].Attributes["synced"].(time.Time)
	assert.False(t, synced.Before(before.Truncate(time.Second)))
	for i, a := range accts[:5] {
		assert.Equal(t, fmt.Sprintf("id-u%d", i+1), a.ID, "an ID may be a value")
		assert.Equal(t, fmt.Sprintf("U%d", i+1), a.Name)
	}
	for _, a := range accts {
		assert.Equal(t, "2.11", a.Attributes["api_version"])
		assert.Equal(t, synced, a.Attributes["synced"], "the import's start time, the same on every record")
		assert.Equal(t, synced.Format(time.RFC3339), a.Attributes["synced_at"])
		assert.Equal(t, "n/a", a.Attributes["nothing"])
		assert.NotContains(t, a.Attributes, "since", "a full import has no .since")
	}

	// A new import has a new time; .since is the incremental start.
	time.Sleep(10 * time.Millisecond)
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	again, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Since: since}))
	require.NoError(t, err)
	require.Len(t, again, 5)
	assert.True(t, again[0].Attributes["synced"].(time.Time).After(synced))
	assert.Equal(t, since, again[4].Attributes["since"])

	ents, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, ents, 1)
	assert.Equal(t, []string{"id-u1"}, ents[0].Members, "a sub-list's id may be a value")
}

// A field template cannot read secrets: attributes must never carry them.
func TestValueFieldsSeeNoSecrets(t *testing.T) {
	api := &memberAPI{users: []string{"u1"}, limit: 2}
	srv := api.start(t)
	e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL"},
		"import": {"accounts": {"sources": [{"path": "/users"}], "id": "id",
			"attributes": {"leak": {"value": "{{ .secrets.token }}"}}}}}`, connector.WithSecrets(map[string]string{"token": "s3cret"}))
	_, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `attribute "leak": value: `)
	assert.Contains(t, err.Error(), `missing key "token"`)
	assert.NotContains(t, err.Error(), "s3cret")
}

func TestEntitlementUnique(t *testing.T) {
	api := &memberAPI{groups: []string{"g1", "g2", "g3"}, limit: 10}
	srv := api.start(t)
	for _, unique := range []bool{false, true} {
		e := memberEngine(t, srv, fmt.Sprintf(`{"name": "t", "connection": {"baseURL": "$URL"},
			"import": {"entitlements": {"group": {"unique": %v, "id": "id",
				"sources": [{"path": "/groups"}, {"path": "/groups", "query": {"after": "g1"}}]}}}}`, unique))
		ents, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
		require.NoError(t, err)
		var got []string
		for _, ent := range ents {
			got = append(got, ent.ID)
		}
		if unique {
			assert.Equal(t, []string{"g1", "g2", "g3"}, got, "repeated type and ID dropped, the first kept")
		} else {
			assert.Equal(t, []string{"g1", "g2", "g3", "g2", "g3"}, got, "without unique, as before")
		}
	}
}

func TestCallHeaderOmissionDropsConnectionHeader(t *testing.T) {
	api := &memberAPI{users: []string{"u1"}, groups: []string{"g1"}, limit: 10}
	srv := api.start(t)
	e := memberEngine(t, srv, `{"name": "t", "connection": {"baseURL": "$URL", "headers": {"X-Tenant": "acme", "X-Trace": "on"}},
		"import": {
			"accounts": {"sources": [{"path": "/users", "headers": {"X-Tenant": "{{ omit }}", "X-Trace": "{{ opt .params \"trace\" }}"}}], "id": "id"},
			"entitlements": {"group": {"sources": [{"path": "/groups", "headers": {"X-Trace": "off"}}], "id": "id"}}
		}}`)
	_, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	_, err = connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	reqs := api.requests()
	require.Len(t, reqs, 2)
	assert.NotContains(t, reqs[0].Header, "X-Tenant", "an omitted call header drops the connection's")
	assert.NotContains(t, reqs[0].Header, "X-Trace", "an optional value that is absent drops it too")
	assert.Equal(t, "acme", reqs[1].Header.Get("X-Tenant"))
	assert.Equal(t, "off", reqs[1].Header.Get("X-Trace"))
}

// TestReconcileAccessChunks: an entitlement yielded in chunks gives one
// change per chunk, all of the same kind, and counts once against Known.
func TestReconcileAccessChunks(t *testing.T) {
	api := &memberAPI{groups: []string{"g1", "g2", "g3"}, limit: 2, members: map[string][]string{
		"g1": ids("u", 5), "g2": ids("v", 3), "g3": {},
	}}
	srv := api.start(t)
	e := memberEngine(t, srv, groupSpec(linkMembers, `, "membersChunk": 2`))
	got, err := changes(connector.ReconcileAccess(context.Background(), e, connector.ReconcileOptions{
		Known:      seqOf("group/g1", "group/g3", "group/g9"),
		MaxRemoved: 1,
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"present group/g1", "present group/g1", "present group/g1",
		"added group/g2", "added group/g2",
		"present group/g3",
		"removed group/g9",
	}, got)

	var members []string
	for c, err := range connector.ReconcileAccess(context.Background(), e, connector.ReconcileOptions{Known: seqOf("group/g1")}) {
		require.NoError(t, err)
		if c.Entitlement.ID == "g1" {
			members = append(members, c.Entitlement.Members...)
		}
	}
	assert.Equal(t, ids("u", 5), members, "the chunks' members are the group's")
}

func TestSubListSpecErrors(t *testing.T) {
	const base = `{"name": "t", "connection": {"baseURL": "https://x.test"%s}, "import": %s}`
	ents := func(group string) string {
		return fmt.Sprintf(base, "", `{"entitlements": {"group": {"sources": [{"path": "/g"}], "id": "id"`+group+`}}}`)
	}
	accts := func(more string) string {
		return fmt.Sprintf(base, "", `{"accounts": {"sources": [{"path": "/u"}], "id": "id"`+more+`}}`)
	}
	tests := []struct {
		name, spec, path, msg string
	}{
		{"members and membersFrom", ents(`, "members": "m", "membersFrom": {"path": "/m", "id": "id"}`),
			"import.entitlements.group.membersFrom", "give members (a path in the record) or membersFrom (a call per record), not both"},
		{"membersChunk alone", ents(`, "membersChunk": 5`), "import.entitlements.group.membersChunk", "needs membersFrom"},
		{"membersChunk negative", ents(`, "membersChunk": -1, "membersFrom": {"path": "/m", "id": "id"}`), "import.entitlements.group.membersChunk", "must not be negative"},
		{"sub-list without id", ents(`, "membersFrom": {"path": "/m"}`), "import.entitlements.group.membersFrom.id", "missing"},
		{"sub-list with forEach", ents(`, "membersFrom": {"path": "/m", "id": "id", "forEach": "{{ .x }}"}`), "import.entitlements.group.membersFrom", "not list calls"},
		{"sub-list bad template", ents(`, "membersFrom": {"path": "/m/{{ .record.id ", "id": "id"}`), "import.entitlements.group.membersFrom.path", "bad template"},
		{"details without name", accts(`, "details": [{"path": "/d"}]`), "import.accounts.details[0].name", "missing"},
		{"details with a duplicate name", accts(`, "details": [{"name": "d", "path": "/d"}, {"name": "d", "path": "/e"}]`), "import.accounts.details[1].name", `"d" is already the name of detail call 0`},
		{"details name not an identifier", accts(`, "details": [{"name": "my-detail", "path": "/d"}]`), "import.accounts.details[0].name", "must be a letter"},
		{"detail and details", accts(`, "detail": {"path": "/d"}, "details": [{"name": "d", "path": "/d"}]`), "import.accounts.details", "not both"},
		{"details with if", accts(`, "details": [{"name": "d", "path": "/d", "if": "true"}]`), "import.accounts.details[0]", "not to detail calls"},
		{"entitlements both ways", accts(`, "entitlements": {"group": "g"}, "entitlementsFrom": {"group": {"path": "/g", "id": "id"}}`),
			`import.accounts.entitlementsFrom.group`, "also listed by import.accounts.entitlements"},
		{"path and value", accts(`, "attributes": {"a": {"path": "a", "value": "{{ .record.a }}"}}`), "import.accounts.attributes", `attribute "a": give path or value, not both`},
		{"bad value template", accts(`, "attributes": {"a": {"value": "{{ .record.a "}}`), "import.accounts.attributes.a.value", "bad template"},
		{"bad id value template", accts(`, "name": {"value": "{{ nosuchfunc }}"}`), "import.accounts.name.value", "bad template"},
		{"id value and path", fmt.Sprintf(base, "", `{"accounts": {"sources": [{"path": "/u"}], "id": {"path": "id", "value": "x"}}}`), "import.accounts.id", "give path or value, not both"},
		{"no id", fmt.Sprintf(base, "", `{"accounts": {"sources": [{"path": "/u"}], "id": {"type": "string"}}}`), "import.accounts.id", "missing"},
		{"fromAccounts with membersFrom", fmt.Sprintf(base, "", `{"accounts": {"sources": [{"path": "/u"}], "id": "id", "entitlementsFrom": {"group": {"path": "/g", "id": "id"}}},
			"entitlements": {"group": {"fromAccounts": true, "membersFrom": {"path": "/m", "id": "id"}}}}`), "import.entitlements.group", "take no detail, details, attributes, members, membersFrom"},
		{"reset format", fmt.Sprintf(base, `, "retry": {"resetFormat": "ms"}`, `{}`), "connection.retry.resetFormat", "want unix, seconds, httpDate or auto"},
		{"reset header", fmt.Sprintf(base, `, "retry": {"resetHeader": "X Reset"}`, `{}`), "connection.retry.resetHeader", "not a header name"},
		{"remaining header", fmt.Sprintf(base, `, "retry": {"remainingHeader": "X:R"}`, `{}`), "connection.retry.remainingHeader", "not a header name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := connector.Parse([]byte(tt.spec))
			require.Error(t, err)
			assert.ErrorIs(t, err, connector.ErrInvalidSpec)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.path, ce.Path)
			assert.Contains(t, ce.Message, tt.msg)
		})
	}
	// Sub-lists and the new fields are fine where they belong.
	_, err := connector.Parse([]byte(strings.ReplaceAll(userGroupsSpec, "$URL", "https://x.test")))
	assert.NoError(t, err)
}
