package intercomtest

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/restconn/restconn/internal/openapitest"
)

// TestConformsToOpenAPI sends the fake a request for every endpoint it serves,
// with the documented error cases, and validates each request and response
// against Intercom's OpenAPI description. It skips unless
// RESTCONN_INTERCOM_OPENAPI names the 2.11 description
// (descriptions/2.11/api.intercom.io.yaml of intercom/Intercom-OpenAPI).
func TestConformsToOpenAPI(t *testing.T) {
	v := openapitest.FromEnv(t, "RESTCONN_INTERCOM_OPENAPI")
	t.Logf("patches applied to the description:\n%s", strings.Join(v.Patches(), "\n"))
	s := NewServer()
	defer s.Close()

	const (
		wrongToken = "Bearer not-the-token"
		away       = `{"away_mode_enabled":true,"away_mode_reassign":false}`
		ticket     = "1001" // the id of the first ticket the fake creates
	)
	steps := []struct {
		op                 string // the operation, for the coverage check
		method, path, body string
		header             []string // name, value pairs; Authorization defaults to the token
		status             int
		badRequest         string // the request is meant to violate the description here
	}{
		{op: "GET /me", method: "GET", path: "/me", status: 200},
		{op: "GET /me", method: "GET", path: "/me", header: []string{"Intercom-Version", "2.11"}, status: 200},
		{op: "GET /me", method: "GET", path: "/me", header: []string{"Authorization", wrongToken}, status: 401},
		{op: "GET /me", method: "GET", path: "/me", header: []string{"Intercom-Version", "3.0"}, status: 400, badRequest: "Intercom-Version"},

		{op: "GET /admins", method: "GET", path: "/admins", status: 200},
		{op: "GET /admins", method: "GET", path: "/admins?display_avatar=true", status: 200},
		{op: "GET /admins", method: "GET", path: "/admins?display_avatar=false", status: 200},
		{op: "GET /admins", method: "GET", path: "/admins", header: []string{"Authorization", wrongToken}, status: 401},

		{op: "GET /admins/{id}", method: "GET", path: "/admins/991267390", status: 200},
		{op: "GET /admins/{id}", method: "GET", path: "/admins/991267392", status: 200}, // no job title
		{op: "GET /admins/{id}", method: "GET", path: "/admins/42", status: 404},
		{op: "GET /admins/{id}", method: "GET", path: "/admins/991267390", header: []string{"Authorization", wrongToken}, status: 401},

		{op: "PUT /admins/{id}/away", method: "PUT", path: "/admins/991267391/away", body: away, status: 200},
		{op: "PUT /admins/{id}/away", method: "PUT", path: "/admins/42/away", body: away, status: 404},
		{op: "PUT /admins/{id}/away", method: "PUT", path: "/admins/991267391/away", body: away, header: []string{"Authorization", wrongToken}, status: 401},
		{op: "PUT /admins/{id}/away", method: "PUT", path: "/admins/991267391/away", body: `{"away_mode_enabled":true}`, status: 400, badRequest: "away_mode_reassign"},

		{op: "GET /teams", method: "GET", path: "/teams", status: 200},
		{op: "GET /teams", method: "GET", path: "/teams", header: []string{"Authorization", wrongToken}, status: 401},

		{op: "GET /teams/{id}", method: "GET", path: "/teams/814865", status: 200},
		{op: "GET /teams/{id}", method: "GET", path: "/teams/814867", status: 200}, // no members
		{op: "GET /teams/{id}", method: "GET", path: "/teams/1", status: 404},
		{op: "GET /teams/{id}", method: "GET", path: "/teams/814865", header: []string{"Authorization", wrongToken}, status: 401},

		{op: "GET /ticket_types", method: "GET", path: "/ticket_types", status: 200},
		{op: "GET /ticket_types", method: "GET", path: "/ticket_types", header: []string{"Authorization", wrongToken}, status: 401},

		{op: "GET /ticket_types/{id}", method: "GET", path: "/ticket_types/1", status: 200},
		{op: "GET /ticket_types/{id}", method: "GET", path: "/ticket_types/1", header: []string{"Authorization", wrongToken}, status: 401},
		{op: "GET /ticket_types/{id}", method: "GET", path: "/ticket_types/99", status: 404},

		{op: "POST /tickets", method: "POST", path: "/tickets", status: 200,
			body: `{"ticket_type_id":"1","contacts":[{"email":"ada@example.com"}],"ticket_attributes":{"_default_title_":"Access to Grafana"}}`},
		{op: "POST /tickets", method: "POST", path: "/tickets", status: 200,
			body: `{"ticket_type_id":"1","contacts":[{"external_id":"cust-1001"}],"created_at":1719400000,"company_id":"acme",
				"ticket_attributes":{"_default_title_":"t","_default_description_":"d","count":3,"ok":true,"list":["a"],"none":null}}`},
		{op: "POST /tickets", method: "POST", path: "/tickets", status: 200,
			body: `{"ticket_type_id":1,"contacts":[{"email":"new@example.com"}]}`, badRequest: "ticket_type_id"},
		{op: "POST /tickets", method: "POST", path: "/tickets", body: `{"ticket_type_id":"1","contacts":[{"email":"a@example.com"}]}`,
			header: []string{"Authorization", wrongToken}, status: 401},

		{op: "GET /tickets/{id}", method: "GET", path: "/tickets/" + ticket, status: 200},
		{op: "GET /tickets/{id}", method: "GET", path: "/tickets/" + ticket, header: []string{"Authorization", wrongToken}, status: 401},
		{op: "GET /tickets/{id}", method: "GET", path: "/tickets/1", status: 404},

		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 200,
			body: `{"state":"in_progress","assignment":{"admin_id":"991267390","assignee_id":"991267391"},"snoozed_until":1719590400,"ticket_attributes":{"_default_description_":"more"}}`},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 200,
			body: `{"assignment":{"admin_id":"991267390","assignee_id":"814866"},"is_shared":true}`},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 200,
			body: `{"assignment":{"admin_id":"991267390","assignee_id":"0"}}`},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 200, body: `{"state":"resolved"}`},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 200, body: `{"open":true}`},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 404,
			body: `{"assignment":{"admin_id":"991267390","assignee_id":"456"}}`},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, body: `{"open":false}`,
			header: []string{"Authorization", wrongToken}, status: 401},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 400, body: `{"state":"submitted"}`, badRequest: "state"},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 200, body: `{"state":"in_progress"}`},
		{op: "PUT /tickets/{id}", method: "PUT", path: "/tickets/" + ticket, status: 200, body: `{"open":false}`}, // closed, not resolved

		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/" + ticket + "/reply", status: 200,
			body: `{"message_type":"note","type":"admin","admin_id":"991267390","body":"Approved by the app owner."}`},
		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/" + ticket + "/reply", status: 200,
			body: `{"message_type":"comment","type":"admin","admin_id":"991267391","body":"<p>Done?</p>","created_at":1719590500}`},
		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/" + ticket + "/reply", status: 200,
			body: `{"message_type":"note","type":"admin","admin_id":991267390,"body":"as in the description's example"}`, badRequest: "admin_id"},
		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/" + ticket + "/reply", status: 400,
			body: `{"message_type":"note","type":"admin","body":"no admin"}`, badRequest: "admin_id"},
		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/" + ticket + "/reply", status: 400,
			body: `{"message_type":"comment","type":"user","intercom_user_id":"6650a1b2c3d4e5f607182930","body":"Thanks"}`},
		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/" + ticket + "/reply", status: 404,
			body: `{"message_type":"note","type":"admin","admin_id":"42","body":"unknown admin"}`},
		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/1/reply", status: 404,
			body: `{"message_type":"note","type":"admin","admin_id":"991267390","body":"unknown ticket"}`},
		{op: "POST /tickets/{id}/reply", method: "POST", path: "/tickets/" + ticket + "/reply", status: 401,
			body: `{"message_type":"note","type":"admin","admin_id":"991267390","body":"x"}`, header: []string{"Authorization", wrongToken}},

		{op: "POST /tickets/search", method: "POST", path: "/tickets/search", status: 200,
			body: `{"query":{"operator":"AND","value":[{"field":"created_at","operator":">","value":"1306054154"}]},"pagination":{"per_page":1}}`},
		{op: "POST /tickets/search", method: "POST", path: "/tickets/search", status: 200,
			body: `{"query":{"field":"state","operator":"=","value":"submitted"}}`},
		{op: "POST /tickets/search", method: "POST", path: "/tickets/search", status: 200,
			body: `{"query":{"operator":"OR","value":[{"field":"id","operator":"=","value":"nope"},{"operator":"AND","value":[{"field":"open","operator":"=","value":true}]}]}}`},
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
		if st.status == 200 && res == 200 {
			ok[st.op] = true
		}
	}

	// A 429 is undocumented, so only its body shape is up to the fake.
	s.RateLimitNext(1, time.Minute)
	if res, reqErr, resErr := exchange(t, v, s, "GET", "/admins", ""); res != 429 || reqErr != nil || resErr != nil {
		t.Errorf("GET /admins rate-limited: %d, %v, %v", res, reqErr, resErr)
	}

	for _, op := range []string{
		"GET /me", "GET /admins", "GET /admins/{id}", "PUT /admins/{id}/away", "GET /teams", "GET /teams/{id}",
		"GET /ticket_types", "GET /ticket_types/{id}", "POST /tickets", "GET /tickets/{id}", "PUT /tickets/{id}", "POST /tickets/search",
		"POST /tickets/{id}/reply",
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
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	resBody, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	reqErr = v.ValidateRequest(req, []byte(body))
	resErr = v.ValidateResponse(req, []byte(body), res.StatusCode, res.Header, resBody)
	return res.StatusCode, reqErr, resErr
}
