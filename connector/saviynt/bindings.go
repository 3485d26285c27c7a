package saviynt

import (
	"fmt"
	"strings"
)

// This file maps Saviynt's binding variables to restconn's (SPEC.md
// "Request attribute names"):
//
//	user.<col>                         .user.<lower-case col>
//	account.accountID, account.name    .account.id, .account.name
//	account.<col>                      .account.<col>
//	entitlementValue.entitlementID     .entitlement.id
//	entitlementValue.entitlement_value .entitlement.name
//	entitlementValue.<col>             .entitlement.attributes.<col>
//	task.<f>, arsTasks.<f>             .task.<f>
//	requestAccessAttributes.<n>        .task.attributes.<n> (also reqAttrs)
//	password                           .password
//	accountName                        .account.name
//	response.<call>.message.<path>     .responses.<call>.body.<path>
//	childresponse.<path>               .item.<path> (in a callListPath call)
//	access_token                       the call's auth block token
//	ticketID, taskIds                  .ticket.id, .task.id (ticket JSONs)

type scopeKind int

const (
	scopeProvision    scopeKind = iota // provisioning chains
	scopeTicketCreate                  // CreateTicketJSON: request variables and ticket extras
	scopeTicketStatus                  // TicketStatusJSON: .ticket.id and responses
	scopeConnect                       // testConnectionParams and import list calls: no request
	scopeDetail                        // an import dependent call or membership call: the list record
	scopeLogin                         // a ConnectionJSON token call
)

// scope is where an expression is evaluated: which Saviynt bindings exist
// there and what each is in restconn.
type scope struct {
	kind    scopeKind
	calls   map[string]string   // response.<name>: earlier calls of the chain, Saviynt name -> restconn name
	forEach bool                // childresponse is the element of callListPath
	token   *resolved           // ${access_token} of the call's auth block
	record  map[string][]elem   // scopeDetail: binding -> path in the list record
	vars    map[string]resolved // scopeLogin: ${refresh_token}, properties
	notes   map[string]bool     // remarks for a Warning (task fields outside the convention)

	attr           string     // the attribute being converted, for warnings
	prefix         string     // names secrets found in this call
	auth           *authBlock // the call's auth block
	noAuth         bool       // a login call: sent without the default block
	defaultSuccess *respSpec  // import: accountParams.successResponses
	defaultFailure *respSpec  // import: accountParams.unsuccessResponses
}

// addNotes turns the remarks collected while translating into warnings.
func (sc *scope) addNotes(cv *converter, path string) {
	for _, n := range sortedKeys(sc.notes) {
		cv.warn(sc.attr, path, "%s", n)
	}
	sc.notes = nil
}

func (sc *scope) emitter() *emitter { return &emitter{resolve: sc.resolve} }

// conventional task fields (SPEC.md "Request attribute names").
var taskFields = map[string]bool{"id": true, "requestor": true, "comments": true, "attributes": true}

func (sc *scope) note(msg string) {
	if sc.notes == nil {
		sc.notes = map[string]bool{}
	}
	sc.notes[msg] = true
}

func keys(steps []elem) bool {
	for _, s := range steps {
		if s.isIdx {
			return false
		}
	}
	return true
}

