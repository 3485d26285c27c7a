package otrstest

// ticketCreate is Ticket::TicketCreate, check for check in the vendor's
// order so the first failing check decides the error.
func (s *Server) ticketCreate(data any) opResult {
	const op = "TicketCreate"
	d, ok := data.(map[string]any)
	if !ok {
		// A JSON array body: Perl dies dereferencing it as a hash.
		return opResult{crash: true}
	}
	if !truthy(d["UserLogin"]) && !truthy(d["CustomerUserLogin"]) && !truthy(d["SessionID"]) {
		return opError(op+".MissingParameter", op+": UserLogin, CustomerUserLogin or SessionID is required!")
	}
	if (truthy(d["UserLogin"]) || truthy(d["CustomerUserLogin"])) && !truthy(d["Password"]) {
		return opError(op+".MissingParameter", op+": Password or SessionID is required!")
	}
	p, ok := s.auth(d)
	if !ok {
		return opError(op+".AuthFail", op+": User could not be authenticated!")
	}
	for _, k := range []string{"Ticket", "Article"} {
		if !isHashWithData(d[k]) {
			return opError(op+".MissingParameter", op+": "+k+" parameter is missing or not valid!")
		}
	}
	for _, k := range []string{"DynamicField", "Attachment"} {
		if v := d[k]; v != nil && !isHashWithData(v) && !isArrayWithData(v) {
			return opError(op+".MissingParameter", op+": "+k+" parameter is missing or not valid!")
		}
	}

	tk := d["Ticket"].(map[string]any)
	trimStrings(tk)
	attrs, res := s.checkTicket(op, tk, true)
	if res != nil {
		return *res
	}
	if p.agent != nil && !p.agent.canQueue(attrs.queueID) {
		return opError(op+".AccessDenied", op+": Can not create tickets in given Queue or QueueID!")
	}

	art := d["Article"].(map[string]any)
	trimStrings(art)
	articleDefaults(art, p, "NewTicket", "auto reply")
	if res := s.checkArticle(op, art); res != nil {
		return *res
	}

	dfs := items(d["DynamicField"])
	for _, it := range dfs {
		df, ok := it.(map[string]any)
		if !ok || len(df) == 0 {
			// Returned without Success => 0 by the vendor: a 500 fault.
			return serverFault(op + ": Ticket->DynamicField parameter is invalid!")
		}
		trimStrings(df)
		if res := s.checkDynamicField(op, df); res != nil {
			return *res
		}
	}
	for _, it := range items(d["Attachment"]) {
		at, ok := it.(map[string]any)
		if !ok || len(at) == 0 {
			return serverFault(op + ": Ticket->Attachment parameter is invalid!")
		}
		trimStrings(at)
		if res := checkAttachment(op, at); res != nil {
			return *res
		}
	}
	if pt := tk["PendingTime"]; pt != nil && !isHash(pt) && isPending(attrs.state) {
		return opResult{crash: true} // %{ "" } under strict refs
	}

	// _TicketCreate.
	uid := p.actingUserID()
	now := s.now()
	cu := field(tk, "CustomerUser")
	custData := s.customerByLogin(cu)
	if custData == nil {
		custData = s.customerByEmail(cu)
	}
	customerID := ""
	if custData != nil {
		cu, customerID = custData.login, custData.customerID
	}
	if v := field(tk, "CustomerID"); v != "" {
		customerID = v
	}
	typeID := attrs.typeID
	if typeID == 0 {
		typeID = ticketTypes.byName("Unclassified")
	}
	t := &ticket{
		id: s.nextTID, tn: s.nextTicketNumber(now), title: field(tk, "Title"),
		queueID: attrs.queueID, stateID: attrs.state.id, priorityID: attrs.priorityID, typeID: typeID,
		lockID: 1, ownerID: 1, responsible: 1,
		customerUser: cu, customerID: customerID,
		created: now, changed: now, createBy: uid, changeBy: uid,
		dynamic: map[string]string{},
	}
	s.nextTID++
	s.tickets[t.id] = t
	s.byTN[t.tn] = t.id

	if attrs.hasLock {
		s.setLock(t, attrs.lockID, uid)
	}
	switch attrs.state.typeName {
	case "closed":
		s.setLock(t, 1, uid)
	case "pending reminder", "pending auto":
		if truthy(tk["PendingTime"]) {
			t.untilTime, _ = s.pendingUntil(tk["PendingTime"])
		}
	}
	for _, it := range dfs {
		df := it.(map[string]any)
		t.dynamic[field(df, "Name")] = field(df, "Value")
	}

	from := field(art, "From")
	switch {
	case from != "":
	case custData != nil:
		from = `"` + custData.first + " " + custData.last + `" <` + custData.email() + ">"
	default:
		from = cu
	}
	a := newArticle(art, from, queues.name(t.queueID), uid)
	s.addArticle(t, a)

	if attrs.owner != nil {
		t.ownerID = attrs.owner.id
		if !attrs.hasLock {
			s.setLock(t, 2, uid)
		}
	} else {
		t.ownerID = uid
	}
	if attrs.responsible != nil {
		t.responsible = attrs.responsible.id
	}
	return success(map[string]any{
		"TicketID":     s.id(t.id),
		"TicketNumber": t.tn,
		"ArticleID":    s.id(a.id),
	})
}

func isPending(st stateDef) bool {
	return st.typeName == "pending reminder" || st.typeName == "pending auto"
}

func isHash(v any) bool {
	_, ok := v.(map[string]any)
	return ok
}
