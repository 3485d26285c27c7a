// Package record maps the records of a target (decoded JSON) to typed
// attribute values, as the spec's binding.Field values describe: the
// engine's side of the binding package.
package record

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/jsonpath"
)

// Mapper converts records into attribute maps. It is immutable and safe for
// concurrent use.
type Mapper struct {
	names  []string
	fields []Field
}

// Field is a binding.Field with its path compiled.
type Field struct {
	binding.Field
	path *jsonpath.Path
}

// Compile checks and compiles a set of fields; errors name the attribute.
func Compile(fields map[string]binding.Field) (*Mapper, error) {
	m := &Mapper{names: slices.Sorted(maps.Keys(fields))}
	for _, name := range m.names {
		f := fields[name]
		cf, err := CompileField(f)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", name, err)
		}
		m.fields = append(m.fields, cf)
	}
	return m, nil
}

// CompileField compiles one field.
func CompileField(f binding.Field) (Field, error) {
	if !valid(f.Type) || f.Type == binding.List && !valid(f.Of) || f.Type != binding.List && f.Of != "" {
		return Field{}, fmt.Errorf("unknown type %q (of %q): want string, int, float, bool, time, list or raw", f.Type, f.Of)
	}
	if f.Type != binding.Time && f.Layout != "" && f.Of != binding.Time {
		return Field{}, fmt.Errorf("layout %q given for a %s", f.Layout, f.Type)
	}
	p, err := jsonpath.Compile(f.Path)
	if err != nil {
		return Field{}, err
	}
	return Field{Field: f, path: p}, nil
}

// Map converts record into attributes, adding them to into. An absent or
// null value is skipped unless the field has a default.
func (m *Mapper) Map(record any, into map[string]any) error {
	for i := range m.fields {
		f := &m.fields[i]
		v, ok, err := f.value(record)
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

func (f *Field) value(record any) (any, bool, error) {
	v, ok := f.path.Get(record)
	if !ok || v == nil {
		if f.Default == nil {
			return nil, false, nil
		}
		v = f.Default
	}
	out, err := Convert(v, f.Type, f.Of, f.Layout)
	if err != nil {
		return nil, false, fmt.Errorf("path %q: %w", f.Path, err)
	}
	return out, true, nil
}

// Value is the exported form of one field's lookup and conversion, for
// callers that hold a single Field (IDs, names).
func (f Field) Value(record any) (any, bool, error) { return f.value(record) }

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
// integral and float64 otherwise. Objects and lists are copied, never
// modified: a record is shared by every attribute mapped from it.
func Normalize(v any) any {
	switch x := v.(type) {
	case json.Number:
		if !strings.ContainsAny(string(x), ".eE") { // Int64 on "2.5" would allocate an error first
			if n, err := x.Int64(); err == nil {
				return n
			}
			return x // an integer beyond int64 (an ID): keep every digit
		}
		f, _ := x.Float64()
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

func toFloat(v any) (float64, error) {
	switch x := v.(type) {
	case json.Number:
		if f, err := x.Float64(); err == nil {
			return f, nil
		}
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, nil
		}
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
