package saviynt

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/template"
)

// exprData is what a provisioning template sees: the request, an earlier
// response and a forEach element.
func exprData() map[string]any {
	return map[string]any{
		"user": map[string]any{"email": "Ann@X.com ", "firstname": "Ann", "lastname": "Lee", "systemusername": "ann",
			"employeeid": "4711", "statuskey": "1", "nothing": nil},
		"account":     map[string]any{"id": "42", "name": "ann", "customproperty30": "a,b,c"},
		"entitlement": map[string]any{"type": "Group", "id": "g1", "name": "Admins", "attributes": map[string]any{"customproperty1": "x"}},
		"task":        map[string]any{"id": "T1", "attributes": map[string]any{"reason": "audit"}},
		"password":    "pw",
		"responses": map[string]any{"call1": map[string]any{"status": 200, "body": map[string]any{
			"items": []any{map[string]any{"id": "i1"}, map[string]any{"id": "i2"}}, "total": json.Number("3"), "next": nil,
			"@odata.nextLink": "https://x.example/next", "empty": []any{}, "ok": true}}, "skipped": nil},
		"item": map[string]any{"id": "i9"},
	}
}

func provScope() *scope {
	return &scope{kind: scopeProvision, calls: map[string]string{"call1": "call1", "skipped": "skipped"}, forEach: true}
}

