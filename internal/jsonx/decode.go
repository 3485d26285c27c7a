// Package jsonx decodes JSON documents into generic Go values faster than
// encoding/json.
//
// The engine decodes every response page into map[string]any and []any so
// that specs can point into it with paths. With encoding/json that generic
// decode dominates an import: its Decoder scans each value twice (once to
// find its end, once to build it), steps a state machine per byte, and grows
// every map and slice from empty. Decode does one pass over the bytes, builds
// each container at its final size, and reuses boxed strings and numbers that
// repeat (object keys, enum-like values such as "work" or "User"), which
// removes most allocations.
//
// # Contract
//
// Decode(data) behaves exactly like
//
//	dec := json.NewDecoder(bytes.NewReader(data))
//	dec.UseNumber()
//	var v any
//	err := dec.Decode(&v)
//
// followed by a check that only white space follows the value: it accepts
// the same documents (RFC 8259 as encoding/json applies it, including its
// nesting limit of 10000) and returns equal values: map[string]any, []any,
// string, json.Number (the literal text), bool and nil. Invalid UTF-8 in
// strings becomes U+FFFD per invalid byte, lone or mismatched \u surrogates
// become U+FFFD, and of duplicate object keys the last wins, all as in
// encoding/json. Only errors differ: they are *SyntaxError, with their own
// wording and offsets (see SyntaxError.Offset).
//
// The result never aliases data, and no string shares memory with an
// unequal one, so keeping one value does not keep a whole page alive. Values
// are shared between results only where that is invisible: equal strings
// and numbers may share their backing memory, and every empty array is the
// same zero-capacity slice. Decode and DecodeLimits are safe for
// concurrent use.
//
// # Limits
//
// A response body is capped in bytes, but a decoded value can take far more
// memory than its text: "{}" is 2 bytes and an empty map 48, "[[]]" is 4
// bytes and a one-element slice 40. A hostile or broken server can fill a
// body of a few MiB with millions of tiny containers and make a decode
// take gigabytes. DecodeLimits decodes like Decode but stops, with a
// *LimitError, as soon as an array holds more elements than allowed, the
// nesting is deeper than allowed, or the memory it has allocated (an upper
// estimate, counted before each allocation) would pass a budget.
// DefaultLimits gives the limits the engine uses for a response page.
package jsonx

import (
	"encoding/binary"
	"math"
	"math/bits"
	"sync"
	"unicode/utf8"
)

// maxDepth is encoding/json's nesting limit: deeper documents are rejected
// rather than risking the goroutine stack on hostile input.
const maxDepth = 10000

// Decode parses one JSON value from data (surrounding whitespace allowed,
// nothing else after it) into the same Go values encoding/json produces with
// Decoder.UseNumber: map[string]any, []any, string, json.Number, bool, nil.
// On invalid input it returns a nil value and a *SyntaxError.
func Decode(data []byte) (any, error) {
	return decode(data, maxDepth, math.MaxInt, math.MaxInt64, false)
}

// DecodeLimits is Decode with limits on what a document may cost. Within
// the limits it returns exactly what Decode returns; past one it stops as
// soon as it can tell and returns a nil value and a *LimitError saying
// which limit, and where. Syntax errors before that point are reported as
// by Decode.
func DecodeLimits(data []byte, l Limits) (any, error) {
	depth, arr, budget := maxDepth, math.MaxInt, int64(math.MaxInt64)
	if l.MaxDepth > 0 && l.MaxDepth < maxDepth {
		depth = l.MaxDepth
	}
	if l.MaxArrayLen > 0 {
		arr = l.MaxArrayLen
	}
	if l.MaxAlloc > 0 {
		budget = l.MaxAlloc
	}
	return decode(data, depth, arr, budget, true)
}

func decode(data []byte, depth, arr int, budget int64, limited bool) (any, error) {
	d := decoders.Get().(*decoder)
	d.data = data
	d.maxDepth, d.maxArray, d.budget, d.limited = depth, arr, budget, limited
	v, err := d.top()
	d.reset()
	decoders.Put(d)
	return v, err
}

