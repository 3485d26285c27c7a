package otrstest

// ticketUpdate is Ticket::TicketUpdate (multi-article version). Like the
// vendor it validates everything first, then applies attribute by
// attribute, so a late error (a pending state without PendingTime) leaves
// earlier changes (Title, Queue, Lock, Type) in place.
func (s *Server) ticketUpdate(data any) opResult {
	const op = "TicketUpdate"
	d, ok := data.(map[string]any)
	if !ok || len(d) == 0 {
		return opError(op+".EmptyRequest", op+": The request data is invalid!")
	}
	if !truthy(d["TicketID"]) && !truthy(d["TicketNumber"]) {
		return opError(op+".MissingParameter", op+": TicketID or TicketNumber is required!")
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
	uid := p.actingUserID()

	// TicketNumber wins over TicketID (the path) when both are present.
	var t *ticket
	if truthy(d["TicketNumber"]) {
		t = s.tickets[s.byTN[field(d, "TicketNumber")]]
	} else {
		t = s.tickets[posInt(field(d, "TicketID"))]
	}
	if t == nil || !s.canAccess(p, t) {
		return opError(op+".AccessDenied", op+": User does not have access to the ticket!")
	}

	if v, present := d["Ticket"]; present && v != nil && !isHashWithData(v) {
		return opError(op+".InvalidParameter", op+": Ticket parameter is not valid!")
	}
	for _, k := range []string{"DynamicField", "Attachment"} {
		if v := d[k]; v != nil && !isHashWithData(v) && !isArrayWithData(v) {
			return opError(op+".MissingParameter", op+": "+k+" parameter is missing or not valid!")
		}
	}
	tk, _ := d["Ticket"].(map[string]any)
	if tk == nil {
		tk = map[string]any{}
	}
	trimStrings(tk)
	attrs, res := s.checkTicket(op, tk, false)
	if res != nil {
		return *res
	}

	var arts []map[string]any
	if v := d["Article"]; v != nil {
		if !isHashWithData(v) && !isArrayWithData(v) {
			return opError(op+".InvalidParameter", op+": Article parameter is not valid!")
		}
		for _, it := range items(v) {
			art, ok := it.(map[string]any)
			if !ok {
				return opResult{crash: true} // a scalar used as a hash
			}
			trimStrings(art)
			articleDefaults(art, p, "AddNote", "auto follow up")
			if res := s.checkArticle(op, art); res != nil {
				return *res
			}
			if v := art["DynamicField"]; truthy(v) && !isHash(v) && !isArray(v) {
				return serverFault(op + ": Ticket->DynamicField parameter is invalid!")
			}
			if r := s.checkDynamicFields(op, art["DynamicField"]); r != nil {
				return *r
			}
			arts = append(arts, art)
		}
	}
	if r := s.checkDynamicFields(op, d["DynamicField"]); r != nil {
		return *r
	}
	for _, it := range items(d["Attachment"]) {
		at, ok := it.(map[string]any)
		if !ok || len(at) == 0 {
			return serverFault(op + ": Ticket->Attachment parameter is invalid!")
		}
		trimStrings(at)
		if len(arts) == 0 {
			return opError(op+".MissingParameter", op+": To create an attachment an article is needed!")
		}
		if res := checkAttachment(op, at); res != nil {
			return *res
		}
	}
	if pt := tk["PendingTime"]; pt != nil && !isHash(pt) && isPending(attrs.state) {
		return opResult{crash: true} // %{ "" } under strict refs
	}

	// _TicketUpdate.
	if title := field(tk, "Title"); title != "" && title != t.title {
		t.title = title
		s.touch(t, uid)
	}
	if attrs.hasQueue && attrs.queueID != t.queueID {
		t.queueID = attrs.queueID
		s.touch(t, uid)
	}
	if attrs.hasLock {
		s.setLock(t, attrs.lockID, uid)
	}
	if attrs.hasType && attrs.typeID != t.typeID {
		t.typeID = attrs.typeID
		s.touch(t, uid)
	}
	if attrs.hasState {
		switch attrs.state.typeName {
		case "closed":
			s.setLock(t, 1, uid)
		case "pending reminder", "pending auto":
			if tk["PendingTime"] == nil {
				return opError(op+".MissingParameter", "Can't set a ticket on a pending state without pendig time!")
			}
			t.untilTime, _ = s.pendingUntil(tk["PendingTime"])
			s.touch(t, uid)
		}
		s.setState(t, attrs.state, uid)
	}
	custData := s.customerByLogin(field(tk, "CustomerUser"))
	if truthy(tk["CustomerUser"]) || truthy(tk["CustomerID"]) {
		cu, cid := field(tk, "CustomerUser"), field(tk, "CustomerID")
		if cu != t.customerUser || cid != t.customerID {
			newCID := ""
			if custData != nil {
				newCID = custData.customerID
			}
			if cid != "" {
				newCID = cid
			}
			t.customerUser, t.customerID = cu, newCID
			s.touch(t, uid)
		}
	}
	if attrs.hasPrio && attrs.priorityID != t.priorityID {
		t.priorityID = attrs.priorityID
		s.touch(t, uid)
	}
	if attrs.owner != nil && attrs.owner.id != t.ownerID {
		t.ownerID = attrs.owner.id
		s.touch(t, uid)
	}
	if attrs.responsible != nil && attrs.responsible.id != t.responsible {
		t.responsible = attrs.responsible.id
		s.touch(t, uid)
	}

	var articleIDs []any
	for _, art := range arts {
		from := field(art, "From")
		switch {
		case from != "":
		case truthy(art["ArticleSend"]):
			from = "OTRS System <otrs@localhost>"
		case p.customer != nil && custData != nil:
			from = `"` + custData.first + " " + custData.last + `" <` + custData.email() + ">"
		case p.customer != nil:
			from = field(tk, "CustomerUser")
		default:
			from = p.agent.fullname()
		}
		if truthy(art["ArticleSend"]) {
			art["CommunicationChannel"] = "Email"
			delete(art, "CommunicationChannelID")
		}
		to := field(art, "To")
		if to == "" && lookup(art, "CommunicationChannel", "CommunicationChannelID", channels) == channels.byName("Email") {
			switch {
			case custData != nil:
				to = `"` + custData.first + " " + custData.last + `" <` + custData.email() + ">"
			case field(tk, "CustomerUser") != "":
				to = field(tk, "CustomerUser")
			default:
				to = t.customerUser
			}
		}
		a := newArticle(art, from, to, uid)
		s.addArticle(t, a)
		for _, it := range items(art["DynamicField"]) {
			df := it.(map[string]any)
			t.dynamic[field(df, "Name")] = field(df, "Value")
		}
		articleIDs = append(articleIDs, s.id(a.id))
	}
	for _, it := range items(d["DynamicField"]) {
		df := it.(map[string]any)
		if v := field(df, "Value"); t.dynamic[field(df, "Name")] != v {
			t.dynamic[field(df, "Name")] = v
			s.touch(t, uid)
		}
	}

	out := map[string]any{"TicketID": s.id(t.id), "TicketNumber": t.tn}
	switch len(articleIDs) {
	case 0:
	case 1:
		out["ArticleID"] = articleIDs[0]
	default:
		out["ArticleIDs"] = articleIDs
	}
	return success(out)
}

// checkDynamicFields is _ValidateDynamicFields for an object-or-array value.
func (s *Server) checkDynamicFields(op string, v any) *opResult {
	if v == nil {
		return nil
	}
	for _, it := range items(v) {
		df, ok := it.(map[string]any)
		if !ok || len(df) == 0 {
			r := serverFault(op + ": Ticket->DynamicField parameter is invalid!")
			return &r
		}
		trimStrings(df)
		if r := s.checkDynamicField(op, df); r != nil {
			return r
		}
	}
	return nil
}
