package connector

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/internal/vars"
	"github.com/restconn/restconn/template"
)

// fileTicket fulfils an operation by filing a ticket through
// tickets.create.
func (e *Engine) fileTicket(ctx context.Context, req Request, tr *compiledTicketTemplate, v *vars.Vars, red *redact.Redactor) (Result, error) {
	tc := e.c.ticketCreate
	data := v.Map()
	if err := e.bindTicketText(ctx, req, tr, data, red); err != nil {
		return Result{}, err
	}
	if err := e.chain(ctx, req.Op, tc.calls, data, red); err != nil {
		return Result{}, err
	}
	t := &Ticket{State: TicketPending}
	var err error
	if t.ID, err = tc.id.RenderContext(ctx, data); err != nil {
		return Result{}, e.renderError(red, req.Op, "", err)
	}
	if t.ID == "" {
		return Result{}, &Error{Op: req.Op, Path: "tickets.create.id", Message: "the new ticket's ID rendered empty"}
	}
	if err := e.readTicket(ctx, req.Op, red, &tc.ticketReader, data, t); err != nil {
		return Result{}, err
	}
	return Result{Ticket: t, Attributes: map[string]any{}}, nil
}

// bindTicketText renders the ticket's title and description (the spec's,
// or ones that describe req) and binds them as .ticket.title and
// .ticket.description for the calls of tickets.create.
func (e *Engine) bindTicketText(ctx context.Context, req Request, tr *compiledTicketTemplate, data map[string]any, red *redact.Redactor) error {
	title, desc := describe(req)
	var err error
	if tr.title != nil {
		if title, err = tr.title.RenderContext(ctx, data); err != nil {
			return e.renderError(red, req.Op, "", err)
		}
	}
	if tr.description != nil {
		if desc, err = tr.description.RenderContext(ctx, data); err != nil {
			return e.renderError(red, req.Op, "", err)
		}
	}
	data["ticket"] = map[string]any{"title": title, "description": desc}
	return nil
}

// ticketReader holds the templates that read a ticket out of a chain's
// responses, compiled once; tickets.create, tickets.status and
// tickets.cancel each embed one.
type ticketReader struct {
	number, status, key, updatedAt, url *template.Template
	where                               string // the spec path of the part, for errors
}

// readTicket renders r into t. Without a status template t.State is left
// as it is; with one, the key (or the status) is mapped through
// tickets.status.states.
func (e *Engine) readTicket(ctx context.Context, op Operation, red *redact.Redactor, r *ticketReader, data map[string]any, t *Ticket) error {
	var err error
	if r.number != nil {
		if t.Number, err = r.number.RenderContext(ctx, data); err != nil {
			return e.renderError(red, op, "", err)
		}
	}
	if r.status != nil {
		if t.Status, err = r.status.RenderContext(ctx, data); err != nil {
			return e.renderError(red, op, "", err)
		}
		key := t.Status
		if r.key != nil {
			if key, err = r.key.RenderContext(ctx, data); err != nil {
				return e.renderError(red, op, "", err)
			}
		}
		if t.State, err = e.c.ticketStatus.state(key); err != nil {
			return maskWith(red, &Error{Op: op, Path: "tickets.status.states", Message: err.Error()})
		}
	}
	if r.updatedAt != nil {
		s, err := r.updatedAt.RenderContext(ctx, data)
		if err != nil {
			return e.renderError(red, op, "", err)
		}
		if t.UpdatedAt, err = parseTicketTime(s); err != nil {
			return maskWith(red, &Error{Op: op, Path: r.where + ".updatedAt", Message: err.Error()})
		}
	}
	if r.url != nil {
		if t.URL, err = r.url.RenderContext(ctx, data); err != nil {
			return e.renderError(red, op, "", err)
		}
		t.URL = strings.TrimSpace(t.URL)
	}
	return nil
}

// parseTicketTime reads the text an updatedAt template renders: empty
// (unknown: the zero time), an integer number of Unix seconds, or an RFC
// 3339 time with or without fractional seconds. The result is in UTC.
func parseTicketTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("renders %q: want an RFC 3339 time (2006-01-02T15:04:05Z) or Unix seconds", s)
	}
	return t.UTC(), nil
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
	return e.ticketStatus(ctx, opTicketStatus, ticketID)
}

