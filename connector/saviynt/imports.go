package saviynt

import (
	"cmp"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
)

// This file converts ImportAccountEntJSON: account calls, each entitlement
// type's calls, colsToPropsMap, statusConfig, pagination and the
// account <-> entitlement mappings embedded in payloads.

const constKey = `["#CONST#"]` // a path no API returns: the field's default is the constant

// importKeys are the top-level members of ImportAccountEntJSON.
var importKeys = map[string]bool{"globalSettings": true, "accountParams": true, "entitlementParams": true, "acctEntParams": true, "entOwnerParams": true, "entMappingParams": true}

func (cv *converter) imports() {
	imp := obj(cv.attrs[attrImport])
	thr := obj(cv.attrs[attrThreshold])
	if imp == nil {
		if thr != nil {
			cv.warn(attrThreshold, "", "not converted: there is no ImportAccountEntJSON")
		}
		return
	}
	for _, k := range sortedKeys(imp) {
		switch {
		case !importKeys[k]:
			cv.warn(attrImport, k, "not converted: unknown member")
		case k == "entOwnerParams":
			cv.warn(attrImport, k, "not converted: restconn imports no entitlement owners")
		case k == "entMappingParams":
			cv.warn(attrImport, k, "not converted: restconn imports no entitlement-to-entitlement maps")
		}
	}
	dateFmt := str(obj(imp["globalSettings"]), "dateFormat")
	im := &connector.Import{}
	ap := obj(imp["accountParams"])
	acctToEnt := obj(ap["acctEntMappings"])
	aep := obj(imp["acctEntParams"])
	links := cv.linkCalls(aep)
	var acctRecs *records
	if ap != nil {
		im.Accounts, acctRecs = cv.accounts(ap, dateFmt, thr, acctToEnt)
	} else if thr != nil {
		cv.warn(attrThreshold, "", "not converted: there is no account import")
	}
	cv.entitlementsFrom(im.Accounts, acctRecs, ap, aep, links.acctToEnt)
	ep := obj(imp["entitlementParams"])
	types := obj(ep["entTypes"])
	cv.entTypes = append(cv.entTypes, sortedKeys(types)...)
	for _, typ := range sortedKeys(acctToEnt) {
		if _, ok := types[typ]; !ok {
			cv.entTypes = append(cv.entTypes, typ)
		}
	}
	if im.Accounts != nil {
		for _, typ := range sortedKeys(im.Accounts.EntitlementsFrom) {
			if _, ok := types[typ]; !ok && !slices.Contains(cv.entTypes, typ) {
				cv.entTypes = append(cv.entTypes, typ)
			}
		}
	}
	sort.Strings(cv.entTypes)
	entRecs := map[string]*records{}
	for _, typ := range cv.entTypes {
		e, r := cv.entitlementType(ep, typ, dateFmt, im.Accounts, obj(acctToEnt[typ]))
		if e != nil {
			if im.Entitlements == nil {
				im.Entitlements = map[string]*connector.EntitlementImport{}
			}
			im.Entitlements[typ] = e
			entRecs[typ] = r
		}
	}
	cv.membersFrom(im.Entitlements, entRecs, ep, aep, links.entToAcct)
	for _, k := range sortedKeys(ep) {
		switch k {
		case "entTypes", "connection", "processingType", "successResponses", "unsuccessResponses":
		case "doNotChangeIfFailed":
			cv.notChangeIfFailed(join("entitlementParams", k))
		default:
			cv.warn(attrImport, join("entitlementParams", k), "not converted")
		}
	}
	cv.thresholds(im, ap, thr)
	if im.Accounts != nil || len(im.Entitlements) > 0 {
		cv.spec.Import = im
	}
}

func (cv *converter) notChangeIfFailed(path string) {
	cv.warn(attrImport, path, "not needed: a restconn import stops at its first error and yields it, so a failed import changes nothing unless the caller decides so")
}

