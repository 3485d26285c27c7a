package okta_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/okta"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

// New with a fake org; for a real one, OrgURL is https://<your org>.okta.com
// and Token an API token.
func ExampleNew() {
	srv := oktatest.NewServer()
	defer srv.Close()
	eng, err := okta.New(okta.Config{OrgURL: srv.URL, Token: srv.Token}, connector.WithHTTPClient(srv.Client()))
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	for acct, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		if strings.HasPrefix(acct.Name, "a") {
			fmt.Println(acct.Name, acct.Attributes["status"], acct.Active)
		}
	}
	// Members arrive in chunks of at most 1000: merge them by type and ID.
	members := map[string][]string{}
	for ent, err := range eng.ImportAccess(ctx, connector.ImportOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		members[ent.Name] = append(members[ent.Name], ent.Members...)
	}
	fmt.Println("Engineering:", len(members["Engineering"]), "members")
	// Output:
	// alan.turing@example.com SUSPENDED false
	// ada.lovelace@example.com ACTIVE true
	// Engineering: 7 members
}

// Each user's groups in Account.Entitlements["group"]: one more call per
// user (GET /api/v1/users/{id}/groups), so the preset leaves it out; add
// it to the spec and build the engine with connector.New, passing the
// params and the secret that okta.New would.
func ExampleSpec() {
	srv := oktatest.NewServer()
	defer srv.Close()
	spec := okta.Spec()
	spec.Import.Accounts.EntitlementsFrom = map[string]*connector.SubList{"group": {
		ListCall: connector.ListCall{
			Call:   connector.Call{Name: "userGroups", Path: "/api/v1/users/{{ .record.id }}/groups"},
			Paging: &connector.Paging{Type: "link"},
		},
		ID: binding.Field{Path: "id"},
	}}
	eng, err := connector.New(spec,
		connector.WithParams(map[string]any{"orgURL": srv.URL}), // also "limit" (default 200), "deactivateOnDisable"
		connector.WithSecrets(map[string]string{"token": srv.Token}),
		connector.WithHTTPClient(srv.Client()),
	)
	if err != nil {
		log.Fatal(err)
	}
	names := map[string]string{}
	for g, err := range eng.ImportAccess(context.Background(), connector.ImportOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		names[g.ID] = g.Name
	}
	for acct, err := range eng.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		if err != nil {
			log.Fatal(err)
		}
		if acct.Name == "grace.hopper@example.com" {
			var groups []string
			for _, id := range acct.Entitlements["group"] {
				groups = append(groups, names[id])
			}
			fmt.Println(acct.Name, strings.Join(groups, ", "))
		}
	}
	// Output:
	// grace.hopper@example.com Everyone, Engineering, Engineering users (AD)
}
