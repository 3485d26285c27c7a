package genesys_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
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
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/providers/genesys"
	"github.com/restconn/restconn/providers/genesys/genesystest"
)

const scimRoot = "/api/v2/scim/v2"

// fastBackoff keeps retries of 5xx responses from slowing the tests; 429
// waits still follow Retry-After.
var fastBackoff = connector.WithBackoff(func(_, _ time.Duration, _ int) time.Duration { return time.Millisecond })

func newServer(t *testing.T, opts ...genesystest.Option) *genesystest.Server {
	t.Helper()
	srv := genesystest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// clientConfig points the preset at the fake with its OAuth client.
func clientConfig(srv *genesystest.Server) genesys.Config {
	return genesys.Config{APIBaseURL: srv.APIURL, LoginBaseURL: srv.LoginURL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret}
}

func newEngine(t *testing.T, cfg genesys.Config, opts ...connector.Option) *connector.Engine {
	t.Helper()
	e, err := genesys.New(cfg, append([]connector.Option{fastBackoff}, opts...)...)
	require.NoError(t, err)
	return e
}

// apiRequests returns the requests to the API host as "METHOD path?query".
func apiRequests(srv *genesystest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Host != "api" {
			continue
		}
		line := r.Method + " " + strings.TrimPrefix(r.Path, scimRoot)
		if r.RawQuery != "" {
			q, _ := url.QueryUnescape(r.RawQuery)
			line += "?" + q
		}
		out = append(out, line)
	}
	return out
}

func tokenRequests(srv *genesystest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Host == "login" {
			n++
		}
	}
	return n
}

// lastBody decodes the body of the last API request with that method.
func lastBody(t *testing.T, srv *genesystest.Server, method string) map[string]any {
	t.Helper()
	reqs := srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Host == "api" && reqs[i].Method == method {
			var m map[string]any
			require.NoError(t, json.Unmarshal(reqs[i].Body, &m))
			return m
		}
	}
	t.Fatalf("no %s request", method)
	return nil
}

// hook is an http.RoundTripper that runs before on every request, so a
// test can change the fake's state at an exact point of a chain (a
// concurrent writer bumping a version between GET and PATCH, say).
type hook struct {
	before func(*http.Request)
	base   http.RoundTripper
}

func (h hook) RoundTrip(r *http.Request) (*http.Response, error) {
	h.before(r)
	return h.base.RoundTrip(r)
}

func withHook(before func(*http.Request)) connector.Option {
	return connector.WithHTTPClient(&http.Client{Transport: hook{before: before, base: http.DefaultTransport}})
}

func userByName(t *testing.T, srv *genesystest.Server, name string) genesystest.User {
	t.Helper()
	for _, u := range srv.Users() {
		if u.UserName == name {
			return u
		}
	}
	t.Fatalf("no user %q", name)
	return genesystest.User{}
}

func groupByName(t *testing.T, srv *genesystest.Server, name string) genesystest.Group {
	t.Helper()
	for _, g := range srv.Groups() {
		if g.DisplayName == name {
			return g
		}
	}
	t.Fatalf("no group %q", name)
	return genesystest.Group{}
}

func TestSpecEmbedded(t *testing.T) {
	raw, err := os.ReadFile("genesys.json")
	require.NoError(t, err)
	fromFile, err := connector.Parse(raw)
	require.NoError(t, err, "genesys.json parses and validates")

	a, b := genesys.Spec(), genesys.Spec()
	require.NoError(t, a.Validate())
	assert.Equal(t, fromFile, a, "Spec is the embedded file")
	assert.Equal(t, a, b)
	for _, op := range connector.Operations {
		assert.Contains(t, a.Provision, op, "the preset implements %s", op)
	}

	// Copies are independent, deep down.
	connectortest.CheckSpecCopy(t, genesys.Spec)
	a.Name = "changed"
	a.Connection.Auth["oauth"].TokenURL = "https://elsewhere.test/token"
	a.Import.Accounts.Sources[0].Paging.Size = 99
	a.Provision[connector.CreateAccount].Calls[0].Query["filter"] = "x"
	delete(a.Provision, connector.RemoveAccount)
	c := genesys.Spec()
	assert.Equal(t, fromFile, c)
	assert.Equal(t, fromFile, b)
}

func TestConfigErrors(t *testing.T) {
	const secret, token = "s3cr3t-client-value", "tok-3bf1c0ffee-value"
	base := genesys.Config{Region: "mypurecloud.com", ClientID: "id", ClientSecret: secret}
	tests := []struct {
		name string
		mod  func(*genesys.Config)
		want string
	}{
		{"no host", func(c *genesys.Config) { c.Region = "" }, "no API host: set Region"},
		{"no credentials", func(c *genesys.Config) { c.ClientID, c.ClientSecret = "", "" }, "no credentials"},
		{"both", func(c *genesys.Config) { c.AccessToken = token }, "not both"},
		{"secret without id", func(c *genesys.Config) { c.ClientID = "" }, "ClientID is empty"},
		{"id without secret", func(c *genesys.Config) { c.ClientSecret = "" }, "ClientSecret is empty"},
		{"region is a URL", func(c *genesys.Config) { c.Region = "https://api.mypurecloud.com" }, "is a URL"},
		{"bad region", func(c *genesys.Config) { c.Region = "europe" }, "neither a host suffix"},
		{"bad API URL", func(c *genesys.Config) { c.Region, c.APIBaseURL = "", "api.mypurecloud.com" }, "APIBaseURL \"api.mypurecloud.com\" is not an absolute http(s) URL"},
		{"bad login URL", func(c *genesys.Config) { c.LoginBaseURL = "ftp://login.x" }, "LoginBaseURL"},
		{"no login host", func(c *genesys.Config) { c.Region, c.APIBaseURL = "", "http://127.0.0.1:9" }, "no login host"},
		{"negative page size", func(c *genesys.Config) { c.PageSize = -1 }, "PageSize -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := base
			tt.mod(&cfg)
			e, err := genesys.New(cfg)
			require.Error(t, err)
			assert.Nil(t, e)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, err.Error(), token)
		})
	}
}

