package saviynt

import (
	"sort"
	"strconv"
	"strings"

	"github.com/restconn/restconn/connector"
)

// This file converts the provisioning JSONs (CreateAccountJSON ...
// ChangePassJSON) into provision.<operation> chains. An operation whose
// calls cannot all be converted is left out: restconn then answers
// ErrUnsupported for it instead of running part of a chain.

var opKeys = map[string]bool{"call": true, "accountIdPath": true, "responseColsToPropsMap": true, "dateFormat": true}

func (cv *converter) provisioning() {
	byTicket := cv.spec.Tickets != nil && cv.spec.Tickets.Create != nil
	for _, o := range opAttrs {
		m := obj(cv.attrs[o.attr])
		if m == nil {
			if byTicket {
				cv.setOp(o.op, &connector.ProvisionOp{Ticket: &connector.TicketTemplate{}})
				cv.warn(o.attr, "", "absent: %s is fulfilled by a ticket (CreateTicketJSON)", o.op)
			}
			continue
		}
		if op := cv.operation(o.attr, o.op, m); op != nil {
			cv.setOp(o.op, op)
		}
	}
}

func (cv *converter) setOp(op connector.Operation, s *connector.ProvisionOp) {
	if cv.spec.Provision == nil {
		cv.spec.Provision = map[connector.Operation]*connector.ProvisionOp{}
	}
	cv.spec.Provision[op] = s
}

// provCall is a call object with its index in the attribute's call list.
type provCall struct {
	i int
	m map[string]any
}

// callList returns the call objects of an attribute's "call" (a list, or a
// map in callOrder) with their indices. When there are none, or one is not
// an object, it warns that the attribute's part (what) is left out and
// returns nil.
func (cv *converter) callList(attr, what string, m map[string]any) []provCall {
	var calls []provCall
	switch c := m["call"].(type) {
	case []any:
		for i, x := range c {
			o := obj(x)
			if o == nil {
				cv.warn(attr, index("call", i), "%s left out: a call must be an object", what)
				return nil
			}
			calls = append(calls, provCall{i, o})
		}
	case map[string]any:
		for i, o := range callsOf(c) {
			calls = append(calls, provCall{i, o})
		}
	}
	if len(calls) == 0 {
		cv.warn(attr, "call", "%s left out: no calls", what)
	}
	return calls
}

func (cv *converter) operation(attr string, op connector.Operation, m map[string]any) *connector.ProvisionOp {
	for _, k := range sortedKeys(m) {
		switch {
		case k == "actions":
			cv.warn(attr, k, "operation left out: calls chosen by action (actions) cannot be converted")
			return nil
		case !opKeys[k]:
			cv.warn(attr, k, "not converted: unknown member")
		}
	}
	calls := cv.callList(attr, "operation", m)
	if len(calls) == 0 {
		return nil
	}
	sort.SliceStable(calls, func(a, b int) bool {
		x, xok := intOf(calls[a].m["callOrder"])
		y, yok := intOf(calls[b].m["callOrder"])
		if xok != yok {
			return xok // a consistent order: calls with a callOrder first
		}
		return x < y
	})
	kind := scopeProvision
	if op != connector.AddAccess && op != connector.RemoveAccess {
		return cv.opChain(attr, m, calls, kind)
	}
	// Add/RemoveAccess: a call whose name is an entitlement type runs for
	// that type.
	byType := map[string][]provCall{}
	var other []provCall
	for _, c := range calls {
		if t := cv.typeNamed(str(c.m, "name")); t != "" {
			byType[t] = append(byType[t], c)
		} else {
			other = append(other, c)
		}
	}
	byTicket := cv.spec.Tickets != nil && cv.spec.Tickets.Create != nil
	if len(byType) == 0 && !byTicket {
		if len(cv.entTypes) > 0 {
			cv.warn(attr, "call", "no call is named after an entitlement type (%s): the calls run for every type", strings.Join(cv.entTypes, ", "))
		}
		return cv.opChain(attr, m, calls, kind)
	}
	for _, c := range other {
		cv.warn(attr, index("call", c.i), "left out: the name %q is no entitlement type (%s), so no request selects this call", str(c.m, "name"), strings.Join(cv.entTypes, ", "))
	}
	out := &connector.ProvisionOp{Types: map[string]*connector.ProvisionOp{}}
	for _, t := range sortedKeys(byType) {
		if s := cv.opChain(attr, m, byType[t], kind); s != nil {
			out.Types[t] = s
		} else {
			cv.warn(attr, "call", "entitlement type %q left out of %s", t, attr)
		}
	}
	for _, t := range cv.entTypes {
		if _, has := byType[t]; !has && byTicket {
			// No call is named after this type: a ticket asks a person.
			out.Types[t] = &connector.ProvisionOp{Ticket: &connector.TicketTemplate{}}
			cv.warn(attr, "call", "no call is named %q: %s of that type is fulfilled by a ticket (CreateTicketJSON)", t, op)
		}
	}
	if len(out.Types) == 0 {
		return nil
	}
	return out
}

// typeNamed returns the entitlement type a call name selects.
func (cv *converter) typeNamed(name string) string {
	for _, t := range cv.entTypes {
		if t == name {
			return t
		}
	}
	for _, t := range cv.entTypes {
		if strings.EqualFold(t, name) {
			return t
		}
	}
	return ""
}

