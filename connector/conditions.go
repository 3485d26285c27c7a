package connector

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/template"
)

// matchAny reports whether any rule matches the response.
func (e *Engine) matchAny(rules []*compiledRule, r *response, data map[string]any) bool {
	for _, rule := range rules {
		if e.matches(rule, r, data) {
			return true
		}
	}
	return false
}

// matches: the status is one of rule.status (when given) and every
// condition holds.
func (e *Engine) matches(rule *compiledRule, r *response, data map[string]any) bool {
	if len(rule.status) > 0 && !containsInt(rule.status, r.status) {
		return false
	}
	return e.allHold(rule.when, r, data)
}

func (e *Engine) allHold(conds []*compiledCond, r *response, data map[string]any) bool {
	for _, k := range conds {
		if !e.holds(k, r, data) {
			return false
		}
	}
	return true
}

// holds evaluates one condition. A condition whose template fails to
// render does not hold.
func (e *Engine) holds(k *compiledCond, r *response, data map[string]any) bool {
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
		out, err := k.value.Value(data)
		if err == nil && out != template.Omitted {
			v, present = out, true
		}
	}
	return k.not != test(k, v, present)
}

func test(k *compiledCond, v any, present bool) bool {
	if !k.hasTest {
		return present && truthy(v)
	}
	if k.exists != nil && present != *k.exists {
		return false
	}
	if k.equals != nil && !(present && equal(v, k.equals)) {
		return false
	}
	if k.in != nil {
		found := false
		for _, x := range k.in {
			found = found || present && equal(v, x)
		}
		if !found {
			return false
		}
	}
	if k.re != nil {
		s, err := binding.ToString(v)
		if !present || err != nil || !k.re.MatchString(s) {
			return false
		}
	}
	return true
}

// equal compares JSON values; scalars compare by their text, so the number
// 3 equals "3" (OTRS sends IDs either way).
func equal(a, b any) bool {
	sa, errA := binding.ToString(a)
	sb, errB := binding.ToString(b)
	if errA == nil && errB == nil && a != nil && b != nil {
		return sa == sb
	}
	return reflect.DeepEqual(binding.Normalize(clone(a)), binding.Normalize(clone(b)))
}

func clone(v any) any {
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
