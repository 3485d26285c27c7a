package jsonpath_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/restconn/restconn/internal/jsonpath"
)

// fansOut reports whether src has a fan-out step: a bracket whose content is
// empty, blank or "*" ("[]", "[ ]", "[*]"). Brackets inside quoted keys may
// be counted too; that only makes the single-value check below skip more.
func fansOut(src string) bool {
	for i := 0; i < len(src); i++ {
		if src[i] != '[' {
			continue
		}
		j := strings.IndexByte(src[i:], ']')
		if j < 0 {
			return false
		}
		if in := strings.TrimSpace(src[i+1 : i+j]); in == "" || in == "*" {
			return true
		}
	}
	return false
}

// isNode reports whether v is the document or a value somewhere inside it.
func isNode(doc, v any) bool {
	if reflect.DeepEqual(doc, v) {
		return true
	}
	switch d := doc.(type) {
	case map[string]any:
		for _, e := range d {
			if isNode(e, v) {
				return true
			}
		}
	case []any:
		for _, e := range d {
			if isNode(e, v) {
				return true
			}
		}
	}
	return false
}

// FuzzCompileGet compiles arbitrary paths and evaluates them on arbitrary
// JSON. Nothing may panic; a path without a fan-out step must not be Multi
// and must return at most one value: the document itself or one value inside
// it, never a list it assembled; a Multi path returns a list.
func FuzzCompileGet(f *testing.F) {
	doc := `{"admins":[{"id":"1","team_ids":[7,8]},{"id":"2","team_ids":[]},{"id":"3"}],` +
		`"pages":{"next":{"starting_after":"WzE"}},"urn:x:2.0:User":{"department":"Sales"},"a.b":1,` +
		`"groups":[{"value":"g1"},{"display":"no value"},{"value":"g2"}],"nil":null}`
	for _, p := range []string{
		"pages.next.starting_after", "admins[-1].id", "admins[].team_ids[]", `["urn:x:2.0:User"].department`,
		`$['a.b']`, "$", "groups[*].value", "admins[0]", "Ticket[0].State",
	} {
		f.Add(p, []byte(doc))
	}
	f.Add("Resources[].emails[0].value", []byte(`{"Resources":[{"emails":[{"value":"a@x"}]},{"emails":[]}]}`))
	f.Add("[0][1]", []byte(`[[1,2],[3]]`))
	f.Fuzz(func(t *testing.T, src string, data []byte) {
		p, err := jsonpath.Compile(src)
		if err != nil {
			if p != nil {
				t.Fatalf("Compile(%q) returned a path and an error", src)
			}
			return
		}
		if p.String() != src {
			t.Errorf("String() = %q, want the source %q", p.String(), src)
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&v) != nil {
			v = nil
		}
		got, ok := p.Get(v)
		if !fansOut(src) {
			if p.Multi() {
				t.Fatalf("path %q has no fan-out step but is Multi", src)
			}
			if ok && !isNode(v, got) {
				t.Fatalf("path %q returned %#v, which is not a single value of the document %s", src, got, data)
			}
			if !ok && got != nil {
				t.Fatalf("path %q: absent, yet returned %#v", src, got)
			}
		}
		if p.Multi() {
			if _, isList := got.([]any); ok && !isList {
				t.Fatalf("multi path %q returned %T, want a list", src, got)
			}
		}
		if p.IsRoot() {
			if !ok || !reflect.DeepEqual(got, v) {
				t.Fatalf("root path %q returned %#v, %v", src, got, ok)
			}
		}
		// Set must never panic, whatever the document holds.
		if m, isObj := v.(map[string]any); isObj {
			if err := p.Set(m, "x"); err == nil && !p.Multi() {
				if back, ok := p.Get(m); !ok || back != "x" {
					t.Fatalf("after Set, Get(%q) = %#v, %v", src, back, ok)
				}
			}
		}
	})
}
