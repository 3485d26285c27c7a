package saviynt

import (
	"maps"
	"reflect"
	"strconv"
	"strings"

	"github.com/restconn/restconn/connector"
)

// This file converts dependent import calls (inputParams.dependentCall):
// calls made once for each record the list calls return, whose columns
// are imported with the list call's.
//
// A single dependent call that maps every column of the list call (a
// "get one" after a "list IDs") replaces the record: it becomes the
// import's detail call, and the columns are paths in its response. Other
// dependent calls add columns: each becomes a merged detail call
// (import.<...>.details) whose response is bound as .detail.<name>, and
// each column it maps becomes a value field reading the record at the
// call's listField:
//
//	"details": [{"name": "call2", "path": "/users/{{ .record.id }}/license"}],
//	"attributes": {"customproperty8": {"value": "{{ opt .detail \"call2\" \"license\" \"plan\" }}"}}
//
// A column that an earlier call maps too keeps the earlier value where the
// dependent call gives none; the ID column is always the list call's.

// dependent converts the dependent calls of an account import or an
// entitlement type; r holds the list calls already converted.
func (cv *converter) dependent(path string, r *records, deps []map[string]any, conn, dateFmt string, idCols []string, succ, unsucc *respSpec) *failure {
	if len(deps) == 1 {
		d := deps[0]
		dp := join(join(path, "call"), str(d, "name"))
		cols, f := cv.columns(dp, obj(d["colsToPropsMap"]), firstStr(d, "dateFormat"), dateFmt)
		if f != nil {
			return f
		}
		covers := true
		for col := range r.cols.fields {
			_, has := cols.fields[col]
			covers = covers && has
		}
		if covers {
			sc := &scope{kind: scopeDetail, record: cv.recordBindings(r.listCols, str(d, "nextApiKeyField"), idCols), defaultSuccess: succ, defaultFailure: unsucc}
			lc, f := cv.listCall(dp, d, conn, sc)
			if f != nil {
				return f
			}
			if lc.Paging != nil {
				return fail(join(dp, "pagination"), "a paged dependent call")
			}
			r.detail = &lc.Call
			r.detailR = lc.Records
			r.cols = cols
			if st := obj(d["statusConfig"]); st != nil {
				r.status = st
			}
			return nil
		}
	}
	merged := &columns{fields: maps.Clone(r.cols.fields), paths: r.cols.paths, mapping: r.cols.mapping}
	idCol, hasID := r.cols.columnNamed(idCols...)
	// reads holds each column's value as a pipeline, for the fallback of a
	// later call that maps it too.
	reads := map[string]string{}
	for col, p := range r.cols.paths {
		reads[col] = optRead(".record", p)
	}
	for col, fl := range r.cols.fields {
		if s, isStr := fl.Default.(string); isStr && fl.Path == constKey {
			reads[col] = quote(s)
		}
	}
	names := map[string]bool{}
	for _, d := range deps {
		name := str(d, "name")
		dp := join(join(path, "call"), name)
		cols, f := cv.columns(dp, obj(d["colsToPropsMap"]), firstStr(d, "dateFormat"), dateFmt)
		var lc *connector.ListCall
		if f == nil {
			sc := &scope{kind: scopeDetail, record: cv.recordBindings(r.listCols, str(d, "nextApiKeyField"), idCols), defaultSuccess: succ, defaultFailure: unsucc}
			lc, f = cv.listCall(dp, d, conn, sc)
		}
		if f == nil && lc.Paging != nil {
			f = fail(join(dp, "pagination"), "it is paged, and a detail call reads one response")
		}
		var rec []elem
		if f == nil {
			var err error
			if rec, err = savPath(str(d, "listField")); err != nil {
				f = fail(join(dp, "listField"), "%v", err)
			}
		}
		if f != nil {
			cv.warn(attrImport, f.path, "dependent call %q left out, so the columns it maps (%s) are not imported: %s", name, strings.Join(sortedKeys(obj(d["colsToPropsMap"])), ", "), f.msg)
			continue
		}
		dc := lc.Call
		dc.Name = uniqueName(ident(name), names)
		r.details = append(r.details, &dc)
		at := append([]elem{{key: dc.Name}}, rec...)
		for _, col := range sortedKeys(cols.fields) {
			fl := cols.fields[col]
			if hasID && strings.EqualFold(col, idCol) {
				continue // the key that matched the call to the record
			}
			if fl.Path != constKey {
				read := optRead(".detail", append(append([]elem{}, at...), cols.paths[col]...))
				if prev, ok := reads[col]; ok {
					read = call("ternary", prev, read, isAbsent(read))
				}
				reads[col] = read
				fl.Path, fl.Value = "", "{{ "+stripParens(read)+" }}"
			} else if s, isStr := fl.Default.(string); isStr {
				reads[col] = quote(s)
			}
			merged.fields[col] = fl
		}
		if st := obj(d["statusConfig"]); len(st) > 0 && !reflect.DeepEqual(st, r.status) {
			cv.warn(attrImport, join(dp, "statusConfig"), "not converted: restconn's active rule reads the list call's record, not this call's response")
		}
		if cols.mapping && !merged.mapping {
			cv.warn(attrImport, join(dp, "colsToPropsMap"), "STORE#ACC#ENT#MAPPINGINFO: acctEntMappings are read from the list call's records, not from this call's response")
		}
	}
	r.cols = merged
	return nil
}

// uniqueName returns name, or name with a number added when it is taken.
func uniqueName(name string, taken map[string]bool) string {
	n := name
	for i := 2; taken[n]; i++ {
		n = name + "_" + strconv.Itoa(i)
	}
	taken[n] = true
	return n
}
