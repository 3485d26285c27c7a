package openapitest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// petsSpec is a small description with the features the validator must
// handle: servers on a foreign host, bearer security, a path parameter, a
// request body and a response with required fields.
const petsSpec = `openapi: 3.0.1
info: {title: Pets, version: "1"}
servers:
  - url: https://api.example.com
security:
  - bearerAuth: []
paths:
  /pets/{pet_id}:
    put:
      parameters:
        - {name: pet_id, in: path, required: true, schema: {type: string}}
        - name: Api-Version
          in: header
          schema: {type: string, enum: ["1", "2"]}
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [name, hungry]
              properties:
                name: {type: string}
                hungry: {type: boolean}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/pet"}
        "404":
          description: not found
          content:
            application/json:
              schema:
                type: object
                required: [error]
                properties: {error: {type: string}}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
  schemas:
    pet:
      type: object
      required: [id, name, hungry]
      properties:
        id: {type: string}
        name: {type: string}
        hungry: {type: boolean}
        extra: {$ref: "#/components/schemas/custom_attributes"}
`

func writeSpec(t *testing.T, name, spec string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(spec), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func loadPets(t *testing.T) *Validator {
	t.Helper()
	v, err := Load(writeSpec(t, "pets.yaml", petsSpec))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return v
}

func newRequest(method, url, body string, header ...string) *http.Request {
	r := httptest.NewRequest(method, url, strings.NewReader(body))
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	return r
}

// checkErr fails unless err is nil when want is empty, or err mentions every
// string in want.
func checkErr(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("no error, want one mentioning %q", want)
	}
	t.Logf("error: %v", err)
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
	var e *Error
	if !errors.As(err, &e) {
		t.Errorf("error %T is not an *Error", err)
	}
}

func TestValidateRequest(t *testing.T) {
	v := loadPets(t)
	const json = "application/json"
	tests := []struct {
		name string
		req  *http.Request
		body string
		want []string // substrings of the error; none means valid
	}{
		{
			name: "valid, on a host the description does not list",
			req:  newRequest("PUT", "http://127.0.0.1:4711/pets/7", "", "Authorization", "Bearer t", "Content-Type", json),
			body: `{"name":"Rex","hungry":true}`,
		},
		{
			name: "bearer scheme is case-insensitive",
			req:  newRequest("PUT", "/pets/7", "", "Authorization", "bearer t", "Content-Type", json),
			body: `{"name":"Rex","hungry":true}`,
		},
		{
			name: "wrong body type",
			req:  newRequest("PUT", "/pets/7", "", "Authorization", "Bearer t", "Content-Type", json),
			body: `{"name":"Rex","hungry":"yes"}`,
			want: []string{"PUT /pets/7: request", `"/hungry"`, "boolean"},
		},
		{
			name: "missing required property",
			req:  newRequest("PUT", "/pets/7", "", "Authorization", "Bearer t", "Content-Type", json),
			body: `{"name":"Rex"}`,
			want: []string{"PUT /pets/7", `"hungry"`},
		},
		{
			name: "no credentials",
			req:  newRequest("PUT", "/pets/7", "", "Content-Type", json),
			body: `{"name":"Rex","hungry":true}`,
			want: []string{"PUT /pets/7", "Authorization: Bearer"},
		},
		{
			name: "empty bearer token",
			req:  newRequest("PUT", "/pets/7", "", "Authorization", "Bearer ", "Content-Type", json),
			body: `{"name":"Rex","hungry":true}`,
			want: []string{"Authorization: Bearer"},
		},
		{
			name: "header parameter outside its enum",
			req:  newRequest("PUT", "/pets/7", "", "Authorization", "Bearer t", "Content-Type", json, "Api-Version", "3"),
			body: `{"name":"Rex","hungry":true}`,
			want: []string{"PUT /pets/7", "Api-Version"},
		},
		{
			name: "unknown path",
			req:  newRequest("GET", "/cats", "", "Authorization", "Bearer t"),
			want: []string{"GET /cats", "no path"},
		},
		{
			name: "undocumented method",
			req:  newRequest("DELETE", "/pets/7", "", "Authorization", "Bearer t"),
			want: []string{"DELETE /pets/7", "no DELETE operation"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, v.ValidateRequest(tt.req, []byte(tt.body)), tt.want)
		})
	}
}

