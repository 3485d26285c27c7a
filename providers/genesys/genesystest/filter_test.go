package genesystest

import (
	"reflect"
	"testing"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		in   string
		want []term
	}{
		{`userName eq "a@b.c"`, []term{{path: "userName", value: "a@b.c"}}},
		{`userName eq a@b.c`, []term{{path: "userName", value: "a@b.c"}}},
		{`  userName   EQ   "x"  `, []term{{path: "userName", value: "x"}}},
		{`displayName eq Sales Team`, []term{{path: "displayName", value: "Sales Team"}}},
		{`displayName eq "say \"hi\" \\ \/ \u00e9"`, []term{{path: "displayName", value: `say "hi" \ / é`}}},
		{`displayName eq "a and b"`, []term{{path: "displayName", value: "a and b"}}},
		{`title eq Agent and department eq Support`, []term{{path: "title", value: "Agent"}, {path: "department", value: "Support"}}},
		{`x[authority eq "a" and value eq v]`, []term{{path: "x", sub: []term{{path: "authority", value: "a"}, {path: "value", value: "v"}}}}},
		{`id eq "a" and members[value eq "b"]`, []term{{path: "id", value: "a"}, {path: "members", sub: []term{{path: "value", value: "b"}}}}},
	}
	for _, tt := range tests {
		got, err := parseFilter(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{``, `a`, `a eq`, `a ne b`, `a eq b or c eq d`, `a eq "b`, `(a eq b)`, `a[b eq c`, `a[b[c eq d]]`, `a eq b c eq d and`} {
		if got, err := parseFilter(bad); err == nil {
			t.Errorf("%q: no error, got %#v", bad, got)
		}
	}
}

func TestParsePatchPath(t *testing.T) {
	tests := []struct {
		in   string
		want patchPath
	}{
		{"active", patchPath{attr: "active"}},
		{"Emails", patchPath{attr: "emails"}},
		{`emails[type eq "work"].value`, patchPath{attr: "emails", filter: []term{{path: "type", value: "work"}}, sub: "value"}},
		{`members[value eq "x]y"]`, patchPath{attr: "members", filter: []term{{path: "value", value: "x]y"}}}},
		{"name.givenName", patchPath{attr: "name", sub: "givenname"}},
		{schemaEnterprise + ":department", patchPath{ns: nsEnterprise, attr: "department"}},
		{schemaEnterprise + ":manager.value", patchPath{ns: nsEnterprise, attr: "manager", sub: "value"}},
		{"URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER:Department", patchPath{ns: nsEnterprise, attr: "department"}},
		{schemaGenesys, patchPath{ns: nsGenesys, whole: true}},
		{schemaUser + ":userName", patchPath{attr: "username"}},
	}
	for _, tt := range tests {
		got, err := parsePatchPath(tt.in)
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		tt.want.raw = tt.in
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{"", "emails[", `emails[type eq "work"]x`, "a.b.c", "emails[type ne x]"} {
		if _, err := parsePatchPath(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestNewUUID(t *testing.T) {
	id := newUUID()
	if len(id) != 36 || id[14] != '4' || id[8] != '-' {
		t.Errorf("newUUID() = %q", id)
	}
}
