package flows_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/examples/temporal/flows"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
	"github.com/restconn/restconn/providers/okta/oktatest"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

// helpdesk is a preset's fake that fulfils requests through tickets, as
// the tests need it: how to reach it, and how a person works a ticket.
type helpdesk struct {
	target  flows.Target
	secrets map[string]string
	resolve func(t *testing.T, id string) // a person completes the ticket
	reject  func(t *testing.T, id string) // a person closes it without doing the work
	polls   func(id string) int           // TicketStatus reads of the ticket the fake saw
	files   func() int                    // tickets filed
	fault   func()                        // the next poll fails with a server error
}

func intercomDesk(t *testing.T) helpdesk {
	srv := intercomtest.NewServer()
	t.Cleanup(srv.Close)
	return helpdesk{
		target:  flows.Target{Preset: "intercom", Params: map[string]any{"baseURL": srv.URL, "ticketTypeID": "1"}},
		secrets: map[string]string{"token": srv.Token},
		resolve: func(t *testing.T, id string) { require.NoError(t, srv.SetTicketState(id, "resolved")) },
		reject:  func(t *testing.T, id string) { require.NoError(t, srv.CloseTicket(id)) },
		polls: func(id string) int {
			n := 0
			for _, r := range srv.Requests() {
				if r.Method == "GET" && r.Path == "/tickets/"+id {
					n++
				}
			}
			return n
		},
		files: func() int { return len(srv.Tickets()) },
	}
}

func otrsDesk(t *testing.T) helpdesk {
	srv := otrstest.NewServer()
	t.Cleanup(srv.Close)
	return helpdesk{
		target:  flows.Target{Preset: "otrs", Params: map[string]any{"baseURL": srv.URL, "userLogin": otrstest.DefaultAgentLogin}},
		secrets: map[string]string{"password": otrstest.DefaultAgentPassword},
		resolve: func(t *testing.T, id string) { require.NoError(t, srv.SetState(id, "closed successful")) },
		reject:  func(t *testing.T, id string) { require.NoError(t, srv.SetState(id, "closed unsuccessful")) },
		polls: func(id string) int {
			n := 0
			for _, r := range srv.Requests() {
				if r.Method == "GET" && strings.HasSuffix(r.Path, "/Ticket/"+id) {
					n++
				}
			}
			return n
		},
		files: func() int { return len(srv.Tickets()) },
		fault: func() { srv.FailNext(1, otrstest.FaultServer) },
	}
}

// accessRequest asks for a team (Intercom) or group (OTRS) for an account.
var accessRequest = connector.Request{
	Op:          connector.AddAccess,
	User:        map[string]any{"email": "ann.lee@example.com"},
	Account:     map[string]any{"id": "991267393", "name": "Ann Lee", "email": "ann.lee@example.com"},
	Entitlement: &connector.Entitlement{Type: "team", ID: "814866", Name: "Billing"},
	Task:        map[string]any{"id": "REQ-42", "requestor": "jane.doe@example.com"},
}

// schedule counts the polls of a ticket that a person finishes after d:
// one after each wait, 30s growing by half up to 15m, until the first
// poll at or after d. It is written out here, not taken from flows, so
// that the test checks the schedule rather than repeat it.
func schedule(d time.Duration) int {
	var at time.Duration
	wait, polls := 30*time.Second, 0
	for {
		at += wait
		polls++
		if at >= d {
			return polls
		}
		wait = min(wait*3/2, 15*time.Minute)
	}
}