// records is the converted part of an account or entitlement import.
type records struct {
	sources  []*connector.ListCall
	cols     *columns // the columns mapped: paths in the (detail) record, value fields over .detail
	listCols *columns // the list calls' columns: paths in the list record, which detail calls and sub-lists see as .record
	detail   *connector.Call
	detailR  string
	details  []*connector.Call
	status   map[string]any // statusConfig
}

// columns is a converted colsToPropsMap.
type columns struct {
	fields  map[string]binding.Field // Saviynt column -> field
	paths   map[string][]elem        // Saviynt column -> its path in the record (not for constants)
	mapping bool                     // STORE#ACC#ENT#MAPPINGINFO: links embedded in the payload
}

// recordCalls converts the calls of accountParams or one entitlement type.
func (cv *converter) recordCalls(path string, params, defaults map[string]any, dateFmt string, idCols []string) (*records, *failure) {
	calls := callsOf(params["call"])
	if len(calls) == 0 {
		return nil, fail(join(path, "call"), "no calls")
	}
	succ, f := cv.responseSpec(attrImport, join(path, "successResponses"), firstOf("successResponses", params, defaults))
	if f != nil {
		return nil, f
	}
	unsucc, f := cv.responseSpec(attrImport, join(path, "unsuccessResponses"), firstOf("unsuccessResponses", params, defaults))
	if f != nil {
		return nil, f
	}
	conn := cmp.Or(str(params, "connection"), str(defaults, "connection"))
	r := &records{}
	var deps []map[string]any
	for _, c := range calls {
		cp := join(join(path, "call"), str(c, "name"))
		if boolOf(obj(c["inputParams"])["dependentCall"]) {
			deps = append(deps, c)
			continue
		}
		cols, f := cv.columns(cp, obj(c["colsToPropsMap"]), firstStr(c, "dateFormat"), dateFmt)
		if f != nil {
			return nil, f
		}
		if r.cols != nil && !reflect.DeepEqual(r.cols.fields, cols.fields) {
			// Importing the first call's records alone would report the
			// others removed.
			return nil, fail(join(cp, "colsToPropsMap"), "it maps columns unlike the first call, and restconn maps every list call alike")
		}
		sc := &scope{kind: scopeConnect, defaultSuccess: succ, defaultFailure: unsucc}
		lc, f := cv.listCall(cp, c, conn, sc)
		if f != nil {
			return nil, f
		}
		if r.cols == nil {
			r.cols = cols
			r.status = obj(c["statusConfig"])
		}
		r.sources = append(r.sources, lc)
	}
	if len(r.sources) == 0 {
		return nil, fail(join(path, "call"), "no call lists records (every call is a dependent call)")
	}
	r.listCols = r.cols
	if len(deps) > 0 {
		if f := cv.dependent(path, r, deps, conn, dateFmt, idCols, succ, unsucc); f != nil {
			return nil, f
		}
	}
	return r, nil
}

func firstOf(key string, ms ...map[string]any) any {
	for _, m := range ms {
		if v, ok := m[key]; ok && v != nil {
			return v
		}
	}
	return nil
}

// listCall converts one import call into a list call: the http object,
// listField and pagination.
func (cv *converter) listCall(path string, c map[string]any, conn string, sc *scope) (*connector.ListCall, *failure) {
	var flat map[string]any
	withConn(c, conn, func(m map[string]any) { flat = m })
	in := callIn{attr: attrImport, path: path, httpPath: join(path, "http"), m: flat}
	call, f := cv.convertCall(in, ident(str(c, "name")), sc)
	if f != nil {
		return nil, f
	}
	lc := &connector.ListCall{Call: *call}
	lf := str(c, "listField")
	if lf != "" {
		rp, err := jsonPath(lf)
		if err != nil {
			return nil, fail(join(path, "listField"), "%v", err)
		}
		lc.Records = rp
	}
	if pg := obj(c["pagination"]); len(pg) > 0 {
		if f := cv.paging(join(path, "pagination"), pg, lc); f != nil {
			return nil, f
		}
	}
	return lc, nil
}