// ticketStatus runs tickets.status for ticketID; errors carry op.
func (e *Engine) ticketStatus(ctx context.Context, op Operation, ticketID string) (Ticket, error) {
	ctx = e.opCtx(ctx)
	ts := e.c.ticketStatus
	if ts == nil {
		return Ticket{}, &Error{Op: op, Message: "the spec has no tickets.status", Err: ErrUnsupported}
	}
	if ticketID == "" {
		return Ticket{}, &Error{Op: op, Message: "empty ticket ID"}
	}
	data := e.ticketVars(map[string]any{"id": ticketID})
	red := e.scoped(e.red)
	if err := e.chain(ctx, op, ts.calls, data, red); err != nil {
		return Ticket{}, err
	}
	t := Ticket{ID: ticketID}
	if err := e.readTicket(ctx, op, red, &ts.ticketReader, data, &t); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// CommentTicket adds text to a ticket filed by Provision, as a comment or
// note the people working on it read, by running the spec's
// tickets.comment calls with .ticket.id and .ticket.text. A spec without
// tickets.comment gives an error wrapping ErrUnsupported; an empty text
// is an error, and so is a ticket the target does not know (ErrNotFound,
// where the spec's error rules say so).
func (e *Engine) CommentTicket(ctx context.Context, ticketID, text string) error {
	tc := e.c.ticketNote
	switch {
	case tc == nil:
		return &Error{Op: opTicketComment, Message: "the spec has no tickets.comment", Err: ErrUnsupported}
	case ticketID == "":
		return &Error{Op: opTicketComment, Message: "empty ticket ID"}
	case strings.TrimSpace(text) == "":
		return &Error{Op: opTicketComment, Message: "empty comment text"}
	}
	return e.chain(e.opCtx(ctx), opTicketComment, tc.calls, e.ticketVars(map[string]any{"id": ticketID, "text": text}), e.scoped(e.red))
}

// CancelTicket withdraws a ticket filed by Provision: the request it
// carries is no longer wanted. It runs the spec's tickets.cancel calls
// with .ticket.id and .ticket.reason (which may be empty) and returns the
// ticket as the target then reports it, which the spec's state rules map
// to TicketRejected: from the cancel's responses when tickets.cancel has
// status, else by polling tickets.status.
//
// The ticket is read first. One that is already rejected is returned as
// it is, so cancelling twice is harmless; one that is already completed is
// not touched, because the work it asked for is done: CancelTicket then
// returns the ticket and an error wrapping ErrConflict. A spec without
// tickets.cancel gives an error wrapping ErrUnsupported.
func (e *Engine) CancelTicket(ctx context.Context, ticketID, reason string) (Ticket, error) {
	tc := e.c.ticketCancel
	switch {
	case tc == nil:
		return Ticket{}, &Error{Op: opTicketCancel, Message: "the spec has no tickets.cancel", Err: ErrUnsupported}
	case ticketID == "":
		return Ticket{}, &Error{Op: opTicketCancel, Message: "empty ticket ID"}
	}
	before, err := e.ticketStatus(ctx, opTicketCancel, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	switch before.State {
	case TicketRejected:
		return before, nil
	case TicketCompleted:
		return before, e.mask(&Error{Op: opTicketCancel, Err: ErrConflict,
			Message: fmt.Sprintf("ticket %s is already completed (status %q): the work is done, so it is not cancelled", ticketID, before.Status)})
	}
	ctx = e.opCtx(ctx)
	data := e.ticketVars(map[string]any{"id": ticketID, "reason": reason})
	red := e.scoped(e.red)
	if err := e.chain(ctx, opTicketCancel, tc.calls, data, red); err != nil {
		return Ticket{}, err
	}
	if tc.status == nil {
		return e.ticketStatus(ctx, opTicketCancel, ticketID)
	}
	t := Ticket{ID: ticketID}
	if err := e.readTicket(ctx, opTicketCancel, red, &tc.ticketReader, data, &t); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// ticketVars are the variables of the calls that act on an existing
// ticket: .params, .secrets, .now, .responses and .ticket.
func (e *Engine) ticketVars(ticket map[string]any) map[string]any {
	v := e.baseVars()
	v.Responses = map[string]any{}
	v.Ticket = ticket
	return v.Map()
}
