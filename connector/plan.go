package connector

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/restconn/restconn/internal/jsonx"
	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/internal/vars"
	"github.com/restconn/restconn/template"
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
	if !opts.Since.IsZero() {
		return p.result(), &Error{Op: op, Message: "incremental import of entitlements is not supported", Err: ErrUnsupported}
	}
	types := opts.Types
	if len(types) == 0 {
		types = e.c.entTypes
	}
	if len(types) == 0 {
		return p.result(), &Error{Op: op, Message: "the spec has no import.entitlements", Err: ErrUnsupported}
	}
	for _, typ := range types {
		if _, ok := e.c.ents[typ]; !ok {
			return p.result(), &Error{Op: op, Message: fmt.Sprintf("entitlement type %q is not in the spec (have %s)", typ, list(e.c.entTypes)), Err: ErrUnsupported}
		}
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

// planner builds one Plan.
type planner struct {
	e       *Engine
	op      Operation
	red     *redact.Redactor // the engine's, and what this plan learns (a request's password, values made of secrets)
	given   map[string]PlannedResponse
	record  any             // PlanOptions.Record, decoded as the engine decodes records
	unknown [][]string      // values templates may read that the plan does not know, by their path below the data
	auths   map[string]bool // auth blocks whose credential calls are listed
	plan    Plan
}

func (e *Engine) newPlanner(op Operation, opts PlanOptions, red *redact.Redactor) *planner {
	p := &planner{e: e, op: op, red: red, given: opts.Responses, auths: map[string]bool{}, plan: Plan{Op: op}}
	if opts.Record != nil {
		p.record = asDecoded(opts.Record)
	}
	return p
}

func (p *planner) result() Plan {
	if p.plan.Calls == nil {
		p.plan.Calls = []PlannedCall{}
	}
	return p.plan
}

// chain plans the calls of a chain in order, as Engine.chain runs them.
func (p *planner) chain(ctx context.Context, calls []*compiledCall, data map[string]any) error {
	responses := data["responses"].(map[string]any)
	for _, cc := range calls {
		if err := ctx.Err(); err != nil {
			return ctxError(ctx, p.op, cc.name, err)
		}
		pc := entry(cc)
		var ifReads []string // the unknown values the if reads
		if cc.ifT != nil {
			if ifReads = p.unknownIn(cc.ifT); ifReads != nil {
				pc.If = IfUnknown
			} else {
				ok, err := p.e.holds(ctx, p.op, cc, data, p.red)
				if err != nil {
					return p.fail(pc, err)
				}
				if !ok {
					pc.If, pc.Status, pc.Reason = IfFalse, PlanSkipped, "if renders false"
					p.add(pc)
					responses[cc.name] = nil
					continue
				}
				pc.If = IfTrue
			}
		}
		if cc.forEach != nil {
			empty, err := p.forEach(ctx, cc, pc, ifReads, data)
			if err != nil {
				return err
			}
			if empty {
				responses[cc.name] = nil
				continue
			}
		} else if err := p.request(ctx, cc, pc, ifReads, "", data, nil); err != nil {
			return err
		}
		p.bind(responses, cc.name)
	}
	return nil
}

// forEach plans a call once per element of its list; empty reports a list
// without elements (the call is skipped, its response null).
func (p *planner) forEach(ctx context.Context, cc *compiledCall, pc PlannedCall, ifReads []string, data map[string]any) (empty bool, _ error) {
	if reads := p.unknownIn(cc.forEach); reads != nil {
		pc.Status, pc.Reason = PlanUnknown, unknownReason(ifReads, "forEach", reads)
		p.add(pc)
		return false, nil
	}
	v, err := cc.forEach.ValueContext(ctx, data)
	if err != nil {
		return false, p.fail(pc, p.e.renderError(p.red, p.op, cc.name, err))
	}
	items, err := forEachItems(p.op, cc, v)
	if err != nil {
		return false, p.fail(pc, err)
	}
	if len(items) == 0 {
		pc.Status, pc.Reason = PlanSkipped, "forEach lists nothing"
		p.add(pc)
		return true, nil
	}
	defer func() { data["item"], data["index"] = nil, nil }()
	for i, item := range items {
		data["item"], data["index"] = item, i
		pi := pc
		pi.Index = &i
		if err := p.request(ctx, cc, pi, ifReads, "", data, nil); err != nil {
			return false, err
		}
	}
	return false, nil
}

// request renders and builds one request of cc, or says why it cannot.
// ifReads are the unknown values the call's if reads; note says what the
// call depends on.
func (p *planner) request(ctx context.Context, cc *compiledCall, pc PlannedCall, ifReads []string, note string, data map[string]any, pg *paging.State) error {
	e := p.e
	cred := e.creds[cc.auth]
	tok := ""
	if cred.refreshable() {
		tok = redact.Mask // the token a real run would fetch first
		if err := p.credential(ctx, cc.auth, cred); err != nil {
			return err
		}
	}
	if reads := p.unknownInCall(cc); reads != nil {
		pc.Status, pc.Reason = PlanUnknown, joinReasons(note, unknownReason(ifReads, "", reads))
		p.add(pc)
		return nil
	}
	if ifReads != nil {
		note = joinReasons(note, unknownReason(ifReads, "", nil)+": sent only if it holds")
	}
	data["auth"] = map[string]any{"token": tok}
	rd, err := e.render(ctx, cc, data)
	if err != nil {
		return p.fail(pc, e.asError(p.op, cc.name, err))
	}
	p.red.Add(rd.sensitive...)
	b, err := cc.build(rd, cred, tok, pg)
	if err != nil {
		return p.fail(pc, e.asError(p.op, cc.name, err))
	}
	pc.Status, pc.Reason = PlanReady, note
	pc.Method, pc.URL = b.method, p.red.URL(b.url)
	pc.Header = e.maskHeader(b.header, p.red)
	body, _ := e.maskBody(b.body, b.header) // connection.mask: by field name
	pc.Body = p.red.String(string(body))
	p.add(pc)
	return nil
}

// credential lists, once per auth block, what a real run would send to
// obtain the block's token: an OAuth 2.0 token request, or the session's
// login call.
func (p *planner) credential(ctx context.Context, name string, cred *credential) error {
	if p.auths[name] {
		return nil
	}
	p.auths[name] = true
	a := cred.a
	switch a.kind {
	case "oauth2":
		v, err := p.e.renderAuth(ctx, a, p.e.baseVars().Map())
		if err != nil {
			return err // rendered once already, by New
		}
		p.plan.Auth = append(p.plan.Auth, PlannedCall{
			Name: "auth:" + name, Where: "connection.auth." + name, Status: PlanReady, Auth: name,
			Reason: "OAuth 2.0 client-credentials token request, sent before the first call that needs the token and again when it expires",
			Method: http.MethodPost, URL: p.red.URL(v["tokenURL"]),
		})
	case "session":
		// The login is planned like any call, into Auth, and sees what a
		// login sees: no responses of the chain that needs it.
		outer, unknown := p.plan.Calls, p.unknown
		p.plan.Calls, p.unknown = nil, nil
		v := p.e.baseVars()
		v.Responses = map[string]any{}
		err := p.request(ctx, a.login, entry(a.login), nil, "the login of auth block "+name+", sent before the first call that needs the session and again when it expires", v.Map(), nil)
		p.plan.Auth = append(p.plan.Auth, p.plan.Calls...)
		p.plan.Calls, p.unknown = outer, unknown
		return err
	}
	return nil
}

// accounts plans an account import: the first page of each source, then
// the calls made once per account.
func (p *planner) accounts(ctx context.Context, run *importRun, sources []*compiledCall, note string) error {
	ca := p.e.c.accounts
	for _, src := range sources {
		if err := p.list(ctx, src, run.listVars(nil), joinReasons(firstPage(src), note)); err != nil {
			return err
		}
	}
	if err := p.perRecord(ctx, run, &ca.compiledRecord, "account"); err != nil {
		return err
	}
	for _, ef := range ca.entsFrom {
		if err := p.perRecordCall(ctx, run, ef.sub.call, "account", nil); err != nil {
			return err
		}
	}
	return nil
}

// perRecord plans the detail calls of one record (what: "account" or
// "entitlement").
func (p *planner) perRecord(ctx context.Context, run *importRun, r *compiledRecord, what string) error {
	if r.detail != nil {
		if err := p.perRecordCall(ctx, run, r.detail, what, nil); err != nil {
			return err
		}
	}
	detail := map[string]any{}
	n := len(p.unknown)
	defer func() { p.unknown = p.unknown[:n] }()
	for _, cc := range r.details {
		if err := p.perRecordCall(ctx, run, cc, what, detail); err != nil {
			return err
		}
		if given, ok := p.given[cc.name]; ok {
			detail[cc.name] = asDecoded(given.Body)
		} else {
			p.unknown = append(p.unknown, []string{"detail", cc.name})
		}
	}
	return nil
}

// perRecordCall plans a call an import makes once per record, for the
// sample record; without one, .record is unknown. detail holds the bodies
// of the merged detail calls before it.
func (p *planner) perRecordCall(ctx context.Context, run *importRun, cc *compiledCall, what string, detail map[string]any) error {
	in := run.listVars(p.record)
	in.Detail = detail
	if p.record == nil {
		n := len(p.unknown)
		p.unknown = append(p.unknown, []string{"record"})
		defer func() { p.unknown = p.unknown[:n] }()
	}
	return p.list(ctx, cc, in, perRecordNote(what, cc))
}

// list plans the first request of a list call (a call without paging is
// planned the same way).
func (p *planner) list(ctx context.Context, cc *compiledCall, in vars.Vars, note string) error {
	if err := ctx.Err(); err != nil {
		return ctxError(ctx, p.op, cc.name, err)
	}
	in.Responses = map[string]any{}
	data := in.Map()
	var st *paging.State
	if cc.pager != nil {
		st = cc.pager.Start()
		data["page"] = st.Vars()
	}
	return p.request(ctx, cc, entry(cc), nil, note, data, st)
}

// bind binds the response of a call the plan did not send: the one the
// caller gave, or none, which makes it unknown to the calls after it.
func (p *planner) bind(responses map[string]any, name string) {
	if r, ok := p.given[name]; ok {
		responses[name] = r.binding()
		return
	}
	delete(responses, name)
	p.unknown = append(p.unknown, []string{"responses", name})
}

// unknownIn returns the unknown values the templates read, as ".a.b"; nil
// for none.
func (p *planner) unknownIn(ts ...interface{ Reads(...string) bool }) []string {
	var reads []string
	for _, u := range p.unknown {
		for _, t := range ts {
			if t.Reads(u...) {
				reads = append(reads, "."+strings.Join(u, "."))
				break
			}
		}
	}
	return reads
}

// unknownReason says which unknown values a call's if and its request (or
// what: "forEach") read.
func unknownReason(ifReads []string, what string, reads []string) string {
	subject, verb := what, "reads"
	switch {
	case reads == nil:
		subject, reads = "if", ifReads
	case ifReads == nil:
	case !slices.Equal(ifReads, reads):
		return unknownReason(ifReads, "", nil) + "; " + unknownReason(nil, what, reads)
	default:
		subject, verb = "if and "+cmp.Or(what, "request"), "read"
	}
	return strings.TrimSpace(subject+" "+verb) + " " + strings.Join(reads, ", ") + ", which the plan does not know"
}

// unknownInCall returns the unknown values the templates of cc's request
// read (the connection's headers included).
func (p *planner) unknownInCall(cc *compiledCall) []string {
	var ts []interface{ Reads(...string) bool }
	for _, t := range []*template.Template{cc.path, cc.url} {
		if t != nil {
			ts = append(ts, t)
		}
	}
	for _, l := range [][]namedTemplate{p.e.c.headers, cc.query, cc.headers, cc.form} {
		for _, nt := range l {
			ts = append(ts, nt.t)
		}
	}
	if cc.body != nil {
		ts = append(ts, cc.body)
	}
	return p.unknownIn(ts...)
}

// fail lists pc as the call where the operation would fail, and returns
// err, masked with what the plan knows.
func (p *planner) fail(pc PlannedCall, err error) error {
	if ce, ok := err.(*Error); ok {
		maskWith(p.red, ce)
		pc.Reason = ce.Message
		if ce.Path != "" {
			pc.Reason = ce.Path + ": " + ce.Message
		}
	} else {
		err = p.red.Error(err)
		pc.Reason = err.Error()
	}
	pc.Status = PlanFailed
	p.add(pc)
	return err
}

func (p *planner) add(pc PlannedCall) { p.plan.Calls = append(p.plan.Calls, pc) }

func entry(cc *compiledCall) PlannedCall {
	return PlannedCall{Name: cc.name, Where: cc.where, Auth: cc.auth}
}

func firstPage(cc *compiledCall) string {
	if cc.pager == nil {
		return ""
	}
	return "the first page"
}

func perRecordNote(what string, cc *compiledCall) string {
	s := "made once per " + what
	if cc.pager != nil {
		s += "; the first page"
	}
	return s
}

func joinReasons(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "; " + b
}

// binding is the response as templates see it: .responses.<name>.
func (r PlannedResponse) binding() map[string]any {
	status := r.Status
	if status == 0 {
		status = http.StatusOK
	}
	h := make(map[string][]string, len(r.Header))
	for k, v := range r.Header {
		h[k] = []string{v}
	}
	return vars.Response(status, h, asDecoded(r.Body))
}

// asDecoded returns v in the form the engine decodes JSON to (numbers as
// json.Number), so that templates see a supplied value as they would see
// the target's. A string stays text, as a body that is not JSON does.
func asDecoded(v any) any {
	switch v.(type) {
	case nil, string:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	d, err := jsonx.Decode(b)
	if err != nil {
		return v
	}
	return d
}
