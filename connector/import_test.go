package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// pagedServer serves n users at /users with the paging scheme named by
// mode, counting requests.
func pagedServer(t *testing.T, n int, mode string) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		q := r.URL.Query()
		size := 3
		start := 0
		out := map[string]any{}
		switch mode {
		case "nextURL", "link", "cursor":
			start, _ = strconv.Atoi(q.Get("after"))
		case "offset":
			start, _ = strconv.Atoi(q.Get("offset"))
			size, _ = strconv.Atoi(q.Get("limit"))
			out["total"] = n
		case "offsetShort":
			start, _ = strconv.Atoi(q.Get("offset"))
			size, _ = strconv.Atoi(q.Get("limit"))
		case "page0", "page1":
			p, _ := strconv.Atoi(q.Get("page"))
			size, _ = strconv.Atoi(q.Get("per_page"))
			if mode == "page1" {
				p--
			}
			start = p * size
			out["total_pages"] = (n + size - 1) / size
		case "scim":
			si, _ := strconv.Atoi(q.Get("startIndex"))
			size, _ = strconv.Atoi(q.Get("count"))
			start = si - 1
			out["totalResults"] = n
			out["startIndex"] = si
		}
		var users []any
		for i := start; i < start+size && i < n; i++ {
			users = append(users, map[string]any{"id": i + 1, "userName": fmt.Sprintf("user%d", i+1)})
		}
		if users == nil {
			users = []any{}
		}
		out["users"] = users
		if mode == "scim" {
			out["itemsPerPage"] = len(users)
		}
		next := start + size
		if next < n {
			switch mode {
			case "nextURL":
				out["next"] = srv.URL + "/users?after=" + strconv.Itoa(next)
			case "link":
				w.Header().Add("Link", fmt.Sprintf(`<%s/users?after=%d>; rel="next", <%s/users?after=0>; rel="first"`, srv.URL, next, srv.URL))
			case "cursor":
				out["meta"] = map[string]any{"cursor": strconv.Itoa(next)}
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

func TestPagingStrategies(t *testing.T) {
	tests := []struct {
		mode, paging string
		pages        int32 // requests expected for 10 users
	}{
		{"nextURL", `{"type":"nextURL","path":"next"}`, 4},
		{"link", `{"type":"link"}`, 4},
		{"cursor", `{"type":"cursor","path":"meta.cursor","param":"after"}`, 4},
		{"offset", `{"type":"offset","param":"offset","sizeParam":"limit","size":4,"total":"total"}`, 3},
		{"offsetShort", `{"type":"offset","param":"offset","sizeParam":"limit","size":5}`, 3}, // 5, 5, then an empty page
		{"page0", `{"type":"page","param":"page","start":0,"sizeParam":"per_page","size":4,"total":"total_pages"}`, 3},
		{"page1", `{"type":"page","param":"page","start":1,"sizeParam":"per_page","size":4,"total":"total_pages"}`, 3},
		{"scim", `{"type":"scim","size":4}`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			srv, hits := pagedServer(t, 10, tt.mode)
			e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
				"import":{"accounts":{"sources":[{"path":"/users","records":"users","paging":`+tt.paging+`}],
				"id":"id","name":"userName"}}}`, srv.URL))
			require.NoError(t, err)
			var ids []string
			for a, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
				require.NoError(t, err)
				ids = append(ids, a.ID)
				assert.Equal(t, "user"+a.ID, a.Name)
			}
			assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, ids)
			assert.Equal(t, tt.pages, hits.Load())
		})
	}
}

// A strictly sequential import (WithImportConcurrency(1)) sends nothing
// after the loop ends; TestWalkLeavesNothingBehind covers the default.
func TestBreakStopsRequests(t *testing.T) {
	srv, hits := pagedServer(t, 100, "cursor")
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"import":{"accounts":{"sources":[{"path":"/users","records":"users","paging":{"type":"cursor","path":"meta.cursor","param":"after"}}],"id":"id"}}}`, srv.URL),
		connector.WithImportConcurrency(1))
	require.NoError(t, err)
	n := 0
	for _, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		require.NoError(t, err)
		n++
		if n == 4 { // the second page
			break
		}
	}
	assert.EqualValues(t, 2, hits.Load())
	time.Sleep(20 * time.Millisecond)
	assert.EqualValues(t, 2, hits.Load(), "no request after the loop ended")
}

func TestRepeatedCursorAndMaxPagesFail(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"users":[{"id":"1"}],"meta":{"cursor":"same"}}`)
	}))
	defer srv.Close()
	for name, paging := range map[string]string{
		"repeat":   `{"type":"cursor","path":"meta.cursor","param":"after"}`,
		"maxPages": `{"type":"page","param":"page","maxPages":3}`,
	} {
		e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
			"import":{"accounts":{"sources":[{"name":"users","path":"/users","records":"users","paging":`+paging+`}],"id":"id"}}}`, srv.URL))
		require.NoError(t, err)
		var errs []error
		n := 0
		for _, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
			if err != nil {
				errs = append(errs, err)
			} else {
				n++
			}
		}
		require.Len(t, errs, 1, name)
		var ce *connector.Error
		require.ErrorAs(t, errs[0], &ce)
		assert.Equal(t, "users", ce.Call)
		if name == "repeat" {
			assert.Contains(t, ce.Message, "seen before")
			assert.Equal(t, 2, n)
		} else {
			assert.Contains(t, ce.Message, "page limit")
			assert.Equal(t, 3, n)
		}
	}
}

