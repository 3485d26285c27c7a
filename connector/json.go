package connector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"

	"github.com/restconn/restconn/internal/record"
)

// JSON forms of the public types. Field names are lower camelCase (the
// struct tags in connector.go); these methods add what tags cannot say:
//
//   - Numbers in attribute maps decode the way the engine produces them
//     (whole numbers as int64, others as float64, integers beyond int64 as
//     json.Number with every digit), never through float64, so a large
//     numeric ID read back from JSON is the ID that was written.
//   - Request.Password is read but never written.
//   - A Request is decoded strictly, because request files are written by
//     hand and a misspelt key would otherwise be silently dropped.

// UnmarshalJSON implements json.Unmarshaler with exact numbers.
func (a *Account) UnmarshalJSON(b []byte) error {
	type plain Account // no methods: no recursion
	var p plain
	if err := decodeNumbers(b, &p); err != nil {
		return err
	}
	p.Attributes = normalizeMap(p.Attributes)
	*a = Account(p)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler with exact numbers.
func (e *Entitlement) UnmarshalJSON(b []byte) error {
	type plain Entitlement
	var p plain
	if err := decodeNumbers(b, &p); err != nil {
		return err
	}
	p.Attributes = normalizeMap(p.Attributes)
	*e = Entitlement(p)
	return nil
}

// UnmarshalJSON implements json.Unmarshaler with exact numbers.
func (r *Result) UnmarshalJSON(b []byte) error {
	type plain Result
	var p plain
	if err := decodeNumbers(b, &p); err != nil {
		return err
	}
	p.Attributes = normalizeMap(p.Attributes)
	*r = Result(p)
	return nil
}

// requestJSON is Request without its methods (String, Format, MarshalJSON,
// ...), for encoding/json to work on.
type requestJSON Request

// requestShape is what checkKeys compares a request document with:
// Request's fields, but an entitlement without UnmarshalJSON, so that
// checkKeys walks into it and names the full path of a bad value inside.
type requestShape struct {
	requestJSON
	Entitlement *entitlementJSON `json:"entitlement"` // after the embedded field: it wins
}

type entitlementJSON Entitlement

// MarshalJSON implements json.Marshaler. It leaves the password out.
func (r Request) MarshalJSON() ([]byte, error) {
	p := requestJSON(r)
	p.Password = ""
	return json.Marshal(p)
}

// UnmarshalJSON implements json.Unmarshaler. It reads the password, keeps
// numbers exact, and fails on an unknown key, a value of the wrong kind or
// an unknown operation with an *Error whose Path is the JSON path of the
// offending value (e.g. "entitlement.nmae").
func (r *Request) UnmarshalJSON(b []byte) error {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return &Error{Message: "request is not valid JSON: " + err.Error()}
	}
	if err := checkKeys(raw, reflect.TypeOf(requestShape{}), ""); err != nil {
		// checkKeys reports spec errors; here the same findings describe
		// a request, so keep where and what but not ErrInvalidSpec.
		if e, ok := err.(*Error); ok {
			return &Error{Path: e.Path, Message: e.Message}
		}
		return err
	}
	var p requestJSON
	if err := decodeNumbers(b, &p); err != nil {
		return &Error{Message: "request: " + err.Error()}
	}
	if p.Op != "" && !slices.Contains(Operations, p.Op) {
		return &Error{Path: "op", Message: fmt.Sprintf("unknown operation %q (want one of %s)", p.Op, list(opNames()))}
	}
	p.User, p.Account, p.Task = normalizeMap(p.User), normalizeMap(p.Account), normalizeMap(p.Task)
	*r = Request(p)
	return nil
}

// decodeNumbers decodes b into v with json.Number for numbers in
// interface values.
func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// normalizeMap turns the json.Number values of a decoded map into the
// Go types the engine uses; nil stays nil.
func normalizeMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	return record.Normalize(m).(map[string]any)
}
