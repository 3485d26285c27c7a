package saviynt

import (
	"fmt"
	"regexp"
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

func ticketCalls(attr string, m map[string]any, cv *converter) []provCall {
	var calls []provCall
	switch c := m["call"].(type) {
	case []any:
		for i, x := range c {
			if o := obj(x); o != nil {
				calls = append(calls, provCall{i, o})
			}
		}
	case map[string]any:
		for i, o := range callsOf(c) {
			calls = append(calls, provCall{i, o})
		}
	}
	if len(calls) == 0 {
		cv.warn(attr, "call", "left out: no calls")
	}
	return calls
}

func (cv *converter) ticketCreate(m map[string]any) *connector.TicketCreate {
	attr := attrCreateTicket
	for _, k := range sortedKeys(m) {
		if k != "call" && k != "ticketidPath" {
			cv.warn(attr, k, "not converted: unknown member")
		}
	}
	calls := ticketCalls(attr, m, cv)
	if len(calls) == 0 {
		return nil
	}
	chain, names, f := cv.chain(attr, calls, scopeTicketCreate)
	if f != nil {
		cv.warn(attr, f.path, "ticket creation left out: %s", f.msg)
		return nil
	}
	p := firstStr(m, "ticketidPath", "ticketIdPath")
	if p == "" {
		cv.warn(attr, "ticketidPath", "ticket creation left out: no ticketidPath says where the new ticket's ID is")
		return nil
	}
	v, f := ticketValue(p, names, chain, "ticketidPath")
	if f != nil {
		cv.warn(attr, f.path, "ticket creation left out: %s", f.msg)
		return nil
	}
	// Rendering empty fails the operation: a ticket without an ID cannot
	// be polled.
	return &connector.TicketCreate{Calls: chain, ID: "{{ " + stripParens(v) + " }}"}
}

// ticketValue reads "<call>.message.<path>", or a path in the last call's
// response.
func ticketValue(p string, names map[string]string, chain []*connector.Call, where string) (string, *failure) {
	e, err := savPath(p)
	if err != nil {
		return "", fail(where, "%v", err)
	}
	if len(e) >= 2 && !e[1].isIdx && e[1].key == "message" {
		if _, ok := names[e[0].key]; ok {
			return responseValue(p, names, where)
		}
	}
	last := chain[len(chain)-1].Name
	expr, _ := lenientPath(".responses", append([]elem{{key: last}, {key: "body"}}, e...))
	return expr, nil
}

func (cv *converter) ticketStatus(m map[string]any) *connector.TicketPoll {
	attr := attrTicketStatus
	for _, k := range sortedKeys(m) {
		switch k {
		case "call", "ticketStatusPath", "ticketStatusValue":
		default:
			cv.warn(attr, k, "not converted: unknown member")
		}
	}
	calls := ticketCalls(attr, m, cv)
	if len(calls) == 0 {
		return nil
	}
	chain, names, f := cv.chain(attr, calls, scopeTicketStatus)
	if f != nil {
		cv.warn(attr, f.path, "ticket status left out: %s", f.msg)
		return nil
	}
	p := str(m, "ticketStatusPath")
	if p == "" {
		cv.warn(attr, "ticketStatusPath", "ticket status left out: no ticketStatusPath says where the status is")
		return nil
	}
	v, f := ticketValue(p, names, chain, "ticketStatusPath")
	if f != nil {
		cv.warn(attr, f.path, "ticket status left out: %s", f.msg)
		return nil
	}
	var vals []string
	for _, x := range listOf(m["ticketStatusValue"]) {
		vals = append(vals, fmt.Sprint(x))
	}
	if len(vals) == 0 {
		cv.warn(attr, "ticketStatusValue", "ticket status left out: no ticketStatusValue says which statuses are open")
		return nil
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
	if closing {
		out.States = []connector.StateRule{{In: vals, State: connector.TicketCompleted}}
		out.Default = connector.TicketOpen
		cv.warn(attr, "ticketStatusValue", "read as the statuses of a finished ticket (%s): those complete the task, any other status keeps it open", strings.Join(vals, ", "))
	} else {
		out.States = []connector.StateRule{{In: vals, State: connector.TicketOpen}}
		out.Default = connector.TicketCompleted
		cv.warn(attr, "ticketStatusValue", "read as the statuses of a ticket still being worked on (%s): any other status completes the task; confirm this reading", strings.Join(vals, ", "))
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
