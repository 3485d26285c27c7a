package connector

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
)

// ErrThreshold reports a reconciliation refused because the import would
// remove more accounts or entitlements than a threshold allows: a bad token,
// an empty page or a misconfigured filter must never look like "everyone
// left".
var ErrThreshold = errors.New("removal threshold exceeded")

// ChangeKind says how a record compares with what the caller held.
type ChangeKind string

// The kinds of change.
const (
	Added   ChangeKind = "added"   // in the import, not in Known
	Present ChangeKind = "present" // in both
	Removed ChangeKind = "removed" // in Known, not in the import; only Account.ID / Entitlement.Type+ID set
)

// Change is one result of a reconciliation. ReconcileAccounts sets Account,
// ReconcileAccess sets Entitlement; the other is the zero value.
type Change struct {
	Kind        ChangeKind  `json:"kind"`
	Account     Account     `json:"account,omitzero"`
	Entitlement Entitlement `json:"entitlement,omitzero"`
}

// ReconcileOptions configure ReconcileAccounts and ReconcileAccess.
//
// Thresholds compare "more than": MaxRemoved 3 allows exactly 3 removals.
// The percentage is of the distinct Known IDs (of the type, for
// entitlements). Zero takes the spec's default (import.accounts.threshold,
// import.entitlements.<type>.threshold) when c is an *Engine whose spec sets
// one, and means no limit otherwise; a negative value means no limit
// whatever the spec says.
type ReconcileOptions struct {
	Known             iter.Seq[string] // IDs from the previous successful import (entitlements: "type/id")
	Types             []string         // ReconcileAccess: entitlement types; empty = all; Known entries of other types are ignored
	MaxRemoved        int              // refuse when more would be removed; 0 = the spec's default, else no limit
	MaxRemovedPercent float64          // refuse when more than this % of Known would be removed; 0 = spec default, else none
}

// Threshold limits how many records one reconciliation may report removed.
// Zero fields set no limit.
type Threshold struct {
	MaxRemoved        int     `json:"maxRemoved,omitempty"`
	MaxRemovedPercent float64 `json:"maxRemovedPercent,omitempty"`
}

// thresholder is implemented by connectors whose spec carries default
// thresholds (the Engine). entType is "" for accounts.
type thresholder interface {
	removalThreshold(entType string) Threshold
}

const (
	opReconcileAccounts Operation = "reconcileAccounts"
	opReconcileAccess   Operation = "reconcileAccess"
)

// ReconcileAccounts runs a full ImportAccounts and compares it with the IDs the caller holds.
//
// Added and Present changes stream as the import runs, one per account the
// import yields. Removed changes (Known IDs the import did not yield) come
// only after the import ended without error, and only when their number is
// within both thresholds; otherwise the sequence ends with an error wrapping
// ErrThreshold that says how many would be removed, out of how many, and
// which limit, and no Removed change is yielded at all. An import error ends
// the sequence with that error and no Removed change either.
//
// Known is read once, before the import starts; its IDs are held in memory
// for the length of the reconciliation.
func ReconcileAccounts(ctx context.Context, c Connector, opts ReconcileOptions) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		known := newKnownSet()
		if opts.Known != nil {
			for id := range opts.Known {
				known.add("", id)
			}
		}
		for acct, err := range c.ImportAccounts(ctx, ImportOptions{}) {
			if err != nil {
				yield(Change{}, err)
				return
			}
			kind := Added
			if known.mark("", acct.ID) {
				kind = Present
			}
			if !yield(Change{Kind: kind, Account: acct}, nil) {
				return
			}
		}
		removed := known.unmarked("")
		if err := checkThreshold(opReconcileAccounts, "accounts", len(removed), known.count(""), limitsFor(c, "", opts)); err != nil {
			yield(Change{}, err)
			return
		}
		for _, id := range removed {
			if !yield(Change{Kind: Removed, Account: Account{ID: id}}, nil) {
				return
			}
		}
	}
}

// ReconcileAccess does the same for ImportAccess (Change.Entitlement set; Change.Account zero).
//
// Known holds "type/id" keys (the type is the text before the first "/").
// Thresholds apply to each entitlement type on its own: the type's removals
// against the type's distinct Known IDs; the options' values apply to every
// type and override the spec's per-type defaults. An entitlement whose
// members arrive in several chunks (see Entitlement) gives one change per
// chunk, all of the same kind. When Types is empty and c is an *Engine, the
// spec's types are reconciled and Known entries of other types are ignored.
func ReconcileAccess(ctx context.Context, c Connector, opts ReconcileOptions) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		types := opts.Types
		if len(types) == 0 {
			if lt, ok := c.(interface{ entitlementTypes() []string }); ok {
				types = lt.entitlementTypes()
			}
		}
		known := newKnownSet()
		if opts.Known != nil {
			for key := range opts.Known {
				typ, id, ok := strings.Cut(key, "/")
				if !ok || typ == "" || id == "" {
					yield(Change{}, &Error{Op: opReconcileAccess, Message: fmt.Sprintf("known entitlement %q: want \"type/id\"", key)})
					return
				}
				if len(types) > 0 && !slices.Contains(types, typ) {
					continue
				}
				known.add(typ, id)
			}
		}
		for ent, err := range c.ImportAccess(ctx, ImportOptions{Types: opts.Types}) {
			if err != nil {
				yield(Change{}, err)
				return
			}
			kind := Added
			if known.mark(ent.Type, ent.ID) {
				kind = Present
			}
			if !yield(Change{Kind: kind, Entitlement: ent}, nil) {
				return
			}
		}
		// Every type's count is checked before any Removed change is
		// yielded: one type over its limit refuses them all.
		checked := types
		if len(checked) == 0 {
			checked = known.types()
		}
		removed := make(map[string][]string, len(checked))
		for _, typ := range checked {
			removed[typ] = known.unmarked(typ)
			if err := checkThreshold(opReconcileAccess, typ+" entitlements", len(removed[typ]), known.count(typ), limitsFor(c, typ, opts)); err != nil {
				yield(Change{}, err)
				return
			}
		}
		for _, typ := range known.types() { // each one checked: known holds only the types reconciled
			for _, id := range removed[typ] {
				if !yield(Change{Kind: Removed, Entitlement: Entitlement{Type: typ, ID: id}}, nil) {
					return
				}
			}
		}
	}
}

