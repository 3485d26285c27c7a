// Package openapitest checks HTTP traffic against an OpenAPI 3 description,
// so tests can prove that a fake server (or a client) speaks the vendor's API
// as documented rather than as someone remembered it.
//
// Load a description once and validate exchanges with it:
//
//	v, err := openapitest.Load("intercom-2.11.api.intercom.io.yaml")
//	...
//	err = v.ValidateRequest(req, reqBody)
//	err = v.ValidateResponse(req, reqBody, status, header, respBody)
//
// or wrap a handler so every exchange is checked as it happens:
//
//	srv := httptest.NewServer(v.Middleware(fake, func(err error) { t.Error(err) }))
//
// Descriptions are large and live outside the repository, so tests usually
// find them through an environment variable with FromEnv, which skips the test
// when the variable is unset and loads each file once per test binary (Okta's
// 3.4 MB description takes over a second). Load reads YAML or JSON, plain or
// gzip-compressed.
//
// # Routing
//
// A fake listens on 127.0.0.1 with a random port, never on the hosts listed
// under servers in the description. Load therefore keeps only the path of each
// server URL (https://api.intercom.io becomes /), so requests are matched on
// method and path alone, whatever their scheme and host.
//
// # Authentication
//
// Security requirements are checked, not skipped: a bearer (or OAuth 2 or
// OpenID Connect) scheme needs an "Authorization: Bearer <token>" header,
// basic needs "Authorization: Basic ...", and an API key needs its header,
// query parameter or cookie. Only presence is checked; whether the token is
// the right one is the server's business, and a 401 from it is a documented
// response like any other.
//
// # What is validated
//
// Requests: path, query and header parameters, the body against its schema,
// and security. Responses: the body against the schema documented for its
// status code, and documented response headers. A status code that an
// operation does not document (a 429, say) is accepted, as kin-openapi does by
// default, because vendors rarely document every status they send. Defaults
// in the description are never filled into the request.
//
// # Patches
//
// Published descriptions have bugs. Load repairs a few known ones in memory,
// each only when the document has exactly the faulty shape, and reports what
// it changed through Validator.Patches:
//
//   - A $ref to #/components/schemas/custom_attributes that has no target (the
//     Intercom 2.11 description lost that schema upstream) gets a permissive
//     stand-in, {type: object, additionalProperties: true}.
//   - Intercom 2.11's ticket_type_list and ticket_type_attribute_list schemas
//     describe {type: "ticket_type_attributes.list", ticket_types: [...]}, but
//     the API sends {type: "list", data: [...]}, as the description's own
//     examples and the 2.12 schema show. Both schemas are replaced by the wire
//     format.
//   - An array schema without items gets items: {}, which means the same in
//     JSON Schema but which kin-openapi's document validation rejects.
//   - A schema default that its own schema rejects is dropped (Okta's Policy
//     gives the date-times created and lastUpdated the default "Assigned").
//     Defaults are never filled in, so nothing else changes.
//   - A schema example that only refers to components.examples entries the
//     document lacks is dropped (Okta's LogDevice.example names
//     #/components/examples/LogDeviceObject).
//   - "$ref" keys inside components.examples values are renamed to "x-ref":
//     example values are literal data (Okta quotes user-schema documents
//     whose allOf lists #/definitions/base), not references to resolve.
//   - A path parameter without required: true is made required, as OpenAPI 3.0
//     demands (Okta's GET /api/v1/hook-keys/{id}).
//   - Fields beside a $ref (Okta puts type and example there) are ignored, as
//     OpenAPI 3.0 says, instead of failing the document. This is reported
//     only when the document has such fields.
//
// Examples in the document are not validated (Intercom's own examples omit
// required fields), and unknown string formats are accepted.
package openapitest

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

// Validator validates requests and responses against one OpenAPI 3
// description. It is safe for concurrent use.
type Validator struct {
	router  routers.Router
	patches []string
}

