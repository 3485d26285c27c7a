package template_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/template"
)

// specials are the characters a value must never contribute to a URL path.
const specials = "/?#"

func countSpecials(s string) int {
	n := 0
	for _, c := range s {
		if strings.ContainsRune(specials, c) {
			n++
		}
	}
	return n
}

// neutral replaces the specials of s with c.
func neutral(s string, c rune) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(specials, r) {
			return c
		}
		return r
	}, s)
}

func vdata(value string) map[string]any {
	return map[string]any{
		"v":    value,
		"user": map[string]any{"id": value, "email": value, "groups": []any{value, "g2"}},
	}
}

// pathForms are PathSegment templates whose only source of the specials is
// their literal text: rendered with any value they must contain exactly the
// specials of that text.
var pathForms = []struct {
	src  string
	text int // specials in the literal text
}{
	{"{{ .v }}", 0},
	{"/users/{{ .v }}", 2},
	{"/users/${v}/groups/${user.id}", 4},
	{"/u/{{ .v }}{{ .v }}?", 3},
	{"/u/{{ .v | lower }}/{{ .v | upper | trim }}", 3},
	{`/u/{{ printf "%s-%s" .v .user.email }}`, 2},
	{"/u/{{ with .v }}{{ . }}{{ end }}", 2},
	{"/u/{{ if .v }}{{ .v }}{{ else }}none{{ end }}", 2},
	{"/u/{{ range .user.groups }}{{ . }}-{{ end }}", 2},
	{"/u/{{ range $i, $g := .user.groups }}{{ $i }}{{ $g }}{{ end }}", 2},
	{"/u/{{ $x := .v }}{{ $x }}", 2},
	{`/u/{{ opt .user "id" }}#`, 3},
	{`/u/{{ .v | replace "x" "/" }}`, 2},
	{`/u/{{ join "/" .user.groups }}`, 2},
	{`/u/{{ .user.groups }}`, 2},
}

// FuzzCompileRender compiles arbitrary template source in both escaping
// modes and renders it with a string value in the data; nothing may panic.
// With the value it also checks the two escaping guarantees: a PathSegment
// template never gets '/', '?' or '#' from a value, and a JSON body (Tree)
// always marshals to valid JSON that decodes back to the value.
func FuzzCompileRender(f *testing.F) {
	f.Add("/users/{{ .user.id }}/groups/{{ .v }}", "a/b?c#d")
	f.Add(`{"op":"replace","value":"{{ .v }}"}`, `Jane "JD" O'Brien/Admin`)
	f.Add("${user.email}", "../../admin?x=1#frag")
	f.Add(`{{ if eq .v "x" }}{{ .v }}{{ else }}{{ .user.email | upper }}{{ end }}`, "x")
	f.Add(`{{ range $i, $g := .user.groups }}{{ $i }}={{ $g }};{{ end }}`, "%2F%3F")
	f.Add(`userName eq {{ jsonQuote .v }}`, "a\"b\\c\u2028")
	f.Add(`{{ opt .user "title" }}{{ omitEmpty .v }}{{ .v | raw }}`, "")
	// The fixed templates are compiled once: compiling is the slow part.
	paths := make([]*template.Template, len(pathForms))
	for i, form := range pathForms {
		tm, err := template.Compile("path", form.src, template.PathSegment)
		require.NoError(f, err, form.src)
		paths[i] = tm
	}
	body, err := template.CompileTree("body", map[string]any{
		"name":   "{{ .v }}",
		"nested": map[string]any{"x": "${v}", "list": []any{"{{ .v }}", "lit"}},
		"text":   "pre {{ .v }} post",
	})
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, src, value string) {
		data := vdata(value)

		// 1. Arbitrary source: compile and render in both modes.
		var compiled [2]*template.Template
		for i, esc := range []template.Escape{template.Plain, template.PathSegment} {
			tm, err := template.Compile("t", src, esc)
			if err != nil {
				continue
			}
			compiled[i] = tm
			_, _ = tm.Render(data)
			_, _ = tm.Value(data)
			_ = tm.Uses("v")
		}
		if tr, err := template.CompileTree("body", map[string]any{"a": src, "l": []any{src, value, 1.5, nil, true}}); err == nil {
			if v, err := tr.Render(data); err == nil {
				if _, err := json.Marshal(v); err != nil {
					t.Fatalf("rendered tree of %q does not marshal: %v", src, err)
				}
			}
		}

		// 2. The value never adds '/', '?' or '#' to a path.
		for i, form := range pathForms {
			out, err := paths[i].Render(data)
			if err != nil {
				continue
			}
			if n := countSpecials(out); n != form.text {
				t.Fatalf("path template %q with value %q rendered %q: %d of '/', '?', '#', want %d (the template's own)", form.src, value, out, n, form.text)
			}
		}
		// The same for the arbitrary source, by comparison: rendered with the
		// value and with the value's specials replaced, a template that does
		// not branch on those characters yields the same text up to them, and
		// then must yield the same specials. Known escapes (raw, and defined
		// templates: TestPathSegmentEscapesDefinedTemplates) are left out.
		if !strings.Contains(src, "raw") && !strings.Contains(src, "define") && !strings.Contains(src, "block") && !strings.Contains(src, "template") {
			checkPathEscaping(t, compiled[0], compiled[1], value)
		}

		// 3. A JSON body with the value is valid JSON holding the value.
		v, err := body.Render(data)
		require.NoError(t, err)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		require.True(t, json.Valid(b), "invalid JSON %s", b)
		var back struct {
			Name   string `json:"name"`
			Nested struct {
				X    string   `json:"x"`
				List []string `json:"list"`
			} `json:"nested"`
			Text string `json:"text"`
		}
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		if utf8.ValidString(value) { // encoding/json replaces invalid UTF-8 by U+FFFD
			assert.Equal(t, value, back.Name)
			assert.Equal(t, value, back.Nested.X)
			assert.Equal(t, []string{value, "lit"}, back.Nested.List)
			assert.Equal(t, "pre "+value+" post", back.Text)
		}
	})
}

