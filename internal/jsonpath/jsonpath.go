// Package jsonpath evaluates the small path language restconn specs use to
// point into decoded JSON documents.
//
// A path is a dot-separated list of object keys with optional index steps:
//
//	admins                    the value of key "admins"
//	pages.next.starting_after nested keys
//	Ticket[0].State           the first element of the list at "Ticket"
//	errors[-1].code           negative indices count from the end
//	groups[].value            every element's "value": a multi-valued path
//	["urn:x:2.0:User"].title  a quoted key, for keys holding dots or brackets
//
// The empty path and "$" denote the document itself. Values are what
// encoding/json produces: map[string]any, []any, string, bool, nil and
// float64 or json.Number.
//
// A path without "[]" yields at most one value. A path with "[]" fans out
// over the list elements and yields a list of every match, skipping elements
// where the rest of the path is absent; this is how a spec reads
// "the IDs of all groups of a user".
package jsonpath

import (
	"fmt"
	"strconv"
	"strings"
)

type stepKind uint8

const (
	stepKey stepKind = iota
	stepIndex
	stepEach
)

type step struct {
	kind  stepKind
	key   string
	index int
}

// Path is a compiled path. The zero value is not usable; use Compile.
// A Path is immutable and safe for concurrent use.
type Path struct {
	src   string
	steps []step
	multi bool
}

// Compile parses a path. Errors describe the offending position.
func Compile(src string) (*Path, error) {
	p := &Path{src: src}
	s := strings.TrimSpace(src)
	if s == "" || s == "$" {
		return p, nil
	}
	s = strings.TrimPrefix(s, "$.")
	if strings.HasPrefix(s, "$[") {
		s = s[1:]
	}
	i := 0
	expectKey := true // at the start or after a '.'
	for i < len(s) {
		c := s[i]
		switch {
		case c == '[':
			j := strings.IndexByte(s[i:], ']')
			if len(s) > i+1 && (s[i+1] == '"' || s[i+1] == '\'') {
				key, n, err := quotedKey(s[i+1:])
				if err != nil {
					return nil, fmt.Errorf("path %q: %v at offset %d", src, err, i+1)
				}
				end := i + 1 + n
				if end >= len(s) || s[end] != ']' {
					return nil, fmt.Errorf("path %q: missing ']' after quoted key at offset %d", src, end)
				}
				p.steps = append(p.steps, step{kind: stepKey, key: key})
				i = end + 1
				expectKey = false
				continue
			}
			if j < 0 {
				return nil, fmt.Errorf("path %q: missing ']' at offset %d", src, i)
			}
			inner := strings.TrimSpace(s[i+1 : i+j])
			if inner == "" || inner == "*" {
				p.steps = append(p.steps, step{kind: stepEach})
				p.multi = true
			} else {
				n, err := strconv.Atoi(inner)
				if err != nil {
					return nil, fmt.Errorf("path %q: index %q is not an integer", src, inner)
				}
				p.steps = append(p.steps, step{kind: stepIndex, index: n})
			}
			i += j + 1
			expectKey = false
		case c == '.':
			if expectKey {
				return nil, fmt.Errorf("path %q: empty key at offset %d", src, i)
			}
			i++
			expectKey = true
			if i == len(s) {
				return nil, fmt.Errorf("path %q: trailing '.'", src)
			}
		default:
			if !expectKey {
				return nil, fmt.Errorf("path %q: expected '.' or '[' at offset %d", src, i)
			}
			j := i
			for j < len(s) && s[j] != '.' && s[j] != '[' {
				if s[j] == ']' {
					return nil, fmt.Errorf("path %q: unexpected ']' at offset %d", src, j)
				}
				j++
			}
			p.steps = append(p.steps, step{kind: stepKey, key: s[i:j]})
			i = j
			expectKey = false
		}
	}
	return p, nil
}

// quotedKey reads a '...' or "..." key with backslash escapes and returns it
// with the number of bytes consumed.
func quotedKey(s string) (string, int, error) {
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if i+1 >= len(s) {
				return "", 0, fmt.Errorf("unterminated escape")
			}
			i++
			b.WriteByte(s[i])
		case q:
			return b.String(), i + 1, nil
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, fmt.Errorf("unterminated quoted key")
}

// MustCompile is like Compile but panics on error. For package-level paths.
func MustCompile(src string) *Path {
	p, err := Compile(src)
	if err != nil {
		panic(err)
	}
	return p
}

// String returns the source text of the path.
func (p *Path) String() string { return p.src }

// Multi reports whether the path fans out over lists ("[]").
func (p *Path) Multi() bool { return p.multi }

// IsRoot reports whether the path denotes the whole document.
func (p *Path) IsRoot() bool { return len(p.steps) == 0 }

// Get returns the value at the path and whether it exists. For a multi-valued
// path the value is a []any of every match (possibly empty) and ok is false
// only when a list on the way is missing entirely.
func (p *Path) Get(doc any) (any, bool) {
	if !p.multi {
		return get(doc, p.steps)
	}
	var out []any
	ok := collect(doc, p.steps, &out)
	if out == nil && ok {
		out = []any{}
	}
	return out, ok
}

func get(v any, steps []step) (any, bool) {
	for _, st := range steps {
		switch st.kind {
		case stepKey:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			v, ok = m[st.key]
			if !ok {
				return nil, false
			}
		case stepIndex:
			l, ok := v.([]any)
			if !ok {
				return nil, false
			}
			i := st.index
			if i < 0 {
				i += len(l)
			}
			if i < 0 || i >= len(l) {
				return nil, false
			}
			v = l[i]
		}
	}
	return v, true
}

func collect(v any, steps []step, out *[]any) bool {
	for k, st := range steps {
		if st.kind == stepEach {
			l, ok := v.([]any)
			if !ok {
				return false
			}
			for _, e := range l {
				collect(e, steps[k+1:], out)
			}
			return true
		}
		var ok bool
		v, ok = get(v, steps[k:k+1])
		if !ok {
			return false
		}
	}
	*out = append(*out, v)
	return true
}

// Set stores value at the path inside doc, creating intermediate objects as
// needed. Only key steps are supported; it is used to place paging cursors
// and auth tokens into request bodies.
func (p *Path) Set(doc map[string]any, value any) error {
	if len(p.steps) == 0 {
		return fmt.Errorf("path %q: cannot set the document root", p.src)
	}
	m := doc
	for k, st := range p.steps {
		if st.kind != stepKey {
			return fmt.Errorf("path %q: only keys can be set", p.src)
		}
		if k == len(p.steps)-1 {
			m[st.key] = value
			return nil
		}
		next, ok := m[st.key].(map[string]any)
		if !ok {
			if m[st.key] != nil {
				return fmt.Errorf("path %q: %q is not an object", p.src, st.key)
			}
			next = map[string]any{}
			m[st.key] = next
		}
		m = next
	}
	return nil
}