// Error is a violation of the description by one exchange.
type Error struct {
	Method string // request method
	Path   string // request path, without query
	Status int    // response status; 0 when the request is at fault
	Err    error  // what is wrong, as reported by kin-openapi
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return fmt.Sprintf("openapitest: %s %s: request: %v", e.Method, e.Path, e.Err)
	}
	return fmt.Sprintf("openapitest: %s %s: response %d: %v", e.Method, e.Path, e.Status, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Load reads an OpenAPI 3 description in YAML or JSON from path, applies the
// patches described in the package documentation, validates the document and
// builds a router that ignores scheme and host. A gzip-compressed file (such
// as okta-management-minimal.yaml.gz) is decompressed first; it is recognised
// by its content, not its name.
func Load(path string) (*Validator, error) {
	data, err := readDescription(path)
	if err != nil {
		return nil, fmt.Errorf("openapitest: %w", err)
	}
	v, err := load(data)
	if err != nil {
		return nil, fmt.Errorf("openapitest: %s: %w", path, err)
	}
	return v, nil
}

// gzipMagic starts every gzip stream (RFC 1952).
var gzipMagic = []byte{0x1f, 0x8b}

func readDescription(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil || !bytes.HasPrefix(data, gzipMagic) {
		return data, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	data, err = io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%s: decompressing: %w", path, err)
	}
	return data, nil
}

// loaded caches FromEnv's validators by path: Okta's description takes over
// a second to load, and a test binary needs it once. A Validator is never
// changed after Load, so sharing one is safe.
var loaded sync.Map // path -> *loadOnce

type loadOnce struct {
	once sync.Once
	v    *Validator
	err  error
}

// FromEnv loads the description whose path is in the environment variable
// envVar. It skips the test when the variable is unset or empty and fails it
// when the description cannot be loaded. Each path is loaded once per test
// binary; later calls return the same Validator.
func FromEnv(t testing.TB, envVar string) *Validator {
	t.Helper()
	path := os.Getenv(envVar)
	if path == "" {
		t.Skipf("openapitest: %s is not set; set it to the path of the OpenAPI description to validate against", envVar)
	}
	e, _ := loaded.LoadOrStore(path, &loadOnce{})
	l := e.(*loadOnce)
	l.once.Do(func() { l.v, l.err = Load(path) })
	if l.err != nil {
		t.Fatalf("%s: %v", envVar, l.err)
	}
	return l.v
}

// Patches lists the repairs Load made to the description, one line each.
func (v *Validator) Patches() []string {
	return append([]string(nil), v.patches...)
}

// ValidateRequest checks a request whose body is body (nil for none). It does
// not read r.Body.
func (v *Validator) ValidateRequest(r *http.Request, body []byte) error {
	route, params, err := v.route(r)
	if err != nil {
		return err
	}
	return validateRequest(r, body, route, params)
}

// ValidateResponse checks the response with the given status, header and body
// that a server sent for r. reqBody is the body of r; r.Body is not read. Only
// the response is judged: a faulty request is ValidateRequest's business.
func (v *Validator) ValidateResponse(r *http.Request, reqBody []byte, status int, header http.Header, body []byte) error {
	route, params, err := v.route(r)
	if err != nil {
		return err
	}
	return validateResponse(r, reqBody, route, params, status, header, body)
}

// Middleware returns a handler that serves next and validates every request
// and the response next produced, calling report once for each violated
// exchange part (request, response). The response is held back until it has
// been validated, so report has run before the client sees the response;
// reporting through t.Error is therefore safe. A request that matches no
// operation is reported once, and its response is not checked. Streaming is
// lost, which does not matter for a test double.
func (v *Validator) Middleware(next http.Handler, report func(error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody []byte
		if r.Body != nil {
			b, err := io.ReadAll(r.Body)
			if err != nil {
				report(&Error{Method: r.Method, Path: r.URL.Path, Err: fmt.Errorf("reading body: %w", err)})
			}
			reqBody = b
			r.Body = io.NopCloser(bytes.NewReader(reqBody))
		}
		// Validate a clone: next may change the request it gets.
		orig := r.Clone(r.Context())

		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		res := rec.Result()

		route, params, err := v.route(orig)
		if err != nil {
			report(err)
		} else {
			if err := validateRequest(orig, reqBody, route, params); err != nil {
				report(err)
			}
			if err := validateResponse(orig, reqBody, route, params, res.StatusCode, res.Header, rec.Body.Bytes()); err != nil {
				report(err)
			}
		}

		maps.Copy(w.Header(), res.Header)
		w.WriteHeader(res.StatusCode)
		_, _ = w.Write(rec.Body.Bytes())
	})
}