// columns converts colsToPropsMap: "<column>": "<path>~#~<type>", with
// #CONST# constants and ~dot# keys.
func (cv *converter) columns(path string, m map[string]any, callDate, globalDate string) (*columns, *failure) {
	path = join(path, "colsToPropsMap")
	out := &columns{fields: map[string]binding.Field{}, paths: map[string][]elem{}}
	dateFmt := callDate
	if dateFmt == "" {
		dateFmt = globalDate
	}
	for _, col := range sortedKeys(m) {
		cp := join(path, col)
		s, ok := m[col].(string)
		if !ok {
			return nil, fail(cp, "want \"<path>~#~<type>\", got %s", kind(m[col]))
		}
		if strings.Contains(s, "${") {
			return nil, fail(cp, "a computed column: restconn maps paths of the record")
		}
		if strings.Contains(s, "~~#~") {
			s = strings.ReplaceAll(s, "~~#~", "~#~")
		}
		src, typ, _ := strings.Cut(s, "~#~")
		if strings.Contains(typ, "~#~") {
			cv.warn(attrImport, cp, "extra ~#~ parts ignored")
			typ, _, _ = strings.Cut(typ, "~#~")
		}
		if src == "STORE#ACC#ENT#MAPPINGINFO" {
			out.mapping = true
			continue
		}
		var f binding.Field
		switch strings.ToLower(strings.TrimSpace(typ)) {
		case "", "char", "string", "varchar":
			f.Type = binding.String
		case "int", "integer", "long", "number":
			f.Type = binding.Int
		case "bool", "boolean":
			f.Type = binding.Bool
		case "float", "double", "decimal":
			f.Type = binding.Float
		case "date", "datetime", "timestamp":
			f.Type = binding.Time
			switch {
			case dateFmt == "":
				cv.warn(attrImport, cp, "no dateFormat (globalSettings or the call): dates are read as RFC 3339")
			default:
				layout, err := javaLayout(dateFmt)
				if err != nil {
					return nil, fail(cp, "%v", err)
				}
				f.Layout = layout
			}
		default:
			cv.warn(attrImport, cp, "unknown type %q: the value is kept as it is", typ)
		}
		if c, isConst := strings.CutPrefix(src, "#CONST#"); isConst {
			f.Path = constKey
			f.Default = c
		} else {
			e, err := savPath(src)
			if err != nil {
				return nil, fail(cp, "%v", err)
			}
			f.Path = renderPath(e)
			out.paths[col] = e
		}
		out.fields[col] = f
	}
	if len(out.fields) == 0 {
		return nil, fail(path, "no columns")
	}
	return out, nil
}

// columnNamed finds a column case-insensitively.
func (c *columns) columnNamed(names ...string) (string, bool) {
	for _, n := range names {
		for col := range c.fields {
			if strings.EqualFold(col, n) {
				return col, true
			}
		}
	}
	return "", false
}

// recordBindings maps the names a dependent call's URL may use to paths in
// the list record.
func (cv *converter) recordBindings(cols *columns, next string, idCols []string) map[string][]elem {
	out := map[string][]elem{}
	add := func(binding string, col string) {
		if e, ok := cols.paths[col]; ok {
			out[binding] = e
		}
	}
	if c, ok := cols.columnNamed(idCols...); ok {
		add("id", c)
		for _, n := range idCols {
			add(n, c)
		}
	}
	if c, ok := cols.columnNamed("name", "entitlement_value"); ok {
		add("accountName", c)
		add("name", c)
		add("entitlement_value", c)
	}
	if next != "" {
		if c, ok := cols.columnNamed(next); ok {
			add(next, c)
			add("id", c)
		}
	}
	return out
}

