package template_test

import (
	"encoding/json"
	"fmt"

	"github.com/restconn/restconn/template"
)

func ExampleTree() {
	var body any
	_ = json.Unmarshal([]byte(`{
		"userName": "${user.email}",
		"active": "{{ .user.active }}",
		"title": "{{ opt .user \"title\" }}",
		"note": "Created for {{ .user.email }}"
	}`), &body)
	tree, err := template.CompileTree("provision.createAccount.calls[0].body", body)
	if err != nil {
		panic(err)
	}
	v, err := tree.Render(map[string]any{"user": map[string]any{"email": `jo "jd" <x>@example.com`, "active": true}})
	if err != nil {
		panic(err)
	}
	out, _ := json.Marshal(v)
	fmt.Println(string(out))
	// Output:
	// {"active":true,"note":"Created for jo \"jd\" \u003cx\u003e@example.com","userName":"jo \"jd\" \u003cx\u003e@example.com"}
}

func ExampleCompile_pathSegment() {
	t, _ := template.Compile("path", "/users/{{ .account.id }}/disable", template.PathSegment)
	s, _ := t.Render(map[string]any{"account": map[string]any{"id": "../admin?all=1"}})
	fmt.Println(s)
	_, err := t.Render(map[string]any{"account": map[string]any{"id": ".."}})
	fmt.Println(err)
	// Output:
	// /users/..%2Fadmin%3Fall=1/disable
	// template path: ".." cannot be a URL path segment
}

func ExampleTemplate_Value() {
	t, _ := template.Compile("x", "{{ .user.title }}", template.Plain)
	_, err := t.Value(map[string]any{"user": map[string]any{}})
	fmt.Println(err)
	// Output:
	// template x: missing key "title" in .user.title
}
