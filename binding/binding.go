// Package binding documents the variables restconn templates see and
// defines the data types a spec and its caller share: Field and Type, which
// map target records to typed attributes, and Secret, a string that redacts
// itself.
//
// # Variables
//
// Every template in a spec is rendered against one map with these top-level
// names:
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
//	.now          the time the operation (or the import) started (UTC)
//	.password     the password of CreateAccount/ChangePassword
//	.op           the operation name, e.g. "createAccount"
//	.record       the record being mapped or detailed during an import
//	.detail       during an import, the bodies of a record's detail calls, by call name
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
//	{"value": "{{ rfc3339 .now }}"}
//
// The last form, value instead of path, renders a template over .record
// (the record being mapped), .detail (the responses of the record's
// detail calls, by name), .params, .now (the time the import started, the
// same for every record of one import) and .since; a template whose whole
// text is one action keeps its value's type, which is then converted like
// a path's value. Field templates do not see .secrets.
//
// Types are string, int, float, bool, time, list and raw; without a type the
// value keeps its JSON type, with numbers as int64 or float64 (an integer
// beyond int64, typically an ID, stays a json.Number with every digit). The
// Go values each type yields:
//
//	string  string (numbers and booleans as their text)
//	int     int64 (from numbers and numeric strings)
//	float   float64
//	bool    bool (from true/false, "true"/"false", 0 and 1)
//	time    time.Time in UTC (layout: a Go layout, "unix", "unixms"; default RFC 3339)
//	list    []any of the "of" type (a single value becomes a list of one)
//	raw     the JSON value as it is, numbers as above
//
// The engine compiles Fields when it compiles a spec; a Field itself is
// plain data.
package binding

import (
	"encoding/json"
	"fmt"
	"log/slog"
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
