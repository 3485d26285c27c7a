package connector_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/internal/vars"
	"github.com/restconn/restconn/template"
)

// This file keeps SPEC.md and spec.schema.json honest: every JSON field of
// every spec type must be described by both, and the examples in SPEC.md
// must parse. Adding a field (or a type) to spec.go without documenting it
// in both files fails these tests.

// specTypes are the Go types of the spec format, by the name their schema
// definition and their SPEC.md section carry.
var specTypes = []reflect.Type{
	reflect.TypeOf(connector.Spec{}),
	reflect.TypeOf(connector.Connection{}),
	reflect.TypeOf(connector.TLS{}),
	reflect.TypeOf(connector.Retry{}),
	reflect.TypeOf(connector.RateLimit{}),
	reflect.TypeOf(connector.Auth{}),
	reflect.TypeOf(connector.TokenPlacement{}),
	reflect.TypeOf(connector.Rule{}),
	reflect.TypeOf(connector.Condition{}),
	reflect.TypeOf(connector.ErrorRules{}),
	reflect.TypeOf(connector.Call{}),
	reflect.TypeOf(connector.Restart{}),
	reflect.TypeOf(connector.Chain{}),
	reflect.TypeOf(connector.ListCall{}),
	reflect.TypeOf(connector.SubList{}),
	reflect.TypeOf(connector.Paging{}),
	reflect.TypeOf(connector.Import{}),
	reflect.TypeOf(connector.AccountImport{}),
	reflect.TypeOf(connector.ActiveRule{}),
	reflect.TypeOf(connector.EntitlementImport{}),
	reflect.TypeOf(connector.ProvisionOp{}),
	reflect.TypeOf(connector.TicketTemplate{}),
	reflect.TypeOf(connector.Tickets{}),
	reflect.TypeOf(connector.TicketCreate{}),
	reflect.TypeOf(connector.TicketPoll{}),
	reflect.TypeOf(connector.TicketComment{}),
	reflect.TypeOf(connector.TicketCancel{}),
	reflect.TypeOf(connector.StateRule{}),
	reflect.TypeOf(connector.ParamSpec{}),
	reflect.TypeOf(connector.SecretSpec{}),
	reflect.TypeOf(connector.Threshold{}),
	reflect.TypeOf(binding.Field{}),
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile("spec.schema.json")
	require.NoError(t, err)
	var schema map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	require.NoError(t, dec.Decode(&schema), "spec.schema.json is not valid JSON")
	require.False(t, dec.More(), "trailing data after the schema")
	return schema
}

func loadSpecDoc(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("SPEC.md")
	require.NoError(t, err)
	return string(data)
}

func schemaDefs(t *testing.T, schema map[string]any) map[string]any {
	t.Helper()
	d, ok := schema["$defs"].(map[string]any)
	require.True(t, ok, "schema has no $defs object")
	return d
}

// goJSONFieldNames lists the JSON names of t's fields the way encoding/json
// (and connector's key check) sees them: embedded structs without a tag
// contribute their own fields. With direct, embedded fields are skipped.
func goJSONFieldNames(t reflect.Type, direct bool) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if f.Anonymous && tag == "" {
			if !direct {
				out = append(out, goJSONFieldNames(f.Type, false)...)
			}
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// reachableStructs collects every struct type reachable from t through fields,
// pointers, slices and maps.
func reachableStructs(t reflect.Type, seen map[reflect.Type]bool) {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		reachableStructs(t.Elem(), seen)
	case reflect.Map:
		reachableStructs(t.Key(), seen)
		reachableStructs(t.Elem(), seen)
	case reflect.Struct:
		if seen[t] {
			return
		}
		seen[t] = true
		for i := 0; i < t.NumField(); i++ {
			reachableStructs(t.Field(i).Type, seen)
		}
	}
}

func schemaKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// schemaObjectProperties returns the properties of a definition, or of the one
// branch of its oneOf/anyOf that has them (binding.Field: string or object).
func schemaObjectProperties(def map[string]any) (map[string]any, bool) {
	if p, ok := def["properties"].(map[string]any); ok {
		return p, true
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		branches, _ := def[kw].([]any)
		for _, b := range branches {
			if bm, ok := b.(map[string]any); ok {
				if p, ok := bm["properties"].(map[string]any); ok {
					return p, true
				}
			}
		}
	}
	return nil, false
}

func TestSpecTypesListIsComplete(t *testing.T) {
	seen := map[reflect.Type]bool{}
	reachableStructs(reflect.TypeOf(connector.Spec{}), seen)
	var got, want []string
	for typ := range seen {
		got = append(got, typ.String())
	}
	for _, typ := range specTypes {
		want = append(want, typ.String())
	}
	sort.Strings(got)
	sort.Strings(want)
	assert.Equal(t, want, got, "a struct type was added to (or removed from) the spec: add it to specTypes, spec.schema.json and SPEC.md")
}

func TestSchemaIsWellFormed(t *testing.T) {
	schema := loadSchema(t)
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", schema["$schema"])
	assert.Equal(t, "#/$defs/Spec", schema["$ref"], "the root is the Spec definition")
	d := schemaDefs(t, schema)

	// Every object schema with properties is closed, as Parse is: an
	// unknown key is an error. (Subschemas of if/then/else only add
	// constraints to an object the enclosing schema describes.)
	var walk func(node any, where string)
	walk = func(node any, where string) {
		switch n := node.(type) {
		case map[string]any:
			if _, ok := n["properties"]; ok {
				assert.Equal(t, false, n["additionalProperties"], "%s: an object with properties must set additionalProperties false", where)
			}
			for k, v := range n {
				if k == "if" || k == "then" || k == "else" {
					continue
				}
				walk(v, where+"/"+k)
			}
		case []any:
			for i, v := range n {
				walk(v, fmt.Sprintf("%s/%d", where, i))
			}
		}
	}
	walk(schema, "#")

	// Every $ref resolves.
	refs := regexp.MustCompile(`"\$ref":\s*"([^"]*)"`)
	raw, err := os.ReadFile("spec.schema.json")
	require.NoError(t, err)
	for _, m := range refs.FindAllStringSubmatch(string(raw), -1) {
		name, ok := strings.CutPrefix(m[1], "#/$defs/")
		if assert.True(t, ok, "only local $defs references: %s", m[1]) {
			assert.Contains(t, d, name, "unresolved $ref %s", m[1])
		}
	}

	// Every property has a description, for editors.
	for _, name := range schemaKeys(d) {
		def := d[name].(map[string]any)
		assert.NotEmpty(t, def["description"], "$defs/%s has no description", name)
		if props, ok := schemaObjectProperties(def); ok {
			for _, p := range schemaKeys(props) {
				pm, _ := props[p].(map[string]any)
				assert.NotEmpty(t, pm["description"], "$defs/%s.%s has no description", name, p)
			}
		}
	}
}

func TestSchemaPropertiesMatchGoTypes(t *testing.T) {
	d := schemaDefs(t, loadSchema(t))
	for _, typ := range specTypes {
		def, ok := d[typ.Name()].(map[string]any)
		if !assert.True(t, ok, "spec.schema.json has no $defs/%s", typ.Name()) {
			continue
		}
		props, ok := schemaObjectProperties(def)
		if !assert.True(t, ok, "$defs/%s has no properties", typ.Name()) {
			continue
		}
		assert.Equal(t, goJSONFieldNames(typ, false), schemaKeys(props),
			"$defs/%s properties must be exactly the JSON fields of %s", typ.Name(), typ)
		assert.Equal(t, false, schemaObjectAdditional(def), "$defs/%s must set additionalProperties false", typ.Name())
	}
}

func schemaObjectAdditional(def map[string]any) any {
	if _, ok := def["properties"]; ok {
		return def["additionalProperties"]
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		branches, _ := def[kw].([]any)
		for _, b := range branches {
			if bm, ok := b.(map[string]any); ok {
				if _, ok := bm["properties"]; ok {
					return bm["additionalProperties"]
				}
			}
		}
	}
	return nil
}