// opChain converts a chain with its accountIdPath and
// responseColsToPropsMap.
func (cv *converter) opChain(attr string, m map[string]any, calls []provCall, kind scopeKind) *connector.ProvisionOp {
	chain, names, f := cv.chain(attr, calls, kind)
	if f != nil {
		cv.warn(attr, f.path, "operation left out: %s", f.msg)
		return nil
	}
	out := &connector.ProvisionOp{Calls: chain}
	if p := str(m, "accountIdPath"); p != "" {
		if t, f := responseValue(p, names, "accountIdPath"); f != nil {
			cv.warn(attr, "accountIdPath", "left out: %s", f.msg)
		} else {
			out.AccountID = "{{ " + stripParens(t) + " }}"
		}
	}
	rc := obj(m["responseColsToPropsMap"])
	for _, col := range sortedKeys(rc) {
		cp := join("responseColsToPropsMap", col)
		s, _ := rc[col].(string)
		src, typ, _ := strings.Cut(strings.ReplaceAll(s, "~~#~", "~#~"), "~#~")
		var t string
		if c, isConst := strings.CutPrefix(src, "#CONST#"); isConst {
			t = escapeLiteral(c)
		} else {
			v, f := responseValue(src, names, cp)
			if f != nil {
				cv.warn(attr, cp, "left out: %s", f.msg)
				continue
			}
			switch strings.ToLower(typ) {
			case "", "char", "string":
				t = "{{ omitEmpty (cat " + v + ") }}" // text, left out when absent
			case "date":
				cv.warn(attr, cp, "kept as the response's text: templates cannot parse dates")
				t = "{{ " + stripParens(v) + " }}"
			default:
				t = "{{ " + stripParens(v) + " }}" // numbers and booleans keep their JSON type
			}
		}
		if out.Attributes == nil {
			out.Attributes = map[string]string{}
		}
		out.Attributes[col] = t
	}
	return out
}

// responseValue reads "<call>.message.<path>" of an earlier response, or
// "accountName", with opt: a value the response lacks is left out instead
// of failing an operation whose calls already succeeded.
func responseValue(p string, names map[string]string, where string) (string, *failure) {
	if p == "accountName" {
		return `(opt .account "name")`, nil
	}
	e, err := savPath(p)
	if err != nil {
		return "", fail(where, "%v", err)
	}
	if len(e) < 2 || e[0].isIdx || e[1].isIdx || e[1].key != "message" {
		return "", fail(where, "want <call>.message.<path>, got %q", p)
	}
	name, ok := names[e[0].key]
	if !ok {
		return "", fail(where, "%q names no call of this operation", e[0].key)
	}
	expr, _ := lenientPath(".responses", append([]elem{{key: name}, {key: "body"}}, e[2:]...))
	return expr, nil
}

// chain converts calls in order. Response names follow Saviynt: a name
// used once is kept; calls sharing a name are numbered name1, name2, ...
// and response.<name> reads the latest.
func (cv *converter) chain(attr string, calls []provCall, kind scopeKind) ([]*connector.Call, map[string]string, *failure) {
	count := map[string]int{}
	for _, c := range calls {
		count[callName(c)]++
	}
	seen := map[string]int{}
	used := map[string]bool{}
	names := map[string]string{} // Saviynt reference -> restconn call name
	var out []*connector.Call
	for _, c := range calls {
		path := index("call", c.i)
		name := callName(c)
		ref := name
		if count[name] > 1 {
			seen[name]++
			ref = name + strconv.Itoa(seen[name])
		}
		rname := ident(ref)
		for used[rname] {
			rname += "_"
		}
		used[rname] = true
		earlier := make(map[string]string, len(names))
		for k, v := range names {
			earlier[k] = v
		}
		sc := &scope{kind: kind, calls: earlier}
		listPath := strings.TrimSpace(str(c.m, "callListPath"))
		sc.forEach = listPath != ""
		call, f := cv.convertCall(callIn{attr: attr, path: path, m: c.m}, rname, sc)
		if f != nil {
			return nil, nil, f
		}
		if cond := strings.TrimSpace(str(c.m, "callCondition")); cond != "" {
			csc := &scope{kind: kind, calls: earlier, attr: attr, token: sc.token}
			t, f := exprField(join(path, "callCondition"), cond, func(n node) (string, error) { return csc.emitter().boolTemplate(n) })
			if f != nil {
				return nil, nil, f
			}
			csc.addNotes(cv, join(path, "callCondition"))
			call.If = t
		}
		if listPath != "" {
			lsc := &scope{kind: kind, calls: earlier, attr: attr}
			t, f := exprField(join(path, "callListPath"), listPath, func(n node) (string, error) {
				v, err := lsc.emitter().value(n, true) // an absent list runs the call zero times
				return "{{ " + v.top() + " }}", err
			})
			if f != nil {
				return nil, nil, f
			}
			call.ForEach = t
		}
		names[name] = rname
		if ref != name {
			names[ref] = rname
		}
		out = append(out, call)
	}
	return out, names, nil
}

func callName(c provCall) string {
	if n := strings.TrimSpace(str(c.m, "name")); n != "" {
		return n
	}
	return "call" + strconv.Itoa(c.i+1)
}

// exprField translates a field that holds one expression, with or without
// ${...} around it.
func exprField(path, src string, emit func(node) (string, error)) (string, *failure) {
	segs, err := splitGString(src)
	if err != nil {
		return "", exprFail(path, err)
	}
	expr := src
	if len(segs) == 1 && segs[0].isExpr {
		expr = segs[0].expr
	} else if hasExpr(segs) {
		return "", fail(path, "want one expression, got text around ${...}")
	}
	n, err := parseExpr(expr)
	if err != nil {
		return "", exprFail(path, err)
	}
	t, err := emit(n)
	if err != nil {
		return "", exprFail(path, err)
	}
	return t, nil
}
