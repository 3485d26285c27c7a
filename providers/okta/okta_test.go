package okta_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/providers/okta"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

// newEngine returns the preset for srv; cfg's OrgURL and Token default to
// the server's.
func newEngine(t *testing.T, srv *oktatest.Server, cfg okta.Config, opts ...connector.Option) *connector.Engine {
	t.Helper()
	if cfg.OrgURL == "" {
		cfg.OrgURL = srv.URL
	}
	if cfg.Token == "" {
		cfg.Token = srv.Token
	}
	e, err := okta.New(cfg, append([]connector.Option{connector.WithHTTPClient(srv.Client())}, opts...)...)
	require.NoError(t, err)
	return e
}

// userGroupsSpec is the preset with the opt-in call that lists each
// user's groups (see the example of Spec).
func userGroupsSpec() *connector.Spec {
	spec := okta.Spec()
	spec.Import.Accounts.EntitlementsFrom = map[string]*connector.SubList{"group": {
		ListCall: connector.ListCall{
			Call:   connector.Call{Name: "userGroups", Path: "/api/v1/users/{{ .record.id }}/groups"},
			Paging: &connector.Paging{Type: "link"},
		},
		ID: binding.Field{Path: "id"},
	}}
	return spec
}

func userGroupsEngine(t *testing.T, srv *oktatest.Server, opts ...connector.Option) *connector.Engine {
	t.Helper()
	e, err := connector.New(userGroupsSpec(), append([]connector.Option{
		connector.WithParams(map[string]any{"orgURL": srv.URL}),
		connector.WithSecrets(map[string]string{"token": srv.Token}),
		connector.WithHTTPClient(srv.Client()),
	}, opts...)...)
	require.NoError(t, err)
	return e
}

// sent is a request as the fake received it: method, path, decoded query
// and body.
type sent struct {
	Method, Path string
	Query        url.Values
	Body         any
}

func requests(t *testing.T, srv *oktatest.Server, from int) []sent {
	t.Helper()
	var out []sent
	for _, r := range srv.Requests()[from:] {
		s := sent{Method: r.Method, Path: r.Path, Query: r.Query()}
		if len(s.Query) == 0 {
			s.Query = nil
		}
		if len(r.Body) > 0 {
			require.NoError(t, json.Unmarshal(r.Body, &s.Body), "%s %s: the body is JSON", r.Method, r.Path)
		}
		out = append(out, s)
	}
	return out
}

func TestNewChecksConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  okta.Config
		want string
	}{
		{"no org", okta.Config{Token: "t"}, "okta: Config.OrgURL is required"},
		{"no scheme", okta.Config{OrgURL: "acme.okta.com", Token: "t"}, `okta: Config.OrgURL "acme.okta.com" is not an org URL`},
		{"a path", okta.Config{OrgURL: "https://acme.okta.com/api/v1", Token: "t"}, "is not an org URL"},
		{"credentials", okta.Config{OrgURL: "https://u:p@acme.okta.com", Token: "t"}, "is not an org URL"},
		{"admin domain", okta.Config{OrgURL: "https://acme-admin.okta.com", Token: "t"}, "the admin console's domain: use https://acme.okta.com"},
		{"no token", okta.Config{OrgURL: "https://acme.okta.com"}, "okta: Config.Token is required"},
		{"negative page size", okta.Config{OrgURL: "https://acme.okta.com", Token: "t", PageSize: -1}, "PageSize -1 is negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := okta.New(tt.cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	e, err := okta.New(okta.Config{OrgURL: "https://acme.oktapreview.com/", Token: "t"})
	require.NoError(t, err)
	assert.Equal(t, "okta", e.Spec().Name)
}

func TestConnect(t *testing.T) {
	srv := oktatest.NewServer()
	defer srv.Close()
	require.NoError(t, newEngine(t, srv, okta.Config{}).Connect(context.Background()))
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "GET /api/v1/users/me", reqs[0].Method+" "+reqs[0].Path)
	assert.Equal(t, "SSWS "+srv.Token, reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "application/json", reqs[0].Header.Get("Accept"))

	lc := connectortest.NewLeakCheck(t, "00wrong-token-0000")
	err := lc.Err(newEngine(t, srv, okta.Config{Token: "00wrong-token-0000"}, lc.Options()...).Connect(context.Background()))
	require.ErrorIs(t, err, connector.ErrAuth)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 401, ce.StatusCode)
	assert.Equal(t, "E0000011", ce.Code)
	assert.Equal(t, "Invalid token provided", ce.Message)
	lc.Check()
}

