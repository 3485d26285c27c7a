package connector

import (
	"fmt"
	"strings"
)

// limits checks the connection's bounds on hostile input and its masked
// field names.
func (c *compiler) limits(conn *Connection) {
	for _, l := range []struct {
		field string
		v     int64
	}{
		{"maxListLength", int64(conn.MaxListLength)},
		{"maxDecodeBytes", conn.MaxDecodeBytes},
		{"maxRenderBytes", conn.MaxRenderBytes},
		{"maxRenderSteps", conn.MaxRenderSteps},
	} {
		if l.v < 0 {
			c.fail("connection."+l.field, "must not be negative")
		}
	}
	seen := map[string]int{}
	for i, name := range conn.Mask {
		where := fmt.Sprintf("connection.mask[%d]", i)
		if strings.TrimSpace(name) == "" {
			c.fail(where, "empty: give the name of a JSON key, form field or query parameter, e.g. \"ssn\"")
		}
		if j, dup := seen[strings.ToLower(name)]; dup {
			c.fail(where, "%q is already connection.mask[%d] (names are matched ignoring case)", name, j)
		}
		seen[strings.ToLower(name)] = i
	}
}
