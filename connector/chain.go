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
			v, err := cc.ifT.RenderContext(ctx, data)
			if err != nil {
				return e.renderError(red, op, cc.name, err)
			}
			switch strings.TrimSpace(v) {
			case "true":
			case "false", "":
				responses[cc.name] = nil
				continue
			default:
				return &Error{Op: op, Call: cc.name, Path: cc.where + ".if", Message: fmt.Sprintf("renders %q: want true or false", red.String(v)), Err: ErrInvalidSpec}
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

// forEach runs a call once per element of a list; .item and .index are
// bound for each, and .responses.<name> holds the last response.
func (e *Engine) forEach(ctx context.Context, op Operation, cc *compiledCall, data map[string]any, red *redact.Redactor) error {
	v, err := cc.forEach.ValueContext(ctx, data)
	if err != nil {
		return e.renderError(red, op, cc.name, err)
	}
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
			return &Error{Op: op, Call: cc.name, Path: cc.where + ".forEach", Message: fmt.Sprintf("renders %T: want a list", v), Err: ErrInvalidSpec}
		}
		for i := range rv.Len() { // a caller's []string, []map[string]any, ...
			items = append(items, rv.Index(i).Interface())
		}
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
