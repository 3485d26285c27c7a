package connector

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/restconn/restconn/internal/jsonx"
	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/internal/vars"
	"github.com/restconn/restconn/template"
)

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
	return joinReasons("made once per "+what, firstPage(cc))
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