// rewrite sends requests for the real Genesys hosts to the fake and
// records the hosts asked for.
func rewrite(srv *genesystest.Server, hosts *[]string, mu *sync.Mutex) connector.Option {
	api, _ := url.Parse(srv.APIURL)
	login, _ := url.Parse(srv.LoginURL)
	return withHook(func(r *http.Request) {
		mu.Lock()
		*hosts = append(*hosts, r.URL.Scheme+"://"+r.URL.Host)
		mu.Unlock()
		to := api
		if strings.HasPrefix(r.URL.Host, "login.") {
			to = login
		}
		r.URL.Scheme, r.URL.Host = to.Scheme, to.Host
	})
}

func TestRegions(t *testing.T) {
	tests := []struct {
		cfg              genesys.Config
		apiHost, logHost string
	}{
		{genesys.Config{Region: "mypurecloud.ie"}, "https://api.mypurecloud.ie", "https://login.mypurecloud.ie"},
		{genesys.Config{Region: "usw2.pure.cloud"}, "https://api.usw2.pure.cloud", "https://login.usw2.pure.cloud"},
		{genesys.Config{Region: " US-West-2 "}, "https://api.usw2.pure.cloud", "https://login.usw2.pure.cloud"},
		{genesys.Config{Region: "ap-southeast-2"}, "https://api.mypurecloud.com.au", "https://login.mypurecloud.com.au"},
		{genesys.Config{Region: "api.use2.us-gov-pure.cloud"}, "https://api.use2.us-gov-pure.cloud", "https://login.use2.us-gov-pure.cloud"},
		{genesys.Config{Region: "mypurecloud.de", APIBaseURL: "https://api.proxy.test/"}, "https://api.proxy.test", "https://login.mypurecloud.de"},
		{genesys.Config{APIBaseURL: "https://api.mypurecloud.jp"}, "https://api.mypurecloud.jp", "https://login.mypurecloud.jp"},
	}
	for _, tt := range tests {
		t.Run(tt.cfg.Region+tt.cfg.APIBaseURL, func(t *testing.T) {
			srv := newServer(t)
			var hosts []string
			var mu sync.Mutex
			cfg := tt.cfg
			cfg.ClientID, cfg.ClientSecret = srv.ClientID, srv.ClientSecret
			e := newEngine(t, cfg, rewrite(srv, &hosts, &mu))
			require.NoError(t, e.Connect(context.Background()))
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, []string{tt.logHost, tt.apiHost, tt.apiHost}, hosts)
		})
	}
}

func TestConnect(t *testing.T) {
	const static = "pre-issued-scim-token-0123456789"
	srv := newServer(t, genesystest.WithStaticToken(static))
	ctx := context.Background()

	t.Run("client credentials", func(t *testing.T) {
		e := newEngine(t, clientConfig(srv))
		require.NoError(t, e.Connect(ctx))
		reqs := srv.Requests()
		require.Len(t, reqs, 3)
		tok := reqs[0]
		assert.Equal(t, "login", tok.Host)
		assert.Equal(t, "POST /oauth/token", tok.Method+" "+tok.Path)
		assert.Equal(t, "grant_type=client_credentials", string(tok.Body))
		id, sec, ok := (&http.Request{Header: tok.Header}).BasicAuth()
		require.True(t, ok, "client authenticated with HTTP Basic")
		assert.Equal(t, srv.ClientID, id)
		assert.Equal(t, srv.ClientSecret, sec)
		assert.Equal(t, []string{"GET /serviceproviderconfig", "GET /users?attributes=id&count=0"}, apiRequests(srv))
		assert.True(t, strings.HasPrefix(reqs[2].Header.Get("Authorization"), "Bearer "))

		// The token is reused.
		require.NoError(t, e.Connect(ctx))
		assert.Equal(t, 1, tokenRequests(srv))
	})

	t.Run("access token", func(t *testing.T) {
		before := tokenRequests(srv)
		e := newEngine(t, genesys.Config{APIBaseURL: srv.APIURL, AccessToken: static})
		require.NoError(t, e.Connect(ctx))
		assert.Equal(t, before, tokenRequests(srv), "no token request")
		reqs := srv.Requests()
		assert.Equal(t, "Bearer "+static, reqs[len(reqs)-1].Header.Get("Authorization"))
	})

	t.Run("rejected access token", func(t *testing.T) {
		const bad = "not-a-token-9f8e7d6c5b4a"
		e := newEngine(t, genesys.Config{APIBaseURL: srv.APIURL, AccessToken: bad})
		err := e.Connect(ctx)
		require.ErrorIs(t, err, connector.ErrAuth)
		var ce *connector.Error
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, 401, ce.StatusCode)
		assert.Equal(t, "bad.credentials", ce.Code)
		assert.Equal(t, "Invalid login credentials.", ce.Message)
		assert.NotContains(t, err.Error(), bad)
	})

	t.Run("wrong client secret", func(t *testing.T) {
		cfg := clientConfig(srv)
		cfg.ClientSecret = "wrong-secret-value-5a5a5a"
		e := newEngine(t, cfg)
		err := e.Connect(ctx)
		require.ErrorIs(t, err, connector.ErrAuth)
		assert.Contains(t, err.Error(), "invalid_client")
		assert.NotContains(t, err.Error(), cfg.ClientSecret)
	})
}

