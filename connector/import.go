package connector

import (
	"context"
	"fmt"
	"iter"
	"slices"
	"time"
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
		ctx := e.opCtx(ctx)
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
		run := e.newRun(op, opts.Since)
		for _, src := range sources {
			for rec, err := range e.records(ctx, op, src, run.listVars(nil)) {
				if err != nil {
					yield(Account{}, err)
					return
				}
				acct, err := e.mapAccount(ctx, run, ca, src, rec)
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
				if len(ca.entsFrom) > 0 {
					if err := e.entitlementsFrom(ctx, run, ca, &acct, rec.v); err != nil {
						yield(Account{}, err)
						return
					}
				}
				if !yield(acct, nil) {
					return
				}
			}
		}
	}
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
		ctx := e.opCtx(ctx)
		run := e.newRun(op, time.Time{})
		var seen map[string]struct{}
		if ce.unique {
			seen = map[string]struct{}{}
		}
		for _, src := range ce.sources {
			for rec, err := range e.records(ctx, op, src, run.listVars(nil)) {
				if err != nil {
					yield(Entitlement{}, err)
					return
				}
				v, data, err := e.prepareRecord(ctx, run, &ce.compiledRecord, rec.v)
				if err != nil {
					yield(Entitlement{}, err)
					return
				}
				id, name, attrs, err := ce.mapRecord(ctx, v, data)
				if err != nil {
					yield(Entitlement{}, e.recordError(op, src, rec, id, err))
					return
				}
				if seen != nil {
					if _, dup := seen[id]; dup {
						continue
					}
					seen[id] = struct{}{}
				}
				ent := Entitlement{Type: ce.typ, ID: id, Name: name, Attributes: attrs}
				if ce.members != nil {
					if ent.Members, err = idList(ce.members.Get(v)); err != nil {
						yield(Entitlement{}, e.recordError(op, src, rec, id, fmt.Errorf("members: %w", err)))
						return
					}
				}
				if ce.membersFrom != nil {
					if !e.memberChunks(ctx, run, ce, ent, rec.v, yield) {
						return
					}
					continue
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
