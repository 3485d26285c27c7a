package redact

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFieldsJSON(t *testing.T) {
	f := NewFields("ssn", "Password", "apiKey", "")
	assert.Equal(t, 3, f.Len())
	tests := []struct {
		name, body, want string
		values           []string
	}{
		{"string", `{"user":"jane","ssn":"123-45-6789"}`, `{"user":"jane","ssn":"[REDACTED]"}`, []string{"123-45-6789"}},
		{"case and depth", `{"a":{"b":[{"PASSWORD" : "p w"}]},"ApiKey":42}`, `{"a":{"b":[{"PASSWORD" : "[REDACTED]"}]},"ApiKey":"[REDACTED]"}`, []string{"p w", "42"}},
		{"every kind of value", `[{"ssn":true},{"ssn":null},{"ssn":{"k":"v","n":1.5e3,"x":[false,"w"]}},{"ssn":[1,"two"]}]`,
			`[{"ssn":"[REDACTED]"},{"ssn":"[REDACTED]"},{"ssn":"[REDACTED]"},{"ssn":"[REDACTED]"}]`, []string{"v", "1.5e3", "w", "1", "two"}},
		{"escaped key and value", `{"pass\u0077ord":"a\"b\\c \u00e9"}`, `{"pass\u0077ord":"[REDACTED]"}`, []string{"a\"b\\c é"}},
		{"white space kept", "{\n  \"ssn\" :\t\"1\",\n  \"n\": 2\n}", "{\n  \"ssn\" :\t\"[REDACTED]\",\n  \"n\": 2\n}", []string{"1"}},
		{"names as values are not keys", `{"field":"ssn","value":"ssn"}`, `{"field":"ssn","value":"ssn"}`, nil},
		{"brackets inside strings", `{"ssn":{"a":"}]"},"b":1}`, `{"ssn":"[REDACTED]","b":1}`, []string{"}]"}},
		{"truncated value", `{"n":1,"ssn":"12345`, `{"n":1,"ssn":"[REDACTED]"`, []string{"12345"}},
		{"truncated container", `{"ssn":{"a":[1,2`, `{"ssn":"[REDACTED]"`, []string{"1", "2"}},
		{"truncated after the colon", `{"ssn":`, `{"ssn":`, nil},
		{"not json", `ssn: 123`, `ssn: 123`, nil},
	}
	for _, tt := range tests {
		got, values := f.JSON([]byte(tt.body))
		assert.Equal(t, tt.want, string(got), tt.name)
		assert.Equal(t, tt.values, values, tt.name)
		if json.Valid([]byte(tt.body)) {
			assert.True(t, json.Valid(got), "%s: masked body is valid JSON", tt.name)
		}
	}
}

func TestFieldsForm(t *testing.T) {
	f := NewFields("password", "api_key")
	got, values := f.Form("user=jane&Password=p%40ss+word&x=&api%5Fkey=k&api_key")
	assert.Equal(t, "user=jane&Password=[REDACTED]&x=&api%5Fkey=[REDACTED]&api_key", got)
	assert.Equal(t, []string{"p@ss word", "k"}, values)

	got, values = f.Query("https://x.test/a?b=1&password=s3%2F&c=2#password=frag")
	assert.Equal(t, "https://x.test/a?b=1&password=[REDACTED]&c=2#password=frag", got)
	assert.Equal(t, []string{"s3/"}, values)
	u := "https://x.test/a?b=1"
	got, values = f.Query(u)
	assert.Equal(t, u, got)
	assert.Nil(t, values)
}

func TestFieldsValues(t *testing.T) {
	f := NewFields("ssn", "secret")
	var v any
	require.NoError(t, json.Unmarshal([]byte(`{"a":[{"SSN":"1"},{"secret":{"x":["y",2,true,null]}}],"ssn2":"no"}`), &v))
	assert.ElementsMatch(t, []string{"1", "y", "2"}, f.Values(v))
}

// TestFieldsFeedRedactor shows the intended use: values masked by name in
// a request body are learnt, so an error echoing one is masked too.
func TestFieldsFeedRedactor(t *testing.T) {
	f := NewFields("ssn")
	var r Redactor
	body, values := f.JSON([]byte(`{"name":"Jane","ssn":"078-05-1120"}`))
	op := r.With(values...)
	assert.Equal(t, `{"name":"Jane","ssn":"[REDACTED]"}`, string(body))
	assert.Equal(t, `duplicate value "`+Mask+`"`, op.String(`duplicate value "078-05-1120"`))
}

func TestFieldsEmptyCostsNothing(t *testing.T) {
	body := []byte(`{"ssn":"1","password":"2"}`)
	for _, f := range []*Fields{nil, NewFields(), NewFields("")} {
		got, values := f.JSON(body)
		assert.Equal(t, &body[0], &got[0], "the same slice")
		assert.Nil(t, values)
		s, values := f.Form("password=1")
		assert.Equal(t, "password=1", s)
		assert.Nil(t, values)
		assert.False(t, f.Has("ssn"))
		assert.Nil(t, f.Values(map[string]any{"ssn": "1"}))
		if n := testing.AllocsPerRun(10, func() { f.JSON(body); f.Form("password=1"); f.Query("/?password=1") }); n != 0 {
			t.Errorf("empty set: %v allocations", n)
		}
	}
	f := NewFields("ssn")
	clean := []byte(`{"user":"jane","Roles":["a","b"],"n":1}`)
	if n := testing.AllocsPerRun(10, func() { f.JSON(clean) }); n != 0 {
		t.Errorf("body without a listed key: %v allocations", n)
	}
}