func TestImportAccountsMapping(t *testing.T) {
	clock := time.Date(2025, 3, 14, 9, 26, 53, 589_000_000, time.UTC)
	srv := newServer(t, genesystest.WithClock(func() time.Time { return clock }))
	e := newEngine(t, clientConfig(srv))
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	require.Len(t, accts, 3)

	ada := userByName(t, srv, "ada.lovelace@example.com")
	grace := userByName(t, srv, "grace.hopper@example.com")
	alan := userByName(t, srv, "alan.turing@example.com")
	support, sales := groupByName(t, srv, "Support"), groupByName(t, srv, "Sales")

	assert.Equal(t, connector.Account{
		ID: ada.ID, Name: "ada.lovelace@example.com", Active: true,
		Attributes: map[string]any{
			"userName": "ada.lovelace@example.com", "displayName": "Ada Lovelace", "active": true, "title": "Supervisor",
			"emails":       []any{map[string]any{"value": "ada.lovelace@example.com", "type": "work", "primary": true}},
			"phoneNumbers": []any{map[string]any{"value": "tel:+13175550100", "type": "work", "primary": true}},
			"externalId":   "1001", "division": "Home", "department": "Support", "employeeNumber": "1001",
			"routingLanguages": []any{map[string]any{"name": "English", "proficiency": int64(5)}},
			"version":          `"1"`, "lastModified": clock,
		},
		Entitlements: map[string][]string{"group": {support.ID}, "role": {"employee", "Supervisor"}},
	}, accts[0])

	assert.Equal(t, grace.ID, accts[1].ID)
	assert.Equal(t, ada.ID, accts[1].Attributes["manager"], "manager is the manager's user ID")
	assert.Equal(t, []any{map[string]any{"name": "Billing", "proficiency": int64(3)}}, accts[1].Attributes["routingSkills"])
	assert.Equal(t, []any{map[string]any{"name": "English", "proficiency": int64(5)}, map[string]any{"name": "French", "proficiency": 2.5}},
		accts[1].Attributes["routingLanguages"])
	assert.Equal(t, map[string][]string{"group": {support.ID, sales.ID}, "role": {"employee"}}, accts[1].Entitlements)

	assert.Equal(t, connector.Account{
		ID: alan.ID, Name: "alan.turing@example.com", Active: false,
		Attributes: map[string]any{
			"userName": "alan.turing@example.com", "displayName": "Alan Turing", "active": false, "title": "Agent",
			"externalId": "1003", "division": "Home", "employeeNumber": "1003", "version": `"1"`, "lastModified": clock,
		},
		Entitlements: map[string][]string{"group": {}, "role": {"employee"}},
	}, accts[2], "the inactive user comes from the second source")

	_, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Since: clock.Add(-time.Hour)}))
	require.ErrorIs(t, err, connector.ErrUnsupported, "Genesys filters cannot select by lastModified")
}

func TestImportPaging(t *testing.T) {
	tests := []struct {
		pageSize   int
		wantCount  string
		wantActive []string // startIndex of each page of active users
	}{
		{0, "25", []string{"1", "26", "51", "76", "101"}},
		{40, "40", []string{"1", "41", "81"}},
		{100, "100", []string{"1", "101"}},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.pageSize), func(t *testing.T) {
			srv := newServer(t, genesystest.WithUsers(), genesystest.WithGroups())
			srv.SeedUsers(130, 7) // 18 inactive, 112 active
			cfg := clientConfig(srv)
			cfg.PageSize = tt.pageSize
			// One page after the other, so that the requests arrive in
			// the order asserted below; TestImportConcurrentPages covers
			// the default.
			e := newEngine(t, cfg, connector.WithImportConcurrency(1))
			accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			require.NoError(t, err)

			var got, want []string
			inactive := 0
			for _, a := range accts {
				got = append(got, a.ID)
				if !a.Active {
					inactive++
				}
			}
			for _, u := range srv.Users() {
				want = append(want, u.ID)
			}
			assert.Len(t, got, 130)
			assert.ElementsMatch(t, want, got, "every user exactly once")
			assert.Equal(t, 18, inactive)

			var active []string
			for _, r := range srv.Requests() {
				if r.Host != "api" {
					continue
				}
				q, _ := url.ParseQuery(r.RawQuery)
				assert.Equal(t, tt.wantCount, q.Get("count"), "%s %s?%s", r.Method, r.Path, r.RawQuery)
				if q.Get("filter") == "" {
					active = append(active, q.Get("startIndex"))
				}
			}
			assert.Equal(t, tt.wantActive, active)
		})
	}
}

func TestTokenRefreshMidImport(t *testing.T) {
	srv := newServer(t, genesystest.WithUsers(), genesystest.WithGroups())
	srv.SeedUsers(130, 7)
	// One page after the other, so that the third request is page 3;
	// TestTokenRefreshWithPagesInFlight covers the default.
	e := newEngine(t, clientConfig(srv), connector.WithImportConcurrency(1))
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx)) // token 1
	srv.ExpireTokensAfter(2)           // pages 1 and 2 pass; page 3 meets a revoked token

	accts, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, a := range accts {
		assert.False(t, seen[a.ID], "duplicate %s", a.ID)
		seen[a.ID] = true
	}
	assert.Len(t, seen, 130, "no record lost")
	assert.Equal(t, 2, tokenRequests(srv), "one new token")
	assert.Equal(t, []string{
		"GET /serviceproviderconfig", "GET /users?attributes=id&count=0",
		"GET /users?count=25&startIndex=1", "GET /users?count=25&startIndex=26",
		"GET /users?count=25&startIndex=51", "GET /users?count=25&startIndex=51", // 401, then again with the new token
		"GET /users?count=25&startIndex=76", "GET /users?count=25&startIndex=101",
		"GET /users?count=25&filter=active eq false&startIndex=1",
	}, apiRequests(srv))
}

