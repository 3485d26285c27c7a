package saviynt_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/saviynt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// seen is one request a fake server received: method, path, query, every
// header but the transport's own, and the body.
type seen struct {
	Method, Path, Query string
	Header              http.Header
	Body                string
}

// transportHeaders are set by Go's client and the engine on every request.
var transportHeaders = map[string]bool{"User-Agent": true, "Accept-Encoding": true, "Content-Length": true, "Accept": true}

func (s seen) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", s.Method, s.Path)
	if s.Query != "" {
		b.WriteString("?" + s.Query)
	}
	var names []string
	for k := range s.Header {
		if !transportHeaders[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(&b, " [%s: %s]", k, strings.Join(s.Header[k], ", "))
	}
	if s.Body != "" {
		b.WriteString(" " + s.Body)
	}
	return b.String()
}

func record(r *http.Request) seen {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	return seen{Method: r.Method, Path: r.URL.EscapedPath(), Query: r.URL.Query().Encode(), Header: r.Header.Clone(), Body: string(body)}
}

// northwind is a fake of the fictional Northwind directory API that
// testdata/full/connection.json configures: OAuth2 client credentials for
// the user API, a password-grant session (X-Session) for roles, a cookie
// session for the helpdesk, cursor-style next links for users, a license
// per user, page numbers for groups and team members, offsets for a user's
// apps.
type northwind struct {
	*httptest.Server
	t             *testing.T
	mu            sync.Mutex
	reqs          []seen
	sessions      int
	expireSession bool // answer the next role call with 419, as an expired session
}

func newNorthwind(t *testing.T) *northwind {
	n := &northwind{t: t}
	n.Server = httptest.NewServer(http.HandlerFunc(n.serve))
	t.Cleanup(n.Close)
	return n
}

