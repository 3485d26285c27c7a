// Package binding defines the variables restconn templates see and the typed
// mapping of target records to attributes.
//
// # Variables
//
// Every template in a spec is rendered against one map with these top-level
// names (see Vars):
//
//	.user         the identity a request is for (Request.User)
//	.account      the target account (Request.Account): "id", "name", attributes
//	.entitlement  the entitlement of AddAccess/RemoveAccess: type, id, name, attributes
//	.task         request metadata: id, requestor, comments
//	.params       non-secret connection parameters
//	.secrets      secret connection parameters (tokens, passwords)
//	.auth.token   the current token of the call's auth block (oauth2, session)
//	.responses    earlier responses of the chain by call name: .responses.<name>.body/.status/.headers
//	.page         paging state of an import: number, cursor, offset, url
//	.since        the start of an incremental import
//	.now          the time the operation started (UTC)
//	.password     the password of CreateAccount/ChangePassword
//	.op           the operation name, e.g. "createAccount"
//	.record       the record being mapped or detailed during an import
//	.item         the current element of a call repeated with forEach
//	.index        its position in the list
//	.response     the response a condition's value template is testing
//	.ticket       ticket fields (title, description, id) in ticket calls
//
// Names that do not apply to a template are present and empty, so a
// reference never fails for lack of the top-level name itself.
//
// # Secrets
//
// Secret is a string type that redacts itself in fmt, log/slog and JSON
// output; Reveal returns the value. Engines keep credentials as Secrets so no
// code path can print one by accident.
//
// # Attribute mapping
//
// A Field maps a value inside a record to a typed attribute. In a spec it is
// either a bare path ("email") or an object:
//
//	{"path": "created_at", "type": "time", "layout": "unix"}
//	{"path": "team_ids", "type": "list", "of": "string"}
//
// Types are string, int, float, bool, time, list and raw; without a type the
// value keeps its JSON type, with numbers as int64 or float64 (an integer
// beyond int64, typically an ID, stays a json.Number with every digit).
package binding

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"
)

// Secret is a credential value. It prints as [REDACTED] with every fmt verb,
// in slog and in JSON; call Reveal to use the value.
type Secret string

const redacted = "[REDACTED]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String implements fmt.Stringer.
func (s Secret) String() string { return redacted }

// GoString implements fmt.GoStringer (the %#v verb).
func (s Secret) GoString() string { return redacted }

// Format implements fmt.Formatter so that no verb prints the value.
func (s Secret) Format(f fmt.State, verb rune) { _, _ = f.Write([]byte(redacted)) }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(redacted) }

// MarshalText implements encoding.TextMarshaler.
func (s Secret) MarshalText() ([]byte, error) { return []byte(redacted), nil }

// Vars holds the variables of one template rendering. The zero value is
// valid: every name is present and empty.
type Vars struct {
	User        map[string]any
	Account     map[string]any
	Entitlement map[string]any
	Task        map[string]any
	Params      map[string]any
	Secrets     map[string]Secret
	Auth        map[string]any
	Responses   map[string]any
	Page        map[string]any
	Ticket      map[string]any
	Since       time.Time
	Now         time.Time
	Password    Secret
	Op          string
	Record      any
	Item        any
}

// Map builds the map templates are rendered against. Secrets are revealed
// here, and only here: the map is handed to the template engine and never
// printed.
func (v *Vars) Map() map[string]any {
	secrets := make(map[string]any, len(v.Secrets))
	for k, s := range v.Secrets {
		secrets[k] = s.Reveal()
	}
	var since any
	if !v.Since.IsZero() {
		since = v.Since
	}
	return map[string]any{
		"user":        orEmpty(v.User),
		"account":     orEmpty(v.Account),
		"entitlement": orEmpty(v.Entitlement),
		"task":        orEmpty(v.Task),
		"params":      orEmpty(v.Params),
		"secrets":     secrets,
		"auth":        orEmpty(v.Auth),
		"responses":   orEmpty(v.Responses),
		"page":        orEmpty(v.Page),
		"ticket":      orEmpty(v.Ticket),
		"since":       since,
		"now":         v.Now,
		"password":    v.Password.Reveal(),
		"op":          v.Op,
		"record":      v.Record,
		"item":        v.Item,
		"index":       nil,
		"response":    nil,
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Response is the form in which a call's response is bound under
// .responses.<name>: body (decoded JSON, or text), status, and headers with
// lower-case names.
func Response(status int, header map[string][]string, body any) map[string]any {
	h := make(map[string]any, len(header))
	for k, v := range header {
		if len(v) > 0 {
			h[lower(k)] = v[0]
		}
	}
	return map[string]any{"status": status, "headers": h, "body": body}
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
