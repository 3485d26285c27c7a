package genesystest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/restconn/restconn/providers/genesys/genesystest"
)

const scimRoot = "/api/v2/scim/v2"

// client is a minimal SCIM client over plain net/http, so the tests
// exercise the wire format rather than any library.
type client struct {
	t     *testing.T
	srv   *genesystest.Server
	token string
}

func newClient(t *testing.T, opts ...genesystest.Option) *client {
	t.Helper()
	srv := genesystest.NewServer(opts...)
	t.Cleanup(srv.Close)
	c := &client{t: t, srv: srv}
	c.token = fetchToken(t, srv)
	return c
}

func fetchToken(t *testing.T, srv *genesystest.Server) string {
	t.Helper()
	resp, body := tokenRequest(t, srv, srv.ClientID, srv.ClientSecret, "application/x-www-form-urlencoded", "grant_type=client_credentials")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("token: status %d: %s", resp.StatusCode, body)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	mustJSON(t, body, &tok)
	return tok.AccessToken
}

func tokenRequest(t *testing.T, srv *genesystest.Server, id, secret, contentType, form string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.LoginURL+"/oauth/token", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	if id != "" || secret != "" {
		req.SetBasicAuth(id, secret)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// do sends a request to the API host. path is relative to the SCIM root
// unless it starts with "/api". body may be nil, a string or a value to
// marshal. headers are name, value pairs.
func (c *client) do(method, path string, body any, headers ...string) (*http.Response, []byte) {
	c.t.Helper()
	if !strings.HasPrefix(strings.ToLower(path), "/api") {
		path = scimRoot + path
	}
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			c.t.Fatal(err)
		}
		r = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, c.srv.APIURL+path, r)
	if err != nil {
		c.t.Fatal(err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(c.t, req)
}

// json sends a request, checks the status and decodes the body.
func (c *client) json(method, path string, body any, want int, headers ...string) map[string]any {
	c.t.Helper()
	resp, data := c.do(method, path, body, headers...)
	if resp.StatusCode != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, data)
	}
	if len(data) == 0 {
		return nil
	}
	var m map[string]any
	mustJSON(c.t, data, &m)
	return m
}

func mustJSON(t *testing.T, data []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
}

// scimErr checks a SCIM error response.
func scimErr(t *testing.T, resp *http.Response, body []byte, status int, scimType string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, status, body)
	}
	var e struct {
		Schemas  []string `json:"schemas"`
		Status   any      `json:"status"`
		ScimType string   `json:"scimType"`
		Detail   string   `json:"detail"`
	}
	mustJSON(t, body, &e)
	if len(e.Schemas) != 1 || e.Schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("schemas = %v", e.Schemas)
	}
	if s, ok := e.Status.(string); !ok || s != itoa(status) {
		t.Errorf("status = %#v, want the string %q", e.Status, itoa(status))
	}
	if e.ScimType != scimType {
		t.Errorf("scimType = %q, want %q (detail %q)", e.ScimType, scimType, e.Detail)
	}
	if e.Detail == "" {
		t.Error("detail is empty")
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func q(filter string) string { return url.QueryEscape(filter) }

// listIDs returns the ids in a ListResponse.
func listIDs(t *testing.T, m map[string]any) []string {
	t.Helper()
	var ids []string
	for _, r := range m["Resources"].([]any) {
		ids = append(ids, r.(map[string]any)["id"].(string))
	}
	return ids
}

func num(m map[string]any, key string) int {
	f, _ := m[key].(float64)
	return int(f)
}

// userByName finds a stored user.
func userByName(t *testing.T, srv *genesystest.Server, name string) genesystest.User {
	t.Helper()
	for _, u := range srv.Users() {
		if strings.EqualFold(u.UserName, name) {
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

func path(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

const (
	enterpriseURN = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	genesysURN    = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"
	patchOpURN    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

func patchOp(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{patchOpURN}, "Operations": ops}
}

func op(name, path string, value any) map[string]any {
	m := map[string]any{"op": name}
	if path != "" {
		m["path"] = path
	}
	if value != nil {
		m["value"] = value
	}
	return m
}
