package connector

import (
	"context"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/restconn/restconn/internal/idset"
)

// ImportAccounts implements Connector. Records stream page by page: memory
// holds the pages in flight (see WithImportConcurrency) and, when the spec
// asks for unique records or lists several sources that are not disjoint,
// a 128-bit digest of every ID already yielded (about 20 to 25 bytes per
// account). opts.Resume and opts.Checkpoint make the import resumable.
func (e *Engine) ImportAccounts(ctx context.Context, opts ImportOptions) iter.Seq2[Account, error] {
	return e.accounts(ctx, opImportAccounts, opts)
}

// accountSources returns the list calls of an account import.
func (e *Engine) accountSources(opts ImportOptions) []*compiledCall {
	if !opts.Since.IsZero() {
		return e.c.accounts.incremental
	}
	return e.c.accounts.sources
}

// checkAccountImport reports why the spec cannot run an account import
// with opts, or nil.
func (e *Engine) checkAccountImport(op Operation, opts ImportOptions) error {
	ca := e.c.accounts
	switch {
	case ca == nil:
		return &Error{Op: op, Message: "the spec has no import.accounts", Err: ErrUnsupported}
	case !opts.Since.IsZero() && len(ca.incremental) == 0:
		return &Error{Op: op, Message: "incremental import (ImportOptions.Since) is not defined by this spec (import.accounts.incremental)", Err: ErrUnsupported}
	}
	return nil
}