func (v *Validator) route(r *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := v.router.FindRoute(r)
	switch {
	case errors.Is(err, routers.ErrPathNotFound):
		err = errors.New("no path in the description matches")
	case errors.Is(err, routers.ErrMethodNotAllowed):
		err = fmt.Errorf("the description has no %s operation for this path", r.Method)
	}
	if err != nil {
		return nil, nil, &Error{Method: r.Method, Path: r.URL.Path, Err: err}
	}
	return route, params, nil
}

func requestInput(r *http.Request, body []byte, route *routers.Route, params map[string]string) *openapi3filter.RequestValidationInput {
	// Give kin-openapi its own copy with a fresh body: it reads and closes it.
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	opts := &openapi3filter.Options{
		AuthenticationFunc:  authenticate,
		MultiError:          true,
		SkipSettingDefaults: true,
	}
	opts.WithCustomSchemaErrorFunc(schemaErrorMessage)
	return &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: params,
		Route:      route,
		Options:    opts,
	}
}

func validateRequest(r *http.Request, body []byte, route *routers.Route, params map[string]string) error {
	in := requestInput(r, body, route, params)
	if err := openapi3filter.ValidateRequest(r.Context(), in); err != nil {
		return &Error{Method: r.Method, Path: r.URL.Path, Err: err}
	}
	return nil
}

func validateResponse(r *http.Request, reqBody []byte, route *routers.Route, params map[string]string, status int, header http.Header, body []byte) error {
	req := requestInput(r, reqBody, route, params)
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: req,
		Status:                 status,
		Header:                 header,
		Options:                req.Options,
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(r.Context(), in); err != nil {
		return &Error{Method: r.Method, Path: r.URL.Path, Status: status, Err: err}
	}
	return nil
}

// authenticate checks that the credential a security scheme asks for is
// present. It cannot know which credentials are valid.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	r := in.RequestValidationInput.Request
	s := in.SecurityScheme
	switch {
	case s == nil:
		return in.NewError(fmt.Errorf("security scheme %q is not defined", in.SecuritySchemeName))
	case s.Type == "http" && !strings.EqualFold(s.Scheme, "bearer"):
		return hasAuthorization(in, r, s.Scheme)
	case s.Type == "http", s.Type == "oauth2", s.Type == "openIdConnect":
		return hasAuthorization(in, r, "Bearer")
	case s.Type == "apiKey":
		var ok bool
		switch s.In {
		case "header":
			ok = r.Header.Get(s.Name) != ""
		case "query":
			ok = r.URL.Query().Get(s.Name) != ""
		case "cookie":
			_, err := r.Cookie(s.Name)
			ok = err == nil
		}
		if !ok {
			return in.NewError(fmt.Errorf("API key %q (in %s) is missing", s.Name, s.In))
		}
		return nil
	}
	return in.NewError(fmt.Errorf("security scheme type %q is not supported", s.Type))
}

func hasAuthorization(in *openapi3filter.AuthenticationInput, r *http.Request, scheme string) error {
	h := r.Header.Get("Authorization")
	prefix := scheme + " "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) || strings.TrimSpace(h[len(prefix):]) == "" {
		return in.NewError(fmt.Errorf(`%q needs an "Authorization: %s <credentials>" header`, in.SecuritySchemeName, scheme))
	}
	return nil
}

