package oktatest

import (
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/restconn/restconn/internal/openapitest"
)

const oktaEnv = "RESTCONN_OKTA_OPENAPI"

// TestConformsToOpenAPI sends the fake a request for every operation it
// serves, with the documented error cases, and validates each request and
// response against Okta's Management API description. It skips unless
// RESTCONN_OKTA_OPENAPI names okta-management-minimal.yaml.gz.
func TestConformsToOpenAPI(t *testing.T) {
	v := openapitest.FromEnv(t, oktaEnv)
	t.Logf("patches applied to the description:\n%s", strings.Join(v.Patches(), "\n"))
	s := NewServer()
	defer s.Close()

	id := func(login string) string { return byLogin(t, s, login+"@example.com").ID }
	var (
		isaac, grace, alan, ken = id("isaac.brock"), id("grace.hopper"), id("alan.turing"), id("ken.thompson")
		barbara, dennis         = id("barbara.liskov"), id("dennis.ritchie")
		katherine, claude       = id("katherine.johnson"), id("claude.shannon")
		frances, margaret, ada  = id("frances.allen"), id("margaret.hamilton"), id("ada.lovelace")
		engineering             = groupByName(t, s, "Engineering").ID
		finance                 = groupByName(t, s, "Finance").ID
		adGroup                 = groupByName(t, s, "Engineering users (AD)").ID
		everyone                = groupByName(t, s, "Everyone").ID
	)
	const (
		wrongToken = "SSWS not-the-token"
		newUser    = `{"profile":{"login":"new.hire@example.com","email":"new.hire@example.com","firstName":"New","lastName":"Hire","department":"Sales"},"credentials":{"password":{"value":"Str0ngPassw0rd"}}}`
	)
	roles := get(t, s, "/api/v1/users/"+grace+"/roles").ids()

	steps := []struct {
		op                 string // the operation, for the coverage check
		method, path, body string
		header             []string // name, value pairs; Authorization defaults to the token
		status             int
		badRequest         string // the request is meant to violate the description here
	}{
		{op: "GET /users/{id}", method: "GET", path: "/api/v1/users/me", status: 200},
		{op: "GET /users/{id}", method: "GET", path: "/api/v1/users/" + isaac, status: 200},
		{op: "GET /users/{id}", method: "GET", path: "/api/v1/users/ken.thompson@example.com", status: 200},
		{op: "GET /users/{id}", method: "GET", path: "/api/v1/users/00unobody", status: 404},
		{op: "GET /users/{id}", method: "GET", path: "/api/v1/users/me", header: []string{"Authorization", wrongToken}, status: 401},

		{op: "GET /users", method: "GET", path: "/api/v1/users", status: 200},
		{op: "GET /users", method: "GET", path: "/api/v1/users?limit=2", status: 200},
		{op: "GET /users", method: "GET", path: "/api/v1/users?limit=2&after=" + grace, status: 200},
		{op: "GET /users", method: "GET", path: `/api/v1/users?filter=status+eq+%22DEPROVISIONED%22`, status: 200},
		{op: "GET /users", method: "GET", path: `/api/v1/users?filter=lastUpdated+gt+%222020-01-01T00:00:00.000Z%22+and+(status+eq+%22LOCKED_OUT%22+or+status+eq+%22RECOVERY%22)`, status: 200},
		{op: "GET /users", method: "GET", path: `/api/v1/users?search=profile.department+eq+%22Engineering%22`, status: 200},
		{op: "GET /users", method: "GET", path: "/api/v1/users?q=gra", status: 200},
		{op: "GET /users", method: "GET", path: `/api/v1/users?filter=profile.title+eq+%22Engineer%22`, status: 400},
		{op: "GET /users", method: "GET", path: `/api/v1/users?filter=lastUpdated+gt+%222020-01-01%22`, status: 400},
		{op: "GET /users", method: "GET", path: `/api/v1/users?filter=status+eq+%22ACTIVE%22&search=status+eq+%22ACTIVE%22`, status: 400},
		{op: "GET /users", method: "GET", path: "/api/v1/users?limit=many", status: 400, badRequest: "limit"},
		{op: "GET /users", method: "GET", path: "/api/v1/users", header: []string{"Authorization", wrongToken}, status: 401},

		{op: "POST /users", method: "POST", path: "/api/v1/users?activate=false", body: newUser, status: 200},
		{op: "POST /users", method: "POST", path: "/api/v1/users?activate=true", status: 200,
			body: `{"profile":{"login":"no.password@example.com","email":"no.password@example.com","firstName":"No","lastName":"Password","mobilePhone":null,"costCenter":"42"},"groupIds":["` + engineering + `"]}`},
		{op: "POST /users", method: "POST", path: "/api/v1/users?activate=true&nextLogin=changePassword", status: 200,
			body: `{"profile":{"login":"expired@example.com","email":"expired@example.com","firstName":"Ex","lastName":"Pired"},"credentials":{"password":{"value":"Temp0rary!"}}}`},
		{op: "POST /users", method: "POST", path: "/api/v1/users", body: strings.ReplaceAll(newUser, "new.hire@", "NEW.HIRE@"), status: 400},
		{op: "POST /users", method: "POST", path: "/api/v1/users", body: `{"profile":{"login":"half@example.com"}}`, status: 400},
		{op: "POST /users", method: "POST", path: "/api/v1/users", status: 400,
			body: `{"profile":{"login":"weak@example.com","email":"weak@example.com","firstName":"W","lastName":"Eak"},"credentials":{"password":{"value":"weak"}}}`},
		{op: "POST /users", method: "POST", path: "/api/v1/users", body: `{"credentials":{}}`, status: 400, badRequest: "profile"},
		{op: "POST /users", method: "POST", path: "/api/v1/users", body: newUser, header: []string{"Authorization", wrongToken}, status: 401},

		{op: "POST /users/{id}", method: "POST", path: "/api/v1/users/" + isaac, body: `{"profile":{"title":"VP Engineering","mobilePhone":null}}`, status: 200},
		{op: "POST /users/{id}", method: "POST", path: "/api/v1/users/" + margaret, body: `{"credentials":{"password":{"value":"N3wPassword"}}}`, status: 200},
		{op: "POST /users/{id}", method: "POST", path: "/api/v1/users/" + ken, body: `{"profile":{"title":"Retired"}}`, status: 403},
		{op: "POST /users/{id}", method: "POST", path: "/api/v1/users/" + isaac, body: `{"profile":{"login":"GRACE.hopper@example.com"}}`, status: 400},
		{op: "POST /users/{id}", method: "POST", path: "/api/v1/users/00unobody", body: `{"profile":{"title":"x"}}`, status: 404},

		{op: "PUT /users/{id}", method: "PUT", path: "/api/v1/users/" + ada, status: 200,
			body: `{"profile":{"login":"ada.lovelace@example.com","email":"ada.lovelace@example.com","firstName":"Ada","lastName":"King","title":"Countess"}}`},
		{op: "PUT /users/{id}", method: "PUT", path: "/api/v1/users/" + ada, body: `{"profile":{"login":"ada.lovelace@example.com"}}`, status: 400},
		{op: "PUT /users/{id}", method: "PUT", path: "/api/v1/users/00unobody", status: 404,
			body: `{"profile":{"login":"x@example.com","email":"x@example.com","firstName":"X","lastName":"Y"}}`},

		{op: "GET /users/{id}/groups", method: "GET", path: "/api/v1/users/" + isaac + "/groups", status: 200},
		{op: "GET /users/{id}/groups", method: "GET", path: "/api/v1/users/00unobody/groups", status: 404},

		{op: "POST /users/{id}/lifecycle/activate", method: "POST", path: "/api/v1/users/" + barbara + "/lifecycle/activate?sendEmail=false", status: 200},
		{op: "POST /users/{id}/lifecycle/activate", method: "POST", path: "/api/v1/users/" + isaac + "/lifecycle/activate", status: 403},
		{op: "POST /users/{id}/lifecycle/activate", method: "POST", path: "/api/v1/users/00unobody/lifecycle/activate", status: 404},
		{op: "POST /users/{id}/lifecycle/reactivate", method: "POST", path: "/api/v1/users/" + dennis + "/lifecycle/reactivate?sendEmail=false", status: 200},
		{op: "POST /users/{id}/lifecycle/reactivate", method: "POST", path: "/api/v1/users/" + isaac + "/lifecycle/reactivate", status: 403},
		{op: "POST /users/{id}/lifecycle/suspend", method: "POST", path: "/api/v1/users/" + grace + "/lifecycle/suspend", status: 200},
		{op: "POST /users/{id}/lifecycle/suspend", method: "POST", path: "/api/v1/users/" + grace + "/lifecycle/suspend", status: 400},
		{op: "POST /users/{id}/lifecycle/unsuspend", method: "POST", path: "/api/v1/users/" + grace + "/lifecycle/unsuspend", status: 200},
		{op: "POST /users/{id}/lifecycle/unsuspend", method: "POST", path: "/api/v1/users/" + grace + "/lifecycle/unsuspend", status: 400},
		{op: "POST /users/{id}/lifecycle/unlock", method: "POST", path: "/api/v1/users/" + katherine + "/lifecycle/unlock", status: 200},
		{op: "POST /users/{id}/lifecycle/unlock", method: "POST", path: "/api/v1/users/" + alan + "/lifecycle/unlock", status: 403},
		{op: "POST /users/{id}/lifecycle/expire_password", method: "POST", path: "/api/v1/users/" + katherine + "/lifecycle/expire_password", status: 200},
		{op: "POST /users/{id}/lifecycle/expire_password", method: "POST", path: "/api/v1/users/" + alan + "/lifecycle/expire_password", status: 403},
		{op: "POST /users/{id}/lifecycle/reset_password", method: "POST", path: "/api/v1/users/" + claude + "/lifecycle/reset_password?sendEmail=false", status: 200},
		{op: "POST /users/{id}/lifecycle/reset_password", method: "POST", path: "/api/v1/users/" + frances + "/lifecycle/reset_password?sendEmail=true", status: 200},
		{op: "POST /users/{id}/lifecycle/reset_password", method: "POST", path: "/api/v1/users/" + alan + "/lifecycle/reset_password?sendEmail=true", status: 403},
		{op: "POST /users/{id}/lifecycle/reset_password", method: "POST", path: "/api/v1/users/" + claude + "/lifecycle/reset_password", status: 200, badRequest: "sendEmail"},
		{op: "POST /users/{id}/lifecycle/deactivate", method: "POST", path: "/api/v1/users/" + alan + "/lifecycle/deactivate", status: 200},
		{op: "POST /users/{id}/lifecycle/deactivate", method: "POST", path: "/api/v1/users/" + alan + "/lifecycle/deactivate", status: 403},

		{op: "GET /users/{userId}/roles", method: "GET", path: "/api/v1/users/" + grace + "/roles", status: 200},
		{op: "GET /users/{userId}/roles", method: "GET", path: "/api/v1/users/00unobody/roles", status: 404},
		{op: "POST /users/{userId}/roles", method: "POST", path: "/api/v1/users/" + margaret + "/roles", body: `{"type":"HELP_DESK_ADMIN"}`, status: 201},
		{op: "POST /users/{userId}/roles", method: "POST", path: "/api/v1/users/" + margaret + "/roles", body: `{"type":"HELP_DESK_ADMIN"}`, status: 409},
		{op: "POST /users/{userId}/roles", method: "POST", path: "/api/v1/users/" + margaret + "/roles", body: `{"type":"JANITOR"}`, status: 400, badRequest: "type"},
		{op: "GET /users/{userId}/roles/{roleAssignmentId}", method: "GET", path: "/api/v1/users/" + grace + "/roles/" + roles[0], status: 200},
		{op: "GET /users/{userId}/roles/{roleAssignmentId}", method: "GET", path: "/api/v1/users/" + grace + "/roles/ra1nothing", status: 404},
		{op: "DELETE /users/{userId}/roles/{roleAssignmentId}", method: "DELETE", path: "/api/v1/users/" + grace + "/roles/" + roles[0], status: 204},
		{op: "DELETE /users/{userId}/roles/{roleAssignmentId}", method: "DELETE", path: "/api/v1/users/" + grace + "/roles/" + roles[0], status: 404},

		{op: "GET /groups", method: "GET", path: "/api/v1/groups", status: 200},
		{op: "GET /groups", method: "GET", path: "/api/v1/groups?limit=2&expand=stats", status: 200},
		{op: "GET /groups", method: "GET", path: `/api/v1/groups?filter=type+eq+%22OKTA_GROUP%22`, status: 200},
		{op: "GET /groups", method: "GET", path: `/api/v1/groups?search=profile.name+sw+%22eng%22`, status: 200},
		{op: "GET /groups", method: "GET", path: "/api/v1/groups?q=Fin", status: 200},
		{op: "GET /groups", method: "GET", path: `/api/v1/groups?filter=profile.name+eq+%22Finance%22`, status: 400},

		{op: "GET /groups/{groupId}", method: "GET", path: "/api/v1/groups/" + engineering, status: 200},
		{op: "GET /groups/{groupId}", method: "GET", path: "/api/v1/groups/" + adGroup + "?expand=stats", status: 200},
		{op: "GET /groups/{groupId}", method: "GET", path: "/api/v1/groups/00gnothing", status: 404},

		{op: "GET /groups/{groupId}/users", method: "GET", path: "/api/v1/groups/" + engineering + "/users", status: 200},
		{op: "GET /groups/{groupId}/users", method: "GET", path: "/api/v1/groups/" + everyone + "/users?limit=3", status: 200},
		{op: "GET /groups/{groupId}/users", method: "GET", path: "/api/v1/groups/00gnothing/users", status: 404},

		{op: "PUT /groups/{groupId}/users/{userId}", method: "PUT", path: "/api/v1/groups/" + finance + "/users/" + isaac, status: 204},
		{op: "PUT /groups/{groupId}/users/{userId}", method: "PUT", path: "/api/v1/groups/" + adGroup + "/users/" + ada, status: 403},
		{op: "PUT /groups/{groupId}/users/{userId}", method: "PUT", path: "/api/v1/groups/" + finance + "/users/00unobody", status: 404},
		{op: "DELETE /groups/{groupId}/users/{userId}", method: "DELETE", path: "/api/v1/groups/" + finance + "/users/" + isaac, status: 204},
		{op: "DELETE /groups/{groupId}/users/{userId}", method: "DELETE", path: "/api/v1/groups/" + everyone + "/users/" + isaac, status: 403},
		{op: "DELETE /groups/{groupId}/users/{userId}", method: "DELETE", path: "/api/v1/groups/00gnothing/users/" + isaac, status: 404},

		{op: "DELETE /users/{id}", method: "DELETE", path: "/api/v1/users/" + frances, status: 204},
		{op: "DELETE /users/{id}", method: "DELETE", path: "/api/v1/users/" + frances + "?sendEmail=false", status: 204},
		{op: "DELETE /users/{id}", method: "DELETE", path: "/api/v1/users/" + frances, status: 404},
	}

	ok := map[string]bool{}
	for _, st := range steps {
		res, reqErr, resErr := exchange(t, v, s, st.method, st.path, st.body, st.header...)
		name := st.method + " " + st.path
		if res != st.status {
			t.Errorf("%s: status %d, want %d", name, res, st.status)
		}
		if resErr != nil {
			t.Errorf("%s: %v", name, resErr)
		}
		switch {
		case st.badRequest == "" && reqErr != nil:
			t.Errorf("%s: the test's request is invalid: %v", name, reqErr)
		case st.badRequest != "" && (reqErr == nil || !strings.Contains(reqErr.Error(), st.badRequest)):
			t.Errorf("%s: want a request violation about %s, got %v", name, st.badRequest, reqErr)
		}
		if res < 300 && res == st.status {
			ok[st.op] = true
		}
	}

	// 429 is documented for every operation, with Okta's Error schema.
	s.RateLimitNext(1, time.Minute)
	if res, reqErr, resErr := exchange(t, v, s, "GET", "/api/v1/groups", ""); res != 429 || reqErr != nil || resErr != nil {
		t.Errorf("GET /api/v1/groups rate-limited: %d, %v, %v", res, reqErr, resErr)
	}
	s.FailNext(1, http.StatusServiceUnavailable)
	if res, reqErr, resErr := exchange(t, v, s, "GET", "/api/v1/users/me", ""); res != 503 || reqErr != nil || resErr != nil {
		t.Errorf("GET /api/v1/users/me failing: %d, %v, %v", res, reqErr, resErr)
	}

	for _, op := range []string{
		"GET /users", "POST /users", "GET /users/{id}", "POST /users/{id}", "PUT /users/{id}", "DELETE /users/{id}",
		"GET /users/{id}/groups",
		"POST /users/{id}/lifecycle/activate", "POST /users/{id}/lifecycle/reactivate", "POST /users/{id}/lifecycle/deactivate",
		"POST /users/{id}/lifecycle/suspend", "POST /users/{id}/lifecycle/unsuspend", "POST /users/{id}/lifecycle/unlock",
		"POST /users/{id}/lifecycle/expire_password", "POST /users/{id}/lifecycle/reset_password",
		"GET /users/{userId}/roles", "POST /users/{userId}/roles",
		"GET /users/{userId}/roles/{roleAssignmentId}", "DELETE /users/{userId}/roles/{roleAssignmentId}",
		"GET /groups", "GET /groups/{groupId}", "GET /groups/{groupId}/users",
		"PUT /groups/{groupId}/users/{userId}", "DELETE /groups/{groupId}/users/{userId}",
	} {
		if !ok[op] {
			t.Errorf("no successful exchange checked for %s", op)
		}
	}
}

