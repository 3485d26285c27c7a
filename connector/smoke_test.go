package connector

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSmoke(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(401)
			fmt.Fprint(w, `{"errors":[{"code":"unauthorized","message":"bad token"}]}`)
			return
		}
		switch r.URL.Path {
		case "/users":
			c, _ := strconv.Atoi(r.URL.Query().Get("cursor"))
			var users []map[string]any
			for i := c; i < c+3 && i < 7; i++ {
				users = append(users, map[string]any{"id": i, "name": fmt.Sprint("u", i), "groups": []any{map[string]any{"value": "g1"}}})
			}
			next := any(nil)
			if c+3 < 7 {
				next = strconv.Itoa(c + 3)
			}
			json.NewEncoder(w).Encode(map[string]any{"users": users, "next": next})
		case "/create":
			b, _ := io.ReadAll(r.Body)
			w.Write([]byte(`{"id":"new1","echo":` + string(b) + `}`))
		}
	}))
	defer srv.Close()
	spec, err := Parse([]byte(`{
	  "name": "smoke",
	  "secrets": {"token": {"required": true}},
	  "connection": {"baseURL": "` + srv.URL + `", "auth": {"main": {"type": "bearer", "token": "{{ .secrets.token }}"}},
	    "errors": {"code": "errors[0].code", "message": "errors[0].message"}},
	  "import": {"accounts": {
	    "sources": [{"path": "/users", "records": "users", "paging": {"type": "cursor", "path": "next", "param": "cursor"}}],
	    "id": "id", "name": "name", "attributes": {"name": "name"}, "entitlements": {"group": "groups[].value"}}},
	  "provision": {"createAccount": {"calls": [{"name": "create", "method": "POST", "path": "/create",
	     "body": {"email": "${user.email}", "active": "{{ .user.active }}"}}], "accountID": "{{ .responses.create.body.id }}",
	     "attributes": {"echo": "{{ .responses.create.body.echo }}"}}}
	}`))
	require.NoError(t, err)
	e, err := New(spec, WithSecrets(map[string]string{"token": "tok"}))
	require.NoError(t, err)
	var ids []string
	for a, err := range e.ImportAccounts(context.Background(), ImportOptions{}) {
		require.NoError(t, err)
		ids = append(ids, a.ID)
		t.Logf("%+v", a)
	}
	require.Equal(t, []string{"0", "1", "2", "3", "4", "5", "6"}, ids)
	res, err := e.Provision(context.Background(), Request{Op: CreateAccount, User: map[string]any{"email": `a"b@x`, "active": true}})
	require.NoError(t, err)
	t.Logf("%+v", res)
	e2, _ := New(spec, WithSecrets(map[string]string{"token": "bad"}))
	for _, err := range e2.ImportAccounts(context.Background(), ImportOptions{}) {
		t.Log(err)
		require.ErrorIs(t, err, ErrAuth)
	}
}