func TestValidateResponse(t *testing.T) {
	v := loadPets(t)
	jsonHeader := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
	tests := []struct {
		name   string
		status int
		header http.Header
		body   string
		want   []string
	}{
		{name: "valid", status: 200, header: jsonHeader, body: `{"id":"7","name":"Rex","hungry":true,"extra":{"a":1}}`},
		{name: "missing required field", status: 200, header: jsonHeader, body: `{"id":"7","name":"Rex"}`,
			want: []string{"PUT /pets/7: response 200", `"hungry"`}},
		{name: "wrong type", status: 200, header: jsonHeader, body: `{"id":7,"name":"Rex","hungry":true}`,
			want: []string{"response 200", `"/id"`, "string"}},
		{name: "documented error", status: 404, header: jsonHeader, body: `{"error":"no such pet"}`},
		{name: "documented error, wrong shape", status: 404, header: jsonHeader, body: `{}`,
			want: []string{"response 404", `"error"`}},
		{name: "undocumented status is accepted", status: 429, header: jsonHeader, body: `whatever`},
		{name: "wrong content type", status: 200, header: http.Header{"Content-Type": {"text/plain"}}, body: `{}`,
			want: []string{"response 200", "text/plain"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest("PUT", "/pets/7", "", "Authorization", "Bearer t", "Content-Type", "application/json")
			err := v.ValidateResponse(r, []byte(`{"name":"Rex","hungry":true}`), tt.status, tt.header, []byte(tt.body))
			checkErr(t, err, tt.want)
		})
	}
}

func TestMiddleware(t *testing.T) {
	v := loadPets(t)
	fake := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Seen", string(body))
		w.WriteHeader(http.StatusOK)
		// Omits the required "hungry": a response violation.
		_, _ = io.WriteString(w, `{"id":"7","name":"Rex"}`)
	})
	var mu sync.Mutex
	var reports []error
	srv := httptest.NewServer(v.Middleware(fake, func(err error) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, err)
	}))
	defer srv.Close()

	req, _ := http.NewRequest("PUT", srv.URL+"/pets/7", strings.NewReader(`{"name":"Rex","hungry":"no"}`))
	req.Header.Set("Authorization", "Bearer t")
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()

	// The response reaches the client unchanged, and the handler saw the body.
	if res.StatusCode != 200 || string(body) != `{"id":"7","name":"Rex"}` || res.Header.Get("X-Seen") != `{"name":"Rex","hungry":"no"}` {
		t.Errorf("passed through %d %q X-Seen=%q", res.StatusCode, body, res.Header.Get("X-Seen"))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != 2 {
		t.Fatalf("got %d reports, want a request and a response violation: %v", len(reports), reports)
	}
	checkErr(t, reports[0], []string{"PUT /pets/7: request", `"/hungry"`})
	checkErr(t, reports[1], []string{"PUT /pets/7: response 200", `"hungry"`})
}

