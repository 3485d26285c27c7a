package template

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func data() map[string]any {
	return map[string]any{
		"user": map[string]any{
			"email":  "jane@example.com",
			"name":   `Jane "JD" O'Brien/Admin`,
			"active": true,
			"age":    json.Number("42"),
			"groups": []any{"a", "b"},
			"empty":  "",
		},
		"params": map[string]any{"base": "https://x.test"},
		"since":  time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name, src string
		esc       Escape
		want      string
	}{
		{"literal", "plain text", Plain, "plain text"},
		{"field", "{{ .user.email }}", Plain, "jane@example.com"},
		{"shorthand", "mailto:${user.email}", Plain, "mailto:jane@example.com"},
		{"shorthand spaces", "${ user.email }", Plain, "jane@example.com"},
		{"sprig", "{{ .user.email | upper }}", Plain, "JANE@EXAMPLE.COM"},
		{"path escaped", "/users/{{ .user.name }}/x", PathSegment, "/users/Jane%20%22JD%22%20O%27Brien%2FAdmin/x"},
		{"path escaped in if", "/u{{ if .user.active }}/{{ .user.name }}{{ end }}", PathSegment, "/u/Jane%20%22JD%22%20O%27Brien%2FAdmin"},
		{"raw opts out", "{{ .params.base | raw }}/x", PathSegment, "https://x.test/x"},
		{"jsonQuote", `userName eq {{ jsonQuote .user.name }}`, Plain, `userName eq "Jane \"JD\" O'Brien/Admin"`},
		{"opt present", `{{ opt .user "email" }}`, Plain, "jane@example.com"},
		{"opt absent renders empty", `[{{ opt .user "title" }}]`, Plain, "[]"},
		{"dig default", `{{ dig "title" "n/a" .user }}`, Plain, "n/a"},
		{"rfc3339", `{{ rfc3339 .since }}`, Plain, "2026-01-02T03:04:05Z"},
		{"unix", `{{ unix .since }}`, Plain, "1767323045"},
		{"basicAuth", `{{ basicAuth "u" "p" }}`, Plain, "dTpw"},
		{"json", `{{ json .user.groups }}`, Plain, `["a","b"]`},
		{"number", `{{ .user.age }}`, Plain, "42"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm, err := Compile("t", tt.src, tt.esc)
			require.NoError(t, err)
			got, err := tm.Render(data())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestValueKeepsType(t *testing.T) {
	tests := []struct {
		src  string
		want any
	}{
		{"{{ .user.active }}", true},
		{"${user.age}", json.Number("42")},
		{"{{ .user.groups }}", []any{"a", "b"}},
		{"{{ list 1 2 }}", []any{1, 2}},
		{`{{ dict "op" "replace" }}`, map[string]any{"op": "replace"}},
		{"{{ .user.email }}!", "jane@example.com!"},  // text around the action: a string
		{"{{ .user.active }} ", "true "},             // likewise
		{`{{ opt .user "title" }}`, Omitted},         // absent optional value
		{`{{ omitEmpty .user.empty }}`, Omitted},     // empty value
		{`{{ if .user.active }}yes{{ end }}`, "yes"}, // not a single action
		{`{{ $x := 1 }}{{ $x }}`, "1"},               // declarations: text
		{"literal", "literal"},
	}
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			tm, err := Compile("t", tt.src, Plain)
			require.NoError(t, err)
			got, err := tm.Value(data())
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMissingKeyNamesKeyAndTemplate(t *testing.T) {
	for _, src := range []string{"{{ .user.title }}", "x {{ .user.title }}", "{{ .user.title | default \"x\" }}"} {
		tm, err := Compile("provision.createAccount.calls[0].body.title", src, Plain)
		require.NoError(t, err)
		for _, render := range []func(map[string]any) (any, error){
			func(d map[string]any) (any, error) { return tm.Render(d) },
			tm.Value,
		} {
			_, err = render(data())
			require.Error(t, err)
			assert.Equal(t, `template provision.createAccount.calls[0].body.title: missing key "title" in .user.title`, err.Error())
			var te *Error
			require.True(t, errors.As(err, &te))
			assert.Equal(t, "title", te.Key)
			assert.NotContains(t, err.Error(), "<no value>")
		}
	}
}

func TestCompileErrorNamesTemplate(t *testing.T) {
	_, err := Compile("import.accounts.list.query.filter", "{{ .user.email ", Plain)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "import.accounts.list.query.filter")
	_, err = Compile("x", "{{ nosuchfunc 1 }}", Plain)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"nosuchfunc" not defined`)
}

func TestEnvironmentIsUnreachable(t *testing.T) {
	t.Setenv("RESTCONN_SECRET_PROBE", "leaked")
	for _, src := range []string{
		`{{ env "RESTCONN_SECRET_PROBE" }}`,
		`{{ expandenv "$RESTCONN_SECRET_PROBE" }}`,
		`{{ getHostByName "localhost" }}`,
		`{{ now }}`,
		`{{ template "x" }}`,
	} {
		tm, err := Compile("t", src, Plain)
		if err != nil {
			continue // not even compilable: good
		}
		out, err := tm.Render(data())
		assert.Error(t, err, src)
		assert.NotContains(t, out, "leaked")
	}
	names := strings.Join(FuncNames(), " ")
	for _, banned := range []string{" env ", " expandenv ", " getHostByName ", " now "} {
		assert.NotContains(t, " "+names+" ", banned)
	}
}

func TestTreeEscapesAndTypes(t *testing.T) {
	var body any
	require.NoError(t, json.Unmarshal([]byte(`{
		"userName": "{{ .user.email }}",
		"displayName": "{{ .user.name }}",
		"note": "Hello {{ .user.name }}",
		"active": "{{ .user.active }}",
		"age": "${user.age}",
		"title": "{{ opt .user \"title\" }}",
		"static": {"schemas": ["urn:x"], "n": 1},
		"roles": ["{{ opt .user \"role\" }}", "fixed"],
		"ops": [{"op": "replace", "value": {"active": "{{ .user.active }}"}}]
	}`), &body))
	tr, err := CompileTree("provision.createAccount.calls[0].body", body)
	require.NoError(t, err)
	v, err := tr.Render(data())
	require.NoError(t, err)
	out, err := json.Marshal(v)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"userName": "jane@example.com",
		"displayName": "Jane \"JD\" O'Brien/Admin",
		"note": "Hello Jane \"JD\" O'Brien/Admin",
		"active": true,
		"age": 42,
		"static": {"schemas": ["urn:x"], "n": 1},
		"roles": ["fixed"],
		"ops": [{"op": "replace", "value": {"active": true}}]
	}`, string(out))
	assert.True(t, tr.Uses("user"))
	assert.False(t, tr.Uses("page"))
}

func TestTreeDropsContainersWhoseMembersAreAllOmitted(t *testing.T) {
	var body any
	require.NoError(t, json.Unmarshal([]byte(`{
		"ext": {"department": "{{ opt .user \"department\" }}", "manager": {"value": "{{ opt .user \"manager\" }}"}},
		"phones": [{"value": "{{ opt .user \"phone\" }}"}],
		"keep": {"a": "{{ .user.email }}", "b": "{{ opt .user \"b\" }}"},
		"literalEmpty": {}
	}`), &body))
	tr, err := CompileTree("b", body)
	require.NoError(t, err)
	v, err := tr.Render(data())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"keep": map[string]any{"a": "jane@example.com"}, "literalEmpty": map[string]any{}}, v)

	root, err := CompileTree("b", map[string]any{"x": "{{ opt .user \"nope\" }}"})
	require.NoError(t, err)
	v, err = root.Render(data())
	require.NoError(t, err)
	assert.Equal(t, map[string]any{}, v, "the root stays an object")
}

