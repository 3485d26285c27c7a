package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// recorded is one request an appServer received.
type recorded struct {
	Method, Path, RawPath, Query string
	Header                       http.Header
	Body                         map[string]any
}

// appServer is a small user store with optimistic concurrency (ETag /
// If-Match answered with 400 invalidVers like Genesys), a uniqueness check
// and group membership.
type appServer struct {
	*httptest.Server
	mu      sync.Mutex
	users   map[string]map[string]any
	version map[string]int
	reqs    []recorded
	bumpOn  int  // bump the version of u1 before the Nth PATCH, simulating a concurrent writer
	bumpAll bool // ... before every PATCH
	patches int
}

func newAppServer(t *testing.T) *appServer {
	a := &appServer{users: map[string]map[string]any{"u1": {"id": "u1", "userName": "ann@x", "active": true}}, version: map[string]int{"u1": 1}}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *appServer) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	a.reqs = append(a.reqs, recorded{r.Method, r.URL.Path, r.URL.EscapedPath(), r.URL.RawQuery, r.Header.Clone(), body})
	w.Header().Set("Content-Type", "application/json")
	fail := func(status int, scimType, detail string) {
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"status":"%d","scimType":%q,"detail":%q}`, status, scimType, detail)
	}
	id := strings.TrimPrefix(r.URL.Path, "/Users/")
	switch {
	case r.Method == "GET" && r.URL.Path == "/Users":
		var res []any
		for _, u := range a.users {
			if fmt.Sprintf("userName eq %q", u["userName"]) == r.URL.Query().Get("filter") {
				res = append(res, u)
			}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"totalResults": len(res), "Resources": res})
	case r.Method == "POST" && r.URL.Path == "/Users":
		for _, u := range a.users {
			if u["userName"] == body["userName"] {
				fail(409, "uniqueness", "userName already exists")
				return
			}
		}
		nid := fmt.Sprintf("u%d", len(a.users)+1)
		stored := map[string]any{"id": nid}
		for k, v := range body {
			stored[k] = v
		}
		body = stored
		a.users[nid], a.version[nid] = stored, 1
		w.WriteHeader(201)
		_ = json.NewEncoder(w).Encode(body)
	case r.Method == "GET" && a.users[id] != nil:
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, a.version[id]))
		u := a.users[id]
		u["meta"] = map[string]any{"version": fmt.Sprintf(`"%d"`, a.version[id])}
		_ = json.NewEncoder(w).Encode(u)
	case r.Method == "PATCH" && a.users[id] != nil:
		a.patches++
		if a.patches == a.bumpOn || a.bumpAll {
			a.version[id]++
		}
		if m := r.Header.Get("If-Match"); m != "" && m != fmt.Sprintf(`"%d"`, a.version[id]) {
			fail(400, "invalidVers", "version mismatch")
			return
		}
		for _, op := range body["Operations"].([]any) {
			o := op.(map[string]any)
			if v, ok := o["value"].(map[string]any); ok {
				for k, x := range v {
					a.users[id][k] = x
				}
			} else {
				a.users[id][o["path"].(string)] = o["value"]
			}
		}
		a.version[id]++
		_ = json.NewEncoder(w).Encode(a.users[id])
	case r.Method == "DELETE" && a.users[id] != nil:
		delete(a.users, id)
		w.WriteHeader(204)
	case strings.HasPrefix(r.URL.Path, "/Groups/"):
		w.WriteHeader(204)
	default:
		fail(404, "", "Resource "+r.URL.Path+" not found")
	}
}

func (a *appServer) requests() []recorded {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]recorded(nil), a.reqs...)
}

const appSpec = `{"name":"app","connection":{"baseURL":"$URL","errors":{"code":"scimType","message":"detail","map":{"uniqueness":"conflict"}}},
 "provision":{
  "createAccount":{"calls":[
     {"name":"find","path":"/Users","query":{"filter":"userName eq {{ jsonQuote .user.email }}"}},
     {"name":"create","if":"{{ eq (int .responses.find.body.totalResults) 0 }}","method":"POST","path":"/Users",
      "body":{"userName":"{{ .user.email }}","displayName":"{{ .user.displayname }}","active":"{{ .user.active }}",
              "title":"{{ opt .user \"title\" }}","emails":[{"value":"${user.email}","primary":true}],"password":"{{ .password }}"}}],
   "accountID":"{{ if .responses.create }}{{ .responses.create.body.id }}{{ else }}{{ (index .responses.find.body.Resources 0).id }}{{ end }}",
   "attributes":{"adopted":"{{ not .responses.create }}"}},
  "updateAccount":{"calls":[
     {"name":"get","path":"/Users/{{ .account.id }}"},
     {"name":"patch","method":"PATCH","path":"/Users/{{ .account.id }}","headers":{"If-Match":"{{ .responses.get.headers.etag }}"},
      "body":{"Operations":[{"op":"replace","value":{"title":"{{ opt .account \"title\" }}","displayName":"{{ opt .account \"displayName\" }}"}}]},
      "restart":{"when":{"status":[400],"when":[{"path":"scimType","equals":"invalidVers"}]},"from":"get"}}],
   "attributes":{"version":"{{ opt .responses.patch.headers \"etag\" }}","title":"{{ .responses.patch.body.title }}"}},
  "disableAccount":{"calls":[{"method":"PATCH","path":"/Users/{{ .account.id }}","body":{"Operations":[{"op":"replace","path":"active","value":false}]}}]},
  "removeAccount":{"calls":[{"method":"DELETE","path":"/Users/{{ .account.id }}","success":{"status":[204,404]}}]},
  "addAccess":{"types":{
     "group":{"calls":[{"method":"PATCH","path":"/Groups/{{ .entitlement.id }}","body":{"Operations":[{"op":"add","path":"members","value":[{"value":"{{ .account.id }}"}]}]}}]},
     "role":{"calls":[{"name":"each","forEach":"{{ .entitlement.attributes.users }}","method":"PATCH","path":"/Groups/{{ .entitlement.id }}/{{ .item }}"}]}}}
 }}`

func TestProvisionCheckBeforeCreate(t *testing.T) {
	app := newAppServer(t)
	e, err := connector.New(spec(t, appSpec, app.URL))
	require.NoError(t, err)
	ctx := context.Background()

	res, err := e.Provision(ctx, connector.Request{Op: connector.CreateAccount, Password: "Init-Pass-9",
		User: map[string]any{"email": `zoë "z" o'hara/ops@x`, "displayname": "Zoë", "active": true}})
	require.NoError(t, err)
	assert.Equal(t, "u2", res.AccountID)
	assert.Equal(t, map[string]any{"adopted": false}, res.Attributes)
	reqs := app.requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, `userName eq "zoë \"z\" o'hara/ops@x"`, mustQuery(t, reqs[0].Query).Get("filter"), "quotes, unicode and slashes arrive intact")
	assert.Equal(t, map[string]any{"userName": `zoë "z" o'hara/ops@x`, "displayName": "Zoë", "active": true,
		"emails": []any{map[string]any{"value": `zoë "z" o'hara/ops@x`, "primary": true}}, "password": "Init-Pass-9"}, reqs[1].Body,
		"typed leaves keep bool; the absent optional title is omitted")

	// The same identity again: adopted, not duplicated.
	res, err = e.Provision(ctx, connector.Request{Op: connector.CreateAccount, Password: "x",
		User: map[string]any{"email": `zoë "z" o'hara/ops@x`, "displayname": "Zoë", "active": true}})
	require.NoError(t, err)
	assert.Equal(t, "u2", res.AccountID)
	assert.Equal(t, true, res.Attributes["adopted"])
	assert.Len(t, app.requests(), 3, "no POST the second time")
}

