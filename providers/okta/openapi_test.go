package okta_test

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/internal/openapitest"
	"github.com/restconn/restconn/providers/okta"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

// TestRequestsMatchOpenAPI runs everything the preset does against a fake
// whose every exchange is validated against Okta's Management API
// description: Connect, both imports (full and incremental, Link paging,
// member lists per group and the opt-in group list per user) and every
// operation, including the answers that are errors. It skips unless
// RESTCONN_OKTA_OPENAPI names okta-management-minimal.yaml.gz.
func TestRequestsMatchOpenAPI(t *testing.T) {
	v := openapitest.FromEnv(t, "RESTCONN_OKTA_OPENAPI")
	var mu sync.Mutex
	var seen []string    // "METHOD /path/with/{ids}" of every exchange
	var filters []string // the filter of every GET /api/v1/users that has one
	stamps := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z`)
	ids := regexp.MustCompile(`/00[ug][A-Za-z0-9]+`)
	srv := oktatest.NewServer(oktatest.WithMiddleware(func(h http.Handler) http.Handler {
		return v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen = append(seen, r.Method+" "+ids.ReplaceAllString(r.URL.Path, "/{id}"))
			if f := r.URL.Query().Get("filter"); f != "" && r.URL.Path == "/api/v1/users" {
				// The two filtered lists the preset sends, by their
				// filter's shape (the time varies).
				filters = append(filters, stamps.ReplaceAllString(f, "<time>"))
			}
			mu.Unlock()
			h.ServeHTTP(w, r)
		}), func(err error) { t.Error(err) })
	}))
	defer srv.Close()
	big := srv.AddGroup(oktatest.Group{Name: "Big"})
	srv.AddMembers(big.ID, srv.SeedUsers(450)...)
	ctx := context.Background()
	e := newEngine(t, srv, okta.Config{})
	deactivating := newEngine(t, srv, okta.Config{DeactivateOnDisable: true, PageSize: 100})

	require.NoError(t, e.Connect(ctx))
	_, err := connectortest.Collect(deactivating.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	_, err = connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{Since: time.Now().Add(-time.Hour)}))
	require.NoError(t, err)
	_, err = connectortest.Collect(deactivating.ImportAccess(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	_, err = connectortest.Collect(userGroupsEngine(t, srv).ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)

	ok := func(eng *connector.Engine, req connector.Request) connector.Result {
		t.Helper()
		res, err := eng.Provision(ctx, req)
		require.NoError(t, err, "%s", req.Op)
		return res
	}
	fails := func(eng *connector.Engine, req connector.Request) {
		t.Helper()
		_, err := eng.Provision(ctx, req)
		require.Error(t, err, "%s", req.Op)
	}
	res := ok(e, connector.Request{Op: connector.CreateAccount, Password: "Corr3ct-Horse",
		User: map[string]any{"email": "joiner@example.com", "firstname": "Jo", "lastname": "Iner", "title": "Analyst",
			"department": "Finance", "employeeid": "7", "manager": "Ada", "displayname": "Jo Iner", "phone": "+1 555 0100"}})
	joiner := map[string]any{"id": res.AccountID}
	ok(e, connector.Request{Op: connector.CreateAccount, User: map[string]any{"username": "nopw@example.com", "email": "nopw@example.com", "firstname": "No", "lastname": "Password"}})
	fails(e, connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "joiner@example.com", "firstname": "Jo", "lastname": "Iner"}})
	ok(e, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": res.AccountID, "title": "Lead", "mobilePhone": nil, "city": "Oslo"}})
	fails(e, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "00unobody", "title": "x"}})
	ok(e, connector.Request{Op: connector.ChangePassword, Account: joiner, Password: "An0ther-Passw0rd"})
	fails(e, connector.Request{Op: connector.ChangePassword, Account: joiner, Password: "weak"})
	group := connector.Entitlement{Type: "group", ID: big.ID}
	ok(e, connector.Request{Op: connector.AddAccess, Account: joiner, Entitlement: &group})
	ok(e, connector.Request{Op: connector.RemoveAccess, Account: joiner, Entitlement: &group})
	fails(e, connector.Request{Op: connector.AddAccess, Account: joiner, Entitlement: &connector.Entitlement{Type: "group", ID: "00gnothere"}})
	ok(e, connector.Request{Op: connector.DisableAccount, Account: joiner})            // suspend
	ok(e, connector.Request{Op: connector.DisableAccount, Account: joiner})            // already suspended
	ok(e, connector.Request{Op: connector.EnableAccount, Account: joiner})             // unsuspend
	ok(deactivating, connector.Request{Op: connector.DisableAccount, Account: joiner}) // deactivate
	ok(e, connector.Request{Op: connector.EnableAccount, Account: joiner})             // activate
	ok(e, connector.Request{Op: connector.RemoveAccount, Account: joiner})             // deactivate, delete
	ok(e, connector.Request{Op: connector.RemoveAccount, Account: joiner})             // already gone
	locked, _ := srv.User("katherine.johnson@example.com")
	fails(e, connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": locked.ID}})
	// A 429 (validated too), then the retry after the reset a second away.
	// A fresh engine: e's pacer knows the window's reset, a minute away,
	// and would hold the retry until then.
	srv.RateLimitNext(1, 0)
	require.NoError(t, newEngine(t, srv, okta.Config{}).Connect(ctx))
	reqs := srv.Requests()
	assert.Equal(t, []string{"/api/v1/users/me", "/api/v1/users/me"}, []string{reqs[len(reqs)-2].Path, reqs[len(reqs)-1].Path}, "the refused call and its retry")

	mu.Lock()
	defer mu.Unlock()
	t.Logf("%d exchanges validated", len(seen))
	for _, want := range []string{
		"GET /api/v1/users/me", "GET /api/v1/users", "GET /api/v1/groups", "GET /api/v1/groups/{id}/users",
		"GET /api/v1/users/{id}/groups", "POST /api/v1/users", "POST /api/v1/users/{id}", "GET /api/v1/users/{id}",
		"POST /api/v1/users/{id}/lifecycle/suspend", "POST /api/v1/users/{id}/lifecycle/unsuspend",
		"POST /api/v1/users/{id}/lifecycle/activate", "POST /api/v1/users/{id}/lifecycle/deactivate",
		"DELETE /api/v1/users/{id}", "PUT /api/v1/groups/{id}/users/{id}", "DELETE /api/v1/groups/{id}/users/{id}",
	} {
		assert.True(t, slices.Contains(seen, want), "no %s was validated", want)
	}
	assert.Greater(t, len(seen), 60)
	// The deprovisioned users' list and the incremental list were sent,
	// with the filters Okta documents, and validated like the rest.
	for _, want := range []string{`status eq "DEPROVISIONED"`, `lastUpdated gt "<time>"`} {
		assert.True(t, slices.Contains(filters, want), "no GET /api/v1/users?filter=%s was validated (filters seen: %q)", want, filters)
	}
}
