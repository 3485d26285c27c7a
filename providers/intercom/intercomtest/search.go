package intercomtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

const (
	defaultPerPage = 20
	maxPerPage     = 150
)

func (s *Server) searchTickets(c *call) (any, *apiError) {
	m, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	raw, ok := m["query"]
	if !ok {
		return nil, missing("query")
	}
	match, err := compileFilter(raw, "query")
	if err != nil {
		return nil, err
	}
	perPage, after, err := pagination(m["pagination"])
	if err != nil {
		return nil, err
	}

	var found []*ticket
	for _, t := range s.tickets {
		if match(t) {
			found = append(found, t)
		}
	}
	page, start := 1, 0
	if after != nil {
		page = after.page
		start = sort.Search(len(found), func(i int) bool { return found[i].seq > after.seq })
	}
	end := min(start+perPage, len(found))

	type next struct {
		PerPage       int    `json:"per_page"`
		StartingAfter string `json:"starting_after"`
	}
	type pages struct {
		Type       string `json:"type"`
		Page       int    `json:"page"`
		PerPage    int    `json:"per_page"`
		TotalPages int    `json:"total_pages"`
		Next       *next  `json:"next,omitempty"`
	}
	out := struct {
		Type       string       `json:"type"`
		Tickets    []ticketJSON `json:"tickets"`
		TotalCount int          `json:"total_count"`
		Pages      pages        `json:"pages"`
	}{
		Type:       "ticket.list",
		Tickets:    []ticketJSON{},
		TotalCount: len(found),
		Pages:      pages{Type: "pages", Page: page, PerPage: perPage, TotalPages: (len(found) + perPage - 1) / perPage},
	}
	for _, t := range found[start:end] {
		out.Tickets = append(out.Tickets, s.ticketJSON(t))
	}
	if end < len(found) {
		out.Pages.Next = &next{PerPage: perPage, StartingAfter: cursor{page + 1, found[end-1].seq}.String()}
	}
	return out, nil
}

// cursor is the position a starting_after value encodes: the page it starts
// and the creation number of the last ticket before it. Clients treat it as
// opaque, as they must with Intercom's.
type cursor struct{ page, seq int }

func (c cursor) String() string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "[%d,%d]", c.page, c.seq))
}

func parseCursor(s string) (*cursor, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, false
	}
	var v [2]int
	if err := json.Unmarshal(b, &v); err != nil || v[0] < 2 || v[1] < 1 {
		return nil, false
	}
	return &cursor{page: v[0], seq: v[1]}, true
}

func pagination(raw any) (int, *cursor, *apiError) {
	if raw == nil {
		return defaultPerPage, nil, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return 0, nil, invalid("pagination must be an object")
	}
	perPage := int64(defaultPerPage)
	if n, ok, err := optInt(m, "per_page"); err != nil {
		return 0, nil, err
	} else if ok {
		if n < 1 {
			return 0, nil, invalid("per_page must be at least 1")
		}
		perPage = min(n, maxPerPage)
	}
	var after *cursor
	if v, ok := m["starting_after"]; ok && v != nil {
		str, isString := v.(string)
		if !isString {
			return 0, nil, invalid("starting_after must be a string")
		}
		if after, ok = parseCursor(str); !ok {
			return 0, nil, invalid("starting_after is not a cursor from a previous page")
		}
	}
	return int(perPage), after, nil
}

// filter decides whether a ticket matches a search query.
type filter func(t *ticket) bool

// Search fields by kind. Strings may be multi-valued (contact_ids).
var (
	stringFields = map[string]func(t *ticket) []string{
		"id":                func(t *ticket) []string { return []string{t.id} },
		"state":             func(t *ticket) []string { return []string{t.state} },
		"ticket_state":      func(t *ticket) []string { return []string{t.state} },
		"ticket_type_id":    func(t *ticket) []string { return []string{t.typ.ID} },
		"category":          func(t *ticket) []string { return []string{t.typ.Category} },
		"title":             func(t *ticket) []string { return stringAttr(t, titleAttr) },
		"description":       func(t *ticket) []string { return stringAttr(t, descriptionAttr) },
		"contact_ids":       func(t *ticket) []string { return t.contactIDs },
		"admin_assignee_id": func(t *ticket) []string { return []string{t.adminAssignee} },
		"team_assignee_id":  func(t *ticket) []string { return []string{t.teamAssignee} },
	}
	dateFields = map[string]func(t *ticket) int64{
		"created_at":    func(t *ticket) int64 { return t.createdAt },
		"updated_at":    func(t *ticket) int64 { return t.updatedAt },
		"snoozed_until": func(t *ticket) int64 { return t.snoozedUntil },
	}
)