func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	q, err := url.ParseQuery(raw)
	require.NoError(t, err)
	return q
}

func TestProvisionRequiredAttributeMissing(t *testing.T) {
	app := newAppServer(t)
	e, err := connector.New(spec(t, appSpec, app.URL))
	require.NoError(t, err)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"displayname": "No Mail"}})
	require.Error(t, err)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "provision.createAccount.calls[0].query.filter", ce.Path)
	assert.Contains(t, ce.Message, `missing key "email"`)
	assert.Empty(t, app.requests())
}

func TestProvisionConflictAndNotFound(t *testing.T) {
	app := newAppServer(t)
	js := strings.Replace(appSpec, `"if":"{{ eq (int .responses.find.body.totalResults) 0 }}",`, "", 1)
	e, err := connector.New(spec(t, js, app.URL))
	require.NoError(t, err)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"email": "ann@x", "displayname": "Ann", "active": true}})
	require.ErrorIs(t, err, connector.ErrConflict)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, connector.Error{Op: connector.CreateAccount, Call: "create", StatusCode: 409, Code: "uniqueness", Message: "userName already exists", Err: connector.ErrConflict}, *ce)
	assert.Equal(t, `restconn: createAccount: call "create": HTTP 409: uniqueness: userName already exists (conflict)`, err.Error())

	_, err = e.Provision(context.Background(), connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": "nobody"}})
	require.ErrorIs(t, err, connector.ErrNotFound)

	// RemoveAccount lists 404 as success: removing a removed account is done.
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "nobody"}})
	require.NoError(t, err)
}