func schemaEnum(t *testing.T, def any) []string {
	t.Helper()
	m, ok := def.(map[string]any)
	require.True(t, ok)
	l, ok := m["enum"].([]any)
	require.True(t, ok, "no enum")
	var out []string
	for _, v := range l {
		s, ok := v.(string)
		require.True(t, ok, "enum value %v is not a string", v)
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func TestSchemaEnumsMatchCode(t *testing.T) {
	schema := loadSchema(t)
	d := schemaDefs(t, schema)

	var ops []string
	for _, op := range connector.Operations {
		ops = append(ops, string(op))
	}
	sort.Strings(ops)
	assert.Equal(t, ops, schemaEnum(t, d["Operation"]), "operations")
	provision := d["Spec"].(map[string]any)["properties"].(map[string]any)["provision"].(map[string]any)
	assert.Equal(t, ops, schemaKeys(provision["properties"].(map[string]any)), "provision lists every operation")

	states := []string{string(connector.TicketOpen), string(connector.TicketPending), string(connector.TicketCompleted), string(connector.TicketRejected)}
	sort.Strings(states)
	assert.Equal(t, states, schemaEnum(t, d["TicketState"]), "ticket states")

	types := []string{string(binding.String), string(binding.Int), string(binding.Float), string(binding.Bool), string(binding.Time), string(binding.List), string(binding.Raw)}
	sort.Strings(types)
	assert.Equal(t, types, schemaEnum(t, d["AttributeType"]), "attribute types")

	// The auth and paging types are not exported: check each enum value
	// against the compiler, and that the compiler rejects other values.
	authProp := d["Auth"].(map[string]any)["properties"].(map[string]any)["type"]
	for _, typ := range append(schemaEnum(t, authProp), "magic") {
		js := `{"name":"t","connection":{"baseURL":"https://x.test","auth":{"a":{"type":` + jsonQuoted(typ) + `}}}}`
		_, err := connector.Parse([]byte(js))
		if typ == "magic" {
			assert.ErrorContains(t, err, "unknown auth type")
		} else if err != nil {
			assert.NotContains(t, err.Error(), "unknown auth type", typ)
		}
	}
	pagingProp := d["Paging"].(map[string]any)["properties"].(map[string]any)["type"]
	for _, typ := range append(schemaEnum(t, pagingProp), "scroll") {
		js := `{"name":"t","connection":{"baseURL":"https://x.test"},"import":{"accounts":{"sources":[{"path":"/u","records":"r","paging":{"type":` + jsonQuoted(typ) + `}}],"id":"id"}}}`
		_, err := connector.Parse([]byte(js))
		if typ == "scroll" {
			assert.ErrorContains(t, err, "unknown paging type")
		} else if err != nil {
			assert.NotContains(t, err.Error(), "unknown paging type", typ)
		}
	}
}

func jsonQuoted(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// docSection returns the body of the SPEC.md section whose "### " heading
// starts with name, and how many such headings there are.
func docSection(doc, name string) (string, int) {
	var body []string
	n := 0
	in := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "## ") || strings.HasPrefix(line, "### ") {
			in = false
			if rest, ok := strings.CutPrefix(line, "### "); ok {
				if f := strings.Fields(rest); len(f) > 0 && strings.Trim(f[0], "`") == name {
					n++
					in = true
					continue
				}
			}
		}
		if in {
			body = append(body, line)
		}
	}
	return strings.Join(body, "\n"), n
}

// docFirstTableFields returns the `names` in the first column of the first
// table of a section, skipping its header and separator rows.
func docFirstTableFields(section string) []string {
	var out []string
	started := false
	row := 0
	for _, line := range strings.Split(section, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			if started {
				break
			}
			continue
		}
		started = true
		row++
		if row <= 2 {
			continue
		}
		cell := strings.TrimSpace(strings.Split(strings.Trim(line, "|"), "|")[0])
		out = append(out, strings.Trim(cell, "`"))
	}
	sort.Strings(out)
	return out
}

