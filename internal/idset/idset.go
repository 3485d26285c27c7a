// Package idset is the set of IDs an import has already yielded, for
// dropping duplicates across the sources of a multi-source import. It
// keeps a fixed-size 128-bit digest per ID instead of the ID, in a table
// built to keep the peak heap low: about 20 to 25 bytes per ID whatever the
// length of the IDs, against about 100 for a map of ID strings (the string
// headers, the bytes and the map's own overhead) and about 40 for a Go map
// of 16-byte keys after it doubles.
//
// Digests come from two independently seeded hashes (hash/maphash, seeds
// random per set). Two different IDs share a digest with probability about
// 2⁻¹²⁸ per pair: a false duplicate, which would drop a record, is not a
// practical concern even at billions of IDs.
//
// The table is split into 256 shards, each an open-addressing table
// (linear probing) that grows by a quarter when it is 80 % full. Growing a
// shard copies only that shard, so the transient cost of growth is a
// fraction of a percent of the set, and the modest growth step keeps the
// slack after growth small.
package idset

import (
	"hash/maphash"
	"math/bits"
)

const (
	shardBits  = 8
	shards     = 1 << shardBits
	minSlots   = 8
	maxLoadNum = 4 // grow above 4/5 full
	maxLoadDen = 5
)

type digest [2]uint64

// Set is a set of IDs. The zero value is not ready: use New. A Set is not
// safe for concurrent use.
type Set struct {
	seeds  [2]maphash.Seed
	shards [shards]shard
	n      int
}

type shard struct {
	slots []digest // the zero digest marks an empty slot
	n     int
}

// New returns an empty set.
func New() *Set {
	return &Set{seeds: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
}

// Add adds id and reports whether it was not in the set yet.
func (s *Set) Add(id string) bool {
	d := digest{maphash.String(s.seeds[0], id), maphash.String(s.seeds[1], id)}
	if d == (digest{}) {
		d[1] = 1 // the zero digest marks empty slots
	}
	sh := &s.shards[d[0]>>(64-shardBits)]
	if (sh.n+1)*maxLoadDen > len(sh.slots)*maxLoadNum {
		sh.grow()
	}
	if !sh.insert(d) {
		return false
	}
	sh.n++
	s.n++
	return true
}

// Len returns the number of IDs in the set.
func (s *Set) Len() int { return s.n }

// Bytes returns the memory the set's tables hold.
func (s *Set) Bytes() int {
	n := 0
	for i := range s.shards {
		n += 16 * cap(s.shards[i].slots)
	}
	return n
}

// insert places d unless present; it reports whether it did.
func (sh *shard) insert(d digest) bool {
	n := uint64(len(sh.slots))
	// The slot comes from the second word: the first one's top bits chose
	// the shard and are the same for every digest in it.
	i, _ := bits.Mul64(d[1], n)
	for {
		switch sh.slots[i] {
		case d:
			return false
		case digest{}:
			sh.slots[i] = d
			return true
		}
		if i++; i == n {
			i = 0
		}
	}
}

func (sh *shard) grow() {
	old := sh.slots
	size := max(minSlots, len(old)+len(old)/4+1)
	sh.slots = make([]digest, size)
	for _, d := range old {
		if d != (digest{}) {
			sh.insert(d)
		}
	}
}