func TestImportAccounts(t *testing.T) {
	created := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	var users []oktatest.User
	for _, st := range []oktatest.Status{oktatest.StatusActive, oktatest.StatusProvisioned, oktatest.StatusPasswordExpired,
		oktatest.StatusLockedOut, oktatest.StatusRecovery, oktatest.StatusStaged, oktatest.StatusSuspended, oktatest.StatusDeprovisioned} {
		low := strings.ToLower(string(st))
		users = append(users, oktatest.User{Status: st, HasPassword: true, Created: created, LastUpdated: created,
			Profile: oktatest.Profile{Login: low + "@example.com", Email: low + "@example.com", FirstName: "F", LastName: low}})
	}
	users[0].Profile = oktatest.Profile{Login: "ada@example.com", Email: "ada@example.com", SecondEmail: "ada@home.example",
		FirstName: "Ada", LastName: "Lovelace", DisplayName: "Ada Lovelace", Title: "Engineer", Department: "R&D",
		EmployeeNumber: "1815", Manager: "Charles", ManagerID: "00u0000000000000cb01", MobilePhone: "+44 20 7946 0000",
		Extra: map[string]any{"city": "London", "costCenter": "42", "favouriteColour": "green"}}
	users[0].LastLogin = created.Add(time.Hour)
	srv := oktatest.NewServer(oktatest.WithUsers(users...), oktatest.WithGroups())
	defer srv.Close()
	e := newEngine(t, srv, okta.Config{PageSize: 3})
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)

	admin, _ := srv.User(srv.AdminID)
	ada, _ := srv.User("ada@example.com")
	require.Len(t, accts, 9, "the admin and every user, deprovisioned included")
	assert.Equal(t, admin.ID, accts[0].ID)
	assert.Equal(t, connector.Account{ID: ada.ID, Name: "ada@example.com", Active: true, Attributes: map[string]any{
		"id": ada.ID, "status": "ACTIVE",
		"created": created, "activated": created, "statusChanged": created, "lastUpdated": created, "passwordChanged": created,
		"lastLogin": created.Add(time.Hour),
		"login":     "ada@example.com", "email": "ada@example.com", "secondEmail": "ada@home.example",
		"firstName": "Ada", "lastName": "Lovelace", "displayName": "Ada Lovelace", "title": "Engineer", "department": "R&D",
		"employeeNumber": "1815", "manager": "Charles", "managerId": "00u0000000000000cb01", "mobilePhone": "+44 20 7946 0000",
		"city": "London", "costCenter": "42",
	}}, accts[1], "custom properties (favouriteColour) are not imported; null ones are absent")

	active := map[string]bool{}
	for _, a := range accts[1:] {
		active[a.Attributes["status"].(string)] = a.Active
	}
	assert.Equal(t, map[string]bool{"ACTIVE": true, "PROVISIONED": true, "PASSWORD_EXPIRED": true, "LOCKED_OUT": true,
		"RECOVERY": true, "STAGED": false, "SUSPENDED": false, "DEPROVISIONED": false}, active)

	// Two sources, Link paging three users a page.
	var got []string
	for _, r := range requests(t, srv, 0) {
		got = append(got, r.Method+" "+r.Path+"?"+r.Query.Encode())
	}
	assert.Equal(t, []string{
		"GET /api/v1/users?limit=3",
		"GET /api/v1/users?after=" + accts[2].ID + "&limit=3",
		"GET /api/v1/users?after=" + accts[5].ID + "&limit=3",
		"GET /api/v1/users?filter=status+eq+%22DEPROVISIONED%22&limit=3",
	}, got)
}

func TestImportAccountsIncremental(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	srv := oktatest.NewServer(oktatest.WithClock(clock))
	defer srv.Close()
	e := newEngine(t, srv, okta.Config{})
	mu.Lock()
	now = now.Add(time.Hour)
	mu.Unlock()
	require.NoError(t, srv.SetStatus("ada.lovelace@example.com", oktatest.StatusSuspended))
	require.NoError(t, srv.SetStatus("grace.hopper@example.com", oktatest.StatusDeprovisioned))

	from := len(srv.Requests())
	since := time.Date(2026, 3, 1, 8, 30, 0, 123e6, time.FixedZone("CET", 3600))
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Since: since}))
	require.NoError(t, err)
	var got []string
	for _, a := range accts {
		got = append(got, a.Name+" "+a.Attributes["status"].(string))
	}
	assert.ElementsMatch(t, []string{"ada.lovelace@example.com SUSPENDED", "grace.hopper@example.com DEPROVISIONED"}, got)
	assert.Equal(t, []sent{{Method: "GET", Path: "/api/v1/users",
		Query: url.Values{"filter": {`lastUpdated gt "2026-03-01T07:30:00.123Z"`}, "limit": {"200"}}}}, requests(t, srv, from),
		"Okta's timestamp form: UTC with milliseconds")
}

