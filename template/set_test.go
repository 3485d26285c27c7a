package template

import (
	"testing"
	"text/template"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every predefined function of text/template parses, and calls the same
// function as text/template would.
func TestBuiltins(t *testing.T) {
	for name := range builtins {
		_, err := template.New("").Parse("{{ if false }}{{ " + name + " }}{{ end }}")
		require.NoError(t, err, "%s is not a text/template builtin", name)
		_, err = Compile("b", "{{ if false }}{{ "+name+" }}{{ end }}", Plain)
		require.NoError(t, err, name)
	}
	tm, err := Compile("b", `{{ printf "%s-%d" (index .l 1) (len .l) }} {{ and .t (not .f) }} {{ eq 1 1 }}`, Plain)
	require.NoError(t, err)
	out, err := tm.Render(map[string]any{"l": []any{"a", "b"}, "t": true, "f": false})
	require.NoError(t, err)
	assert.Equal(t, "b-2 true true", out)
}

func TestSetReusesTemplates(t *testing.T) {
	s := NewSet()
	a, err := s.Compile("x", "{{ .user.name }}", Plain)
	require.NoError(t, err)
	b, err := s.Compile("x", "{{ .user.name }}", Plain)
	require.NoError(t, err)
	assert.Same(t, a, b, "same name, source and escaping: the same template")
	c, err := s.Compile("x", "{{ .user.name }}", PathSegment)
	require.NoError(t, err)
	assert.NotSame(t, a, c)

	d := s.Derive()
	e, err := d.Compile("x", "{{ .user.name }}", Plain)
	require.NoError(t, err)
	assert.Same(t, a, e, "a derived set reuses its parent's templates")
	f, err := d.Compile("x", "{{ .user.email }}", Plain)
	require.NoError(t, err)
	assert.Equal(t, 1, d.Len())
	assert.Equal(t, 2, s.Len(), "the parent does not grow")

	data := map[string]any{"user": map[string]any{"name": "ann", "email": "a@x"}}
	for tm, want := range map[*Template]string{a: "ann", f: "a@x"} {
		got, err := tm.Render(data)
		require.NoError(t, err)
		assert.Equal(t, want, got)
		v, err := tm.Value(data)
		require.NoError(t, err)
		assert.Equal(t, want, v)
	}
	_, err = s.Compile("y", `{{ define "z" }}z{{ end }}`, Plain)
	assert.ErrorContains(t, err, "define, block and template actions are not supported")
}