// accounts is the account import of op (ImportAccounts, or the accounts a
// derived entitlement type reads); it ends with the first error it yields.
func (e *Engine) accounts(ctx context.Context, op Operation, opts ImportOptions) iter.Seq2[Account, error] {
	return func(yield func(Account, error) bool) {
		ctx := e.opCtx(ctx)
		if err := e.checkAccountImport(op, opts); err != nil {
			yield(Account{}, err)
			return
		}
		ca := e.c.accounts
		sources := e.accountSources(opts)
		ip, err := e.planImport(op, opts, nil)
		if err != nil {
			yield(Account{}, err)
			return
		}
		var seen *idset.Set
		if ca.unique {
			seen = idset.New()
		}
		run := e.newRun(op, opts.Since)
		data := run.listData(nil)
		for i := ip.source; i < len(sources); i++ {
			src := sources[i]
			for pg, err := range e.pages(ctx, op, src, data, ip.startAt(0, i)) {
				if err != nil {
					yield(Account{}, err)
					return
				}
				for j, r := range pg.records {
					rec := pageRecord{v: r, page: pg.number, index: j}
					acct, err := e.mapAccount(ctx, run, ca, src, rec)
					if err != nil {
						yield(Account{}, err)
						return
					}
					if seen != nil && !seen.Add(acct.ID) {
						continue
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
				ip.afterPage(0, i, len(sources), src, pg.after)
			}
		}
	}
}

// ImportAccess implements Connector. With opts.Checkpoint, a type imported
// from sources gets a token after every page; a type derived from accounts
// (fromAccounts) reads every account before it yields, so it gets one
// token when it is done, and an import resumed inside it starts that type
// again.
func (e *Engine) ImportAccess(ctx context.Context, opts ImportOptions) iter.Seq2[Entitlement, error] {
	return func(yield func(Entitlement, error) bool) {
		op := opImportAccess
		types, err := e.accessTypes(op, opts)
		if err != nil {
			yield(Entitlement{}, err)
			return
		}
		ip, err := e.planImport(op, opts, types)
		if err != nil {
			yield(Entitlement{}, err)
			return
		}
		for t := ip.typeIx; t < len(types); t++ {
			ce := e.c.ents[types[t]]
			if ce.fromAccounts {
				for ent, err := range e.derived(ctx, op, ce.typ) {
					if !yield(ent, err) || err != nil {
						return
					}
				}
				ip.afterSource(t, 0, 1)
				continue
			}
			first := 0
			if t == ip.typeIx {
				first = ip.source
			}
			run := e.newRun(op, time.Time{})
			var seen *idset.Set
			if ce.unique {
				seen = idset.New()
			}
			for i := first; i < len(ce.sources); i++ {
				if !e.entitlements(ctx, run, ce, t, i, ip, seen, yield) {
					return
				}
			}
		}
	}
}

// accessTypes returns the entitlement types an entitlement import with
// opts reads (opts.Types, or all of the spec's), or why the spec cannot
// run it.
func (e *Engine) accessTypes(op Operation, opts ImportOptions) ([]string, error) {
	if !opts.Since.IsZero() {
		return nil, &Error{Op: op, Message: "incremental import of entitlements is not supported", Err: ErrUnsupported}
	}
	types := opts.Types
	if len(types) == 0 {
		types = e.c.entTypes
	}
	if len(types) == 0 {
		return nil, &Error{Op: op, Message: "the spec has no import.entitlements", Err: ErrUnsupported}
	}
	for _, typ := range types {
		if _, ok := e.c.ents[typ]; !ok {
			return nil, &Error{Op: op, Message: fmt.Sprintf("entitlement type %q is not in the spec (have %s)", typ, list(e.c.entTypes)), Err: ErrUnsupported}
		}
	}
	return types, nil
}

// entitlements yields the entitlements of source i of type number t; it
// reports whether the import goes on. seen holds the IDs of the type
// already yielded when the spec asks for unique entitlements.
func (e *Engine) entitlements(ctx context.Context, run *importRun, ce *compiledEnts, t, i int, ip *importPlan, seen *idset.Set, yield func(Entitlement, error) bool) bool {
	op := run.op
	src := ce.sources[i]
	for pg, err := range e.pages(ctx, op, src, run.listData(nil), ip.startAt(t, i)) {
		if err != nil {
			yield(Entitlement{}, err)
			return false
		}
		for j, r := range pg.records {
			rec := pageRecord{v: r, page: pg.number, index: j}
			v, data, err := e.prepareRecord(ctx, run, &ce.compiledRecord, rec.v)
			if err != nil {
				yield(Entitlement{}, err)
				return false
			}
			id, name, attrs, err := ce.mapRecord(ctx, v, data)
			if err != nil {
				yield(Entitlement{}, e.recordError(op, src, rec, id, err))
				return false
			}
			if seen != nil && !seen.Add(id) {
				continue
			}
			ent := Entitlement{Type: ce.typ, ID: id, Name: name, Attributes: attrs}
			if ce.members != nil {
				if ent.Members, err = idList(ce.members.Get(v)); err != nil {
					yield(Entitlement{}, e.recordError(op, src, rec, id, fmt.Errorf("members: %w", err)))
					return false
				}
			}
			if ce.membersFrom != nil {
				if !e.memberChunks(ctx, run, ce, ent, rec.v, yield) {
					return false
				}
				continue
			}
			if !yield(ent, nil) {
				return false
			}
		}
		ip.afterPage(t, i, len(ce.sources), src, pg.after)
	}
	return true
}

// derived builds entitlements of typ from the IDs accounts list (roles that
// only appear on users), with the holders as members. It reads every
// account before yielding.
func (e *Engine) derived(ctx context.Context, op Operation, typ string) iter.Seq2[Entitlement, error] {
	return func(yield func(Entitlement, error) bool) {
		members := map[string][]string{}
		var order []string
		held := idset.New() // entitlement and holder pairs: a holder is listed once, without scanning the list
		for acct, err := range e.accounts(ctx, op, ImportOptions{}) {
			if err != nil {
				yield(Entitlement{}, err)
				return
			}
			for _, id := range acct.Entitlements[typ] {
				if _, ok := members[id]; !ok {
					order = append(order, id)
				}
				if held.Add(strconv.Itoa(len(id)) + ":" + id + acct.ID) {
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
