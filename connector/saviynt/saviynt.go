package saviynt

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/internal/redact"
)

// Connection is a REST connection as the platform exports it: attribute name -> the attribute's
// JSON text (or the decoded JSON value).
type Connection map[string]any

// Warning is something Convert approximated or left out: the attribute, the
// JSON path inside it, and what happened.
type Warning struct {
	Attribute string // e.g. "AddAccessJSON"
	Path      string // JSON path inside the attribute
	Message   string
}

// String formats the warning as "Attribute Path: Message".
func (w Warning) String() string {
	where := w.Attribute
	if w.Path != "" {
		where += " " + w.Path
	}
	return where + ": " + w.Message
}

// ErrNothingUsable is wrapped by the error Convert returns when the
// connection yields no spec at all.
var ErrNothingUsable = errors.New("saviynt: nothing usable in the connection")

// Attribute names, in the order Convert reads them.
const (
	attrConnection   = "ConnectionJSON"
	attrImport       = "ImportAccountEntJSON"
	attrThreshold    = "STATUS_THRESHOLD_CONFIG"
	attrCreateTicket = "CreateTicketJSON"
	attrTicketStatus = "TicketStatusJSON"
	attrConfig       = "ConfigJSON"
)

// opAttrs maps the provisioning attributes to restconn operations.
var opAttrs = []struct {
	attr string
	op   connector.Operation
}{
	{"CreateAccountJSON", connector.CreateAccount},
	{"UpdateAccountJSON", connector.UpdateAccount},
	{"EnableAccountJSON", connector.EnableAccount},
	{"DisableAccountJSON", connector.DisableAccount},
	{"RemoveAccountJSON", connector.RemoveAccount},
	{"AddAccessJSON", connector.AddAccess},
	{"RemoveAccessJSON", connector.RemoveAccess},
	{"ChangePassJSON", connector.ChangePassword},
}

// notConverted names attributes restconn has no counterpart for.
var notConverted = map[string]string{
	"ImportUserJSON":       "identity import is not part of restconn (it imports accounts and entitlements)",
	"UpdateUserJSON":       "restconn has no identity update operation",
	"AddFFIDAccessJSON":    "firefighter ID access has no restconn operation",
	"RemoveFFIDAccessJSON": "firefighter ID access has no restconn operation",
	"SendOtpJSON":          "one-time passwords have no restconn operation",
	"ValidateOtpJSON":      "one-time passwords have no restconn operation",
	"PasswdPolicyJSON":     "password policies are the caller's concern in restconn",
	"ENDPOINTS_FILTER":     "endpoint filters are the caller's concern in restconn",
	"MODIFYUSERDATAJSON":   "identity data modification is the caller's concern in restconn",
	"PAM_CONFIG":           "privileged access management has no restconn counterpart",
}

// Convert translates a connection into a restconn spec. Warnings list what was approximated
// or left out; an error means nothing usable could be produced.
func Convert(c Connection) (*connector.Spec, []Warning, error) {
	cv := &converter{
		spec: &connector.Spec{
			Name:        "saviynt",
			Description: "Converted from a Saviynt REST connection.",
			Params:      map[string]connector.ParamSpec{},
			Secrets:     map[string]connector.SecretSpec{},
		},
		attrs: map[string]any{},
		auths: map[string]*authBlock{},
	}
	cv.decode(c)
	if len(cv.attrs) == 0 {
		return nil, cv.warns, fmt.Errorf("%w: no attribute could be read", ErrNothingUsable)
	}
	cv.chooseOrigin()
	cv.config()
	cv.connection()
	cv.imports()
	cv.tickets()
	cv.provisioning()
	if err := cv.finish(); err != nil {
		return nil, cv.warns, err
	}
	return cv.spec, cv.warns, nil
}

// converter holds the state of one Convert call.
type converter struct {
	spec  *connector.Spec
	attrs map[string]any // decoded attributes
	warns []Warning

	origin    string                    // the base URL's scheme://host[:port], as written in the connection
	auths     map[string]*authBlock     // Saviynt auth name -> its restconn block
	authNames []string                  // Saviynt auth names in order
	entTypes  []string                  // entitlement types of the import
	tokenUses map[string]map[string]int // Saviynt auth name -> "header\x00literal" -> calls using it
	defAuth   *string                   // the Saviynt auth name of calls that name none, once known

	pathsOnly       bool // no call URL has a scheme and host: baseURL is a required parameter
	pathsOnlyWarned bool
}

func (cv *converter) warn(attr, path, format string, args ...any) {
	cv.warns = append(cv.warns, Warning{Attribute: attr, Path: path, Message: fmt.Sprintf(format, args...)})
}

