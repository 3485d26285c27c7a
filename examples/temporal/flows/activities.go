package flows

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/restconn/restconn/connector"
)

// Activities are the activities the workflows run. The worker registers
// one value (worker.RegisterActivity(&flows.Activities{...})); its
// exported methods become activities named after them.
type Activities struct {
	Connect  ConnectFunc     // builds a Target's connector, with the worker's secrets (required)
	Accounts AccountSink     // where ImportAccounts puts accounts
	Access   EntitlementSink // where ImportAccess puts entitlements
}

// ImportInput is the input of the import activities.
type ImportInput struct {
	Target Target    `json:"target"`
	Since  time.Time `json:"since,omitzero"`  // ImportAccounts: an incremental import, where the spec has one
	Types  []string  `json:"types,omitempty"` // ImportAccess: the entitlement types; empty means all
}

// Progress is what an import activity heartbeats: where a retry of it
// resumes. It is recorded after each page, once every record of the page
// was put (and the sink flushed).
type Progress struct {
	Token   string `json:"token,omitempty"` // the connector's resume token (no record data, no secret); "" = the start
	Records int    `json:"records"`         // records put up to the token
	Pages   int    `json:"pages"`           // pages checkpointed up to the token
}

// ImportResult is what an import activity, and ImportWorkflow, return.
type ImportResult struct {
	Records int `json:"records"` // records put, each once: a page read again after a resume counts once
	Pages   int `json:"pages"`   // pages checkpointed
	// Attempt is the activity attempt that finished the import (1 = no
	// retry), and ResumedAt the records already put when it started.
	Attempt   int32 `json:"attempt"`
	ResumedAt int   `json:"resumedAt,omitempty"`
}

// ProvisionInput is the input of the Provision activity.
//
// Request.Password never reaches workflow history: connector.Request
// leaves it out of its JSON, so the activity sees none. Operations that
// set a password need a worker that fetches it from its own vault.
type ProvisionInput struct {
	Target  Target            `json:"target"`
	Request connector.Request `json:"request"`
}

// TicketInput is the input of the TicketStatus activity.
type TicketInput struct {
	Target   Target `json:"target"`
	TicketID string `json:"ticketID"`
}

// Error types of the application errors the activities return
// (temporal.ApplicationError.Type), so that workflows and clients can
// tell failures apart without parsing messages.
const (
	ErrTypeAuth         = "restconn.Auth"         // connector.ErrAuth: the credentials are refused
	ErrTypeNotFound     = "restconn.NotFound"     // connector.ErrNotFound
	ErrTypeConflict     = "restconn.Conflict"     // connector.ErrConflict
	ErrTypeUnsupported  = "restconn.Unsupported"  // connector.ErrUnsupported: the spec cannot do it
	ErrTypeInvalidSpec  = "restconn.InvalidSpec"  // connector.ErrInvalidSpec, or a Target the worker cannot build
	ErrTypeInvalidToken = "restconn.InvalidToken" // connector.ErrInvalidToken
	ErrTypeRateLimited  = "restconn.RateLimited"  // connector.ErrRateLimited
	ErrTypeFailed       = "restconn.Failed"       // any other connector error
	ErrTypeSink         = "flows.Sink"            // the worker's sink failed
)

// ImportAccounts runs ImportAccounts on in.Target and puts every account
// into a.Accounts. It heartbeats a Progress after every page; when
// Temporal retries it, on this worker or another, it resumes after the
// last page it heartbeated, so an import of a million accounts that fails
// at page 900 reads pages 1 to 899 once. Run it with a HeartbeatTimeout
// (ImportWorkflow does), so that a worker that dies mid-import is noticed.
//
// How much comes again depends on how the attempt ended. An attempt that
// fails (an error from the target or the sink, a cancellation) sends its
// last heartbeat before it reports the failure: only the page it was in
// comes again. A worker that dies sends nothing more: the SDK sends at
// most one heartbeat per 80% of the HeartbeatTimeout and keeps the others
// for the next send, so the retry resumes after the last page heartbeated
// before that, and the pages read since come again (upserted by the sink).
func (a *Activities) ImportAccounts(ctx context.Context, in ImportInput) (ImportResult, error) {
	if a.Accounts == nil {
		return ImportResult{}, temporal.NewNonRetryableApplicationError("this worker has no account sink", ErrTypeInvalidSpec, nil)
	}
	return runImport(ctx, a, in, func(c connector.Connector, opts connector.ImportOptions) iter.Seq2[connector.Account, error] {
		return c.ImportAccounts(ctx, opts)
	}, a.Accounts.PutAccount, a.Accounts)
}