// With the default concurrency the pages after the first go out together:
// every user exactly once, each page asked for once (in some order).
func TestImportConcurrentPages(t *testing.T) {
	srv := newServer(t, genesystest.WithUsers(), genesystest.WithGroups())
	srv.SeedUsers(130, 7)
	e := newEngine(t, clientConfig(srv))
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	var got, want []string
	for _, a := range accts {
		got = append(got, a.ID)
	}
	for _, u := range srv.Users() {
		want = append(want, u.ID)
	}
	assert.ElementsMatch(t, want, got, "every user exactly once")
	assert.ElementsMatch(t, []string{
		"GET /users?count=25&startIndex=1", "GET /users?count=25&startIndex=26", "GET /users?count=25&startIndex=51",
		"GET /users?count=25&startIndex=76", "GET /users?count=25&startIndex=101",
		"GET /users?count=25&filter=active eq false&startIndex=1",
	}, apiRequests(srv))
}

// A token that expires while several pages are in flight: one new token,
// the refused pages asked for again, every user exactly once.
func TestTokenRefreshWithPagesInFlight(t *testing.T) {
	srv := newServer(t, genesystest.WithUsers(), genesystest.WithGroups())
	srv.SeedUsers(130, 7)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx)) // token 1
	srv.ExpireTokensAfter(2)           // the first page passes; of the pages after it, the first to arrive too

	accts, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	seen := map[string]bool{}
	for _, a := range accts {
		assert.False(t, seen[a.ID], "duplicate %s", a.ID)
		seen[a.ID] = true
	}
	assert.Len(t, seen, 130, "no record lost")
	assert.Equal(t, 2, tokenRequests(srv), "one new token for all the pages in flight")
	pages := map[string]int{}
	for _, r := range apiRequests(srv)[2:] {
		pages[r]++
	}
	assert.Len(t, pages, 6, "five pages of active users and one of inactive ones")
	for r, n := range pages {
		assert.LessOrEqual(t, n, 2, "%s: asked for at most twice (refused, then with the new token)", r)
	}
}

func TestImportAccess(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	ada := userByName(t, srv, "ada.lovelace@example.com")
	grace := userByName(t, srv, "grace.hopper@example.com")
	alan := userByName(t, srv, "alan.turing@example.com")
	support, sales := groupByName(t, srv, "Support"), groupByName(t, srv, "Sales")

	all, err := connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	assert.Equal(t, []connector.Entitlement{
		{Type: "group", ID: support.ID, Name: "Support", Attributes: map[string]any{"displayName": "Support", "version": `"1"`}, Members: []string{ada.ID, grace.ID}},
		{Type: "group", ID: sales.ID, Name: "Sales", Attributes: map[string]any{"displayName": "Sales", "externalId": "sales", "version": `"1"`}, Members: []string{grace.ID}},
		{Type: "role", ID: "employee", Name: "employee", Attributes: map[string]any{}, Members: []string{ada.ID, grace.ID, alan.ID}},
		{Type: "role", ID: "Supervisor", Name: "Supervisor", Attributes: map[string]any{}, Members: []string{ada.ID}},
	}, all)

	roles, err := connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{Types: []string{"role"}}))
	require.NoError(t, err)
	assert.Len(t, roles, 2)

	_, err = connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{Types: []string{"license"}}))
	require.ErrorIs(t, err, connector.ErrUnsupported)
	_, err = connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{Since: time.Now()}))
	require.ErrorIs(t, err, connector.ErrUnsupported)
}

