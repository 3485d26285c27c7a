// Package record maps the records of a target (decoded JSON) to typed
// attribute values, as the spec's binding.Field values describe: the
// engine's side of the binding package.
//
// A field reads a path in the record, or renders a value template against
// variables the caller supplies (see MapWith); the caller compiles those
// templates, so that they share its template set.
package record

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/jsonpath"
	"github.com/restconn/restconn/template"
)

// Mapper converts records into attribute maps. It is immutable and safe for
// concurrent use.
type Mapper struct {
	names  []string
	fields []Field
}

// Field is a binding.Field with its path or value template compiled.
type Field struct {
	binding.Field
	path *jsonpath.Path
	tmpl *template.Template // a value field; path is nil then
}

// TemplateCompiler compiles the value template of a field. name is the
// field's place relative to the set of fields ("email.value", "value"):
// the caller prefixes it with where the set is, so errors name the spec
// path.
type TemplateCompiler func(name, src string) (*template.Template, error)

// Compile checks and compiles a set of path fields; errors name the
// attribute. A value field is an error: use CompileWith.
func Compile(fields map[string]binding.Field) (*Mapper, error) { return CompileWith(fields, nil) }

// CompileWith is Compile with value templates compiled by tc (nil: value
// fields are an error).
func CompileWith(fields map[string]binding.Field, tc TemplateCompiler) (*Mapper, error) {
	m := &Mapper{names: slices.Sorted(maps.Keys(fields))}
	for _, name := range m.names {
		f := fields[name]
		var sub TemplateCompiler
		if tc != nil {
			sub = func(n, src string) (*template.Template, error) { return tc(attrName(name)+"."+n, src) }
		}
		cf, err := CompileFieldWith(f, sub)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		m.fields = append(m.fields, cf)
	}
	return m, nil
}

// attrName is an attribute's key as a path element, quoted when it is not
// a plain name.
func attrName(name string) string {
	if strings.ContainsAny(name, ".[]\" \\") {
		return "[" + strconv.Quote(name) + "]"
	}
	return name
}

// CompileField compiles one path field.
func CompileField(f binding.Field) (Field, error) { return CompileFieldWith(f, nil) }

// CompileFieldWith compiles one field, its value template with tc under
// the name "value" (nil: a value field is an error).
func CompileFieldWith(f binding.Field, tc TemplateCompiler) (Field, error) {
	if !valid(f.Type) || f.Type == binding.List && !valid(f.Of) || f.Type != binding.List && f.Of != "" {
		return Field{}, fmt.Errorf("unknown type %q (of %q): want string, int, float, bool, time, list or raw", f.Type, f.Of)
	}
	if f.Type != binding.Time && f.Layout != "" && f.Of != binding.Time {
		return Field{}, fmt.Errorf("layout %q given for a %s", f.Layout, f.Type)
	}
	if f.Value != "" {
		if f.Path != "" {
			return Field{}, fmt.Errorf("give path or value, not both")
		}
		if tc == nil {
			return Field{}, fmt.Errorf("a value template is not allowed here: give a path")
		}
		t, err := tc("value", f.Value)
		if err != nil {
			return Field{}, err
		}
		return Field{Field: f, tmpl: t}, nil
	}
	p, err := jsonpath.Compile(f.Path)
	if err != nil {
		return Field{}, err
	}
	return Field{Field: f, path: p}, nil
}

// Map converts record into attributes, adding them to into. An absent or
// null value is skipped unless the field has a default. Value fields see
// only .record; use MapWith to give them more.
func (m *Mapper) Map(record any, into map[string]any) error {
	return m.MapWith(context.Background(), record, nil, into)
}

// MapWith is Map with data as the variables of value templates: their
// .record must be record. nil data gives them .record only. Value
// templates render within ctx (template.Template.ValueContext): its end
// and its template.Limits stop them.
func (m *Mapper) MapWith(ctx context.Context, record any, data map[string]any, into map[string]any) error {
	for i := range m.fields {
		f := &m.fields[i]
		v, ok, err := f.value(ctx, record, data)
		if err != nil {
			return fmt.Errorf("attribute %q: %w", m.names[i], err)
		}
		if ok {
			into[m.names[i]] = v
		}
	}
	return nil
}

// Len returns the number of fields.
func (m *Mapper) Len() int { return len(m.fields) }

// Templates reports whether some field renders a value template, so that
// callers build the variables MapWith needs only then.
func (m *Mapper) Templates() bool {
	return slices.ContainsFunc(m.fields, func(f Field) bool { return f.tmpl != nil })
}

// IsTemplate reports whether the field renders a value template.
func (f Field) IsTemplate() bool { return f.tmpl != nil }

// Where says where the field reads, for error messages: its path, or
// "value" for a template.
func (f Field) Where() string {
	if f.tmpl != nil {
		return "value"
	}
	return strconv.Quote(f.Path)
}

func (f *Field) value(ctx context.Context, record any, data map[string]any) (any, bool, error) {
	var v any
	var ok bool
	if f.tmpl != nil {
		if data == nil {
			data = map[string]any{"record": record}
		}
		r, err := f.tmpl.ValueContext(ctx, data)
		if err != nil {
			return nil, false, fmt.Errorf("value: %w", err)
		}
		v, ok = r, r != template.Omitted
	} else {
		v, ok = f.path.Get(record)
	}
	if !ok || v == nil {
		if f.Default == nil {
			return nil, false, nil
		}
		v = f.Default
	}
	out, err := Convert(v, f.Type, f.Of, f.Layout)
	if err != nil {
		if f.tmpl != nil {
			return nil, false, fmt.Errorf("value: %w", err)
		}
		return nil, false, fmt.Errorf("path %q: %w", f.Path, err)
	}
	return out, true, nil
}

