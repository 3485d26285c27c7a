package saviynt

import (
	"cmp"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
)

// This file converts the membership calls of acctEntParams: calls made
// once for each account or entitlement that list its links, as restconn
// sub-lists (SPEC.md "SubList"):
//
//	httpAcctToEnt  a call per account listing its entitlements of a type
//	               -> import.accounts.entitlementsFrom.<type>
//	httpEntToAcct  a call per entitlement listing its member accounts
//	               -> import.entitlements.<type>.membersFrom
//
// ${id} in the call is the iterated record's key: the column acctKeyField
// (httpAcctToEnt) or entKeyField (httpEntToAcct) names, by default
// accountID and entitlementID; the call can also read the record's other
// columns by name (${accountID}, ${accountName}, ${entitlementID}, ...).
// The listed IDs are at entIdPath (acctIdPath) in each record of the
// call's listField; without one, each record is the ID itself. A sub-list
// pages as any import call does.

// linkCall is one call of acctEntParams.entTypes.<type>.call.
type linkCall struct {
	path string
	m    map[string]any
}

// links are acctEntParams' membership calls, by entitlement type.
type links struct {
	acctToEnt map[string]linkCall // httpAcctToEnt
	entToAcct map[string]linkCall // httpEntToAcct
}

// linkCalls reads acctEntParams and sorts its calls by processingType.
func (cv *converter) linkCalls(p map[string]any) links {
	out := links{acctToEnt: map[string]linkCall{}, entToAcct: map[string]linkCall{}}
	types := obj(p["entTypes"])
	for _, typ := range sortedKeys(types) {
		path := join(join("acctEntParams.entTypes", typ), "call")
		t := obj(types[typ])
		for _, c := range callsOf(t["call"]) {
			cp := join(path, str(c, "name"))
			var into map[string]linkCall
			switch pt := firstStr(c, "processingType"); pt {
			case "httpAcctToEnt":
				into = out.acctToEnt
			case "httpEntToAcct":
				into = out.entToAcct
			case "acctToEntMapping", "entToAcctMapping":
				continue // the links are in the payloads: acctEntMappings
			default:
				cv.warn(attrImport, cp, "not converted: processingType %q", pt)
				continue
			}
			if first, dup := into[typ]; dup {
				cv.warn(attrImport, cp, "left out: entitlement type %q already has its membership call (%s); restconn makes one call per record and type", typ, first.path)
				continue
			}
			into[typ] = linkCall{path: cp, m: c}
		}
	}
	for _, k := range sortedKeys(p) {
		switch k {
		case "entTypes", "connection", "successResponses", "unsuccessResponses":
		case "processingType":
			switch pt := str(p, k); pt {
			case "acctToEntMapping", "entToAcctMapping", "httpAcctToEnt", "httpEntToAcct":
			default:
				cv.warn(attrImport, join("acctEntParams", k), "not converted: processingType %q", pt)
			}
		default:
			cv.warn(attrImport, join("acctEntParams", k), "not converted")
		}
	}
	return out
}

// entitlementsFrom converts the httpAcctToEnt calls into the account
// import's entitlementsFrom.
func (cv *converter) entitlementsFrom(a *connector.AccountImport, r *records, ap, aep map[string]any, calls map[string]linkCall) {
	for _, typ := range sortedKeys(calls) {
		lc := calls[typ]
		why := func(path, format string, args ...any) {
			cv.warn(attrImport, path, "entitlement type %q: the call listing each account's entitlements (httpAcctToEnt) left out: "+format, append([]any{typ}, args...)...)
		}
		switch {
		case a == nil:
			why(lc.path, "there is no account import")
			continue
		case a.Entitlements[typ] != "":
			why(lc.path, "accountParams.acctEntMappings already reads them from the account payload")
			continue
		}
		conn := cmp.Or(str(lc.m, "connection"), str(aep, "connection"), str(ap, "connection"))
		sl, f := cv.subList(typ, lc, acctToEnt, conn, aep, r.listCols)
		if f != nil {
			why(f.path, "%s", f.msg)
			continue
		}
		if a.EntitlementsFrom == nil {
			a.EntitlementsFrom = map[string]*connector.SubList{}
		}
		a.EntitlementsFrom[typ] = sl
	}
}

