package record

import (
	"bytes"
	"context"
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
	require.NoError(t, m.MapWith(context.Background(), rec, data, out))
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

// A number beyond float64's range never becomes ±Inf, which json.Marshal
// refuses: untyped it keeps its text, typed float it is an error naming the
// attribute.
func TestOutOfRangeNumbers(t *testing.T) {
	rec := decode(t, `{"big": 1e400, "neg": -1E+999, "small": 1e-400, "huge": "1e400", "nan": "NaN", "id": 123456789012345678901234567890}`)
	m, err := Compile(map[string]binding.Field{"big": {Path: "big"}, "neg": {Path: "neg"}, "small": {Path: "small"}, "id": {Path: "id"}, "raw": {Path: "$", Type: binding.Raw}})
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, m.Map(rec, out))
	assert.Equal(t, json.Number("1e400"), out["big"])
	assert.Equal(t, json.Number("-1E+999"), out["neg"])
	assert.Equal(t, float64(0), out["small"], "underflow is 0, as encoding/json reads it")
	assert.Equal(t, json.Number("123456789012345678901234567890"), out["id"])
	assert.Equal(t, json.Number("1e400"), out["raw"].(map[string]any)["big"])
	b, err := json.Marshal(out)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"big":1e400`)

	for _, path := range []string{"big", "neg", "huge"} {
		m, err := Compile(map[string]binding.Field{"score": {Path: path, Type: binding.Float}})
		require.NoError(t, err)
		err = m.Map(rec, map[string]any{})
		require.Error(t, err, path)
		assert.Contains(t, err.Error(), `attribute "score": path "`+path+`": cannot convert`)
		assert.Contains(t, err.Error(), "beyond the range of a float64")
	}
	m, err = Compile(map[string]binding.Field{"score": {Path: "nan", Type: binding.Float}})
	require.NoError(t, err)
	assert.ErrorContains(t, m.Map(rec, map[string]any{}), `cannot convert "NaN" to float`)
	m, err = Compile(map[string]binding.Field{"at": {Path: "big", Type: binding.Time, Layout: "unix"}})
	require.NoError(t, err)
	assert.ErrorContains(t, m.Map(rec, map[string]any{}), "cannot convert")
}

// Value templates render within the context given to MapWith: its limits
// stop a template that would build too much.
func TestMapWithContextLimits(t *testing.T) {
	tc := func(name, src string) (*template.Template, error) { return template.Compile(name, src, template.Plain) }
	m, err := CompileWith(map[string]binding.Field{"pad": {Value: `{{ repeat 100 "x" }}`}}, tc)
	require.NoError(t, err)
	out := map[string]any{}
	require.NoError(t, m.MapWith(context.Background(), decode(t, `{}`), nil, out))
	assert.Len(t, out["pad"], 100)
	ctx := template.WithLimits(context.Background(), template.Limits{MaxOutput: 10})
	err = m.MapWith(ctx, decode(t, `{}`), nil, map[string]any{})
	var le *template.LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "MaxOutput", le.Limit)
	assert.Contains(t, err.Error(), `attribute "pad": value: template pad.value: repeat needs 100 bytes`)
}