func TestCreateAccount(t *testing.T) {
	const tricky = `zoë "z" o'hara/ops\eu@example.com`
	tests := []struct {
		name     string
		user     map[string]any
		password string
		check    func(t *testing.T, srv *genesystest.Server, u genesystest.User, body map[string]any)
	}{
		{
			name: "every attribute",
			user: map[string]any{"email": "marie.curie@example.com", "username": "ignored@example.com", "displayname": "Marie Curie",
				"firstname": "Maria", "lastname": "Skłodowska", "title": "Agent", "department": "Support", "division": "Paris",
				"employeeid": "2001", "phone": "+33123456789", "manager": "MANAGER", "externalid": "hr-2001"},
			password: "Init-Pass-9",
			check: func(t *testing.T, srv *genesystest.Server, u genesystest.User, body map[string]any) {
				ada := userByName(t, srv, "ada.lovelace@example.com")
				assert.Equal(t, genesystest.User{
					ID: u.ID, UserName: "marie.curie@example.com", DisplayName: "Marie Curie", Title: "Agent", ExternalID: "hr-2001", Active: true,
					Emails:       []genesystest.Email{{Value: "marie.curie@example.com", Type: "work", Primary: true}},
					PhoneNumbers: []genesystest.Phone{{Value: "+33123456789", Type: "work", Primary: true}},
					Division:     "Paris", Department: "Support", ManagerID: ada.ID, EmployeeNumber: "2001",
					Version: 1, LastModified: u.LastModified,
				}, u)
				assert.Equal(t, "Init-Pass-9", body["password"])
			},
		},
		{
			name: "first and last name, username",
			user: map[string]any{"username": "pierre@example.com", "firstname": "Pierre", "lastname": "Curie"},
			check: func(t *testing.T, _ *genesystest.Server, u genesystest.User, body map[string]any) {
				assert.Equal(t, "pierre@example.com", u.UserName)
				assert.Equal(t, "Pierre Curie", u.DisplayName)
				assert.Empty(t, u.Emails, "no email given: none sent")
				assert.Equal(t, map[string]any{
					"schemas": body["schemas"], "userName": "pierre@example.com", "displayName": "Pierre Curie", "active": true,
				}, body, "absent optional values (and the extension object holding only those) are left out; active is explicit")
			},
		},
		{
			name: "quotes, unicode, slashes and backslashes",
			user: map[string]any{"email": tricky, "displayname": `Zoë "Z" O'Hara / Ops`},
			check: func(t *testing.T, srv *genesystest.Server, u genesystest.User, _ map[string]any) {
				assert.Equal(t, tricky, u.UserName)
				assert.Equal(t, `Zoë "Z" O'Hara / Ops`, u.DisplayName)
				var filters []string
				for _, r := range srv.Requests() {
					if r.Method == "GET" {
						q, err := url.ParseQuery(r.RawQuery)
						require.NoError(t, err)
						filters = append(filters, q.Get("filter"))
					}
				}
				assert.Equal(t, []string{
					`userName eq "zoë \"z\" o'hara/ops\\eu@example.com"`,
					`userName eq "zoë \"z\" o'hara/ops\\eu@example.com" and active eq false`,
				}, filters)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t)
			if m, ok := tt.user["manager"]; ok && m == "MANAGER" {
				tt.user["manager"] = userByName(t, srv, "ada.lovelace@example.com").ID
			}
			e := newEngine(t, clientConfig(srv))
			res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: tt.user, Password: tt.password})
			require.NoError(t, err)
			u, ok := srv.User(res.AccountID)
			require.True(t, ok, "Result.AccountID is the new user")
			assert.Equal(t, map[string]any{"adopted": false, "active": true, "version": `"1"`}, res.Attributes)
			assert.Equal(t, []string{"GET", "GET", "POST"}, methods(srv), "look up active, then inactive, then create")
			tt.check(t, srv, u, lastBody(t, srv, "POST"))

			// Again: the user is found and adopted, not duplicated.
			n := len(srv.Users())
			res2, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: tt.user})
			require.NoError(t, err)
			assert.Equal(t, res.AccountID, res2.AccountID)
			assert.Equal(t, true, res2.Attributes["adopted"])
			assert.Len(t, srv.Users(), n)
		})
	}
}

func methods(srv *genesystest.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		if r.Host == "api" {
			out = append(out, r.Method)
		}
	}
	return out
}

func TestCreateAccountAdopts(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	tests := []struct {
		email    string
		active   bool
		requests []string
	}{
		{"ada.lovelace@example.com", true, []string{`GET /users?filter=userName eq "ada.lovelace@example.com"`}},
		{"Alan.Turing@example.com", false, []string{
			`GET /users?filter=userName eq "Alan.Turing@example.com"`,
			`GET /users?filter=userName eq "Alan.Turing@example.com" and active eq false`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.email, func(t *testing.T) {
			want := userByName(t, srv, strings.ToLower(tt.email))
			before := len(apiRequests(srv))
			res, err := e.Provision(ctx, connector.Request{Op: connector.CreateAccount,
				User: map[string]any{"email": tt.email, "displayname": "Someone Else"}})
			require.NoError(t, err)
			assert.Equal(t, want.ID, res.AccountID)
			assert.Equal(t, map[string]any{"adopted": true, "active": tt.active, "version": `"1"`}, res.Attributes)
			assert.Equal(t, tt.requests, apiRequests(srv)[before:], "no POST")
			got, _ := srv.User(want.ID)
			assert.Equal(t, want, got, "an adopted user is left as it is")
		})
	}
	assert.Len(t, srv.Users(), 3)
}

func TestCreateAccountRequiredValues(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()

	_, err := e.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: map[string]any{"displayname": "No Name"}})
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "provision.createAccount.calls[0].query.filter", ce.Path)
	assert.Contains(t, ce.Message, "createAccount needs user.email or user.username")
	assert.Empty(t, apiRequests(srv), "nothing is sent")

	_, err = e.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "nameless@example.com", "firstname": ""}})
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "provision.createAccount.calls[2].body.displayName", ce.Path)
	assert.Contains(t, ce.Message, "createAccount needs user.displayname, or user.firstname and user.lastname")
	assert.NotContains(t, methods(srv), "POST")
}

func TestCreateAccountRaceIsConflict(t *testing.T) {
	srv := newServer(t)
	// Another client creates the user between our lookups and our POST.
	e := newEngine(t, clientConfig(srv), withHook(func(r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/users") {
			srv.AddUser(genesystest.User{UserName: "late@example.com", DisplayName: "Late", Active: true})
		}
	}))
	_, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount,
		User: map[string]any{"email": "late@example.com", "displayname": "Late"}})
	require.ErrorIs(t, err, connector.ErrConflict)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 409, ce.StatusCode)
	assert.Equal(t, "uniqueness", ce.Code)
	assert.Contains(t, ce.Message, `userName "late@example.com" is already in use`)
}