// take returns the requests received since the last call.
func (n *northwind) take() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]string, len(n.reqs))
	for i, r := range n.reqs {
		out[i] = r.String()
	}
	n.reqs = nil
	return out
}

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (n *northwind) serve(w http.ResponseWriter, r *http.Request) {
	n.mu.Lock()
	defer n.mu.Unlock()
	rec := record(r)
	n.reqs = append(n.reqs, rec)
	p := r.URL.Path
	switch {
	case r.Method == "POST" && p == "/oauth2/token":
		_ = r.ParseForm()
		if r.PostForm.Get("grant_type") != "client_credentials" || r.PostForm.Get("client_id") != "nw-saviynt" || r.PostForm.Get("client_secret") != "cs-123" {
			writeJSON(w, 401, `{"error":"invalid_client"}`)
			return
		}
		writeJSON(w, 200, `{"access_token":"at-1","token_type":"Bearer","expires_in":3600}`)
		return
	case r.Method == "POST" && p == "/v2/session":
		var b map[string]any
		if json.Unmarshal([]byte(rec.Body), &b) != nil || b["grant_type"] != "password" || b["username"] != "svc-saviynt" || b["password"] != "pw-ent" {
			writeJSON(w, 401, `{"errors":[{"code":"BAD_LOGIN"}]}`)
			return
		}
		n.sessions++
		writeJSON(w, 200, fmt.Sprintf(`{"session":{"token":"sess-%d"}}`, n.sessions))
		return
	case r.Method == "POST" && p == "/helpdesk/login":
		_ = r.ParseForm()
		if r.PostForm.Get("user") != "helpdesk-bot" || r.PostForm.Get("pass") != "pw-hd" {
			w.WriteHeader(401)
			return
		}
		w.Header().Add("Set-Cookie", "HDSESSION=c00kie; Path=/helpdesk; HttpOnly")
		w.WriteHeader(204)
		return
	case strings.HasPrefix(p, "/helpdesk/"):
		if r.Header.Get("Cookie") != "HDSESSION=c00kie" {
			w.WriteHeader(401)
			return
		}
	case strings.Contains(p, "/roles"):
		if want := fmt.Sprintf("Token sess-%d", n.sessions); r.Header.Get("X-Session") != want || n.expireSession {
			n.expireSession = false
			writeJSON(w, 401, `{"errors":[{"code":"SESSION_EXPIRED"}]}`)
			return
		}
	default:
		if r.Header.Get("Authorization") != "Bearer at-1" {
			writeJSON(w, 401, `{"error":{"code":"invalid_token"}}`)
			return
		}
	}
	route := r.Method + " " + p
	switch route {
	case "GET /v2/me":
		writeJSON(w, 200, `{"status":"active"}`)
	case "GET /v2/users":
		if r.URL.Query().Get("cursor") == "" {
			writeJSON(w, 200, `{"users":[
				{"id":"u1","login":"ann","state":"ACTIVE","profile":{"displayName":"Ann Lee","email":"ann@northwind.example","manager.id":"u9"},
				 "meta":{"created":"2021-03-04T05:06:07+02:00"},"loginCount":12,"mfa":{"enrolled":true},
				 "emails":[{"value":"ann@home.example"}],"roles":[{"key":"admin"},{"key":"auditor"}]},
				{"id":"u2","login":"bob","state":"SUSPENDED","profile":{"displayName":"Bob Ray"},"loginCount":"3","mfa":{"enrolled":"false"},"roles":[{"key":"auditor"}]}
			],"links":{"next":"`+n.URL+`/v2/users?include=roles&state=any&cursor=2"}}`)
			return
		}
		writeJSON(w, 200, `{"users":[{"id":1234567890123456789,"login":"cy","state":"ACTIVE","roles":[]}],"links":{"next":null}}`)
	case "GET /v2/groups":
		if r.URL.Query().Get("page") == "1" {
			writeJSON(w, 200, `{"items":[{"id":"g1","name":"staff","title":"All staff","memberCount":2,"members":[{"userId":"u1"},{"userId":"u2"}]},
				{"id":"g2","name":"ops","title":"Operations","memberCount":0,"members":[]}],"count":2}`)
			return
		}
		writeJSON(w, 200, `{"items":[{"id":"g3","name":"audit","memberCount":"1","members":[{"userId":"u2"}]}],"count":1}`)
	case "POST /v2/users":
		writeJSON(w, 201, `{"id":"u100","profile":{"displayName":"Dee Fox"},"loginCount":0}`)
	case "PUT /v2/users/u100/manager":
		w.WriteHeader(204)
	case "PATCH /v2/users/u1":
		writeJSON(w, 200, `{}`)
	case "POST /v2/users/u1/lifecycle/activate":
		w.WriteHeader(204)
	case "POST /v2/users/u1/lifecycle/suspend":
		writeJSON(w, 200, `{}`)
	case "GET /v2/users/u1/license":
		writeJSON(w, 200, `{"license":{"plan":"enterprise","renewsOn":"2025-06-30T00:00:00Z","seats":[{"kind":"full"},{"kind":"guest"}]}}`)
	case "GET /v2/users/u2/license":
		writeJSON(w, 200, `{"license":{"plan":"basic","seats":[]}}`)
	case "GET /v2/users/1234567890123456789/license":
		writeJSON(w, 200, `{"license":null}`)
	case "GET /v2/users/u1/apps":
		if r.URL.Query().Get("offset") == "0" {
			writeJSON(w, 200, `{"total":3,"apps":[{"appId":"a1"},{"appId":"a2"}]}`)
			return
		}
		writeJSON(w, 200, `{"total":3,"apps":[{"appId":"a3"}]}`)
	case "GET /v2/users/u2/apps", "GET /v2/users/1234567890123456789/apps":
		writeJSON(w, 200, `{"total":0,"apps":[]}`)
	case "GET /v2/apps":
		writeJSON(w, 200, `[{"id":"a1","label":"Wiki"},{"id":"a2","label":"Chat"},{"id":"a3","label":"CRM"}]`)
	case "GET /v2/teams":
		writeJSON(w, 200, `{"teams":[{"id":"t1","name":"Platform"},{"id":"t2","name":"Data"}]}`)
	case "GET /v2/teams/t1/members":
		if r.URL.Query().Get("page") == "1" {
			writeJSON(w, 200, `{"members":[{"user":{"id":"u1"}},{"user":{"id":"u2"}}]}`)
			return
		}
		writeJSON(w, 200, `{"members":[]}`)
	case "GET /v2/teams/t2/members":
		writeJSON(w, 200, `{"members":[]}`)
	case "GET /v2/users/u2/groups":
		writeJSON(w, 200, `{"items":[{"id":"g1"},{"id":"g3"}]}`)
	case "DELETE /v2/groups/g1/members/u2", "DELETE /v2/groups/g2/members/u1", "DELETE /v2/users/u2", "DELETE /v2/users/u1/roles/admin":
		w.WriteHeader(204)
	case "DELETE /v2/groups/g3/members/u2":
		writeJSON(w, 404, `{"error":{"code":"not_a_member"}}`)
	case "GET /v2/groups/g2":
		writeJSON(w, 200, `{"id":"g2","version":7,"etag":"\"v7\""}`)
	case "POST /v2/groups/g2/members":
		writeJSON(w, 201, `{}`)
	case "POST /v2/teams/t2/members":
		writeJSON(w, 201, `{}`)
	case "DELETE /v2/teams/t1/members/u2":
		w.WriteHeader(204)
	case "PUT /v2/users/u1/password":
		w.WriteHeader(204)
	case "POST /helpdesk/api/tickets":
		writeJSON(w, 201, `{"ticket":{"id":"T-7","state":"New"}}`)
	case "GET /helpdesk/api/tickets/T-7":
		writeJSON(w, 200, `{"ticket":{"state":"Resolved"}}`)
	default:
		writeJSON(w, 404, `{"error":{"code":"no_route","message":"`+route+`"}}`)
	}
}

