package connector

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"time"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/paging"
)

// ImportAccounts implements Connector. Records stream page by page: memory
// holds one page at a time (plus the IDs already seen when the spec asks
// for unique records or lists several sources).
func (e *Engine) ImportAccounts(ctx context.Context, opts ImportOptions) iter.Seq2[Account, error] {
	return func(yield func(Account, error) bool) {
		for acct, err := range e.accounts(ctx, opImportAccounts, opts) {
			if !yield(acct, err) || err != nil {
				return
			}
		}
	}
}

func (e *Engine) accounts(ctx context.Context, op Operation, opts ImportOptions) iter.Seq2[Account, error] {
	return func(yield func(Account, error) bool) {
		ca := e.c.accounts
		if ca == nil {
			yield(Account{}, &Error{Op: op, Message: "the spec has no import.accounts", Err: ErrUnsupported})
			return
		}
		sources := ca.sources
		if !opts.Since.IsZero() {
			if len(ca.incremental) == 0 {
				yield(Account{}, &Error{Op: op, Message: "incremental import (ImportOptions.Since) is not defined by this spec (import.accounts.incremental)", Err: ErrUnsupported})
				return
			}
			sources = ca.incremental
		}
		var seen map[string]struct{}
		if ca.unique {
			seen = map[string]struct{}{}
		}
		for _, src := range sources {
			for rec, err := range e.records(ctx, op, src, opts.Since) {
				if err != nil {
					yield(Account{}, err)
					return
				}
				acct, err := e.mapAccount(ctx, op, ca, src, rec)
				if err != nil {
					yield(Account{}, err)
					return
				}
				if seen != nil {
					if _, dup := seen[acct.ID]; dup {
						continue
					}
					seen[acct.ID] = struct{}{}
				}
				if !yield(acct, nil) {
					return
				}
			}
		}
	}
}

// record is one record of a page with its position, for error messages.
type record struct {
	v     any
	page  int
	index int
}

// records walks every page of a list call and yields its records. Templates
// are rendered once per page only when they read .page; the request is
// otherwise rendered once and only its paging parameters change.
func (e *Engine) records(ctx context.Context, op Operation, cc *compiledCall, since time.Time) iter.Seq2[record, error] {
	return func(yield func(record, error) bool) {
		vars := e.baseVars()
		vars.Since = since
		vars.Responses = map[string]any{}
		data := vars.Map()
		var st *paging.State
		if cc.pager != nil {
			st = cc.pager.Start()
		}
		lp := &listPage{st: st}
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(record{}, e.ctxError(ctx, op, cc.name, err))
				return
			}
			if st != nil {
				data["page"] = st.Vars()
			}
			resp, err := e.do(ctx, op, cc, data, e.red, lp)
			if err != nil {
				yield(record{}, err)
				return
			}
			recs, err := e.pageRecords(op, cc, resp, page)
			if err != nil {
				yield(record{}, err)
				return
			}
			for i, r := range recs {
				if !yield(record{v: r, page: page, index: i}, nil) {
					return
				}
			}
			if st == nil {
				return
			}
			stop := e.matchAny(cc.stop, resp, data)
			if err := cc.pager.Next(st, paging.Page{Body: resp.body, Header: resp.header, Records: len(recs), URL: resp.url, Stop: stop}); err != nil {
				yield(record{}, e.mask(&Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: %v", page, err)}))
				return
			}
			if st.Done {
				return
			}
		}
	}
}

