package binding

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSecretRedactsItself(t *testing.T) {
	s := Secret("hunter2")
	type cfg struct {
		User  string
		Token Secret
	}
	c := cfg{"u", s}
	for _, out := range []string{
		fmt.Sprint(s), fmt.Sprintf("%s %v %q %x %#v %+v", s, s, s, s, s, c), fmt.Sprintf("%#v", c),
	} {
		assert.NotContains(t, out, "hunter2")
		assert.Contains(t, out, "[REDACTED]")
	}
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.NotContains(t, string(b), "hunter2")

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("msg", "token", s, "cfg", c)
	slog.New(slog.NewTextHandler(&buf, nil)).Info("msg", "token", s)
	assert.NotContains(t, buf.String(), "hunter2")
	assert.Equal(t, "hunter2", s.Reveal())
}

func TestVarsMap(t *testing.T) {
	v := Vars{Secrets: map[string]Secret{"token": "t0k"}, Password: "pw", Op: "createAccount"}
	m := v.Map()
	for _, k := range []string{"user", "account", "entitlement", "task", "params", "secrets", "auth", "responses", "page", "ticket", "since", "now", "password", "op", "record", "item", "index", "response"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, "t0k", m["secrets"].(map[string]any)["token"])
	assert.Equal(t, "pw", m["password"])
	assert.Nil(t, m["since"])
	assert.Equal(t, map[string]any{}, m["user"])
}

func TestResponseLowercasesHeaders(t *testing.T) {
	r := Response(200, map[string][]string{"Etag": {`"3"`}, "X-Request-Id": {"a", "b"}}, map[string]any{"id": "1"})
	assert.Equal(t, map[string]any{"etag": `"3"`, "x-request-id": "a"}, r["headers"])
	assert.Equal(t, 200, r["status"])
}

func TestFieldJSON(t *testing.T) {
	var fs map[string]Field
	require.NoError(t, json.Unmarshal([]byte(`{"email":"email","created":{"path":"created_at","type":"time","layout":"unix"}}`), &fs))
	assert.Equal(t, Field{Path: "email"}, fs["email"])
	assert.Equal(t, Field{Path: "created_at", Type: Time, Layout: "unix"}, fs["created"])
	b, err := json.Marshal(fs)
	require.NoError(t, err)
	assert.JSONEq(t, `{"email":"email","created":{"path":"created_at","type":"time","layout":"unix"}}`, string(b))
}

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
	m, err := Compile(map[string]Field{
		"id":        {Path: "id", Type: String},
		"name":      {Path: "name"},
		"away":      {Path: "away", Type: Bool},
		"team_ids":  {Path: "team_ids", Type: List, Of: String},
		"teams_raw": {Path: "team_ids"},
		"created":   {Path: "created_at", Type: Time, Layout: "unix"},
		"modified":  {Path: "modified", Type: Time},
		"otrs":      {Path: "otrs", Type: Time, Layout: "2006-01-02 15:04:05"},
		"score":     {Path: "score", Type: Float},
		"flag":      {Path: "flag", Type: Bool},
		"avatar":    {Path: "avatar.image_url"},
		"nested":    {Path: "nested", Type: Raw},
		"count":     {Path: "id", Type: Int},
		"missing":   {Path: "no.such"},
		"nil":       {Path: "nil"},
		"defaulted": {Path: "no.such", Default: true, Type: Bool},
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
	_, err := Compile(map[string]Field{"x": {Path: "a", Type: "uuid"}})
	assert.ErrorContains(t, err, `attribute "x": unknown type "uuid"`)
	_, err = Compile(map[string]Field{"x": {Path: "a..b"}})
	assert.ErrorContains(t, err, `attribute "x"`)
	_, err = Compile(map[string]Field{"x": {Path: "a", Type: Int, Layout: "unix"}})
	assert.ErrorContains(t, err, "layout")

	m, err := Compile(map[string]Field{"n": {Path: "name", Type: Int}, "t": {Path: "obj", Type: String}})
	require.NoError(t, err)
	err = m.Map(decode(t, `{"name": "Jane"}`), map[string]any{})
	assert.EqualError(t, err, `attribute "n": path "name": cannot convert "Jane" to int`)
	err = m.Map(decode(t, `{"obj": {"a": 1}}`), map[string]any{})
	assert.EqualError(t, err, `attribute "t": path "obj": cannot convert an object to string`)
}
