package genesys_test

import (
	"context"
	"fmt"
	"log"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys"
	"github.com/restconn/restconn/providers/genesys/genesystest"
)

// ExampleNew imports the users of an organisation and provisions a new
// one. It runs against genesystest, the package's fake Genesys Cloud; for a
// real organisation give Region (e.g. "mypurecloud.ie") instead of the two
// base URLs, and your OAuth client.
func ExampleNew() {
	srv := genesystest.NewServer()
	defer srv.Close()

	eng, err := genesys.New(genesys.Config{
		APIBaseURL:   srv.APIURL,
		LoginBaseURL: srv.LoginURL,
		ClientID:     srv.ClientID,
		ClientSecret: srv.ClientSecret,
	})
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	if err := eng.Connect(ctx); err != nil {
		log.Fatal(err)
	}

	for acct, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(acct.Name, acct.Active, acct.Attributes["title"], acct.Entitlements["role"])
	}

	res, err := eng.Provision(ctx, connector.Request{
		Op: connector.CreateAccount,
		User: map[string]any{
			"email":       "marie.curie@example.com",
			"displayname": "Marie Curie",
			"title":       "Agent",
			"department":  "Support",
		},
	})
	if err != nil {
		log.Fatal(err)
	}
	u, _ := srv.User(res.AccountID)
	fmt.Println("created:", u.UserName, u.Title, u.Department, "adopted:", res.Attributes["adopted"])

	// Output:
	// ada.lovelace@example.com true Supervisor [employee Supervisor]
	// grace.hopper@example.com true Agent [employee]
	// alan.turing@example.com false Agent [employee]
	// created: marie.curie@example.com Agent Support adopted: false
}

// ExampleSpec customises the preset: it imports one more attribute, lists
// active users only and authenticates with a pre-issued token, then runs
// the spec with connector.New.
func ExampleSpec() {
	srv := genesystest.NewServer(genesystest.WithStaticToken("my-scim-token"))
	defer srv.Close()

	spec := genesys.Spec()
	accts := spec.Import.Accounts
	accts.Sources = accts.Sources[:1] // the first source lists active users
	accts.Attributes["externalIds"] = binding.Field{
		Path: `["urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"].externalIds[].value`,
	}
	spec.Connection.DefaultAuth = "token"
	delete(spec.Connection.Auth, "oauth")

	eng, err := connector.New(spec,
		connector.WithParams(map[string]any{"apiBaseURL": srv.APIURL}),
		connector.WithSecrets(map[string]string{"accessToken": "my-scim-token"}),
	)
	if err != nil {
		log.Fatal(err)
	}
	for acct, err := range eng.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(acct.Name, acct.Attributes["externalIds"])
	}

	// Output:
	// ada.lovelace@example.com [1001]
	// grace.hopper@example.com [1002]
}