// decoders keeps decoder state between calls: the scratch stacks and the
// intern tables are what make later calls cheap, small bodies included.
var decoders = sync.Pool{New: func() any { return newDecoder() }}

// newDecoder returns a decoder without limits; decode sets those of each
// call.
func newDecoder() *decoder {
	return &decoder{maxDepth: maxDepth, maxArray: math.MaxInt, budget: math.MaxInt64}
}

// emptyArray is returned for every "[]". encoding/json returns a non-nil
// empty slice; one with zero capacity can be shared, as nothing can be
// written through it.
var emptyArray any = []any{}

// Scratch buffers that grew beyond these sizes are dropped rather than kept
// in the pool, so one huge document does not pin memory for good.
const (
	maxKeptStack = 1 << 14
	maxKeptBuf   = 1 << 16
)

type decoder struct {
	data  []byte
	depth int
	err   *SyntaxError

	// Limits of this call (see DecodeLimits); without limits they are the
	// largest values their types hold, so the checks cost a comparison.
	maxDepth int
	maxArray int   // elements per array
	budget   int64 // bytes alloc may reach
	limited  bool  // DecodeLimits: a too deep document is a LimitError
	// alloc is an upper estimate of the bytes allocated so far by this
	// call: the result, the growth of the stacks and buffers below, and
	// interned strings.
	alloc int64
	limit *LimitError // set, instead of err, when a limit stopped decoding

	// vals and keys hold the members of every container still open, in
	// document order; a container takes its own off the top when it closes
	// and so learns its final size before allocating.
	vals []any
	keys []string
	used int // the most either stack has held
	// buf collects the bytes of a string that needs unescaping or UTF-8
	// repair.
	buf []byte

	strs internTable
	nums internTable
}

// reset readies d for the next Decode, dropping every reference to the
// last document and its result but keeping the intern tables.
func (d *decoder) reset() {
	d.data = nil
	d.depth = 0
	d.err = nil
	d.alloc = 0
	d.limit = nil
	if cap(d.vals) > maxKeptStack || cap(d.keys) > maxKeptStack {
		d.vals, d.keys = nil, nil
	}
	if cap(d.buf) > maxKeptBuf {
		d.buf = nil
	}
	// Containers leave their members above the stack tops when they close,
	// and failed decodes below them; clearing all at once here is cheaper.
	used := max(d.used, len(d.vals), len(d.keys))
	clear(d.vals[:min(used, cap(d.vals))])
	clear(d.keys[:min(used, cap(d.keys))])
	d.vals, d.keys, d.buf = d.vals[:0], d.keys[:0], d.buf[:0]
	d.used = 0
}

func (d *decoder) top() (any, error) {
	data := d.data
	v, i := d.value(skipSpace(data, 0))
	if i < 0 {
		if d.limit != nil {
			d.limit.finish()
			return nil, d.limit
		}
		return nil, d.err
	}
	if i = skipSpace(data, i); i < len(data) {
		d.failChar(i, "after top-level value")
		return nil, d.err
	}
	return v, nil
}

// The parse methods take the offset to start at and return the offset just
// past what they consumed, or -1 after recording an error in d.err.

func (d *decoder) value(i int) (any, int) {
	data := d.data
	if i >= len(data) {
		return d.eof()
	}
	switch c := data[i]; c {
	case '"':
		return d.stringValue(i + 1)
	case '{':
		return d.object(i + 1)
	case '[':
		return d.array(i + 1)
	case 't':
		if len(data)-i >= 4 && string(data[i:i+4]) == "true" {
			return true, i + 4
		}
		return d.badLiteral(i, "true")
	case 'f':
		if len(data)-i >= 5 && string(data[i:i+5]) == "false" {
			return false, i + 5
		}
		return d.badLiteral(i, "false")
	case 'n':
		if len(data)-i >= 4 && string(data[i:i+4]) == "null" {
			return nil, i + 4
		}
		return d.badLiteral(i, "null")
	default:
		if c == '-' || c-'0' <= 9 {
			return d.number(i)
		}
		return d.failChar(i, "looking for beginning of value")
	}
}