func TestUpdateAccount(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	grace := userByName(t, srv, "grace.hopper@example.com")
	alan := userByName(t, srv, "alan.turing@example.com")

	res, err := e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount, Account: map[string]any{
		"id": grace.ID, "name": "grace.hopper@example.com", "active": false, "version": `"0"`, // ignored
		"displayName": `Grace "Amazing" Hopper`, "title": "Team Lead", "department": "Sales/EU", "division": "Navy",
		"employeeNumber": "9", "manager": alan.ID, "externalId": "ext/1002", "dateHire": "1943-12-01",
		"emails":           []any{map[string]any{"value": "grace@navy.example", "type": "work", "primary": true}},
		"phoneNumbers":     []any{map[string]any{"value": "+15550100", "type": "mobile", "primary": false}},
		"routingSkills":    []any{map[string]any{"name": "COBOL", "proficiency": 5}},
		"routingLanguages": []any{map[string]any{"name": "English", "proficiency": 4.5}},
	}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"version": `"2"`}, res.Attributes)

	got, _ := srv.User(grace.ID)
	assert.Equal(t, genesystest.User{
		ID: grace.ID, UserName: "grace.hopper@example.com", DisplayName: `Grace "Amazing" Hopper`, Title: "Team Lead",
		ExternalID: "ext/1002", Active: true,
		Emails:       []genesystest.Email{{Value: "grace@navy.example", Type: "work", Primary: true}},
		PhoneNumbers: []genesystest.Phone{{Value: "+15550100", Type: "mobile"}},
		Roles:        []string{"employee"},
		Division:     "Navy", Department: "Sales/EU", ManagerID: alan.ID, EmployeeNumber: "9", DateHire: "1943-12-01",
		RoutingSkills: []genesystest.Proficiency{{Name: "COBOL", Proficiency: 5}}, RoutingLanguages: []genesystest.Proficiency{{Name: "English", Proficiency: 4.5}},
		Version: 2, LastModified: got.LastModified,
	}, got)
	reqs := srv.Requests()
	patch := reqs[len(reqs)-1]
	assert.Equal(t, `"1"`, patch.Header.Get("If-Match"), "the version read by the GET")
	assert.Equal(t, []string{"GET", "PATCH"}, methods(srv))

	// Only the attributes given are touched.
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": grace.ID, "title": "CTO"}})
	require.NoError(t, err)
	after, _ := srv.User(grace.ID)
	got.Title, got.Version, got.LastModified = "CTO", 3, after.LastModified
	assert.Equal(t, got, after)
	assert.Equal(t, map[string]any{
		"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
		"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{
			"title": "CTO", // extension objects with nothing to change are left out
		}}},
	}, lastBody(t, srv, "PATCH"))
}

func TestUpdateAccountVersionConflict(t *testing.T) {
	srv := newServer(t)
	ada := userByName(t, srv, "ada.lovelace@example.com")
	var mu sync.Mutex
	bumps := 0 // PATCHes that meet a concurrent change first
	e := newEngine(t, clientConfig(srv), withHook(func(r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodPatch && bumps > 0 {
			bumps--
			srv.BumpVersion(ada.ID)
		}
	}))
	ctx := context.Background()

	mu.Lock()
	bumps = 1
	mu.Unlock()
	res, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": ada.ID, "title": "Director"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"version": `"3"`}, res.Attributes, "1, bumped to 2, patched to 3")
	got, _ := srv.User(ada.ID)
	assert.Equal(t, "Director", got.Title)
	var ifMatch []string
	for _, r := range srv.Requests() {
		if r.Method == http.MethodPatch {
			ifMatch = append(ifMatch, r.Header.Get("If-Match"))
		}
	}
	assert.Equal(t, []string{"GET", "PATCH", "GET", "PATCH"}, methods(srv), "re-read, then write again")
	assert.Equal(t, []string{`"1"`, `"2"`}, ifMatch)

	// A writer that wins twice: one retry, then ErrConflict.
	mu.Lock()
	bumps = 2
	mu.Unlock()
	before := len(methods(srv))
	_, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": ada.ID, "title": "CEO"}})
	require.ErrorIs(t, err, connector.ErrConflict)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 400, ce.StatusCode)
	assert.Equal(t, "invalidVers", ce.Code)
	assert.Equal(t, []string{"GET", "PATCH", "GET", "PATCH"}, methods(srv)[before:])
	got, _ = srv.User(ada.ID)
	assert.Equal(t, "Director", got.Title)
}

func TestEnableDisableRemove(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	grace := userByName(t, srv, "grace.hopper@example.com")
	acct := map[string]any{"id": grace.ID}

	res, err := e.Provision(ctx, connector.Request{Op: connector.DisableAccount, Account: acct})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"active": false, "version": `"2"`}, res.Attributes)
	u, _ := srv.User(grace.ID)
	assert.False(t, u.Active)
	assert.Equal(t, []any{map[string]any{"op": "replace", "path": "active", "value": false}}, lastBody(t, srv, "PATCH")["Operations"])

	res, err = e.Provision(ctx, connector.Request{Op: connector.EnableAccount, Account: acct})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"active": true, "version": `"3"`}, res.Attributes)
	u, _ = srv.User(grace.ID)
	assert.True(t, u.Active)

	res, err = e.Provision(ctx, connector.Request{Op: connector.ChangePassword, Account: acct, Password: "N3w-Pass-Word"})
	require.NoError(t, err)
	assert.Equal(t, []any{map[string]any{"op": "replace", "path": "password", "value": "N3w-Pass-Word"}}, lastBody(t, srv, "PATCH")["Operations"])
	assert.Empty(t, res.Attributes)
	_, err = e.Provision(ctx, connector.Request{Op: connector.ChangePassword, Account: acct})
	assert.ErrorContains(t, err, "changePassword needs Request.Password")

	res, err = e.Provision(ctx, connector.Request{Op: connector.RemoveAccount, Account: acct})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"alreadyGone": false}, res.Attributes)
	_, ok := srv.User(grace.ID)
	assert.False(t, ok)
	assert.NotContains(t, groupByName(t, srv, "Sales").Members, grace.ID)

	// Removing a removed user is done, not an error.
	res, err = e.Provision(ctx, connector.Request{Op: connector.RemoveAccount, Account: acct})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"alreadyGone": true}, res.Attributes)
}

