package record_test

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/record"
)

func decodeRecord(data []byte, useNumber bool) (any, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if useNumber {
		dec.UseNumber()
	}
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, false
	}
	return v, true
}

// scalars returns every non-container value of a decoded document.
func scalars(v any, out []any) []any {
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			out = scalars(e, out)
		}
	case []any:
		for _, e := range x {
			out = scalars(e, out)
		}
	default:
		out = append(out, v)
	}
	return out
}

// checkType fails unless v has the Go type documented for t.
func checkType(t *testing.T, what string, typ binding.Type, of binding.Type, v any) {
	t.Helper()
	ok := true
	switch typ {
	case binding.String:
		_, ok = v.(string)
	case binding.Int:
		_, ok = v.(int64)
	case binding.Float:
		_, ok = v.(float64)
	case binding.Bool:
		_, ok = v.(bool)
	case binding.Time:
		_, ok = v.(time.Time)
	case binding.List:
		l, isList := v.([]any)
		ok = isList
		for _, e := range l {
			checkType(t, what+" element", of, "", e)
		}
	case binding.Auto, binding.Raw:
		if n, isNum := v.(json.Number); isNum {
			// Normalize replaces numbers, except integers beyond int64,
			// which keep every digit as json.Number, and numbers beyond
			// float64's range, which keep their text.
			_, err := n.Int64()
			_, ferr := n.Float64()
			ok = err != nil && !strings.ContainsAny(string(n), ".eE") || ferr != nil
		}
	}
	if !ok {
		t.Fatalf("%s: converted to %s, got %T (%#v)", what, typ, v, v)
	}
}

// checkConvert converts one scalar to string, int, float and bool and checks
// the result's type and, where the input determines it, its value.
func checkConvert(t *testing.T, v any) {
	t.Helper()
	if s, err := record.Convert(v, binding.String, "", ""); err == nil {
		checkType(t, "string", binding.String, "", s)
		switch x := v.(type) {
		case string:
			assert.Equal(t, x, s)
		case json.Number:
			assert.Equal(t, string(x), s)
		case bool:
			assert.Equal(t, strconv.FormatBool(x), s)
		case nil:
			assert.Equal(t, "", s)
		case float64:
			f, perr := strconv.ParseFloat(s.(string), 64)
			require.NoError(t, perr)
			assert.Equal(t, x, f)
		}
	}
	if n, err := record.Convert(v, binding.Int, "", ""); err == nil {
		checkType(t, "int", binding.Int, "", n)
		got := n.(int64)
		switch x := v.(type) {
		case json.Number:
			want, perr := x.Int64()
			require.NoError(t, perr, "Convert accepted %q as an int", x)
			assert.Equal(t, want, got)
		case float64:
			// Values outside int64 are a known bug (TestConvertIntOverflow,
			// skipped until fixed); check everything else.
			if math.Abs(x) < 1<<63 && float64(got) != x {
				t.Fatalf("Convert(%v, int) = %d", x, got)
			}
		case string:
			want, perr := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
			require.NoError(t, perr, "Convert accepted %q as an int", x)
			assert.Equal(t, want, got)
		case bool, nil:
			t.Fatalf("Convert(%#v, int) succeeded with %d", v, got)
		}
	}
	if f, err := record.Convert(v, binding.Float, "", ""); err == nil {
		checkType(t, "float", binding.Float, "", f)
	}
	if b, err := record.Convert(v, binding.Bool, "", ""); err == nil {
		checkType(t, "bool", binding.Bool, "", b)
		switch x := v.(type) {
		case string:
			want, perr := strconv.ParseBool(strings.TrimSpace(x))
			require.NoError(t, perr)
			assert.Equal(t, want, b)
		case json.Number:
			assert.Contains(t, []string{"0", "1"}, string(x))
			assert.Equal(t, x == "1", b)
		case float64:
			assert.Equal(t, x == 1, b)
		case nil:
			t.Fatalf("Convert(null, bool) succeeded with %v", b)
		}
	}
}

