package connector

import (
	"fmt"
	"regexp"

	"github.com/restconn/restconn/template"
)

func (c *compiler) op(where string, op Operation, os *OpSpec, out *compiled, top bool) *compiledOp {
	co := &compiledOp{types: map[string]*compiledOp{}}
	if len(os.Types) > 0 {
		if !top || (op != AddAccess && op != RemoveAccess) {
			c.fail(where+".types", "only addAccess and removeAccess are chosen per entitlement type")
		}
		for _, typ := range sortedKeys(os.Types) {
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
		co.ticket = &compiledTicketRequest{
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

func (c *compiler) ticketStatus(where string, t *TicketStatus, out *compiled) *compiledTicketStatus {
	ts := &compiledTicketStatus{calls: c.chain(where+".calls", t.Calls, out)}
	if t.Status == "" {
		c.fail(where+".status", "missing: a template for the target's status text")
	}
	ts.status = c.tmpl(where+".status", t.Status, template.Plain)
	ts.key = c.optTmpl(where+".key", t.Key)
	ts.number = c.optTmpl(where+".number", t.Number)
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
