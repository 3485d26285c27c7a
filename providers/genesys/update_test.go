package genesys_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/providers/genesys/genesystest"
)

const (
	enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	patchOp    = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
)

// addRita adds a user with two emails and two phone numbers, so that tests
// can see that an update touches only the work ones.
func addRita(srv *genesystest.Server, managerID string) genesystest.User {
	return srv.AddUser(genesystest.User{
		UserName: "rita.levi@example.com", DisplayName: "Rita Levi", Title: "Analyst", Active: true,
		Emails:       []genesystest.Email{{Value: "rita.levi@example.com", Type: "work", Primary: true}, {Value: "rita@home.example", Type: "other"}},
		PhoneNumbers: []genesystest.Phone{{Value: "+390611111", Type: "work", Primary: true}, {Value: "+393331111", Type: "mobile"}},
		Department:   "Research", Division: "Rome", EmployeeNumber: "77", ManagerID: managerID, ExternalID: "hr-77",
		RoutingSkills: []genesystest.Proficiency{{Name: "Chemistry", Proficiency: 4.5}},
	})
}

// writes counts the requests that change something.
func writes(srv *genesystest.Server) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Host == "api" && r.Method != "GET" {
			n++
		}
	}
	return n
}

func TestUpdateAccountFromUser(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	ada := userByName(t, srv, "ada.lovelace@example.com")
	alan := userByName(t, srv, "alan.turing@example.com")
	rita := addRita(srv, ada.ID)

	// An IGA system sends the identity's new columns; Request.Account
	// carries only the ID.
	user := map[string]any{
		"username": "ignored", "firstname": "ignored", "displayname": "Rita Levi-Montalcini", "title": "Director",
		"email": "rita.lm@example.com", "phone": "+390622222", "department": "Neurology", "division": "Turin",
		"employeeid": 1986, "manager": alan.ID, "externalid": "hr-77", "active": false,
	}
	res, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": rita.ID}, User: user})
	require.NoError(t, err)
	assert.False(t, res.Unchanged)
	assert.Equal(t, map[string]any{"version": `"2"`}, res.Attributes)

	assert.Equal(t, map[string]any{
		"schemas": []any{patchOp},
		"Operations": []any{
			map[string]any{"op": "replace", "value": map[string]any{
				"displayName": "Rita Levi-Montalcini", "title": "Director", "externalId": "hr-77",
				enterprise: map[string]any{"department": "Neurology", "division": "Turin", "employeeNumber": "1986", "manager": map[string]any{"value": alan.ID}},
			}},
			map[string]any{"op": "replace", "path": `emails[type eq "work"].value`, "value": "rita.lm@example.com"},
			map[string]any{"op": "replace", "path": `phoneNumbers[type eq "work"].value`, "value": "+390622222"},
		},
	}, lastBody(t, srv, "PATCH"), "each identity column goes to its target attribute; the lists change only their work entries")

	got, _ := srv.User(rita.ID)
	assert.Equal(t, genesystest.User{
		ID: rita.ID, UserName: "rita.levi@example.com", DisplayName: "Rita Levi-Montalcini", Title: "Director", Active: true, ExternalID: "hr-77",
		Emails:       []genesystest.Email{{Value: "rita.lm@example.com", Type: "work", Primary: true}, {Value: "rita@home.example", Type: "other"}},
		PhoneNumbers: []genesystest.Phone{{Value: "+390622222", Type: "work", Primary: true}, {Value: "+393331111", Type: "mobile"}},
		Department:   "Neurology", Division: "Turin", EmployeeNumber: "1986", ManagerID: alan.ID,
		RoutingSkills: rita.RoutingSkills, Roles: got.Roles, Version: 2, LastModified: got.LastModified,
	}, got, "userName and active are not identity columns of an update")

	// The same request again: the user already matches, nothing is written.
	n := writes(srv)
	res, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": rita.ID}, User: user})
	require.NoError(t, err)
	assert.True(t, res.Unchanged)
	assert.Equal(t, map[string]any{"version": `"2"`}, res.Attributes, "the version the GET read")
	assert.Equal(t, n, writes(srv), "zero write requests")

	// Empty and null columns set nothing.
	res, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": rita.ID},
		User: map[string]any{"title": "", "displayname": nil, "email": "", "department": "Neurology"}})
	require.NoError(t, err)
	assert.True(t, res.Unchanged)
	assert.Equal(t, n, writes(srv))

	// One column differs: one PATCH with what the columns say.
	res, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": rita.ID},
		User: map[string]any{"title": "Director", "email": "rita@neuro.example"}})
	require.NoError(t, err)
	assert.False(t, res.Unchanged)
	assert.Equal(t, n+1, writes(srv))
	got, _ = srv.User(rita.ID)
	assert.Equal(t, []genesystest.Email{{Value: "rita@neuro.example", Type: "work", Primary: true}, {Value: "rita@home.example", Type: "other"}}, got.Emails)
	assert.Equal(t, "Director", got.Title)
}

