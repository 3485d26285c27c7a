package saviynt

import (
	"fmt"
	"strconv"
	"strings"
)

// Saviynt paths ("a.b[0].c") are dot-separated keys with [n] indexes; a
// literal dot inside a key is written ~dot# ("odata~dot#error.code" is the
// key "odata.error", then "code").

// savPath parses a Saviynt path into steps.
func savPath(s string) ([]elem, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	const dot = "\x00"
	s = strings.ReplaceAll(s, "~dot#", dot)
	var out []elem
	for _, part := range strings.Split(s, ".") {
		key := part
		var idx []int
		for strings.HasSuffix(key, "]") {
			open := strings.LastIndex(key, "[")
			if open < 0 {
				return nil, fmt.Errorf("path %q: unbalanced ]", strings.ReplaceAll(s, dot, "~dot#"))
			}
			n, err := strconv.Atoi(strings.TrimSpace(key[open+1 : len(key)-1]))
			if err != nil {
				return nil, fmt.Errorf("path %q: index %q is not a number", strings.ReplaceAll(s, dot, "~dot#"), key[open+1:len(key)-1])
			}
			idx = append([]int{n}, idx...)
			key = key[:open]
		}
		key = strings.ReplaceAll(key, dot, ".")
		if key == "" && len(idx) == 0 {
			return nil, fmt.Errorf("path %q: empty key", strings.ReplaceAll(s, dot, "~dot#"))
		}
		if key != "" {
			out = append(out, elem{key: key})
		}
		for _, n := range idx {
			out = append(out, elem{idx: n, isIdx: true})
		}
	}
	return out, nil
}

// renderPath writes steps as a restconn path (SPEC.md "Paths").
func renderPath(elems []elem) string {
	var b strings.Builder
	for _, e := range elems {
		switch {
		case e.isIdx:
			b.WriteString("[" + strconv.Itoa(e.idx) + "]")
		case e.key == "" || strings.ContainsAny(e.key, ".[]\"'") || strings.HasPrefix(e.key, "$") || strings.TrimSpace(e.key) != e.key:
			b.WriteString("[" + strconv.Quote(e.key) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(e.key)
		}
	}
	return b.String()
}

// jsonPath converts a Saviynt path into a restconn path.
func jsonPath(s string) (string, error) {
	e, err := savPath(s)
	if err != nil {
		return "", err
	}
	return renderPath(e), nil
}

// cutPrefix removes a leading key (e.g. completeResponseMap) from steps.
func cutPrefix(elems []elem, key string) ([]elem, bool) {
	if len(elems) > 0 && !elems[0].isIdx && elems[0].key == key {
		return elems[1:], true
	}
	return elems, false
}

// optRead is a template pipeline that reads steps from root leniently:
// an absent key, a null, a value of another kind or a list too short is
// restconn's omitted marker, never an error, as a path field reads its
// record. opt walks the keys. A list step first replaces anything but a
// list by an empty one, then takes the element with Sprig's first or last
// (nil for an empty list), or pads the list with nils so that index
// cannot run past its end; opt turns a final nil into omitted.
func optRead(root string, elems []elem) string {
	expr := root
	var keys []string
	flush := func() {
		if len(keys) > 0 {
			expr = call("opt", append([]string{expr}, keys...)...)
			keys = nil
		}
	}
	for _, e := range elems {
		if !e.isIdx {
			keys = append(keys, strconv.Quote(e.key))
			continue
		}
		flush()
		list := call("ternary", expr, "(list)", call("kindIs", `"slice"`, expr))
		switch e.idx {
		case 0:
			expr = call("first", list)
		case -1:
			expr = call("last", list)
		default:
			expr = call("index", call("concat", list, call("list", strings.TrimSpace(strings.Repeat("nil ", e.idx+1)))), strconv.Itoa(e.idx))
		}
	}
	flush()
	if len(elems) > 0 && elems[len(elems)-1].isIdx {
		expr = call("opt", expr)
	}
	return expr
}

// isAbsent is a bool pipeline: an optRead found nothing.
func isAbsent(read string) string { return call("kindIs", `"struct"`, read) }
