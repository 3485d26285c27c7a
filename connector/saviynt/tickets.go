package saviynt

import (
	"cmp"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restconn/restconn/connector"
)

// This file converts CreateTicketJSON and TicketStatusJSON into
// tickets.create and tickets.status, and ConfigJSON's timeouts.
//
// ticketStatusValue is read as the statuses that mean "still open": the
// only public sample lists open states, and the OTRS guide completes a task
// once the ticket leaves them. A list made only of closing words (Closed,
// Resolved, Complete, Done, Cancelled) is read the other way round. Either
// way a warning states the reading, for a person to confirm.

var closingWord = regexp.MustCompile(`(?i)^\s*(closed|resolved|complete|completed|done|cancel+ed|fulfilled|finished)\b`)

func (cv *converter) tickets() {
	ct := obj(cv.attrs[attrCreateTicket])
	ts := obj(cv.attrs[attrTicketStatus])
	if ct == nil && ts == nil {
		return
	}
	t := &connector.Tickets{}
	if ct != nil {
		t.Create = cv.ticketCreate(ct)
	}
	if ts != nil {
		t.Status = cv.ticketStatus(ts)
	}
	if t.Create != nil || t.Status != nil {
		cv.spec.Tickets = t
	}
}

// ticketChain converts the calls of a ticket attribute and the member
// saying where in their responses the value is (pathKeys: its spellings,
// the first the preferred one; whose: what is there): the chain, the
// value's pipeline and the path. On failure it warns that the attribute's
// part (what) is left out, and returns a nil chain. members are the
// attribute's other members. eff is the attribute with the ticket members
// its calls hold, and at says where each of those was: Saviynt's own
// ticket connectors write ticketidPath, ticketStatusPath and
// ticketStatusValue inside the call, and a path written there reads that
// call's response.
func (cv *converter) ticketChain(attr, what string, m map[string]any, kind scopeKind, whose string, pathKeys []string, members ...string) (chain []*connector.Call, v, p string, eff map[string]any, at map[string]string) {
	for _, k := range sortedKeys(m) {
		if k != "call" && !slices.Contains(pathKeys, k) && !slices.Contains(members, k) {
			cv.warn(attr, k, "not converted: unknown member")
		}
	}
	calls := cv.callList(attr, what, m)
	if len(calls) == 0 {
		return nil, "", "", nil, nil
	}
	eff = maps.Clone(m)
	at = map[string]string{}
	holder := -1 // the call whose response a call-level path reads
	for j, c := range calls {
		var stripped map[string]any
		for _, k := range slices.Concat(pathKeys, members) {
			x, ok := c.m[k]
			if !ok {
				continue
			}
			if stripped == nil {
				stripped = maps.Clone(c.m)
			}
			delete(stripped, k)
			if _, top := eff[k]; top {
				continue // the attribute's own member wins
			}
			if slices.Contains(pathKeys, k) {
				if firstStr(eff, pathKeys...) != "" {
					continue
				}
				holder = j
			}
			eff[k] = x
			at[k] = join(index("call", c.i), k)
		}
		if stripped != nil {
			calls[j].m = stripped
		}
	}
	chain, names, f := cv.chain(attr, calls, kind)
	if f != nil {
		cv.warn(attr, f.path, "%s left out: %s", what, f.msg)
		return nil, "", "", nil, nil
	}
	p = firstStr(eff, pathKeys...)
	if p == "" {
		cv.warn(attr, pathKeys[0], "%s left out: no %s says where %s is", what, pathKeys[0], whose)
		return nil, "", "", nil, nil
	}
	where := pathKeys[0]
	reads := chain[len(chain)-1].Name
	if holder >= 0 {
		where = join(index("call", calls[holder].i), pathKeys[0])
		reads = chain[holder].Name
	}
	v, f = ticketValue(p, names, reads, where)
	if f != nil {
		cv.warn(attr, f.path, "%s left out: %s", what, f.msg)
		return nil, "", "", nil, nil
	}
	return chain, v, p, eff, at
}

func (cv *converter) ticketCreate(m map[string]any) *connector.TicketCreate {
	chain, v, _, _, _ := cv.ticketChain(attrCreateTicket, "ticket creation", m, scopeTicketCreate, "the new ticket's ID", []string{"ticketidPath", "ticketIdPath"})
	if chain == nil {
		return nil
	}
	// Rendering empty fails the operation: a ticket without an ID cannot
	// be polled.
	return &connector.TicketCreate{Calls: chain, ID: "{{ " + stripParens(v) + " }}"}
}