// fieldsOf splits the columns into the ID, the name and attributes.
func (cv *converter) fieldsOf(path string, cols *columns, idNames, nameNames []string, keyField string) (id binding.Field, name *binding.Field, attrs map[string]binding.Field, f *failure) {
	idCol, ok := cols.columnNamed(idNames...)
	if !ok && keyField != "" {
		if idCol, ok = cols.columnNamed(keyField); ok {
			cv.warn(attrImport, path, "no %s column: the keyField %q is the ID", idNames[0], keyField)
		}
	}
	nameCol, hasName := cols.columnNamed(nameNames...)
	if !ok && hasName {
		idCol, ok = nameCol, true
		cv.warn(attrImport, path, "no %s column: %q is the ID", idNames[0], nameCol)
	}
	if !ok {
		return id, nil, nil, fail(join(path, "colsToPropsMap"), "no %s column: restconn needs the ID of every record", idNames[0])
	}
	id = cols.fields[idCol]
	id.Type = binding.String
	if hasName {
		n := cols.fields[nameCol]
		n.Type = binding.String
		name = &n
	}
	attrs = map[string]binding.Field{}
	for col, fl := range cols.fields {
		if col == idCol || hasName && col == nameCol {
			continue
		}
		attrs[col] = fl
	}
	if len(attrs) == 0 {
		attrs = nil
	}
	return id, name, attrs, nil
}

// accounts converts accountParams. The records are returned for the
// sub-lists, which bind the list record's columns.
//
// keyField is the column that tells a new record from one already
// imported, so the import is unique: a record whose ID was already
// yielded is dropped.
func (cv *converter) accounts(ap map[string]any, dateFmt string, thr, acctToEnt map[string]any) (*connector.AccountImport, *records) {
	path := "accountParams"
	r, f := cv.recordCalls(path, ap, nil, dateFmt, []string{"accountID"})
	if f != nil {
		cv.warn(attrImport, f.path, "account import left out: %s", f.msg)
		return nil, nil
	}
	id, name, attrs, f := cv.fieldsOf(join(path, "call"), r.cols, []string{"accountID"}, []string{"name"}, cv.keyField(ap))
	if f != nil {
		cv.warn(attrImport, f.path, "account import left out: %s", f.msg)
		return nil, nil
	}
	a := &connector.AccountImport{Sources: r.sources, ID: id, Name: name, Attributes: attrs, Detail: r.detail, DetailRecord: r.detailR, Details: r.details, Unique: true}
	a.Active = cv.active(path, r, ap, thr)
	for _, typ := range sortedKeys(acctToEnt) {
		m := obj(acctToEnt[typ])
		mp := join(join(path, "acctEntMappings"), typ)
		p, f := mappingPath(m, mp)
		if f != nil {
			cv.warn(attrImport, f.path, "entitlement links of %q left out: %s", typ, f.msg)
			continue
		}
		if kf := str(m, "keyField"); kf != "" && !strings.EqualFold(kf, "entitlementID") {
			cv.warn(attrImport, join(mp, "keyField"), "the values at %q are taken as entitlement IDs (keyField %q)", p, kf)
		}
		if a.Entitlements == nil {
			a.Entitlements = map[string]string{}
		}
		a.Entitlements[typ] = p
	}
	if len(acctToEnt) > 0 && !r.cols.mapping {
		cv.warn(attrImport, join(path, "acctEntMappings"), "converted although no column maps STORE#ACC#ENT#MAPPINGINFO")
	}
	for _, k := range sortedKeys(ap) {
		switch k {
		case "call", "connection", "acctEntMappings", "successResponses", "unsuccessResponses", "statusAndThresholdConfig", "processingType":
		case "doNotChangeIfFailed":
			cv.notChangeIfFailed(join(path, k))
		case "createUsers", "adminName":
			cv.warn(attrImport, join(path, k), "not converted: creating identities is the caller's concern")
		default:
			cv.warn(attrImport, join(path, k), "not converted")
		}
	}
	return a, r
}