// decode reads every attribute: JSON text or an already decoded value.
// Hand-written JSON is read tolerantly: a trailing comma is forgiven (with
// a warning); an attribute that still does not parse is left out.
func (cv *converter) decode(c Connection) {
	for _, given := range sortedKeys(c) {
		v := c[given]
		name := canonical(given)
		if _, dup := c[name]; dup && name != given {
			cv.warn(name, "", "given twice (also as %s): %s is used", given, name)
			continue
		}
		var raw []byte
		switch x := v.(type) {
		case nil:
			continue
		case string:
			if strings.TrimSpace(x) == "" {
				continue
			}
			raw = []byte(x)
		case []byte:
			raw = x
		default:
			b, err := json.Marshal(x)
			if err != nil {
				cv.warn(name, "", "left out: the value is not JSON data (%v)", err)
				continue
			}
			raw = b
		}
		d, err := decodeJSON(raw)
		if err != nil {
			fixed := trailingCommas(raw)
			if d2, err2 := decodeJSON(fixed); err2 == nil {
				cv.warn(name, "", "read after removing trailing commas (the JSON is not strictly valid)")
				d, err = d2, nil
			}
		}
		if err != nil {
			cv.warn(name, "", "left out: not valid JSON: %v", err)
			continue
		}
		if _, isObj := d.(map[string]any); !isObj {
			cv.warn(name, "", "left out: want a JSON object, got %s", kind(d))
			continue
		}
		if why, skip := notConverted[name]; skip {
			cv.warn(name, "", "not converted: %s", why)
			continue
		}
		if !knownAttr(name) {
			cv.warn(name, "", "not converted: not a REST connection attribute restconn knows")
			continue
		}
		cv.attrs[name] = d
	}
}

// canonical maps an attribute name written another way (Terraform's
// snake_case connection_json, other case) to the platform's name.
func canonical(name string) string {
	key := strings.ToLower(strings.ReplaceAll(name, "_", ""))
	for _, a := range slices.Concat(knownAttrs, slices.Collect(maps.Keys(notConverted))) {
		if strings.ToLower(strings.ReplaceAll(a, "_", "")) == key {
			return a
		}
	}
	return name
}

// knownAttrs are the attributes Convert reads.
var knownAttrs = func() []string {
	out := []string{attrConnection, attrImport, attrThreshold, attrCreateTicket, attrTicketStatus, attrConfig}
	for _, o := range opAttrs {
		out = append(out, o.attr)
	}
	return out
}()

func knownAttr(name string) bool { return slices.Contains(knownAttrs, name) }

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data after the JSON document")
	}
	return v, nil
}

// trailingCommas removes commas that directly precede } or ], outside
// strings.
func trailingCommas(b []byte) []byte {
	var out []byte
	inStr, esc := false, false
	for i := 0; i < len(b); i++ {
		c := b[i]
		if inStr {
			out = append(out, c)
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
			continue
		}
		if c == '"' {
			inStr = true
		}
		if c == ',' {
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\n' || b[j] == '\r' || b[j] == '\t') {
				j++
			}
			if j < len(b) && (b[j] == '}' || b[j] == ']') {
				continue
			}
		}
		out = append(out, c)
	}
	return out
}

func kind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "null"
}

// obj returns the object attribute or member, or nil.
func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// str returns a string member ("" when absent or not a string).
func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// intOf reads a whole number written as a JSON number or a numeric string.
func intOf(v any) (int, bool) {
	switch x := v.(type) {
	case json.Number:
		n, err := strconv.Atoi(string(x))
		return n, err == nil
	case string:
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil
	case float64:
		return int(x), x == float64(int(x))
	}
	return 0, false
}

func boolOf(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return strings.EqualFold(strings.TrimSpace(x), "true")
	}
	return false
}

