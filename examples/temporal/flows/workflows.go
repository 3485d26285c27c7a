package flows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/restconn/restconn/connector"
)

// TaskQueue is the task queue the example's worker polls and its starter
// starts workflows on.
const TaskQueue = "restconn"

// Registry is what Register needs: a worker.Worker, or the test
// environment of go.temporal.io/sdk/testsuite.
type Registry interface {
	RegisterWorkflow(w any)
	RegisterActivity(a any)
}

// Register registers the workflows and a's activities.
func Register(r Registry, a *Activities) {
	r.RegisterWorkflow(ImportWorkflow)
	r.RegisterWorkflow(ProvisionWorkflow)
	r.RegisterWorkflow(AwaitTicketWorkflow)
	r.RegisterActivity(a)
}

// acts names the activities in workflow code: its methods are only
// referred to, never called there.
var acts *Activities

// What ImportWorkflow is to import.
const (
	Accounts = "accounts" // ImportAccounts (the default)
	Access   = "access"   // ImportAccess
)

// Defaults of ImportRequest.
const (
	DefaultHeartbeatTimeout = 2 * time.Minute
	DefaultImportTimeout    = 24 * time.Hour
	DefaultImportAttempts   = 10
)

// ImportRequest is the input of ImportWorkflow.
type ImportRequest struct {
	ImportInput
	Kind string `json:"kind,omitempty"` // Accounts or Access; "" = Accounts

	// HeartbeatTimeout is how long a silent import activity may run before
	// Temporal takes it for dead and retries it from its last checkpoint:
	// longer than the slowest page (retries and rate-limit waits
	// included). Default DefaultHeartbeatTimeout.
	HeartbeatTimeout time.Duration `json:"heartbeatTimeout,omitempty"`
	// Timeout bounds one attempt (StartToCloseTimeout); default
	// DefaultImportTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// MaxAttempts bounds the attempts; default DefaultImportAttempts.
	// Every retry resumes after the last checkpoint.
	MaxAttempts int32 `json:"maxAttempts,omitempty"`
}

// ImportWorkflow runs one import activity with a heartbeat timeout and a
// retry policy: a failed page, a failed sink or a dead worker costs a
// retry that resumes after the last page the activity heartbeated, not a
// new import. Errors that no retry cures (refused credentials, an
// operation the spec does not define, an unknown preset) fail at once.
func ImportWorkflow(ctx workflow.Context, req ImportRequest) (ImportResult, error) {
	ao := workflow.ActivityOptions{
		StartToCloseTimeout: or(req.Timeout, DefaultImportTimeout),
		HeartbeatTimeout:    or(req.HeartbeatTimeout, DefaultHeartbeatTimeout),
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    10 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    5 * time.Minute,
			MaximumAttempts:    or(req.MaxAttempts, DefaultImportAttempts),
		},
	}
	ctx = workflow.WithActivityOptions(ctx, ao)
	var f workflow.Future
	switch req.Kind {
	case "", Accounts:
		f = workflow.ExecuteActivity(ctx, acts.ImportAccounts, req.ImportInput)
	case Access:
		f = workflow.ExecuteActivity(ctx, acts.ImportAccess, req.ImportInput)
	default:
		return ImportResult{}, temporal.NewNonRetryableApplicationError(fmt.Sprintf("import kind %q: want %q or %q", req.Kind, Accounts, Access), ErrTypeUnsupported, nil)
	}
	var res ImportResult
	err := f.Get(ctx, &res)
	return res, err
}

// AwaitPolicy says how a workflow waits for a ticket. The zero value is
// AwaitTicket's schedule: 30 seconds, then each wait half as long again
// as the one before, up to 15 minutes.
type AwaitPolicy struct {
	Interval    time.Duration `json:"interval,omitempty"`    // the first wait; default connector.DefaultAwaitInterval
	MaxInterval time.Duration `json:"maxInterval,omitempty"` // the longest wait; default connector.DefaultAwaitMaxInterval
	// PollsPerRun bounds the polls of one workflow run, which then
	// continues as new with the ticket, so that a wait of weeks keeps a
	// short history. Default DefaultPollsPerRun.
	PollsPerRun int `json:"pollsPerRun,omitempty"`
}

// DefaultPollsPerRun keeps a run's history near 5,000 events (a poll
// costs about ten), well under the server's warning at 10,240.
const DefaultPollsPerRun = 500

// awaitGrowth is how much each wait grows, as connector.AwaitTicket does.
const awaitGrowth = 1.5

func (p AwaitPolicy) withDefaults() AwaitPolicy {
	p.Interval = or(p.Interval, connector.DefaultAwaitInterval)
	p.MaxInterval = max(or(p.MaxInterval, connector.DefaultAwaitMaxInterval), p.Interval)
	p.PollsPerRun = or(p.PollsPerRun, DefaultPollsPerRun)
	return p
}

// Next returns the wait after wait: half as long again, up to MaxInterval.
// It is plain arithmetic, so workflow code may call it (replays compute
// the same waits).
func (p AwaitPolicy) Next(wait time.Duration) time.Duration {
	p = p.withDefaults()
	if wait <= 0 {
		return p.Interval
	}
	return min(time.Duration(float64(wait)*awaitGrowth), p.MaxInterval)
}

