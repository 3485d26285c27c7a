package connector

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/template"
)

// chain runs calls in order, honouring if, forEach and restart. Each
// response is bound as .responses.<name>; a skipped call's entry is nil.
func (e *Engine) chain(ctx context.Context, op Operation, calls []*compiledCall, data map[string]any, red *redact.Redactor) error {
	responses := data["responses"].(map[string]any)
	restarts := map[int]int{}
	for i := 0; i < len(calls); i++ {
		cc := calls[i]
		if cc.ifT != nil {
			ok, err := e.holds(ctx, op, cc, data, red)
			if err != nil {
				return err
			}
			if !ok {
				responses[cc.name] = nil
				continue
			}
		}
		if cc.forEach != nil {
			if err := e.forEach(ctx, op, cc, data, red); err != nil {
				return err
			}
			continue
		}
		resp, err := e.do(ctx, op, cc, data, red, nil)
		if err != nil {
			if r := cc.restart; r != nil && resp != nil && restarts[i] < r.max && e.restarts(ctx, red, op, cc, resp, data, &err) {
				restarts[i]++
				responses[cc.name] = resp.binding()
				i = r.from - 1
				continue
			}
			return err
		}
		responses[cc.name] = resp.binding()
	}
	return nil
}

// holds renders the call's if: true, or false (also when it renders
// empty).
func (e *Engine) holds(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, red *redact.Redactor) (bool, error) {
	v, err := cc.ifT.RenderContext(ctx, data)
	if err != nil {
		return false, e.renderError(red, op, cc.name, err)
	}
	switch strings.TrimSpace(v) {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, &Error{Op: op, Call: cc.name, Path: cc.where + ".if", Message: fmt.Sprintf("renders %q: want true or false", red.String(v)), Err: ErrInvalidSpec}
}

// forEach runs a call once per element of a list; .item and .index are
// bound for each, and .responses.<name> holds the last response.
func (e *Engine) forEach(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, red *redact.Redactor) error {
	v, err := cc.forEach.ValueContext(ctx, data)
	if err != nil {
		return e.renderError(red, op, cc.name, err)
	}
	items, err := forEachItems(op, cc, v)
	if err != nil {
		return err
	}
	data["responses"].(map[string]any)[cc.name] = nil // present even when the list is empty
	defer func() { data["item"], data["index"] = nil, nil }()
	for i, item := range items {
		data["item"], data["index"] = item, i
		resp, err := e.do(ctx, op, cc, data, red, nil)
		if err != nil {
			return err
		}
		data["responses"].(map[string]any)[cc.name] = resp.binding()
	}
	return nil
}

// forEachItems returns the elements of the list a forEach rendered; nil and
// omitted are no elements.
func forEachItems(op Operation, cc *compiledCall, v any) ([]any, error) {
	var items []any
	switch l := v.(type) {
	case nil:
	case []any:
		items = l
	default:
		rv := reflect.ValueOf(v)
		if v == template.Omitted {
			break
		}
		if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
			return nil, &Error{Op: op, Call: cc.name, Path: cc.where + ".forEach", Message: fmt.Sprintf("renders %T: want a list", v), Err: ErrInvalidSpec}
		}
		for i := range rv.Len() { // a caller's []string, []map[string]any, ...
			items = append(items, rv.Index(i).Interface())
		}
	}
	return items, nil
}

// restarts reports whether a failed call's response matches its restart
// rule. A rule whose rendering was stopped replaces *err, the call's
// error, with that.
func (e *Engine) restarts(ctx context.Context, red *redact.Redactor, op Operation, cc *compiledCall, resp *response, data map[string]any, err *error) bool {
	ok, rerr := cc.restart.when.matches(ctx, resp, data)
	if rerr != nil {
		*err = e.renderError(red, op, cc.name, rerr)
	}
	return ok
}