func (cv *converter) keyField(params map[string]any) string {
	for _, c := range callsOf(params["call"]) {
		if k := str(c, "keyField"); k != "" {
			return k
		}
	}
	return ""
}

// mappingPath is the path of the linked IDs in a record: listField (or
// listPath) and idPath.
func mappingPath(m map[string]any, path string) (string, *failure) {
	list := firstStr(m, "listField", "listPath")
	idp := str(m, "idPath")
	le, err := savPath(list)
	if err != nil {
		return "", fail(join(path, "listField"), "%v", err)
	}
	ie, err := savPath(idp)
	if err != nil {
		return "", fail(join(path, "idPath"), "%v", err)
	}
	switch {
	case list == "" && idp == "":
		return "", fail(path, "neither listField nor idPath says where the IDs are")
	case list == "":
		return renderPath(ie), nil
	case idp == "":
		return renderPath(le), nil
	}
	return renderPath(le) + "[]" + prefixDot(renderPath(ie)), nil
}

func prefixDot(p string) string {
	if strings.HasPrefix(p, "[") {
		return p
	}
	return "." + p
}

// statusThreshold returns the statusAndThresholdConfig that applies and
// where it is: STATUS_THRESHOLD_CONFIG, else accountParams'.
func statusThreshold(ap, thr map[string]any) (cfg map[string]any, attr, path string) {
	if len(thr) > 0 {
		// Saviynt's own examples (its Terraform provider's, its connector
		// packages) write the attribute as accountParams holds it:
		// {"statusAndThresholdConfig": {...}}.
		if inner := obj(thr["statusAndThresholdConfig"]); inner != nil {
			return inner, attrThreshold, "statusAndThresholdConfig"
		}
		return thr, attrThreshold, ""
	}
	return obj(ap["statusAndThresholdConfig"]), attrImport, join("accountParams", "statusAndThresholdConfig")
}

// active converts statusConfig (or statusAndThresholdConfig's statusColumn
// and activeStatus) into the account's active rule.
func (cv *converter) active(path string, r *records, ap, thr map[string]any) *connector.ActiveRule {
	stc, stcAttr, stcPath := statusThreshold(ap, thr)
	rule := func(col string, vals []any, attr, at string) *connector.ActiveRule {
		if fl := r.cols.fields[col]; fl.Path != "" && fl.Path != constKey {
			return &connector.ActiveRule{Path: fl.Path, In: vals}
		}
		cv.warn(attr, at, "left out: the column %q is not a path in the record (restconn's active rule reads the record)", col)
		return nil
	}
	if st := r.status; len(st) > 0 {
		col, ok := r.cols.columnNamed("status")
		if !ok {
			cv.warn(attrImport, join(path, "call.statusConfig"), "left out: no status column to apply it to")
			return nil
		}
		vals := listOf(st["active"])
		if len(vals) == 0 {
			cv.warn(attrImport, join(path, "call.statusConfig"), "left out: no active values")
			return nil
		}
		return rule(col, vals, attrImport, join(path, "call.statusConfig"))
	}
	if stc != nil {
		colName := str(stc, "statusColumn")
		vals := listOf(stc["activeStatus"])
		if colName == "" || len(vals) == 0 {
			return nil
		}
		col, ok := r.cols.columnNamed(colName)
		if !ok {
			cv.warn(stcAttr, join(stcPath, "statusColumn"), "left out: the account calls map no column %q", colName)
			return nil
		}
		return rule(col, vals, stcAttr, join(stcPath, "statusColumn"))
	}
	return nil
}

func listOf(v any) []any {
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		var out []any
		for _, e := range x {
			if e != nil && e != "" {
				out = append(out, e)
			}
		}
		return out
	case string:
		if x == "" {
			return nil
		}
	}
	return []any{v}
}

