package saviynt

import (
	"encoding/json"
	"strings"

	"github.com/restconn/restconn/connector"
)

// thresholds converts the deletion thresholds of STATUS_THRESHOLD_CONFIG
// (or accountParams.statusAndThresholdConfig) into the reconciliation
// defaults of the spec (SPEC.md "Threshold"):
//
//	accountThresholdValue            import.accounts.threshold.maxRemoved
//	entThresholdValue.entType.<type>.ent
//	                                 import.entitlements.<type>.threshold.maxRemoved
//
// Saviynt fails a full import that would remove more than the threshold,
// and changes nothing; connector.ReconcileAccounts and ReconcileAccess
// refuse in the same case ("more than"), with ErrThreshold, before they
// report any removal. statusColumn and activeStatus are the account's
// active rule (see active). What Saviynt does to the records a full import
// no longer lists (inactivate, suspend, rename, remove links) has no spec
// counterpart: it is the caller's response to the removed changes a
// reconciliation reports, and a warning says so.
func (cv *converter) thresholds(im *connector.Import, ap, thr map[string]any) {
	cfg, attr, path := statusThreshold(ap, thr)
	if len(cfg) == 0 {
		return
	}
	var notListed, links, other []string
	for _, k := range sortedKeys(cfg) {
		v := cfg[k]
		switch k {
		case "statusColumn", "activeStatus", "inactiveStatus":
			// The account's active rule.
		case "accountThresholdValue":
			if im.Accounts == nil {
				cv.warn(attr, join(path, k), "not converted: there is no account import")
				continue
			}
			if n, ok := cv.threshold(attr, join(path, k), v); ok {
				im.Accounts.Threshold = &connector.Threshold{MaxRemoved: n}
			}
		case "entThresholdValue":
			cv.entThresholds(im, attr, join(path, k), v)
		case "inactivateAccountsNotInFile", "accountsNotInImportAction":
			notListed = append(notListed, k)
		case "inactivateEntsNotInFeed", "deleteLinks", "deleteAccEntForActiveAccounts":
			if boolOf(v) {
				links = append(links, k)
			}
		default:
			if v != nil && v != false && v != "" {
				other = append(other, k)
			}
		}
	}
	if len(notListed) > 0 {
		cv.warn(attr, path, "not converted: %s: what becomes of an account a full import no longer lists (inactivated, suspended, renamed \"<name>-Deleted on-<date>\") is the caller's decision; connector.ReconcileAccounts reports it as removed, within import.accounts.threshold", strings.Join(notListed, ", "))
	}
	if len(links) > 0 {
		cv.warn(attr, path, "not converted: %s: restconn removes no entitlement or link by itself; connector.ReconcileAccess reports the entitlements an import no longer lists, and each imported account carries its complete entitlement list", strings.Join(links, ", "))
	}
	if len(other) > 0 {
		cv.warn(attr, path, "not converted: %s: restconn has no counterpart", strings.Join(other, ", "))
	}
}

// entThresholds converts {"entType": {"<type>": {"ent": N}}}.
func (cv *converter) entThresholds(im *connector.Import, attr, path string, v any) {
	m := obj(v)
	if m == nil {
		cv.warn(attr, path, "not converted: want {\"entType\": {\"<type>\": {\"ent\": <count>}}}, got %s", kind(v))
		return
	}
	for _, k := range sortedKeys(m) {
		if k != "entType" {
			cv.warn(attr, join(path, k), "not converted: unknown member")
		}
	}
	types := obj(m["entType"])
	for _, typ := range sortedKeys(types) {
		tp := join(join(path, "entType"), typ)
		t := obj(types[typ])
		for _, k := range sortedKeys(t) {
			if k != "ent" {
				cv.warn(attr, join(tp, k), "not converted: unknown member (the entitlement count is \"ent\")")
			}
		}
		if _, has := t["ent"]; !has {
			cv.warn(attr, tp, "not converted: no \"ent\" count")
			continue
		}
		e := im.Entitlements[typ]
		if e == nil {
			cv.warn(attr, tp, "not converted: entitlement type %q is not imported", typ)
			continue
		}
		if n, ok := cv.threshold(attr, join(tp, "ent"), t["ent"]); ok {
			e.Threshold = &connector.Threshold{MaxRemoved: n}
		}
	}
}

// threshold reads a count of records. 0 sets no limit in restconn, so it
// is reported rather than read as "refuse every removal".
func (cv *converter) threshold(attr, path string, v any) (int, bool) {
	n, ok := intOf(v)
	switch {
	case !ok || n < 0:
		cv.warn(attr, path, "not converted: want a whole number of records, not %s", jsonText(v))
		return 0, false
	case n == 0:
		cv.warn(attr, path, "not converted: a threshold of 0 sets no limit in restconn")
		return 0, false
	}
	return n, true
}

// jsonText writes a decoded JSON value for a warning.
func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return kind(v)
	}
	return string(b)
}
