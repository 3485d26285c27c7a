package redact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Fields is a set of field names whose values are secret wherever they
// appear, whatever they hold: the "maskInLogs" of identity platforms
// ("ssn", "password", "apiKey"). Names match JSON keys at any depth, form
// fields and query parameters, ignoring case.
//
// Its methods mask those values in a request or response body or a URL
// for a trace, a log or an error, and return the values they masked, so
// that a Redactor can learn them (Redactor.Add) and mask them wherever
// else they show up, such as in an error message read from a body.
//
// A nil or empty *Fields masks nothing and costs nothing. A Fields is
// immutable and safe for concurrent use.
type Fields struct {
	names          map[string]struct{} // lower-cased
	minLen, maxLen int
}

// NewFields compiles names into a set. Empty names are ignored.
func NewFields(names ...string) *Fields {
	f := &Fields{names: map[string]struct{}{}}
	for _, n := range names {
		if n == "" {
			continue
		}
		n = strings.ToLower(n)
		if len(f.names) == 0 || len(n) < f.minLen {
			f.minLen = len(n)
		}
		f.maxLen = max(f.maxLen, len(n))
		f.names[n] = struct{}{}
	}
	return f
}

// Len returns the number of names in the set.
func (f *Fields) Len() int {
	if f == nil {
		return 0
	}
	return len(f.names)
}

// Has reports whether name is in the set, ignoring case.
func (f *Fields) Has(name string) bool {
	if f.Len() == 0 {
		return false
	}
	if isASCII(name) {
		return hasASCII(f, name)
	}
	_, ok := f.names[strings.ToLower(name)]
	return ok
}