// scimServer is a tiny SCIM-like directory with users, groups and roles,
// active and inactive users split the way Genesys does it.
func directoryServer(t *testing.T) *httptest.Server {
	users := []map[string]any{
		{"id": "u1", "userName": "ann@x", "active": true, "title": "Agent", "created": "2024-05-01T10:00:00Z",
			"groups": []any{map[string]any{"value": "g1"}, map[string]any{"value": "g2"}}, "roles": []any{map[string]any{"value": "admin"}}},
		{"id": "u2", "userName": "bob@x", "active": false, "groups": []any{map[string]any{"value": "g1"}}, "roles": []any{map[string]any{"value": "employee"}, map[string]any{"value": "admin"}}},
		{"id": "u3", "userName": "cy@x", "active": true, "status": "SUSPENDED", "roles": []any{}},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/scim+json")
		switch r.URL.Path {
		case "/Users":
			var out []any
			want := r.URL.Query().Get("filter") == "active eq false"
			for _, u := range users {
				if u["active"] == !want {
					out = append(out, u)
				}
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"totalResults": len(out), "itemsPerPage": len(out), "startIndex": 1, "Resources": out})
		case "/Groups":
			_ = json.NewEncoder(w).Encode(map[string]any{"totalResults": 2, "itemsPerPage": 2, "startIndex": 1, "Resources": []any{
				map[string]any{"id": "g1", "displayName": "Sales", "members": []any{map[string]any{"value": "u1"}, map[string]any{"value": "u2"}}},
				map[string]any{"id": "g2", "displayName": "Support", "members": []any{map[string]any{"value": "u1"}}},
			}})
		case "/Users/u1", "/Users/u2", "/Users/u3":
			_ = json.NewEncoder(w).Encode(map[string]any{"user": map[string]any{"id": r.URL.Path[7:], "detail": true}})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

const directorySpec = `{"name":"dir","connection":{"baseURL":"$URL"},
 "import":{
  "accounts":{
   "sources":[
     {"name":"active","path":"/Users","records":"Resources","paging":{"type":"scim","size":50}},
     {"name":"inactive","path":"/Users","query":{"filter":"active eq false"},"records":"Resources","paging":{"type":"scim","size":50}}],
   "id":"id","name":"userName",
   "active":{"path":"active"},
   "attributes":{"userName":"userName","title":"title","created":{"path":"created","type":"time"}},
   "entitlements":{"group":"groups[].value","role":"roles[].value"}},
  "entitlements":{
   "group":{"sources":[{"path":"/Groups","records":"Resources","paging":{"type":"scim"}}],"id":"id","name":"displayName",
            "attributes":{"displayName":"displayName"},"members":"members[].value"},
   "role":{"fromAccounts":true}}}}`

func TestImportAccountsMapping(t *testing.T) {
	srv := directoryServer(t)
	e, err := connector.New(spec(t, directorySpec, srv.URL))
	require.NoError(t, err)
	var got []connector.Account
	for a, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		require.NoError(t, err)
		got = append(got, a)
	}
	require.Len(t, got, 3)
	assert.Equal(t, connector.Account{ID: "u1", Name: "ann@x", Active: true,
		Attributes:   map[string]any{"userName": "ann@x", "title": "Agent", "created": time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)},
		Entitlements: map[string][]string{"group": {"g1", "g2"}, "role": {"admin"}}}, got[0])
	assert.Equal(t, "u3", got[1].ID)
	assert.Equal(t, []string{}, got[1].Entitlements["group"])
	assert.Equal(t, connector.Account{ID: "u2", Name: "bob@x", Active: false, Attributes: map[string]any{"userName": "bob@x"},
		Entitlements: map[string][]string{"group": {"g1"}, "role": {"employee", "admin"}}}, got[2])

	_, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Since: time.Now()}))
	assert.ErrorIs(t, err, connector.ErrUnsupported)
}

