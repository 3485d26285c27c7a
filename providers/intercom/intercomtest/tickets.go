package intercomtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Ticket is a ticket as the server holds it.
type Ticket struct {
	ID              string // the API id, used in URLs
	TicketID        string // the id shown in the Inbox; the API does not accept it
	TicketTypeID    string
	State           string // submitted, in_progress, waiting_on_customer or resolved
	Open            bool
	Title           string // the _default_title_ attribute, when a string
	Description     string // the _default_description_ attribute, when a string
	Attributes      map[string]any
	ContactIDs      []string
	ContactEmails   []string // of the contacts that have one
	AdminAssigneeID string   // "0" when unassigned
	TeamAssigneeID  string   // "0" when unassigned
	IsShared        bool
	SnoozedUntil    int64 // 0 when not snoozed
	CreatedAt       int64 // unix seconds
	UpdatedAt       int64
	Parts           []TicketPart
}

// TicketPart is an event in a ticket's history.
type TicketPart struct {
	ID                  string
	PartType            string // e.g. ticket_state_updated_by_admin, ticket_attribute_updated_by_admin, assignment, note, comment
	TicketState         string // the ticket's state after the event
	PreviousTicketState string // for state changes only
	AuthorID            string
	AuthorType          string // admin, bot or user
	Body                string // the text of a note or comment reply
	CreatedAt           int64
}

// Ticket states and their labels in the Inbox and the Messenger.
var stateLabels = map[string]string{
	"submitted":           "Submitted",
	"in_progress":         "In progress",
	"waiting_on_customer": "Waiting on customer",
	"resolved":            "Resolved",
}

type ticket struct {
	seq           int // creation order, for cursors
	id, ticketID  string
	typ           *ticketType
	state         string
	open          bool
	attrs         map[string]any
	contactIDs    []string
	adminAssignee string
	teamAssignee  string
	isShared      bool
	snoozedUntil  int64
	createdAt     int64
	updatedAt     int64
	parts         []part
}

type part struct {
	body                string     // of replies; partJSON sends it
	ID                  string     `json:"id"`
	PartType            string     `json:"part_type"`
	TicketState         string     `json:"ticket_state"`
	PreviousTicketState string     `json:"previous_ticket_state,omitempty"`
	CreatedAt           int64      `json:"created_at"`
	AssignedTo          *reference `json:"assigned_to,omitempty"`
	Author              author     `json:"author"`
}

type reference struct {
	Type string  `json:"type"`
	ID   *string `json:"id"`
}

