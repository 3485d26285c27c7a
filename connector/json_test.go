package connector_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// The JSON forms are a contract with everything that reads restconn's
// output (the restconn command prints them): field names are pinned here.
func TestJSONForms(t *testing.T) {
	tests := []struct {
		name string
		v    any
		want string
	}{
		{"account", connector.Account{ID: "7", Name: "Ann", Active: true,
			Attributes:   map[string]any{"email": "ann@example.com"},
			Entitlements: map[string][]string{"group": {"g1"}}},
			`{"id":"7","name":"Ann","active":true,"attributes":{"email":"ann@example.com"},"entitlements":{"group":["g1"]}}`},
		{"account without lists", connector.Account{ID: "7"},
			`{"id":"7","name":"","active":false}`},
		{"account with empty lists", connector.Account{ID: "7", Attributes: map[string]any{}, Entitlements: map[string][]string{}},
			`{"id":"7","name":"","active":false,"attributes":{},"entitlements":{}}`},
		{"entitlement", connector.Entitlement{Type: "group", ID: "g1", Name: "Sales",
			Attributes: map[string]any{"size": int64(2)}, Members: []string{"7", "8"}},
			`{"type":"group","id":"g1","name":"Sales","attributes":{"size":2},"members":["7","8"]}`},
		{"entitlement without members listed", connector.Entitlement{Type: "group", ID: "g1"},
			`{"type":"group","id":"g1","name":""}`},
		{"entitlement with no members", connector.Entitlement{Type: "group", ID: "g1", Members: []string{}},
			`{"type":"group","id":"g1","name":"","members":[]}`},
		{"result", connector.Result{AccountID: "9", Attributes: map[string]any{"etag": "W/1"}},
			`{"accountID":"9","attributes":{"etag":"W/1"}}`},
		{"result with ticket", connector.Result{Ticket: &connector.Ticket{ID: "42", Number: "2024-1", State: connector.TicketPending, Status: "new"}},
			`{"ticket":{"id":"42","number":"2024-1","state":"pending","status":"new"}}`},
		{"ticket", connector.Ticket{ID: "42", State: connector.TicketOpen},
			`{"id":"42","state":"open"}`},
		{"request", connector.Request{Op: connector.AddAccess,
			User:        map[string]any{"email": "ann@example.com"},
			Account:     map[string]any{"id": "7"},
			Entitlement: &connector.Entitlement{Type: "group", ID: "g1", Name: "Sales"},
			Task:        map[string]any{"id": "T-1"}},
			`{"op":"addAccess","user":{"email":"ann@example.com"},"account":{"id":"7"},"entitlement":{"type":"group","id":"g1","name":"Sales"},"task":{"id":"T-1"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := json.Marshal(tt.v)
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(b))
		})
	}
}

// Values read back from JSON are the values the engine produced: numbers
// keep the engine's Go types and every digit, and nil and empty stay apart.
func TestJSONRoundTrip(t *testing.T) {
	attrs := map[string]any{
		"s": "x", "b": true, "n": int64(42), "f": 2.5, "null": nil,
		"big":    json.Number("123456789012345678901234567890"), // an ID beyond int64
		"id64":   int64(9007199254740993),                       // beyond float64's exact range
		"list":   []any{int64(1), "two"},
		"nested": map[string]any{"k": int64(-3)},
	}
	check := func(t *testing.T, in, out any) {
		t.Helper()
		b, err := json.Marshal(in)
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(b, out))
		assert.Equal(t, in, deref(out))
	}
	t.Run("account", func(t *testing.T) {
		check(t, connector.Account{ID: "7", Name: "Ann", Active: true, Attributes: attrs, Entitlements: map[string][]string{"g": {"1"}, "empty": {}}}, &connector.Account{})
		check(t, connector.Account{ID: "7", Attributes: map[string]any{}, Entitlements: map[string][]string{}}, &connector.Account{})
		check(t, connector.Account{ID: "7"}, &connector.Account{})
	})
	t.Run("entitlement", func(t *testing.T) {
		check(t, connector.Entitlement{Type: "team", ID: "1", Name: "Sales", Attributes: attrs, Members: []string{"7"}}, &connector.Entitlement{})
		check(t, connector.Entitlement{Type: "team", ID: "1", Members: []string{}}, &connector.Entitlement{})
		check(t, connector.Entitlement{Type: "team", ID: "1"}, &connector.Entitlement{})
	})
	t.Run("result", func(t *testing.T) {
		check(t, connector.Result{AccountID: "7", Attributes: attrs}, &connector.Result{})
		check(t, connector.Result{Ticket: &connector.Ticket{ID: "1", Number: "N", State: connector.TicketCompleted, Status: "closed"}}, &connector.Result{})
	})
	t.Run("ticket", func(t *testing.T) {
		check(t, connector.Ticket{ID: "1", Number: "N", State: connector.TicketRejected, Status: "rejected by Bob"}, &connector.Ticket{})
	})
	t.Run("request without password", func(t *testing.T) {
		check(t, connector.Request{Op: connector.CreateAccount, User: attrs, Account: map[string]any{"id": int64(7)},
			Entitlement: &connector.Entitlement{Type: "g", ID: "1", Attributes: attrs}, Task: map[string]any{"id": "T"}}, &connector.Request{})
	})
	t.Run("slice of accounts", func(t *testing.T) {
		check(t, []connector.Account{{ID: "1", Attributes: attrs}, {ID: "2"}}, &[]connector.Account{})
	})
}

func deref(p any) any {
	switch v := p.(type) {
	case *connector.Account:
		return *v
	case *connector.Entitlement:
		return *v
	case *connector.Result:
		return *v
	case *connector.Ticket:
		return *v
	case *connector.Request:
		return *v
	case *[]connector.Account:
		return *v
	}
	panic(fmt.Sprintf("deref %T", p))
}

// The password is read from a request file but no marshalling writes it:
// not the value, not a pointer, not inside other values.
func TestRequestPasswordNeverMarshals(t *testing.T) {
	const pw = "Tr0ub4dor&3-never-written"
	req := connector.Request{Op: connector.ChangePassword, Account: map[string]any{"id": "7"}, Password: pw}
	forms := map[string]any{
		"value":   req,
		"pointer": &req,
		"slice":   []connector.Request{req},
		"map":     map[string]any{"req": req},
		"struct":  struct{ R *connector.Request }{&req},
	}
	for name, v := range forms {
		b, err := json.Marshal(v)
		require.NoError(t, err, name)
		assert.NotContains(t, string(b), pw, name)
		assert.NotContains(t, string(b), "password", name)
		b, err = json.MarshalIndent(v, "", "  ")
		require.NoError(t, err, name)
		assert.NotContains(t, string(b), pw, name)
	}
	// fmt and slog redaction are unchanged.
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v %s", req, req, req, req), pw)

	var back connector.Request
	require.NoError(t, json.Unmarshal([]byte(`{"op":"changePassword","account":{"id":"7"},"password":"`+pw+`"}`), &back))
	assert.Equal(t, pw, back.Password, "the password is read")
	assert.Equal(t, connector.ChangePassword, back.Op)
	assert.Equal(t, map[string]any{"id": "7"}, back.Account)
}

// Request files are written by hand: a misspelt key must fail and say
// where it is, rather than be dropped.
func TestRequestUnmarshalStrict(t *testing.T) {
	tests := []struct {
		name, in, path, msg string
	}{
		{"unknown top-level key", `{"op":"createAccount","pasword":"x"}`, "pasword", `unknown key "pasword" (did you mean "password"?)`},
		{"key in wrong case", `{"Op":"createAccount"}`, "Op", `unknown key "Op" (did you mean "op"?)`},
		{"unknown entitlement key", `{"op":"addAccess","entitlement":{"type":"team","id":"1","nmae":"Sales"}}`, "entitlement.nmae", `unknown key "nmae" (did you mean "name"?)`},
		{"user not an object", `{"user":"ann"}`, "user", "want an object, got a string"},
		{"entitlement members not strings", `{"entitlement":{"type":"t","id":"1","members":[7]}}`, "entitlement.members[0]", "want a string, got a number"},
		{"password not a string", `{"password":1234}`, "password", "want a string, got a number"},
		{"unknown operation", `{"op":"addAcess"}`, "op", `unknown operation "addAcess"`},
		{"not an object", `["createAccount"]`, "", "want an object, got a list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req connector.Request
			err := json.Unmarshal([]byte(tt.in), &req)
			require.Error(t, err)
			var ce *connector.Error
			require.True(t, errors.As(err, &ce), "%T %v", err, err)
			assert.Equal(t, tt.path, ce.Path)
			assert.Contains(t, ce.Message, tt.msg)
			assert.False(t, errors.Is(err, connector.ErrInvalidSpec), "a bad request is not a bad spec")
			if tt.path != "" {
				assert.Contains(t, err.Error(), tt.path)
			}
		})
	}

	// Keys inside user, account and task are the caller's own.
	var req connector.Request
	require.NoError(t, json.Unmarshal([]byte(`{"op":"updateAccount","user":{"anything":1},"account":{"id":"7","custom_field":[1,2]},"task":{"whatever":null}}`), &req))
	assert.Equal(t, map[string]any{"id": "7", "custom_field": []any{int64(1), int64(2)}}, req.Account)
}

// A request file, as the restconn command reads it.
func ExampleRequest_UnmarshalJSON() {
	file := `{
	  "op": "addAccess",
	  "account": {"id": "991267390", "email": "ciara@example.com"},
	  "entitlement": {"type": "team", "id": "814865", "name": "Billing"},
	  "task": {"id": "REQ-17", "requestor": "lead@example.com"}
	}`
	var req connector.Request
	if err := json.Unmarshal([]byte(file), &req); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(req.Op, req.Account["id"], req.Entitlement.Type, req.Entitlement.ID)

	err := json.Unmarshal([]byte(`{"op": "addAccess", "entitlement": {"type": "team", "ID": "814865"}}`), &req)
	fmt.Println(err)
	// Output:
	// addAccess 991267390 team 814865
	// restconn: entitlement.ID: unknown key "ID" (did you mean "id"?)
}