// schemaErrorMessage keeps schema errors to one line with the JSON pointer of
// the offending value; kin-openapi's default appends the whole schema, which
// for a ticket runs to hundreds of lines.
func schemaErrorMessage(err *openapi3.SchemaError) string {
	if err.Origin != nil {
		return "" // the default prints the pointer and the origin's message
	}
	reason := err.Reason
	if reason == "" {
		reason = fmt.Sprintf("does not match schema field %q", err.SchemaField)
	}
	value, _ := json.Marshal(err.Value)
	if len(value) > 80 {
		value = append(value[:77], "..."...)
	}
	return fmt.Sprintf("at %q: %s (value %s)", "/"+strings.Join(err.JSONPointer(), "/"), reason, value)
}

func load(data []byte) (*Validator, error) {
	var patches []string
	data, patched, err := addCustomAttributes(data)
	if err != nil {
		return nil, err
	}
	if patched {
		patches = append(patches, "components.schemas.custom_attributes: added {type: object, additionalProperties: true} for a $ref without target")
	}

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, err
	}
	if doc.Components != nil {
		patches = append(patches, fixListSchemas(doc.Components.Schemas)...)
		patches = append(patches, fixItemlessArrays(doc.Components.Schemas)...)
		patches = append(patches, fixInvalidDefaults(doc.Components.Schemas)...)
		patches = append(patches, fixDanglingSchemaExamples(doc.Components)...)
		patches = append(patches, fixRefsInExamples(doc.Components.Examples)...)
	}
	patches = append(patches, fixOptionalPathParams(doc)...)
	opts := []openapi3.ValidationOption{openapi3.DisableExamplesValidation()}
	if err := doc.Validate(loader.Context, opts...); err != nil {
		if !strings.Contains(err.Error(), "extra sibling fields") {
			return nil, fmt.Errorf("invalid OpenAPI description: %w", err)
		}
		// OpenAPI 3.0 says fields beside a $ref SHALL be ignored;
		// kin-openapi rejects them instead.
		opts = append(opts, openapi3.AllowExtraSiblingFields(refSiblings...))
		if err := doc.Validate(loader.Context, opts...); err != nil {
			return nil, fmt.Errorf("invalid OpenAPI description: %w", err)
		}
		patches = append(patches, "fields beside a $ref ignored, as OpenAPI 3.0 says, instead of rejected")
	}

	doc.Servers = pathOnlyServers(doc.Servers)
	for _, item := range doc.Paths.Map() {
		item.Servers = pathOnlyServers(item.Servers)
	}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, err
	}
	return &Validator{router: router, patches: patches}, nil
}

// pathOnlyServers reduces server URLs to their paths so that routing ignores
// scheme and host. Servers that differ only in host collapse into one.
func pathOnlyServers(servers openapi3.Servers) openapi3.Servers {
	if len(servers) == 0 {
		return servers
	}
	seen := map[string]bool{}
	var out openapi3.Servers
	for _, s := range servers {
		p := s.URL
		if i := strings.Index(p, "://"); i >= 0 {
			p = p[i+len("://"):]
			if j := strings.IndexByte(p, '/'); j >= 0 {
				p = p[j:]
			} else {
				p = "/"
			}
		}
		if p == "" {
			p = "/"
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, &openapi3.Server{URL: p, Variables: s.Variables})
		}
	}
	return out
}

const (
	customAttributesRef  = "#/components/schemas/custom_attributes"
	customAttributesYAML = "custom_attributes: {type: object, additionalProperties: true}"
)

// addCustomAttributes adds a stand-in for components.schemas.custom_attributes
// when the document refers to it without defining it. It works on the bytes
// because kin-openapi resolves every $ref while loading and would fail first.
func addCustomAttributes(data []byte) ([]byte, bool, error) {
	if !bytes.Contains(data, []byte(customAttributesRef)) {
		return data, false, nil
	}
	if json.Valid(data) {
		return addCustomAttributesJSON(data)
	}
	return addCustomAttributesYAML(data)
}