func TestLoadAddsCustomAttributes(t *testing.T) {
	const ref = `{$ref: "#/components/schemas/custom_attributes"}`
	tests := []struct {
		name, spec string
		patched    bool
	}{
		{
			name:    "schemas block",
			spec:    "openapi: 3.0.1\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    a:\n      type: object\n      properties:\n        c: " + ref + "\n",
			patched: true,
		},
		{
			name:    "components without schemas, four-space indent",
			spec:    "openapi: 3.0.1\ninfo: {title: x, version: '1'}\npaths:\n    /a:\n        get:\n            responses:\n                '200':\n                    description: ok\n                    content:\n                        application/json:\n                            schema: " + ref + "\ncomponents:\n    securitySchemes:\n        k: {type: apiKey, in: header, name: K}\n",
			patched: true,
		},
		{
			name:    "no components",
			spec:    "openapi: 3.0.1\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: " + ref + "\n",
			patched: true,
		},
		{
			name: "already defined",
			spec: "openapi: 3.0.1\ninfo: {title: x, version: '1'}\npaths: {}\ncomponents:\n  schemas:\n    a:\n      properties:\n        c: " + ref + "\n    custom_attributes:\n      type: object\n",
		},
		{
			name:    "JSON",
			spec:    `{"openapi":"3.0.1","info":{"title":"x","version":"1"},"paths":{},"components":{"schemas":{"a":{"properties":{"c":{"$ref":"#/components/schemas/custom_attributes"}}}}}}`,
			patched: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := Load(writeSpec(t, "spec", tt.spec))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			got := strings.Contains(strings.Join(v.Patches(), "\n"), "custom_attributes")
			if got != tt.patched {
				t.Errorf("patched = %v, want %v; patches: %q", got, tt.patched, v.Patches())
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Load of a missing file: no error")
	}
	path := writeSpec(t, "bad.yaml", "openapi: 3.0.1\ninfo: {title: x, version: '1'}\npaths:\n  /a:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/nope'}\n")
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load of a dangling response $ref: %v, want an error naming the file", err)
	}
}

func TestFromEnvSkipsWhenUnset(t *testing.T) {
	const env = "OPENAPITEST_TEST_UNSET"
	t.Setenv(env, "")
	ran := make(chan bool, 1)
	// Run in a subtest so that its skip does not skip this test.
	t.Run("sub", func(t *testing.T) {
		defer func() { ran <- t.Skipped() }()
		FromEnv(t, env)
	})
	if !<-ran {
		t.Error("FromEnv did not skip with the variable empty")
	}
}

const intercomEnv = "RESTCONN_INTERCOM_OPENAPI"

// The tests below run against the real Intercom 2.11 description; set
// RESTCONN_INTERCOM_OPENAPI to its path.

func TestIntercomDescription(t *testing.T) {
	v := FromEnv(t, intercomEnv)
	patches := strings.Join(v.Patches(), "\n")
	for _, want := range []string{"custom_attributes", "ticket_type_list", "ticket_type_attribute_list"} {
		if !strings.Contains(patches, want) {
			t.Errorf("patches do not mention %s:\n%s", want, patches)
		}
	}

	auth := []string{"Authorization", "Bearer tok", "Content-Type", "application/json"}
	reqTests := []struct {
		name              string
		method, url, body string
		header            []string
		want              []string
	}{
		{name: "away mode", method: "PUT", url: "https://api.intercom.io/admins/1/away",
			body: `{"away_mode_enabled":true,"away_mode_reassign":false}`, header: auth},
		{name: "away mode on another host", method: "PUT", url: "http://127.0.0.1:9/admins/1/away",
			body: `{"away_mode_enabled":true,"away_mode_reassign":false}`, header: auth},
		{name: "away mode as string", method: "PUT", url: "/admins/1/away",
			body: `{"away_mode_enabled":"true","away_mode_reassign":false}`, header: auth,
			want: []string{"PUT /admins/1/away: request", "away_mode_enabled", "boolean"}},
		{name: "away mode missing field", method: "PUT", url: "/admins/1/away",
			body: `{"away_mode_enabled":true}`, header: auth,
			want: []string{"PUT /admins/1/away", "away_mode_reassign"}},
		{name: "no token", method: "GET", url: "/admins",
			want: []string{"GET /admins", "Authorization: Bearer"}},
		{name: "bad Intercom-Version", method: "GET", url: "/me",
			header: []string{"Authorization", "Bearer tok", "Intercom-Version", "9.9"},
			want:   []string{"GET /me", "Intercom-Version"}},
		{name: "display_avatar not a boolean", method: "GET", url: "/admins?display_avatar=maybe",
			header: auth, want: []string{"GET /admins", "display_avatar"}},
		{name: "create ticket", method: "POST", url: "/tickets",
			body: `{"ticket_type_id":"1","contacts":[{"email":"a@example.com"}]}`, header: auth},
		{name: "create ticket with two ways to name a contact", method: "POST", url: "/tickets",
			body: `{"ticket_type_id":"1","contacts":[{"id":"1","email":"a@example.com"}]}`, header: auth,
			want: []string{"POST /tickets", "contacts"}},
		{name: "search tickets", method: "POST", url: "/tickets/search",
			body: `{"query":{"operator":"AND","value":[{"field":"created_at","operator":">","value":"1306054154"}]},"pagination":{"per_page":5}}`, header: auth},
	}
	for _, tt := range reqTests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, v.ValidateRequest(newRequest(tt.method, tt.url, "", tt.header...), []byte(tt.body)), tt.want)
		})
	}

	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	admin := `"type":"admin","id":"1","name":"Ciaran Lee","email":"ciaran@example.com","away_mode_enabled":false,"away_mode_reassign":false,"has_inbox_seat":true,"team_ids":[814865]`
	attr := func(name string, order int) string {
		return `{"type":"ticket_type_attribute","id":"` + name + `","workspace_id":"w","name":"` + name + `","description":"","data_type":"string","input_options":{"multiline":false},"order":` + string(rune('0'+order)) + `,"required_to_create":false,"required_to_create_for_contacts":false,"visible_on_create":true,"visible_to_contacts":true,"default":true,"ticket_type_id":1,"archived":false,"created_at":1719493014,"updated_at":1719493014}`
	}
	ticketType := `{"type":"ticket_type","id":"1","name":"Access request","description":"d","icon":"🎟️","workspace_id":"w","archived":false,"created_at":1719493014,"updated_at":1719493014,"is_internal":false,"category":"Back-office","ticket_type_attributes":{"type":"list","data":[` + attr("_default_title_", 0) + `,` + attr("_default_description_", 1) + `]}}`
	respTests := []struct {
		name        string
		method, url string
		status      int
		body        string
		want        []string
	}{
		{name: "admin", method: "GET", url: "/admins/1", status: 200, body: `{` + admin + `,"job_title":"Support"}`},
		{name: "admin without job_title", method: "GET", url: "/admins/1", status: 200, body: `{` + admin + `}`,
			want: []string{"GET /admins/1: response 200", "job_title"}},
		{name: "admin with team id as string", method: "GET", url: "/admins/1", status: 200,
			body: `{` + strings.Replace(admin, "[814865]", `["814865"]`, 1) + `,"job_title":""}`,
			want: []string{"response 200", "/team_ids/0", "integer"}},
		{name: "admin not found", method: "GET", url: "/admins/2", status: 404,
			body: `{"type":"error.list","request_id":"9818bd03-9cc6-4ab8-8e7c-20a45ac58e97","errors":[{"code":"admin_not_found","message":"Admin not found"}]}`},
		{name: "error without code", method: "GET", url: "/teams/2", status: 404,
			body: `{"type":"error.list","errors":[{"message":"Team not found"}]}`, want: []string{"response 404", "code"}},
		{name: "ticket types in wire format", method: "GET", url: "/ticket_types", status: 200,
			body: `{"type":"list","data":[` + ticketType + `]}`},
		{name: "ticket types in the 2.11 schema's format", method: "GET", url: "/ticket_types", status: 200,
			body: `{"type":"ticket_type_attributes.list","ticket_types":[]}`, want: []string{"GET /ticket_types: response 200"}},
	}
	for _, tt := range respTests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.method, tt.url, "", "Authorization", "Bearer tok")
			checkErr(t, v.ValidateResponse(r, nil, tt.status, jsonHeader, []byte(tt.body)), tt.want)
		})
	}
}