func (d *decoder) object(i int) (any, int) {
	if d.depth >= d.maxDepth {
		return d.tooDeep(i - 1)
	}
	d.depth++
	data := d.data
	open := i - 1
	i = skipSpace(data, i)
	if i < len(data) && data[i] == '}' {
		d.depth--
		if d.alloc += emptyMapCost; d.alloc > d.budget {
			return d.overBudget(open)
		}
		return map[string]any{}, i + 1
	}
	vbase, kbase := len(d.vals), len(d.keys)
	for {
		if i >= len(data) {
			return d.eof()
		}
		if data[i] != '"' {
			return d.failChar(i, "looking for beginning of object key string")
		}
		var key string
		if key, i = d.key(i + 1); i < 0 {
			if d.limit != nil {
				return d.unwind(vbase, kbase)
			}
			return nil, -1
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return d.eof()
		}
		if data[i] != ':' {
			return d.failChar(i, "after object key")
		}
		var v any
		if v, i = d.value(skipSpace(data, i+1)); i < 0 {
			if d.limit != nil {
				d.limit.key(key)
				return d.unwind(vbase, kbase)
			}
			return nil, -1
		}
		if len(d.vals) == cap(d.vals) || len(d.keys) == cap(d.keys) || d.alloc > d.budget {
			if !d.room(open, true) {
				return d.unwind(vbase, kbase)
			}
		}
		d.keys = append(d.keys, key)
		d.vals = append(d.vals, v)
		i = skipSpace(data, i)
		if i >= len(data) {
			return d.eof()
		}
		if c := data[i]; c == ',' {
			i = skipSpace(data, i+1)
			continue
		} else if c == '}' {
			i++
			break
		}
		return d.failChar(i, "after object key:value pair")
	}
	d.used = max(d.used, len(d.vals), len(d.keys))
	keys, vals := d.keys[kbase:], d.vals[vbase:]
	if d.alloc += mapCost(len(vals)); d.alloc > d.budget {
		d.overBudget(open)
		return d.unwind(vbase, kbase)
	}
	m := make(map[string]any, len(vals))
	for j, k := range keys {
		// In document order, so the last of duplicate keys wins.
		m[k] = vals[j]
	}
	d.keys, d.vals = d.keys[:kbase], d.vals[:vbase]
	d.depth--
	return m, i
}

func (d *decoder) array(i int) (any, int) {
	if d.depth >= d.maxDepth {
		return d.tooDeep(i - 1)
	}
	d.depth++
	data := d.data
	open := i - 1
	i = skipSpace(data, i)
	if i < len(data) && data[i] == ']' {
		d.depth--
		return emptyArray, i + 1
	}
	base := len(d.vals)
	for {
		var v any
		if v, i = d.value(i); i < 0 {
			if d.limit != nil {
				d.limit.index(len(d.vals) - base)
				return d.unwind(base, len(d.keys))
			}
			return nil, -1
		}
		if len(d.vals) == cap(d.vals) || len(d.vals)-base >= d.maxArray || d.alloc > d.budget {
			if len(d.vals)-base >= d.maxArray {
				d.tooLong(open)
				return d.unwind(base, len(d.keys))
			}
			if !d.room(open, false) {
				return d.unwind(base, len(d.keys))
			}
		}
		d.vals = append(d.vals, v)
		i = skipSpace(data, i)
		if i >= len(data) {
			return d.eof()
		}
		if c := data[i]; c == ',' {
			i = skipSpace(data, i+1)
			continue
		} else if c == ']' {
			i++
			break
		}
		return d.failChar(i, "after array element")
	}
	d.used = max(d.used, len(d.vals))
	if d.alloc += sliceCost(len(d.vals) - base); d.alloc > d.budget {
		d.overBudget(open)
		return d.unwind(base, len(d.keys))
	}
	a := make([]any, len(d.vals)-base)
	copy(a, d.vals[base:])
	d.vals = d.vals[:base]
	d.depth--
	return a, i
}