func TestImportAccess(t *testing.T) {
	srv := directoryServer(t)
	e, err := connector.New(spec(t, directorySpec, srv.URL))
	require.NoError(t, err)
	all, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	assert.Equal(t, []connector.Entitlement{
		{Type: "group", ID: "g1", Name: "Sales", Attributes: map[string]any{"displayName": "Sales"}, Members: []string{"u1", "u2"}},
		{Type: "group", ID: "g2", Name: "Support", Attributes: map[string]any{"displayName": "Support"}, Members: []string{"u1"}},
		{Type: "role", ID: "admin", Name: "admin", Attributes: map[string]any{}, Members: []string{"u1", "u2"}},
		{Type: "role", ID: "employee", Name: "employee", Attributes: map[string]any{}, Members: []string{"u2"}},
	}, all)

	roles, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{Types: []string{"role"}}))
	require.NoError(t, err)
	assert.Len(t, roles, 2)

	_, err = connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{Types: []string{"license"}}))
	assert.ErrorIs(t, err, connector.ErrUnsupported)
	assert.ErrorContains(t, err, `"license"`)
}

func TestActiveRulesAndDetail(t *testing.T) {
	srv := directoryServer(t)
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
	 "import":{"accounts":{"sources":[{"path":"/Users","records":"Resources"}],
	   "detail":{"path":"/Users/{{ .record.id }}"},"detailRecord":"user",
	   "id":"id","active":{"path":"status","equals":"SUSPENDED","not":true},"attributes":{"detail":{"path":"detail","type":"bool"}}}}}`, srv.URL))
	require.NoError(t, err)
	got, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, got, 2)
	for _, a := range got {
		assert.Equal(t, true, a.Attributes["detail"], "mapped from the detail response")
		assert.True(t, a.Active, "no status in the detail record: the default")
	}

	e, err = connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
	 "import":{"accounts":{"sources":[{"path":"/Users","records":"Resources"}],
	   "id":"id","active":{"path":"status","equals":"SUSPENDED","not":true}}}}`, srv.URL))
	require.NoError(t, err)
	got, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	assert.True(t, got[0].Active)
	assert.False(t, got[1].Active, "u3 is SUSPENDED")
}

func TestRecordMappingErrorsNameTheRecord(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"id":1,"age":"41"},{"id":2,"age":"old"}]}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
	 "import":{"accounts":{"sources":[{"name":"people","path":"/p","records":"items"}],"id":"id","attributes":{"age":{"path":"age","type":"int"}}}}}`, srv.URL))
	require.NoError(t, err)
	got, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	assert.Len(t, got, 1)
	assert.EqualError(t, err, `restconn: importAccounts: call "people": page 1, record 1 (id "2"): attribute "age": path "age": cannot convert "old" to int`)
}

func TestIncrementalImport(t *testing.T) {
	var gotFilter atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotFilter.Store(r.URL.Query().Get("updated_since"))
		fmt.Fprint(w, `{"items":[{"id":"9"}]}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
	 "import":{"accounts":{"sources":[{"path":"/p","records":"items"}],
	   "incremental":[{"path":"/p","query":{"updated_since":"{{ unix .since }}"},"records":"items"}],"id":"id"}}}`, srv.URL))
	require.NoError(t, err)
	got, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Since: time.Unix(1700000000, 0)}))
	require.NoError(t, err)
	assert.Len(t, got, 1)
	assert.Equal(t, "1700000000", gotFilter.Load())
}

func TestNumericIDsKeepEveryDigit(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"id":18446744073709551615,"g":[18446744073709551615]},{"id":18446744073709551614,"g":[]}]}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"import":{"accounts":{"sources":[{"path":"/a","records":"items"},{"path":"/b","records":"items"}],"id":"id","attributes":{"raw":"id"},"entitlements":{"g":"g"}}}}`, srv.URL))
	require.NoError(t, err)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 2, "two sources, deduplicated by exact ID")
	assert.Equal(t, "18446744073709551615", accts[0].ID)
	assert.Equal(t, "18446744073709551614", accts[1].ID)
	assert.Equal(t, []string{"18446744073709551615"}, accts[0].Entitlements["g"])
	assert.Equal(t, "18446744073709551615", fmt.Sprint(accts[0].Attributes["raw"]))
}

// A type derived from the accounts lists each holder once: an account that
// lists a role twice, or that two disjoint sources both yield, is one
// member, in the order the holders came.
func TestImportAccessDerivedMembersOnce(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a":
			fmt.Fprint(w, `{"users":[{"id":"u1","roles":["admin","admin","ops"]},{"id":"u2","roles":["ops"]}]}`)
		default:
			fmt.Fprint(w, `{"users":[{"id":"u3","roles":["admin"]},{"id":"u1","roles":["ops","admin"]}]}`)
		}
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"import":{"accounts":{"sources":[{"path":"/a","records":"users"},{"path":"/b","records":"users"}],"disjoint":true,
		"id":"id","entitlements":{"role":"roles"}},
		"entitlements":{"role":{"fromAccounts":true}}}}`, srv.URL))
	require.NoError(t, err)
	got, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	assert.Equal(t, []connector.Entitlement{
		{Type: "role", ID: "admin", Name: "admin", Attributes: map[string]any{}, Members: []string{"u1", "u3"}},
		{Type: "role", ID: "ops", Name: "ops", Attributes: map[string]any{}, Members: []string{"u1", "u2"}},
	}, got)
}
