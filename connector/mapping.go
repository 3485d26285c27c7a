package connector

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/template"
)

// detail fetches the per-record detail, if the spec has one, and returns
// the record to map.
func (e *Engine) detail(ctx context.Context, run *importRun, r *compiledRecord, rec any) (any, error) {
	if r.detail == nil {
		return rec, nil
	}
	op := run.op
	resp, err := e.do(ctx, op, r.detail, run.listData(rec), e.red, nil)
	if err != nil {
		return nil, err
	}
	if r.detailRecord == nil {
		return resp.body, nil
	}
	v, ok := r.detailRecord.Get(resp.body)
	if !ok {
		return nil, &Error{Op: op, Call: r.detail.name, StatusCode: resp.status, Message: fmt.Sprintf("no record at %q in the detail response", r.detailRecord.String())}
	}
	return v, nil
}

func (e *Engine) mapAccount(ctx context.Context, run *importRun, ca *compiledAccounts, src *compiledCall, rec pageRecord) (Account, error) {
	op := run.op
	v, data, err := e.prepareRecord(ctx, run, &ca.compiledRecord, rec.v)
	if err != nil {
		return Account{}, err
	}
	id, name, attrs, err := ca.mapRecord(ctx, v, data)
	if err != nil {
		return Account{}, e.recordError(op, src, rec, id, err)
	}
	acct := Account{ID: id, Name: name, Active: true, Attributes: attrs}
	if ca.active != nil {
		acct.Active = ca.active.def
		if av, present := ca.active.cond.path.Get(v); present && av != nil {
			acct.Active = ca.active.cond.not != ca.active.cond.test(av, true)
		}
	}
	if len(ca.ents) > 0 {
		acct.Entitlements = make(map[string][]string, len(ca.ents))
		for _, ep := range ca.ents {
			ids, err := idList(ep.path.Get(v))
			if err != nil {
				return Account{}, e.recordError(op, src, rec, id, fmt.Errorf("entitlements %q: %w", ep.typ, err))
			}
			acct.Entitlements[ep.typ] = ids
		}
	}
	return acct, nil
}

// prepareRecord runs a record's detail calls: the one that replaces it
// (detail) or the ones that add to it (details). It returns the record to
// map and, when some field renders a template, the fields' variables.
func (e *Engine) prepareRecord(ctx context.Context, run *importRun, r *compiledRecord, rec any) (v any, data map[string]any, err error) {
	if v, err = e.detail(ctx, run, r, rec); err != nil {
		return nil, nil, err
	}
	det, err := e.details(ctx, run, r, rec)
	if err != nil {
		return nil, nil, err
	}
	if r.vars {
		data = run.recordVars(v, det)
	}
	return v, data, nil
}

// mapRecord maps a record to its ID, name and attributes; data holds the
// variables of value fields (nil when there are none).
func (r *compiledRecord) mapRecord(ctx context.Context, v any, data map[string]any) (id, name string, attrs map[string]any, err error) {
	if id, err = fieldID(ctx, r.id, v, data); err != nil {
		return "", "", nil, err
	}
	if r.name != nil {
		nv, ok, err := r.name.ValueWith(ctx, v, data)
		if err != nil {
			return id, "", nil, fmt.Errorf("name: %w", err)
		}
		if ok {
			name, _ = record.ToString(nv)
		}
	}
	attrs = make(map[string]any, r.attrs.Len())
	if err := r.attrs.MapWith(ctx, v, data, attrs); err != nil {
		return id, name, nil, err
	}
	return id, name, attrs, nil
}

// fieldID reads the ID field f of record v: a string, or a scalar (a
// spec that types the ID as a number); absent or empty is an error.
func fieldID(ctx context.Context, f record.Field, v any, data map[string]any) (string, error) {
	idv, ok, err := f.ValueWith(ctx, v, data)
	if err != nil {
		return "", fmt.Errorf("id: %w", err)
	}
	id, isText := idv.(string)
	if !isText {
		id, _ = record.ToString(idv)
	}
	if !ok || id == "" {
		return "", fmt.Errorf("no ID at %s", f.Where())
	}
	return id, nil
}

func (e *Engine) recordError(op Operation, src *compiledCall, rec pageRecord, id string, err error) *Error {
	where := fmt.Sprintf("page %d, record %d", rec.page, rec.index)
	if id != "" {
		where += " (id " + strconv.Quote(id) + ")"
	}
	out := &Error{Op: op, Call: src.name, Message: where + ": " + err.Error()}
	if te := (*template.Error)(nil); errors.As(err, &te) && renderStopped(out, te) {
		out.Path, out.Message = te.Template, where+": "+out.Message // a value template that went past a limit
	}
	return e.mask(out)
}

// idList turns the value of an entitlement or members path into IDs.
func idList(v any, ok bool) ([]string, error) {
	if !ok || v == nil {
		return []string{}, nil
	}
	l, isList := v.([]any)
	if !isList {
		l = []any{v}
	}
	out := make([]string, 0, len(l))
	for _, x := range l {
		if x == nil {
			continue
		}
		s, err := record.ToString(x)
		if err != nil {
			return nil, fmt.Errorf("an ID is %s", jsonKind(x))
		}
		out = append(out, s)
	}
	return out, nil
}
