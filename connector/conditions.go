package connector

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/template"
)

// matchAny reports whether any rule matches the response. Conditions
// render their templates within ctx; the error is that of a rendering
// stopped by its limits or its context (see holds).
func matchAny(ctx context.Context, rules []*compiledRule, r *response, data map[string]any) (bool, error) {
	for _, rule := range rules {
		if ok, err := rule.matches(ctx, r, data); ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// matches: the status is one of rule.status (when given) and every
// condition holds.
func (rule *compiledRule) matches(ctx context.Context, r *response, data map[string]any) (bool, error) {
	if len(rule.status) > 0 && !slices.Contains(rule.status, r.status) {
		return false, nil
	}
	return allHold(ctx, rule.when, r, data)
}

func allHold(ctx context.Context, conds []*compiledCond, r *response, data map[string]any) (bool, error) {
	for _, k := range conds {
		if ok, err := k.holds(ctx, r, data); !ok || err != nil {
			return false, err
		}
	}
	return true, nil
}

// holds evaluates the condition. A condition whose template fails to
// render does not hold, unless the rendering was stopped, by its limits
// or by the end of ctx: that is an error, which a condition that does not
// hold would hide.
func (k *compiledCond) holds(ctx context.Context, r *response, data map[string]any) (bool, error) {
	var (
		v       any
		present bool
	)
	switch {
	case k.path != nil:
		if r != nil {
			v, present = k.path.Get(r.body)
		}
	case k.header != "":
		if r != nil {
			if vals := r.header.Values(k.header); len(vals) > 0 {
				v, present = vals[0], true
			}
		}
	case k.value != nil:
		if r != nil {
			data["response"] = r.binding()
			defer delete(data, "response")
		}
		out, err := k.value.ValueContext(ctx, data)
		if err != nil && stoppedRendering(err) {
			return false, err
		}
		if err == nil && out != template.Omitted {
			v, present = out, true
		}
	}
	return k.not != k.test(v, present), nil
}

// stoppedRendering reports whether a template's rendering was stopped by
// its limits or its context, rather than failing on its data.
func stoppedRendering(err error) bool {
	var le *template.LimitError
	return errors.As(err, &le) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// test applies the condition's tests to a value, before negation.
func (k *compiledCond) test(v any, present bool) bool {
	if !k.hasTest {
		return present && truthy(v)
	}
	if k.exists != nil && present != *k.exists {
		return false
	}
	if k.equals != nil && !(present && equal(v, k.equals)) {
		return false
	}
	if k.in != nil && !slices.ContainsFunc(k.in, func(x any) bool { return present && equal(v, x) }) {
		return false
	}
	if k.re != nil {
		s, err := record.ToString(v)
		if !present || err != nil || !k.re.MatchString(s) {
			return false
		}
	}
	return true
}

// equal compares JSON values; scalars compare by their text, so the number
// 3 equals "3" (OTRS sends IDs either way).
func equal(a, b any) bool {
	sa, errA := record.ToString(a)
	sb, errB := record.ToString(b)
	if errA == nil && errB == nil && a != nil && b != nil {
		return sa == sb
	}
	return jsonEqual(a, b)
}

// jsonEqual reports whether a and b are the same JSON value: numbers
// compare by value (as float64, the way encoding/json reads them), objects
// member by member, lists element by element.
func jsonEqual(a, b any) bool {
	a, b = plainJSON(a), plainJSON(b)
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case float64:
		y, ok := b.(float64)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && slices.EqualFunc(x, y, jsonEqual)
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for key, xv := range x {
			if yv, ok := y[key]; !ok || !jsonEqual(xv, yv) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b) // a value encoding/json cannot encode
}

// plainJSON returns v in the form encoding/json decodes it to: nil,
// string, bool, float64, []any or map[string]any. Decoded documents are
// already in that form but for their numbers; other Go values (a caller's
// []string, a struct) take a trip through encoding/json, which alone knows
// how they encode.
func plainJSON(v any) any {
	switch x := v.(type) {
	case nil, string, bool, float64:
		return v
	case []any:
		if x == nil {
			return nil
		}
		return v
	case map[string]any:
		if x == nil {
			return nil
		}
		return v
	case json.Number:
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return f
		}
	case int64:
		return float64(x)
	case int:
		return float64(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != "" && !strings.EqualFold(x, "false") && x != "0"
	case json.Number:
		f, err := x.Float64()
		return err != nil || f != 0
	case float64:
		return x != 0
	case []any:
		return len(x) > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}