// FuzzMap maps arbitrary JSON records through an arbitrary field. Compile
// and Map must never panic; a mapped value has the Go type of the field's
// type; Convert to string, int, float and bool either fails or returns the
// right type (and, where the input determines it, the right value).
func FuzzMap(f *testing.F) {
	f.Add([]byte(`{"id":7,"email":"a@x","active":true,"created_at":1700000000,"team_ids":[1,"2",3.5]}`), "team_ids", "list", "string", "")
	f.Add([]byte(`{"Ticket":[{"TicketID":"42","Age":"3600","Changed":"2026-01-02 03:04:05"}]}`), "Ticket[0].Changed", "time", "", "2006-01-02 15:04:05")
	f.Add([]byte(`{"active":"false","n":" 12 ","f":1e3,"b":1}`), "n", "int", "", "")
	f.Add([]byte(`{"created":"2026-01-02T03:04:05Z","ms":1767323045000}`), "ms", "time", "", "unixms")
	f.Add([]byte(`{"roles":[{"value":"admin"},{"value":"dev"}],"flag":0}`), "roles[].value", "list", "bool", "")
	f.Add([]byte(`[1, 2.5, -0, "x", null, true, {"a": 12345678901234567890}]`), "[6].a", "float", "", "")
	f.Fuzz(func(t *testing.T, data []byte, path, typ, of, layout string) {
		field := binding.Field{Path: path, Type: binding.Type(typ), Of: binding.Type(of), Layout: layout}
		cf, err := record.CompileField(field)
		m, merr := record.Compile(map[string]binding.Field{"a": field})
		if (err == nil) != (merr == nil) {
			t.Fatalf("CompileField and Compile disagree: %v / %v", err, merr)
		}
		for _, useNumber := range []bool{true, false} {
			rec, ok := decodeRecord(data, useNumber)
			if !ok {
				return
			}
			for _, s := range scalars(rec, nil) {
				checkConvert(t, s)
			}
			if err != nil {
				continue
			}
			if v, present, verr := cf.Value(rec); verr == nil && present {
				checkType(t, "Value", field.Type, field.Of, v)
			}
			rec, _ = decodeRecord(data, useNumber) // Value may normalize in place
			into := map[string]any{}
			if err := m.Map(rec, into); err == nil {
				if v, present := into["a"]; present {
					checkType(t, "Map", field.Type, field.Of, v)
				}
			} else if len(into) != 0 {
				t.Fatalf("Map failed (%v) but filled %v", err, into)
			}
		}
	})
}

// Convert to int must fail, not wrap around, for numbers outside int64.
func TestConvertIntOverflow(t *testing.T) {
	for _, x := range []float64{1e19, -1e19, 9.3e18, math.MaxFloat64} {
		n, err := record.Convert(x, binding.Int, "", "")
		assert.Error(t, err, "Convert(%v, int) = %v", x, n)
	}
}

// Mapping a record must not depend on the other attributes of the mapper:
// an Auto attribute over the whole record normalizes it in place, so a
// later int attribute sees a float64 instead of the json.Number the engine
// decoded, and an out-of-range ID becomes a wrapped int64.
func TestMapAttributesIndependent(t *testing.T) {
	fields := map[string]binding.Field{
		"a_raw": {Path: "$"},
		"b_id":  {Path: "id", Type: binding.Int},
	}
	m, err := record.Compile(fields)
	require.NoError(t, err)
	rec, _ := decodeRecord([]byte(`{"id":12345678901234567890}`), true)
	err = m.Map(rec, map[string]any{})
	assert.Error(t, err, "an ID beyond int64 must not convert")

	only, err := record.Compile(map[string]binding.Field{"b_id": fields["b_id"]})
	require.NoError(t, err)
	rec, _ = decodeRecord([]byte(`{"id":12345678901234567890}`), true)
	assert.Error(t, only.Map(rec, map[string]any{}))
}
