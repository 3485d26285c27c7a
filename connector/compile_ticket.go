package connector

// ticketActions compiles tickets.comment and tickets.cancel. Both act on a
// ticket that already exists, so neither needs tickets.create; cancel
// reads the state it leaves the ticket in, so it needs tickets.status.
func (c *compiler) ticketActions(t *Tickets, out *compiled) {
	if t.Comment != nil {
		out.ticketNote = &compiledTicketComment{calls: c.chain("tickets.comment.calls", t.Comment.Calls, out)}
	}
	if k := t.Cancel; k != nil {
		const p = "tickets.cancel"
		tc := &compiledTicketCancel{calls: c.chain(p+".calls", k.Calls, out)}
		tc.ticketReader = c.ticketReader(p, k.Number, k.Status, k.Key, k.UpdatedAt, k.URL)
		if k.Status == "" {
			for _, f := range []struct{ name, src string }{{"key", k.Key}, {"number", k.Number}, {"updatedAt", k.UpdatedAt}, {"url", k.URL}} {
				if f.src != "" {
					c.fail(p+"."+f.name, "needs status: without it the ticket is read with tickets.status after the cancel")
				}
			}
		}
		if t.Status == nil {
			c.fail(p, "needs tickets.status: the ticket's state after the cancel is mapped by tickets.status.states")
		}
		out.ticketCancel = tc
	}
}