func addCustomAttributesJSON(data []byte) ([]byte, bool, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, false, err
	}
	var components map[string]json.RawMessage
	if raw, ok := doc["components"]; ok {
		if err := json.Unmarshal(raw, &components); err != nil {
			return nil, false, fmt.Errorf("components: %w", err)
		}
	}
	if components == nil {
		components = map[string]json.RawMessage{}
	}
	var schemas map[string]json.RawMessage
	if raw, ok := components["schemas"]; ok {
		if err := json.Unmarshal(raw, &schemas); err != nil {
			return nil, false, fmt.Errorf("components.schemas: %w", err)
		}
	}
	if _, ok := schemas["custom_attributes"]; ok {
		return data, false, nil
	}
	if schemas == nil {
		schemas = map[string]json.RawMessage{}
	}
	schemas["custom_attributes"] = json.RawMessage(`{"type":"object","additionalProperties":true}`)
	var err error
	if components["schemas"], err = json.Marshal(schemas); err != nil {
		return nil, false, err
	}
	if doc["components"], err = json.Marshal(components); err != nil {
		return nil, false, err
	}
	out, err := json.Marshal(doc)
	return out, err == nil, err
}

// addCustomAttributesYAML handles block-style YAML, which is what published
// descriptions use: it finds the top-level components: mapping and its
// schemas: child and inserts one flow-style entry.
func addCustomAttributesYAML(data []byte) ([]byte, bool, error) {
	lines := strings.SplitAfter(string(data), "\n")
	indentOf := func(l string) int { return len(l) - len(strings.TrimLeft(l, " ")) }
	content := func(l string) bool {
		t := strings.TrimSpace(l)
		return t != "" && !strings.HasPrefix(t, "#")
	}
	key := strings.TrimSpace

	insert := func(at int, text string) []byte {
		var b strings.Builder
		for _, l := range lines[:at] {
			b.WriteString(l)
		}
		if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
			b.WriteString("\n")
		}
		b.WriteString(text)
		for _, l := range lines[at:] {
			b.WriteString(l)
		}
		return []byte(b.String())
	}

	comp := -1
	for i, l := range lines {
		if content(l) && indentOf(l) == 0 && key(l) == "components:" {
			comp = i
			break
		}
	}
	if comp < 0 {
		return insert(len(lines), "components:\n  schemas:\n    "+customAttributesYAML+"\n"), true, nil
	}
	// Find schemas: among the direct children of components:.
	childIndent, schemas, end := -1, -1, len(lines)
	for i := comp + 1; i < len(lines); i++ {
		l := lines[i]
		if !content(l) {
			continue
		}
		n := indentOf(l)
		if n == 0 {
			end = i
			break
		}
		if childIndent < 0 {
			childIndent = n
		}
		if n == childIndent && key(l) == "schemas:" {
			schemas = i
			break
		}
	}
	if childIndent < 0 {
		childIndent = 2
	}
	if schemas < 0 {
		pad := strings.Repeat(" ", childIndent)
		return insert(end, pad+"schemas:\n"+pad+pad+customAttributesYAML+"\n"), true, nil
	}
	entryIndent := -1
	for i := schemas + 1; i < len(lines); i++ {
		l := lines[i]
		if !content(l) {
			continue
		}
		n := indentOf(l)
		if n <= childIndent {
			break
		}
		if entryIndent < 0 {
			entryIndent = n
		}
		if n == entryIndent && strings.HasPrefix(strings.TrimSpace(l), "custom_attributes:") {
			return data, false, nil
		}
	}
	if entryIndent < 0 {
		entryIndent = 2 * childIndent
	}
	return insert(schemas+1, strings.Repeat(" ", entryIndent)+customAttributesYAML+"\n"), true, nil
}

