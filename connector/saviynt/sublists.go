package saviynt

import (
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
		why := func(format string, args ...any) {
			cv.warn(attrImport, lc.path, "entitlement type %q: the call listing each account's entitlements (httpAcctToEnt) left out: "+format, append([]any{typ}, args...)...)
		}
		switch {
		case a == nil:
			why("there is no account import")
			continue
		case a.Entitlements[typ] != "":
			why("accountParams.acctEntMappings already reads them from the account payload")
			continue
		}
		conn := firstStr(lc.m, "connection")
		if conn == "" {
			conn = firstStr(aep, "connection")
		}
		if conn == "" {
			conn = firstStr(ap, "connection")
		}
		sl, f := cv.subList(typ, lc, conn, aep, r.listCols, "acctKeyField", "accountID", "entIdPath", "entKeyField", "entitlementID")
		if f != nil {
			cv.warn(attrImport, f.path, "entitlement type %q: the call listing each account's entitlements (httpAcctToEnt) left out: %s", typ, f.msg)
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
		why := func(format string, args ...any) {
			cv.warn(attrImport, lc.path, "entitlement type %q: the call listing each entitlement's members (httpEntToAcct) left out: "+format, append([]any{typ}, args...)...)
		}
		switch {
		case e == nil:
			why("the type is not imported (entitlementParams.entTypes.%s has no calls restconn can list it with)", typ)
			continue
		case e.FromAccounts:
			why("the type is derived from the accounts, whose links already give its members")
			continue
		case e.Members != "":
			why("entitlementParams.entTypes.%s.acctEntMappings already reads them from the entitlement payload", typ)
			continue
		}
		conn := firstStr(lc.m, "connection")
		if conn == "" {
			conn = firstStr(aep, "connection")
		}
		if conn == "" {
			conn = firstStr(ep, "connection")
		}
		sl, f := cv.subList(typ, lc, conn, aep, recs[typ].listCols, "entKeyField", "entitlementID", "acctIdPath", "acctKeyField", "accountID")
		if f != nil {
			why("%s", f.msg)
			continue
		}
		e.MembersFrom = sl
	}
}

// subList converts one membership call. keyField (default keyDefault)
// names the iterated record's column bound to ${id}; idPath is where each
// listed record has the linked ID, and listedKey names the column those
// IDs match (listedDefault).
func (cv *converter) subList(typ string, lc linkCall, conn string, aep map[string]any, cols *columns, keyField, keyDefault, idPath, listedKey, listedDefault string) (*connector.SubList, *failure) {
	key := str(lc.m, keyField)
	if key == "" {
		key = keyDefault
	}
	col, found := cols.columnNamed(key)
	if !found || cols.paths[col] == nil {
		return nil, fail(join(lc.path, keyField), "the list call maps no column %q from its records to bind ${id}", key)
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
	sc := &scope{kind: scopeDetail, record: cv.recordBindings(cols, col, []string{keyDefault}), defaultSuccess: succ, defaultFailure: unsucc,
		prefix: ident(typ) + "_" + ident(str(lc.m, "name"))}
	call, f := cv.listCall(lc.path, lc.m, conn, sc)
	if f != nil {
		return nil, f
	}
	call.Name = ""
	id := "$" // each record is the ID
	if p := str(lc.m, idPath); p != "" {
		jp, err := jsonPath(p)
		if err != nil {
			return nil, fail(join(lc.path, idPath), "%v", err)
		}
		id = jp
	}
	if kf := str(lc.m, listedKey); kf != "" && !strings.EqualFold(kf, listedDefault) {
		cv.warn(attrImport, join(lc.path, listedKey), "the values at %q are taken as %s values (%s %q)", id, listedDefault, listedKey, kf)
	}
	return &connector.SubList{ListCall: *call, ID: binding.Field{Path: id}}, nil
}