func TestUpdateAccountFromAccount(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	ada := userByName(t, srv, "ada.lovelace@example.com")
	rita := addRita(srv, ada.ID)

	// What an import returned, changed: the target's own attribute names.
	accts, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	var account map[string]any
	for _, a := range accts {
		if a.ID == rita.ID {
			account = a.Attributes
		}
	}
	require.NotNil(t, account)
	account["id"] = rita.ID

	// Unchanged, as imported: lists and numbers compare by value.
	n := writes(srv)
	res, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: account})
	require.NoError(t, err)
	assert.True(t, res.Unchanged, "the imported account is what the user holds")
	assert.Equal(t, n, writes(srv), "zero write requests")

	account["routingSkills"] = []any{map[string]any{"name": "Chemistry", "proficiency": 5}}
	account["emails"] = []any{map[string]any{"value": "rita@lab.example", "type": "work", "primary": true}}
	res, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: account})
	require.NoError(t, err)
	assert.False(t, res.Unchanged)
	got, _ := srv.User(rita.ID)
	assert.Equal(t, []genesystest.Proficiency{{Name: "Chemistry", Proficiency: 5}}, got.RoutingSkills)
	assert.Equal(t, []genesystest.Email{{Value: "rita@lab.example", Type: "work", Primary: true}}, got.Emails,
		"a list from Request.Account replaces the list: it is the target's own value")
	body := lastBody(t, srv, "PATCH")
	require.Len(t, body["Operations"], 1, "no identity-column operations")

	// Nothing given at all: nothing to change.
	n = writes(srv)
	res, err = e.Provision(ctx, connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": rita.ID}})
	require.NoError(t, err)
	assert.True(t, res.Unchanged)
	assert.Equal(t, n, writes(srv))
}

func TestUpdateAccountAccountWins(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	ctx := context.Background()
	ada := userByName(t, srv, "ada.lovelace@example.com")
	rita := addRita(srv, ada.ID)

	_, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount,
		Account: map[string]any{"id": rita.ID, "title": "Senator", "emails": nil, "department": nil},
		User:    map[string]any{"title": "Director", "displayname": "Rita L.", "email": "rita@senate.example", "department": "Politics"}})
	require.NoError(t, err)
	got, _ := srv.User(rita.ID)
	assert.Equal(t, "Senator", got.Title, "Request.Account wins")
	assert.Equal(t, "Rita L.", got.DisplayName, "absent from Request.Account: from Request.User")
	assert.Equal(t, "Politics", got.Department, "null in Request.Account counts as absent")
	assert.Equal(t, "rita@senate.example", got.Emails[0].Value)

	// Account says the same as the user holds, User differs: no write.
	n := writes(srv)
	res, err := e.Provision(ctx, connector.Request{Op: connector.UpdateAccount,
		Account: map[string]any{"id": rita.ID, "title": "Senator"}, User: map[string]any{"title": "Director"}})
	require.NoError(t, err)
	assert.True(t, res.Unchanged)
	assert.Equal(t, n, writes(srv))
}

func TestCreateAccountSendsActive(t *testing.T) {
	srv := newServer(t)
	e := newEngine(t, clientConfig(srv))
	res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount,
		User: map[string]any{"email": "new.agent@example.com", "displayname": "New Agent"}})
	require.NoError(t, err)
	assert.Equal(t, true, lastBody(t, srv, "POST")["active"], "SCIM leaves the default to the server: say it")
	assert.False(t, res.Unchanged)
	u, _ := srv.User(res.AccountID)
	assert.True(t, u.Active)

	// Adopting an existing user writes nothing.
	res, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount,
		User: map[string]any{"email": "new.agent@example.com", "displayname": "New Agent"}})
	require.NoError(t, err)
	assert.True(t, res.Unchanged)
	assert.Equal(t, true, res.Attributes["adopted"])
}