func TestSpecDocDescribesEveryField(t *testing.T) {
	doc := loadSpecDoc(t)
	for _, typ := range specTypes {
		section, n := docSection(doc, typ.Name())
		if !assert.Equal(t, 1, n, "SPEC.md needs exactly one \"### %s\" section", typ.Name()) {
			continue
		}
		// The first table of the section lists the type's own fields,
		// no more and no less; fields of an embedded struct are listed
		// in that struct's section.
		assert.Equal(t, goJSONFieldNames(typ, true), docFirstTableFields(section),
			"the first table of SPEC.md's %q section must list exactly the fields of %s", typ.Name(), typ)
		for _, f := range goJSONFieldNames(typ, false) {
			assert.True(t, strings.Contains(doc, "`"+f+"`"), "SPEC.md never mentions field %q of %s", f, typ)
		}
	}
}

func TestSpecDocListsFunctionsAndVariables(t *testing.T) {
	doc := loadSpecDoc(t)
	for _, fn := range template.FuncNames() {
		// `name` in a list, or `name args` in the table of restconn's own.
		listed := strings.Contains(doc, "`"+fn+"`") || strings.Contains(doc, "| `"+fn+" ")
		assert.True(t, listed, "SPEC.md does not list template function %q", fn)
	}
	vars := (&vars.Vars{}).Map()
	names := schemaKeys(vars)
	names = append(names, "index", "response") // bound by the engine where they apply
	for _, v := range names {
		assert.True(t, strings.Contains(doc, "| `."+v+"` |") || strings.Contains(doc, "| `."+v+"."),
			"SPEC.md's variable table has no row for .%s", v)
	}
}

// docHeadingSlug is GitHub's anchor for a heading.
func docHeadingSlug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(h)) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestSpecDocLinksResolve(t *testing.T) {
	doc := loadSpecDoc(t)
	anchors := map[string]bool{}
	count := map[string]int{}
	inCode := false
	for _, line := range strings.Split(doc, "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
		}
		if inCode || !strings.HasPrefix(line, "#") {
			continue
		}
		slug := docHeadingSlug(strings.TrimLeft(line, "#"))
		if c := count[slug]; c > 0 {
			anchors[fmt.Sprintf("%s-%d", slug, c)] = true
		} else {
			anchors[slug] = true
		}
		count[slug]++
	}
	for _, m := range regexp.MustCompile(`\]\(#([^)]*)\)`).FindAllStringSubmatch(doc, -1) {
		assert.True(t, anchors[m[1]], "SPEC.md links to #%s, which is no heading", m[1])
	}
}

// docJSONBlock is a ```json block of SPEC.md with the schema definition named
// by a "<!-- schema: Name -->" line just before it, if any.
type docJSONBlock struct {
	line   int
	text   string
	schema string
}