// exchange sends one request to the fake and validates the request and the
// response against the description, the way a client-side recorder would.
func exchange(t *testing.T, v *openapitest.Validator, s *Server, method, path, body string, header ...string) (status int, reqErr, resErr error) {
	t.Helper()
	req := newRequest(t, s, method, path, body, header...)
	res, resBody := send(t, s, req)
	reqErr = v.ValidateRequest(req, []byte(body))
	resErr = v.ValidateResponse(req, []byte(body), res.StatusCode, res.Header, resBody)
	return res.StatusCode, reqErr, resErr
}

// TestWithMiddlewareValidates wires the validator into the server, as a
// preset's tests do, and checks that it reports a bad request and stays
// silent for good traffic, including a page reached through a next link.
func TestWithMiddlewareValidates(t *testing.T) {
	v := openapitest.FromEnv(t, oktaEnv)
	var mu sync.Mutex
	var reports []error
	s := NewServer(WithMiddleware(func(h http.Handler) http.Handler {
		return v.Middleware(h, func(err error) {
			mu.Lock()
			defer mu.Unlock()
			reports = append(reports, err)
		})
	}))
	defer s.Close()

	if ids, pages := walk(t, s, "/api/v1/users?limit=3"); len(ids) < 4 || pages < 2 {
		t.Fatalf("walked %d users in %d pages", len(ids), pages)
	}
	wantStatus(t, get(t, s, "/api/v1/groups/"+groupByName(t, s, "Sales").ID+"/users"), 200)
	mu.Lock()
	if len(reports) != 0 {
		t.Errorf("violations reported for valid traffic: %v", reports)
	}
	reports = nil
	mu.Unlock()

	wantStatus(t, get(t, s, "/api/v1/users", "limit", "lots"), 400)
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 1 || !strings.Contains(reports[0].Error(), "limit") {
		t.Errorf("reports for limit=lots: %v", reports)
	}
}

// TestOpenAPITestsSkipWithoutDescription checks that the tests above skip,
// rather than fail, where the description is not available.
func TestOpenAPITestsSkipWithoutDescription(t *testing.T) {
	if os.Getenv(oktaEnv) != "" {
		t.Setenv(oktaEnv, "")
	}
	for name, test := range map[string]func(*testing.T){
		"conformance": TestConformsToOpenAPI,
		"middleware":  TestWithMiddlewareValidates,
	} {
		ran := make(chan bool, 1)
		t.Run(name, func(t *testing.T) {
			defer func() { ran <- t.Skipped() }()
			test(t)
		})
		if !<-ran {
			t.Errorf("%s did not skip with %s unset", name, oktaEnv)
		}
	}
}
