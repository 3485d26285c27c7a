package redact

import (
	"strings"
	"unicode/utf8"
)

// Ellipsis ends text that Head or Snippet cut short.
const Ellipsis = "…"

// Head returns the start of body for a trace or a log: secrets masked
// first, then cut to at most limit bytes at a character boundary, with
// Ellipsis appended when anything was left out. Invalid UTF-8 becomes
// U+FFFD.
//
// Masking comes first so that a cut cannot leave the start of a secret the
// masker would no longer recognise. Only the part of body that can reach
// the output, and a margin after it for a secret that straddles the cut,
// is examined, so a large body costs no more than a small one.
func (r *Redactor) Head(body []byte, limit int) string {
	return r.head(body, limit, false)
}

// Snippet returns the start of body for an error message: secrets masked
// on the raw text, then runs of white space squeezed to one space and the
// ends trimmed, then cut as Head does.
//
// Squeezing first would let a secret holding two spaces or a tab through:
// once squeezed, it no longer matches.
func (r *Redactor) Snippet(body []byte, limit int) string {
	return r.head(body, limit, true)
}

// windowMargin bounds how far past the output Head and Snippet look for
// the end of a secret that starts before the cut: 1000 bytes per byte of
// the longest secret, more than any encoding String undoes makes of it
// short of a contrived chain (one layer makes at most 10 of a byte: a Go
// \U escape), and at least 64 KiB.
func windowMargin(c *compiled) int { return max(64<<10, 1000*c.maxLen) }

func (r *Redactor) head(body []byte, limit int, squeeze bool) string {
	limit = max(limit, 0)
	need := len(body) // bytes of body that can reach the output
	if squeeze {
		need = squeezedPrefix(body, limit+1)
	} else if limit+1 < len(body) {
		need = limit + 1
	}
	c := r.set()
	var s string
	if c == nil {
		s = string(body[:need])
	} else {
		window := string(body[:min(len(body), need+windowMargin(c))])
		s = apply(window, c.find(window), need)
	}
	cut := need < len(body)
	if squeeze {
		s = squeezeSpace(s)
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if c != nil && (squeeze || !utf8.Valid(body[:need])) {
		// Squeezing white space or replacing bytes could have formed a
		// secret that was not there before.
		s = c.mask(s)
	}
	if len(s) > limit {
		s = s[:runeStart(s, limit)]
		cut = true
	}
	if cut {
		s += Ellipsis
	}
	return s
}

// isSpace is what regexp's \s matches: the white space an error message
// squeezes.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// squeezedPrefix returns how many bytes of b give n bytes once squeezed
// (or len(b)).
func squeezedPrefix(b []byte, n int) int {
	out, space := 0, true // leading space is trimmed
	for i, c := range b {
		if isSpace(c) {
			space = true
			continue
		}
		if space && out > 0 {
			out++ // the one space a run becomes
		}
		space = false
		if out++; out >= n {
			return i + 1
		}
	}
	return len(b)
}

// squeezeSpace replaces every run of white space with one space and trims
// both ends.
func squeezeSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isSpace(c) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteByte(c)
	}
	return b.String()
}

// runeStart returns the largest i <= n (< len(s)) at which a character of
// s starts.
func runeStart(s string, n int) int {
	for i := n; i >= 0 && i > n-utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n
}
