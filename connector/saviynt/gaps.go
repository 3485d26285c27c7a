package saviynt

import (
	"fmt"
	"strings"
)

// This file holds the Saviynt constructs a restconn feature that is not
// there yet would express. Each is one function that warns, names the
// missing feature, and leaves the construct out, so nothing wrong reaches a
// target. When the feature lands, the function emits the spec shape its
// comment gives instead.

// gapMaskInLogs: maskInLogs names fields whose values are masked in logs.
// restconn already masks every secret, token and password by value;
// masking other values by the name of their field is not in the spec yet.
//
// Would emit: "connection": {"mask": ["<field>", ...]}.
func (cv *converter) gapMaskInLogs(path string, v any) {
	var names []string
	if l, ok := v.([]any); ok {
		for _, e := range l {
			names = append(names, fmt.Sprint(e))
		}
	}
	cv.warn(attrConnection, path, "not converted (%s): restconn masks secrets, tokens and passwords by value; masking other fields by name is not available yet", strings.Join(names, ", "))
}