func checkPathEscaping(t *testing.T, plainT, pathT *template.Template, value string) {
	t.Helper()
	if plainT == nil || pathT == nil || countSpecials(value) == 0 {
		return
	}
	for _, c := range []rune{'x', '_'} {
		other := neutral(value, c)
		p1, err1 := plainT.Render(vdata(value))
		p2, err2 := plainT.Render(vdata(other))
		if err1 != nil || err2 != nil || neutral(p1, c) != neutral(p2, c) {
			return // the template's output depends on the value's specials
		}
	}
	other := neutral(value, 'x')
	o1, err1 := pathT.Render(vdata(value))
	o2, err2 := pathT.Render(vdata(other))
	if err1 != nil || err2 != nil {
		return
	}
	if countSpecials(o1) != countSpecials(o2) {
		t.Fatalf("PathSegment template %q: value %q renders %q, its neutral form %q renders %q", pathT.Source(), value, o1, other, o2)
	}
}

// Defined templates and blocks would print values outside the escaped main
// tree, so they are refused at compile time.
func TestPathSegmentRefusesDefinedTemplates(t *testing.T) {
	for _, src := range []string{
		`/users/{{ block "id" . }}{{ .v }}{{ end }}`,
		`{{ define "id" }}{{ .v }}{{ end }}/users/{{ template "id" . }}`,
		`/users/{{ if .v }}{{ template "x" }}{{ end }}`,
	} {
		for _, esc := range []template.Escape{template.PathSegment, template.Plain} {
			_, err := template.Compile("path", src, esc)
			assert.ErrorContains(t, err, "not supported", src)
		}
	}
}

// A value that is exactly "." or ".." makes a dot segment, which URL
// resolution and most servers remove together with the previous segment:
// "/users/{{ .id }}/disable" with id ".." addresses "/disable"; an empty
// value turns "/users/{id}" into the collection "/users/". All three fail.
func TestPathSegmentDotSegments(t *testing.T) {
	tm, err := template.Compile("path", "/users/{{ .v }}/disable", template.PathSegment)
	require.NoError(t, err)
	for _, v := range []string{".", "..", ""} {
		_, err := tm.Render(vdata(v))
		assert.ErrorContains(t, err, "cannot be a URL path segment", "value %q", v)
	}
	out, err := tm.Render(vdata("..."))
	require.NoError(t, err)
	assert.Equal(t, "/users/.../disable", out, "three dots are an ordinary name")
}