func docJSONBlocks(doc string) []docJSONBlock {
	var out []docJSONBlock
	lines := strings.Split(doc, "\n")
	schemaRe := regexp.MustCompile(`^<!-- schema: (\w+) -->$`)
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```json" {
			continue
		}
		b := docJSONBlock{line: i + 1}
		for j := i - 1; j >= 0; j-- {
			if s := strings.TrimSpace(lines[j]); s != "" {
				if m := schemaRe.FindStringSubmatch(s); m != nil {
					b.schema = m[1]
				}
				break
			}
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		b.text = strings.Join(body, "\n")
		out = append(out, b)
	}
	return out
}

func decodeDocJSON(t *testing.T, text string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(text))
	dec.UseNumber()
	var v any
	require.NoError(t, dec.Decode(&v))
	return v
}

func TestSpecDocExamplesAreValid(t *testing.T) {
	schema := loadSchema(t)
	v := &schemaValidator{t: t, root: schema}
	blocks := docJSONBlocks(loadSpecDoc(t))
	require.NotEmpty(t, blocks)
	full := 0
	for _, b := range blocks {
		where := fmt.Sprintf("SPEC.md line %d", b.line)
		var doc any
		dec := json.NewDecoder(strings.NewReader(b.text))
		dec.UseNumber()
		if !assert.NoError(t, dec.Decode(&doc), "%s: not valid JSON", where) {
			continue
		}
		if b.schema != "" {
			def, ok := schemaDefs(t, schema)[b.schema]
			if assert.True(t, ok, "%s: no $defs/%s", where, b.schema) {
				assert.Empty(t, v.validate(def, doc, "$"), "%s: does not match $defs/%s", where, b.schema)
			}
		}
		if m, ok := doc.(map[string]any); ok && m["name"] != nil && m["connection"] != nil {
			full++
			_, err := connector.Parse([]byte(b.text))
			assert.NoError(t, err, "%s: the example spec does not parse", where)
			assert.Empty(t, v.validate(schema, doc, "$"), "%s: the example spec does not match the schema", where)
			continue
		}
		// Every other example is one object of a spec: Parse checks it
		// inside the smallest spec that holds it.
		if !assert.NotEmpty(t, b.schema, "%s: a JSON example that is neither a whole spec nor tagged <!-- schema: Name -->", where) {
			continue
		}
		js, ok := docFragmentSpec(b.schema, b.text)
		if assert.True(t, ok, "%s: no spec to check a %s example in: add one to docFragmentSpec", where, b.schema) {
			_, err := connector.Parse([]byte(js))
			assert.NoError(t, err, "%s: the %s example does not parse", where, b.schema)
		}
	}
	assert.GreaterOrEqual(t, full, 2, "SPEC.md has a first spec and a complete example")
}

// docFragmentSpec places a SPEC.md example of one spec object, by its
// schema definition, in the smallest spec that holds it.
func docFragmentSpec(def, frag string) (string, bool) {
	const list = `{"path": "/users"}`
	var conn, rest string
	switch def {
	case "Connection":
		return `{"name": "doc", "connection": ` + frag + `}`, true
	case "Auth":
		conn = `, "auth": {"a": ` + frag + `}`
	case "Retry":
		conn = `, "retry": ` + frag
	case "ListCall":
		rest = `, "import": {"accounts": {"sources": [` + frag + `], "id": "id"}}`
	case "AccountImport":
		rest = `, "import": {"accounts": ` + frag + `}`
	case "FieldMap":
		rest = `, "import": {"accounts": {"sources": [` + list + `], "id": "id", "attributes": ` + frag + `}}`
	case "EntitlementImport":
		rest = `, "import": {"entitlements": {"group": ` + frag + `}}`
	case "SubList":
		rest = `, "import": {"entitlements": {"group": {"sources": [` + list + `], "id": "id", "membersFrom": ` + frag + `}}}`
	case "ProvisionOp":
		rest = `, "provision": {"updateAccount": ` + frag + `}`
	case "TicketPoll":
		rest = `, "tickets": {"status": ` + frag + `}`
	case "Tickets":
		// Examples of comment and cancel extend a helpdesk's polling
		// example; give them a status block when they show none.
		var m map[string]any
		if json.Unmarshal([]byte(frag), &m) != nil {
			return "", false
		}
		if _, ok := m["status"]; !ok {
			m["status"] = map[string]any{"calls": []any{map[string]any{"path": "/t"}}, "status": "{{ .responses.call0.body.state }}", "states": []any{map[string]any{"matches": ".", "state": "open"}}}
		}
		b, _ := json.Marshal(m)
		rest = `, "tickets": ` + string(b)
	default:
		return "", false
	}
	return `{"name": "doc", "connection": {"baseURL": "https://api.example.com"` + conn + `}` + rest + `}`, true
}

// TestSpecDocLinkExampleRuns runs SPEC.md's link-paging example, a list
// whose pages are bare JSON arrays, against a server that pages so.
func TestSpecDocLinkExampleRuns(t *testing.T) {
	var frag string
	for _, b := range docJSONBlocks(loadSpecDoc(t)) {
		if b.schema == "ListCall" && strings.Contains(b.text, `"link"`) {
			frag = b.text
		}
	}
	require.NotEmpty(t, frag, "SPEC.md has a link paging example")
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "100", r.URL.Query().Get("per_page"))
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Query().Get("page") == "" {
			w.Header().Set("Link", "<"+srv.URL+"/users?per_page=100&page=2>; rel=\"next\"")
			fmt.Fprint(w, `[{"id": 1}, {"id": 2}]`)
			return
		}
		fmt.Fprint(w, `[{"id": 3}]`)
	}))
	defer srv.Close()
	js, _ := docFragmentSpec("ListCall", frag)
	spec, err := connector.Parse([]byte(strings.Replace(js, "https://api.example.com", srv.URL, 1)))
	require.NoError(t, err)
	e, err := connector.New(spec)
	require.NoError(t, err)
	accts, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
	require.NoError(t, err)
	var ids []string
	for _, a := range accts {
		ids = append(ids, a.ID)
	}
	assert.Equal(t, []string{"1", "2", "3"}, ids)
}

// TestSchemaAcceptsRealSpecs validates the specs of the engine's tests and
// the presets against the schema: a schema stricter than the code fails.
func TestSchemaAcceptsRealSpecs(t *testing.T) {
	schema := loadSchema(t)
	v := &schemaValidator{t: t, root: schema}
	specs := map[string]string{
		"directorySpec": directorySpec,
		"appSpec":       appSpec,
		"deskSpec":      deskSpec,
		"oauthSpec":     oauthSpec,
	}
	presets, _ := filepath.Glob(filepath.Join("..", "providers", "*", "*.json"))
	for _, p := range presets {
		data, err := os.ReadFile(p)
		require.NoError(t, err)
		var m map[string]any
		if json.Unmarshal(data, &m) != nil || m["name"] == nil || m["connection"] == nil {
			continue // not a spec
		}
		specs[p] = string(data)
	}
	for name, js := range specs {
		js = strings.ReplaceAll(js, "$URL", "https://example.test")
		if _, err := connector.Parse([]byte(js)); err != nil {
			t.Logf("%s does not parse, not checked against the schema: %v", name, err)
			continue
		}
		assert.Empty(t, v.validate(schema, decodeDocJSON(t, js), "$"), "%s is a valid spec the schema rejects", name)
	}
}

// TestSchemaRejectsInvalidSpecs makes sure the validator below is not
// vacuous.
func TestSchemaRejectsInvalidSpecs(t *testing.T) {
	schema := loadSchema(t)
	v := &schemaValidator{t: t, root: schema}
	for _, js := range []string{
		`{"name":"t"}`,
		`{"name":"t","connection":{"baseUrl":"https://x"}}`,
		`{"name":"t","connection":{"baseURL":"https://x","auth":{"a":{"type":"basic","username":"u","token":"t"}}}}`,
		`{"name":"t","connection":{"baseURL":"https://x","auth":{"a":{"type":"magic"}}}}`,
		`{"name":"t","connection":{"baseURL":"https://x","timeout":"soon"}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"provision":{"createUser":{"calls":[{"path":"/u"}]}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"connect":{"calls":[{"path":"/u","url":"https://y"}]}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"accounts":{"sources":[{"path":"/u","forEach":"x"}],"id":"id"}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"accounts":{"sources":[{"path":"/u"}],"id":{"path":"id","type":"uuid"}}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"tickets":{"status":{"calls":[{"path":"/t"}],"status":"x","states":[{"equals":"x","state":"done"}]}}}`,
		`{"name":"t","connection":{"baseURL":"https://x","failure":[{"equals":"x"}]}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"provision":{"removeAccount":{"ticket":{},"accountID":"x"}},"tickets":{"create":{"calls":[{"path":"/t"}],"id":"x"}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"tickets":{"create":{"calls":[{"path":"/t"}],"id":"x","key":"k"}}}`,
		`{"name":"t","connection":{"baseURL":"https://x","retry":{"resetFormat":"ms"}}}`,
		`{"name":"t","connection":{"baseURL":"https://x","retry":{"resetHeader":"X Reset"}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"accounts":{"sources":[{"path":"/u"}],"id":{"path":"id","value":"{{ .record.id }}"}}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"accounts":{"sources":[{"path":"/u"}],"id":"id","detail":{"path":"/d"},"details":[{"name":"d","path":"/d"}]}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"accounts":{"sources":[{"path":"/u"}],"id":"id","details":[{"path":"/d"}]}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"entitlements":{"g":{"sources":[{"path":"/g"}],"id":"id","members":"m","membersFrom":{"path":"/m","id":"id"}}}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"entitlements":{"g":{"sources":[{"path":"/g"}],"id":"id","membersChunk":10}}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"entitlements":{"g":{"sources":[{"path":"/g"}],"id":"id","membersFrom":{"path":"/m"}}}}}`,
		`{"name":"t","connection":{"baseURL":"https://x"},"import":{"accounts":{"sources":[{"path":"/u"}],"id":"id","entitlementsFrom":{"g":{"path":"/m","id":"id","forEach":"x"}}}}}`,
	} {
		_, err := connector.Parse([]byte(js))
		assert.Error(t, err, "Parse accepts %s", js)
		assert.NotEmpty(t, v.validate(schema, decodeDocJSON(t, js), "$"), "the schema accepts %s", js)
	}
}

// schemaValidator checks a JSON value against the subset of JSON Schema 2020-12
// that spec.schema.json uses. An unknown keyword fails the test, so the
// schema cannot silently rely on one the validator ignores.
type schemaValidator struct {
	t    *testing.T
	root map[string]any
}

var schemaAnnotations = map[string]bool{"$schema": true, "$id": true, "$defs": true, "$comment": true, "title": true, "description": true, "default": true, "examples": true}

func (v *schemaValidator) validate(schema, x any, path string) []string {
	switch s := schema.(type) {
	case bool:
		if !s {
			return []string{path + ": not allowed"}
		}
		return nil
	case map[string]any:
		var errs []string
		fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
		for _, kw := range schemaKeys(s) {
			arg := s[kw]
			switch kw {
			case "$ref":
				name, ok := strings.CutPrefix(arg.(string), "#/$defs/")
				require.True(v.t, ok, "unsupported $ref %v", arg)
				def, ok := v.root["$defs"].(map[string]any)[name]
				require.True(v.t, ok, "unresolved $ref %v", arg)
				errs = append(errs, v.validate(def, x, path)...)
			case "type":
				types, ok := arg.([]any)
				if !ok {
					types = []any{arg}
				}
				match := false
				for _, typ := range types {
					match = match || schemaHasType(x, typ.(string))
				}
				if !match {
					fail("want type %v, got %s", arg, schemaJSONType(x))
				}
			case "enum":
				found := false
				for _, e := range arg.([]any) {
					found = found || schemaJSONEqual(e, x)
				}
				if !found {
					fail("%v is not one of %v", x, arg)
				}
			case "const":
				if !schemaJSONEqual(arg, x) {
					fail("want %v", arg)
				}
			case "properties":
				if obj, ok := x.(map[string]any); ok {
					props := arg.(map[string]any)
					for _, k := range schemaKeys(obj) {
						if ps, ok := props[k]; ok {
							errs = append(errs, v.validate(ps, obj[k], path+"."+k)...)
						}
					}
				}
			case "additionalProperties":
				if obj, ok := x.(map[string]any); ok {
					props, _ := s["properties"].(map[string]any)
					for _, k := range schemaKeys(obj) {
						if _, known := props[k]; !known {
							errs = append(errs, v.validate(arg, obj[k], path+"."+k)...)
						}
					}
				}
			case "propertyNames":
				if obj, ok := x.(map[string]any); ok {
					for _, k := range schemaKeys(obj) {
						errs = append(errs, v.validate(arg, k, path+"["+jsonQuoted(k)+"]")...)
					}
				}
			case "required":
				if obj, ok := x.(map[string]any); ok {
					for _, r := range arg.([]any) {
						if _, ok := obj[r.(string)]; !ok {
							fail("missing %q", r)
						}
					}
				}
			case "dependentRequired":
				if obj, ok := x.(map[string]any); ok {
					for k, deps := range arg.(map[string]any) {
						if _, ok := obj[k]; !ok {
							continue
						}
						for _, d := range deps.([]any) {
							if _, ok := obj[d.(string)]; !ok {
								fail("%q needs %q", k, d)
							}
						}
					}
				}
			case "minProperties":
				if obj, ok := x.(map[string]any); ok && int64(len(obj)) < schemaInt(arg) {
					fail("want at least %v members", arg)
				}
			case "items":
				if l, ok := x.([]any); ok {
					for i, e := range l {
						errs = append(errs, v.validate(arg, e, fmt.Sprintf("%s[%d]", path, i))...)
					}
				}
			case "minItems":
				if l, ok := x.([]any); ok && int64(len(l)) < schemaInt(arg) {
					fail("want at least %v elements", arg)
				}
			case "minLength":
				if str, ok := x.(string); ok && int64(utf8.RuneCountInString(str)) < schemaInt(arg) {
					fail("want at least %v characters", arg)
				}
			case "pattern":
				if str, ok := x.(string); ok && !regexp.MustCompile(arg.(string)).MatchString(str) {
					fail("%q does not match %s", str, arg)
				}
			case "minimum", "maximum", "exclusiveMinimum":
				if n, ok := x.(json.Number); ok {
					f, _ := n.Float64()
					lim, _ := arg.(json.Number).Float64()
					if kw == "minimum" && f < lim || kw == "maximum" && f > lim || kw == "exclusiveMinimum" && f <= lim {
						fail("%v violates %s %v", n, kw, arg)
					}
				}
			case "allOf":
				for _, sub := range arg.([]any) {
					errs = append(errs, v.validate(sub, x, path)...)
				}
			case "anyOf", "oneOf":
				n := 0
				for _, sub := range arg.([]any) {
					if len(v.validate(sub, x, path)) == 0 {
						n++
					}
				}
				if n == 0 || kw == "oneOf" && n > 1 {
					fail("%d branches of %s match", n, kw)
				}
			case "not":
				if len(v.validate(arg, x, path)) == 0 {
					fail("matches a schema it must not")
				}
			case "if":
				branch := "else"
				if len(v.validate(arg, x, path)) == 0 {
					branch = "then"
				}
				if sub, ok := s[branch]; ok {
					errs = append(errs, v.validate(sub, x, path)...)
				}
			case "then", "else":
				// applied by "if"
			default:
				require.True(v.t, schemaAnnotations[kw], "the test validator does not know keyword %q", kw)
			}
		}
		return errs
	}
	v.t.Fatalf("%s: a schema must be an object or a boolean, not %T", path, schema)
	return nil
}

func schemaInt(v any) int64 {
	n, _ := v.(json.Number).Int64()
	return n
}

func schemaJSONType(x any) string {
	switch n := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case json.Number:
		if _, err := n.Int64(); err == nil {
			return "integer"
		}
		return "number"
	}
	return fmt.Sprintf("%T", x)
}

func schemaHasType(x any, typ string) bool {
	got := schemaJSONType(x)
	if typ == "integer" && got == "number" {
		f, err := x.(json.Number).Float64()
		return err == nil && f == float64(int64(f))
	}
	return got == typ || typ == "number" && got == "integer"
}

func schemaJSONEqual(a, b any) bool {
	norm := func(v any) any {
		if n, ok := v.(json.Number); ok {
			f, _ := n.Float64()
			return f
		}
		return v
	}
	return reflect.DeepEqual(norm(a), norm(b))
}
