package jsonx

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
)

// internTable remembers recently decoded short strings so that a string
// seen again, within one document or a later one, costs no allocation: a
// page of users repeats every key and many values ("work", "User", group
// ids, schema URNs). Strings are immutable and a boxed string or
// json.Number cannot be changed through the interface, so sharing them is
// invisible to callers.
//
// The table is a cache, not a map: each string hashes to a set of two
// entries, and a miss replaces the less recently used one. Lookups are O(1)
// whatever the input, colliding inputs merely miss, and two hot strings
// sharing a set do not evict each other.
type internTable struct {
	sets [internSets][2]internEntry
	// older[i] is the way of sets[i] to replace next. Tracking recency
	// here instead of reordering entries avoids pointer writes, which
	// cost a write barrier while the collector runs.
	older [internSets]uint8
}

type internEntry struct {
	s string
	v any // s boxed as a string or json.Number; nil until first needed
}

const (
	internBits = 8
	internSets = 1 << internBits
	// Longer strings are mostly unique (descriptions, tokens) and would
	// only evict useful entries; 128 still covers URNs and resource URLs.
	maxInternLen = 128
)

// lookup returns the entry holding b or, if there is none, the entry to
// overwrite with it.
func (t *internTable) lookup(b []byte) (e *internEntry, hit bool) {
	h := internHash(b)
	set := &t.sets[h]
	if set[0].s == string(b) {
		t.older[h] = 1
		return &set[0], true
	}
	if set[1].s == string(b) {
		t.older[h] = 0
		return &set[1], true
	}
	w := t.older[h] & 1
	t.older[h] = w ^ 1
	set[w].v = nil
	return &set[w], false
}

// The methods below also return an upper estimate of the bytes they
// allocated (see DecodeLimits): nothing for a string already interned.

// key returns b as a string.
func (t *internTable) key(b []byte) (string, int64) {
	if len(b) > maxInternLen {
		return string(b), allocSize(len(b))
	}
	e, hit := t.lookup(b)
	if hit {
		return e.s, 0
	}
	e.s = string(b)
	return e.s, allocSize(len(b))
}

// value returns b as a boxed string.
func (t *internTable) value(b []byte) (any, int64) {
	if len(b) > maxInternLen {
		return string(b), stringCost(len(b))
	}
	e, hit := t.lookup(b)
	var cost int64
	if !hit {
		e.s = string(b)
		cost = allocSize(len(b))
	}
	if e.v == nil {
		// Boxed on first use as a value, as most keys never are.
		e.v = e.s
		cost += boxCost
	}
	return e.v, cost
}

// number returns b as a boxed json.Number. Numbers have their own table, so
// v is always a json.Number there.
func (t *internTable) number(b []byte) (any, int64) {
	if len(b) > maxInternLen {
		return json.Number(b), stringCost(len(b))
	}
	e, hit := t.lookup(b)
	if hit {
		return e.v, 0
	}
	e.s = string(b)
	e.v = json.Number(e.s)
	return e.v, stringCost(len(b))
}

// internHash hashes at most 24 bytes of b (its start, middle and end) so
// its cost does not grow with the string.
func internHash(b []byte) uint32 {
	n := len(b)
	var x uint64
	switch {
	case n >= 8:
		x = binary.LittleEndian.Uint64(b) ^
			bits.RotateLeft64(binary.LittleEndian.Uint64(b[(n-8)/2:]), 21) ^
			bits.RotateLeft64(binary.LittleEndian.Uint64(b[n-8:]), 42)
	case n >= 4:
		x = uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
	case n > 0:
		x = uint64(b[0]) | uint64(b[n/2])<<8 | uint64(b[n-1])<<16
	}
	x ^= uint64(n) * 0x9e3779b97f4a7c15
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	return uint32(x >> (64 - internBits))
}
