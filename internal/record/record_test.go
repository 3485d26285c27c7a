package record

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/template"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func decode(t *testing.T, s string) any {
	d := json.NewDecoder(bytes.NewReader([]byte(s)))
	d.UseNumber()
	var v any
	require.NoError(t, d.Decode(&v))
	return v
}

func TestMapperTypes(t *testing.T) {
	rec := decode(t, `{"id": 1295, "name": "Jane", "away": false, "team_ids": [7, 8], "created_at": 1719492696,
		"modified": "2024-05-01T10:00:00.000Z", "otrs": "2024-10-02 07:02:39", "score": "3.5", "flag": "true",
		"avatar": {"image_url": "https://x/a.png"}, "nested": {"n": 1, "f": 1.5}, "nil": null}`)
	m, err := Compile(map[string]binding.Field{
		"id":        {Path: "id", Type: binding.String},
		"name":      {Path: "name"},
		"away":      {Path: "away", Type: binding.Bool},
		"team_ids":  {Path: "team_ids", Type: binding.List, Of: binding.String},
		"teams_raw": {Path: "team_ids"},
		"created":   {Path: "created_at", Type: binding.Time, Layout: "unix"},
		"modified":  {Path: "modified", Type: binding.Time},
		"otrs":      {Path: "otrs", Type: binding.Time, Layout: "2006-01-02 15:04:05"},
		"score":     {Path: "score", Type: binding.Float},
		"flag":      {Path: "flag", Type: binding.Bool},
		"avatar":    {Path: "avatar.image_url"},
		"nested":    {Path: "nested", Type: binding.Raw},
		"count":     {Path: "id", Type: binding.Int},
		"missing":   {Path: "no.such"},
		"nil":       {Path: "nil"},
		"defaulted": {Path: "no.such", Default: true, Type: binding.Bool},
	})
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, m.Map(rec, out))
	assert.Equal(t, map[string]any{
		"id": "1295", "name": "Jane", "away": false, "team_ids": []any{"7", "8"}, "teams_raw": []any{int64(7), int64(8)},
		"created":  time.Unix(1719492696, 0).UTC(),
		"modified": time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC),
		"otrs":     time.Date(2024, 10, 2, 7, 2, 39, 0, time.UTC),
		"score":    3.5, "flag": true, "avatar": "https://x/a.png",
		"nested": map[string]any{"n": int64(1), "f": 1.5}, "count": int64(1295), "defaulted": true,
	}, out)
}

func TestMapperErrors(t *testing.T) {
	_, err := Compile(map[string]binding.Field{"x": {Path: "a", Type: "uuid"}})
	assert.ErrorContains(t, err, `attribute "x": unknown type "uuid"`)
	_, err = Compile(map[string]binding.Field{"x": {Path: "a..b"}})
	assert.ErrorContains(t, err, `attribute "x"`)
	_, err = Compile(map[string]binding.Field{"x": {Path: "a", Type: binding.Int, Layout: "unix"}})
	assert.ErrorContains(t, err, "layout")

	m, err := Compile(map[string]binding.Field{"n": {Path: "name", Type: binding.Int}, "t": {Path: "obj", Type: binding.String}})
	require.NoError(t, err)
	err = m.Map(decode(t, `{"name": "Jane"}`), map[string]any{})
	assert.EqualError(t, err, `attribute "n": path "name": cannot convert "Jane" to int`)
	err = m.Map(decode(t, `{"obj": {"a": 1}}`), map[string]any{})
	assert.EqualError(t, err, `attribute "t": path "obj": cannot convert an object to string`)
}

func TestMapperValueTemplates(t *testing.T) {
	set := template.NewSet()
	var names []string
	tc := func(name, src string) (*template.Template, error) {
		names = append(names, name)
		return set.Compile("attributes."+name, src, template.Plain)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	m, err := CompileWith(map[string]binding.Field{
		"version":  {Value: "{{ .params.version }}"},
		"synced":   {Value: "{{ rfc3339 .now }}"},
		"syncedAt": {Value: "{{ .now }}", Type: binding.Time},
		"label":    {Value: "{{ .record.name }} ({{ .detail.roles.count }} roles)"},
		"count":    {Value: "{{ .detail.roles.count }}"},
		"countInt": {Value: "{{ .detail.roles.count }}", Type: binding.String},
		"opt":      {Value: `{{ opt .record "title" }}`},
		"optDef":   {Value: `{{ opt .record "title" }}`, Default: "none"},
		"a.b":      {Value: "{{ .record.name }}"},
		"path":     {Path: "name"},
	}, tc)
	require.NoError(t, err)
	assert.True(t, m.Templates())
	assert.Contains(t, names, `["a.b"].value`, "names are quoted like spec paths")
	rec := decode(t, `{"name": "Jane"}`)
	data := map[string]any{"record": rec, "params": map[string]any{"version": "2.11"}, "now": now,
		"detail": map[string]any{"roles": decode(t, `{"count": 3}`)}}
	out := map[string]any{}
	require.NoError(t, m.MapWith(rec, data, out))
	assert.Equal(t, map[string]any{
		"version": "2.11", "synced": "2026-03-01T12:00:00Z", "syncedAt": now, "label": "Jane (3 roles)",
		"count": int64(3), "countInt": "3", "optDef": "none", "a.b": "Jane", "path": "Jane",
	}, out)

	// Without variables, a value template sees .record only.
	out = map[string]any{}
	err = m.Map(rec, out)
	assert.ErrorContains(t, err, `attribute "count": value: template attributes.count.value`)

	pathOnly, err := Compile(map[string]binding.Field{"p": {Path: "name"}})
	require.NoError(t, err)
	assert.False(t, pathOnly.Templates())
}

func TestMapperValueErrors(t *testing.T) {
	tc := func(name, src string) (*template.Template, error) { return template.Compile(name, src, template.Plain) }
	_, err := CompileWith(map[string]binding.Field{"x": {Path: "a", Value: "{{ .record.a }}"}}, tc)
	assert.EqualError(t, err, `attribute "x": give path or value, not both`)
	_, err = Compile(map[string]binding.Field{"x": {Value: "{{ .record.a }}"}})
	assert.EqualError(t, err, `attribute "x": a value template is not allowed here: give a path`)
	_, err = CompileWith(map[string]binding.Field{"x": {Value: "{{ .record.a "}}, tc)
	assert.ErrorContains(t, err, `attribute "x": template x.value`)

	m, err := CompileWith(map[string]binding.Field{"n": {Value: "{{ .record.name }}", Type: binding.Int}}, tc)
	require.NoError(t, err)
	err = m.Map(decode(t, `{"name": "Jane"}`), map[string]any{})
	assert.EqualError(t, err, `attribute "n": value: cannot convert "Jane" to int`)

	f, err := CompileFieldWith(binding.Field{Value: "{{ .record.id }}-x", Type: binding.String}, tc)
	require.NoError(t, err)
	assert.True(t, f.IsTemplate())
	assert.Equal(t, "value", f.Where())
	v, ok, err := f.Value(decode(t, `{"id": 7}`))
	require.NoError(t, err)
	assert.True(t, ok)
	assert.Equal(t, "7-x", v)
}