// entitlementType converts entitlementParams.entTypes.<typ>, or derives
// the type from the account links (importAsEntitlement, or a call per
// account). Like accounts, a type with calls is unique by its keyField.
func (cv *converter) entitlementType(ep map[string]any, typ, dateFmt string, accounts *connector.AccountImport, link map[string]any) (*connector.EntitlementImport, *records) {
	t := obj(obj(ep["entTypes"])[typ])
	path := join("entitlementParams.entTypes", typ)
	if len(obj(t["call"])) == 0 {
		linked := accounts != nil && (accounts.Entitlements[typ] != "" || accounts.EntitlementsFrom[typ] != nil)
		if linked && (link == nil || boolOf(link["importAsEntitlement"]) || t == nil) {
			if len(obj(link["colsToPropsMap"])) > 0 || len(obj(link["statusConfig"])) > 0 {
				cv.warn(attrImport, join(join("accountParams.acctEntMappings", typ), "colsToPropsMap"), "not converted: entitlements derived from accounts have only their IDs")
			}
			return &connector.EntitlementImport{FromAccounts: true}, nil
		}
		if t != nil {
			cv.warn(attrImport, path, "entitlement type left out: it has no calls and no account links")
		}
		return nil, nil
	}
	r, f := cv.recordCalls(path, t, ep, dateFmt, []string{"entitlementID"})
	if f != nil {
		cv.warn(attrImport, f.path, "entitlement type %q left out: %s", typ, f.msg)
		return nil, nil
	}
	id, name, attrs, f := cv.fieldsOf(join(path, "call"), r.cols, []string{"entitlementID"}, []string{"entitlement_value"}, cv.keyField(t))
	if f != nil {
		cv.warn(attrImport, f.path, "entitlement type %q left out: %s", typ, f.msg)
		return nil, nil
	}
	e := &connector.EntitlementImport{Sources: r.sources, ID: id, Name: name, Attributes: attrs, Detail: r.detail, DetailRecord: r.detailR, Details: r.details, Unique: true}
	if m := obj(t["acctEntMappings"]); m != nil {
		mp := join(path, "acctEntMappings")
		p, f := mappingPath(m, mp)
		switch {
		case f != nil:
			cv.warn(attrImport, f.path, "members left out: %s", f.msg)
		default:
			e.Members = p
			if kf := str(m, "keyField"); kf != "" && !strings.EqualFold(kf, "accountID") {
				cv.warn(attrImport, join(mp, "keyField"), "the values at %q are taken as account IDs (keyField %q)", p, kf)
			}
			if boolOf(m["importAsAccount"]) {
				cv.warn(attrImport, join(mp, "importAsAccount"), "not converted: accounts come from the account import only")
			}
		}
	}
	if len(r.status) > 0 {
		cv.warn(attrImport, join(path, "call.statusConfig"), "not converted: restconn entitlements have no status")
	}
	for _, k := range sortedKeys(t) {
		switch k {
		case "call", "acctEntMappings", "connection", "processingType", "successResponses", "unsuccessResponses":
		case "entTypeOrder":
			// Types are independent in restconn: ImportAccess takes them in
			// the order the caller asks.
		case "entTypeLabels":
			cv.warn(attrImport, join(path, k), "not converted: labels are the caller's display concern")
		case "doNotChangeIfFailed":
			cv.notChangeIfFailed(join(path, k))
		default:
			cv.warn(attrImport, join(path, k), "not converted")
		}
	}
	return e, r
}

// paging converts a call's pagination.
func (cv *converter) paging(path string, pg map[string]any, lc *connector.ListCall) *failure {
	if len(pg) != 1 {
		return fail(path, "want one of nextUrl, page or offset")
	}
	switch {
	case pg["nextUrl"] != nil:
		return cv.nextURL(join(path, "nextUrl"), obj(pg["nextUrl"]), lc)
	case pg["page"] != nil:
		return cv.pagePaging(join(path, "page"), obj(pg["page"]), lc)
	case pg["offset"] != nil:
		return cv.offsetPaging(join(path, "offset"), obj(pg["offset"]), lc)
	}
	return fail(path, "unknown pagination %q: want nextUrl, page or offset", sortedKeys(pg)[0])
}

