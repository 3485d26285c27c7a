package otrstest

import (
	"regexp"
	"strconv"
	"strings"
	"time"
)

// lookup resolves a Name/NameID attribute pair the way the Validate*
// helpers do: the name is used only when no ID is given.
func lookup(m map[string]any, nameKey, idKey string, table idName) int {
	switch {
	case truthy(m[nameKey]) && !truthy(m[idKey]):
		return table.byName(field(m, nameKey))
	case truthy(m[idKey]):
		id := posInt(field(m, idKey))
		if table.name(id) == "" {
			return 0
		}
		return id
	}
	return 0
}

func lookupState(m map[string]any) (stateDef, bool) {
	switch {
	case truthy(m["State"]) && !truthy(m["StateID"]):
		return stateByName(field(m, "State"))
	case truthy(m["StateID"]):
		return stateByID(posInt(field(m, "StateID")))
	}
	return stateDef{}, false
}

// lookupUser is _ValidateUser: an agent by login or UserID.
func (s *Server) lookupUser(m map[string]any, nameKey, idKey string) *agent {
	switch {
	case truthy(m[nameKey]) && !truthy(m[idKey]):
		return s.agentByLogin(field(m, nameKey))
	case truthy(m[idKey]):
		id := posInt(field(m, idKey))
		if id >= 1 && id <= len(s.cfg.agents) {
			return s.cfg.agents[id-1]
		}
	}
	return nil
}

// validCustomer is ValidateCustomer: a known login, or else any
// syntactically valid e-mail address.
func (s *Server) validCustomer(v string) bool {
	if v == "" {
		return false
	}
	if s.customerByLogin(v) != nil {
		return true
	}
	return validFrom(v)
}

// pendingUntil is ValidatePendingTime plus TicketPendingTimeSet: either
// {Diff: minutes} alone or {Year, Month, Day[, Hour, Minute]}.
func (s *Server) pendingUntil(v any) (int64, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		return 0, false
	}
	if d, ok := m["Diff"]; ok && d != nil {
		if len(m) != 1 || !digitsRe.MatchString(str(d)) {
			return 0, false
		}
		n, _ := strconv.ParseInt(str(d), 10, 64)
		return s.now().Unix() + 60*n, true
	}
	parts := map[string]int{}
	for k, e := range m {
		sv := strings.TrimSpace(str(e))
		if sv == "" {
			return 0, false
		}
		n, err := strconv.Atoi(sv)
		if err != nil || n < 0 {
			return 0, false
		}
		parts[k] = n
	}
	for _, k := range []string{"Year", "Month", "Day"} {
		if _, ok := parts[k]; !ok {
			return 0, false
		}
	}
	t := time.Date(parts["Year"], time.Month(parts["Month"]), parts["Day"], parts["Hour"], parts["Minute"], 0, 0, time.UTC)
	if t.Year() != parts["Year"] || int(t.Month()) != parts["Month"] || t.Day() != parts["Day"] ||
		t.Hour() != parts["Hour"] || t.Minute() != parts["Minute"] {
		return 0, false
	}
	return t.Unix(), true
}

// ticketAttrs are the validated Ticket attributes of a create or update.
type ticketAttrs struct {
	queueID, lockID, typeID     int
	state                       stateDef
	priorityID                  int
	owner, responsible          *agent
	hasQueue, hasLock, hasType  bool
	hasState, hasPrio, hasOwner bool
	hasResponsible              bool
}

