package saviynt_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/saviynt"
)

// A connection with Basic auth and a CreateAccountJSON, converted and run.
func Example() {
	conn := saviynt.Connection{
		"ConnectionJSON": `{"authentications": {"acctAuth": {"authType": "Basic",
			"properties": {"userName": "svc-saviynt", "password": "********"}}}}`,
		"CreateAccountJSON": `{"accountIdPath": "call1.message.id", "call": [{"name": "call1", "connection": "acctAuth",
			"url": "https://api.example.com/v1/users", "httpMethod": "POST",
			"httpParams": "{\"login\": \"${user.username.toLowerCase()}\", \"mail\": \"${user?.email}\", \"active\": ${user.statuskey == '1'}}",
			"httpHeaders": {"Authorization": "${access_token}"}, "httpContentType": "application/json",
			"successResponses": {"statusCode": [201]}}]}`,
	}
	spec, warnings, err := saviynt.Convert(conn)
	if err != nil {
		panic(err)
	}
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	body, _ := json.MarshalIndent(spec.Provision[connector.CreateAccount].Calls[0].Body, "", "  ")
	fmt.Println(string(body))

	// The API the connection talks to.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Println(r.Method, r.URL.Path, string(b))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id": "u-42"}`)
	}))
	defer srv.Close()

	eng, err := connector.New(spec,
		connector.WithParams(map[string]any{"baseURL": srv.URL}),
		connector.WithSecrets(map[string]string{"acctAuth_password": "s3cret"}),
	)
	if err != nil {
		panic(err)
	}
	res, err := eng.Provision(context.Background(), connector.Request{Op: connector.CreateAccount,
		User: map[string]any{"username": "Ann.Lee", "statuskey": "1"}})
	if err != nil {
		panic(err)
	}
	fmt.Println("account", res.AccountID)
	// Output:
	// warning: ConnectionJSON authentications.acctAuth.properties.password: credential moved to secret "acctAuth_password": pass its value with connector.WithSecrets
	// {
	//   "active": "{{ and (not (kindIs \"struct\" (opt .user \"statuskey\"))) (eq (cat (opt .user \"statuskey\")) \"1\") }}",
	//   "login": "{{ lower .user.username }}",
	//   "mail": "{{ opt .user \"email\" }}"
	// }
	// POST /v1/users {"active":true,"login":"ann.lee"}
	// account u-42
}