func TestImportAccess(t *testing.T) {
	srv := oktatest.NewServer()
	defer srv.Close()
	big := srv.AddGroup(oktatest.Group{Name: "Big", Description: "2,500 members"})
	ids := srv.SeedUsers(2500)
	srv.AddMembers(big.ID, ids...)
	e := newEngine(t, srv, okta.Config{PageSize: 500})
	from := len(srv.Requests())
	ents, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)

	var chunks []int
	for _, g := range ents {
		if g.ID == big.ID {
			chunks = append(chunks, len(g.Members))
			assert.Equal(t, "Big", g.Name)
			assert.Equal(t, "2,500 members", g.Attributes["description"])
		}
	}
	assert.Equal(t, []int{1000, 1000, 500}, chunks, "members in chunks of 1000")
	merged, err := connectortest.MergeEntitlements(ents)
	require.NoError(t, err)
	groups := srv.Groups()
	require.Len(t, merged, len(groups))
	for i, g := range merged {
		assert.Equal(t, groups[i].ID, g.ID)
		assert.Equal(t, "group", g.Type)
		assert.Equal(t, groups[i].Name, g.Name)
		assert.Equal(t, string(groups[i].Type), g.Attributes["type"])
		assert.Equal(t, groups[i].LastMembershipUpdated, g.Attributes["lastMembershipUpdated"])
		want := srv.Members(g.ID)
		if want == nil {
			want = []string{}
		}
		assert.Equal(t, want, g.Members, "group %s", g.Name)
	}

	// The member list of Big: five pages of 500, each the next link.
	var pages []string
	for _, r := range requests(t, srv, from) {
		if r.Path == "/api/v1/groups/"+big.ID+"/users" {
			pages = append(pages, r.Query.Get("after"))
		}
	}
	require.Len(t, pages, 5)
	assert.Equal(t, "", pages[0])
	assert.Equal(t, ids[499], pages[1])
}

// opCase is one provisioning request against a fresh fake, the requests it
// must send and what the fake must hold afterwards.
type opCase struct {
	name    string
	cfg     okta.Config
	setup   func(t *testing.T, srv *oktatest.Server) connector.Request
	want    func(srv *oktatest.Server) []sent
	result  func(t *testing.T, srv *oktatest.Server, res connector.Result)
	err     error  // a sentinel the error wraps
	errCode string // Okta's error code
}

func userID(srv *oktatest.Server, login string) string {
	u, _ := srv.User(login)
	return u.ID
}

func groupID(srv *oktatest.Server, name string) string {
	for _, g := range srv.Groups() {
		if g.Name == name {
			return g.ID
		}
	}
	return ""
}

func status(srv *oktatest.Server, login string) oktatest.Status {
	u, _ := srv.User(login)
	return u.Status
}