// ImportAccess runs ImportAccess on in.Target and puts every entitlement
// (every chunk of members) into a.Access, heartbeating and resuming as
// ImportAccounts does.
func (a *Activities) ImportAccess(ctx context.Context, in ImportInput) (ImportResult, error) {
	if a.Access == nil {
		return ImportResult{}, temporal.NewNonRetryableApplicationError("this worker has no entitlement sink", ErrTypeInvalidSpec, nil)
	}
	return runImport(ctx, a, in, func(c connector.Connector, opts connector.ImportOptions) iter.Seq2[connector.Entitlement, error] {
		return c.ImportAccess(ctx, opts)
	}, a.Access.PutEntitlement, a.Access)
}

// runImport is the body of both import activities: read the last
// heartbeat, import from there, and start over when the token no longer
// fits the import.
func runImport[T any](ctx context.Context, a *Activities, in ImportInput,
	list func(connector.Connector, connector.ImportOptions) iter.Seq2[T, error],
	put func(context.Context, T) error, sink any) (ImportResult, error) {
	log := activity.GetLogger(ctx)
	c, err := a.connect(ctx, in.Target)
	if err != nil {
		return ImportResult{}, err
	}
	var from Progress
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &from); err != nil {
			log.Warn("unreadable heartbeat: importing from the start", "error", err)
			from = Progress{}
		}
	}
	if from.Token != "" {
		log.Info("resuming import", "pages", from.Pages, "records", from.Records)
	}
	im := &importer[T]{ctx: ctx, put: put}
	im.flusher, _ = sink.(Flusher)
	res, err := im.run(c, in, from, list)
	if from.Token != "" && errors.Is(err, connector.ErrInvalidToken) && im.n == from.Records {
		// The spec or its params changed since the checkpoint (a worker
		// with a newer preset took over): nothing was read yet, and
		// reading everything again loses nothing, since sinks upsert.
		log.Warn("the checkpoint does not fit this import: importing from the start", "error", err)
		im = &importer[T]{ctx: ctx, put: put, flusher: im.flusher}
		res, err = im.run(c, in, Progress{}, list)
	}
	var sf sinkFailure
	switch {
	case errors.As(err, &sf):
		return res, sinkError(ctx, sf.err)
	case err != nil:
		return res, connectorError(ctx, err, importRetryable)
	}
	res.Attempt = activity.GetInfo(ctx).Attempt
	log.Info("import done", "records", res.Records, "pages", res.Pages, "attempt", res.Attempt)
	return res, nil
}

// importer runs one import from a Progress.
type importer[T any] struct {
	ctx     context.Context
	put     func(context.Context, T) error
	flusher Flusher
	at      Progress // the last checkpoint
	n       int      // records put, including those before the resume
	failed  error    // a Flush that failed in a checkpoint
}

func (im *importer[T]) run(c connector.Connector, in ImportInput, from Progress, list func(connector.Connector, connector.ImportOptions) iter.Seq2[T, error]) (ImportResult, error) {
	im.at, im.n = from, from.Records
	opts := connector.ImportOptions{Since: in.Since, Types: in.Types, Resume: from.Token, Checkpoint: im.checkpoint}
	for rec, err := range list(c, opts) {
		if im.failed != nil {
			break
		}
		if err != nil {
			return im.result(from), err
		}
		if err := im.put(im.ctx, rec); err != nil {
			return im.result(from), sinkFailure{err}
		}
		im.n++
		// Between checkpoints too, so that a long page (detail calls per
		// record) does not look like a dead worker. The SDK sends at most
		// one heartbeat per 80% of the timeout; the details stay those of
		// the last checkpoint.
		activity.RecordHeartbeat(im.ctx, im.at)
	}
	if im.failed == nil && im.flusher != nil {
		im.failed = im.flusher.Flush(im.ctx) // a last page that got no checkpoint
	}
	if im.failed != nil {
		return im.result(from), sinkFailure{im.failed}
	}
	return im.result(from), nil
}

// sinkFailure is an error of the sink, as run returns it; the errors of
// the import come as they are.
type sinkFailure struct{ err error }