// number scans a number starting at data[i], which is '-' or a digit.
func (d *decoder) number(start int) (any, int) {
	data := d.data
	i := start
	if data[i] == '-' {
		if i++; i >= len(data) {
			return d.eof()
		}
	}
	switch c := data[i]; {
	case c == '0':
		i++
	case c-'1' <= 8:
		i = skipDigits(data, i+1)
	default:
		return d.failChar(i, "in numeric literal")
	}
	if i < len(data) && data[i] == '.' {
		if i++; i >= len(data) {
			return d.eof()
		}
		if data[i]-'0' > 9 {
			return d.failChar(i, "after decimal point in numeric literal")
		}
		i = skipDigits(data, i+1)
	}
	if i < len(data) && data[i]|0x20 == 'e' {
		if i++; i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) {
			return d.eof()
		}
		if data[i]-'0' > 9 {
			return d.failChar(i, "in exponent of numeric literal")
		}
		i = skipDigits(data, i+1)
	}
	b := data[start:i]
	if len(b) > maxInternLen && d.alloc+stringCost(len(b)) > d.budget {
		return d.overBudget(start)
	}
	v, cost := d.nums.number(b)
	d.alloc += cost
	return v, i
}

// stringValue decodes a string whose opening quote is at data[start-1].
func (d *decoder) stringValue(start int) (any, int) {
	b, i := d.str(start)
	if i < 0 {
		return nil, -1
	}
	if len(b) > maxInternLen && d.alloc+stringCost(len(b)) > d.budget {
		return d.overBudget(start - 1)
	}
	v, cost := d.strs.value(b)
	d.alloc += cost
	return v, i
}

// key is stringValue for object keys, which need no boxing.
func (d *decoder) key(start int) (string, int) {
	b, i := d.str(start)
	if i < 0 {
		return "", -1
	}
	if len(b) > maxInternLen && d.alloc+allocSize(len(b)) > d.budget {
		_, i = d.overBudget(start - 1)
		return "", i
	}
	k, cost := d.strs.key(b)
	d.alloc += cost
	return k, i
}

