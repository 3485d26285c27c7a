package binding

import (
	"encoding/json"
)

// Type is the type an attribute value is converted to.
type Type string

// The attribute types. The empty Type keeps the JSON type (numbers become
// int64 when integral, else float64; integers beyond int64 stay json.Number).
const (
	Auto   Type = ""
	String Type = "string"
	Int    Type = "int"
	Float  Type = "float"
	Bool   Type = "bool"
	Time   Type = "time"
	List   Type = "list"
	Raw    Type = "raw"
)

// Field maps one value of a record to an attribute. In JSON it is a path
// string or an object with these keys. It is plain data: the engine
// compiles it when it compiles the spec.
//
// A Field reads its value either at Path in the record or by rendering
// Value, a template over the record and the import's variables (.record,
// .detail, .params, .now, .since), for values the record alone does not
// hold. Give one of the two; Type, Of, Layout and Default apply to
// either.
type Field struct {
	Path    string `json:"path"`
	Value   string `json:"value,omitempty"` // a template, instead of Path
	Type    Type   `json:"type,omitempty"`
	Of      Type   `json:"of,omitempty"`     // element type when Type is list
	Layout  string `json:"layout,omitempty"` // time: a Go layout, "unix", "unixms"; default RFC 3339
	Default any    `json:"default,omitempty"`
}

// UnmarshalJSON accepts the path shorthand "a.b" as well as the object form.
func (f *Field) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*f = Field{Path: s}
		return nil
	}
	type plain Field
	return json.Unmarshal(b, (*plain)(f))
}

// MarshalJSON writes the shorthand when only a path is set, and leaves
// the path out of a field that renders Value.
func (f Field) MarshalJSON() ([]byte, error) {
	if f.Value == "" && f.Type == "" && f.Of == "" && f.Layout == "" && f.Default == nil {
		return json.Marshal(f.Path)
	}
	type plain Field
	if f.Value != "" && f.Path == "" {
		type valueOnly struct {
			plain
			Path string `json:"path,omitempty"`
		}
		return json.Marshal(valueOnly{plain: plain(f)})
	}
	return json.Marshal(plain(f))
}