func TestExpressions(t *testing.T) {
	const (
		text   = "text"   // a URL, a header, a form value
		value  = "value"  // a bare ${...} in a JSON body: the value keeps its type
		quoted = "quoted" // "${...}" in a JSON body: always a string
		cond   = "bool"   // callCondition
	)
	tests := []struct {
		expr, mode string
		tmpl       string
		want       any
		data       func(map[string]any)
	}{
		// Bindings (SPEC.md "Request attribute names").
		{"user.email", text, "{{ .user.email }}", "Ann@X.com ", nil},
		{"user.systemUserName", text, "{{ .user.systemusername }}", "ann", nil},
		{"user.getFirstname()", text, "{{ .user.firstname }}", "Ann", nil},
		{"account.accountID", text, "{{ .account.id }}", "42", nil},
		{"account.name", text, "{{ .account.name }}", "ann", nil},
		{"accountName", text, "{{ .account.name }}", "ann", nil},
		{"account.customproperty30", text, "{{ .account.customproperty30 }}", "a,b,c", nil},
		{"entitlementValue.entitlementID", text, "{{ .entitlement.id }}", "g1", nil},
		{"entitlementValue.entitlement_value", text, "{{ .entitlement.name }}", "Admins", nil},
		{"entitlementValue.customproperty1", text, "{{ .entitlement.attributes.customproperty1 }}", "x", nil},
		{"task.id", text, "{{ .task.id }}", "T1", nil},
		{"arsTasks.id", text, "{{ .task.id }}", "T1", nil},
		{"requestAccessAttributes.reason", text, "{{ .task.attributes.reason }}", "audit", nil},
		{"reqAttrs.reason", text, "{{ .task.attributes.reason }}", "audit", nil},
		{"password", text, "{{ .password }}", "pw", nil},
		{"childresponse.id", text, "{{ .item.id }}", "i9", nil},

		// Responses, indexes, keys with dots.
		{"response.call1.message.items[0].id", text, "{{ (index .responses.call1.body.items 0).id }}", "i1", nil},
		{"response.call1.message.items[-1].id", text, "{{ (last .responses.call1.body.items).id }}", "i2", nil},
		{"response.call1.message.get('@odata.nextLink')", text, `{{ index .responses.call1.body "@odata.nextLink" }}`, "https://x.example/next", nil},
		{"response.call1.message['@odata.nextLink']", text, `{{ index .responses.call1.body "@odata.nextLink" }}`, "https://x.example/next", nil},
		{"response?.call1?.message?.next", value, `{{ opt .responses "call1" "body" "next" }}`, template.Omitted, nil},
		{"response?.skipped?.message?.id", value, `{{ opt .responses "skipped" "body" "id" }}`, template.Omitted, nil},

		// Null-safe reads: absent is omitted, never the text "null".
		{"user?.title", value, `{{ opt .user "title" }}`, template.Omitted, nil},
		{"user?.nothing", quoted, `{{ opt .user "nothing" }}`, template.Omitted, nil},
		{"user?.email", quoted, `{{ opt .user "email" }}`, "Ann@X.com ", nil},
		{"user?.title?.trim()", value, `{{ omitEmpty (trim (cat (opt .user "title"))) }}`, template.Omitted, nil},

		// Joining text: a quoted expression stays a string.
		{"user.firstname + ' ' + user.lastname", text, "{{ .user.firstname }} {{ .user.lastname }}", "Ann Lee", nil},
		{"user.firstname + ' ' + user.lastname", value, `{{ join "" (list .user.firstname " " .user.lastname) }}`, "Ann Lee", nil},
		{`"Mr. " + user.lastname`, text, "Mr. {{ .user.lastname }}", "Mr. Lee", nil},
		{"'a' + 1", text, "a1", "a1", nil},
		{"'{{x}}' + user.lastname", text, `{{ "{{" }}x}}{{ .user.lastname }}`, "{{x}}Lee", nil},
		{"'n=' + response.call1.message.total", text, "n={{ .responses.call1.body.total }}", "n=3", nil},
		{"response.call1.message.total", quoted, "{{ cat .responses.call1.body.total }}", "3", nil},
		{"response.call1.message.total", value, "{{ .responses.call1.body.total }}", json.Number("3"), nil},
		{"response.call1.message.items", value, "{{ .responses.call1.body.items }}", []any{map[string]any{"id": "i1"}, map[string]any{"id": "i2"}}, nil},
		// A bare string binding is written into the JSON as Groovy does:
		// "4711" becomes the number 4711.
		{"user.employeeid", value, "{{ mustFromJson (cat .user.employeeid) }}", float64(4711), nil},
		{"1 + 2", value, "{{ add 1 2 }}", int64(3), nil},

		// String methods.
		{"user.email.toLowerCase().trim()", text, "{{ trim (lower .user.email) }}", "ann@x.com", nil},
		{"user.lastname.toUpperCase()", text, "{{ upper .user.lastname }}", "LEE", nil},
		{"user.email.replace('@', ' at ')", text, `{{ replace "@" " at " .user.email }}`, "Ann at X.com ", nil},
		{"user.email.replaceAll('[A-Z]', '_')", text, `{{ regexReplaceAll "[A-Z]" .user.email "_" }}`, "_nn@_.com ", nil},
		{"account.customproperty30.split(',')[1]", text, `{{ index (splitList "," .account.customproperty30) 1 }}`, "b", nil},
		{"account.customproperty30.split('[,;]')[2]", text, `{{ index (regexSplit "[,;]" .account.customproperty30 -1) 2 }}`, "c", nil},
		{"account.customproperty30.split(',').size()", value, `{{ len (splitList "," .account.customproperty30) }}`, 3, nil},
		{"user.email.substring(0, 3)", text, `{{ substr 0 3 .user.email }}`, "Ann", nil},
		{"user.email.substring(4)", text, `{{ substr 4 -1 .user.email }}`, "X.com ", nil},
		{"user?.firstname?.trim()?.toString()", text, `{{ trim (cat (opt .user "firstname")) }}`, "Ann", nil}, // a string stays as it is
		{"user?.nothing?.trim().toString()", text, `{{ trim (cat (opt .user "nothing")) }}`, "", nil},
		{"response.call1.message.total.toString()", value, `{{ omitEmpty (cat (opt .responses "call1" "body" "total")) }}`, "3", nil},
		{"user.lastname.length()", value, "{{ len .user.lastname }}", 3, nil},

		// Conditions.
		{"response.call1.message.items.size()>0", cond, "{{ gt (len .responses.call1.body.items) 0 }}", "true", nil},
		{"response.call1.message.empty.size() > 0", cond, "{{ gt (len .responses.call1.body.empty) 0 }}", "false", nil},
		{"response.call1.message.total == 3", cond, `{{ and (not (kindIs "struct" (opt .responses "call1" "body" "total"))) (eq (cat (opt .responses "call1" "body" "total")) "3") }}`, "true", nil},
		{"response.call1.message.total >= 4", cond, `{{ ge (float64 .responses.call1.body.total) 4.0 }}`, "false", nil},
		{"response.call1.message.ok", cond, `{{ and (not (kindIs "struct" (opt .responses "call1" "body" "ok"))) (not (empty (opt .responses "call1" "body" "ok"))) }}`, "true", nil},
		{"user.email == null", cond, `{{ kindIs "struct" (opt .user "email") }}`, "false", nil},
		{"user.middle == null", cond, `{{ kindIs "struct" (opt .user "middle") }}`, "true", nil},
		{"null != user.nothing", cond, `{{ not (kindIs "struct" (opt .user "nothing")) }}`, "false", nil},
		{"user.firstname == 'Ann'", cond, `{{ and (not (kindIs "struct" (opt .user "firstname"))) (eq (cat (opt .user "firstname")) "Ann") }}`, "true", nil},
		{"user.firstname.equals('Ann')", cond, `{{ and (not (kindIs "struct" (opt .user "firstname"))) (eq (cat (opt .user "firstname")) "Ann") }}`, "true", nil},
		{"user.firstname.equalsIgnoreCase('ANN')", cond, `{{ eq (lower .user.firstname) (lower "ANN") }}`, "true", nil},
		{"user.email.contains('@')", cond, `{{ contains "@" .user.email }}`, "true", nil},
		{"!user.email.contains('@')", cond, `{{ not (contains "@" .user.email) }}`, "false", nil},
		{"user.email.startsWith('Ann') && user.email.endsWith(' ')", cond, `{{ and (hasPrefix "Ann" .user.email) (hasSuffix " " .user.email) }}`, "true", nil},
		// && and || stop early: user.middle is never read when it is absent.
		{"user.middle == null || user.middle.trim() == ''", cond, `{{ or (kindIs "struct" (opt .user "middle")) (eq (trim .user.middle) "") }}`, "true", nil},
		{"user.middle != null && user.middle.contains('x')", cond, `{{ and (not (kindIs "struct" (opt .user "middle"))) (contains "x" .user.middle) }}`, "false", nil},
		{"user?.manager != null", cond, `{{ not (kindIs "struct" (opt .user "manager")) }}`, "false", nil},

		// An imported column the caller passes typed compares as Groovy's text.
		{"account.customproperty4 == '12'", cond, `{{ and (not (kindIs "struct" (opt .account "customproperty4"))) (eq (cat (opt .account "customproperty4")) "12") }}`, "true",
			func(d map[string]any) { d["account"].(map[string]any)["customproperty4"] = int64(12) }},
		{"account.customproperty4", value, "{{ mustFromJson (cat .account.customproperty4) }}", float64(12),
			func(d map[string]any) { d["account"].(map[string]any)["customproperty4"] = int64(12) }},

		// Ternaries: text as if/else, values with ternary when no branch can fail.
		{"user.title == null ? 'none' : user.title", text, `{{ if kindIs "struct" (opt .user "title") }}none{{ else }}{{ .user.title }}{{ end }}`, "none", nil},
		{"user.statuskey == '1' ? true : false", value, `{{ ternary true false (and (not (kindIs "struct" (opt .user "statuskey"))) (eq (cat (opt .user "statuskey")) "1")) }}`, true, nil},
		{"requestAccessAttributes.reason ?: 'none'", value, `{{ ternary (opt .task "attributes" "reason") "none" (not (empty (cat (opt .task "attributes" "reason")))) }}`, "audit", nil},
		{"requestAccessAttributes.other ?: 'none'", value, `{{ ternary (opt .task "attributes" "other") "none" (not (empty (cat (opt .task "attributes" "other")))) }}`, "none", nil},
		{"requestAccessAttributes.addRemoveAlias==null?'PUT':account.customproperty30.toString().contains(requestAccessAttributes.addRemoveAlias)?'DELETE':'POST'", text,
			`{{ if kindIs "struct" (opt .task "attributes" "addRemoveAlias") }}PUT{{ else if contains .task.attributes.addRemoveAlias (cat (opt .account "customproperty30")) }}DELETE{{ else }}POST{{ end }}`, "PUT", nil},
		{"requestAccessAttributes.addRemoveAlias==null?'PUT':account.customproperty30.toString().contains(requestAccessAttributes.addRemoveAlias)?'DELETE':'POST'", text,
			`{{ if kindIs "struct" (opt .task "attributes" "addRemoveAlias") }}PUT{{ else if contains .task.attributes.addRemoveAlias (cat (opt .account "customproperty30")) }}DELETE{{ else }}POST{{ end }}`, "DELETE",
			func(d map[string]any) {
				d["task"].(map[string]any)["attributes"].(map[string]any)["addRemoveAlias"] = "b"
			}},
		{"requestAccessAttributes.addRemoveAlias==null?'PUT':account.customproperty30.toString().contains(requestAccessAttributes.addRemoveAlias)?'DELETE':'POST'", text,
			`{{ if kindIs "struct" (opt .task "attributes" "addRemoveAlias") }}PUT{{ else if contains .task.attributes.addRemoveAlias (cat (opt .account "customproperty30")) }}DELETE{{ else }}POST{{ end }}`, "POST",
			func(d map[string]any) {
				d["task"].(map[string]any)["attributes"].(map[string]any)["addRemoveAlias"] = "z"
			}},
	}
	for _, tc := range tests {
		t.Run(tc.mode+" "+tc.expr, func(t *testing.T) {
			n, err := parseExpr(tc.expr)
			require.NoError(t, err)
			em := provScope().emitter()
			var got string
			switch tc.mode {
			case text:
				got, err = em.text(n)
			case value:
				got, err = em.valueTemplate(n)
			case quoted:
				got, err = em.quotedTemplate(n)
			case cond:
				got, err = em.boolTemplate(n)
			}
			require.NoError(t, err)
			assert.Equal(t, tc.tmpl, got)

			tm, err := template.Compile("expr", got, template.Plain)
			require.NoError(t, err)
			data := exprData()
			if tc.data != nil {
				tc.data(data)
			}
			var v any
			if tc.mode == cond {
				v, err = tm.Render(data) // if renders as text
			} else {
				v, err = tm.Value(data)
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, v)
		})
	}
}