func TestNotFound(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ada := userByName(t, srv, "ada.lovelace@example.com")
	missing := map[string]any{"id": "00000000-0000-4000-8000-000000000000"}
	tests := []connector.Request{
		{Op: connector.UpdateAccount, Account: missing},
		{Op: connector.EnableAccount, Account: missing},
		{Op: connector.DisableAccount, Account: missing},
		{Op: connector.AddAccess, Account: missing, Entitlement: &connector.Entitlement{Type: "role", ID: "employee"}},
		{Op: connector.AddAccess, Account: map[string]any{"id": ada.ID}, Entitlement: &connector.Entitlement{Type: "group", ID: "no-such-group"}},
		{Op: connector.RemoveAccess, Account: map[string]any{"id": ada.ID}, Entitlement: &connector.Entitlement{Type: "group", ID: "no-such-group"}},
	}
	for _, req := range tests {
		t.Run(string(req.Op)+"/"+fmt.Sprint(req.Entitlement != nil), func(t *testing.T) {
			_, err := e.Provision(context.Background(), req)
			require.ErrorIs(t, err, connector.ErrNotFound)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, 404, ce.StatusCode)
			assert.Contains(t, ce.Message, "not found")
		})
	}
}

func TestAccess(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	alan := userByName(t, srv, "alan.turing@example.com")
	sales := groupByName(t, srv, "Sales")
	acct := map[string]any{"id": alan.ID}
	const role = `Queue "Tier 2"/EU\Ops ü`

	tests := []struct {
		op    connector.Operation
		ent   connector.Entitlement
		body  []any
		check func(t *testing.T)
	}{
		{connector.AddAccess, connector.Entitlement{Type: "group", ID: sales.ID},
			[]any{map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": alan.ID}}}},
			func(t *testing.T) { assert.Contains(t, groupByName(t, srv, "Sales").Members, alan.ID) }},
		{connector.AddAccess, connector.Entitlement{Type: "role", ID: role},
			[]any{map[string]any{"op": "add", "path": "roles", "value": []any{map[string]any{"value": role}}}},
			func(t *testing.T) { u, _ := srv.User(alan.ID); assert.Equal(t, []string{"employee", role}, u.Roles) }},
		{connector.RemoveAccess, connector.Entitlement{Type: "group", ID: sales.ID},
			[]any{map[string]any{"op": "remove", "path": `members[value eq "` + alan.ID + `"]`}},
			func(t *testing.T) { assert.NotContains(t, groupByName(t, srv, "Sales").Members, alan.ID) }},
		{connector.RemoveAccess, connector.Entitlement{Type: "role", ID: role},
			[]any{map[string]any{"op": "remove", "path": `roles[value eq "Queue \"Tier 2\"/EU\\Ops ü"]`}},
			func(t *testing.T) { u, _ := srv.User(alan.ID); assert.Equal(t, []string{"employee"}, u.Roles) }},
	}
	for _, tt := range tests {
		t.Run(string(tt.op)+"/"+tt.ent.Type, func(t *testing.T) {
			ent := tt.ent
			_, err := e.Provision(ctx, connector.Request{Op: tt.op, Account: acct, Entitlement: &ent})
			require.NoError(t, err)
			reqs := srv.Requests()
			last := reqs[len(reqs)-1]
			wantPath := scimRoot + "/users/" + alan.ID
			if ent.Type == "group" {
				wantPath = scimRoot + "/groups/" + ent.ID
			}
			assert.Equal(t, "PATCH "+wantPath, last.Method+" "+last.Path)
			assert.Equal(t, map[string]any{"schemas": []any{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": tt.body},
				lastBody(t, srv, "PATCH"))
			tt.check(t)
		})
	}

	_, err := e.Provision(ctx, connector.Request{Op: connector.AddAccess, Account: acct, Entitlement: &connector.Entitlement{Type: "license", ID: "x"}})
	require.ErrorIs(t, err, connector.ErrUnsupported)
}

func TestRateLimit(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()

	// Retry-After within connection.retry.maxWait: wait, then succeed.
	srv.RateLimitNext(1, time.Second)
	start := time.Now()
	accts, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	assert.Len(t, accts, 3)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "Retry-After honoured")
	list := apiRequests(srv)
	assert.Equal(t, list[0], list[1], "the same page asked for again")

	// Retry-After above maxWait (60s): fail at once.
	srv.RateLimitNext(1, 2*time.Minute)
	start = time.Now()
	_, err = e.Provision(ctx, connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": accts[0].ID}})
	require.ErrorIs(t, err, connector.ErrRateLimited)
	assert.Less(t, time.Since(start), 5*time.Second)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 429, ce.StatusCode)
	assert.Equal(t, "too.many.requests.retry.after", ce.Code)
	assert.Contains(t, ce.Message, "Rate limit exceeded the maximum. Retry the request in [120] seconds")
	u, _ := srv.User(accts[0].ID)
	assert.True(t, u.Active, "nothing was changed")
}

func TestServerErrors(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	_, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{})) // token
	require.NoError(t, err)

	// A GET is retried after a 503.
	srv.FailNext(1, http.StatusServiceUnavailable)
	before := len(apiRequests(srv))
	accts, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	assert.Len(t, accts, 3)
	assert.Len(t, apiRequests(srv)[before:], 3, "one list request twice, then the inactive list")

	// A PATCH is not: it may have been applied.
	srv.FailNext(1, http.StatusServiceUnavailable)
	before = len(apiRequests(srv))
	_, err = e.Provision(ctx, connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": accts[0].ID}})
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 503, ce.StatusCode)
	assert.Equal(t, "injected failure: Service Unavailable", ce.Message)
	assert.Len(t, apiRequests(srv)[before:], 1)
}