type author struct {
	ID    string `json:"id"`
	Type  string `json:"type"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// operator is the bot that the API names as the author of changes made
// through it, as in the description's examples.
func (s *Server) operator() author {
	return author{ID: "991260001", Type: "bot", Name: "Operator", Email: "operator+" + s.app.IDCode + "@intercom.io"}
}

func (s *Server) addPart(t *ticket, partType, previous string, by author, assigned *reference, at int64) {
	s.lastPart++
	t.parts = append(t.parts, part{
		ID: strconv.Itoa(s.lastPart), PartType: partType, TicketState: t.state,
		PreviousTicketState: previous, CreatedAt: at, AssignedTo: assigned, Author: by,
	})
}

// Ticket returns the ticket with the given API id.
func (s *Server) Ticket(id string) (Ticket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.ticket(id); t != nil {
		return s.snapshot(t), true
	}
	return Ticket{}, false
}

// Tickets returns all tickets in creation order.
func (s *Server) Tickets() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ticket, 0, len(s.tickets))
	for _, t := range s.tickets {
		out = append(out, s.snapshot(t))
	}
	return out
}

// SetTicketState changes a ticket's state as a teammate would in the Inbox:
// state is submitted, in_progress, waiting_on_customer or resolved. Resolving
// closes the ticket, any other state opens it, and a ticket part records the
// change.
func (s *Server) SetTicketState(id, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.ticket(id)
	if t == nil {
		return fmt.Errorf("intercomtest: no ticket with id %q", id)
	}
	if _, ok := stateLabels[state]; !ok {
		return fmt.Errorf("intercomtest: %q is not a ticket state", state)
	}
	now := s.now().Unix()
	s.setState(t, state, now)
	t.updatedAt = now
	return nil
}

// CloseTicket closes a ticket without resolving it, as a teammate does in
// the Inbox: open becomes false, ticket_state stays what it was, and a
// ticket part records the change.
func (s *Server) CloseTicket(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.ticket(id)
	if t == nil {
		return fmt.Errorf("intercomtest: no ticket with id %q", id)
	}
	now := s.now().Unix()
	if t.open {
		t.open, t.snoozedUntil = false, 0
		s.addPart(t, "close", "", s.operator(), nil, now)
	}
	t.updatedAt = now
	return nil
}

func (s *Server) setState(t *ticket, state string, now int64) {
	previous := t.state
	t.state = state
	t.open = state != "resolved"
	if !t.open {
		t.snoozedUntil = 0
	}
	s.addPart(t, "ticket_state_updated_by_admin", previous, s.operator(), nil, now)
}

func (s *Server) ticket(id string) *ticket {
	for _, t := range s.tickets {
		if t.id == id {
			return t
		}
	}
	return nil
}

func (s *Server) contact(id string) *Contact {
	for i := range s.contacts {
		if s.contacts[i].ID == id {
			return &s.contacts[i]
		}
	}
	return nil
}

func (s *Server) snapshot(t *ticket) Ticket {
	out := Ticket{
		ID: t.id, TicketID: t.ticketID, TicketTypeID: t.typ.ID, State: t.state, Open: t.open,
		Attributes: copyJSON(t.attrs).(map[string]any), ContactIDs: slices.Clone(t.contactIDs),
		AdminAssigneeID: t.adminAssignee, TeamAssigneeID: t.teamAssignee, IsShared: t.isShared,
		SnoozedUntil: t.snoozedUntil, CreatedAt: t.createdAt, UpdatedAt: t.updatedAt,
	}
	out.Title, _ = t.attrs[titleAttr].(string)
	out.Description, _ = t.attrs[descriptionAttr].(string)
	for _, id := range t.contactIDs {
		if c := s.contact(id); c != nil && c.Email != "" {
			out.ContactEmails = append(out.ContactEmails, c.Email)
		}
	}
	for _, p := range t.parts {
		out.Parts = append(out.Parts, TicketPart{
			ID: p.ID, PartType: p.PartType, TicketState: p.TicketState,
			PreviousTicketState: p.PreviousTicketState, AuthorID: p.Author.ID, AuthorType: p.Author.Type,
			Body: p.body, CreatedAt: p.CreatedAt,
		})
	}
	return out
}

type contactRef struct {
	Type       string  `json:"type"`
	ID         string  `json:"id"`
	ExternalID *string `json:"external_id"`
}

type ticketJSON struct {
	Type             string         `json:"type"`
	ID               string         `json:"id"`
	TicketID         string         `json:"ticket_id"`
	Category         string         `json:"category"`
	TicketAttributes map[string]any `json:"ticket_attributes"`
	TicketState      string         `json:"ticket_state"`
	TicketType       *ticketType    `json:"ticket_type"`
	Contacts         struct {
		Type     string       `json:"type"`
		Contacts []contactRef `json:"contacts"`
	} `json:"contacts"`
	AdminAssigneeID string `json:"admin_assignee_id"`
	TeamAssigneeID  string `json:"team_assignee_id"`
	CreatedAt       int64  `json:"created_at"`
	UpdatedAt       int64  `json:"updated_at"`
	TicketParts     struct {
		Type        string     `json:"type"`
		TicketParts []partJSON `json:"ticket_parts"`
		TotalCount  int        `json:"total_count"`
	} `json:"ticket_parts"`
	Open          bool   `json:"open"`
	SnoozedUntil  *int64 `json:"snoozed_until,omitempty"`
	LinkedObjects struct {
		Type       string `json:"type"`
		Data       []any  `json:"data"`
		TotalCount int    `json:"total_count"`
		HasMore    bool   `json:"has_more"`
	} `json:"linked_objects"`
	IsShared      bool   `json:"is_shared"`
	InternalLabel string `json:"ticket_state_internal_label"`
	ExternalLabel string `json:"ticket_state_external_label"`
}

type partJSON struct {
	Type string `json:"type"`
	part
	Body        *string `json:"body"` // required by the schema, null for events
	UpdatedAt   int64   `json:"updated_at"`
	Attachments []any   `json:"attachments"`
	Redacted    bool    `json:"redacted"`
}

func (s *Server) ticketJSON(t *ticket) ticketJSON {
	out := ticketJSON{
		Type: "ticket", ID: t.id, TicketID: t.ticketID, Category: t.typ.Category,
		TicketState: t.state, TicketType: t.typ,
		AdminAssigneeID: t.adminAssignee, TeamAssigneeID: t.teamAssignee,
		CreatedAt: t.createdAt, UpdatedAt: t.updatedAt, Open: t.open, IsShared: t.isShared,
		InternalLabel: stateLabels[t.state], ExternalLabel: stateLabels[t.state],
	}
	// The API lists every attribute of the ticket type, null when unset.
	out.TicketAttributes = maps.Clone(t.attrs)
	for _, a := range t.typ.Attributes.Data {
		if _, ok := out.TicketAttributes[a.Name]; !ok {
			out.TicketAttributes[a.Name] = nil
		}
	}
	out.Contacts.Type = "contact.list"
	out.Contacts.Contacts = []contactRef{}
	for _, id := range t.contactIDs {
		ref := contactRef{Type: "contact", ID: id}
		if c := s.contact(id); c != nil && c.ExternalID != "" {
			ref.ExternalID = &c.ExternalID
		}
		out.Contacts.Contacts = append(out.Contacts.Contacts, ref)
	}
	out.TicketParts.Type = "ticket_part.list"
	out.TicketParts.TicketParts = []partJSON{}
	for _, p := range t.parts {
		out.TicketParts.TicketParts = append(out.TicketParts.TicketParts, p.json())
	}
	out.TicketParts.TotalCount = len(t.parts)
	if t.snoozedUntil != 0 {
		out.SnoozedUntil = &t.snoozedUntil
	}
	out.LinkedObjects.Type = "list"
	out.LinkedObjects.Data = []any{}
	return out
}

// json is the part as the API sends it: events have a null body.
func (p part) json() partJSON {
	out := partJSON{Type: "ticket_part", part: p, UpdatedAt: p.CreatedAt, Attachments: []any{}}
	if p.body != "" {
		out.Body = &p.body
	}
	return out
}

func errTicketNotFound() *apiError {
	return errorf(http.StatusNotFound, "ticket_not_found", "Ticket not found")
}

func (s *Server) getTicket(id string) (any, *apiError) {
	t := s.ticket(id)
	if t == nil {
		return nil, errTicketNotFound()
	}
	return s.ticketJSON(t), nil
}

// ticketAttributes reads the optional ticket_attributes object. Values may
// be strings, numbers, booleans, lists or null, as in
// ticket_request_custom_attributes.
func ticketAttributes(m map[string]any) (map[string]any, bool, *apiError) {
	raw, ok := m["ticket_attributes"]
	if !ok {
		return nil, false, nil
	}
	obj, isObj := raw.(map[string]any)
	if !isObj {
		return nil, false, invalid("ticket_attributes must be an object")
	}
	attrs := make(map[string]any, len(obj))
	for k, v := range obj {
		switch v.(type) {
		case string, json.Number, bool, []any, nil:
		default:
			return nil, false, invalid("ticket_attributes.%s must be a string, number, boolean, list or null", k)
		}
		attrs[k] = copyJSON(v)
	}
	return attrs, true, nil
}

// copyJSON deep-copies decoded JSON, turning json.Numbers into int64 or
// float64 as a caller decoding JSON would see them.
func copyJSON(v any) any {
	switch v := v.(type) {
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i
		}
		f, _ := v.Float64()
		return f
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = copyJSON(e)
		}
		return l
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = copyJSON(e)
		}
		return m
	}
	return v
}

func (s *Server) createTicket(c *call, now time.Time) (any, *apiError) {
	m, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}

	raw, ok := m["ticket_type_id"]
	if !ok {
		return nil, missing("ticket_type_id")
	}
	var typeID string
	switch v := raw.(type) {
	case string:
		typeID = v
	case json.Number: // the description's own example sends a number
		if _, err := v.Int64(); err != nil {
			return nil, invalid("ticket_type_id must be a string")
		}
		typeID = v.String()
	default:
		return nil, invalid("ticket_type_id must be a string")
	}

	raw, ok = m["contacts"]
	if !ok {
		return nil, missing("contacts")
	}
	contacts, isList := raw.([]any)
	switch {
	case !isList:
		return nil, invalid("contacts must be a list")
	case len(contacts) == 0:
		return nil, missing("contacts")
	case len(contacts) > 1:
		return nil, invalid("Only one contact is allowed")
	}
	contact, isObj := contacts[0].(map[string]any)
	if !isObj {
		return nil, invalid("contacts must be a list of objects")
	}
	var key, value string
	for _, k := range []string{"id", "external_id", "email"} {
		v, present, err := optString(contact, k)
		if err != nil {
			return nil, err
		}
		if !present {
			continue
		}
		if key != "" {
			return nil, invalid("A contact must be given by exactly one of id, external_id or email")
		}
		key, value = k, v
	}
	if key == "" || value == "" {
		return nil, invalid("A contact must be given by exactly one of id, external_id or email")
	}

	if _, _, err := optString(m, "company_id"); err != nil {
		return nil, err
	}
	createdAt, hasCreatedAt, err := optInt(m, "created_at")
	if err != nil {
		return nil, err
	}
	attrs, _, err := ticketAttributes(m)
	if err != nil {
		return nil, err
	}

	typ := s.ticketType(typeID)
	if typ == nil {
		return nil, errorf(http.StatusNotFound, "not_found", "Ticket type not found")
	}
	contactID, err := s.findOrCreateContact(key, value)
	if err != nil {
		return nil, err
	}

	if !hasCreatedAt {
		createdAt = now.Unix()
	}
	if attrs == nil {
		attrs = map[string]any{}
	}
	s.lastTicket++
	t := &ticket{
		seq:           s.lastTicket,
		id:            strconv.Itoa(1000 + s.lastTicket), // differs from ticket_id on purpose
		ticketID:      strconv.Itoa(s.lastTicket),
		typ:           typ,
		state:         "submitted",
		open:          true,
		attrs:         attrs,
		contactIDs:    []string{contactID},
		adminAssignee: "0",
		teamAssignee:  "0",
		createdAt:     createdAt,
		updatedAt:     createdAt,
	}
	s.addPart(t, "ticket_state_updated_by_admin", "submitted", s.operator(), nil, createdAt)
	s.tickets = append(s.tickets, t)
	return s.ticketJSON(t), nil
}

// findOrCreateContact resolves a contact given by id, external_id or email;
// an unknown email creates a contact, as the API does.
func (s *Server) findOrCreateContact(key, value string) (string, *apiError) {
	for _, c := range s.contacts {
		switch {
		case key == "id" && c.ID == value,
			key == "external_id" && c.ExternalID == value,
			key == "email" && strings.EqualFold(c.Email, value):
			return c.ID, nil
		}
	}
	if key != "email" {
		return "", errorf(http.StatusNotFound, "not_found", "User Not Found")
	}
	for {
		s.lastContact++
		id := fmt.Sprintf("6650a1b2c3d4e5f6%08x", 0x10000000+s.lastContact)
		if s.contact(id) == nil {
			s.contacts = append(s.contacts, Contact{ID: id, Email: value})
			return id, nil
		}
	}
}

func (s *Server) updateTicket(id string, c *call, now time.Time) (any, *apiError) {
	t := s.ticket(id)
	if t == nil {
		return nil, errTicketNotFound()
	}
	m, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}

	// Validate everything before changing anything.
	attrs, hasAttrs, err := ticketAttributes(m)
	if err != nil {
		return nil, err
	}
	state, hasState, err := optString(m, "state")
	if err != nil {
		return nil, err
	}
	if hasState {
		switch state {
		case "in_progress", "waiting_on_customer", "resolved":
		case "submitted":
			return nil, invalid("state cannot be set to submitted; use in_progress, waiting_on_customer or resolved")
		default:
			return nil, invalid("state must be one of in_progress, waiting_on_customer or resolved")
		}
	}
	open, hasOpen, err := optBool(m, "open")
	if err != nil {
		return nil, err
	}
	shared, hasShared, err := optBool(m, "is_shared")
	if err != nil {
		return nil, err
	}
	snooze, hasSnooze, err := optInt(m, "snoozed_until")
	if err != nil {
		return nil, err
	}
	var by *Admin
	var assignee *reference
	if raw, ok := m["assignment"]; ok {
		if by, assignee, err = s.assignment(raw); err != nil {
			return nil, err
		}
	}

	at := now.Unix()
	bot := s.operator()
	if hasAttrs {
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			t.attrs[k] = attrs[k]
			s.addPart(t, "ticket_attribute_updated_by_admin", "", bot, nil, at)
		}
	}
	if hasState {
		s.setState(t, state, at)
	}
	if hasOpen && open != t.open {
		t.open = open
		partType := "open"
		if !open {
			partType = "close"
			t.snoozedUntil = 0 // closing unsnoozes, as the description says
		}
		s.addPart(t, partType, "", bot, nil, at)
	}
	if hasShared {
		t.isShared = shared
	}
	if hasSnooze {
		t.snoozedUntil = snooze
		s.addPart(t, "snoozed", "", bot, nil, at)
	}
	if assignee != nil {
		switch {
		case assignee.ID == nil:
			t.adminAssignee, t.teamAssignee = "0", "0"
		case assignee.Type == "team":
			t.teamAssignee = *assignee.ID
		default:
			t.adminAssignee = *assignee.ID
		}
		author := bot
		if by != nil {
			author = adminAuthor(by)
		}
		s.addPart(t, "assignment", "", author, assignee, at)
	}
	t.updatedAt = at
	return s.ticketJSON(t), nil
}

// adminAuthor names an admin as the author of a ticket part.
func adminAuthor(a *Admin) author {
	return author{ID: a.ID, Type: "admin", Name: a.Name, Email: a.Email}
}

// assignment checks an update's assignment object and returns the admin
// acting (nil if not given) and the new assignee (ID nil to unassign).
func (s *Server) assignment(raw any) (*Admin, *reference, *apiError) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, nil, invalid("assignment must be an object")
	}
	adminID, hasAdmin, err := optString(m, "admin_id")
	if err != nil {
		return nil, nil, err
	}
	assigneeID, hasAssignee, err := optString(m, "assignee_id")
	if err != nil {
		return nil, nil, err
	}
	if !hasAssignee {
		return nil, nil, missing("assignment.assignee_id")
	}
	notFound := errorf(http.StatusNotFound, "assignee_not_found", "Assignee not found")
	var by *Admin
	if hasAdmin {
		if by = s.admin(adminID); by == nil {
			return nil, nil, notFound
		}
	}
	switch {
	case assigneeID == "0":
		return by, &reference{Type: "nobody_admin"}, nil
	case s.admin(assigneeID) != nil:
		return by, &reference{Type: "admin", ID: &assigneeID}, nil
	case s.team(assigneeID) != nil:
		return by, &reference{Type: "team", ID: &assigneeID}, nil
	}
	return nil, nil, notFound
}

// replyTicket is POST /tickets/{id}/reply: a note, comment or quick reply
// by an admin, or a comment by the ticket's contact. Replies change
// neither the state nor open.
func (s *Server) replyTicket(id string, c *call, now time.Time) (any, *apiError) {
	t := s.ticket(id)
	if t == nil {
		return nil, errTicketNotFound()
	}
	m, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	messageType, ok, err := optString(m, "message_type")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missing("message_type")
	}
	typ, ok, err := optString(m, "type")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, missing("type")
	}
	body, hasBody, err := optString(m, "body")
	if err != nil {
		return nil, err
	}
	at, hasAt, err := optInt(m, "created_at")
	if err != nil {
		return nil, err
	}
	if !hasAt {
		at = now.Unix()
	}

	var by author
	switch typ {
	case "admin":
		switch messageType {
		case "comment", "note":
			if !hasBody || strings.TrimSpace(body) == "" {
				return nil, missing("body")
			}
		case "quick_reply":
			if opts, _ := m["reply_options"].([]any); len(opts) == 0 {
				return nil, missing("reply_options")
			}
		default:
			return nil, invalid("message_type must be one of comment, note or quick_reply")
		}
		var adminID string
		switch v := m["admin_id"].(type) {
		case nil:
			return nil, missing("admin_id")
		case string:
			adminID = v
		case json.Number: // the description's own example sends a number
			adminID = v.String()
		default:
			return nil, invalid("admin_id must be a string")
		}
		a := s.admin(adminID)
		if a == nil {
			return nil, errNotFound
		}
		by = adminAuthor(a)
	case "user":
		if messageType != "comment" {
			return nil, invalid("message_type must be comment for a user reply")
		}
		if !hasBody || strings.TrimSpace(body) == "" {
			return nil, missing("body")
		}
		if t.typ.Category == "Back-office" {
			return nil, errorf(http.StatusBadRequest, "parameter_mismatch", "User replies are not allowed on Backoffice tickets")
		}
		var who *Contact
		for _, k := range []string{"intercom_user_id", "user_id", "email"} {
			v, present, err := optString(m, k)
			if err != nil {
				return nil, err
			}
			if !present {
				continue
			}
			for i := range s.contacts {
				cn := &s.contacts[i]
				if k == "intercom_user_id" && cn.ID == v || k == "user_id" && cn.ExternalID == v || k == "email" && strings.EqualFold(cn.Email, v) {
					who = cn
				}
			}
			if who == nil {
				return nil, errNotFound
			}
			break
		}
		if who == nil {
			return nil, missing("intercom_user_id")
		}
		by = author{ID: who.ID, Type: "user", Email: who.Email}
	default:
		return nil, invalid("type must be admin or user")
	}

	s.lastPart++
	p := part{ID: strconv.Itoa(s.lastPart), PartType: messageType, TicketState: t.state, CreatedAt: at, Author: by, body: body}
	t.parts = append(t.parts, p)
	t.updatedAt = max(t.updatedAt, at)
	return replyJSON{Type: "ticket_part", ID: p.ID, PartType: p.PartType, Body: p.json().Body, CreatedAt: at, UpdatedAt: at,
		Author: by, Attachments: []any{}}, nil
}

// replyJSON is the ticket_reply schema: the part a reply created.
type replyJSON struct {
	Type        string  `json:"type"`
	ID          string  `json:"id"`
	PartType    string  `json:"part_type"`
	Body        *string `json:"body,omitempty"`
	CreatedAt   int64   `json:"created_at"`
	UpdatedAt   int64   `json:"updated_at"`
	Author      author  `json:"author"`
	Attachments []any   `json:"attachments"`
	Redacted    bool    `json:"redacted"`
}