// sortedKeys returns a map's keys in order, so output and warnings do not
// depend on map iteration.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// join builds a JSON path for warnings: keys with dots or brackets are
// quoted, as connector's own error paths do.
func join(path, key string) string {
	if strings.ContainsAny(key, ".[]\" ") {
		return path + "[" + strconv.Quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

var nonIdent = regexp.MustCompile(`[^A-Za-z0-9_]+`)

// ident turns a Saviynt name (auth block, call, column) into a restconn
// identifier: other characters become _, and a leading digit gets a _.
func ident(s string) string {
	s = strings.Trim(nonIdent.ReplaceAllString(s, "_"), "_")
	if s == "" {
		return "x"
	}
	if s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

// secret declares a secret for a credential literal found at attr/path and
// returns its template. Values are never copied into the spec: the caller
// passes them with connector.WithSecrets.
func (cv *converter) secret(name, attr, path string) string {
	desc := fmt.Sprintf("%s %s (pass it with connector.WithSecrets)", attr, path)
	name = freeName(cv.spec.Secrets, ident(name), func(s connector.SecretSpec) bool { return s.Description == desc })
	if _, ok := cv.spec.Secrets[name]; !ok {
		cv.spec.Secrets[name] = connector.SecretSpec{Description: desc, Required: true}
		cv.warn(attr, path, "credential moved to secret %q: pass its value with connector.WithSecrets", name)
	}
	return "{{ .secrets." + name + " }}"
}

// freeName returns name, or else name2, name3 ...: the first that m does
// not hold, or holds for the same thing (same says).
func freeName[V any](m map[string]V, name string, same func(V) bool) string {
	for i := 1; ; i++ {
		n := name
		if i > 1 {
			n += strconv.Itoa(i)
		}
		if v, ok := m[n]; !ok || same(v) {
			return n
		}
	}
}

// unwrap returns the pipeline of a one-action template: "{{ .x }}" -> ".x".
func unwrap(t string) string {
	return strings.TrimSuffix(strings.TrimPrefix(t, "{{ "), " }}")
}

// param declares a non-secret parameter with the connection's value as its
// default.
func (cv *converter) param(name, attr, path string, def any) string {
	if s, ok := def.(string); ok && placeholder.MatchString(s) {
		// A package-import placeholder (@USERNAME@) is no value: as a
		// default it would reach the target as text. The caller gives it.
		name = freeName(cv.spec.Params, ident(name), func(connector.ParamSpec) bool { return false })
		return cv.requiredParam(name, attr+" "+path+" (the connection has the placeholder "+s+")")
	}
	name = freeName(cv.spec.Params, ident(name), func(p connector.ParamSpec) bool { return p.Default == def })
	if _, ok := cv.spec.Params[name]; !ok {
		cv.spec.Params[name] = connector.ParamSpec{Description: attr + " " + path, Default: def}
	}
	return "{{ .params." + name + " }}"
}

// requiredParam declares a parameter the caller must give (no default) and
// returns its template.
func (cv *converter) requiredParam(name, desc string) string {
	cv.spec.Params[name] = connector.ParamSpec{Description: desc, Required: true}
	return "{{ .params." + name + " }}"
}

// sensitive reports whether a field, header or parameter name holds a
// credential: the names the engine masks in traces, and a few more that
// connections use for passwords and keys.
func sensitive(name string) bool {
	// Hand-written keys carry stray spaces ("client_secret "): still a
	// credential.
	name = strings.TrimSpace(name)
	if redact.SensitiveName(name) {
		return true
	}
	n := strings.ToLower(name)
	for _, w := range []string{"pwd", "credential", "assertion", "privatekey", "private_key"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return n == "pass" || n == "skey" || n == "ikey"
}

// credentialField reports whether a body or form field holds a
// credential. Field names are matched by their ending (newPassword,
// client_secret, refreshToken), so tokenLifetime or sessionTimeout stay
// plain values.
func credentialField(name string) bool {
	n := strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(strings.TrimSpace(name)))
	for _, w := range []string{"password", "passwd", "pwd", "secret", "apikey", "token", "credential", "credentials", "privatekey", "assertion"} {
		if strings.HasSuffix(n, w) {
			return true
		}
	}
	return n == "pass" || n == "key"
}

// finish completes the connection, and checks the result the way a user
// of it will load it: marshalled, then read back with connector.Parse. A
// spec that does not parse is a bug of the converter, never handed out.
// The spec handed out is the parsed one, which keeps the templates Parse
// compiled, so that connector.New does not compile them again.
func (cv *converter) finish() error {
	s := cv.spec
	if s.Connection.BaseURL == "" {
		return fmt.Errorf("%w: no call has a URL to take the base URL from", ErrNothingUsable)
	}
	if s.Connect == nil && s.Import == nil && len(s.Provision) == 0 && s.Tickets == nil {
		return fmt.Errorf("%w: no call could be converted", ErrNothingUsable)
	}
	if len(s.Connection.Auth) > 1 && s.Connection.DefaultAuth == "" {
		s.Connection.DefaultAuth = cv.defaultAuth()
	}
	if len(s.Params) == 0 {
		s.Params = nil
	}
	if len(s.Secrets) == 0 {
		s.Secrets = nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("saviynt: the converted spec does not marshal (a converter bug): %w", err)
	}
	parsed, err := connector.Parse(b)
	if err != nil {
		return fmt.Errorf("saviynt: the converted spec is invalid (a converter bug): %w", err)
	}
	cv.spec = parsed
	return nil
}
