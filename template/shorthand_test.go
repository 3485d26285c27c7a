package template

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Expressions of other products' template languages that the ${a.b}
// shorthand does not cover are refused, naming the template and saying
// what to write instead, rather than sent to the target as literal text.
func TestStrayShorthand(t *testing.T) {
	const name = "provision.createAccount.calls[0].body.email"
	for _, tc := range []struct{ src, want string }{
		{"${user?.email}", `template ` + name + `: "${user?.email}" is not a restconn template: write {{ opt .user "email" }}; to send a literal "${", write {{ "${" }}`},
		{"x ${user?.manager?.email} y", `write {{ opt .user "manager" "email" }}`},
		{"${user.manager?.email}", `write {{ opt .user "manager" "email" }}`},
		{"${user.email.toLowerCase()}", `write {{ .user.email | lower }}`},
		{"${user.email.toLowerCase().trim()}", `write {{ .user.email | lower | trim }}`},
		{"${ user.name.toUpperCase() }", `write {{ .user.name | upper }}`},
		{"${user['first name']}", `write {{ index .user "first name" }}`},
		{`${user["email"]}`, `write {{ index .user "email" }}`},
		{"${if(x){a}else{b}}", `"${if(x){a}else{b}}" is not a restconn template: ${...} takes only a dotted name such as ${user.email}, other expressions are written with {{ }} (see "Templates" in SPEC.md); to send a literal "${", write {{ "${" }}`},
		{"${user.firstname + ' ' + user.lastname}", `takes only a dotted name`},
		{"${user.departmentname == null ? 'x' : 'y'}", `takes only a dotted name`},
		{"${}", `"${}" is not a restconn template`},
		{"${1}", `"${1}" is not a restconn template`},
		{"cost: ${user.email", `"${user.email" is not a restconn template: the ${ is not closed; to send a literal "${", write {{ "${" }}`},
		{"{{ .user.email }} and ${user?.email}", `write {{ opt .user "email" }}`},
		{"{{ if .x }}${a?.b}{{ end }}", `write {{ opt .a "b" }}`},
		{"{{ range .l }}${bad!}{{ end }}", `"${bad!}" is not a restconn template`},
	} {
		for _, esc := range []Escape{Plain, PathSegment} {
			_, err := Compile(name, tc.src, esc)
			require.Error(t, err, tc.src)
			assert.Contains(t, err.Error(), tc.want, tc.src)
			var te *Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, name, te.Template)
		}
		_, err := CompileTree("provision.createAccount.calls[0].body", map[string]any{"profile": map[string]any{"list": []any{"ok", tc.src}}})
		require.Error(t, err, tc.src)
		assert.Contains(t, err.Error(), "template provision.createAccount.calls[0].body.profile.list[1]: ", tc.src)
	}
}

// The shorthand itself, and the ways to write a literal "${", still work
// in every kind of template.
func TestShorthandAndLiteralDollarBrace(t *testing.T) {
	data := map[string]any{"user": map[string]any{"email": "a@x", "id": "7"}}
	for src, want := range map[string]string{
		"${user.email}":                 "a@x",
		"${ user.email }":               "a@x",
		"mailto:${user.email}!":         "mailto:a@x!",
		`{{ "${" }}user.email}`:         "${user.email}",
		`{{ "$" }}{user.email}`:         "${user.email}",
		`price: {{ "${" }}5}`:           "price: ${5}",
		`{{ printf "${%s}" .user.id }}`: "${7}",
		"$ {not a shorthand}":           "$ {not a shorthand}",
		"costs $5, {braces}":            "costs $5, {braces}",
		"{{/* ${user?.email} */}}ok":    "ok",
	} {
		for _, esc := range []Escape{Plain, PathSegment} {
			tm, err := Compile("t", src, esc)
			require.NoError(t, err, src)
			if esc == PathSegment {
				continue // the values are escaped there
			}
			out, err := tm.Render(data)
			require.NoError(t, err, src)
			assert.Equal(t, want, out, src)
		}
	}
	tree, err := CompileTree("b", map[string]any{"note": `{{ "${" }}HOME}`, "to": "${user.email}"})
	require.NoError(t, err)
	v, err := tree.Render(data)
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"note": "${HOME}", "to": "a@x"}, v)
	path, err := Compile("p", `/files/{{ "${" | raw }}x}/${user.id}`, PathSegment)
	require.NoError(t, err)
	out, err := path.Render(data)
	require.NoError(t, err)
	assert.Equal(t, "/files/${x}/7", out)
}