// ticketValue reads "<call>.message.<path>", or a path in the response of
// the restconn call named reads.
func ticketValue(p string, names map[string]string, reads, where string) (string, *failure) {
	e, err := savPath(p)
	if err != nil {
		return "", fail(where, "%v", err)
	}
	if len(e) >= 2 && !e[1].isIdx && e[1].key == "message" {
		if _, ok := names[e[0].key]; ok {
			return responseValue(p, names, where)
		}
	}
	expr, _ := lenientPath(".responses", append([]elem{{key: reads}, {key: "body"}}, e...))
	return expr, nil
}

func (cv *converter) ticketStatus(m map[string]any) *connector.TicketPoll {
	attr := attrTicketStatus
	chain, v, p, m, at := cv.ticketChain(attr, "ticket status", m, scopeTicketStatus, "the status", []string{"ticketStatusPath"}, "ticketStatusValue", "disContinueStatusValue")
	if chain == nil {
		return nil
	}
	valsAt := cmp.Or(at["ticketStatusValue"], "ticketStatusValue") // where the warnings point
	var vals, discontinued []string
	for _, x := range listOf(m["ticketStatusValue"]) {
		vals = append(vals, fmt.Sprint(x))
	}
	if len(vals) == 0 {
		cv.warn(attr, "ticketStatusValue", "ticket status left out: no ticketStatusValue says which statuses are open")
		return nil
	}
	for _, x := range listOf(m["disContinueStatusValue"]) {
		discontinued = append(discontinued, fmt.Sprint(x))
	}
	closing := true
	for _, s := range vals {
		closing = closing && closingWord.MatchString(s)
	}
	out := &connector.TicketPoll{
		Calls: chain,
		// A missing status is an error, never "some other status": that
		// would complete the task.
		Status: "{{ required " + strconv.Quote("no ticket status at "+p) + " " + v + " }}",
	}
	if len(discontinued) > 0 {
		// Saviynt discontinues the task: the ticket was closed without
		// doing the work. First, so that neither reading below takes
		// these statuses for finished.
		out.States = append(out.States, connector.StateRule{In: discontinued, State: connector.TicketRejected})
	}
	if closing {
		out.States = append(out.States, connector.StateRule{In: vals, State: connector.TicketCompleted})
		out.Default = connector.TicketOpen
		cv.warn(attr, valsAt, "read as the statuses of a finished ticket (%s): those complete the task, any other status keeps it open", strings.Join(vals, ", "))
	} else {
		out.States = append(out.States, connector.StateRule{In: vals, State: connector.TicketOpen})
		out.Default = connector.TicketCompleted
		cv.warn(attr, valsAt, "read as the statuses of a ticket still being worked on (%s): any other status completes the task; confirm this reading", strings.Join(vals, ", "))
	}
	return out
}

// config converts ConfigJSON: connectionTimeoutConfig sets the timeout and
// retries; provisioning limits are the caller's scheduling.
func (cv *converter) config() {
	m := obj(cv.attrs[attrConfig])
	for _, k := range sortedKeys(m) {
		switch k {
		case "connectionTimeoutConfig":
			t := obj(m[k])
			read, ok1 := intOf(t["readTimeout"])
			conn, ok2 := intOf(t["connectionTimeout"])
			if ok1 || ok2 {
				cv.spec.Connection.Timeout = connector.Duration(time.Duration(max(read, conn)) * time.Second)
			}
			if n, ok := intOf(t["retryCount"]); ok && n >= 0 {
				if cv.spec.Connection.Retry == nil {
					cv.spec.Connection.Retry = &connector.Retry{}
				}
				cv.spec.Connection.Retry.MaxAttempts = n + 1
			}
			if n, ok := intOf(t["retryWait"]); ok && n > 0 {
				if cv.spec.Connection.Retry == nil {
					cv.spec.Connection.Retry = &connector.Retry{}
				}
				cv.spec.Connection.Retry.MinBackoff = connector.Duration(time.Duration(n) * time.Second)
				cv.spec.Connection.Retry.MaxBackoff = connector.Duration(max(time.Duration(n)*time.Second, 10*time.Second))
			}
			cv.warn(attrConfig, k, "one timeout per attempt in restconn: the longer of readTimeout and connectionTimeout; writes (POST, PATCH) are retried only when they provably never reached the server")
		case "showLogs":
		case "provisioningLimit":
			cv.warn(attrConfig, k, "not converted: how many operations run is the caller's scheduling")
		default:
			cv.warn(attrConfig, k, "not converted")
		}
	}
}
