package connector

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/restconn/restconn/internal/record"
)

// equalByRoundTrip is how equal compared values before it walked them: a
// trip through encoding/json, then deep equality of the normalized
// results. equal must give the same answers.
func equalByRoundTrip(a, b any) bool {
	sa, errA := record.ToString(a)
	sb, errB := record.ToString(b)
	if errA == nil && errB == nil && a != nil && b != nil {
		return sa == sb
	}
	clone := func(v any) any {
		b, err := json.Marshal(v)
		if err != nil {
			return v
		}
		var out any
		_ = json.Unmarshal(b, &out)
		return out
	}
	return reflect.DeepEqual(record.Normalize(clone(a)), record.Normalize(clone(b)))
}

func TestEqualMatchesJSONRoundTrip(t *testing.T) {
	type named string
	values := []any{
		nil, "3", json.Number("3"), json.Number("3.0"), json.Number("18446744073709551615"), json.Number("1e400"),
		3, int64(3), 3.0, 2.5, true, false, "true", named("x"), "x",
		[]any{}, []any(nil), []any{json.Number("1"), "a"}, []any{1.0, "a"}, []any{int64(1), "a"}, []any{"1", "a"},
		[]string{"a", "b"}, []any{"a", "b"}, []int{1, 2}, []any{json.Number("1"), json.Number("2")},
		map[string]any{}, map[string]any(nil), map[string]any{"a": json.Number("1")}, map[string]any{"a": 1.0},
		map[string]any{"a": "1"}, map[string]string{"a": "1"}, map[string]any{"a": []any{nil}},
		map[string]any{"a": []any{}}, time.Unix(0, 0).UTC(), "1970-01-01T00:00:00Z", struct{ A int }{1}, map[string]any{"A": 1},
	}
	for _, a := range values {
		for _, b := range values {
			if got, want := equal(a, b), equalByRoundTrip(a, b); got != want {
				t.Errorf("equal(%#v, %#v) = %v, want %v", a, b, got, want)
			}
		}
	}
}
