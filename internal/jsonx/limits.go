package jsonx

import (
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// Limits bounds what DecodeLimits may spend on one document. A zero field
// means no limit of that kind (for MaxDepth: encoding/json's 10000).
type Limits struct {
	// MaxArrayLen is the most elements any one array may hold: the
	// records of a page, or the members of a list inside a record.
	MaxArrayLen int
	// MaxDepth is the deepest nesting of arrays and objects allowed; it
	// cannot raise the limit of 10000 that Decode shares with
	// encoding/json.
	MaxDepth int
	// MaxAlloc caps the bytes decoding may allocate: the decoded value
	// and the decoder's scratch space. The count follows the runtime's
	// size classes and map layout and is made before each allocation, so
	// a refused document never allocated more than MaxAlloc, but for the
	// LimitError and, when the pool of decoders is empty, a new decoder's
	// 33 KiB.
	MaxAlloc int64
}

// DefaultMaxArrayLen is the elements-per-array limit of DefaultLimits:
// more records than any API returns on one page, and few enough that a
// page cannot hold millions of tiny ones.
const DefaultMaxArrayLen = 100_000

// DefaultAllocFactor and DefaultAllocFloor set the memory budget of
// DefaultLimits: DefaultAllocFactor times the body (less 64 KiB for what the
// budget does not count: a decoder taken new from the pool, the error), or
// DefaultAllocFloor if that is more.
//
// Ordinary pages cost 2 to 4 times their size (a SCIM ListResponse of
// users: 3.95), lists of tiny objects such as {"id":"g-12","name":"Ops"}
// about 11, because every Go map costs at least a few hundred bytes. The
// floor admits such lists up to a few MiB (100,000 of them take about 35
// MiB); the factor keeps a hostile large body, whatever its shape, within
// 4 times its size.
const (
	DefaultAllocFactor = 4
	DefaultAllocFloor  = 64 << 20
)

// uncounted is an allowance for allocations outside the budget: a new
// decoder's intern tables (33 KiB) and the LimitError.
const uncounted = 64 << 10

// DefaultLimits returns the limits for decoding a response page of n
// bytes: DefaultMaxArrayLen elements per array, encoding/json's nesting
// limit, and a budget of max(DefaultAllocFactor×n − 64 KiB,
// DefaultAllocFloor) bytes.
func DefaultLimits(n int) Limits {
	return Limits{
		MaxArrayLen: DefaultMaxArrayLen,
		MaxAlloc:    max(DefaultAllocFactor*int64(n)-uncounted, DefaultAllocFloor),
	}
}

// LimitError reports a document that DecodeLimits stopped decoding because
// it went past one of its Limits.
type LimitError struct {
	// Limit names the field of Limits that was exceeded: "MaxArrayLen",
	// "MaxDepth" or "MaxAlloc".
	Limit string
	// Max is the value of that limit.
	Max int64
	// Path is where in the document: for MaxArrayLen the array, for
	// MaxDepth the container one level too deep, for MaxAlloc the
	// container being decoded; in the path syntax of specs ("$" is the
	// document, "$.Resources[3].emails" an array in it).
	Path string
	// Offset is the byte offset of the array's '[' (MaxArrayLen), of the
	// container one level too deep (MaxDepth), or of the point where
	// decoding stopped (MaxAlloc).
	Offset int64

	segs  []string // path steps, innermost first, until finish
	steps int      // how many there were
}

func (e *LimitError) Error() string {
	where := " at " + e.Path + " (offset " + strconv.FormatInt(e.Offset, 10) + ")"
	switch e.Limit {
	case "MaxArrayLen":
		return "jsonx: array" + where + " has more than " + strconv.FormatInt(e.Max, 10) + " elements (MaxArrayLen)"
	case "MaxDepth":
		return "jsonx: value" + where + " nests deeper than " + strconv.FormatInt(e.Max, 10) + " levels (MaxDepth)"
	default:
		return "jsonx: decoding needs more than " + strconv.FormatInt(e.Max, 10) + " bytes of memory (MaxAlloc); stopped" + where
	}
}

// key and index record the step a failing value was reached by, as the
// failure unwinds from it to the top. Only the keptSegs innermost and
// outermost steps are kept, so a path thousands of levels deep costs
// nothing much.
func (e *LimitError) key(k string) { e.step(pathKey(k)) }
func (e *LimitError) index(i int)  { e.step("[" + strconv.Itoa(i) + "]") }

func (e *LimitError) step(s string) {
	if e.steps < 2*keptSegs {
		e.segs = append(e.segs, s)
	} else {
		// Overwrite the outer half as a ring: the last keptSegs steps
		// seen are the outermost ones.
		e.segs[keptSegs+(e.steps-keptSegs)%keptSegs] = s
	}
	e.steps++
}

// finish writes Path: the steps outermost first.
func (e *LimitError) finish() {
	var b strings.Builder
	b.WriteByte('$')
	n := e.steps
	if n <= 2*keptSegs {
		for i := n - 1; i >= 0; i-- {
			b.WriteString(e.segs[i])
		}
	} else {
		for k := range keptSegs { // outermost first: newest in the ring first
			b.WriteString(e.segs[keptSegs+(n-1-k-keptSegs)%keptSegs])
		}
		b.WriteString("…(" + strconv.Itoa(n-2*keptSegs) + " more)…")
		for i := keptSegs - 1; i >= 0; i-- {
			b.WriteString(e.segs[i])
		}
	}
	e.Path, e.segs, e.steps = b.String(), nil, 0
}

// keptSegs is how many steps a long path keeps at each end.
const keptSegs = 10

// pathKey writes a key step: .key, or ["key"] for keys the dotted form
// cannot hold.
func pathKey(k string) string {
	if k != "" && strings.TrimSpace(k) == k && !strings.ContainsAny(k, `.[]"'\$`) {
		return "." + k
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `["` + r.Replace(k) + `"]`
}

func (d *decoder) tooDeep(at int) (any, int) {
	if !d.limited {
		return d.fail(at, "exceeded max depth")
	}
	d.limit = &LimitError{Limit: "MaxDepth", Max: int64(d.maxDepth), Offset: int64(at)}
	return nil, -1
}

func (d *decoder) tooLong(open int) (any, int) {
	d.limit = &LimitError{Limit: "MaxArrayLen", Max: int64(d.maxArray), Offset: int64(open)}
	return nil, -1
}

func (d *decoder) overBudget(at int) (any, int) {
	d.limit = &LimitError{Limit: "MaxAlloc", Max: d.budget, Offset: int64(at)}
	return nil, -1
}

// room is the slow path of adding a member to the open containers: it
// reports a spent budget and grows the stacks (keys too if withKeys),
// counting what they allocate. The stacks double rather than grow by
// append's quarter for large slices: that allocates 2 times the final
// size in all instead of about 5.
func (d *decoder) room(at int, withKeys bool) bool {
	if d.alloc > d.budget {
		d.overBudget(at)
		return false
	}
	var ok bool
	if d.vals, ok = growStack(d, d.vals, at); !ok {
		return false
	}
	if withKeys {
		d.keys, ok = growStack(d, d.keys, at)
	}
	return ok
}

// growStack doubles a full stack, counting the new one against the budget.
func growStack[T any](d *decoder, s []T, at int) ([]T, bool) {
	if len(s) < cap(s) {
		return s, true
	}
	c := max(2*cap(s), 64)
	if d.alloc += stackCost(c); d.alloc > d.budget {
		d.overBudget(at)
		return s, false
	}
	return append(make([]T, 0, c), s...), true
}

// Upper estimates of what the runtime allocates, used by DecodeLimits.
// They follow the Go runtime's size classes, malloc headers and map
// layout; TestCostsCoverAllocations checks them against runtime.MemStats.
const (
	boxCost      = 16 // a string or json.Number stored in an interface
	emptyMapCost = 48 // map[string]any{}: the map header alone
)

// sizeClasses are the runtime's small object sizes.
var sizeClasses = [...]int64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

const (
	maxSmallSize     = 32768
	mallocHeaderSize = 8 // before objects with pointers over 512 bytes
	pageSize         = 8192
)

// classSize rounds n up to the runtime's size class, or to whole pages
// beyond the largest class.
func classSize(n int64) int64 {
	if n > maxSmallSize-mallocHeaderSize {
		return (n + pageSize - 1) &^ (pageSize - 1)
	}
	i, _ := slices.BinarySearch(sizeClasses[:], n)
	return sizeClasses[i]
}

// allocSize is an object of n bytes without pointers (string data). The
// runtime packs those under 16 bytes into shared 16-byte blocks, aligned
// to at most 8.
func allocSize(n int) int64 {
	switch {
	case n <= 0:
		return 0
	case n < 16:
		return int64(n+7) &^ 7
	}
	return classSize(int64(n))
}

// scanSize is an object of n bytes holding pointers: a slice's backing
// array, a map's groups.
func scanSize(n int64) int64 {
	if n > 512 && n <= maxSmallSize-mallocHeaderSize {
		n += mallocHeaderSize
	}
	return classSize(n)
}

// stringCost is a string of n bytes stored in an interface.
func stringCost(n int) int64 { return allocSize(n) + boxCost }

// sliceCost is a []any of n elements stored in an interface (the slice
// header is boxed).
func sliceCost(n int) int64 { return 24 + scanSize(16*int64(n)) }

// stackCost is a stack ([]any or []string) of c elements.
func stackCost(c int) int64 { return scanSize(16 * int64(c)) }

// mapCost is a map[string]any made with a hint of n and given n entries,
// laid out as internal/runtime/maps does: up to 8 entries in one group of
// 8 slots; beyond, tables of up to 1024 slots in groups of 8, sized to be
// at most 7/8 full, behind a directory.
func mapCost(n int) int64 {
	const (
		header   = 48            // the Map
		group    = 8 + 8*(16+16) // control word and 8 key/value slots
		table    = 32            // a table's own struct
		maxTable = 1024          // slots
	)
	switch {
	case n == 0:
		return emptyMapCost
	case n <= 8:
		return header + scanSize(group)
	}
	target := uint64(n) * 8 / 7
	dir := pow2((target + maxTable - 1) / maxTable)
	slots := pow2(max(8, target/dir))
	tables := dir
	if dir > 1 && uint64(n)*10 > 7*slots*dir {
		// Entries do not spread evenly over tables: near the 7/8 load
		// some tables fill up and split into two new ones.
		tables = 3 * dir
	}
	return header + scanSize(8*int64(dir)) + int64(tables)*(table+scanSize(int64(slots/8)*group))
}

// pow2 rounds n up to a power of two.
func pow2(n uint64) uint64 {
	if n <= 1 {
		return 1
	}
	return 1 << bits.Len64(n-1)
}
