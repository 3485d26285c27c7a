package connector

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"strconv"
	"time"

	"github.com/restconn/restconn/internal/idset"
	"github.com/restconn/restconn/internal/vars"
)

// Limits of sub-lists (membersFrom, entitlementsFrom).
const (
	// DefaultMembersChunk is how many members an entitlement imported
	// with membersFrom carries per yield, unless the spec sets
	// membersChunk.
	DefaultMembersChunk = 1000
	// MaxEntitlementsPerAccount bounds the IDs one entitlementsFrom call
	// may list for one account: they are gathered whole, and an account
	// with more is an error rather than a reason to exhaust memory.
	MaxEntitlementsPerAccount = 100_000
)

// importRun is what the calls and fields of one import share: the
// operation, the start time (.now of every template of the import, so that
// a value field such as a sync time is the same on every record) and
// .since.
type importRun struct {
	e     *Engine
	op    Operation
	now   time.Time
	since time.Time
	data  map[string]any // field variables of the records being mapped; see recordVars
}

func (e *Engine) newRun(op Operation, since time.Time) *importRun {
	return &importRun{e: e, op: op, now: e.now().UTC(), since: since}
}

// listVars are the variables of a list, sub-list or detail call of the
// import; parent is .record (nil for a top-level list).
func (r *importRun) listVars(parent any) vars.Vars {
	return vars.Vars{Params: r.e.params, Secrets: r.e.secrets, Now: r.now, Since: r.since, Record: parent}
}

// listData is listVars as the map a list or sub-list walk renders
// against.
func (r *importRun) listData(parent any) map[string]any {
	v := r.listVars(parent)
	v.Responses = map[string]any{}
	return v.Map()
}

// fieldVars returns new variables for value fields: no secrets, which a
// field would copy into attributes.
func (r *importRun) fieldVars() map[string]any {
	v := vars.Vars{Params: r.e.params, Now: r.now, Since: r.since}
	return v.Map()
}

// recordVars returns the field variables for rec and its details. The map
// is reused from record to record: mapping a record ends before the next
// one is read.
func (r *importRun) recordVars(rec any, detail map[string]any) map[string]any {
	if r.data == nil {
		r.data = r.fieldVars()
	}
	if detail == nil {
		detail = map[string]any{}
	}
	r.data["record"], r.data["detail"] = rec, detail
	return r.data
}

// details runs the merged detail calls of a record in order and returns
// their response bodies by call name; nil when the spec has none. Each
// call sees .record and the bodies of the calls before it as .detail.
func (e *Engine) details(ctx context.Context, run *importRun, r *compiledRecord, rec any) (map[string]any, error) {
	if len(r.details) == 0 {
		return nil, nil
	}
	out := make(map[string]any, len(r.details))
	for _, cc := range r.details {
		in := run.listVars(rec)
		in.Detail = out
		in.Responses = map[string]any{}
		resp, err := e.do(ctx, run.op, cc, in.Map(), e.red, nil)
		if err != nil {
			return nil, err
		}
		out[cc.name] = resp.body
	}
	return out, nil
}

// subIDs walks a sub-list for the parent record, with the engine's page
// walker, and yields the ID each of its records names. owner says whose
// list it is ("members of group \"7\""), for errors.
func (e *Engine) subIDs(ctx context.Context, run *importRun, sub *compiledSubList, parent any, owner string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		var data map[string]any
		if sub.id.IsTemplate() {
			data = run.fieldVars()
		}
		for rec, err := range e.records(ctx, run.op, sub.call, run.listData(parent)) {
			if err != nil {
				yield("", within(owner, err))
				return
			}
			if data != nil {
				data["record"] = rec.v
			}
			id, err := fieldID(ctx, sub.id, rec.v, data)
			if err != nil {
				yield("", within(owner, e.recordError(run.op, sub.call, rec, "", err)))
				return
			}
			if !yield(id, nil) {
				return
			}
		}
	}
}

// within prefixes the message of an error of a sub-list walk with whose
// list it is.
func within(owner string, err error) error {
	if ce, ok := err.(*Error); ok {
		ce.Message = owner + ": " + ce.Message
	}
	return err
}

// memberChunks walks the members of ent with the type's membersFrom call
// and yields ent once per chunk of members, the same type, ID, name and
// attributes each time, so that memory holds one chunk and one page
// however large the group. The union of the chunks is the member list
// without repeats, in the order received; a group without members is
// yielded once with an empty list. It returns false when iteration must
// stop: the consumer broke off, or an error was yielded.
func (e *Engine) memberChunks(ctx context.Context, run *importRun, ce *compiledEnts, ent Entitlement, parent any, yield func(Entitlement, error) bool) bool {
	size := ce.chunk
	chunk := make([]string, 0, min(size, 16)) // most groups are small
	sent := false
	send := func() bool {
		out := ent
		if sent {
			out.Attributes = maps.Clone(ent.Attributes) // each yield owns its map
		}
		out.Members, sent = chunk, true
		return yield(out, nil)
	}
	seen := idset.New()
	owner := fmt.Sprintf("members of %s %s", ce.typ, strconv.Quote(ent.ID))
	for id, err := range e.subIDs(ctx, run, ce.membersFrom, parent, owner) {
		if err != nil {
			yield(Entitlement{}, err)
			return false
		}
		if !seen.Add(id) {
			continue // a server that repeats a member across pages
		}
		if len(chunk) == size {
			// A full chunk waits for one more member, so that a group of
			// exactly n chunks ends without an empty one.
			if !send() {
				return false
			}
			chunk = make([]string, 0, size)
		}
		chunk = append(chunk, id)
	}
	return send()
}

// entitlementsFrom fills acct.Entitlements with the IDs the spec's
// entitlementsFrom calls list for the account, without repeats, in the
// order received.
func (e *Engine) entitlementsFrom(ctx context.Context, run *importRun, ca *compiledAccounts, acct *Account, parent any) error {
	if acct.Entitlements == nil {
		acct.Entitlements = make(map[string][]string, len(ca.entsFrom))
	}
	for _, ef := range ca.entsFrom {
		ids := []string{}
		seen := idset.New()
		owner := fmt.Sprintf("%s entitlements of account %s", ef.typ, strconv.Quote(acct.ID))
		for id, err := range e.subIDs(ctx, run, ef.sub, parent, owner) {
			if err != nil {
				return err
			}
			if !seen.Add(id) {
				continue
			}
			if len(ids) == MaxEntitlementsPerAccount {
				return e.mask(&Error{Op: run.op, Call: ef.sub.call.name, Message: fmt.Sprintf("%s: more than %d IDs; an account's entitlements are held whole, so this is refused (import the type's members from its own list instead)", owner, MaxEntitlementsPerAccount)})
			}
			ids = append(ids, id)
		}
		acct.Entitlements[ef.typ] = ids
	}
	return nil
}
