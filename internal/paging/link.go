package paging

import "strings"

// ParseLink parses Link header values (RFC 8288) and returns the target URI
// of each relation type. A link with several relation types ("next last")
// is listed under each. Malformed links are skipped; the first link of a
// relation wins.
func ParseLink(values []string) map[string]string {
	out := map[string]string{}
	for _, v := range values {
		for len(v) > 0 {
			v = strings.TrimLeft(v, " \t,")
			if !strings.HasPrefix(v, "<") {
				// Skip to the next link.
				i := strings.IndexByte(v, ',')
				if i < 0 {
					break
				}
				v = v[i+1:]
				continue
			}
			end := strings.IndexByte(v, '>')
			if end < 0 {
				break
			}
			target := v[1:end]
			v = v[end+1:]
			var rels []string
			sawRel := false
			// Parameters until the next link (a comma outside quotes).
			for {
				v = strings.TrimLeft(v, " \t")
				if !strings.HasPrefix(v, ";") {
					break
				}
				v = strings.TrimLeft(v[1:], " \t")
				name, rest, val := param(v)
				v = rest
				if strings.EqualFold(name, "rel") && !sawRel {
					// RFC 8288 3.3: occurrences after the first are ignored.
					rels, sawRel = strings.Fields(val), true
				}
			}
			for _, r := range rels {
				r = strings.ToLower(r)
				if _, dup := out[r]; !dup {
					out[r] = target
				}
			}
		}
	}
	return out
}

// param reads name[=value] where value is a token or a quoted string.
func param(s string) (name, rest, value string) {
	i := strings.IndexAny(s, "=;,")
	if i < 0 {
		return strings.TrimSpace(s), "", ""
	}
	name = strings.TrimSpace(s[:i])
	if s[i] != '=' {
		return name, s[i:], ""
	}
	s = strings.TrimLeft(s[i+1:], " \t")
	if strings.HasPrefix(s, `"`) {
		var b strings.Builder
		for j := 1; j < len(s); j++ {
			switch s[j] {
			case '\\':
				if j+1 < len(s) {
					j++
					b.WriteByte(s[j])
				}
			case '"':
				return name, s[j+1:], b.String()
			default:
				b.WriteByte(s[j])
			}
		}
		return name, "", b.String()
	}
	j := strings.IndexAny(s, ";,")
	if j < 0 {
		return name, "", strings.TrimSpace(s)
	}
	return name, s[j:], strings.TrimSpace(s[:j])
}