func TestFunctionErrorsAreShort(t *testing.T) {
	tm := MustCompile("t", `{{ required "the user needs an email" (opt .user "nope") }}`, Plain)
	_, err := tm.Render(data())
	assert.EqualError(t, err, "template t: the user needs an email")
}

func TestTreeInjectionAttempt(t *testing.T) {
	d := data()
	d["user"].(map[string]any)["name"] = `x", "admin": true, "y": "`
	tr, err := CompileTree("b", map[string]any{"name": "{{ .user.name }}", "admin": false})
	require.NoError(t, err)
	v, err := tr.Render(d)
	require.NoError(t, err)
	out, _ := json.Marshal(v)
	var back map[string]any
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, false, back["admin"])
	assert.Equal(t, `x", "admin": true, "y": "`, back["name"])
}

func TestUses(t *testing.T) {
	tm := MustCompile("t", `{{ .page.cursor }}{{ $.since }}`, Plain)
	assert.True(t, tm.Uses("page"))
	assert.True(t, tm.Uses("since"))
	assert.False(t, tm.Uses("user"))
	assert.True(t, MustCompile("t", `{{ json . }}`, Plain).Uses("user"))
	assert.False(t, MustCompile("t", `literal`, Plain).Uses("user"))
}

func TestConcurrentRender(t *testing.T) {
	tm := MustCompile("t", "{{ .user.active }}", Plain)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 200; j++ {
				v, err := tm.Value(data())
				if err != nil || v != true {
					t.Errorf("got %v, %v", v, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestNullPrintsNothing(t *testing.T) {
	d := map[string]any{"a": map[string]any{"b": nil}}
	for src, want := range map[string]string{"id-{{ .a.b }}": "id-", "{{ .a.b }}": "", "{{ .a.b | raw }}x": "x"} {
		out, err := MustCompile("t", src, Plain).Render(d)
		require.NoError(t, err)
		assert.Equal(t, want, out, src)
		assert.NotContains(t, out, "<no value>")
	}
	_, err := MustCompile("t", "/u/{{ .a.b }}", PathSegment).Render(d)
	assert.ErrorContains(t, err, "cannot be a URL path segment")
}