// membersFrom converts the httpEntToAcct calls into each entitlement
// type's membersFrom.
func (cv *converter) membersFrom(ents map[string]*connector.EntitlementImport, recs map[string]*records, ep, aep map[string]any, calls map[string]linkCall) {
	for _, typ := range sortedKeys(calls) {
		lc := calls[typ]
		e := ents[typ]
		why := func(path, format string, args ...any) {
			cv.warn(attrImport, path, "entitlement type %q: the call listing each entitlement's members (httpEntToAcct) left out: "+format, append([]any{typ}, args...)...)
		}
		switch {
		case e == nil:
			why(lc.path, "the type is not imported (entitlementParams.entTypes.%s has no calls restconn can list it with)", typ)
			continue
		case e.FromAccounts:
			why(lc.path, "the type is derived from the accounts, whose links already give its members")
			continue
		case e.Members != "":
			why(lc.path, "entitlementParams.entTypes.%s.acctEntMappings already reads them from the entitlement payload", typ)
			continue
		}
		conn := cmp.Or(str(lc.m, "connection"), str(aep, "connection"), str(ep, "connection"))
		sl, f := cv.subList(typ, lc, entToAcct, conn, aep, recs[typ].listCols)
		if f != nil {
			why(f.path, "%s", f.msg)
			continue
		}
		e.MembersFrom = sl
	}
}

// linkKind is which way a membership call links, and the fields that
// say so.
type linkKind struct {
	field                    string // the restconn field: entitlementsFrom or membersFrom
	keyField, keyDefault     string // names the iterated record's column bound to ${id}
	idPath                   string // where each listed record has the linked ID
	listedKey, listedDefault string // names the column the linked IDs match
}

var (
	acctToEnt = linkKind{"entitlementsFrom", "acctKeyField", "accountID", "entIdPath", "entKeyField", "entitlementID"}
	entToAcct = linkKind{"membersFrom", "entKeyField", "entitlementID", "acctIdPath", "acctKeyField", "accountID"}
)

// subList converts one membership call; cols are the iterated records'
// list columns.
func (cv *converter) subList(typ string, lc linkCall, k linkKind, conn string, aep map[string]any, cols *columns) (*connector.SubList, *failure) {
	key := str(lc.m, k.keyField)
	if key == "" {
		key = k.keyDefault
	}
	col, found := cols.columnNamed(key)
	if !found || cols.paths[col] == nil {
		return nil, fail(join(lc.path, k.keyField), "the list call maps no column %q from its records to bind ${id}", key)
	}
	succ, f := cv.responseSpec(attrImport, join("acctEntParams", "successResponses"), aep["successResponses"])
	if f != nil {
		return nil, f
	}
	unsucc, f := cv.responseSpec(attrImport, join("acctEntParams", "unsuccessResponses"), aep["unsuccessResponses"])
	if f != nil {
		return nil, f
	}
	// Unnamed, the engine calls it entitlementsFrom or membersFrom in
	// errors, which also say whose list failed; credentials found in it
	// are named after the type and the call.
	sc := &scope{kind: scopeDetail, record: cv.recordBindings(cols, col, []string{k.keyDefault}), defaultSuccess: succ, defaultFailure: unsucc,
		prefix: ident(typ) + "_" + ident(str(lc.m, "name"))}
	call, f := cv.listCall(lc.path, lc.m, conn, sc)
	if f != nil {
		return nil, f
	}
	call.Name = ""
	id := "$" // each record is the ID
	if p := str(lc.m, k.idPath); p != "" {
		jp, err := jsonPath(p)
		if err != nil {
			return nil, fail(join(lc.path, k.idPath), "%v", err)
		}
		id = jp
	}
	if len(obj(lc.m["colsToPropsMap"])) > 0 {
		cv.warn(attrImport, join(lc.path, "colsToPropsMap"), "not converted: restconn's %s reads only the linked IDs", k.field)
	}
	if kf := str(lc.m, k.listedKey); kf != "" && !strings.EqualFold(kf, k.listedDefault) {
		cv.warn(attrImport, join(lc.path, k.listedKey), "the values at %q are taken as %s values (%s %q)", id, k.listedDefault, k.listedKey, kf)
	}
	// A membership call often reads one resource whose member list is
	// left out when it is empty (SCIM omits unassigned attributes): no
	// list there means no links, as in the platform.
	call.AllowMissingRecords = true
	return &connector.SubList{ListCall: *call, ID: binding.Field{Path: id}}, nil
}
