package connector

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// PlanStatus says what a dry run found for one call.
type PlanStatus string

// The statuses of a planned call.
const (
	// PlanReady: the request is rendered in full, as it would be sent.
	PlanReady PlanStatus = "ready"
	// PlanSkipped: the call would not be sent: its if renders false, or
	// its forEach lists nothing.
	PlanSkipped PlanStatus = "skipped"
	// PlanUnknown: the request cannot be rendered because it reads a value
	// the plan does not know, most often the response of an earlier call;
	// Reason says which.
	PlanUnknown PlanStatus = "unknown"
	// PlanFailed: the request cannot be rendered for a reason a real run
	// would meet too (a required value missing from the request, a
	// template error); the operation would fail here, and the plan ends.
	PlanFailed PlanStatus = "failed"
)

// How a planned call's if was decided (PlannedCall.If).
const (
	IfTrue    = "true"
	IfFalse   = "false"
	IfUnknown = "unknown" // it reads a value the plan does not know
)

// PlanOptions supply what a dry run cannot learn without sending requests.
type PlanOptions struct {
	// Responses stand in for the responses of calls, by call name, so
	// that the calls after them can be rendered: the chain's calls as
	// .responses.<name>, an import's merged detail calls as
	// .detail.<name> (the body only). A response is bound as given,
	// without the call's success rules, and only once the plan reaches
	// its call; a call the plan skips is bound as null, as in a real run.
	Responses map[string]PlannedResponse

	// Record is a sample record of an import's list, as the target
	// returns it (decoded JSON), for the calls an import makes once per
	// record: detail calls and sub-lists (membersFrom, entitlementsFrom).
	// Without one they are listed as PlanUnknown where they read .record.
	Record any
}

// PlannedResponse is a response a caller supplies for a call a plan does
// not send. In JSON its fields are "status", "headers" (names to values)
// and "body" (any JSON value; a string is a text body).
type PlannedResponse struct {
	Status int               `json:"status,omitempty"`  // default 200
	Header map[string]string `json:"headers,omitempty"` // bound with lower-case names, as .responses.<name>.headers
	Body   any               `json:"body,omitempty"`
}

// Plan is the result of a dry run: the requests an operation or an import
// would send, in order.
//
// Engine.Plan, PlanImportAccounts and PlanImportAccess render the requests
// with the engine's own render and build code, and send none of them.
// Nothing reaches the network, not even a token request or a session
// login: a call that needs a token shows where the engine would place it,
// with [REDACTED] in its stead. Every secret is masked in every field, as
// in a Trace.
//
// A chain is planned call by call. The plan sends nothing, so the response
// of each call is unknown unless PlanOptions.Responses gives one; a call
// whose templates read an unknown value (.responses.lookup.body.id) is
// listed as PlanUnknown with the reason, and the plan goes on with the
// next call. An if that reads an unknown value cannot be decided, even
// where a short-circuit would not need the value: the call is listed with
// If "unknown" and rendered where its own templates allow. A forEach over
// known data gives one entry per element (PlannedCall.Index), over unknown
// data one unknown entry. Restart rules never apply: a plan follows the
// path where every call succeeds. Which values a template reads is judged
// by template.Template.Reads, which errs on the side of "unknown".
//
// In JSON its fields are "op", "auth" (left out when empty) and "calls".
type Plan struct {
	Op Operation `json:"op"`
	// Auth lists what the engine would send for credentials before the
	// first call that needs them: an OAuth 2.0 token request (its form
	// body is x/oauth2's and is not shown) or a session's login call.
	Auth  []PlannedCall `json:"auth,omitempty"`
	Calls []PlannedCall `json:"calls"`
}

// Unknown reports whether some call of the plan could not be rendered, or
// has an if the plan could not decide.
func (p Plan) Unknown() bool {
	for _, l := range [][]PlannedCall{p.Auth, p.Calls} {
		for _, c := range l {
			if c.Status == PlanUnknown || c.If == IfUnknown {
				return true
			}
		}
	}
	return false
}

// PlannedCall is one request of a plan, or the reason it cannot be shown.
//
// In JSON its fields are "name", "where", "status", "reason", "if",
// "index", "auth", "method", "url", "header" and "body"; all but the first
// three are left out when empty.
type PlannedCall struct {
	Name   string     `json:"name"`  // the call's name, as in errors and traces
	Where  string     `json:"where"` // the call's spec path, e.g. provision.addAccess.calls[1]
	Status PlanStatus `json:"status"`
	// Reason explains a status other than PlanReady, and for a ready call
	// notes what it depends on: an if the plan could not decide, a first
	// page, a call made once per record.
	Reason string `json:"reason,omitempty"`
	If     string `json:"if,omitempty"`    // IfTrue, IfFalse or IfUnknown; empty when the call has no if
	Index  *int   `json:"index,omitempty"` // the element of the call's forEach; nil without forEach
	Auth   string `json:"auth,omitempty"`  // the auth block whose credential the call carries

	// The request, for a ready call, secrets masked. Body is the encoded
	// body (JSON or a form) as text.
	Method string      `json:"method,omitempty"`
	URL    string      `json:"url,omitempty"`
	Header http.Header `json:"header,omitempty"`
	Body   string      `json:"body,omitempty"`
}