func (e *Engine) pageRecords(op Operation, cc *compiledCall, resp *response, page int) ([]any, error) {
	if resp.body == nil {
		return nil, nil
	}
	if _, isText := resp.body.(string); isText {
		return nil, e.mask(&Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: response is not JSON: %s", page, snippet(resp.raw, e.red))})
	}
	v, ok := cc.records.Get(resp.body)
	if !ok || v == nil {
		return nil, nil // no records key: an empty page (OTRS answers {} for no match)
	}
	switch l := v.(type) {
	case []any:
		return l, nil
	case map[string]any:
		if cc.records.IsRoot() {
			return []any{l}, nil
		}
	}
	return nil, &Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: records at %q are %s, not a list", page, cc.records.String(), jsonKind(v))}
}

// detail fetches the per-record detail, if the spec has one, and returns
// the record to map.
func (e *Engine) detail(ctx context.Context, op Operation, r *compiledRecord, rec any) (any, error) {
	if r.detail == nil {
		return rec, nil
	}
	vars := e.baseVars()
	vars.Record = rec
	vars.Responses = map[string]any{}
	resp, err := e.do(ctx, op, r.detail, vars.Map(), e.red, nil)
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

func (e *Engine) mapAccount(ctx context.Context, op Operation, ca *compiledAccounts, src *compiledCall, rec record) (Account, error) {
	v, err := e.detail(ctx, op, &ca.compiledRecord, rec.v)
	if err != nil {
		return Account{}, err
	}
	id, name, attrs, err := e.mapRecord(&ca.compiledRecord, v)
	if err != nil {
		return Account{}, e.recordError(op, src, rec, id, err)
	}
	acct := Account{ID: id, Name: name, Active: true, Attributes: attrs}
	if ca.active != nil {
		acct.Active = ca.active.def
		if av, present := ca.active.cond.path.Get(v); present && av != nil {
			acct.Active = ca.active.cond.not != test(&ca.active.cond, av, true)
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

func (e *Engine) mapRecord(r *compiledRecord, v any) (id, name string, attrs map[string]any, err error) {
	idv, ok, err := r.id.Value(v)
	if err != nil {
		return "", "", nil, fmt.Errorf("id: %w", err)
	}
	if id, _ = idv.(string); !ok || id == "" {
		if s, err := binding.ToString(idv); err == nil && s != "" {
			id = s
		} else {
			return "", "", nil, fmt.Errorf("no ID at %q", r.id.Path)
		}
	}
	if r.name != nil {
		nv, ok, err := r.name.Value(v)
		if err != nil {
			return id, "", nil, fmt.Errorf("name: %w", err)
		}
		if ok {
			name, _ = binding.ToString(nv)
		}
	}
	attrs = make(map[string]any, r.attrs.Len())
	if err := r.attrs.Map(v, attrs); err != nil {
		return id, name, nil, err
	}
	return id, name, attrs, nil
}

func (e *Engine) recordError(op Operation, src *compiledCall, rec record, id string, err error) *Error {
	where := fmt.Sprintf("page %d, record %d", rec.page, rec.index)
	if id != "" {
		where += " (id " + strconv.Quote(id) + ")"
	}
	return e.mask(&Error{Op: op, Call: src.name, Message: where + ": " + err.Error()})
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
		s, err := binding.ToString(x)
		if err != nil {
			return nil, fmt.Errorf("an ID is %s", jsonKind(x))
		}
		out = append(out, s)
	}
	return out, nil
}

// ImportAccess implements Connector.
func (e *Engine) ImportAccess(ctx context.Context, opts ImportOptions) iter.Seq2[Entitlement, error] {
	return func(yield func(Entitlement, error) bool) {
		op := opImportAccess
		if !opts.Since.IsZero() {
			yield(Entitlement{}, &Error{Op: op, Message: "incremental import of entitlements is not supported", Err: ErrUnsupported})
			return
		}
		types := opts.Types
		if len(types) == 0 {
			types = e.c.entTypes
		}
		if len(types) == 0 {
			yield(Entitlement{}, &Error{Op: op, Message: "the spec has no import.entitlements", Err: ErrUnsupported})
			return
		}
		for _, typ := range types {
			if _, ok := e.c.ents[typ]; !ok {
				yield(Entitlement{}, &Error{Op: op, Message: fmt.Sprintf("entitlement type %q is not in the spec (have %s)", typ, list(e.c.entTypes)), Err: ErrUnsupported})
				return
			}
		}
		for _, typ := range types {
			ce := e.c.ents[typ]
			seq := e.entitlements(ctx, op, ce)
			if ce.fromAccounts {
				seq = e.derived(ctx, op, ce.typ)
			}
			for ent, err := range seq {
				if !yield(ent, err) || err != nil {
					return
				}
			}
		}
	}
}

func (e *Engine) entitlements(ctx context.Context, op Operation, ce *compiledEnts) iter.Seq2[Entitlement, error] {
	return func(yield func(Entitlement, error) bool) {
		for _, src := range ce.sources {
			for rec, err := range e.records(ctx, op, src, time.Time{}) {
				if err != nil {
					yield(Entitlement{}, err)
					return
				}
				v, err := e.detail(ctx, op, &ce.compiledRecord, rec.v)
				if err != nil {
					yield(Entitlement{}, err)
					return
				}
				id, name, attrs, err := e.mapRecord(&ce.compiledRecord, v)
				if err != nil {
					yield(Entitlement{}, e.recordError(op, src, rec, id, err))
					return
				}
				ent := Entitlement{Type: ce.typ, ID: id, Name: name, Attributes: attrs}
				if ce.members != nil {
					if ent.Members, err = idList(ce.members.Get(v)); err != nil {
						yield(Entitlement{}, e.recordError(op, src, rec, id, fmt.Errorf("members: %w", err)))
						return
					}
				}
				if !yield(ent, nil) {
					return
				}
			}
		}
	}
}

// derived builds entitlements of typ from the IDs accounts list (roles that
// only appear on users), with the holders as members. It reads every
// account before yielding.
func (e *Engine) derived(ctx context.Context, op Operation, typ string) iter.Seq2[Entitlement, error] {
	return func(yield func(Entitlement, error) bool) {
		members := map[string][]string{}
		var order []string
		for acct, err := range e.accounts(ctx, op, ImportOptions{}) {
			if err != nil {
				yield(Entitlement{}, err)
				return
			}
			for _, id := range acct.Entitlements[typ] {
				if _, ok := members[id]; !ok {
					order = append(order, id)
				}
				if !slices.Contains(members[id], acct.ID) {
					members[id] = append(members[id], acct.ID)
				}
			}
		}
		for _, id := range order {
			if !yield(Entitlement{Type: typ, ID: id, Name: id, Attributes: map[string]any{}, Members: members[id]}, nil) {
				return
			}
		}
	}
}
