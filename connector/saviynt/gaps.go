package saviynt

import (
	"fmt"
	"strings"
)

// This file holds the Saviynt constructs the current engine cannot express.
// Each is one function that warns, names the missing restconn feature, and
// leaves the construct out, so nothing wrong reaches a target. When the
// feature lands, the function emits the spec shape its comment gives
// instead, and reports true.

// gapDependentCall: an import call with inputParams.dependentCall, whose
// columns are added to those of the list call (not a detail call that
// replaces the record, which convert already emits).
//
// Would emit, on import.accounts (or import.entitlements.<type>):
//
//	"detail": {"name": "<call>", "path": ".../{{ .record.<key path> }}", ...},
//	"attributes": {"<col>": {"value": "{{ .detail.<call>.body.<path> }}"}}
//
// i.e. merged per-record detail calls whose response is bound as
// .detail.<name>, and fields that are templates over .record and .detail.
func (cv *converter) gapDependentCall(attr, path, name string, cols []string) bool {
	cv.warn(attr, path, "dependent call %q left out, so the columns it maps (%s) are not imported: restconn's detail call replaces the record instead of adding columns (needs merged per-record detail calls, .detail.<name>)", name, strings.Join(cols, ", "))
	return false
}

// gapAcctToEnt: acctEntParams.entTypes.<type> with processingType
// httpAcctToEnt: one call per account lists the account's entitlements.
//
// Would emit, on import.accounts:
//
//	"memberships": {"<type>": {"path": ".../users/{{ .record.<id path> }}/teams",
//	  "records": "<listField>", "paging": {...}, "id": "<entIdPath>"}}
//
// i.e. a paged sub-list per account whose IDs fill Account.Entitlements.
func (cv *converter) gapAcctToEnt(attr, path, typ string) bool {
	cv.warn(attr, path, "entitlement type %q: memberships listed by a call per account (httpAcctToEnt) are not imported: needs per-account membership sub-lists", typ)
	return false
}

// gapEntToAcct: acctEntParams.entTypes.<type> with processingType
// httpEntToAcct: one call per entitlement lists its members.
//
// Would emit, on import.entitlements.<type>:
//
//	"memberSources": [{"path": ".../Groups/{{ .record.<id path> }}/members",
//	  "records": "<listField>", "paging": {...}}], "memberID": "<acctIdPath>"
//
// i.e. a paged sub-list per entitlement record whose IDs fill
// Entitlement.Members.
func (cv *converter) gapEntToAcct(attr, path, typ string) bool {
	cv.warn(attr, path, "entitlement type %q: members listed by a call per entitlement (httpEntToAcct) are not imported: needs per-entitlement member sub-lists", typ)
	return false
}

// gapThresholds: statusAndThresholdConfig / STATUS_THRESHOLD_CONFIG
// deletion thresholds and not-in-feed handling.
//
// Would emit the reconciliation defaults (connector.Threshold, "more than
// N removed" refuses, as Saviynt's threshold does):
//
//	"import": {"accounts": {"threshold": {"maxRemoved": <accountThresholdValue>}},
//	           "entitlements": {"<type>": {"threshold": {"maxRemoved": <entThresholdValue.entType.<type>.ent>}}}}
//
// inactivateAccountsNotInFile, accountsNotInImportAction, deleteLinks and
// the like stay the caller's decision on what a reconciliation reports.
func (cv *converter) gapThresholds(attr, path string, cfg map[string]any) bool {
	var fields []string
	for _, k := range sortedKeys(cfg) {
		switch k {
		case "statusColumn", "activeStatus", "inactiveStatus":
			continue // converted into the account active rule
		}
		fields = append(fields, k)
	}
	if len(fields) == 0 {
		return false
	}
	cv.warn(attr, path, "not converted: %s; deleting or suspending what a full import no longer lists is the caller's reconciliation (needs default deletion thresholds in the spec)", strings.Join(fields, ", "))
	return false
}

// gapMaskInLogs: maskInLogs names fields whose values are masked in logs.
// restconn already masks every secret, token and password by value; masking
// by field name is being added.
//
// Would emit: "connection": {"mask": ["<field>", ...]}.
func (cv *converter) gapMaskInLogs(path string, v any) bool {
	var names []string
	if l, ok := v.([]any); ok {
		for _, e := range l {
			names = append(names, fmt.Sprint(e))
		}
	}
	cv.warn(attrConnection, path, "not converted (%s): restconn masks secrets, tokens and passwords by value; masking other fields by name is not available yet", strings.Join(names, ", "))
	return false
}
