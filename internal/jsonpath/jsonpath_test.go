package jsonpath

import (
	"encoding/json"
	"reflect"
	"testing"
)

func decode(t testing.TB, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

const doc = `{
  "admins": [{"id": "1", "team_ids": [7, 8]}, {"id": "2", "team_ids": []}, {"id": "3"}],
  "pages": {"next": {"starting_after": "WzE"}},
  "urn:x:2.0:User": {"department": "Sales"},
  "a.b": 1,
  "groups": [{"value": "g1"}, {"display": "no value"}, {"value": "g2"}],
  "nil": null
}`

func TestGet(t *testing.T) {
	d := decode(t, doc)
	tests := []struct {
		path string
		want any
		ok   bool
	}{
		{"", d, true},
		{"$", d, true},
		{"pages.next.starting_after", "WzE", true},
		{"$.pages.next.starting_after", "WzE", true},
		{"admins[0].id", "1", true},
		{"admins[-1].id", "3", true},
		{"admins[3].id", nil, false},
		{"admins[].id", []any{"1", "2", "3"}, true},
		{"admins[].team_ids[]", []any{7.0, 8.0}, true},
		{"groups[].value", []any{"g1", "g2"}, true},
		{`["urn:x:2.0:User"].department`, "Sales", true},
		{`['a.b']`, 1.0, true},
		{"missing", nil, false},
		{"missing[].x", []any(nil), false},
		{"nil", nil, true},
		{"pages.next.starting_after.deeper", nil, false},
		{"admins.id", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			p, err := Compile(tt.path)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Get(d)
			if ok != tt.ok || !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Get(%q) = %#v, %v; want %#v, %v", tt.path, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	for _, src := range []string{"a..b", "a.", ".a", "a[", "a[x]", `a["x`, `a["x"`, "a]b", "a[0]b"} {
		if _, err := Compile(src); err == nil {
			t.Errorf("Compile(%q): want error", src)
		}
	}
}

func TestSet(t *testing.T) {
	m := map[string]any{"pagination": map[string]any{"per_page": 5}}
	if err := MustCompile("pagination.starting_after").Set(m, "abc"); err != nil {
		t.Fatal(err)
	}
	if err := MustCompile("SessionID").Set(m, "s"); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"pagination": map[string]any{"per_page": 5, "starting_after": "abc"}, "SessionID": "s"}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("got %v", m)
	}
	if err := MustCompile("SessionID.x").Set(m, 1); err == nil {
		t.Fatal("want error setting below a string")
	}
	if err := MustCompile("a[0]").Set(m, 1); err == nil {
		t.Fatal("want error setting an index")
	}
}