func TestProvisionRestartOnInvalidVersion(t *testing.T) {
	app := newAppServer(t)
	app.bumpOn = 1 // a concurrent writer changes u1 just before our PATCH
	e, err := connector.New(spec(t, appSpec, app.URL))
	require.NoError(t, err)
	res, err := e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount,
		Account: map[string]any{"id": "u1", "title": "Lead"}})
	require.NoError(t, err)
	var methods []string
	for _, r := range app.requests() {
		methods = append(methods, r.Method+" "+r.Path)
	}
	assert.Equal(t, []string{"GET /Users/u1", "PATCH /Users/u1", "GET /Users/u1", "PATCH /Users/u1"}, methods, "re-read, then write once more")
	assert.Equal(t, "Lead", app.users["u1"]["title"])
	assert.Equal(t, `"2"`, app.requests()[3].Header.Get("If-Match"))
	assert.Equal(t, map[string]any{"title": "Lead"}, res.Attributes, "an absent header is omitted")

	// A writer that keeps winning: restarted once (restart.max 1), then the error.
	app.mu.Lock()
	app.bumpAll, app.reqs = true, nil
	app.mu.Unlock()
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "u1", "title": "x"}})
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "invalidVers", ce.Code)
	assert.Equal(t, 400, ce.StatusCode)
	assert.Len(t, app.requests(), 4)
}

func TestProvisionPathEscapingAndForEach(t *testing.T) {
	app := newAppServer(t)
	e, err := connector.New(spec(t, appSpec, app.URL))
	require.NoError(t, err)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "u1"},
		Entitlement: &connector.Entitlement{Type: "group", ID: "../admin?x=1"}})
	require.NoError(t, err)
	r := app.requests()[0]
	assert.Equal(t, "/Groups/..%2Fadmin%3Fx=1", r.RawPath, "a value never adds path segments or a query")
	assert.Equal(t, map[string]any{"Operations": []any{map[string]any{"op": "add", "path": "members", "value": []any{map[string]any{"value": "u1"}}}}}, r.Body)

	_, err = e.Provision(context.Background(), connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "u1"},
		Entitlement: &connector.Entitlement{Type: "role", ID: "r1", Attributes: map[string]any{"users": []any{"a", "b", "c"}}}})
	require.NoError(t, err)
	var paths []string
	for _, r := range app.requests()[1:] {
		paths = append(paths, r.Path)
	}
	assert.Equal(t, []string{"/Groups/r1/a", "/Groups/r1/b", "/Groups/r1/c"}, paths)

	_, err = e.Provision(context.Background(), connector.Request{Op: connector.AddAccess, Entitlement: &connector.Entitlement{Type: "license", ID: "x"}})
	assert.ErrorIs(t, err, connector.ErrUnsupported)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.ChangePassword})
	assert.ErrorIs(t, err, connector.ErrUnsupported)
}

func TestPasswordNeverLogged(t *testing.T) {
	app := newAppServer(t)
	var logs bytes.Buffer
	var traces []connector.Trace
	var mu sync.Mutex
	e, err := connector.New(spec(t, appSpec, app.URL),
		connector.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		connector.WithTrace(func(_ context.Context, tr connector.Trace) { mu.Lock(); traces = append(traces, tr); mu.Unlock() }))
	require.NoError(t, err)
	req := connector.Request{Op: connector.CreateAccount, Password: "Sup3r-Secret-PW",
		User: map[string]any{"email": "new@x", "displayname": "New", "active": true}}
	_, err = e.Provision(context.Background(), req)
	require.NoError(t, err)
	require.Len(t, traces, 2)
	assert.Contains(t, traces[1].RequestBody, `"password":"[REDACTED]"`)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("request", "req", req)
	out := logs.String() + fmt.Sprintf("%v %+v %#v %s", req, req, req, req)
	for _, tr := range traces {
		out += fmt.Sprintf("%+v", tr)
	}
	assert.NotContains(t, out, "Sup3r-Secret-PW")
	assert.Contains(t, logs.String(), "level=DEBUG msg=http call=find method=GET")
}