// checkTicket is _CheckTicket of TicketCreate (create=true) or
// TicketUpdate (attributes optional). It returns nil on success.
func (s *Server) checkTicket(op string, tk map[string]any, create bool) (ticketAttrs, *opResult) {
	var a ticketAttrs
	fail := func(code, msg string) (ticketAttrs, *opResult) {
		r := opError(op+"."+code, op+": "+msg)
		return a, &r
	}
	if create {
		for _, k := range []string{"Title", "CustomerUser"} {
			if !truthy(tk[k]) {
				return fail("MissingParameter", "Ticket->"+k+" parameter is missing!")
			}
		}
	}
	if (create || truthy(tk["CustomerUser"])) && !s.validCustomer(field(tk, "CustomerUser")) {
		return fail("InvalidParameter", "Ticket->CustomerUser parameter is invalid!")
	}
	a.hasQueue = truthy(tk["Queue"]) || truthy(tk["QueueID"])
	if create && !a.hasQueue {
		return fail("MissingParameter", "Ticket->QueueID or Ticket->Queue parameter is required!")
	}
	if a.hasQueue {
		if a.queueID = lookup(tk, "Queue", "QueueID", queues); a.queueID == 0 {
			return fail("InvalidParameter", "Ticket->QueueID or Ticket->Queue parameter is invalid!")
		}
	}
	if a.hasLock = truthy(tk["Lock"]) || truthy(tk["LockID"]); a.hasLock {
		if a.lockID = lookup(tk, "Lock", "LockID", locks); a.lockID == 0 {
			return fail("InvalidParameter", "Ticket->LockID or Ticket->Lock parameter is invalid!")
		}
	}
	// Ticket::Type is off by default, so Type is optional even on create.
	if a.hasType = truthy(tk["Type"]) || truthy(tk["TypeID"]); a.hasType {
		if a.typeID = lookup(tk, "Type", "TypeID", ticketTypes); a.typeID == 0 {
			return fail("InvalidParameter", "Ticket->TypeID or Ticket->Type parameter is invalid!")
		}
	}
	// A fresh install has no services and no SLAs.
	if truthy(tk["Service"]) || truthy(tk["ServiceID"]) {
		return fail("InvalidParameter", "Ticket->ServiceID or Ticket->Service parameter is invalid!")
	}
	if truthy(tk["SLA"]) || truthy(tk["SLAID"]) {
		return fail("InvalidParameter", "Ticket->SLAID or Ticket->SLA parameter is invalid!")
	}
	a.hasState = truthy(tk["State"]) || truthy(tk["StateID"])
	if create && !a.hasState {
		return fail("MissingParameter", "Ticket->StateID or Ticket->State parameter is required!")
	}
	if a.hasState {
		var ok bool
		if a.state, ok = lookupState(tk); !ok {
			return fail("InvalidParameter", "Ticket->StateID or Ticket->State parameter is invalid!")
		}
	}
	a.hasPrio = truthy(tk["Priority"]) || truthy(tk["PriorityID"])
	if create && !a.hasPrio {
		return fail("MissingParameter", "Ticket->PriorityID or Ticket->Priority parameter is required!")
	}
	if a.hasPrio {
		if a.priorityID = lookup(tk, "Priority", "PriorityID", priorities); a.priorityID == 0 {
			return fail("InvalidParameter", "Ticket->PriorityID or Ticket->Priority parameter is invalid!")
		}
	}
	if a.hasOwner = truthy(tk["Owner"]) || truthy(tk["OwnerID"]); a.hasOwner {
		if a.owner = s.lookupUser(tk, "Owner", "OwnerID"); a.owner == nil {
			return fail("InvalidParameter", "Ticket->OwnerID or Ticket->Owner parameter is invalid!")
		}
	}
	if a.hasResponsible = truthy(tk["Responsible"]) || truthy(tk["ResponsibleID"]); a.hasResponsible {
		if a.responsible = s.lookupUser(tk, "Responsible", "ResponsibleID"); a.responsible == nil {
			return fail("InvalidParameter", "Ticket->ResponsibleID or Ticket->Responsible parameter is invalid!")
		}
	}
	if truthy(tk["PendingTime"]) {
		if _, ok := s.pendingUntil(tk["PendingTime"]); !ok {
			return fail("InvalidParameter", "Ticket->PendingTime parameter is invalid!")
		}
	}
	return a, nil
}

// articleDefaults fills what the operation's sysconfig supplies.
func articleDefaults(art map[string]any, p principal, historyType, autoResponseType string) {
	if !truthy(art["AutoResponseType"]) {
		art["AutoResponseType"] = autoResponseType
	}
	if !truthy(art["CommunicationChannelID"]) && !truthy(art["CommunicationChannel"]) {
		art["CommunicationChannel"] = "Internal"
	}
	if art["IsVisibleForCustomer"] == nil {
		art["IsVisibleForCustomer"] = "1"
	}
	if !truthy(art["SenderTypeID"]) && !truthy(art["SenderType"]) {
		if p.userType == "User" {
			art["SenderType"] = "agent"
		} else {
			art["SenderType"] = "customer"
		}
	}
	if !truthy(art["HistoryType"]) {
		art["HistoryType"] = historyType
	}
	if !truthy(art["HistoryComment"]) {
		art["HistoryComment"] = "%%"
	}
}

var (
	charsetCreateRe    = regexp.MustCompile(`.+?charset=("|'|)(\w+)`)
	charsetUpdateRe    = regexp.MustCompile(`.+?charset\s*=\s*("|'|)(\w+)`)
	semicolonTailRe    = regexp.MustCompile(`(.+?);.*`)
	mimePrefixRe       = regexp.MustCompile(`^(\w+/\w+)`)
	timeUnitRe         = regexp.MustCompile(`^\d+([.,]\d+)?$`)
	digitsRe           = regexp.MustCompile(`^\d+$`)
	charsetMarkRe      = regexp.MustCompile(`charset=`)
	charsetMarkSpaceRe = regexp.MustCompile(`charset\s*=\s*`)
	lineBreakRe        = regexp.MustCompile(`\r\n|\r|\n`)
)