func TestLoadGzip(t *testing.T) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write([]byte(petsSpec)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	// The name does not say gzip: the content does.
	path := writeSpec(t, "pets.yaml", buf.String())
	v, err := Load(path)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	r := newRequest("PUT", "/pets/7", "", "Authorization", "Bearer t", "Content-Type", "application/json")
	checkErr(t, v.ValidateRequest(r, []byte(`{"name":"Rex","hungry":"no"}`)), []string{`"/hungry"`})

	// A truncated stream is an error naming the file, not a YAML error.
	path = writeSpec(t, "cut.yaml.gz", buf.String()[:buf.Len()/2])
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("Load of a truncated gzip file: %v, want an error naming the file", err)
	}
}

// quirksSpec has every fault of Okta's description that Load repairs, in
// miniature.
const quirksSpec = `openapi: 3.0.3
info: {title: Quirks, version: "1"}
servers: [{url: "https://{yourOktaDomain}", variables: {yourOktaDomain: {default: x.okta.com}}}]
security: [{apiToken: []}]
paths:
  /api/v1/keys/{id}:
    get:
      parameters:
        - {name: id, in: path, schema: {type: string}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                type: object
                $ref: '#/components/schemas/Policy'
components:
  securitySchemes:
    apiToken: {type: apiKey, in: header, name: Authorization}
  schemas:
    Policy:
      type: object
      properties:
        created: {type: string, format: date-time, default: Assigned}
        priority: {type: integer, default: "Last / Lowest Priority, for example 1"}
        name: {type: string, default: ok}
    LogDevice:
      type: object
      example:
        LogDeviceObject:
          $ref: '#/components/examples/LogDeviceObject'
      properties:
        id: {type: string}
  examples:
    UserSchemaResponse:
      value:
        definitions:
          base: {type: object}
        properties:
          profile:
            allOf:
              - $ref: '#/definitions/base'
              - $ref: '#/definitions/custom'
`

