package connector

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/template"
)

// Connect implements Connector: it obtains the default auth block's token
// (oauth2, session) and runs the spec's connect calls.
func (e *Engine) Connect(ctx context.Context) error {
	if cr := e.creds[e.c.defaultAuth]; cr.refreshable() {
		if _, _, err := cr.token(ctx); err != nil {
			return e.asError(opConnect, "", err)
		}
	}
	if len(e.c.connect) == 0 {
		return nil
	}
	vars := e.baseVars()
	vars.Responses = map[string]any{}
	return e.chain(ctx, opConnect, e.c.connect, vars.Map(), e.red)
}

// Provision implements Connector.
func (e *Engine) Provision(ctx context.Context, req Request) (Result, error) {
	co := e.c.ops[req.Op]
	if co == nil {
		return Result{}, &Error{Op: req.Op, Message: fmt.Sprintf("operation %q is not in the spec", req.Op), Err: ErrUnsupported}
	}
	if req.Op == AddAccess || req.Op == RemoveAccess {
		if req.Entitlement == nil {
			return Result{}, &Error{Op: req.Op, Message: "Request.Entitlement is required"}
		}
		if t, ok := co.types[req.Entitlement.Type]; ok {
			co = t
		} else if co.calls == nil && co.ticket == nil {
			return Result{}, &Error{Op: req.Op, Message: fmt.Sprintf("entitlement type %q has no %s in the spec (have %s)", req.Entitlement.Type, req.Op, list(sortedKeys(co.types))), Err: ErrUnsupported}
		}
	}
	red := e.red
	if req.Password != "" {
		red = e.red.With(req.Password)
	}
	vars := e.requestVars(req)
	if co.ticket != nil {
		return e.fileTicket(ctx, req, co.ticket, vars, red)
	}
	data := vars.Map()
	if err := e.chain(ctx, req.Op, co.calls, data, red); err != nil {
		return Result{}, err
	}
	res := Result{Attributes: map[string]any{}}
	if co.accountID != nil {
		id, err := co.accountID.Render(data)
		if err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
		res.AccountID = id
	}
	for _, nt := range co.attributes {
		v, err := nt.t.Value(data)
		if err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
		if v != template.Omitted {
			res.Attributes[nt.name] = binding.Normalize(v)
		}
	}
	return res, nil
}

// renderError reports a template that failed to render during an
// operation, masked with the operation's redactor.
func (e *Engine) renderError(red *redact.Redactor, op Operation, call string, err error) *Error {
	return maskWith(red, e.templateError(op, call, err))
}

func (e *Engine) requestVars(req Request) *binding.Vars {
	vars := e.baseVars()
	vars.User, vars.Account, vars.Task = req.User, req.Account, req.Task
	vars.Password = binding.Secret(req.Password)
	vars.Op = string(req.Op)
	vars.Responses = map[string]any{}
	if ent := req.Entitlement; ent != nil {
		vars.Entitlement = map[string]any{"type": ent.Type, "id": ent.ID, "name": ent.Name, "attributes": orEmpty(ent.Attributes), "members": ent.Members}
	}
	return vars
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// chain runs calls in order, honouring if, forEach and restart. Each
// response is bound as .responses.<name>; a skipped call's entry is nil.
func (e *Engine) chain(ctx context.Context, op Operation, calls []*compiledCall, data map[string]any, red *redact.Redactor) error {
	responses := data["responses"].(map[string]any)
	restarts := map[int]int{}
	for i := 0; i < len(calls); i++ {
		cc := calls[i]
		if cc.ifT != nil {
			v, err := cc.ifT.Render(data)
			if err != nil {
				return e.renderError(red, op, cc.name, err)
			}
			switch strings.TrimSpace(v) {
			case "true":
			case "false", "":
				responses[cc.name] = nil
				continue
			default:
				return &Error{Op: op, Call: cc.name, Path: cc.where + ".if", Message: fmt.Sprintf("renders %q: want true or false", red.String(v)), Err: ErrInvalidSpec}
			}
		}
		if cc.forEach != nil {
			if err := e.forEach(ctx, op, cc, data, red); err != nil {
				return err
			}
			continue
		}
		resp, err := e.do(ctx, op, cc, data, red, nil)
		if err != nil {
			if r := cc.restart; r != nil && resp != nil && restarts[i] < r.max && e.matches(&r.when, resp, data) {
				restarts[i]++
				responses[cc.name] = resp.binding()
				i = r.from - 1
				continue
			}
			return err
		}
		responses[cc.name] = resp.binding()
	}
	return nil
}

// forEach runs a call once per element of a list; .item and .index are
// bound for each, and .responses.<name> holds the last response.
func (e *Engine) forEach(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, red *redact.Redactor) error {
	v, err := cc.forEach.Value(data)
	if err != nil {
		return e.renderError(red, op, cc.name, err)
	}
	var items []any
	switch l := v.(type) {
	case nil:
	case []any:
		items = l
	default:
		rv := reflect.ValueOf(v)
		if v == template.Omitted {
			break
		}
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return &Error{Op: op, Call: cc.name, Path: cc.where + ".forEach", Message: fmt.Sprintf("renders %T: want a list", v), Err: ErrInvalidSpec}
		}
		for i := range rv.Len() { // a caller's []string, []map[string]any, ...
			items = append(items, rv.Index(i).Interface())
		}
	}
	data["responses"].(map[string]any)[cc.name] = nil // present even when the list is empty
	defer func() { data["item"], data["index"] = nil, nil }()
	for i, item := range items {
		data["item"], data["index"] = item, i
		resp, err := e.do(ctx, op, cc, data, red, nil)
		if err != nil {
			return err
		}
		data["responses"].(map[string]any)[cc.name] = resp.binding()
	}
	return nil
}

