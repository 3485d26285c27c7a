package connector_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/restconn/restconn/connector"
)

// A directory with two users on two pages, and a 409 for a taken name.
func exampleServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer s3cret-token" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch {
		case r.Method == "GET" && r.URL.Query().Get("cursor") == "":
			fmt.Fprint(w, `{"users":[{"id":1,"login":"ann","state":"active","groups":["g1"]}],"next":"p2"}`)
		case r.Method == "GET":
			fmt.Fprint(w, `{"users":[{"id":2,"login":"bob","state":"suspended","groups":[]}],"next":null}`)
		case r.Method == "POST":
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"error":{"code":"login_taken","message":"login ann is taken"}}`)
		}
	}))
}

const exampleSpec = `{
  "name": "directory",
  "params": {"baseURL": {"required": true}},
  "secrets": {"token": {"required": true}},
  "connection": {
    "baseURL": "{{ .params.baseURL }}",
    "auth": {"api": {"type": "bearer", "token": "{{ .secrets.token }}"}},
    "errors": {"code": "error.code", "message": "error.message", "map": {"login_taken": "conflict"}}
  },
  "import": {"accounts": {
    "sources": [{"path": "/users", "records": "users", "paging": {"type": "cursor", "path": "next", "param": "cursor"}}],
    "id": "id", "name": "login",
    "active": {"path": "state", "equals": "active"},
    "entitlements": {"group": "groups"}
  }},
  "provision": {"createAccount": {"calls": [
    {"name": "create", "method": "POST", "path": "/users", "body": {"login": "${user.username}", "admin": "{{ .user.admin }}"}}
  ], "accountID": "{{ .responses.create.body.id }}"}}
}`

func Example() {
	srv := exampleServer()
	defer srv.Close()

	spec, err := connector.Parse([]byte(exampleSpec))
	if err != nil {
		panic(err)
	}
	eng, err := connector.New(spec,
		connector.WithParams(map[string]any{"baseURL": srv.URL}),
		connector.WithSecrets(map[string]string{"token": "s3cret-token"}),
	)
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for acct, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(acct.ID, acct.Name, acct.Active, acct.Entitlements["group"])
	}

	_, err = eng.Provision(ctx, connector.Request{Op: connector.CreateAccount,
		User: map[string]any{"username": "ann", "admin": false}})
	fmt.Println(errors.Is(err, connector.ErrConflict))
	fmt.Println(err)
	// Output:
	// 1 ann true [g1]
	// 2 bob false []
	// true
	// restconn: createAccount: call "create": HTTP 409: login_taken: login ann is taken (conflict)
}

func ExampleParse_error() {
	_, err := connector.Parse([]byte(`{"name": "x", "connection": {"baseUrl": "https://x.example.com"}}`))
	fmt.Println(errors.Is(err, connector.ErrInvalidSpec))
	fmt.Println(err)
	// Output:
	// true
	// restconn: connection.baseUrl: unknown key "baseUrl" (did you mean "baseURL"?) (invalid spec)
}

func ExampleError() {
	srv := exampleServer()
	defer srv.Close()
	spec, _ := connector.Parse([]byte(exampleSpec))
	eng, _ := connector.New(spec,
		connector.WithParams(map[string]any{"baseURL": srv.URL}),
		connector.WithSecrets(map[string]string{"token": "wrong-token"}))
	for _, err := range eng.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		var ce *connector.Error
		if errors.As(err, &ce) {
			fmt.Println(ce.Op, ce.Call, ce.StatusCode, errors.Is(err, connector.ErrAuth))
			fmt.Println(strings.Contains(err.Error(), "wrong-token"))
		}
	}
	// Output:
	// importAccounts list 401 true
	// false
}

// An import that a worker crash interrupts continues where it stopped: the
// worker saves the token Checkpoint hands it after every page, and the next
// worker passes the last one saved as Resume. Records of the page in
// progress come again, so the sink upserts by ID.
func ExampleImportOptions_resume() {
	srv := exampleServer() // one user per page
	defer srv.Close()
	spec, _ := connector.Parse([]byte(exampleSpec))
	eng, _ := connector.New(spec,
		connector.WithParams(map[string]any{"baseURL": srv.URL}),
		connector.WithSecrets(map[string]string{"token": "s3cret-token"}))
	ctx := context.Background()

	var saved string // the worker's durable store: a database row, a Temporal heartbeat
	sink := map[string]string{}
	opts := connector.ImportOptions{Checkpoint: func(token string) { saved = token }}
	for acct, err := range eng.ImportAccounts(ctx, opts) {
		if err != nil {
			panic(err)
		}
		fmt.Println("worker 1:", acct.ID, acct.Name)
		sink[acct.ID] = acct.Name
		if acct.ID == "2" {
			break // the worker crashes in the middle of page 2
		}
	}

	opts.Resume = saved // after page 1
	for acct, err := range eng.ImportAccounts(ctx, opts) {
		if err != nil {
			panic(err)
		}
		fmt.Println("worker 2:", acct.ID, acct.Name)
		sink[acct.ID] = acct.Name
	}
	fmt.Println(len(sink), "accounts")

	for _, err := range eng.ImportAccounts(ctx, connector.ImportOptions{Resume: "not-a-token"}) {
		fmt.Println(errors.Is(err, connector.ErrInvalidToken))
	}
	// Output:
	// worker 1: 1 ann
	// worker 1: 2 bob
	// worker 2: 2 bob
	// 2 accounts
	// true
}