// total reads totalCountPath: a body path under completeResponseMap.
// Constants and headers have no restconn counterpart.
func (cv *converter) total(path string, v any) (string, bool) {
	s, isStr := v.(string)
	if !isStr {
		if v != nil {
			cv.warn(attrImport, path, "a constant total (%v) is not a cap in restconn: every page is read", v)
		}
		return "", false
	}
	if _, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		cv.warn(attrImport, path, "a constant total (%s) is not a cap in restconn: every page is read", s)
		return "", false
	}
	e, err := savPath(s)
	if err != nil {
		cv.warn(attrImport, path, "left out: %v", err)
		return "", false
	}
	if rest, ok := cutPrefix(e, "headers"); ok {
		cv.warn(attrImport, path, "a total read from the %s header is not used: paging ends on an empty page", renderPath(rest))
		return "", false
	}
	rest, _ := cutPrefix(e, "completeResponseMap")
	return renderPath(rest), true
}

// pagePaging converts page numbers. Saviynt's totalCountPath counts
// records while restconn's page total counts pages, so it is not used:
// the walk ends on an empty page (one more request), or, when the page
// size is known and pageRecordCount is given, on a short page.
func (cv *converter) pagePaging(path string, p map[string]any, lc *connector.ListCall) *failure {
	pg := &connector.Paging{Type: "page", Param: cmp.Or(str(p, "pageNumberParam"), "page")}
	if n, ok := intOf(p["firstPageNumber"]); ok {
		if n != 0 && n != 1 {
			return fail(join(path, "firstPageNumber"), "restconn pages start at 0 or 1, not %d", n)
		}
		pg.Start = n
	}
	size, hasSize := intOf(p["pageSize"])
	sizeParam := str(p, "pageSizeParam")
	_, hasTotal := cv.total(join(path, "totalCountPath"), p["totalCountPath"])
	if hasTotal {
		cv.warn(attrImport, join(path, "totalCountPath"), "not used: it counts records, restconn's page total counts pages; paging ends on an empty page")
	}
	switch {
	case sizeParam != "" && hasSize && p["pageRecordCount"] != nil && !hasTotal:
		pg.SizeParam, pg.Size = sizeParam, size // a short page is the last, as pageRecordCount says
	case sizeParam != "" && hasSize:
		// The size is sent with every request; only an empty page ends
		// the walk, so a server that caps the size loses nothing.
		if lc.Query == nil {
			lc.Query = map[string]string{}
		}
		lc.Query[sizeParam] = strconv.Itoa(size)
	}
	lc.Paging = pg
	return nil
}

// offsetPaging converts offsets.
func (cv *converter) offsetPaging(path string, p map[string]any, lc *connector.ListCall) *failure {
	pg := &connector.Paging{Type: "offset", Param: cmp.Or(str(p, "offsetParam"), "offset")}
	size, hasSize := intOf(p["batchSize"])
	sizeParam := str(p, "batchParam")
	total, hasTotal := cv.total(join(path, "totalCountPath"), p["totalCountPath"])
	if hasTotal {
		pg.Total = total
	}
	if sizeParam != "" && hasSize {
		if hasTotal {
			pg.SizeParam, pg.Size = sizeParam, size
		} else {
			if lc.Query == nil {
				lc.Query = map[string]string{}
			}
			lc.Query[sizeParam] = strconv.Itoa(size) // ends on an empty page: a capped page size loses nothing
		}
	}
	if n, ok := intOf(p["offsetStart"]); ok {
		pg.Start = n
	}
	lc.Paging = pg
	return nil
}