func (f sinkFailure) Error() string { return f.err.Error() }

// checkpoint is ImportOptions.Checkpoint: the records of the page are
// put; once the sink has flushed them, the token is safe to heartbeat.
func (im *importer[T]) checkpoint(token string) {
	if im.failed != nil {
		return
	}
	if im.flusher != nil {
		if err := im.flusher.Flush(im.ctx); err != nil {
			im.failed = err
			return
		}
	}
	im.at = Progress{Token: token, Records: im.n, Pages: im.at.Pages + 1}
	activity.RecordHeartbeat(im.ctx, im.at)
}

func (im *importer[T]) result(from Progress) ImportResult {
	return ImportResult{Records: im.n, Pages: im.at.Pages, ResumedAt: from.Records}
}

// Provision files one request. Only a refusal for the rate limit is
// retried: a write that failed otherwise may have been carried out (a
// ticket filed, an account created), and a blind retry would do it twice.
// A worker that dies during the call is retried by Temporal all the same
// (the activity times out): requests whose Task["id"] the target records
// (otrs' RequestIDField) let a person spot the duplicate.
func (a *Activities) Provision(ctx context.Context, in ProvisionInput) (connector.Result, error) {
	c, err := a.connect(ctx, in.Target)
	if err != nil {
		return connector.Result{}, err
	}
	res, err := c.Provision(ctx, in.Request)
	if err != nil {
		return connector.Result{}, connectorError(ctx, err, func(err error) bool { return errors.Is(err, connector.ErrRateLimited) })
	}
	return res, nil
}

// TicketStatus reads a ticket once. Its errors are retryable when
// connector.Transient says a repeated read may succeed; the workflow polls
// again at its next wait rather than have Temporal retry at once.
func (a *Activities) TicketStatus(ctx context.Context, in TicketInput) (connector.Ticket, error) {
	c, err := a.connect(ctx, in.Target)
	if err != nil {
		return connector.Ticket{}, err
	}
	t, err := c.TicketStatus(ctx, in.TicketID)
	if err != nil {
		return connector.Ticket{}, connectorError(ctx, err, connector.Transient)
	}
	return t, nil
}

func (a *Activities) connect(ctx context.Context, t Target) (connector.Connector, error) {
	if a.Connect == nil {
		return nil, temporal.NewNonRetryableApplicationError("this worker has no ConnectFunc", ErrTypeInvalidSpec, nil)
	}
	c, err := a.Connect(ctx, t)
	if err != nil {
		// The Target is in the workflow's input: no retry changes it.
		return nil, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeInvalidSpec, nil)
	}
	return c, nil
}

// importRetryable says which import errors a retry may cure: not a spec
// that cannot run the import, and not refused credentials (a person must
// act; repeating only fills the target's audit log).
func importRetryable(err error) bool {
	for _, s := range []error{connector.ErrInvalidSpec, connector.ErrUnsupported, connector.ErrAuth, connector.ErrInvalidToken} {
		if errors.Is(err, s) {
			return false
		}
	}
	return true
}

// connectorError turns a connector error into an application error of a
// type from the ErrType constants, retryable when retryable says so. The
// message is the connector's, which never holds a secret. The end of the
// activity's own context is passed on as it is: Temporal reports a
// cancelled activity as cancelled.
func connectorError(ctx context.Context, err error, retryable func(error) bool) error {
	if ctx.Err() != nil {
		return err
	}
	typ := ErrTypeFailed
	for _, s := range []struct {
		err error
		typ string
	}{
		{connector.ErrAuth, ErrTypeAuth},
		{connector.ErrNotFound, ErrTypeNotFound},
		{connector.ErrConflict, ErrTypeConflict},
		{connector.ErrUnsupported, ErrTypeUnsupported},
		{connector.ErrInvalidSpec, ErrTypeInvalidSpec},
		{connector.ErrInvalidToken, ErrTypeInvalidToken},
		{connector.ErrRateLimited, ErrTypeRateLimited},
	} {
		if errors.Is(err, s.err) {
			typ = s.typ
			break
		}
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), typ, temporal.ApplicationErrorOptions{NonRetryable: !retryable(err)})
}

// sinkError is a failed put or flush: retryable, from the last checkpoint.
func sinkError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return err
	}
	return temporal.NewApplicationError(fmt.Sprintf("sink: %v", err), ErrTypeSink)
}
