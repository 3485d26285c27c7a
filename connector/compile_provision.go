package connector

import (
	"fmt"
	"maps"
	"regexp"
	"slices"

	"github.com/restconn/restconn/template"
)

// provision compiles the operations: unknown names first, then the
// operations in the order of Operations.
func (c *compiler) provision(out *compiled) {
	for _, op := range slices.Sorted(maps.Keys(c.spec.Provision)) {
		if !slices.Contains(Operations, op) {
			c.fail("provision."+string(op), "unknown operation %q (want one of %s)", op, list(opNames()))
		}
	}
	for _, op := range Operations {
		ps, ok := c.spec.Provision[op]
		if !ok {
			continue
		}
		path := "provision." + string(op)
		c.step(func() {
			if ps == nil {
				c.fail(path, "missing value")
			}
			out.ops[op] = c.op(path, op, ps, out, true)
		})
	}
}

// tickets compiles tickets.create and tickets.status, then checks that
// every operation fulfilled by a ticket can file one.
func (c *compiler) tickets(out *compiled) {
	if t := c.spec.Tickets; t != nil {
		if t.Create != nil {
			out.ticketCreate = c.ticketCreate("tickets.create", t.Create, out)
		}
		if t.Status != nil {
			out.ticketStatus = c.ticketStatus("tickets.status", t.Status, out)
		}
		if t.Create != nil && t.Create.Status != "" && t.Status == nil {
			c.fail("tickets.create.status", "needs tickets.status.states to map the status")
		}
		c.ticketActions(t, out)
	}
	for _, op := range Operations {
		cop := out.ops[op]
		if cop == nil {
			continue
		}
		needs := cop.ticket != nil
		for _, t := range cop.types {
			needs = needs || t.ticket != nil
		}
		if needs && out.ticketCreate == nil {
			c.fail("provision."+string(op)+".ticket", "needs tickets.create")
		}
	}
}

func (c *compiler) ticketCreate(p string, t *TicketCreate, out *compiled) *compiledTicketCreate {
	tc := &compiledTicketCreate{calls: c.chain(p+".calls", t.Calls, out)}
	if t.ID == "" {
		c.fail(p+".id", "missing: a template for the new ticket's ID")
	}
	tc.id = c.tmpl(p+".id", t.ID, template.Plain)
	tc.ticketReader = c.ticketReader(p, t.Number, t.Status, t.Key, t.UpdatedAt, t.URL)
	if t.Key != "" && t.Status == "" {
		c.fail(p+".key", "needs status")
	}
	return tc
}

// ticketReader compiles the templates that read a ticket out of the
// responses of the spec part at p; each may be empty.
func (c *compiler) ticketReader(p, number, status, key, updatedAt, url string) ticketReader {
	return ticketReader{
		number:    c.optTmpl(p+".number", number),
		status:    c.optTmpl(p+".status", status),
		key:       c.optTmpl(p+".key", key),
		updatedAt: c.optTmpl(p+".updatedAt", updatedAt),
		url:       c.optTmpl(p+".url", url),
		where:     p,
	}
}

func (c *compiler) op(where string, op Operation, os *ProvisionOp, out *compiled, top bool) *compiledOp {
	co := &compiledOp{types: map[string]*compiledOp{}}
	if len(os.Types) > 0 {
		if !top || (op != AddAccess && op != RemoveAccess) {
			c.fail(where+".types", "only addAccess and removeAccess are chosen per entitlement type")
		}
		for _, typ := range slices.Sorted(maps.Keys(os.Types)) {
			t := os.Types[typ]
			if t == nil {
				c.fail(join(where+".types", typ), "missing value")
			}
			co.types[typ] = c.op(join(where+".types", typ), op, t, out, false)
		}
	}
	switch {
	case os.Ticket != nil && len(os.Calls) > 0:
		c.fail(where, "give calls or ticket, not both")
	case os.Ticket != nil:
		co.ticket = &compiledTicketTemplate{
			title:       c.optTmpl(where+".ticket.title", os.Ticket.Title),
			description: c.optTmpl(where+".ticket.description", os.Ticket.Description),
		}
		if os.AccountID != "" || len(os.Attributes) > 0 {
			c.fail(where, "a ticket operation maps no accountID or attributes")
		}
	case len(os.Calls) > 0:
		co.calls = c.chain(where+".calls", os.Calls, out)
	case len(os.Types) == 0:
		c.fail(where, "give calls, ticket or types")
	}
	co.accountID = c.optTmpl(where+".accountID", os.AccountID)
	co.attributes = c.templates(where+".attributes", os.Attributes, template.Plain)
	return co
}

func (c *compiler) ticketStatus(where string, t *TicketPoll, out *compiled) *compiledTicketPoll {
	ts := &compiledTicketPoll{calls: c.chain(where+".calls", t.Calls, out)}
	if t.Status == "" {
		c.fail(where+".status", "missing: a template for the target's status text")
	}
	ts.ticketReader = c.ticketReader(where, t.Number, t.Status, t.Key, t.UpdatedAt, t.URL)
	if len(t.States) == 0 {
		c.fail(where+".states", "missing: rules that map statuses to open, pending, completed or rejected")
	}
	for i, r := range t.States {
		p := fmt.Sprintf("%s.states[%d]", where, i)
		if !r.State.valid() {
			c.fail(p+".state", "want open, pending, completed or rejected, not %q", r.State)
		}
		cs := compiledState{state: r.State}
		n := 0
		if r.Equals != "" {
			cs.equals = append(cs.equals, r.Equals)
			n++
		}
		if len(r.In) > 0 {
			cs.equals = append(cs.equals, r.In...)
			n++
		}
		if r.Matches != "" {
			re, err := regexp.Compile(r.Matches)
			if err != nil {
				c.fail(p+".matches", "bad regular expression: %v", err)
			}
			cs.re = re
			n++
		}
		if n != 1 {
			c.fail(p, "give exactly one of equals, in or matches")
		}
		ts.states = append(ts.states, cs)
	}
	if t.Default != "" && !t.Default.valid() {
		c.fail(where+".default", "want open, pending, completed or rejected, not %q", t.Default)
	}
	ts.def = t.Default
	return ts
}