// str returns the content of the string whose opening quote is at
// data[i-1], and the offset past its closing quote. The content is a slice
// of data when it needs no decoding, which is the common case worth a fast
// path, and otherwise of d.buf, valid until the next call.
func (d *decoder) str(i int) ([]byte, int) {
	data := d.data
	start := i
	for i = scanPlain(data, i); i < len(data); i = scanPlain(data, i) {
		c := data[i]
		if c == '"' {
			return data[start:i], i + 1
		}
		if c < utf8.RuneSelf {
			break
		}
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	// An escape, invalid UTF-8, a control character or the end of input.
	return d.unquote(start, i)
}

// unquote decodes the string that started at data[start] into d.buf, the
// bytes before data[i] being known to need no change. It returns the
// decoded bytes and the offset past the closing quote.
func (d *decoder) unquote(start, i int) ([]byte, int) {
	data := d.data
	b, ok := d.grow(d.buf[:0], i-start, start-1)
	if !ok {
		return nil, -1
	}
	b = append(b, data[start:i]...)
	defer func() { d.buf = b[:0] }()
	for {
		if i >= len(data) {
			_, i = d.eof()
			return nil, i
		}
		// Every step below appends at most 4 bytes but for a plain run,
		// which makes its own room.
		if cap(b)-len(b) < utf8.UTFMax {
			if b, ok = d.grow(b, utf8.UTFMax, start-1); !ok {
				return nil, -1
			}
		}
		switch c := data[i]; {
		case c == '"':
			return b, i + 1
		case c == '\\':
			if i+1 >= len(data) {
				_, i = d.eof()
				return nil, i
			}
			switch e := data[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, j := d.hex4(i + 2)
				if j < 0 {
					return nil, -1
				}
				i = j
				if r >= 0xd800 && r < 0xe000 {
					// Only a high surrogate directly followed by an escaped
					// low one makes a pair; anything else is replaced and
					// what follows is decoded on its own, as encoding/json
					// does.
					r = d.surrogatePair(r, i)
					if r != utf8.RuneError {
						i += 6
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				_, i = d.failChar(i+1, "in string escape code")
				return nil, i
			}
			i += 2
		case c < ' ':
			_, i = d.failChar(i, "in string literal")
			return nil, i
		case c < utf8.RuneSelf:
			j := scanPlain(data, i+1)
			if b, ok = d.grow(b, j-i, start-1); !ok {
				return nil, -1
			}
			b = append(b, data[i:j]...)
			i = j
		default:
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, "\uFFFD"...)
			} else {
				b = append(b, data[i:i+n]...)
			}
			i += n
		}
	}
}

// unwind takes a container that a limit stopped off the stacks, so that
// its parent can tell how many members it has itself.
func (d *decoder) unwind(vbase, kbase int) (any, int) {
	d.used = max(d.used, len(d.vals), len(d.keys)) // for reset to clear
	d.vals, d.keys = d.vals[:vbase], d.keys[:kbase]
	return nil, -1
}

// grow returns b with room for n more bytes, counting any new allocation
// against the budget; at is the offset of the string, reported if that
// fails.
func (d *decoder) grow(b []byte, n, at int) ([]byte, bool) {
	if cap(b)-len(b) >= n {
		return b, true
	}
	c := max(2*cap(b), len(b)+n, 64)
	if d.alloc += allocSize(c); d.alloc > d.budget {
		d.overBudget(at)
		return b, false
	}
	nb := make([]byte, len(b), c)
	copy(nb, b)
	return nb, true
}

// surrogatePair combines the high surrogate hi with an escaped low surrogate
// at data[i], returning utf8.RuneError if there is none.
func (d *decoder) surrogatePair(hi rune, i int) rune {
	data := d.data
	if hi >= 0xdc00 || len(data)-i < 6 || data[i] != '\\' || data[i+1] != 'u' {
		return utf8.RuneError
	}
	var lo rune
	for _, c := range data[i+2 : i+6] {
		h := hexValue[c]
		if h < 0 {
			return utf8.RuneError
		}
		lo = lo<<4 | rune(h)
	}
	if lo < 0xdc00 || lo >= 0xe000 {
		return utf8.RuneError
	}
	return 0x10000 + (hi-0xd800)<<10 + (lo - 0xdc00)
}

// hex4 reads the four hex digits of a \u escape starting at data[i].
func (d *decoder) hex4(i int) (rune, int) {
	data := d.data
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(data) {
			return d.eofRune()
		}
		h := hexValue[data[j]]
		if h < 0 {
			_, j = d.failChar(j, "in \\u hexadecimal character escape")
			return 0, j
		}
		r = r<<4 | rune(h)
	}
	return r, i + 4
}

func skipSpace(data []byte, i int) int {
	for ; i < len(data); i++ {
		if c := data[i]; c > ' ' || (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
			break
		}
	}
	return i
}

func skipDigits(data []byte, i int) int {
	for i < len(data) && data[i]-'0' <= 9 {
		i++
	}
	return i
}

// scanPlain returns the offset of the first byte at or after data[i] that a
// string cannot simply copy: a quote, a backslash, a control character or a
// non-ASCII byte; or len(data) if there is none.
func scanPlain(data []byte, i int) int {
	// Eight bytes at a time: each term below sets the top bit of a byte that
	// matches, and may also set it in bytes above a match (borrows), so the
	// lowest set bit always marks the first special byte.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; len(data)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(data[i:])
		q := x ^ (ones * '"')
		s := x ^ (ones * '\\')
		m := ((q - ones) &^ q) | ((s - ones) &^ s) | ((x - ones*' ') &^ x) | x
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(data); i++ {
		if c := data[i]; c < ' ' || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// hexValue maps a byte to its value as a hex digit, or -1.
var hexValue = func() (t [256]int8) {
	for i := range t {
		switch {
		case i >= '0' && i <= '9':
			t[i] = int8(i - '0')
		case i >= 'a' && i <= 'f':
			t[i] = int8(i - 'a' + 10)
		case i >= 'A' && i <= 'F':
			t[i] = int8(i - 'A' + 10)
		default:
			t[i] = -1
		}
	}
	return t
}()