func TestForEachOverCallerSlices(t *testing.T) {
	var paths []string
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		paths = append(paths, r.URL.Path)
		mu.Unlock()
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"provision":{"addAccess":{"calls":[{"forEach":"{{ .entitlement.attributes.ids }}","method":"PUT","path":"/g/{{ .item }}"}]}}}`, srv.URL))
	require.NoError(t, err)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.AddAccess,
		Entitlement: &connector.Entitlement{Type: "g", Attributes: map[string]any{"ids": []string{"a", "b"}}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"/g/a", "/g/b"}, paths)
}

// unchangedSpec updates a title only when it differs, reading it from
// .account or, without it there, from .user (the attribute-name
// convention of SPEC.md).
const unchangedSpec = `{"name":"app","connection":{"baseURL":"$URL"},
 "provision":{
  "updateAccount":{"calls":[
     {"name":"get","path":"/Users/{{ .account.id }}"},
     {"name":"patch","method":"PATCH","path":"/Users/{{ .account.id }}",
      "if":"{{ $have := toString (dig \"title\" \"\" .responses.get.body | default \"\") }}{{ if hasKey .account \"title\" }}{{ ne (toString (.account.title | default \"\")) $have }}{{ else if dig \"title\" \"\" .user }}{{ ne (toString .user.title) $have }}{{ else }}false{{ end }}",
      "body":{"Operations":[{"op":"replace","value":{"title":"{{ dig \"title\" (omitEmpty (dig \"title\" nil .user)) .account }}"}}]}}],
   "accountID":"{{ (coalesce .responses.patch .responses.get).body.id }}"},
  "enableAccount":{"calls":[{"name":"get","path":"/Users/{{ .account.id }}"}]},
  "addAccess":{"calls":[{"forEach":"{{ .entitlement.attributes.users }}","method":"PATCH","path":"/Groups/{{ .entitlement.id }}/{{ .item }}"}]}
 }}`

func TestProvisionUnchanged(t *testing.T) {
	a := newAppServer(t)
	e, err := connector.New(spec(t, unchangedSpec, a.URL))
	require.NoError(t, err)
	ctx := context.Background()
	patches := func() int {
		n := 0
		for _, r := range a.requests() {
			if r.Method != "GET" {
				n++
			}
		}
		return n
	}

	res, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "u1"}, User: map[string]any{"title": "Engineer"}})
	require.NoError(t, err)
	assert.False(t, res.Unchanged, "a PATCH was sent")
	assert.Equal(t, "u1", res.AccountID)
	assert.Equal(t, 1, patches())

	for _, req := range []connector.Request{
		{Op: connector.UpdateAccount, Account: map[string]any{"id": "u1"}, User: map[string]any{"title": "Engineer"}},
		{Op: connector.UpdateAccount, Account: map[string]any{"id": "u1", "title": "Engineer"}, User: map[string]any{"title": "Ignored"}},
		{Op: connector.UpdateAccount, Account: map[string]any{"id": "u1"}},
		{Op: connector.AddAccess, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "team", ID: "g1", Attributes: map[string]any{"users": []any{}}}},
	} {
		res, err = e.Provision(ctx, req)
		require.NoError(t, err, "%v", req)
		assert.True(t, res.Unchanged, "%v: no write sent", req)
		assert.Equal(t, 1, patches(), "%v", req)
	}
	b, err := json.Marshal(res)
	require.NoError(t, err)
	assert.JSONEq(t, `{"attributes":{},"unchanged":true}`, string(b))

	// Account wins over User, and sends a write when it differs.
	res, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "u1", "title": "Lead"}, User: map[string]any{"title": "Engineer"}})
	require.NoError(t, err)
	assert.False(t, res.Unchanged)
	assert.Equal(t, "Lead", a.users["u1"]["title"])

	// A chain without writing calls never reports Unchanged.
	res, err = e.Provision(ctx, connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "u1"}})
	require.NoError(t, err)
	assert.False(t, res.Unchanged)
	res, err = e.Provision(ctx, connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "u1"}, Entitlement: &connector.Entitlement{Type: "team", ID: "g1", Attributes: map[string]any{"users": []any{"u1"}}}})
	require.NoError(t, err)
	assert.False(t, res.Unchanged)
}
