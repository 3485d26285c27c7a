package binding

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

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

func TestFieldJSON(t *testing.T) {
	var fs map[string]Field
	require.NoError(t, json.Unmarshal([]byte(`{"email":"email","created":{"path":"created_at","type":"time","layout":"unix"}}`), &fs))
	assert.Equal(t, Field{Path: "email"}, fs["email"])
	assert.Equal(t, Field{Path: "created_at", Type: Time, Layout: "unix"}, fs["created"])
	b, err := json.Marshal(fs)
	require.NoError(t, err)
	assert.JSONEq(t, `{"email":"email","created":{"path":"created_at","type":"time","layout":"unix"}}`, string(b))
}

func TestFieldValueJSON(t *testing.T) {
	var fs map[string]Field
	require.NoError(t, json.Unmarshal([]byte(`{"synced":{"value":"{{ rfc3339 .now }}","type":"time"},"both":{"path":"","value":"{{ .record }}"}}`), &fs))
	assert.Equal(t, Field{Value: "{{ rfc3339 .now }}", Type: Time}, fs["synced"])
	assert.Equal(t, Field{Value: "{{ .record }}"}, fs["both"])
	b, err := json.Marshal(fs)
	require.NoError(t, err)
	// A value field leaves the path out, so that it reads back as itself.
	assert.JSONEq(t, `{"synced":{"value":"{{ rfc3339 .now }}","type":"time"},"both":{"value":"{{ .record }}"}}`, string(b))
	var back map[string]Field
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, fs, back)
	b, err = json.Marshal(Field{Path: "a", Value: "{{ .record.a }}"})
	require.NoError(t, err)
	assert.JSONEq(t, `{"path":"a","value":"{{ .record.a }}"}`, string(b), "both are kept, for the compiler to refuse")
}
