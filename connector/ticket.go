package connector

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/internal/vars"
)

// fileTicket fulfils an operation by filing a ticket through
// tickets.create.
func (e *Engine) fileTicket(ctx context.Context, req Request, tr *compiledTicketTemplate, v *vars.Vars, red *redact.Redactor) (Result, error) {
	tc := e.c.ticketCreate
	data := v.Map()
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
		for _, k := range slices.Sorted(maps.Keys(m)) {
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
			if s, err := record.ToString(v); err == nil && s != "" {
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
	v := e.baseVars()
	v.Responses = map[string]any{}
	v.Ticket = map[string]any{"id": ticketID}
	data := v.Map()
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
