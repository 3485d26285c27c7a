package idset_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/internal/idset"
)

// uuid is a UUID-shaped ID, the kind SCIM directories hand out.
func uuid(i int) string {
	h := uint64(i)*0x9e3779b97f4a7c15 + 0xbf58476d1ce4e5b9
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(h>>4)&0xfff, (h^uint64(i))&0xffffffffffff)
}

func TestAdd(t *testing.T) {
	s := idset.New()
	assert.True(t, s.Add("a"))
	assert.False(t, s.Add("a"))
	assert.True(t, s.Add(""), "the empty ID is an ID")
	assert.False(t, s.Add(""))
	assert.True(t, s.Add("A"), "IDs are case-sensitive")
	assert.Equal(t, 3, s.Len())
}

func TestManyIDs(t *testing.T) {
	const n = 200_000
	s := idset.New()
	for i := range n {
		require.True(t, s.Add(uuid(i)), "id %d", i)
	}
	for i := range n {
		require.False(t, s.Add(uuid(i)), "id %d again", i)
	}
	assert.Equal(t, n, s.Len())
	for i := n; i < n+1000; i++ {
		require.True(t, s.Add(strconv.Itoa(i)), "a numeric id")
	}
}

// The point of the package: the live heap per ID, measured after a
// collection, stays near 16 bytes over the table's load factor.
func TestBytesPerID(t *testing.T) {
	const n = 500_000
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	s := idset.New()
	for i := range n {
		s.Add(uuid(i))
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perID := float64(after.HeapAlloc-before.HeapAlloc) / n
	t.Logf("%.1f bytes per ID live (tables %.1f bytes per ID)", perID, float64(s.Bytes())/n)
	assert.Less(t, perID, 28.0)
	assert.Less(t, float64(s.Bytes())/n, 26.0)
	runtime.KeepAlive(s)
}

// Benchmarks of the set against the maps it replaces, and of the digest
// against a truncated SHA-256. Each reports the live heap per ID after
// adding b.N IDs (B/id) next to the time per Add.
func BenchmarkAdd(b *testing.B) {
	ids := make([]string, 1<<20)
	for i := range ids {
		ids[i] = uuid(i)
	}
	mask := len(ids) - 1
	run := func(b *testing.B, add func(string) bool) {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		i := 0
		for b.Loop() {
			add(ids[i&mask] + "") // fresh IDs beyond 1M repeat: the set must say so
			i++
		}
		b.StopTimer()
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc))/float64(min(i, len(ids))), "B/id")
	}
	b.Run("idset", func(b *testing.B) {
		s := idset.New()
		run(b, s.Add)
		runtime.KeepAlive(s)
	})
	b.Run("map-string", func(b *testing.B) {
		m := map[string]struct{}{}
		run(b, func(id string) bool {
			if _, ok := m[id]; ok {
				return false
			}
			m[string([]byte(id))] = struct{}{} // the map owns its copy, as one fed by decoded pages does
			return true
		})
		runtime.KeepAlive(m)
	})
	b.Run("map-digest", func(b *testing.B) {
		seeds := [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
		m := map[[2]uint64]struct{}{}
		run(b, func(id string) bool {
			d := [2]uint64{maphash.String(seeds[0], id), maphash.String(seeds[1], id)}
			if _, ok := m[d]; ok {
				return false
			}
			m[d] = struct{}{}
			return true
		})
		runtime.KeepAlive(m)
	})
	b.Run("map-sha256", func(b *testing.B) {
		m := map[[2]uint64]struct{}{}
		run(b, func(id string) bool {
			h := sha256.Sum256([]byte(id))
			d := [2]uint64{binary.LittleEndian.Uint64(h[:8]), binary.LittleEndian.Uint64(h[8:16])}
			if _, ok := m[d]; ok {
				return false
			}
			m[d] = struct{}{}
			return true
		})
		runtime.KeepAlive(m)
	})
}