// A ticket a person works after two days: the workflow waits with
// durable timers (the test environment skips them), polls on the growing
// schedule, and returns the final ticket, completed or rejected.
func TestProvisionAwaitsTicketForDays(t *testing.T) {
	const twoDays = 48 * time.Hour
	want := schedule(twoDays)
	require.Less(t, want, 250, "about 200 polls in two days, not one a second")

	for _, tt := range []struct {
		desk  string
		final connector.TicketState
	}{
		{"intercom", connector.TicketCompleted},
		{"intercom", connector.TicketRejected},
		{"otrs", connector.TicketCompleted},
		{"otrs", connector.TicketRejected},
	} {
		t.Run(tt.desk+" "+string(tt.final), func(t *testing.T) {
			d := map[string]func(*testing.T) helpdesk{"intercom": intercomDesk, "otrs": otrsDesk}[tt.desk](t)
			env := newEnv(t, &flows.Activities{Connect: flows.Presets(flows.Builtin, secrets(d.secrets))})
			start := env.Now()
			id := filedTicket(t, env)
			env.RegisterDelayedCallback(func() {
				if tt.final == connector.TicketCompleted {
					d.resolve(t, *id)
				} else {
					d.reject(t, *id)
				}
			}, twoDays)
			env.ExecuteWorkflow(flows.ProvisionWorkflow, flows.ProvisionRequest{Target: d.target, Request: accessRequest})

			require.True(t, env.IsWorkflowCompleted())
			require.NoError(t, env.GetWorkflowError())
			var res flows.ProvisionResult
			require.NoError(t, env.GetWorkflowResult(&res))
			require.NotNil(t, res.Result.Ticket)
			ticketID := *id
			assert.Equal(t, ticketID, res.Result.Ticket.ID)
			assert.Equal(t, tt.final, res.Result.Ticket.State, "the final ticket is the result, rejected too")
			assert.Equal(t, want, res.Polls, "one poll after each wait of the schedule")
			assert.Equal(t, want, d.polls(ticketID), "the polls the helpdesk saw")
			assert.Equal(t, 1, d.files(), "one ticket filed")
			waited := env.Now().Sub(start)
			assert.GreaterOrEqual(t, waited, twoDays)
			assert.Less(t, waited, twoDays+15*time.Minute, "seen at the first poll after the change")
		})
	}
}

// A poll that fails for a reason that may pass (a server error) is
// repeated at the next wait, as AwaitTicket does: the schedule goes on.
// One that fails for good (refused credentials) ends the workflow with
// the error and the ticket as last read.
func TestProvisionPollErrors(t *testing.T) {
	t.Run("transient", func(t *testing.T) {
		d := otrsDesk(t)
		env := newEnv(t, &flows.Activities{Connect: flows.Presets(flows.Builtin, secrets(d.secrets))})
		var id string
		failedPolls := 0
		env.SetOnActivityCompletedListener(func(info *activity.Info, result converter.EncodedValue, err error) {
			switch {
			case info.ActivityType.Name == "Provision":
				var res connector.Result
				require.NoError(t, result.Get(&res))
				id = res.Ticket.ID
			case info.ActivityType.Name == "TicketStatus" && err != nil:
				failedPolls++
			}
		})
		env.RegisterDelayedCallback(d.fault, time.Hour)
		env.RegisterDelayedCallback(func() { d.resolve(t, id) }, 6*time.Hour)
		env.ExecuteWorkflow(flows.ProvisionWorkflow, flows.ProvisionRequest{Target: d.target, Request: accessRequest})
		require.True(t, env.IsWorkflowCompleted())
		require.NoError(t, env.GetWorkflowError())
		var res flows.ProvisionResult
		require.NoError(t, env.GetWorkflowResult(&res))
		assert.Equal(t, 1, failedPolls)
		assert.Equal(t, connector.TicketCompleted, res.Result.Ticket.State)
		assert.Equal(t, schedule(6*time.Hour), res.Polls, "the failed poll took its place in the schedule")
	})

	t.Run("permanent", func(t *testing.T) {
		srv := intercomtest.NewServer()
		t.Cleanup(srv.Close)
		env := newEnv(t, &flows.Activities{Connect: flows.Presets(flows.Builtin, secrets(map[string]string{"token": srv.Token}))})
		env.RegisterDelayedCallback(srv.RevokeToken, time.Hour)
		env.ExecuteWorkflow(flows.ProvisionWorkflow, flows.ProvisionRequest{
			Target:  flows.Target{Preset: "intercom", Params: map[string]any{"baseURL": srv.URL, "ticketTypeID": "1"}},
			Request: accessRequest,
		})
		require.True(t, env.IsWorkflowCompleted())
		err := env.GetWorkflowError()
		var appErr *temporal.ApplicationError
		require.ErrorAs(t, err, &appErr)
		assert.Equal(t, flows.ErrTypeAuth, appErr.Type())
		assert.NotContains(t, err.Error(), srv.Token)
		assert.Equal(t, schedule(time.Hour), countGets(srv, "/tickets/"), "no poll after the refusal")
	})
}