// hasASCII is Has for an ASCII name, without allocating.
func hasASCII[T string | []byte](f *Fields, name T) bool {
	if len(name) < f.minLen || len(name) > f.maxLen {
		return false
	}
	var buf [64]byte
	b := buf[:0]
	if len(name) > len(buf) {
		b = make([]byte, 0, len(name))
	}
	for i := range len(name) {
		c := name[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	_, ok := f.names[string(b)] // the compiler looks b up in place
	return ok
}

// hasKey is Has for a JSON string token (quotes included).
func (f *Fields) hasKey(tok []byte) bool {
	if len(tok) >= 2 && tok[len(tok)-1] == '"' {
		content := tok[1 : len(tok)-1]
		if bytes.IndexByte(content, '\\') < 0 && isASCII(content) {
			return hasASCII(f, content)
		}
	}
	return f.Has(jsonString(tok))
}

func isASCII[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// JSON returns body with the value of every member whose key is in the set
// replaced by the JSON string "[REDACTED]", whatever the value (string,
// number, boolean, null, object or array), at any depth; the rest of body
// is kept byte for byte. It also returns the masked values: strings (their
// decoded content) and numbers (their text), those inside masked objects and
// arrays included; booleans and null are not worth learning.
//
// Text that is not valid JSON (a truncated body) is masked as far as it
// goes: a string followed by ':' is taken for a key, and a value that does
// not end is masked to the end.
func (f *Fields) JSON(body []byte) ([]byte, []string) {
	if f.Len() == 0 || len(body) == 0 {
		return body, nil
	}
	var (
		out    []byte
		values []string
		last   int
	)
	for i := 0; i < len(body); {
		if body[i] != '"' {
			i++
			continue
		}
		end := stringEnd(body, i)
		j := skipWS(body, end)
		if j >= len(body) || body[j] != ':' || !f.hasKey(body[i:end]) {
			i = end
			continue
		}
		vs := skipWS(body, j+1)
		ve := valueEnd(body, vs)
		if vs == ve { // no value yet: truncated after the colon
			i = ve
			continue
		}
		values = collect(values, body[vs:ve])
		if out == nil {
			out = make([]byte, 0, len(body))
		}
		out = append(out, body[last:vs]...)
		out = append(out, `"`+Mask+`"`...)
		last, i = ve, ve
	}
	if out == nil {
		return body, values
	}
	return append(out, body[last:]...), values
}

// stringEnd returns the offset past the string starting at b[i] ('"'), or
// len(b) if it does not end.
func stringEnd(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// valueEnd returns the offset past the value starting at b[i]: a string, a
// container up to its matching bracket, or anything else up to the next
// ',', '}', ']' or white space.
func valueEnd(b []byte, i int) int {
	if i >= len(b) {
		return i
	}
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = stringEnd(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for ; i < len(b); i++ {
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return len(b)
}

// jsonString returns the content of the JSON string token s (quotes
// included, possibly unterminated), escapes undone where they are valid.
func jsonString(s []byte) string {
	if len(s) >= 2 && s[len(s)-1] == '"' {
		var v string
		if json.Unmarshal(s, &v) == nil {
			return v
		}
		return string(s[1 : len(s)-1])
	}
	return strings.TrimPrefix(string(s), `"`)
}

// collect appends the strings and numbers in the JSON value v (skipping
// object keys) to values.
func collect(values []string, v []byte) []string {
	for i := 0; i < len(v); {
		switch c := v[i]; {
		case c == '"':
			end := stringEnd(v, i)
			if j := skipWS(v, end); j >= len(v) || v[j] != ':' {
				if s := jsonString(v[i:end]); s != "" {
					values = append(values, s)
				}
			}
			i = end
		case c == '-' || c >= '0' && c <= '9':
			end := valueEnd(v, i)
			values = append(values, string(v[i:end]))
			i = end
		default:
			i++
		}
	}
	return values
}

// Form returns a URL-encoded form body (a=1&b=2, or a URL's query) with the
// value of every field whose name is in the set replaced by [REDACTED], the
// rest kept byte for byte, and the masked values, decoded.
func (f *Fields) Form(body string) (string, []string) {
	if f.Len() == 0 || body == "" {
		return body, nil
	}
	var (
		b      strings.Builder
		values []string
		last   int
	)
	for start := 0; start <= len(body); {
		end := strings.IndexByte(body[start:], '&')
		if end < 0 {
			end = len(body)
		} else {
			end += start
		}
		pair := body[start:end]
		if eq := strings.IndexByte(pair, '='); eq >= 0 && eq+1 < len(pair) && f.Has(unescapeForm(pair[:eq])) {
			if b.Len() == 0 {
				b.Grow(len(body))
			}
			vs := start + eq + 1
			b.WriteString(body[last:vs])
			b.WriteString(Mask)
			values = append(values, unescapeForm(pair[eq+1:]))
			last = end
		}
		start = end + 1
	}
	if last == 0 {
		return body, values
	}
	b.WriteString(body[last:])
	return b.String(), values
}

// unescapeForm decodes a form name or value, or returns it as it is if it
// is not validly encoded.
func unescapeForm(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// Query returns rawURL with the values of query parameters whose names are
// in the set masked as Form masks them, and the masked values. The rest of
// the URL, fragment included, is kept byte for byte.
func (f *Fields) Query(rawURL string) (string, []string) {
	if f.Len() == 0 {
		return rawURL, nil
	}
	q := strings.IndexByte(rawURL, '?')
	if q < 0 {
		return rawURL, nil
	}
	end := len(rawURL)
	if h := strings.IndexByte(rawURL[q:], '#'); h >= 0 {
		end = q + h
	}
	masked, values := f.Form(rawURL[q+1 : end])
	if values == nil {
		return rawURL, nil
	}
	return rawURL[:q+1] + masked + rawURL[end:], values
}

// Values returns the strings and numbers held, at any depth, by members
// of a decoded JSON value (map[string]any, []any, as encoding/json or jsonx
// produce) whose keys are in the set: the values JSON would mask, for a
// body the engine has already decoded.
func (f *Fields) Values(v any) []string {
	if f.Len() == 0 {
		return nil
	}
	return f.values(nil, v, false)
}

func (f *Fields) values(out []string, v any, masked bool) []string {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			out = f.values(out, e, masked || f.Has(k))
		}
	case []any:
		for _, e := range x {
			out = f.values(out, e, masked)
		}
	case nil, bool:
	case string:
		if masked && x != "" {
			out = append(out, x)
		}
	default: // json.Number, float64, int64 ...
		if masked {
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}