// fileTicket fulfils an operation by filing a ticket through
// tickets.create.
func (e *Engine) fileTicket(ctx context.Context, req Request, tr *compiledTicketRequest, vars *binding.Vars, red *redact.Redactor) (Result, error) {
	tc := e.c.ticketCreate
	data := vars.Map()
	title, desc := describe(req)
	var err error
	if tr.title != nil {
		if title, err = tr.title.Render(data); err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
	}
	if tr.description != nil {
		if desc, err = tr.description.Render(data); err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
	}
	data["ticket"] = map[string]any{"title": title, "description": desc}
	if err := e.chain(ctx, req.Op, tc.calls, data, red); err != nil {
		return Result{}, err
	}
	t := &Ticket{State: TicketPending}
	if t.ID, err = tc.id.Render(data); err != nil {
		return Result{}, e.renderError(red, req.Op, "", err)
	}
	if t.ID == "" {
		return Result{}, &Error{Op: req.Op, Path: "tickets.create.id", Message: "the new ticket's ID rendered empty"}
	}
	if tc.number != nil {
		if t.Number, err = tc.number.Render(data); err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
	}
	if tc.status != nil {
		if t.Status, err = tc.status.Render(data); err != nil {
			return Result{}, e.renderError(red, req.Op, "", err)
		}
		key := t.Status
		if tc.key != nil {
			if key, err = tc.key.Render(data); err != nil {
				return Result{}, e.renderError(red, req.Op, "", err)
			}
		}
		if t.State, err = e.c.ticketStatus.state(key); err != nil {
			return Result{}, &Error{Op: req.Op, Path: "tickets.status.states", Message: err.Error()}
		}
	}
	return Result{Ticket: t, Attributes: map[string]any{}}, nil
}

// describe writes the default ticket title and description: what to do,
// for whom, on what, and why. Vendor-neutral; specs may override both.
func describe(req Request) (title, desc string) {
	who := firstString(req.Account, "name", "id")
	if who == "" {
		who = firstString(req.User, "email", "username", "displayname")
	}
	title = string(req.Op)
	if human, ok := opTitles[req.Op]; ok {
		title = human
	}
	if req.Entitlement != nil {
		ent := req.Entitlement.Name
		if ent == "" {
			ent = req.Entitlement.ID
		}
		title += fmt.Sprintf(" %s %q", req.Entitlement.Type, ent)
	}
	if who != "" {
		title += " for " + who
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Requested operation: %s\n", req.Op)
	section := func(name string, m map[string]any) {
		if len(m) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s:\n", name)
		for _, k := range sortedKeys(m) {
			fmt.Fprintf(&b, "  %s: %v\n", k, m[k])
		}
	}
	section("User", req.User)
	section("Account", req.Account)
	if ent := req.Entitlement; ent != nil {
		section("Entitlement", map[string]any{"type": ent.Type, "id": ent.ID, "name": ent.Name})
	}
	section("Task", req.Task)
	return title, strings.TrimRight(b.String(), "\n")
}

var opTitles = map[Operation]string{
	CreateAccount:  "Create account",
	UpdateAccount:  "Update account",
	EnableAccount:  "Enable account",
	DisableAccount: "Disable account",
	RemoveAccount:  "Remove account",
	AddAccess:      "Grant",
	RemoveAccess:   "Revoke",
	ChangePassword: "Change password",
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			if s, err := binding.ToString(v); err == nil && s != "" {
				return s
			}
		}
	}
	return ""
}

// TicketStatus implements Connector.
func (e *Engine) TicketStatus(ctx context.Context, ticketID string) (Ticket, error) {
	ts := e.c.ticketStatus
	if ts == nil {
		return Ticket{}, &Error{Op: opTicketStatus, Message: "the spec has no tickets.status", Err: ErrUnsupported}
	}
	if ticketID == "" {
		return Ticket{}, &Error{Op: opTicketStatus, Message: "empty ticket ID"}
	}
	vars := e.baseVars()
	vars.Responses = map[string]any{}
	vars.Ticket = map[string]any{"id": ticketID}
	data := vars.Map()
	if err := e.chain(ctx, opTicketStatus, ts.calls, data, e.red); err != nil {
		return Ticket{}, err
	}
	t := Ticket{ID: ticketID}
	var err error
	if t.Status, err = ts.status.Render(data); err != nil {
		return Ticket{}, e.templateError(opTicketStatus, "", err)
	}
	key := t.Status
	if ts.key != nil {
		if key, err = ts.key.Render(data); err != nil {
			return Ticket{}, e.templateError(opTicketStatus, "", err)
		}
	}
	if ts.number != nil {
		if t.Number, err = ts.number.Render(data); err != nil {
			return Ticket{}, e.templateError(opTicketStatus, "", err)
		}
	}
	if t.State, err = ts.state(key); err != nil {
		return Ticket{}, e.mask(&Error{Op: opTicketStatus, Path: "tickets.status.states", Message: err.Error()})
	}
	return t, nil
}

// state maps a status key through the rules; the first match wins.
func (ts *compiledTicketStatus) state(key string) (TicketState, error) {
	for _, r := range ts.states {
		for _, s := range r.equals {
			if s == key {
				return r.state, nil
			}
		}
		if r.re != nil && r.re.MatchString(key) {
			return r.state, nil
		}
	}
	if ts.def != "" {
		return ts.def, nil
	}
	return "", fmt.Errorf("status %q matches no rule and there is no default", key)
}