// loadConnection reads a test connection: an object of attributes. Every
// other attribute is handed over as JSON text, as the platform exports it,
// the rest as decoded values.
func loadConnection(t *testing.T, file string) saviynt.Connection {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var attrs map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &attrs))
	c := saviynt.Connection{}
	i := 0
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		if i%2 == 0 {
			c[name] = string(attrs[name])
		} else {
			var v any
			require.NoError(t, json.Unmarshal(attrs[name], &v))
			c[name] = v
		}
		i++
	}
	return c
}

func golden(t *testing.T, file string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(file, got, 0o644))
		return
	}
	want, err := os.ReadFile(file)
	require.NoError(t, err, "run go test ./connector/saviynt -update to create it")
	if string(want) == string(got) {
		return
	}
	// Show where they part, not two whole documents.
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	i := 0
	for i < len(w) && i < len(g) && w[i] == g[i] {
		i++
	}
	lo := max(i-2, 0)
	t.Errorf("%s differs from line %d (go test ./connector/saviynt -run %s -update rewrites it)\nwant:\n%s\ngot:\n%s",
		file, i+1, t.Name(), strings.Join(w[lo:min(i+3, len(w))], "\n"), strings.Join(g[lo:min(i+3, len(g))], "\n"))
}

func TestFullConnection(t *testing.T) {
	spec, warns, err := saviynt.Convert(loadConnection(t, "testdata/full/connection.json"))
	require.NoError(t, err)

	// Golden files: the spec and the warnings.
	out, err := json.MarshalIndent(spec, "", "  ")
	require.NoError(t, err)
	golden(t, "testdata/full/spec.golden.json", append(out, '\n'))
	var wb strings.Builder
	for _, w := range warns {
		wb.WriteString(w.String() + "\n")
	}
	golden(t, "testdata/full/warnings.golden.txt", []byte(wb.String()))

	// No credential literal of the connection reaches the spec.
	for _, lit := range []string{"example-client-secret", "example-password", "example-helpdesk-password", "placeholder-until-first-refresh"} {
		assert.NotContains(t, string(out), lit)
	}

	// The marshalled spec parses back to the same spec.
	parsed, err := connector.Parse(out)
	require.NoError(t, err)
	again, err := json.MarshalIndent(parsed, "", "  ")
	require.NoError(t, err)
	assert.JSONEq(t, string(out), string(again))

	srv := newNorthwind(t)
	eng, err := connector.New(parsed,
		// One request at a time: the test checks the exact order in which
		// the list pages and the per-record calls are sent.
		connector.WithImportConcurrency(1),
		connector.WithParams(map[string]any{"baseURL": srv.URL, "acctAuth_tokenURL": srv.URL + "/oauth2/token"}),
		connector.WithSecrets(map[string]string{"acctAuth_clientSecret": "cs-123", "entAuth_password": "pw-ent", "helpdeskAuth_password": "pw-hd"}),
		connector.WithHTTPClient(srv.Client()),
		// The spec paces calls at 5 a second (apiRateLimitConfig); this
		// run makes more than its burst.
		connector.WithRateLimit(1000, 1000),
	)
	require.NoError(t, err)
	ctx := context.Background()
	form := "application/x-www-form-urlencoded"

	t.Run("connect", func(t *testing.T) {
		require.NoError(t, eng.Connect(ctx))
		assert.Equal(t, []string{
			"POST /oauth2/token [Content-Type: " + form + "] client_id=nw-saviynt&client_secret=cs-123&grant_type=client_credentials&scope=users.read+users.write",
			"GET /v2/me [Authorization: Bearer at-1]",
		}, srv.take())
	})

	// A full account import: the users' pages, and for each user its
	// license (a merged detail call) and its apps (a paged sub-list).
	accountRequests := []string{
		"GET /v2/users?include=roles&state=any [Authorization: Bearer at-1]",
		"GET /v2/users/u1/license [Authorization: Bearer at-1]",
		"GET /v2/users/u1/apps?limit=2&offset=0 [Authorization: Bearer at-1]",
		"GET /v2/users/u1/apps?limit=2&offset=2 [Authorization: Bearer at-1]",
		"GET /v2/users/u2/license [Authorization: Bearer at-1]",
		"GET /v2/users/u2/apps?limit=2&offset=0 [Authorization: Bearer at-1]",
		"GET /v2/users?cursor=2&include=roles&state=any [Authorization: Bearer at-1]",
		"GET /v2/users/1234567890123456789/license [Authorization: Bearer at-1]",
		"GET /v2/users/1234567890123456789/apps?limit=2&offset=0 [Authorization: Bearer at-1]",
	}

	t.Run("import accounts", func(t *testing.T) {
		var got []connector.Account
		for a, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
			require.NoError(t, err)
			got = append(got, a)
		}
		require.Len(t, got, 3)
		created := time.Date(2021, 3, 4, 3, 6, 7, 0, time.UTC)
		assert.Equal(t, connector.Account{ID: "u1", Name: "ann", Active: true, Attributes: map[string]any{
			"displayName": "Ann Lee", "status": "ACTIVE", "customproperty1": "ann@northwind.example", "customproperty2": "Northwind",
			"customproperty3": created, "customproperty4": int64(12), "customproperty5": true, "customproperty6": "u9",
			"customproperty7": "ann@home.example", "customproperty8": "enterprise", "customproperty9": time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC),
			"customproperty10": "full"}, Entitlements: map[string][]string{"Role": {"admin", "auditor"}, "App": {"a1", "a2", "a3"}}}, got[0])
		assert.Equal(t, connector.Account{ID: "u2", Name: "bob", Active: false, Attributes: map[string]any{
			"displayName": "Bob Ray", "status": "SUSPENDED", "customproperty2": "Northwind", "customproperty4": int64(3), "customproperty5": false,
			"customproperty8": "basic"},
			Entitlements: map[string][]string{"Role": {"auditor"}, "App": {}}}, got[1])
		assert.Equal(t, connector.Account{ID: "1234567890123456789", Name: "cy", Active: true, Attributes: map[string]any{
			"status": "ACTIVE", "customproperty2": "Northwind"}, Entitlements: map[string][]string{"Role": {}, "App": {}}}, got[2])
		assert.Equal(t, accountRequests, srv.take())
	})

	t.Run("import access", func(t *testing.T) {
		var got []connector.Entitlement
		for e, err := range eng.ImportAccess(ctx, connector.ImportOptions{}) {
			require.NoError(t, err)
			got = append(got, e)
		}
		assert.Equal(t, []connector.Entitlement{
			{Type: "App", ID: "a1", Name: "Wiki", Attributes: map[string]any{}},
			{Type: "App", ID: "a2", Name: "Chat", Attributes: map[string]any{}},
			{Type: "App", ID: "a3", Name: "CRM", Attributes: map[string]any{}},
			{Type: "Group", ID: "g1", Name: "staff", Attributes: map[string]any{"displayname": "All staff", "customproperty1": int64(2)}, Members: []string{"u1", "u2"}},
			{Type: "Group", ID: "g2", Name: "ops", Attributes: map[string]any{"displayname": "Operations", "customproperty1": int64(0)}, Members: []string{}},
			{Type: "Group", ID: "g3", Name: "audit", Attributes: map[string]any{"customproperty1": int64(1)}, Members: []string{"u2"}},
			{Type: "Role", ID: "admin", Name: "admin", Attributes: map[string]any{}, Members: []string{"u1"}},
			{Type: "Role", ID: "auditor", Name: "auditor", Attributes: map[string]any{}, Members: []string{"u1", "u2"}},
			{Type: "Team", ID: "t1", Name: "Platform", Attributes: map[string]any{}, Members: []string{"u1", "u2"}},
			{Type: "Team", ID: "t2", Name: "Data", Attributes: map[string]any{}, Members: []string{}},
		}, got)
		want := []string{
			"GET /v2/apps [Authorization: Bearer at-1]",
			"GET /v2/groups?page=1&per_page=2 [Authorization: Bearer at-1]",
			"GET /v2/groups?page=2&per_page=2 [Authorization: Bearer at-1]",
		}
		want = append(want, accountRequests...) // Role is derived from the accounts
		want = append(want,
			"GET /v2/teams [Authorization: Bearer at-1]",
			"GET /v2/teams/t1/members?page=1 [Authorization: Bearer at-1]",
			"GET /v2/teams/t1/members?page=2 [Authorization: Bearer at-1]",
			"GET /v2/teams/t2/members?page=1 [Authorization: Bearer at-1]",
		)
		assert.Equal(t, want, srv.take())
	})

	t.Run("reconcile within the thresholds", func(t *testing.T) {
		known := func(ids ...string) func(func(string) bool) {
			return func(yield func(string) bool) {
				for _, id := range ids {
					if !yield(id) {
						return
					}
				}
			}
		}
		others := func(prefix string, n int) []string {
			var out []string
			for i := range n {
				out = append(out, fmt.Sprintf("%s%d", prefix, i))
			}
			return out
		}
		kinds := func(seq func(func(connector.Change, error) bool)) (map[connector.ChangeKind]int, error) {
			out := map[connector.ChangeKind]int{}
			for c, err := range seq {
				if err != nil {
					return out, err
				}
				out[c.Kind]++
			}
			return out, nil
		}
		// accountThresholdValue 25: 26 accounts gone is refused, and
		// nothing is reported removed.
		got, err := kinds(connector.ReconcileAccounts(ctx, eng, connector.ReconcileOptions{Known: known(append([]string{"u1"}, others("gone", 26)...)...)}))
		assert.ErrorIs(t, err, connector.ErrThreshold)
		assert.Zero(t, got[connector.Removed])
		assert.Equal(t, accountRequests, srv.take())
		got, err = kinds(connector.ReconcileAccounts(ctx, eng, connector.ReconcileOptions{Known: known(append([]string{"u1"}, others("gone", 25)...)...)}))
		require.NoError(t, err)
		assert.Equal(t, map[connector.ChangeKind]int{connector.Present: 1, connector.Added: 2, connector.Removed: 25}, got)
		assert.Equal(t, accountRequests, srv.take())
		// entThresholdValue Team 5: 6 teams gone is refused.
		_, err = kinds(connector.ReconcileAccess(ctx, eng, connector.ReconcileOptions{Types: []string{"Team"}, Known: known(append([]string{"Team/t1"}, others("Team/gone", 6)...)...)}))
		assert.ErrorIs(t, err, connector.ErrThreshold)
		assert.Equal(t, []string{
			"GET /v2/teams [Authorization: Bearer at-1]",
			"GET /v2/teams/t1/members?page=1 [Authorization: Bearer at-1]",
			"GET /v2/teams/t1/members?page=2 [Authorization: Bearer at-1]",
			"GET /v2/teams/t2/members?page=1 [Authorization: Bearer at-1]",
		}, srv.take())
	})

	user := map[string]any{"systemusername": "DFox", "firstname": "Dee", "lastname": "Fox", "email": "Dee.Fox@Northwind.example ",
		"statuskey": "1", "employeeid": "4711", "manager": "u1"}
	provision := []struct {
		name string
		req  connector.Request
		res  connector.Result
		want []string
	}{
		{"create", connector.Request{Op: connector.CreateAccount, User: user, Password: "Init-Pa55"},
			connector.Result{AccountID: "u100", Attributes: map[string]any{"displayName": "Dee Fox", "customproperty4": int64(0)}},
			[]string{
				`POST /v2/users [Authorization: Bearer at-1] [Content-Type: application/json] {"active":true,"employeeNumber":4711,"login":"dfox","password":"Init-Pa55","profile":{"department":"Unassigned","displayName":"Dee Fox","email":"Dee.Fox@Northwind.example "}}`,
				`PUT /v2/users/u100/manager [Authorization: Bearer at-1] [Content-Type: application/json] {"managerId":"u1"}`,
			}},
		{"update", connector.Request{Op: connector.UpdateAccount, User: user, Account: map[string]any{"id": "u1", "name": "ann", "displayName": "Ann Lee-Fox"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{`PATCH /v2/users/u1 [Authorization: Bearer at-1] [Content-Type: application/json] {"profile":{"displayName":"Ann Lee-Fox","email":"dee.fox@northwind.example"}}`}},
		{"enable", connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "u1"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{`POST /v2/users/u1/lifecycle/activate [Authorization: Bearer at-1]`}},
		{"disable", connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": "u1"}, Task: map[string]any{"comments": "left the company"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{`POST /v2/users/u1/lifecycle/suspend?reason=left+the+company [Authorization: Bearer at-1]`}},
		{"remove", connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "u2"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{
				`GET /v2/users/u2/groups [Authorization: Bearer at-1]`,
				`DELETE /v2/groups/g1/members/u2 [Authorization: Bearer at-1]`,
				`DELETE /v2/groups/g3/members/u2 [Authorization: Bearer at-1]`,
				`DELETE /v2/users/u2 [Authorization: Bearer at-1]`,
			}},
		{"add group", connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "Group", ID: "g2", Name: "ops"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{
				`GET /v2/groups/g2 [Authorization: Bearer at-1]`,
				`POST /v2/groups/g2/members [Authorization: Bearer at-1] [Content-Type: application/json] [If-Match: "v7"] {"groupVersion":7,"userId":"u1"}`,
			}},
		{"remove group", connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "Group", ID: "g2"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{`DELETE /v2/groups/g2/members/u1 [Authorization: Bearer at-1]`}},
		{"remove role", connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "Role", ID: "admin"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{
				`POST /v2/session [Content-Type: application/json] {"grant_type":"password","password":"pw-ent","username":"svc-saviynt"}`,
				`DELETE /v2/users/u1/roles/admin [Content-Type: application/json] [X-Session: Token sess-1] {"reason":"revoked by Saviynt"}`,
			}},
		{"remove role after the session expired", connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "Role", ID: "admin"},
			Task: map[string]any{"attributes": map[string]any{"reason": "role review"}}},
			connector.Result{Attributes: map[string]any{}},
			[]string{
				`DELETE /v2/users/u1/roles/admin [Content-Type: application/json] [X-Session: Token sess-1] {"reason":"role review"}`,
				`POST /v2/session [Content-Type: application/json] {"grant_type":"password","password":"pw-ent","username":"svc-saviynt"}`,
				`DELETE /v2/users/u1/roles/admin [Content-Type: application/json] [X-Session: Token sess-2] {"reason":"role review"}`,
			}},
		{"add team", connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "Team", ID: "t2"},
			Task: map[string]any{"attributes": map[string]any{"teamRole": "lead"}}},
			connector.Result{Attributes: map[string]any{}},
			[]string{`POST /v2/teams/t2/members [Authorization: Bearer at-1] [Content-Type: application/json] {"role":"lead","user":{"id":"u1"}}`}},
		{"remove team", connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": "u2"}, Entitlement: &connector.Entitlement{Type: "Team", ID: "t1"}},
			connector.Result{Attributes: map[string]any{}},
			[]string{`DELETE /v2/teams/t1/members/u2 [Authorization: Bearer at-1]`}},
		{"change password", connector.Request{Op: connector.ChangePassword, Account: map[string]any{"id": "u1"}, Password: "N3w-Pa55"},
			connector.Result{Attributes: map[string]any{}},
			[]string{`PUT /v2/users/u1/password [Authorization: Bearer at-1] [Content-Type: ` + form + `] mustChange=true&password=N3w-Pa55`}},
		{"add role by ticket", connector.Request{Op: connector.AddAccess, User: user, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "Role", ID: "admin", Name: "Administrator"}, Task: map[string]any{"id": "T100"}},
			connector.Result{Attributes: map[string]any{}, Ticket: &connector.Ticket{ID: "T-7", State: connector.TicketPending}},
			[]string{
				`POST /helpdesk/login [Content-Type: ` + form + `] pass=pw-hd&user=helpdesk-bot`,
				`POST /helpdesk/api/tickets [Content-Type: application/json] [Cookie: HDSESSION=c00kie] {"body":"Task T100: Administrator","queue":"IAM","subject":"Access request for Dee Fox"}`,
			}},
		{"add app by ticket", connector.Request{Op: connector.AddAccess, User: user, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "App", ID: "a3", Name: "CRM"}, Task: map[string]any{"id": "T101"}},
			connector.Result{Attributes: map[string]any{}, Ticket: &connector.Ticket{ID: "T-7", State: connector.TicketPending}},
			[]string{`POST /helpdesk/api/tickets [Content-Type: application/json] [Cookie: HDSESSION=c00kie] {"body":"Task T101: CRM","queue":"IAM","subject":"Access request for Dee Fox"}`}},
	}
	for _, tc := range provision {
		t.Run(tc.name, func(t *testing.T) {
			if strings.Contains(tc.name, "expired") {
				srv.mu.Lock()
				srv.expireSession = true
				srv.mu.Unlock()
			}
			res, err := eng.Provision(ctx, tc.req)
			require.NoError(t, err)
			assert.Equal(t, tc.res, res)
			assert.Equal(t, tc.want, srv.take())
		})
	}

	t.Run("ticket status", func(t *testing.T) {
		tk, err := eng.TicketStatus(ctx, "T-7")
		require.NoError(t, err)
		assert.Equal(t, connector.Ticket{ID: "T-7", State: connector.TicketCompleted, Status: "Resolved"}, tk)
		assert.Equal(t, []string{`GET /helpdesk/api/tickets/T-7 [Cookie: HDSESSION=c00kie]`}, srv.take())
	})

	t.Run("create without the optional manager", func(t *testing.T) {
		u := map[string]any{"systemusername": "eve", "firstname": "Eve", "lastname": "Ng", "email": "eve@x.example", "statuskey": "0", "employeeid": "12", "title": "CFO", "departmentname": "Finance"}
		_, err := eng.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: u})
		require.NoError(t, err)
		assert.Equal(t, []string{
			`POST /v2/users [Authorization: Bearer at-1] [Content-Type: application/json] {"active":false,"employeeNumber":12,"login":"eve","password":"","profile":{"department":"Finance","displayName":"Eve Ng","email":"eve@x.example","title":"CFO"}}`,
		}, srv.take())
	})

	t.Run("a required attribute is missing", func(t *testing.T) {
		_, err := eng.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: map[string]any{"systemusername": "x"}})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "required value missing")
		assert.Empty(t, srv.take(), "nothing is sent")
	})
}