// fixListSchemas replaces Intercom 2.11's list schemas, whose shape no
// response has, with the wire format {type: "list", data: [...]}. A schema is
// changed only if it still has the faulty shape, so other versions pass
// through untouched.
func fixListSchemas(schemas openapi3.Schemas) []string {
	var patches []string
	for _, fix := range []struct{ schema, items string }{
		{"ticket_type_list", "ticket_types"},
		{"ticket_type_attribute_list", "ticket_type_attributes"},
	} {
		ref := schemas[fix.schema]
		if ref == nil || ref.Value == nil {
			continue
		}
		s := ref.Value
		typ, items := s.Properties["type"], s.Properties[fix.items]
		if typ == nil || typ.Value == nil || items == nil || items.Value == nil || items.Value.Items == nil ||
			len(typ.Value.Enum) != 1 || typ.Value.Enum[0] != "ticket_type_attributes.list" {
			continue
		}
		// Assign through the pointer: resolved $refs share this *Schema.
		*s = openapi3.Schema{
			Title:       s.Title,
			Description: s.Description,
			Type:        &openapi3.Types{openapi3.TypeObject},
			Properties: openapi3.Schemas{
				"type": openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Enum: []any{"list"}}),
				"data": openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: items.Value.Items}),
			},
			Required: []string{"type", "data"},
		}
		patches = append(patches, fmt.Sprintf(`components.schemas.%s: {type: "ticket_type_attributes.list", %s: [...]} replaced by the wire format {type: "list", data: [...]}`, fix.schema, fix.items))
	}
	return patches
}

// fixItemlessArrays gives array schemas without items an empty items schema.
func fixItemlessArrays(schemas openapi3.Schemas) []string {
	var patches []string
	walkSchemas(schemas, func(path string, s *openapi3.Schema) {
		if s.Type.Is(openapi3.TypeArray) && s.Items == nil {
			s.Items = openapi3.NewSchemaRef("", &openapi3.Schema{})
			patches = append(patches, path+": array without items given items: {}")
		}
	})
	sort.Strings(patches)
	return patches
}

// walkSchemas calls visit once for every schema reachable from the named
// component schemas. A schema is reported under the path of its own
// component when it has one, and otherwise under the first path that
// reaches it; names are visited in sorted order, so the paths are stable.
func walkSchemas(schemas openapi3.Schemas, visit func(path string, s *openapi3.Schema)) {
	seen := map[*openapi3.Schema]bool{}
	var walk func(path string, s *openapi3.Schema)
	child := func(path string, r *openapi3.SchemaRef) {
		if r == nil {
			return
		}
		// A named component is walked under its own name.
		if name, ok := strings.CutPrefix(r.Ref, "#/components/schemas/"); ok && schemas[name] != nil && schemas[name].Value == r.Value {
			return
		}
		walk(path, r.Value)
	}
	walk = func(path string, s *openapi3.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		visit(path, s)
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			child(path+".properties."+name, s.Properties[name])
		}
		child(path+".items", s.Items)
		child(path+".additionalProperties", s.AdditionalProperties.Schema)
		for _, group := range []struct {
			kind string
			refs openapi3.SchemaRefs
		}{{"allOf", s.AllOf}, {"anyOf", s.AnyOf}, {"oneOf", s.OneOf}} {
			for i, r := range group.refs {
				child(fmt.Sprintf("%s.%s[%d]", path, group.kind, i), r)
			}
		}
		child(path+".not", s.Not)
	}
	for _, name := range slices.Sorted(maps.Keys(schemas)) {
		walk("components.schemas."+name, schemas[name].Value)
	}
}

// refSiblings are the fields that descriptions put beside a $ref: the
// keywords of a Schema, Parameter, Response and Example object.
var refSiblings = []string{
	"additionalProperties", "allOf", "anyOf", "content", "default", "deprecated", "description",
	"discriminator", "enum", "example", "examples", "exclusiveMaximum", "exclusiveMinimum",
	"explode", "externalDocs", "format", "headers", "in", "items", "links", "maxItems",
	"maxLength", "maxProperties", "maximum", "minItems", "minLength", "minProperties", "minimum",
	"multipleOf", "name", "not", "nullable", "oneOf", "pattern", "properties", "readOnly",
	"required", "schema", "style", "summary", "title", "type", "uniqueItems", "value",
	"writeOnly", "xml",
}