// A filed request the target refuses fails the workflow at once: no
// ticket is filed twice by a retry.
func TestProvisionRefused(t *testing.T) {
	srv := intercomtest.NewServer()
	t.Cleanup(srv.Close)
	env := newEnv(t, &flows.Activities{Connect: flows.Presets(flows.Builtin, secrets(map[string]string{"token": srv.Token}))})
	env.ExecuteWorkflow(flows.ProvisionWorkflow, flows.ProvisionRequest{
		Target:  flows.Target{Preset: "intercom", Params: map[string]any{"baseURL": srv.URL, "ticketTypeID": "999"}}, // no such ticket type
		Request: accessRequest,
	})
	require.True(t, env.IsWorkflowCompleted())
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, env.GetWorkflowError(), &appErr)
	assert.Equal(t, flows.ErrTypeNotFound, appErr.Type())
	assert.True(t, appErr.NonRetryable())
	posts := 0
	for _, r := range srv.Requests() {
		if r.Method == "POST" && r.Path == "/tickets" {
			posts++
		}
	}
	assert.Equal(t, 1, posts)
	assert.Empty(t, srv.Tickets())
}

// An operation carried out through the API, not a ticket, returns at
// once, without polls.
func TestProvisionWithoutTicket(t *testing.T) {
	srv := oktatest.NewServer(oktatest.Empty())
	t.Cleanup(srv.Close)
	users := srv.SeedUsers(1)
	g := srv.AddGroup(oktatest.Group{Name: "Finance"})
	env := newEnv(t, &flows.Activities{Connect: flows.Presets(flows.Builtin, secrets(map[string]string{"token": srv.Token}))})
	env.ExecuteWorkflow(flows.ProvisionWorkflow, flows.ProvisionRequest{
		Target: flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL}},
		Request: connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": users[0]},
			Entitlement: &connector.Entitlement{Type: "group", ID: g.ID}},
	})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res flows.ProvisionResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Nil(t, res.Result.Ticket)
	assert.Zero(t, res.Polls)
	assert.Equal(t, []string{users[0]}, srv.Members(g.ID))
}

// A long wait continues as new after PollsPerRun polls, carrying the
// ticket, the next wait and the polls so far; the new run finishes it.
func TestAwaitContinuesAsNew(t *testing.T) {
	d := intercomDesk(t)
	acts := &flows.Activities{Connect: flows.Presets(flows.Builtin, secrets(d.secrets))}
	env := newEnv(t, acts)
	env.ExecuteWorkflow(flows.ProvisionWorkflow, flows.ProvisionRequest{Target: d.target, Request: accessRequest, Await: flows.AwaitPolicy{PollsPerRun: 10}})
	require.True(t, env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	assert.Equal(t, "AwaitTicketWorkflow", can.WorkflowType.Name)
	var next flows.AwaitRequest
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.Input, &next))
	require.NotNil(t, next.Result.Ticket)
	id := next.Result.Ticket.ID
	assert.Equal(t, 10, next.Polls)
	assert.Equal(t, 10, d.polls(id))
	wait := 30 * time.Second
	for range 10 {
		wait = min(wait*3/2, 15*time.Minute)
	}
	assert.Equal(t, wait, next.Wait, "the schedule goes on where it stood")
	assert.Equal(t, d.target, next.Target)

	env = newEnv(t, acts)
	env.RegisterDelayedCallback(func() { d.resolve(t, id) }, 50*time.Minute)
	env.ExecuteWorkflow(flows.AwaitTicketWorkflow, next)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res flows.ProvisionResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, connector.TicketCompleted, res.Result.Ticket.State)
	assert.Equal(t, 10+4, res.Polls, "four waits of 15m pass 50 minutes")
	assert.Equal(t, res.Polls, d.polls(id))
}

func countGets(srv *intercomtest.Server, prefix string) int {
	n := 0
	for _, r := range srv.Requests() {
		if r.Method == "GET" && strings.HasPrefix(r.Path, prefix) {
			n++
		}
	}
	return n
}

// filedTicket returns where the ID of the ticket Provision files will be,
// as the workflow's activities report it.
func filedTicket(t *testing.T, env *testsuite.TestWorkflowEnvironment) *string {
	var id string
	env.SetOnActivityCompletedListener(func(info *activity.Info, result converter.EncodedValue, err error) {
		if info.ActivityType.Name == "Provision" && err == nil {
			var res connector.Result
			require.NoError(t, result.Get(&res))
			id = res.Ticket.ID
		}
	})
	return &id
}
