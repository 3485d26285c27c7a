package main

import (
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/examples/temporal/flows"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return p
	}
	req := file("req.json", `{"op": "addAccess", "account": {"id": "991267393"},
		"entitlement": {"type": "team", "id": "814866", "name": "Billing"}, "task": {"id": "REQ-42"}}`)
	noTask := file("notask.json", `{"op": "removeAccount", "account": {"id": "7"}}`)
	withPassword := file("pw.json", `{"op": "changePassword", "account": {"id": "7"}, "password": "hunter2"}`)
	unknownKey := file("bad.json", `{"op": "addAccess", "acount": {"id": "7"}}`)
	now := time.Unix(1760000000, 0)
	noEnv := func(string) string { return "" }
	okta := flows.Target{Preset: "okta", Params: map[string]any{"orgURL": "https://acme.okta.com"}}

	for _, tt := range []struct {
		name     string
		args     []string
		env      map[string]string
		workflow any
		input    any
		id       string
		wait     bool
		address  string
		err      string
	}{
		{name: "import accounts", args: []string{"import", "-preset", "okta", "-param", "orgURL=https://acme.okta.com"},
			workflow: flows.ImportWorkflow, input: flows.ImportRequest{Kind: "accounts", HeartbeatTimeout: 2 * time.Minute, ImportInput: flows.ImportInput{Target: okta}},
			id: "restconn-import-accounts-okta-1760000000", wait: true, address: "localhost:7233"},
		{name: "import access of one type, no wait", args: []string{"import", "-preset", "okta", "-param", "orgURL=https://acme.okta.com", "-credentials", "acme-okta", "-kind", "access", "-type", "group", "-no-wait", "-id", "nightly", "-heartbeat-timeout", "5m"},
			env:      map[string]string{"TEMPORAL_ADDRESS": "temporal.internal:7233"},
			workflow: flows.ImportWorkflow, input: flows.ImportRequest{Kind: "access", HeartbeatTimeout: 5 * time.Minute, ImportInput: flows.ImportInput{Target: flows.Target{Preset: "okta", Params: okta.Params, Credentials: "acme-okta"}, Types: []string{"group"}}},
			id: "nightly", address: "temporal.internal:7233"},
		{name: "incremental import", args: []string{"import", "-preset", "okta", "-param", "orgURL=https://acme.okta.com", "-since", "2026-01-02T03:04:05Z"},
			workflow: flows.ImportWorkflow, input: flows.ImportRequest{Kind: "accounts", HeartbeatTimeout: 2 * time.Minute, ImportInput: flows.ImportInput{Target: okta, Since: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}},
			id: "restconn-import-accounts-okta-1760000000", wait: true, address: "localhost:7233"},
		{name: "provision: the ID is the task's", args: []string{"provision", "-preset", "intercom", "-param", "ticketTypeID=1", "-request", req},
			workflow: flows.ProvisionWorkflow, input: flows.ProvisionRequest{Target: flows.Target{Preset: "intercom", Params: map[string]any{"ticketTypeID": "1"}},
				Request: connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": "991267393"}, Entitlement: &connector.Entitlement{Type: "team", ID: "814866", Name: "Billing"}, Task: map[string]any{"id": "REQ-42"}}},
			id: "restconn-provision-REQ-42", wait: true, address: "localhost:7233"},
		{name: "provision without a task ID", args: []string{"provision", "-preset", "otrs", "-request", noTask},
			workflow: flows.ProvisionWorkflow, input: flows.ProvisionRequest{Target: flows.Target{Preset: "otrs"},
				Request: connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "7"}}},
			id: "restconn-provision-removeAccount-otrs-1760000000", wait: true, address: "localhost:7233"},
		{name: "await", args: []string{"await", "-preset", "otrs", "-ticket", "1001"},
			workflow: flows.AwaitTicketWorkflow, input: flows.AwaitRequest{Target: flows.Target{Preset: "otrs"}, Result: connector.Result{Ticket: &connector.Ticket{ID: "1001", State: connector.TicketOpen}}},
			id: "restconn-await-otrs-1001", wait: true, address: "localhost:7233"},
		{name: "no command", args: nil, err: "usage: starter"},
		{name: "unknown command", args: []string{"sync", "-preset", "okta"}, err: `unknown command "sync"`},
		{name: "no preset", args: []string{"import"}, err: "-preset is required"},
		{name: "bad param", args: []string{"import", "-preset", "okta", "-param", "orgURL"}, err: "want name=value"},
		{name: "bad since", args: []string{"import", "-preset", "okta", "-since", "yesterday"}, err: "-since"},
		{name: "no request", args: []string{"provision", "-preset", "okta"}, err: "-request is required"},
		{name: "a password", args: []string{"provision", "-preset", "okta", "-request", withPassword}, err: "a password would be kept in workflow history"},
		{name: "an unknown key", args: []string{"provision", "-preset", "okta", "-request", unknownKey}, err: "acount"},
		{name: "no ticket", args: []string{"await", "-preset", "okta"}, err: "-ticket is required"},
		{name: "extra arguments", args: []string{"import", "-preset", "okta", "more"}, err: "unexpected arguments"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			env := noEnv
			if tt.env != nil {
				env = func(k string) string { return tt.env[k] }
			}
			st, err := parse(tt.args, env, io.Discard, now)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				assert.NotContains(t, err.Error(), "hunter2")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, reflect.ValueOf(tt.workflow).Pointer(), reflect.ValueOf(st.workflow).Pointer(), "workflow")
			assert.Equal(t, tt.input, st.input)
			assert.Equal(t, tt.id, st.options.ID)
			assert.Equal(t, flows.TaskQueue, st.options.TaskQueue)
			assert.Equal(t, tt.wait, st.wait)
			assert.Equal(t, tt.address, st.address)
			assert.Equal(t, "default", st.namespace)
		})
	}
}
