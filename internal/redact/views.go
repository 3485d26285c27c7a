package redact

import (
	"hash/maphash"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// maxLayers is how many decodings deep String looks: a secret JSON-escaped
// inside a URL inside a JSON body, quoted by an error message, is four.
const maxLayers = 4

// maxViews bounds the decoded views of one text, and so the work String
// does. Only text built to hold every kind of escape at every layer
// reaches it; the views it leaves out are the last in depth-first order.
const maxViews = 64

// span is a range of the source text to mask.
type span struct{ start, end int }

// mask returns s with every span holding a secret replaced by Mask.
func (c *compiled) mask(s string) string {
	if len(c.secrets) == 0 {
		return s
	}
	if c.plain(s) {
		// The common case: no escapes to undo, and the secrets are not
		// there as they are.
		if !slices.ContainsFunc(c.secrets, func(sec string) bool { return strings.Contains(s, sec) }) {
			return s
		}
	}
	spans := c.find(s)
	if len(spans) == 0 {
		return s
	}
	return apply(s, spans, len(s))
}

// plain reports whether s is its only view: no escape to undo, no '+' to
// fold.
func (c *compiled) plain(s string) bool {
	return !strings.ContainsAny(s, `\%&`) && !(c.fold && strings.IndexByte(s, '+') >= 0)
}

// chunkSize is how much of a long text find decodes at a time, so that its
// views (up to a few times the text each, for text full of escapes) stay
// small whatever the text.
const chunkSize = 256 << 10

// find returns the spans of s that hold a secret in any view, merged and
// in order.
//
// A long text is read in chunks that overlap by windowMargin: an
// occurrence that starts in a chunk ends within the margin after it, and
// is recorded by that chunk only. An occurrence starting in a chunk is
// made of escapes that start there too, so it decodes the same as in the
// whole text.
func (c *compiled) find(s string) []span {
	margin := windowMargin(c)
	if len(s) <= chunkSize+margin {
		return c.findIn(s)
	}
	var all []span
	for a := 0; a < len(s); a += chunkSize {
		end := min(len(s), a+chunkSize+margin)
		last := end == len(s)
		for _, sp := range c.findIn(s[a:end]) {
			if sp.start < chunkSize || last {
				all = append(all, span{a + sp.start, a + sp.end})
			}
		}
		if last {
			break
		}
	}
	return merge(all)
}

// findIn is find for one chunk.
func (c *compiled) findIn(s string) []span {
	f := finder{c: c}
	root := &view{text: s}
	if c.fold && strings.IndexByte(s, '+') >= 0 {
		root.text = fold(s)
	}
	f.search(root)
	if len(s) <= math.MaxInt32 && strings.ContainsAny(s, `\%&`) {
		f.walk(root, 1)
	}
	return merge(f.spans)
}

type finder struct {
	c     *compiled
	spans []span
	views int
	seen  map[uint64]int // hashes of the decoded views searched so far, at the least depth
}

// seed hashes view texts; random per process, so text cannot be made to
// collide on purpose.
var seed = maphash.MakeSeed()

// search records the source spans of every occurrence of every secret in
// v, overlapping occurrences included.
//
// In a decoded view only occurrences that take in a decoded escape are
// new: one that lies between escapes is a copy of an occurrence in the
// parent view, already recorded. So a decoded view is searched only
// around its escapes.
func (f *finder) search(v *view) {
	for _, sec := range f.c.secrets {
		if len(sec) > len(v.text) {
			continue
		}
		if v.parent == nil {
			f.searchIn(v, sec, 0, len(v.text))
			continue
		}
		from, to := 0, -1 // the window being gathered
		for _, e := range v.esc {
			a := max(0, int(e.v)-len(sec)+1)
			b := min(len(v.text), int(e.v)+int(e.vn)+len(sec)-1)
			if a <= to {
				to = max(to, b)
				continue
			}
			if to >= 0 {
				f.searchIn(v, sec, from, to)
			}
			from, to = a, b
		}
		if to >= 0 {
			f.searchIn(v, sec, from, to)
		}
	}
}

// searchIn records the occurrences of sec within v.text[from:to].
func (f *finder) searchIn(v *view, sec string, from, to int) {
	for {
		k := strings.Index(v.text[from:to], sec)
		if k < 0 {
			return
		}
		i := from + k
		a, b := v.source(i, i+len(sec))
		f.spans = append(f.spans, span{a, b})
		from = i + 1
	}
}

// decoders undo one layer of encoding each; walk stacks them.
var decoders = [...]func(text string, fold bool) *view{unBackslash, unPercent, unEntity}

// walk searches every view that decoding v once more yields, depth first,
// and their own decoded views up to maxLayers.
func (f *finder) walk(v *view, depth int) {
	if depth > maxLayers {
		return
	}
	for _, dec := range decoders {
		if f.views >= maxViews {
			return
		}
		child := dec(v.text, f.c.fold)
		if child == nil {
			continue
		}
		f.views++
		// Escapes of different kinds in different places decode to the
		// same text in either order; such a text is searched once, unless
		// it is now reached with more layers left to undo.
		h := maphash.String(seed, child.text) // not the text: that would keep every view alive
		if d, ok := f.seen[h]; ok && d <= depth {
			continue
		}
		if f.seen == nil {
			f.seen = map[uint64]int{}
		}
		f.seen[h] = depth
		child.parent = v
		f.search(child)
		f.walk(child, depth+1)
	}
}

// merge sorts spans and joins overlapping ones, so a secret containing
// another, or occurrences found in several views, are masked once, whole.
func merge(spans []span) []span {
	if len(spans) < 2 {
		return spans
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.start < last.end {
			last.end = max(last.end, s.end)
			continue
		}
		out = append(out, s)
	}
	return out
}

// apply writes s[:limit] with spans replaced by Mask. A span that starts
// before limit is masked whole and ends the output.
func apply(s string, spans []span, limit int) string {
	var b strings.Builder
	b.Grow(limit)
	last := 0
	for _, sp := range spans {
		if sp.start >= limit {
			break
		}
		b.WriteString(s[last:sp.start])
		b.WriteString(Mask)
		last = sp.end
		if last >= limit {
			return b.String()
		}
	}
	b.WriteString(s[last:limit])
	return b.String()
}

// view is a text decoded by one or more layers, with the map from each of
// its bytes back to the text it was decoded from. Between escapes the two
// run in step, so only escapes are recorded.
type view struct {
	text   string
	parent *view    // nil for the source text itself
	esc    []escape // in text order
}

// escape is one decoded escape: vn bytes at v in the view came from the pn
// bytes at p in the parent.
type escape struct {
	v, p   int32
	vn, pn uint8
}

// toParent returns the span of the parent that byte i of v came from.
func (v *view) toParent(i int) (int, int) {
	k := sort.Search(len(v.esc), func(k int) bool { return int(v.esc[k].v) > i }) - 1
	if k < 0 {
		return i, i + 1
	}
	e := v.esc[k]
	if end := int(e.v) + int(e.vn); i >= end {
		p := int(e.p) + int(e.pn) + i - end
		return p, p + 1
	}
	return int(e.p), int(e.p) + int(e.pn)
}

// source returns the span of the source text that the bytes [i, j) of v
// came from.
func (v *view) source(i, j int) (int, int) {
	for ; v.parent != nil; v = v.parent {
		i, _ = v.toParent(i)
		_, j = v.toParent(j - 1)
	}
	return i, j
}

// viewBuilder writes a decoded view.
type viewBuilder struct {
	out  strings.Builder
	esc  []escape
	fold bool
	last int // the end of what the source text has given so far
}

// escaped copies src[b.last:at] and then the n bytes of decoded that the
// escape of pn bytes at src[at:] stands for. marker is the byte escapes
// start with, to size the map once.
func (b *viewBuilder) escaped(src string, at, pn int, decoded []byte, marker string) {
	if b.esc == nil {
		b.out.Grow(len(src))
		b.esc = make([]escape, 0, strings.Count(src[at:], marker))
	}
	b.copy(src[b.last:at])
	b.esc = append(b.esc, escape{v: int32(b.out.Len()), p: int32(at), vn: uint8(len(decoded)), pn: uint8(pn)})
	for _, c := range decoded {
		if b.fold && c == '+' {
			c = ' '
		}
		b.out.WriteByte(c)
	}
	b.last = at + pn
}

func (b *viewBuilder) copy(s string) {
	if !b.fold {
		b.out.WriteString(s)
		return
	}
	for {
		i := strings.IndexByte(s, '+')
		if i < 0 {
			b.out.WriteString(s)
			return
		}
		b.out.WriteString(s[:i])
		b.out.WriteByte(' ')
		s = s[i+1:]
	}
}

// done returns the view, or nil if nothing was decoded.
func (b *viewBuilder) done(src string) *view {
	if b.esc == nil {
		return nil
	}
	b.copy(src[b.last:])
	return &view{text: b.out.String(), esc: b.esc}
}

// unBackslash undoes backslash escapes: JSON's (\" \\ \/ \b \f \n \r \t
// \uXXXX with surrogate pairs), and those Go's %q, JavaScript and
// shells add (\' \a \v \xHH \UXXXXXXXX). A backslash starting none of
// these stays as it is.
func unBackslash(src string, fold bool) *view { return decodeAll(src, fold, `\`, backslash) }

// decodeAll returns the view of src with the escapes decode recognises
// undone, or nil if there is none. Escapes start with marker;
// decode appends what the one at src[i] stands for to dec and returns its
// length, or 0 if there is none (the marker then stays as it is).
func decodeAll(src string, fold bool, marker string, decode func(src string, i int, dec []byte) (int, []byte)) *view {
	b := viewBuilder{fold: fold}
	var buf [utf8.UTFMax]byte
	for i := strings.Index(src, marker); i >= 0; {
		if n, d := decode(src, i, buf[:0]); n > 0 {
			b.escaped(src, i, n, d, marker)
			i += n
		} else {
			i++
		}
		k := strings.Index(src[i:], marker)
		if k < 0 {
			break
		}
		i += k
	}
	return b.done(src)
}

// backslash decodes the escape at src[i] (a backslash) into dec, returning
// its length, or 0 if there is none.
func backslash(src string, i int, dec []byte) (int, []byte) {
	if i+1 >= len(src) {
		return 0, nil
	}
	switch c := src[i+1]; c {
	case '"', '\\', '/', '\'':
		return 2, append(dec, c)
	case 'b':
		return 2, append(dec, '\b')
	case 'f':
		return 2, append(dec, '\f')
	case 'n':
		return 2, append(dec, '\n')
	case 'r':
		return 2, append(dec, '\r')
	case 't':
		return 2, append(dec, '\t')
	case 'a':
		return 2, append(dec, '\a')
	case 'v':
		return 2, append(dec, '\v')
	case 'x':
		if h, ok := hex(src, i+2, 2); ok {
			return 4, append(dec, byte(h))
		}
	case 'U':
		if h, ok := hex(src, i+2, 8); ok && utf8.ValidRune(rune(h)) {
			return 10, utf8.AppendRune(dec, rune(h))
		}
	case 'u':
		h, ok := hex(src, i+2, 4)
		if !ok {
			return 0, nil
		}
		r := rune(h)
		if r >= 0xd800 && r < 0xdc00 && i+12 <= len(src) && src[i+6] == '\\' && src[i+7] == 'u' {
			if lo, ok := hex(src, i+8, 4); ok && lo >= 0xdc00 && lo < 0xe000 {
				return 12, utf8.AppendRune(dec, 0x10000+(r-0xd800)<<10+(rune(lo)-0xdc00))
			}
		}
		// A lone surrogate becomes U+FFFD, as in encoding/json.
		return 6, utf8.AppendRune(dec, r)
	}
	return 0, nil
}

// unPercent undoes URL percent escapes (%HH, either case). '+' for a space
// needs no decoding: fold treats them alike.
func unPercent(src string, fold bool) *view { return decodeAll(src, fold, "%", percent) }

// percent decodes the escape at src[i] ('%') into dec, as backslash does.
func percent(src string, i int, dec []byte) (int, []byte) {
	if h, ok := hex(src, i+1, 2); ok {
		return 3, append(dec, byte(h))
	}
	return 0, nil
}

// unEntity undoes the HTML character references that escapers write:
// &amp; &lt; &gt; &quot; &apos; (either case) and numeric ones (&#39;
// &#x2F;), as in an HTML error page quoting a request.
func unEntity(src string, fold bool) *view { return decodeAll(src, fold, "&", entity) }

var namedEntities = map[string]byte{"amp": '&', "lt": '<', "gt": '>', "quot": '"', "apos": '\''}

// entity decodes the character reference at src[i] ('&') into dec, as
// backslash does.
func entity(src string, i int, dec []byte) (int, []byte) {
	end := strings.IndexByte(src[i+1:min(len(src), i+12)], ';')
	if end < 1 {
		return 0, nil
	}
	name := src[i+1 : i+1+end]
	n := end + 2 // & name ;
	if name[0] != '#' {
		if c, ok := namedEntities[strings.ToLower(name)]; ok {
			return n, append(dec, c)
		}
		return 0, nil
	}
	digits, base := name[1:], 10
	if len(digits) > 0 && digits[0]|0x20 == 'x' {
		digits, base = digits[1:], 16
	}
	if len(digits) == 0 || len(digits) > 7 {
		return 0, nil
	}
	r := 0
	for j := 0; j < len(digits); j++ {
		h := hexValue(digits[j])
		if h < 0 || h >= base {
			return 0, nil
		}
		r = r*base + h
	}
	if !utf8.ValidRune(rune(r)) {
		return 0, nil
	}
	return n, utf8.AppendRune(dec, rune(r))
}

// hex reads n hex digits at src[i:].
func hex(src string, i, n int) (uint32, bool) {
	if i+n > len(src) {
		return 0, false
	}
	var v uint32
	for j := i; j < i+n; j++ {
		h := hexValue(src[j])
		if h < 0 {
			return 0, false
		}
		v = v<<4 | uint32(h)
	}
	return v, true
}

func hexValue(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}