func TestSecretsNeverLeak(t *testing.T) {
	srv := newServer(t)
	cfg := clientConfig(srv)
	lc := connectortest.NewLeakCheck(t)
	e := newEngine(t, cfg, lc.Options()...)
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx))
	res, err := e.Provision(ctx, connector.Request{Op: connector.CreateAccount, Password: "Very-Secret-Init-PW",
		User: map[string]any{"email": "pw@example.com", "displayname": "PW"}})
	require.NoError(t, err)
	srv.ExpireTokens() // a second token
	_, err = e.Provision(ctx, connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": res.AccountID}})
	require.NoError(t, err)
	var errs []string
	srv.RateLimitNext(1, 5*time.Minute)
	_, err = e.Provision(ctx, connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": res.AccountID}})
	require.Error(t, err)
	errs = append(errs, lc.Err(err).Error())
	_, err = e.Provision(ctx, connector.Request{Op: connector.ChangePassword, Account: map[string]any{"id": "nobody"}, Password: "Very-Secret-Init-PW"})
	require.Error(t, err)
	errs = append(errs, lc.Err(err).Error())

	var issued []string
	for _, r := range srv.Requests() {
		if h := r.Header.Get("Authorization"); strings.HasPrefix(h, "Bearer ") {
			issued = append(issued, strings.TrimPrefix(h, "Bearer "))
		}
	}
	slices.Sort(issued)
	issued = slices.Compact(issued)
	require.Len(t, issued, 2, "two tokens were used")
	var traces []string
	for _, tr := range lc.Traces() {
		traces = append(traces, fmt.Sprintf("%+v", tr))
	}
	out := strings.Join(traces, "\n") + strings.Join(errs, "\n") + lc.Logs()
	assert.Contains(t, out, "token expired; re-authenticating")
	for _, s := range append(issued, srv.ClientSecret, "Very-Secret-Init-PW") {
		assert.False(t, strings.Contains(out, s), "a secret leaked: %s", s)
	}
	lc.AddSecrets(append(issued, srv.ClientSecret, "Very-Secret-Init-PW")...)
	lc.Check()
}

func TestPageSizeMatchesMaxCount(t *testing.T) {
	// A page size above the server's cap still walks every page: paging
	// advances by itemsPerPage, not by the count asked for.
	srv := newServer(t, genesystest.WithUsers(), genesystest.WithGroups(), genesystest.WithMaxCount(10))
	srv.SeedUsers(45, 0)
	cfg := clientConfig(srv)
	cfg.PageSize = 25
	e := newEngine(t, cfg)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	var names []string
	for _, a := range accts {
		names = append(names, a.Name)
	}
	sort.Strings(names)
	assert.Len(t, slices.Compact(names), 45)
}

func TestErrorsAreTyped(t *testing.T) {
	// Every failure is a *connector.Error, including spec misuse.
	s := genesys.Spec()
	_, err := connector.New(s) // neither region nor apiBaseURL
	var ce *connector.Error
	require.True(t, errors.As(err, &ce), "%v", err)
	assert.Contains(t, err.Error(), "set params.region or params.apiBaseURL")
}

// TestPathsAreTheSwaggers runs every operation of the preset and checks that
// each API request uses the paths of the Genesys swagger (and SDKs), which
// are lowercase: /users, /groups, /serviceproviderconfig under
// /api/v2/scim/v2. The capitalised /Users and /Groups IdPs append work only
// if the server matches paths case-insensitively, which Genesys does not
// document.
func TestPathsAreTheSwaggers(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	require.NoError(t, e.Connect(ctx))
	_, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	_, err = connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	res, err := e.Provision(ctx, connector.Request{Op: connector.CreateAccount,
		User: map[string]any{"email": "paths@example.com", "displayname": "Paths"}})
	require.NoError(t, err)
	acct := map[string]any{"id": res.AccountID, "title": "Tester"}
	sales := groupByName(t, srv, "Sales")
	for _, req := range []connector.Request{
		{Op: connector.UpdateAccount, Account: acct},
		{Op: connector.DisableAccount, Account: acct},
		{Op: connector.EnableAccount, Account: acct},
		{Op: connector.ChangePassword, Account: acct, Password: "N3w-Pass-Word"},
		{Op: connector.AddAccess, Account: acct, Entitlement: &connector.Entitlement{Type: "group", ID: sales.ID}},
		{Op: connector.RemoveAccess, Account: acct, Entitlement: &connector.Entitlement{Type: "group", ID: sales.ID}},
		{Op: connector.AddAccess, Account: acct, Entitlement: &connector.Entitlement{Type: "role", ID: "Agent"}},
		{Op: connector.RemoveAccess, Account: acct, Entitlement: &connector.Entitlement{Type: "role", ID: "Agent"}},
		{Op: connector.RemoveAccount, Account: acct},
	} {
		_, err := e.Provision(ctx, req)
		require.NoError(t, err, "%s", req.Op)
	}
	seen := map[string]bool{}
	for _, r := range srv.Requests() {
		if r.Host != "api" {
			continue
		}
		rest, ok := strings.CutPrefix(r.Path, scimRoot+"/")
		require.True(t, ok, "%s %s is not under %s", r.Method, r.Path, scimRoot)
		resource, _, _ := strings.Cut(rest, "/")
		assert.Contains(t, []string{"users", "groups", "serviceproviderconfig"}, resource, "%s %s", r.Method, r.Path)
		seen[resource] = true
	}
	assert.Len(t, seen, 3, "every resource was requested")
}