// extractCharset pulls the charset out of a (lower-cased) ContentType the
// way _CheckArticle's substitutions do; "" when there is none.
func extractCharset(ct string, update bool) string {
	re, marker := charsetCreateRe, charsetMarkRe
	if update {
		re, marker = charsetUpdateRe, charsetMarkSpaceRe
	}
	if !marker.MatchString(ct) {
		return ""
	}
	cs := re.ReplaceAllString(ct, "$2")
	cs = strings.NewReplacer(`"`, "", `'`, "").Replace(cs)
	return semicolonTailRe.ReplaceAllString(cs, "$1")
}

// contentTypeValid is the ContentType check of _CheckArticle: the value
// needs a resolvable charset and a type/subtype prefix. A ContentType
// without charset is therefore invalid.
func contentTypeValid(ct string, update bool) bool {
	ct = strings.ToLower(ct)
	if update {
		ct = lineBreakRe.ReplaceAllString(ct, " ")
	}
	return validCharset(extractCharset(ct, update)) && mimeTypeRe.MatchString(firstMatch(mimePrefixRe, ct))
}

// checkArticle is _CheckArticle of TicketCreate/TicketUpdate.
func (s *Server) checkArticle(op string, art map[string]any) *opResult {
	fail := func(code, msg string) *opResult {
		r := opError(op+"."+code, op+": "+msg)
		return &r
	}
	for _, k := range []string{"Subject", "Body", "AutoResponseType"} {
		if !truthy(art[k]) {
			return fail("MissingParameter", "Article->"+k+" parameter is missing!")
		}
	}
	if !autoResponseTypes[field(art, "AutoResponseType")] {
		return fail("InvalidParameter", "Article->AutoResponseType parameter is invalid!")
	}
	if ch := lookup(art, "CommunicationChannel", "CommunicationChannelID", channels); ch == 0 || ch == channels.byName("Chat") {
		return fail("InvalidParameter", "Article->CommunicationChannel or Article->CommunicationChannelID parameter is invalid or not supported!")
	}
	if lookup(art, "SenderType", "SenderTypeID", senderTypes) == 0 {
		return fail("InvalidParameter", "Article->SenderTypeID or Ticket->SenderType parameter is invalid!")
	}
	if truthy(art["From"]) && !validFrom(field(art, "From")) {
		return fail("InvalidParameter", "Article->From parameter is invalid!")
	}
	if op == "TicketUpdate" && truthy(art["ArticleSend"]) && !allEmailsValid(field(art, "To")) {
		// The vendor really reports this one under TicketCreate.
		r := opError("TicketCreate.InvalidParameter", "TicketCreate: Article->To parameter must be a valid email address when Article->ArticleSend is set!")
		return &r
	}
	ct, mt, cs := truthy(art["ContentType"]), truthy(art["MimeType"]), truthy(art["Charset"])
	switch {
	case !ct && !mt && !cs:
		return fail("MissingParameter", "Article->ContentType or Ticket->MimeType and Article->Charset parameters are required!")
	case mt && !cs:
		return fail("MissingParameter", "Article->Charset is required!")
	case cs && !mt:
		return fail("MissingParameter", "Article->MimeType is required!")
	}
	if mt {
		art["MimeType"] = strings.ToLower(field(art, "MimeType"))
		if !mimeTypeRe.MatchString(field(art, "MimeType")) {
			return fail("InvalidParameter", "Article->MimeType is invalid!")
		}
	}
	if cs {
		art["Charset"] = strings.ToLower(field(art, "Charset"))
		if !validCharset(field(art, "Charset")) {
			return fail("InvalidParameter", "Article->Charset is invalid!")
		}
	}
	if ct {
		if !contentTypeValid(field(art, "ContentType"), op == "TicketUpdate") {
			return fail("InvalidParameter", "Article->ContentType is invalid!")
		}
		art["ContentType"] = strings.ToLower(field(art, "ContentType"))
	}
	if !historyTypes[field(art, "HistoryType")] {
		return fail("InvalidParameter", "Article->HistoryType parameter is invalid!")
	}
	if truthy(art["TimeUnit"]) && !timeUnitRe.MatchString(field(art, "TimeUnit")) {
		return fail("InvalidParameter", "Article->TimeUnit parameter is invalid!")
	}
	if truthy(art["NoAgentNotify"]) && field(art, "NoAgentNotify") != "1" {
		return fail("InvalidParameter", "Article->NoAgent parameter is invalid!")
	}
	for _, k := range []string{"ForceNotificationToUserID", "ExcludeNotificationToUserID", "ExcludeMuteNotificationToUserID"} {
		v, ok := art[k]
		if !ok || v == nil {
			continue
		}
		if isHashWithData(v) {
			return fail("InvalidParameter", "Article->"+k+" parameter is invalid!")
		}
		ids, isList := v.([]any)
		if !isList || len(ids) == 0 {
			ids = []any{v}
		}
		for _, id := range ids {
			n := posInt(str(id))
			if n < 1 || n > len(s.cfg.agents) {
				return fail("InvalidParameter", "Article->"+k+" UserID="+str(id)+" parameter is invalid!")
			}
		}
	}
	return nil
}