func TestLoadRepairsOktaQuirks(t *testing.T) {
	v, err := Load(writeSpec(t, "quirks.yaml", quirksSpec))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	want := []string{
		`components.schemas.Policy.properties.created: default "Assigned" does not match the schema; dropped`,
		`components.schemas.Policy.properties.priority: default "Last / Lowest Priority, for example 1" does not match the schema; dropped`,
		`components.schemas.LogDevice.example: dropped, it refers to #/components/examples/LogDeviceObject, which the description does not define`,
		`components.examples.UserSchemaResponse.value: 2 $ref keys in literal data renamed to x-ref`,
		`paths./api/v1/keys/{id}.get.parameters.id: path parameter made required`,
		`fields beside a $ref ignored, as OpenAPI 3.0 says, instead of rejected`,
	}
	got := v.Patches()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("patches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// The repaired description still validates: the apiKey scheme needs
	// its header, and the response its schema.
	r := newRequest("GET", "https://acme.okta.com/api/v1/keys/k1", "", "Authorization", "SSWS tok")
	checkErr(t, v.ValidateRequest(r, nil), nil)
	checkErr(t, v.ValidateRequest(newRequest("GET", "/api/v1/keys/k1", ""), nil), []string{`"Authorization"`, "missing"})
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	checkErr(t, v.ValidateResponse(r, nil, 200, jsonHeader, []byte(`{"created":"2026-01-01T00:00:00.000Z","name":"p"}`)), nil)
	checkErr(t, v.ValidateResponse(r, nil, 200, jsonHeader, []byte(`{"created":"Assigned"}`)), []string{"response 200", `"/created"`})
}

func TestLoadLeavesCleanDescriptionsAlone(t *testing.T) {
	clean := strings.ReplaceAll(petsSpec, `        extra: {$ref: "#/components/schemas/custom_attributes"}`+"\n", "")
	v, err := Load(writeSpec(t, "clean.yaml", clean))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if p := v.Patches(); len(p) != 0 {
		t.Errorf("patches for a description without faults: %q", p)
	}
}

func TestFromEnvLoadsOnce(t *testing.T) {
	const env = "OPENAPITEST_TEST_ONCE"
	t.Setenv(env, writeSpec(t, "pets.yaml", petsSpec))
	a, b := FromEnv(t, env), FromEnv(t, env)
	if a != b {
		t.Error("FromEnv loaded the same file twice")
	}
}

const oktaEnv = "RESTCONN_OKTA_OPENAPI"

// TestOktaDescription runs against Okta's Management API description
// (okta-management-minimal.yaml.gz); set RESTCONN_OKTA_OPENAPI to its path.
func TestOktaDescription(t *testing.T) {
	v := FromEnv(t, oktaEnv)
	patches := strings.Join(v.Patches(), "\n")
	for _, want := range []string{
		"components.schemas.LogDevice.example: dropped",
		"components.examples.UserSchemaResponse.value: 2 $ref keys",
		"components.schemas.Policy.properties.created: default",
	} {
		if !strings.Contains(patches, want) {
			t.Errorf("patches do not mention %q:\n%s", want, patches)
		}
	}
	if n := strings.Count(patches, "$ref keys in literal data"); n != 5 {
		t.Errorf("%d examples with $ref keys repaired, want 5 (ten $refs, SOURCES.md)", n)
	}

	ssws := []string{"Authorization", "SSWS tok", "Content-Type", "application/json"}
	reqTests := []struct {
		name              string
		method, url, body string
		header            []string
		want              []string
	}{
		{name: "list users on the org host", method: "GET", url: "https://acme.okta.com/api/v1/users?limit=200", header: ssws},
		{name: "list users on a fake", method: "GET", url: `http://127.0.0.1:9/api/v1/users?filter=status+eq+%22DEPROVISIONED%22`, header: ssws},
		{name: "the token's user", method: "GET", url: "/api/v1/users/me", header: ssws},
		{name: "no token", method: "GET", url: "/api/v1/groups", want: []string{"GET /api/v1/groups: request", "Authorization"}},
		{name: "limit not a number", method: "GET", url: "/api/v1/groups?limit=all", header: ssws, want: []string{"limit"}},
		{name: "create user", method: "POST", url: "/api/v1/users?activate=false", header: ssws,
			body: `{"profile":{"login":"a@example.com","email":"a@example.com","firstName":"A","lastName":"B"},"credentials":{"password":{"value":"Abcd1234"}}}`},
		{name: "create user without profile", method: "POST", url: "/api/v1/users", header: ssws, body: `{}`,
			want: []string{"POST /api/v1/users: request", "profile"}},
		{name: "create user with a provider", method: "POST", url: "/api/v1/users", header: ssws,
			body: `{"profile":{"login":"a@example.com"},"credentials":{"provider":{"type":"NOPE"}}}`, want: []string{"provider"}},
		{name: "add member", method: "PUT", url: "/api/v1/groups/00g1/users/00u1", header: ssws},
		{name: "suspend", method: "POST", url: "/api/v1/users/00u1/lifecycle/suspend", header: ssws},
		{name: "reset password needs sendEmail", method: "POST", url: "/api/v1/users/00u1/lifecycle/reset_password", header: ssws,
			want: []string{"sendEmail"}},
	}
	for _, tt := range reqTests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, v.ValidateRequest(newRequest(tt.method, tt.url, "", tt.header...), []byte(tt.body)), tt.want)
		})
	}

	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	user := `{"id":"00ub0oNGTSWTBKOLGLNR","status":"ACTIVE","created":"2013-06-24T16:39:18.000Z","activated":null,"statusChanged":null,"lastLogin":null,"lastUpdated":"2013-07-02T21:36:25.344Z","passwordChanged":null,"type":{"id":"oty1"},"profile":{"login":"isaac.brock@example.com","email":"isaac.brock@example.com","firstName":"Isaac","lastName":"Brock","mobilePhone":null,"secondEmail":null},"credentials":{"password":{},"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":"https://acme.okta.com/api/v1/users/00ub0oNGTSWTBKOLGLNR"}}}`
	respTests := []struct {
		name        string
		method, url string
		status      int
		body        string
		want        []string
	}{
		{name: "user", method: "GET", url: "/api/v1/users/me", status: 200, body: user},
		{name: "users", method: "GET", url: "/api/v1/users", status: 200, body: "[" + user + "]"},
		{name: "unknown status", method: "GET", url: "/api/v1/users", status: 200, body: "[" + strings.Replace(user, `"ACTIVE"`, `"GONE"`, 1) + "]",
			want: []string{"GET /api/v1/users: response 200", "/0/status"}},
		{name: "not found", method: "GET", url: "/api/v1/users/nobody", status: 404,
			body: `{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: nobody (User)","errorLink":"E0000007","errorId":"oae1","errorCauses":[]}`},
		{name: "error causes as an object", method: "POST", url: "/api/v1/users", status: 400,
			body: `{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorCauses":{"errorSummary":"login: x"}}`,
			want: []string{"response 400", "errorCauses"}},
		{name: "group", method: "GET", url: "/api/v1/groups/00g1", status: 200,
			body: `{"id":"00g1","type":"OKTA_GROUP","profile":{"name":"Sales","description":""},"objectClass":["okta:user_group"],"_links":{"users":{"href":"https://acme.okta.com/api/v1/groups/00g1/users"}}}`},
		{name: "role", method: "GET", url: "/api/v1/users/00u1/roles", status: 200,
			body: `[{"id":"ra1","label":"Super Administrator","type":"SUPER_ADMIN","status":"ACTIVE","assignmentType":"USER","_links":{"assignee":{"href":"https://acme.okta.com/api/v1/users/00u1"}}}]`},
	}
	for _, tt := range respTests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.method, tt.url, "", "Authorization", "SSWS tok")
			checkErr(t, v.ValidateResponse(r, nil, tt.status, jsonHeader, []byte(tt.body)), tt.want)
		})
	}
}