func (sc *scope) resolve(name string, steps []elem) (resolved, error) {
	request := sc.kind == scopeProvision || sc.kind == scopeTicketCreate
	leaf := func(root string, elems []elem, depth int) resolved {
		t := tUnknown
		if len(elems) == depth {
			t = tStr // identity, account and request columns are text
		}
		return resolved{root: root, elems: elems, typ: t}
	}
	need := func(n int) error {
		if len(steps) < n || !keys(steps[:n]) {
			return fmt.Errorf("%s needs a column name (%s.<name>)", name, name)
		}
		return nil
	}
	switch {
	case name == "access_token":
		if sc.token == nil {
			return resolved{}, fmt.Errorf("${access_token} has no auth block here")
		}
		if len(steps) > 0 {
			return resolved{}, fmt.Errorf("access_token has no members")
		}
		return *sc.token, nil
	case sc.kind == scopeLogin:
		if v, ok := sc.vars[name]; ok && len(steps) == 0 {
			return v, nil
		}
	case sc.kind == scopeDetail:
		if p, ok := sc.record[name]; ok {
			return resolved{root: ".record", elems: append(append([]elem{}, p...), steps...), typ: tUnknown}, nil
		}
	case request && name == "user":
		if err := need(1); err != nil {
			return resolved{}, err
		}
		e := append([]elem{{key: strings.ToLower(steps[0].key)}}, steps[1:]...)
		return leaf(".user", e, 1), nil
	case request && name == "account":
		if err := need(1); err != nil {
			return resolved{}, err
		}
		col := steps[0].key
		switch strings.ToLower(col) {
		case "accountid":
			col = "id"
		case "name":
			col = "name"
		}
		return leaf(".account", append([]elem{{key: col}}, steps[1:]...), 1), nil
	case request && name == "accountName":
		return leaf(".account", append([]elem{{key: "name"}}, steps...), 1), nil
	case request && name == "entitlementValue":
		if err := need(1); err != nil {
			return resolved{}, err
		}
		col := steps[0].key
		switch strings.ToLower(col) {
		case "entitlementid":
			return leaf(".entitlement", append([]elem{{key: "id"}}, steps[1:]...), 1), nil
		case "entitlement_value":
			return leaf(".entitlement", append([]elem{{key: "name"}}, steps[1:]...), 1), nil
		case "entitlementtype":
			return leaf(".entitlement", append([]elem{{key: "type"}}, steps[1:]...), 1), nil
		}
		return leaf(".entitlement", append([]elem{{key: "attributes"}, {key: col}}, steps[1:]...), 2), nil
	case request && (name == "task" || name == "arsTasks"):
		if err := need(1); err != nil {
			return resolved{}, err
		}
		if !taskFields[steps[0].key] {
			sc.note(fmt.Sprintf("%s.%s reads .task.%s: the caller must pass it in Request.Task", name, steps[0].key, steps[0].key))
		}
		return leaf(".task", steps, 1), nil
	case request && (name == "requestAccessAttributes" || name == "reqAttrs"):
		if err := need(1); err != nil {
			return resolved{}, err
		}
		return leaf(".task", append([]elem{{key: "attributes"}}, steps...), 2), nil
	case request && name == "password":
		if len(steps) > 0 {
			return resolved{}, fmt.Errorf("password has no members")
		}
		return resolved{root: ".password", typ: tStr}, nil
	case sc.kind == scopeTicketCreate && name == "taskIds" && len(steps) == 0:
		// Read like ?.: a ticket is filed even when the caller passes no task.
		return resolved{expr: `(opt .task "id")`, typ: tStr, nullable: true}, nil
	case sc.kind == scopeTicketCreate && name == "allEntitlementsValues" && len(steps) == 0:
		// Present only for access requests: read like ?. so other
		// operations' tickets leave it out.
		return resolved{expr: `(opt .entitlement "name")`, typ: tStr, nullable: true}, nil
	case sc.kind == scopeTicketStatus && name == "ticketID":
		return leaf(".ticket", append([]elem{{key: "id"}}, steps...), 1), nil
	case (request || sc.kind == scopeTicketStatus) && name == "response":
		return sc.response(steps)
	case name == "childresponse" && sc.forEach:
		return resolved{root: ".item", elems: steps, typ: tUnknown}, nil
	}
	return resolved{}, fmt.Errorf("the binding %s is not available here", name)
}

// response maps response.<call>.message.<path>.
func (sc *scope) response(steps []elem) (resolved, error) {
	if len(steps) == 0 || steps[0].isIdx {
		return resolved{}, fmt.Errorf("response needs a call name (response.<call>.message)")
	}
	call, ok := sc.calls[steps[0].key]
	if !ok {
		return resolved{}, fmt.Errorf("response.%s names no earlier call", steps[0].key)
	}
	out := []elem{{key: call}}
	if len(steps) == 1 {
		return resolved{root: ".responses", elems: out, typ: tUnknown}, nil
	}
	if steps[1].isIdx || steps[1].key != "message" {
		return resolved{}, fmt.Errorf("response.%s.%s: only the response body (message) is known", steps[0].key, steps[1].key)
	}
	return resolved{root: ".responses", elems: append(append(out, elem{key: "body"}), steps[2:]...), typ: tUnknown}, nil
}