// Value is the exported form of one field's lookup and conversion, for
// callers that hold a single Field (IDs, names). A value field sees only
// .record; see ValueWith.
func (f Field) Value(record any) (any, bool, error) {
	return f.value(context.Background(), record, nil)
}

// ValueWith is Value with data as the variables of a value template (see
// MapWith).
func (f Field) ValueWith(ctx context.Context, record any, data map[string]any) (any, bool, error) {
	return f.value(ctx, record, data)
}

// Convert converts a decoded JSON value to t. of is the element type for
// lists; layout applies to times.
func Convert(v any, t, of binding.Type, layout string) (any, error) {
	switch t {
	case binding.Auto, binding.Raw:
		return Normalize(v), nil
	case binding.String:
		return ToString(v)
	case binding.Int:
		return toInt(v)
	case binding.Float:
		return toFloat(v)
	case binding.Bool:
		return toBool(v)
	case binding.Time:
		return toTime(v, layout)
	case binding.List:
		l, ok := v.([]any)
		if !ok {
			l = []any{v} // a scalar where a list is expected: a list of one
		}
		out := make([]any, 0, len(l))
		for i, e := range l {
			c, err := Convert(e, of, "", layout)
			if err != nil {
				return nil, fmt.Errorf("element %d: %w", i, err)
			}
			out = append(out, c)
		}
		return out, nil
	}
	return nil, fmt.Errorf("unknown type %q", t)
}

// Normalize returns v with json.Number values replaced by int64 when
// integral and float64 otherwise. A number that neither holds exactly
// enough (an integer beyond int64, an ID) nor fits a float64 at all (1e400,
// which would become +Inf and then break json.Marshal) stays a
// json.Number, its text as the server sent it. Objects and lists are
// copied, never modified: a record is shared by every attribute mapped
// from it.
func Normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") { // Int64 on "2.5" would allocate an error first
			if n, err := x.Int64(); err == nil {
				return n
			}
			return x // an integer beyond int64 (an ID): keep every digit
		}
		f, err := x.Float64()
		if err != nil {
			return x // out of float64's range: keep the text, never ±Inf
		}
		return f
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Normalize(e)
		}
		return out
	}
	return v
}

// ToString converts a scalar to its string form: IDs that arrive as numbers
// (OTRS, Intercom team IDs) become strings.
func ToString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case json.Number:
		return string(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case int:
		return strconv.Itoa(x), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", nil
	}
	return "", fmt.Errorf("cannot convert %s to string", describe(v))
}

func toInt(v any) (int64, error) {
	switch x := v.(type) {
	case json.Number:
		if n, err := x.Int64(); err == nil {
			return n, nil
		}
	case float64:
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x), nil
		}
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("cannot convert %s to int", describe(v))
}

// toFloat converts to a finite float64. A number beyond its range (1e400)
// is an error rather than ±Inf, which no JSON encoder can write.
func toFloat(v any) (float64, error) {
	var text string
	switch x := v.(type) {
	case json.Number:
		text = string(x)
	case float64:
		if !math.IsInf(x, 0) && !math.IsNaN(x) {
			return x, nil
		}
		return 0, fmt.Errorf("cannot convert %v to float: not a finite number", x)
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		text = strings.TrimSpace(x)
	default:
		return 0, fmt.Errorf("cannot convert %s to float", describe(v))
	}
	f, err := strconv.ParseFloat(text, 64)
	switch {
	case err == nil && !math.IsInf(f, 0) && !math.IsNaN(f):
		return f, nil
	case errors.Is(err, strconv.ErrRange) && math.IsInf(f, 0):
		return 0, fmt.Errorf("cannot convert %s to float: beyond the range of a float64 (about ±1.8e308)", describe(v))
	}
	return 0, fmt.Errorf("cannot convert %s to float", describe(v))
}

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, nil
		}
	case json.Number:
		switch x {
		case "0":
			return false, nil
		case "1":
			return true, nil
		}
	case float64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	}
	return false, fmt.Errorf("cannot convert %s to bool", describe(v))
}

func toTime(v any, layout string) (time.Time, error) {
	if t, ok := v.(time.Time); ok { // a value template such as {{ .now }}
		return t.UTC(), nil
	}
	switch layout {
	case "unix", "unixms":
		n, err := toFloat(v)
		if err != nil {
			return time.Time{}, fmt.Errorf("cannot convert %s to time (layout %s)", describe(v), layout)
		}
		if layout == "unixms" {
			return time.UnixMilli(int64(n)).UTC(), nil
		}
		return time.Unix(int64(n), 0).UTC(), nil
	}
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("cannot convert %s to time", describe(v))
	}
	if layout == "" {
		layout = time.RFC3339Nano
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("cannot convert %q to time (layout %q)", s, layout)
	}
	return t.UTC(), nil
}

func describe(v any) string {
	switch x := v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	case string:
		if len(x) > 40 {
			x = x[:40] + "…"
		}
		return strconv.Quote(x)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v (%T)", v, v)
}

func valid(t binding.Type) bool {
	switch t {
	case binding.Auto, binding.String, binding.Int, binding.Float, binding.Bool, binding.Time, binding.List, binding.Raw:
		return true
	}
	return false
}