// TestStrictReads: a plain read of a missing attribute fails the render
// (the operation, before anything is sent) rather than sending "null".
func TestStrictReads(t *testing.T) {
	for _, src := range []string{"user.middle", "user.middle.trim()", "response.call1.message.missing.id", "response.skipped.message.id"} {
		n, err := parseExpr(src)
		require.NoError(t, err)
		got, err := provScope().emitter().text(n)
		require.NoError(t, err)
		tm, err := template.Compile("expr", got, template.Plain)
		require.NoError(t, err)
		_, err = tm.Render(exprData())
		assert.Error(t, err, src)
	}
}

func TestUnsupportedExpressions(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"roles.collect{it.toString()}", "closure"},
		{"if(user.x){ 'a' }else{ 'b' }", "an if statement"},
		{"def x = 1", "a variable declaration"},
		{"for (Map m : list) { m }", "a for loop"},
		{"return user.email", "a return statement"},
		{"user.email; user.name", "statement separator"},
		{"x = 1", "an assignment"},
		{"new Date()", "object creation"},
		{"Math.addExact(1, 2)", "a static Java call (Math.addExact)"},
		{"user.email.foo()", "the method foo()"},
		{"task.endpoint.customproperty5.split(',').inspect()", "the method inspect()"},
		{"userManager.email", "the binding userManager is not available here"},
		{"response.call9.message.id", "response.call9 names no earlier call"},
		{"response.call1.statusCode", "only the response body (message) is known"},
		{"response.call1.message.a + response.call1.message.b", "may be numbers or text"},
		{"user.email ==~ /x/", "regular expression match"},
		{`"x${user.email}"`, "nested GString"},
		{"user.age - 1", "arithmetic"},
		{"user.email.substring(user.x.size())", "computed positions"},
		{"[1, 2]", "a list or map literal"},
		{"user.email.split(',')[user.i]", "a computed index"},
		{"", "an empty expression"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			n, err := parseExpr(tc.expr)
			if err == nil {
				_, err = provScope().emitter().text(n)
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestSplitGString(t *testing.T) {
	segs, err := splitGString(`/users/${account.accountID}?q=${a == 'x}' ? "}" : '{'}&z=1`)
	require.NoError(t, err)
	require.Len(t, segs, 5)
	assert.Equal(t, "/users/", segs[0].text)
	assert.Equal(t, "account.accountID", segs[1].expr)
	assert.Equal(t, "?q=", segs[2].text)
	assert.Equal(t, `a == 'x}' ? "}" : '{'`, segs[3].expr)
	assert.Equal(t, "&z=1", segs[4].text)

	_, err = splitGString("/users/${account.accountID")
	assert.ErrorContains(t, err, "unterminated")
}

// A bare ${...} keeps its JSON type; a ternary whose branch may fail has
// no single-pipeline form, so it is refused there rather than sent as text.
func TestTypedTernaryThatMayFail(t *testing.T) {
	n, err := parseExpr("user.roles == null ? 0 : user.roles.split(',').size()")
	require.NoError(t, err)
	_, err = provScope().emitter().valueTemplate(n)
	assert.ErrorContains(t, err, "where the JSON type of its value must be kept")
	got, err := provScope().emitter().text(n) // as text (a URL, a header) it is fine
	require.NoError(t, err)
	assert.Equal(t, `{{ if kindIs "struct" (opt .user "roles") }}0{{ else }}{{ len (splitList "," .user.roles) }}{{ end }}`, got)
}