// fixInvalidDefaults drops schema defaults that their own schema rejects
// (Okta's Policy gives the date-times created and lastUpdated the default
// "Assigned", and its integer priority a sentence). A default is
// documentation here, because Load never fills defaults in.
func fixInvalidDefaults(schemas openapi3.Schemas) []string {
	var patches []string
	walkSchemas(schemas, func(path string, s *openapi3.Schema) {
		if s.Default == nil {
			return
		}
		if err := s.VisitJSON(s.Default); err != nil {
			value, _ := json.Marshal(s.Default)
			patches = append(patches, fmt.Sprintf("%s: default %s does not match the schema; dropped", path, value))
			s.Default = nil
		}
	})
	sort.Strings(patches)
	return patches
}

// fixDanglingSchemaExamples drops a schema's example when it is a map of
// $refs into components.examples that has no target (Okta's
// LogDevice.example names #/components/examples/LogDeviceObject, which the
// description lacks). A schema's example is plain data, but a loader that
// resolves it would fail.
func fixDanglingSchemaExamples(c *openapi3.Components) []string {
	var patches []string
	walkSchemas(c.Schemas, func(path string, s *openapi3.Schema) {
		m, ok := s.Example.(map[string]any)
		if !ok || len(m) == 0 {
			return
		}
		var missing []string
		for _, v := range m {
			entry, ok := v.(map[string]any)
			if !ok || len(entry) != 1 {
				return
			}
			ref, ok := entry["$ref"].(string)
			if !ok {
				return
			}
			name, ok := strings.CutPrefix(ref, "#/components/examples/")
			if !ok {
				return
			}
			if c.Examples[name] == nil {
				missing = append(missing, ref)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			patches = append(patches, fmt.Sprintf("%s.example: dropped, it refers to %s, which the description does not define", path, strings.Join(missing, ", ")))
			s.Example = nil
		}
	})
	return patches
}

// fixRefsInExamples renames "$ref" keys inside example values to "x-ref".
// An example value is literal data (Okta's user-schema examples quote JSON
// Schema documents whose allOf lists #/definitions/base), so a loader must
// not try to resolve them.
func fixRefsInExamples(examples openapi3.Examples) []string {
	var patches []string
	for _, name := range slices.Sorted(maps.Keys(examples)) {
		ex := examples[name]
		if ex == nil || ex.Value == nil {
			continue
		}
		if n := renameRefs(ex.Value.Value); n > 0 {
			patches = append(patches, fmt.Sprintf("components.examples.%s.value: %d $ref keys in literal data renamed to x-ref", name, n))
		}
	}
	return patches
}

func renameRefs(v any) int {
	n := 0
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"]; ok {
			if _, taken := v["x-ref"]; !taken {
				delete(v, "$ref")
				v["x-ref"] = ref
				n++
			}
		}
		for _, child := range v {
			n += renameRefs(child)
		}
	case []any:
		for _, child := range v {
			n += renameRefs(child)
		}
	}
	return n
}

// fixOptionalPathParams marks path parameters required, as OpenAPI 3.0
// demands and routing assumes (Okta's GET /api/v1/hook-keys/{id} omits it).
func fixOptionalPathParams(doc *openapi3.T) []string {
	var patches []string
	fix := func(where string, params openapi3.Parameters) {
		for _, p := range params {
			if p != nil && p.Value != nil && p.Value.In == openapi3.ParameterInPath && !p.Value.Required {
				p.Value.Required = true
				patches = append(patches, fmt.Sprintf("%s.parameters.%s: path parameter made required", where, p.Value.Name))
			}
		}
	}
	// A parameter shared by reference is reported where it is met first,
	// so the walk goes in a fixed order.
	if doc.Components != nil {
		for _, name := range slices.Sorted(maps.Keys(doc.Components.Parameters)) {
			fix("components", openapi3.Parameters{doc.Components.Parameters[name]})
		}
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		fix("paths."+path, item.Parameters)
		ops := item.Operations()
		for _, m := range slices.Sorted(maps.Keys(ops)) {
			fix("paths."+path+"."+strings.ToLower(m), ops[m].Parameters)
		}
	}
	sort.Strings(patches)
	return patches
}