func stringAttr(t *ticket, name string) []string {
	if v, ok := t.attrs[name].(string); ok {
		return []string{v}
	}
	return nil
}

func compileFilter(raw any, where string) (filter, *apiError) {
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, invalid("%s must be an object", where)
	}
	op, _ := m["operator"].(string)
	if _, single := m["field"]; !single {
		list, isList := m["value"].([]any)
		if (op != "AND" && op != "OR") || !isList || len(list) == 0 {
			return nil, invalid("%s must be a filter with field, operator and value, or an AND or OR operator with a list of filters as value", where)
		}
		var parts []filter
		for i, sub := range list {
			f, err := compileFilter(sub, fmt.Sprintf("%s.value[%d]", where, i))
			if err != nil {
				return nil, err
			}
			parts = append(parts, f)
		}
		return func(t *ticket) bool {
			for _, f := range parts {
				if f(t) != (op == "AND") {
					return op == "OR"
				}
			}
			return op == "AND"
		}, nil
	}

	field, ok := m["field"].(string)
	if !ok {
		return nil, invalid("%s.field must be a string", where)
	}
	value := m["value"]
	if get, ok := stringFields[field]; ok {
		return stringFilter(field, op, value, get)
	}
	if get, ok := dateFields[field]; ok {
		return dateFilter(field, op, value, get)
	}
	if field == "open" {
		want, ok := value.(bool)
		if !ok {
			return nil, invalid("open must be compared with a boolean")
		}
		switch op {
		case "=":
			return func(t *ticket) bool { return t.open == want }, nil
		case "!=":
			return func(t *ticket) bool { return t.open != want }, nil
		}
		return nil, invalid("operator %q cannot be used with open", op)
	}
	return nil, invalid("intercomtest does not support searching tickets by %q", field)
}

func stringFilter(field, op string, value any, get func(*ticket) []string) (filter, *apiError) {
	if op == "IN" || op == "NIN" {
		list, ok := value.([]any)
		if !ok {
			return nil, invalid("%s %s needs a list of values", field, op)
		}
		set := map[string]bool{}
		for _, v := range list {
			str, ok := scalarString(v)
			if !ok {
				return nil, invalid("%s %s needs a list of strings", field, op)
			}
			set[str] = true
		}
		return func(t *ticket) bool {
			hit := slices.ContainsFunc(get(t), func(v string) bool { return set[v] })
			return hit == (op == "IN")
		}, nil
	}
	want, ok := scalarString(value)
	if !ok {
		return nil, invalid("%s must be compared with a string", field)
	}
	var match func(string) bool
	negate := false
	switch op {
	case "=":
		match = func(v string) bool { return v == want }
	case "!=":
		match, negate = func(v string) bool { return v == want }, true
	case "~":
		match = func(v string) bool { return strings.Contains(v, want) }
	case "!~":
		match, negate = func(v string) bool { return strings.Contains(v, want) }, true
	case "^":
		match = func(v string) bool { return strings.HasPrefix(v, want) }
	case "$":
		match = func(v string) bool { return strings.HasSuffix(v, want) }
	default:
		return nil, invalid("operator %q cannot be used with %s", op, field)
	}
	return func(t *ticket) bool {
		return slices.ContainsFunc(get(t), match) != negate
	}, nil
}

// scalarString accepts strings and numbers, since ids are often sent as
// numbers.
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	}
	return "", false
}

func dateFilter(field, op string, value any, get func(*ticket) int64) (filter, *apiError) {
	str, ok := scalarString(value)
	want, err := strconv.ParseInt(str, 10, 64)
	if !ok || err != nil {
		return nil, invalid("%s must be compared with a UNIX timestamp", field)
	}
	// The description's operator table: ">" is "Greater (or equal) than"
	// and "<" is "Lower (or equal) than".
	switch op {
	case "=":
		return func(t *ticket) bool { return get(t) == want }, nil
	case ">", ">=":
		return func(t *ticket) bool { return get(t) >= want }, nil
	case "<", "<=":
		return func(t *ticket) bool { return get(t) <= want }, nil
	}
	return nil, invalid("operator %q cannot be used with %s", op, field)
}