// Plan returns the requests Provision(ctx, req) would send, without
// sending any (see PlanStatus and PlanOptions). An operation fulfilled
// through a ticket shows the calls of tickets.create.
//
// The error is nil when the plan was made, whatever its calls' statuses,
// except for PlanFailed: then Plan returns the calls up to the one that
// fails and the *Error a real run would return there. With an operation
// the spec lacks, a request without its entitlement, or a ctx that ends,
// the Plan is empty and the error says why. Plan is safe for concurrent
// use.
func (e *Engine) Plan(ctx context.Context, req Request, opts PlanOptions) (Plan, error) {
	ctx = e.opCtx(ctx)
	co, err := e.operation(req)
	if err != nil {
		return Plan{Op: req.Op, Calls: []PlannedCall{}}, err
	}
	p := e.newPlanner(req.Op, opts, e.red.With(req.Password))
	data := e.requestVars(req).Map()
	calls := co.calls
	if co.ticket != nil {
		if err := e.bindTicketText(ctx, req, co.ticket, data, p.red); err != nil {
			return p.result(), err
		}
		calls = e.c.ticketCreate.calls
	}
	err = p.chain(ctx, calls, data)
	return p.result(), err
}

// PlanImportAccounts returns the requests ImportAccounts(ctx, opts) would
// send first, without sending any: the first page of each list call (the
// incremental ones when opts.Since is set), then the calls made once per
// account (detail calls, entitlementsFrom), rendered for
// PlanOptions.Record. Errors are those of Plan, and ImportAccounts's for
// a spec that cannot import accounts.
func (e *Engine) PlanImportAccounts(ctx context.Context, opts ImportOptions, popts PlanOptions) (Plan, error) {
	ctx = e.opCtx(ctx)
	op := opImportAccounts
	p := e.newPlanner(op, popts, e.red.With())
	sources, err := e.planSources(op, opts)
	if err != nil {
		return p.result(), err
	}
	err = p.accounts(ctx, e.newRun(op, opts.Since), sources, "")
	return p.result(), err
}

// PlanImportAccess returns the requests ImportAccess(ctx, opts) would
// send first, without sending any: for each entitlement type, the first
// page of its list calls, then the calls made once per entitlement
// (detail calls, membersFrom), rendered for PlanOptions.Record. A type
// derived from the accounts (fromAccounts) shows the accounts' calls.
// Errors are those of Plan, and ImportAccess's for types the spec lacks.
func (e *Engine) PlanImportAccess(ctx context.Context, opts ImportOptions, popts PlanOptions) (Plan, error) {
	ctx = e.opCtx(ctx)
	op := opImportAccess
	p := e.newPlanner(op, popts, e.red.With())
	types, err := e.accessTypes(op, opts)
	if err != nil {
		return p.result(), err
	}
	accountsPlanned := false
	for _, typ := range types {
		ce := e.c.ents[typ]
		run := e.newRun(op, time.Time{})
		if ce.fromAccounts {
			if !accountsPlanned {
				accountsPlanned = true
				note := fmt.Sprintf("entitlements of type %q are read from the account records", typ)
				if err := p.accounts(ctx, run, e.c.accounts.sources, note); err != nil {
					return p.result(), err
				}
			}
			continue
		}
		for _, src := range ce.sources {
			if err := p.list(ctx, src, run.listVars(nil), firstPage(src)); err != nil {
				return p.result(), err
			}
		}
		if err := p.perRecord(ctx, run, &ce.compiledRecord, "entitlement"); err != nil {
			return p.result(), err
		}
		if mf := ce.membersFrom; mf != nil {
			if err := p.perRecordCall(ctx, run, mf.call, "entitlement", nil); err != nil {
				return p.result(), err
			}
		}
	}
	return p.result(), nil
}

// planSources returns the list calls of an account import, as
// ImportAccounts chooses them, or its error.
func (e *Engine) planSources(op Operation, opts ImportOptions) ([]*compiledCall, error) {
	if err := e.checkAccountImport(op, opts); err != nil {
		return nil, err
	}
	return e.accountSources(opts), nil
}
