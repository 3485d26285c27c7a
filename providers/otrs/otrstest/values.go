package otrstest

import (
	"encoding/json"
	"strconv"
	"strings"
)

// The operations are written against Perl semantics: a value is "true"
// unless it is undef, "" or "0"; references are always true. Request data
// therefore stays as decoded JSON (map[string]any, []any, string,
// json.Number, nil) and these helpers answer the questions the Perl code asks.

// normalize converts JSON booleans the way Kernel::System::JSON does
// (true -> 1, false -> 0) so later checks only see strings and numbers.
func normalize(v any) any {
	switch x := v.(type) {
	case bool:
		if x {
			return json.Number("1")
		}
		return json.Number("0")
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
	}
	return v
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case string:
		return x != "" && x != "0"
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f != 0
		}
		return x != "" && x != "0"
	default:
		return true
	}
}

// isString is Perl's IsString: defined and not a reference.
func isString(v any) bool {
	switch v.(type) {
	case string, json.Number:
		return true
	}
	return false
}

func isStringWithData(v any) bool { return isString(v) && str(v) != "" }

func isHashWithData(v any) bool {
	m, ok := v.(map[string]any)
	return ok && len(m) > 0
}

func isArrayWithData(v any) bool {
	a, ok := v.([]any)
	return ok && len(a) > 0
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// field returns m[key] stringified, "" when absent or a reference.
func field(m map[string]any, key string) string { return str(m[key]) }

// posInt parses a database ID the way a numeric comparison in SQL would
// accept it; anything else is 0 (no such row).
func posInt(s string) int {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return 0
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		return 0
	}
	return n
}

// trimStrings removes leading and trailing white space from every string
// value, as TicketCreate/TicketUpdate do for Ticket and Article attributes.
func trimStrings(m map[string]any) {
	for k, v := range m {
		if s, ok := v.(string); ok {
			m[k] = strings.TrimSpace(s)
		}
	}
}

// list returns a search parameter as a list: a non-empty array as is, a
// non-empty scalar as a one-element list (TicketSearch's _GetParams).
func list(v any) []string {
	switch {
	case isArrayWithData(v):
		var out []string
		for _, e := range v.([]any) {
			out = append(out, str(e))
		}
		return out
	case isStringWithData(v):
		return []string{str(v)}
	}
	return nil
}