// ProvisionRequest is the input of ProvisionWorkflow.
type ProvisionRequest struct {
	Target  Target            `json:"target"`
	Request connector.Request `json:"request"` // Request.Password is not carried: see ProvisionInput
	Await   AwaitPolicy       `json:"await,omitzero"`
}

// ProvisionResult is what ProvisionWorkflow and AwaitTicketWorkflow
// return: the Result of Provision, with Result.Ticket the ticket in its
// final state (completed or rejected) when the operation filed one.
type ProvisionResult struct {
	Result connector.Result `json:"result"`
	Polls  int              `json:"polls,omitempty"` // TicketStatus polls, over every run of the wait
}

// ProvisionWorkflow files a request and, when the target fulfils it
// through a ticket, waits until the ticket is completed or rejected.
//
// The wait is made of durable timers between TicketStatus activities,
// growing as AwaitPolicy says: a worker that restarts during a wait of
// days loses nothing, and the polls thin out to one every 15 minutes
// instead of one a second. A rejected ticket is a result, not an error;
// the workflow fails when Provision fails (only a rate limit is retried,
// see Activities.Provision) or a poll fails for good (the ticket is gone,
// the credentials are refused). Polls that fail for a reason that may
// pass are repeated at the next wait.
func ProvisionWorkflow(ctx workflow.Context, req ProvisionRequest) (ProvisionResult, error) {
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    30 * time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Minute,
			MaximumAttempts:    5,
		},
	})
	var res connector.Result
	if err := workflow.ExecuteActivity(actx, acts.Provision, ProvisionInput{Target: req.Target, Request: req.Request}).Get(ctx, &res); err != nil {
		return ProvisionResult{}, err
	}
	if res.Ticket == nil || res.Ticket.State.Final() {
		return ProvisionResult{Result: res}, nil
	}
	workflow.GetLogger(ctx).Info("ticket filed", "ticket", res.Ticket.ID, "state", res.Ticket.State)
	return AwaitTicketWorkflow(ctx, AwaitRequest{Target: req.Target, Result: res, Await: req.Await})
}

// AwaitRequest is the input of AwaitTicketWorkflow: where a wait stands.
type AwaitRequest struct {
	Target Target           `json:"target"`
	Result connector.Result `json:"result"` // Result.Ticket: the ticket as last read
	Await  AwaitPolicy      `json:"await,omitzero"`
	Wait   time.Duration    `json:"wait,omitempty"`  // the next wait; 0 = Await.Interval
	Polls  int              `json:"polls,omitempty"` // polls so far
}

// AwaitTicketWorkflow waits for req.Result.Ticket to reach a final state,
// as ProvisionWorkflow does after filing it. ProvisionWorkflow continues as
// this workflow after Await.PollsPerRun polls (or when the server suggests
// it), carrying the wait where it stands; start it yourself to follow a
// ticket filed elsewhere.
func AwaitTicketWorkflow(ctx workflow.Context, req AwaitRequest) (ProvisionResult, error) {
	if req.Result.Ticket == nil || req.Result.Ticket.ID == "" {
		return ProvisionResult{}, temporal.NewNonRetryableApplicationError("no ticket to wait for", ErrTypeUnsupported, nil)
	}
	pol := req.Await.withDefaults()
	log := workflow.GetLogger(ctx)
	actx := workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		// One attempt: a poll that failed is repeated at the next wait,
		// like AwaitTicket does, and every poll is one the schedule planned.
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1},
	})
	res := req.Result
	tk := *res.Ticket
	wait, polls := or(req.Wait, pol.Interval), req.Polls
	for run := 0; !tk.State.Final(); run++ {
		if run >= pol.PollsPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			res.Ticket = &tk
			next := AwaitRequest{Target: req.Target, Result: res, Await: req.Await, Wait: wait, Polls: polls}
			return ProvisionResult{}, workflow.NewContinueAsNewError(ctx, AwaitTicketWorkflow, next)
		}
		if err := workflow.Sleep(ctx, wait); err != nil {
			return ProvisionResult{Result: withTicket(res, tk), Polls: polls}, err // cancelled
		}
		wait = pol.Next(wait)
		var got connector.Ticket
		err := workflow.ExecuteActivity(actx, acts.TicketStatus, TicketInput{Target: req.Target, TicketID: tk.ID}).Get(ctx, &got)
		polls++
		var appErr *temporal.ApplicationError
		switch {
		case err == nil:
			if got.State != tk.State || got.Status != tk.Status {
				log.Info("ticket changed", "ticket", tk.ID, "state", got.State, "status", got.Status, "polls", polls)
			}
			tk = got
		case errors.As(err, &appErr) && appErr.NonRetryable(), temporal.IsCanceledError(err):
			return ProvisionResult{Result: withTicket(res, tk), Polls: polls}, err
		default:
			log.Warn("ticket poll failed; polling again at the next wait", "ticket", tk.ID, "error", err, "wait", wait)
		}
	}
	return ProvisionResult{Result: withTicket(res, tk), Polls: polls}, nil
}

func withTicket(r connector.Result, t connector.Ticket) connector.Result {
	r.Ticket = &t
	return r
}

// or is v, or def when v is zero or negative.
func or[T int | int32 | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}
