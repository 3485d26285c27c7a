package otrstest

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ticketSearch is Ticket::TicketSearch. Any lookup that fails (an unknown
// queue, state, priority, …) makes the search return nothing, which the
// operation reports as {} (no TicketID key), exactly like a search without
// matches.
func (s *Server) ticketSearch(data any) opResult {
	const op = "TicketSearch"
	d := data.(map[string]any)
	p, ok := s.auth(d)
	if !ok {
		return opError(op+".AuthFail", op+": Authorization failing!")
	}
	ids, ok := s.search(d, p)
	if !ok || len(ids) == 0 {
		return success(map[string]any{})
	}
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = s.id(id)
	}
	return success(map[string]any{"TicketID": out})
}

var (
	dateRe       = regexp.MustCompile(`^(\d{4})-(\d\d?)-(\d\d?) (\d\d?):(\d\d?):(\d\d?)$`)
	allPercentRe = regexp.MustCompile(`^%{1,3}$`)
)

// search returns matching TicketIDs, or false when Kernel::System::Ticket's
// TicketSearch would bail out.
func (s *Server) search(d map[string]any, p principal) ([]int, bool) {
	filters := []func(*ticket) bool{}
	add := func(f func(*ticket) bool) { filters = append(filters, f) }

	// ID lists and name lists (names are looked up to IDs first).
	idFilter := func(names, idsKey string, table idName, get func(*ticket) int) bool {
		var want []int
		for _, n := range list(d[names]) {
			if names == "" {
				break
			}
			id := table.byName(n)
			if id == 0 {
				return false
			}
			want = append(want, id)
		}
		for _, v := range list(d[idsKey]) {
			id, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return false
			}
			want = append(want, id)
		}
		if want != nil {
			add(func(t *ticket) bool { return containsInt(want, get(t)) })
		}
		return true
	}
	if !idFilter("Queues", "QueueIDs", queues, func(t *ticket) int { return t.queueID }) ||
		!idFilter("Priorities", "PriorityIDs", priorities, func(t *ticket) int { return t.priorityID }) ||
		!idFilter("Types", "TypeIDs", ticketTypes, func(t *ticket) int { return t.typeID }) ||
		!idFilter("Locks", "LockIDs", locks, func(t *ticket) int { return t.lockID }) ||
		!idFilter("", "OwnerIDs", nil, func(t *ticket) int { return t.ownerID }) ||
		!idFilter("", "ResponsibleIDs", nil, func(t *ticket) int { return t.responsible }) ||
		!idFilter("", "TicketID", nil, func(t *ticket) int { return t.id }) {
		return nil, false
	}

	// States by name or ID.
	var stateIDs []int
	for _, n := range list(d["States"]) {
		st, ok := stateByName(n)
		if !ok {
			return nil, false
		}
		stateIDs = append(stateIDs, st.id)
	}
	for _, v := range list(d["StateIDs"]) {
		id, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return nil, false
		}
		stateIDs = append(stateIDs, id)
	}
	if stateIDs != nil {
		add(func(t *ticket) bool { return containsInt(stateIDs, t.stateID) })
	}
	// StateType arrives as a list, so Kernel::System::Ticket's "Open" and
	// "Closed" shortcuts (which need a plain string) are never taken; the
	// values are compared with state type names by the (case-insensitive,
	// on MySQL) database: "Open" means the type "open" only.
	if typesWanted := list(d["StateType"]); typesWanted != nil {
		ids := statesOfTypes(func(typeName string) bool {
			for _, w := range typesWanted {
				if strings.EqualFold(w, typeName) {
					return true
				}
			}
			return false
		})
		if len(ids) == 0 {
			return nil, false
		}
		add(func(t *ticket) bool { return containsInt(ids, t.stateID) })
	}
	if typeIDs := list(d["StateTypeIDs"]); typeIDs != nil {
		ids := statesOfTypes(func(typeName string) bool {
			for _, v := range typeIDs {
				if n, err := strconv.Atoi(v); err == nil && stateTypes[n] == typeName {
					return true
				}
			}
			return false
		})
		if len(ids) == 0 {
			return nil, false
		}
		add(func(t *ticket) bool { return containsInt(ids, t.stateID) })
	}

	// No services, SLAs or watchers exist on a fresh install.
	for _, k := range []string{"Services", "ServiceIDs", "SLAs", "SLAIDs", "WatchUserIDs"} {
		if list(d[k]) != nil {
			return nil, false
		}
	}

	// QueryCondition fields.
	for key, get := range map[string]func(*ticket) string{
		"TicketNumber":      func(t *ticket) string { return t.tn },
		"Title":             func(t *ticket) string { return t.title },
		"CustomerID":        func(t *ticket) string { return t.customerID },
		"CustomerUserLogin": func(t *ticket) string { return t.customerUser },
	} {
		var exprs []string
		for _, v := range list(d[key]) {
			v = strings.ReplaceAll(v, "*", "%")
			if v == "" || allPercentRe.MatchString(v) {
				continue
			}
			exprs = append(exprs, v)
		}
		if exprs == nil {
			continue
		}
		add(func(t *ticket) bool {
			for _, e := range exprs {
				if matchQueryCondition(e, get(t)) {
					return true
				}
			}
			return false
		})
	}

	// Create and last-change times.
	now := s.now()
	for prefix, get := range map[string]func(*ticket) time.Time{
		"TicketCreateTime":     func(t *ticket) time.Time { return t.created },
		"TicketLastChangeTime": func(t *ticket) time.Time { return t.changed },
	} {
		if v, ok := d[prefix+"OlderMinutes"]; ok && isStringWithData(v) {
			limit := now.Add(-time.Duration(atoiLoose(str(v))) * time.Minute)
			add(func(t *ticket) bool { return !get(t).After(limit) })
		}
		if v, ok := d[prefix+"NewerMinutes"]; ok && isStringWithData(v) {
			limit := now.Add(-time.Duration(atoiLoose(str(v))) * time.Minute)
			add(func(t *ticket) bool { return !get(t).Before(limit) })
		}
		var older time.Time
		if v := field(d, prefix+"OlderDate"); v != "" {
			tm, ok := parseDate(v)
			if !ok {
				return nil, false
			}
			older = tm
			add(func(t *ticket) bool { return !get(t).After(tm) })
		}
		if v := field(d, prefix+"NewerDate"); v != "" {
			tm, ok := parseDate(v)
			if !ok || tm.After(now) || (!older.IsZero() && tm.After(older)) {
				return nil, false
			}
			add(func(t *ticket) bool { return !get(t).Before(tm) })
		}
	}

	// Sorting.
	sortBy, orderBy := []string{"Age"}, []string{"Down"}
	if truthy(d["SortBy"]) {
		sortBy = list(d["SortBy"])
	}
	if truthy(d["OrderBy"]) {
		orderBy = list(d["OrderBy"])
	}
	var keys []func(a, b *ticket) int
	for i, sb := range sortBy {
		k := s.sortKey(sb)
		ob := ""
		if i < len(orderBy) {
			ob = orderBy[i]
		}
		if k == nil || (ob != "Up" && ob != "Down") {
			return nil, false
		}
		if ob == "Down" {
			asc := k
			k = func(a, b *ticket) int { return -asc(a, b) }
		}
		keys = append(keys, k)
	}
	down := orderBy[0] == "Down"

	limit := 500
	if truthy(d["Limit"]) {
		if n := atoiLoose(field(d, "Limit")); n > 0 {
			limit = n
		}
	}

	var hits []*ticket
	for _, t := range s.tickets {
		if !s.canAccess(p, t) {
			continue
		}
		match := true
		for _, f := range filters {
			if !f(t) {
				match = false
				break
			}
		}
		if match {
			hits = append(hits, t)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		for _, k := range keys {
			if c := k(hits[i], hits[j]); c != 0 {
				return c < 0
			}
		}
		// The database leaves ties unordered; follow the primary direction.
		if down {
			return hits[i].id > hits[j].id
		}
		return hits[i].id < hits[j].id
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	ids := make([]int, len(hits))
	for i, t := range hits {
		ids[i] = t.id
	}
	return ids, true
}

func (s *Server) sortKey(name string) func(a, b *ticket) int {
	intKey := func(get func(*ticket) int64) func(a, b *ticket) int {
		return func(a, b *ticket) int { return cmpInt(get(a), get(b)) }
	}
	strKey := func(get func(*ticket) string) func(a, b *ticket) int {
		return func(a, b *ticket) int { return strings.Compare(strings.ToLower(get(a)), strings.ToLower(get(b))) }
	}
	switch name {
	case "Age", "Created":
		return intKey(func(t *ticket) int64 { return t.created.Unix() })
	case "Changed":
		return intKey(func(t *ticket) int64 { return t.changed.Unix() })
	case "Ticket", "TicketNumber":
		return strKey(func(t *ticket) string { return t.tn })
	case "Title":
		return strKey(func(t *ticket) string { return t.title })
	case "Queue":
		return strKey(func(t *ticket) string { return queues.name(t.queueID) })
	case "CustomerID":
		return strKey(func(t *ticket) string { return t.customerID })
	case "State":
		return intKey(func(t *ticket) int64 { return int64(t.stateID) })
	case "Lock":
		return intKey(func(t *ticket) int64 { return int64(t.lockID) })
	case "Type":
		return intKey(func(t *ticket) int64 { return int64(t.typeID) })
	case "Priority":
		return intKey(func(t *ticket) int64 { return int64(t.priorityID) })
	case "Owner":
		return strKey(func(t *ticket) string { return s.agentByID(t.ownerID).first })
	case "Responsible":
		return strKey(func(t *ticket) string { return s.agentByID(t.responsible).first })
	case "PendingTime":
		return intKey(func(t *ticket) int64 { return t.untilTime })
	case "Service", "SLA", "TicketEscalation", "EscalationTime", "EscalationUpdateTime",
		"EscalationResponseTime", "EscalationSolutionTime":
		return func(a, b *ticket) int { return 0 }
	}
	return nil
}

func statesOfTypes(match func(typeName string) bool) []int {
	var ids []int
	for _, st := range states {
		if match(st.typeName) {
			ids = append(ids, st.id)
		}
	}
	return ids
}

func parseDate(v string) (time.Time, bool) {
	m := dateRe.FindStringSubmatch(v)
	if m == nil {
		return time.Time{}, false
	}
	n := make([]int, 7)
	for i := 1; i <= 6; i++ {
		n[i], _ = strconv.Atoi(m[i])
	}
	t := time.Date(n[1], time.Month(n[2]), n[3], n[4], n[5], n[6], 0, time.UTC)
	if t.Month() != time.Month(n[2]) || t.Day() != n[3] || t.Hour() != n[4] || t.Minute() != n[5] || t.Second() != n[6] {
		return time.Time{}, false
	}
	return t, true
}

// atoiLoose is Perl's numeric conversion of a string: leading digits.
func atoiLoose(s string) int {
	s = strings.TrimSpace(s)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	if neg {
		return -n
	}
	return n
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func containsInt(list []int, n int) bool {
	for _, e := range list {
		if e == n {
			return true
		}
	}
	return false
}
