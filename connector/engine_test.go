package connector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/internal/mutate"
)

// proofSpec reaches every part of a spec an engine reads while it runs:
// connection headers, an OAuth2 block with scopes and endpoint params,
// error rules, a paged list with a query, record mapping with an active
// rule and entitlements, a derived-from-records entitlement list, a call
// body with nested objects and lists, and a chain chosen per entitlement
// type.
const proofSpec = `{"name":"proof",
 "params":{"baseURL":{"required":true},"team":{"default":"blue"}},
 "secrets":{"clientSecret":{"required":true}},
 "connection":{"baseURL":"{{ .params.baseURL }}/api","headers":{"X-Team":"{{ .params.team }}"},
   "auth":{"o":{"type":"oauth2","tokenURL":"{{ .params.baseURL }}/token","clientID":"cid","clientSecret":"{{ .secrets.clientSecret }}",
     "scopes":["read","write"],"endpointParams":{"audience":"api"},"authStyle":"params"}},
   "errors":{"code":"error","message":"message"}},
 "import":{
   "accounts":{"sources":[{"path":"/users","query":{"filter":"active"},"records":"items",
       "paging":{"type":"offset","param":"offset","sizeParam":"limit","size":2,"total":"total"}}],
     "id":"id","name":"name","active":{"path":"status","in":["on","yes"]},
     "attributes":{"mail":{"path":"mail","type":"string"}},"entitlements":{"group":"groups"}},
   "entitlements":{"group":{"sources":[{"path":"/groups","records":"items"}],"id":"id","members":"members"}}},
 "provision":{
   "createAccount":{"calls":[{"name":"create","method":"POST","path":"/users",
     "body":{"name":"{{ .user.name }}","tags":["a",{"k":"v"}],"meta":{"source":"restconn"}}}],
     "accountID":"{{ .responses.create.body.id }}"},
   "addAccess":{"types":{"group":{"calls":[{"method":"PUT","path":"/groups/{{ .entitlement.id }}/members/{{ .account.id }}","success":{"status":[204]}}]}}}}}`

// proofServer answers proofSpec's calls and records every request it sees.
type proofServer struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newProofServer(t *testing.T) *proofServer {
	s := &proofServer{}
	users := []map[string]any{
		{"id": "u1", "name": "Ann", "status": "on", "mail": "ann@x", "groups": []string{"g1"}},
		{"id": "u2", "name": "Bob", "status": "off", "mail": "bob@x", "groups": []string{}},
		{"id": "u3", "name": "Cy", "status": "yes", "mail": "cy@x", "groups": []string{"g1", "g2"}},
	}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.seen = append(s.seen, fmt.Sprintf("%s %s auth=%q team=%q body=%s", r.Method, r.URL.RequestURI(), r.Header.Get("Authorization"), r.Header.Get("X-Team"), body))
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/token":
			fmt.Fprint(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":3600}`)
		case r.Method == http.MethodGet && r.URL.Path == "/api/users":
			off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
			page := users[min(off, len(users)):min(off+2, len(users))]
			_ = json.NewEncoder(w).Encode(map[string]any{"items": page, "total": len(users)})
		case r.Method == http.MethodGet && r.URL.Path == "/api/groups":
			fmt.Fprint(w, `{"items":[{"id":"g1","members":["u1","u3"]},{"id":"g2","members":["u3"]}]}`)
		case r.Method == http.MethodPost && r.URL.Path == "/api/users":
			fmt.Fprint(w, `{"id":"n1"}`)
		case r.Method == http.MethodPut && strings.HasPrefix(r.URL.Path, "/api/groups/"):
			w.WriteHeader(http.StatusNoContent)
		default:
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":"not_found","message":"no such thing"}`)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// run drives every part of the engine and returns what it yielded and
// the requests the server saw.
func (s *proofServer) run(t *testing.T, e *connector.Engine) (string, []string) {
	ctx := context.Background()
	accts, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	ents, err := connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	created, err := e.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: map[string]any{"name": "Dee"}})
	require.NoError(t, err)
	_, err = e.Provision(ctx, connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": created.AccountID},
		Entitlement: &connector.Entitlement{Type: "group", ID: "g2"}})
	require.NoError(t, err)
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("%+v\n%+v\n%+v", accts, ents, created), append([]string(nil), s.seen...)
}

