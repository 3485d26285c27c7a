package template

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReads(t *testing.T) {
	lookup := []string{"responses", "lookup"}
	tests := []struct {
		name, src string
		path      []string
		want      bool
	}{
		{"literal", "/users", lookup, false},
		{"below the path", "{{ .responses.lookup.body.id }}", lookup, true},
		{"another call", "{{ .responses.create.body.id }}", lookup, false},
		{"the container", "{{ opt .responses \"lookup\" \"body\" }}", lookup, true},
		{"dig over the container", `{{ dig "lookup" "body" "id" "" .responses }}`, lookup, true},
		{"index", `{{ index .responses "lookup" }}`, lookup, true},
		{"shorthand", "/users/${responses.lookup.body.id}", lookup, true},
		{"dollar chain", "{{ $.responses.lookup.status }}", lookup, true},
		{"dollar alone", "{{ json $ }}", lookup, true},
		{"dot at the top", "{{ json . }}", lookup, true},
		{"declared variable", "{{ $c := .responses.lookup.body }}{{ $c.id }}", lookup, true},
		{"variable of another value", "{{ $u := .user }}{{ $u.responses }}", lookup, false},
		{"if condition", "{{ if .responses.lookup }}x{{ end }}", lookup, true},
		{"if branch", "{{ if .user.email }}{{ .responses.lookup.body.id }}{{ end }}", lookup, true},
		{"else branch", "{{ if .user.email }}x{{ else }}{{ .responses.lookup.status }}{{ end }}", lookup, true},
		{"with pipeline", "{{ with .responses.lookup }}{{ .body.id }}{{ end }}", lookup, true},
		{"fields inside with are relative", "{{ with .user }}{{ .responses.lookup }}{{ end }}", lookup, false},
		{"dot inside range is the element", "{{ range .user.groups }}{{ . }}{{ end }}", lookup, false},
		{"dollar inside range is the data", "{{ range .user.groups }}{{ $.responses.lookup.status }}{{ end }}", lookup, true},
		{"range else keeps dot", "{{ range .user.groups }}x{{ else }}{{ .responses.lookup }}{{ end }}", lookup, true},
		{"parenthesized chain", "{{ (.responses).lookup.status }}", lookup, true},
		{"function argument", `{{ eq (int .responses.lookup.body.total) 0 }}`, lookup, true},
		{"other names", "{{ .user.email }} {{ .params.base }}", lookup, false},
		{"top-level name", "{{ .record.id }}", []string{"record"}, true},
		{"any data", "{{ .user.email }}", nil, true},
		{"no data", `{{ "x" | upper }}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := Compile("t", tt.src, PathSegment)
			require.NoError(t, err)
			assert.Equal(t, tt.want, tm.Reads(tt.path...))
		})
	}
}

func TestTreeReads(t *testing.T) {
	tr, err := CompileTree("body", map[string]any{
		"literal": map[string]any{"a": []any{1.0, "x"}},
		"ids":     []any{"{{ .user.email }}", map[string]any{"id": "{{ .responses.lookup.body.id }}"}},
	})
	require.NoError(t, err)
	assert.True(t, tr.Reads("responses", "lookup"))
	assert.True(t, tr.Reads("user"))
	assert.False(t, tr.Reads("responses", "create"))
	assert.False(t, tr.Reads("params"))

	lit, err := CompileTree("body", map[string]any{"a": "b"})
	require.NoError(t, err)
	assert.False(t, lit.Reads())
}