func TestProvision(t *testing.T) {
	const ada, alan, ken, katherine, barbara = "ada.lovelace@example.com", "alan.turing@example.com", "ken.thompson@example.com",
		"katherine.johnson@example.com", "barbara.liskov@example.com"
	account := func(login string) func(*testing.T, *oktatest.Server) connector.Request {
		return func(t *testing.T, srv *oktatest.Server) connector.Request {
			return connector.Request{Account: map[string]any{"id": userID(srv, login)}}
		}
	}
	path := func(srv *oktatest.Server, login, rest string) string {
		return "/api/v1/users/" + userID(srv, login) + rest
	}
	tests := []opCase{
		{
			name: "createAccount with a password",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Op: connector.CreateAccount, Password: "Corr3ct-Horse",
					User: map[string]any{"email": "new.hire@example.com", "firstname": "New", "lastname": "Hire",
						"title": "Analyst", "department": "Finance", "employeeid": "2001", "phone": "+1 555 0100"}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "POST", Path: "/api/v1/users", Query: url.Values{"activate": {"true"}}, Body: map[string]any{
					"profile": map[string]any{"login": "new.hire@example.com", "email": "new.hire@example.com", "firstName": "New", "lastName": "Hire",
						"title": "Analyst", "department": "Finance", "employeeNumber": "2001", "mobilePhone": "+1 555 0100"},
					"credentials": map[string]any{"password": map[string]any{"value": "Corr3ct-Horse"}}}}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, userID(srv, "new.hire@example.com"), res.AccountID)
				assert.Equal(t, map[string]any{"status": "ACTIVE", "login": "new.hire@example.com"}, res.Attributes)
			},
		},
		{
			name: "createAccount without a password, login from username",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Op: connector.CreateAccount,
					User: map[string]any{"username": "nh@example.com", "email": "new.hire@example.com", "firstname": "New", "lastname": "Hire"}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "POST", Path: "/api/v1/users", Query: url.Values{"activate": {"true"}}, Body: map[string]any{
					"profile": map[string]any{"login": "nh@example.com", "email": "new.hire@example.com", "firstName": "New", "lastName": "Hire"}}}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, "PROVISIONED", res.Attributes["status"], "Okta emails the user an activation link")
			},
		},
		{
			name: "createAccount with a login in use",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": ada, "firstname": "A", "lastname": "L"}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "POST", Path: "/api/v1/users", Query: url.Values{"activate": {"true"}}, Body: map[string]any{
					"profile": map[string]any{"login": ada, "email": ada, "firstName": "A", "lastName": "L"}}}}
			},
			errCode: "E0000001",
		},
		{
			name: "createAccount without a required name sends nothing",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "x@example.com", "firstname": "X"}}
			},
			want: func(*oktatest.Server) []sent { return nil },
		},
		{
			name: "updateAccount changes the given profile properties",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": userID(srv, ada),
					"title": "Principal Engineer", "mobilePhone": nil, "status": "ACTIVE", "lastLogin": "ignored"}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "POST", Path: path(srv, ada, ""), Body: map[string]any{
					"profile": map[string]any{"title": "Principal Engineer", "mobilePhone": nil}}}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				u, _ := srv.User(ada)
				assert.Equal(t, "Principal Engineer", u.Profile.Title)
				assert.Equal(t, "Ada", u.Profile.FirstName, "other properties stay")
				assert.Equal(t, u.ID, res.AccountID)
				assert.Equal(t, "ACTIVE", res.Attributes["status"])
			},
		},
		{
			name: "updateAccount of an unknown user",
			setup: func(*testing.T, *oktatest.Server) connector.Request {
				return connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "00unobody"}}
			},
			want: func(*oktatest.Server) []sent {
				return []sent{{Method: "POST", Path: "/api/v1/users/00unobody", Body: map[string]any{"profile": map[string]any{}}}}
			},
			err:     connector.ErrNotFound,
			errCode: "E0000007",
		},
		{
			name:  "disableAccount suspends an active user",
			setup: account(ada),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, ada, "")}, {Method: "POST", Path: path(srv, ada, "/lifecycle/suspend")}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, oktatest.StatusSuspended, status(srv, ada))
				assert.Equal(t, map[string]any{"status": "SUSPENDED", "changed": true}, res.Attributes)
			},
		},
		{
			name:  "disableAccount leaves a suspended user",
			setup: account(alan),
			want:  func(srv *oktatest.Server) []sent { return []sent{{Method: "GET", Path: path(srv, alan, "")}} },
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, map[string]any{"status": "SUSPENDED", "changed": false}, res.Attributes)
			},
		},
		{
			name:  "disableAccount cannot suspend a locked-out user",
			setup: account(katherine),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, katherine, "")}, {Method: "POST", Path: path(srv, katherine, "/lifecycle/suspend")}}
			},
			errCode: "E0000001",
		},
		{
			name:  "disableAccount deactivates when configured",
			cfg:   okta.Config{DeactivateOnDisable: true},
			setup: account(katherine),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, katherine, "")}, {Method: "POST", Path: path(srv, katherine, "/lifecycle/deactivate")}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, oktatest.StatusDeprovisioned, status(srv, katherine))
				assert.Equal(t, map[string]any{"status": "DEPROVISIONED", "changed": true}, res.Attributes)
			},
		},
		{
			name:  "disableAccount leaves a deprovisioned user when configured to deactivate",
			cfg:   okta.Config{DeactivateOnDisable: true},
			setup: account(ken),
			want:  func(srv *oktatest.Server) []sent { return []sent{{Method: "GET", Path: path(srv, ken, "")}} },
		},
		{
			name:  "enableAccount unsuspends a suspended user",
			setup: account(alan),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, alan, "")}, {Method: "POST", Path: path(srv, alan, "/lifecycle/unsuspend")},
					{Method: "GET", Path: path(srv, alan, "")}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, oktatest.StatusActive, status(srv, alan))
				assert.Equal(t, map[string]any{"status": "ACTIVE", "changed": true}, res.Attributes)
			},
		},
		{
			name:  "enableAccount activates a deprovisioned user",
			setup: account(ken),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, ken, "")}, {Method: "POST", Path: path(srv, ken, "/lifecycle/activate")},
					{Method: "GET", Path: path(srv, ken, "")}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.NotEqual(t, oktatest.StatusDeprovisioned, status(srv, ken))
				assert.Equal(t, string(status(srv, ken)), res.Attributes["status"])
			},
		},
		{
			name:  "enableAccount activates a staged user",
			setup: account(barbara),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, barbara, "")}, {Method: "POST", Path: path(srv, barbara, "/lifecycle/activate")},
					{Method: "GET", Path: path(srv, barbara, "")}}
			},
		},
		{
			name:  "enableAccount leaves an active user",
			setup: account(ada),
			want:  func(srv *oktatest.Server) []sent { return []sent{{Method: "GET", Path: path(srv, ada, "")}} },
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, map[string]any{"status": "ACTIVE", "changed": false}, res.Attributes)
			},
		},
		{
			name:  "removeAccount deactivates, then deletes",
			setup: account(ada),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, ada, "")}, {Method: "POST", Path: path(srv, ada, "/lifecycle/deactivate")},
					{Method: "DELETE", Path: path(srv, ada, "")}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				_, ok := srv.User(ada)
				assert.False(t, ok, "deleted")
				assert.Equal(t, map[string]any{"alreadyGone": false}, res.Attributes)
			},
		},
		{
			name:  "removeAccount deletes a deprovisioned user",
			setup: account(ken),
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "GET", Path: path(srv, ken, "")}, {Method: "DELETE", Path: path(srv, ken, "")}}
			},
		},
		{
			name: "removeAccount of a user already gone",
			setup: func(*testing.T, *oktatest.Server) connector.Request {
				return connector.Request{Account: map[string]any{"id": "00ugone"}}
			},
			want: func(*oktatest.Server) []sent { return []sent{{Method: "GET", Path: "/api/v1/users/00ugone"}} },
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Equal(t, map[string]any{"alreadyGone": true}, res.Attributes)
			},
		},
		{
			name: "changePassword",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Account: map[string]any{"id": userID(srv, ada)}, Password: "N3w-Passw0rd!"}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "POST", Path: path(srv, ada, ""), Body: map[string]any{
					"credentials": map[string]any{"password": map[string]any{"value": "N3w-Passw0rd!"}}}}}
			},
		},
		{
			name: "changePassword refused by the policy",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Account: map[string]any{"id": userID(srv, ada)}, Password: "weak"}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "POST", Path: path(srv, ada, ""), Body: map[string]any{
					"credentials": map[string]any{"password": map[string]any{"value": "weak"}}}}}
			},
			errCode: "E0000001",
		},
		{
			name: "addAccess",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Account: map[string]any{"id": userID(srv, ada)}, Entitlement: &connector.Entitlement{Type: "group", ID: groupID(srv, "Finance")}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "PUT", Path: "/api/v1/groups/" + groupID(srv, "Finance") + "/users/" + userID(srv, ada)}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.Contains(t, srv.Members(groupID(srv, "Finance")), userID(srv, ada))
			},
		},
		{
			name: "addAccess to an application group",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Account: map[string]any{"id": userID(srv, ada)}, Entitlement: &connector.Entitlement{Type: "group", ID: groupID(srv, "Engineering users (AD)")}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "PUT", Path: "/api/v1/groups/" + groupID(srv, "Engineering users (AD)") + "/users/" + userID(srv, ada)}}
			},
			err:     connector.ErrAuth,
			errCode: "E0000006",
		},
		{
			name: "removeAccess",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Account: map[string]any{"id": userID(srv, ada)}, Entitlement: &connector.Entitlement{Type: "group", ID: groupID(srv, "Engineering")}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "DELETE", Path: "/api/v1/groups/" + groupID(srv, "Engineering") + "/users/" + userID(srv, ada)}}
			},
			result: func(t *testing.T, srv *oktatest.Server, res connector.Result) {
				assert.NotContains(t, srv.Members(groupID(srv, "Engineering")), userID(srv, ada))
			},
		},
		{
			name: "removeAccess from an unknown group",
			setup: func(t *testing.T, srv *oktatest.Server) connector.Request {
				return connector.Request{Account: map[string]any{"id": userID(srv, ada)}, Entitlement: &connector.Entitlement{Type: "group", ID: "00gnothere"}}
			},
			want: func(srv *oktatest.Server) []sent {
				return []sent{{Method: "DELETE", Path: "/api/v1/groups/00gnothere/users/" + userID(srv, ada)}}
			},
			err:     connector.ErrNotFound,
			errCode: "E0000007",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := oktatest.NewServer()
			defer srv.Close()
			e := newEngine(t, srv, tt.cfg)
			req := tt.setup(t, srv)
			if req.Op == "" {
				req.Op = connector.Operation(strings.Fields(tt.name)[0])
			}
			lc := connectortest.NewLeakCheck(t, srv.Token, req.Password)
			want := tt.want(srv) // before the request: removeAccount deletes the user
			res, err := e.Provision(context.Background(), req)
			lc.Err(err)
			assert.Equal(t, want, requests(t, srv, 0))
			switch {
			case tt.err != nil || tt.errCode != "":
				require.Error(t, err)
				var ce *connector.Error
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.errCode, ce.Code)
				if tt.err != nil {
					assert.ErrorIs(t, err, tt.err)
				}
				assert.NotEmpty(t, ce.Message, "Okta's errorSummary")
			case len(want) == 0:
				require.Error(t, err)
				assert.Contains(t, err.Error(), "required value missing")
			default:
				require.NoError(t, err)
			}
			if tt.result != nil {
				tt.result(t, srv, res)
			}
			lc.Check()
		})
	}
}