// Changing a spec after New, anywhere in it, changes nothing in what the
// engine does: New works on its own copy.
func TestSpecChangesAfterNewChangeNothing(t *testing.T) {
	newEngine := func(srv *proofServer) (*connector.Spec, *connector.Engine) {
		s, err := connector.Parse([]byte(proofSpec))
		require.NoError(t, err)
		e, err := connector.New(s, connector.WithParams(map[string]any{"baseURL": srv.URL}),
			connector.WithSecrets(map[string]string{"clientSecret": "cs-1"}))
		require.NoError(t, err)
		return s, e
	}
	want, wantReqs := func() (string, []string) {
		srv := newProofServer(t)
		_, e := newEngine(srv)
		return srv.run(t, e)
	}()
	require.Len(t, wantReqs, 6, "token, two pages of users, groups, create, add")
	assert.Contains(t, wantReqs[1], `/api/users?filter=active&limit=2&offset=0 auth="Bearer tok-1" team="blue"`)
	assert.Contains(t, wantReqs[4], `body={"meta":{"source":"restconn"},"name":"Dee","tags":["a",{"k":"v"}]}`)

	srv := newProofServer(t)
	spec, e := newEngine(srv)
	mutate.All(spec) // every string, number, flag, map, list and pointer
	spec.Connection.Auth["o"].Scopes[0] = "admin"
	spec.Import.Accounts.Sources[0].Paging.Size = 50
	spec.Provision[connector.CreateAccount].Calls[0].Body.(map[string]any)["tags"].([]any)[1].(map[string]any)["k"] = "changed"
	delete(spec.Provision, connector.AddAccess)
	got, gotReqs := srv.run(t, e)
	assert.Equal(t, want, got, "what the engine yielded")
	assert.Equal(t, wantReqs, gotReqs, "the requests the server saw")

	// Spec returns a copy of the spec as it was given, every time.
	connectortest.CheckSpecCopy(t, e.Spec)
	fresh, err := connector.Parse([]byte(proofSpec))
	require.NoError(t, err)
	assert.Equal(t, fresh, e.Spec())
}

// The same invalid spec gives the same error every time: the compiler
// visits maps in sorted order and operations in the order of Operations.
func TestSameInvalidSpecSameError(t *testing.T) {
	specs := map[string]string{
		"bad auth first": `{"name":"bad","connection":{"baseURL":"https://x.test",
		   "auth":{"z":{"type":"magic"},"y":{"type":"bearer"},"x":{"type":"basic"}},"defaultAuth":"x"},
		 "import":{"accounts":{"sources":[]},"entitlements":{"r":{"fromAccounts":true},"q":{}}},
		 "provision":{"removeAccess":{},"addAccess":{"calls":[]},"createAccount":{"calls":[{"method":"FETCH","path":"/u"}]}}}`,
		"bad import first": `{"name":"bad","connection":{"baseURL":"https://x.test"},
		 "import":{"entitlements":{"r":{"fromAccounts":true},"q":{},"p":{"sources":[{"path":"/p","records":"a..b"}],"id":"id"}}},
		 "provision":{"removeAccess":{},"createAccount":{"calls":[{"method":"FETCH","path":"/u"}]}}}`,
		"bad operations": `{"name":"bad","connection":{"baseURL":"https://x.test"},
		 "provision":{"removeAccess":{},"addAccess":{"calls":[]},"disableAccount":{"ticket":{}},
		   "updateAccount":{"calls":[{"path":"/u","if":"{{ .x "}]},"createAccount":{"calls":[{"method":"FETCH","path":"/u"}]}}}`,
		"unknown keys": `{"name":"bad","params":{"p2":{"requred":true},"p1":{"defualt":1}},"connection":{"baseURL":"https://x.test",
		 "auth":{"b":{"type":"bearer","tokn":"x"},"a":{"type":"bearer","tken":"x"}}}}`,
	}
	wantPaths := map[string]string{
		"bad auth first":   "connection.auth.x.username",
		"bad import first": "import.entitlements.p.sources[0].records",
		"bad operations":   "provision.createAccount.calls[0].method",
		"unknown keys":     "connection.auth.a.tken",
	}
	for name, js := range specs {
		t.Run(name, func(t *testing.T) {
			_, first := connector.Parse([]byte(js))
			require.Error(t, first)
			var ce *connector.Error
			require.ErrorAs(t, first, &ce)
			assert.Equal(t, wantPaths[name], ce.Path, "%v", first)
			for range 100 {
				_, err := connector.Parse([]byte(js))
				require.Equal(t, first.Error(), err.Error())
			}
		})
	}
	t.Run("New", func(t *testing.T) {
		s, err := connector.Parse([]byte(`{"name":"t","params":{"b":{"required":true},"a":{"required":true}},
			"secrets":{"y":{"required":true},"x":{"required":true}},"connection":{"baseURL":"https://x.test"}}`))
		require.NoError(t, err)
		_, first := connector.New(s)
		require.ErrorContains(t, first, "params.a: required parameter missing")
		for range 100 {
			_, err := connector.New(s)
			require.Equal(t, first.Error(), err.Error())
		}
		_, first = connector.New(s, connector.WithParams(map[string]any{"a": 1, "b": 2}))
		require.ErrorContains(t, first, "secrets.x: required secret missing")
		for range 100 {
			_, err := connector.New(s, connector.WithParams(map[string]any{"a": 1, "b": 2}))
			require.Equal(t, first.Error(), err.Error())
		}
	})
}