func allEmailsValid(to string) bool {
	if strings.TrimSpace(to) == "" {
		return false
	}
	for _, a := range strings.Split(to, ",") {
		if !validFrom(a) {
			return false
		}
	}
	return true
}

// checkAttachment is _CheckAttachment (the content is not stored).
func checkAttachment(op string, at map[string]any) *opResult {
	sep := " " // TicketCreate's message has a double space here
	if op == "TicketCreate" {
		sep = "  "
	}
	for _, k := range []string{"Content", "ContentType", "Filename"} {
		if !isStringWithData(at[k]) {
			r := opError(op+".MissingParameter", op+": Attachment->"+k+sep+"parameter is missing!")
			return &r
		}
	}
	ct := strings.ToLower(field(at, "ContentType"))
	if op == "TicketUpdate" {
		ct = lineBreakRe.ReplaceAllString(ct, " ")
	}
	cs := extractCharset(ct, op == "TicketUpdate")
	if (cs != "" && !validCharset(cs)) || !mimeTypeRe.MatchString(firstMatch(mimePrefixRe, ct)) {
		r := opError(op+".InvalidParameter", op+": Attachment->ContentType is invalid!")
		return &r
	}
	return nil
}

func firstMatch(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

// checkDynamicField validates one {Name, Value} item. Only declared ticket
// text fields exist; their values must be strings (or numbers).
func (s *Server) checkDynamicField(op string, df map[string]any) *opResult {
	sep := " "
	if op == "TicketCreate" {
		sep = "  "
	}
	for _, k := range []string{"Name", "Value"} {
		v := df[k]
		if v == nil || (!isString(v) && !isArray(v)) {
			r := opError(op+".MissingParameter", op+": DynamicField->"+k+sep+"parameter is missing!")
			return &r
		}
	}
	if !truthy(df["Name"]) || !contains(s.cfg.dynFields, field(df, "Name")) {
		r := opError(op+".InvalidParameter", op+": DynamicField->Name parameter is invalid!")
		return &r
	}
	if !isString(df["Value"]) {
		r := opError(op+".InvalidParameter", op+": DynamicField->Value parameter is invalid!")
		return &r
	}
	return nil
}

// items turns an object-or-array parameter into a list.
func items(v any) []any {
	if m, ok := v.(map[string]any); ok {
		return []any{m}
	}
	a, _ := v.([]any)
	return a
}

// newArticle builds an article from a validated Article object.
func newArticle(art map[string]any, from, to string, userID int) *article {
	a := &article{
		from: from, to: to, cc: field(art, "Cc"), bcc: field(art, "Bcc"),
		subject: field(art, "Subject"), body: field(art, "Body"),
		channelID:    lookup(art, "CommunicationChannel", "CommunicationChannelID", channels),
		senderTypeID: lookup(art, "SenderType", "SenderTypeID", senderTypes),
		visible:      truthy(art["IsVisibleForCustomer"]),
		createBy:     userID,
	}
	a.contentType = field(art, "ContentType")
	if a.contentType == "" {
		a.contentType = field(art, "MimeType") + "; charset=" + field(art, "Charset")
	}
	if truthy(art["TimeUnit"]) {
		a.timeUnit, _ = strconv.ParseFloat(strings.Replace(field(art, "TimeUnit"), ",", ".", 1), 64)
	}
	return a
}

// canAccess is CheckAccessPermissions: agents by queue permission,
// customer users by CustomerUserID or CustomerID.
func (s *Server) canAccess(p principal, t *ticket) bool {
	if p.agent != nil {
		return p.agent.canQueue(t.queueID)
	}
	return t.customerUser == p.customer.login || (t.customerID != "" && t.customerID == p.customer.customerID)
}