func TestRateLimitWaitsUntilReset(t *testing.T) {
	srv := oktatest.NewServer()
	defer srv.Close()
	e := newEngine(t, srv, okta.Config{})
	srv.RateLimitNext(1, 0)
	start := time.Now()
	require.NoError(t, e.Connect(context.Background()))
	assert.Less(t, time.Since(start), 3*time.Second, "X-Rate-Limit-Reset was this second: at most a second's wait")
	assert.Len(t, srv.Requests(), 2)

	// A reset further away than 70 seconds fails at once.
	srv.RateLimitNext(1, 10*time.Minute)
	start = time.Now()
	err := e.Connect(context.Background())
	require.ErrorIs(t, err, connector.ErrRateLimited)
	assert.Less(t, time.Since(start), 3*time.Second)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "E0000047", ce.Code)
	assert.Equal(t, 429, ce.StatusCode)
	assert.Contains(t, ce.Message, "server asks to wait 10m")
}

func TestSpecIsACopy(t *testing.T) {
	connectortest.CheckSpecCopy(t, okta.Spec)
	a, b := okta.Spec(), okta.Spec()
	a.Import.Accounts.EntitlementsFrom = map[string]*connector.SubList{}
	assert.Nil(t, b.Import.Accounts.EntitlementsFrom)
	assert.Equal(t, "okta", b.Name)
	assert.NoError(t, b.Validate())
	assert.NoError(t, userGroupsSpec().Validate())
	assert.True(t, slices.Equal([]connector.Operation{connector.CreateAccount, connector.UpdateAccount, connector.EnableAccount,
		connector.DisableAccount, connector.RemoveAccount, connector.AddAccess, connector.RemoveAccess, connector.ChangePassword},
		func() []connector.Operation {
			var ops []connector.Operation
			for _, op := range connector.Operations {
				if b.Provision[op] != nil {
					ops = append(ops, op)
				}
			}
			return ops
		}()), "every operation")
	// Breaking one copy leaves the other valid.
	a.Provision[connector.AddAccess].Types["group"].Calls[0].Path = "/api/v1/groups/{{ .entitlement.id"
	assert.ErrorIs(t, a.Validate(), connector.ErrInvalidSpec)
	assert.False(t, errors.Is(b.Validate(), connector.ErrInvalidSpec))
}