// limits is the thresholds one reconciliation applies, and where each
// came from, for the message that refuses it.
type limits struct {
	Threshold
	countFrom, pctFrom string
}

// limitsFor merges the options with the spec's defaults for entType.
func limitsFor(c Connector, entType string, opts ReconcileOptions) limits {
	var def Threshold
	if th, ok := c.(thresholder); ok {
		def = th.removalThreshold(entType)
	}
	specPath := "import.accounts.threshold"
	if entType != "" {
		specPath = "import.entitlements." + entType + ".threshold"
	}
	from := func(opt bool, field string) string {
		if opt {
			return "ReconcileOptions." + field
		}
		return "the spec's " + specPath
	}
	return limits{
		Threshold: Threshold{MaxRemoved: limitOr(opts.MaxRemoved, def.MaxRemoved), MaxRemovedPercent: limitOr(opts.MaxRemovedPercent, def.MaxRemovedPercent)},
		countFrom: from(opts.MaxRemoved != 0, "MaxRemoved"),
		pctFrom:   from(opts.MaxRemovedPercent != 0, "MaxRemovedPercent"),
	}
}

// limitOr is an option's limit: def when it is 0, none (0) when negative.
func limitOr[T int | float64](opt, def T) T {
	switch {
	case opt == 0:
		return def
	case opt < 0:
		return 0
	}
	return opt
}

// checkThreshold refuses the removals when they exceed a limit. The message
// names the limit and who set it (an option or the spec's path), so the
// operator knows which to look at.
func checkThreshold(op Operation, what string, removed, known int, lim limits) error {
	if removed == 0 {
		return nil
	}
	pct := 100 * float64(removed) / float64(known)
	var limit string
	switch {
	case lim.MaxRemoved > 0 && removed > lim.MaxRemoved:
		limit = fmt.Sprintf("more than the limit of %d (maxRemoved) set by %s", lim.MaxRemoved, lim.countFrom)
	case lim.MaxRemovedPercent > 0 && pct > lim.MaxRemovedPercent:
		limit = fmt.Sprintf("more than the limit of %g%% (maxRemovedPercent) set by %s", lim.MaxRemovedPercent, lim.pctFrom)
	default:
		return nil
	}
	return &Error{Op: op, Message: fmt.Sprintf("the import would remove %d of %d known %s (%.1f%%), %s; nothing was reported removed", removed, known, what, pct, limit), Err: ErrThreshold}
}

// knownSet holds the caller's IDs by type ("" for accounts) and which of
// them the import has yielded.
type knownSet struct {
	byType map[string]map[string]bool // type -> id -> seen
}

func newKnownSet() *knownSet { return &knownSet{byType: map[string]map[string]bool{}} }

func (k *knownSet) add(typ, id string) {
	m := k.byType[typ]
	if m == nil {
		m = map[string]bool{}
		k.byType[typ] = m
	}
	if _, dup := m[id]; !dup {
		m[id] = false
	}
}

// mark records that the import yielded typ/id and reports whether it was
// known.
func (k *knownSet) mark(typ, id string) bool {
	m := k.byType[typ]
	if _, ok := m[id]; !ok {
		return false
	}
	m[id] = true
	return true
}

func (k *knownSet) count(typ string) int { return len(k.byType[typ]) }

// unmarked returns the known IDs of typ the import did not yield, sorted
// so that the Removed changes come in a stable order.
func (k *knownSet) unmarked(typ string) []string {
	var out []string
	for id, seen := range k.byType[typ] {
		if !seen {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

func (k *knownSet) types() []string { return slices.Sorted(maps.Keys(k.byType)) }

// entitlementTypes lists the spec's entitlement types, for ReconcileAccess
// with no Types.
func (e *Engine) entitlementTypes() []string { return slices.Clone(e.c.entTypes) }

// removalThreshold is the spec's default threshold for accounts ("") or an
// entitlement type.
func (e *Engine) removalThreshold(entType string) Threshold {
	if entType == "" {
		if e.c.accounts == nil {
			return Threshold{}
		}
		return e.c.accounts.threshold
	}
	if ce := e.c.ents[entType]; ce != nil {
		return ce.threshold
	}
	return Threshold{}
}
