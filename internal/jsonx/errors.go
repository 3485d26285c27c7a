package jsonx

import (
	"fmt"
	"strconv"
)

// SyntaxError describes why Decode rejected its input.
type SyntaxError struct {
	// Offset is the index in the input of the byte that made it invalid,
	// or the input's length when it ended too early.
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return "jsonx: " + e.Msg + " at offset " + strconv.FormatInt(e.Offset, 10)
}

// The helpers below record an error and return the -1 offset that the parse
// methods use to report failure, so a failing parse can `return d.fail(...)`.

func (d *decoder) fail(i int, msg string) (any, int) {
	d.err = &SyntaxError{Offset: int64(i), Msg: msg}
	return nil, -1
}

// failChar reports the unexpected byte data[i] in context.
func (d *decoder) failChar(i int, context string) (any, int) {
	return d.fail(i, "invalid character "+describe(d.data[i])+" "+context)
}

func (d *decoder) eof() (any, int) {
	return d.fail(len(d.data), "unexpected end of JSON input")
}

func (d *decoder) eofRune() (rune, int) {
	_, i := d.eof()
	return 0, i
}

// badLiteral reports the first byte where data[i:] stops matching lit.
func (d *decoder) badLiteral(i int, lit string) (any, int) {
	data := d.data
	for k := 1; k < len(lit); k++ {
		if i+k >= len(data) {
			return d.eof()
		}
		if data[i+k] != lit[k] {
			return d.failChar(i+k, fmt.Sprintf("in literal %s (expecting '%c')", lit, lit[k]))
		}
	}
	// Unreachable: the caller only calls this when lit does not match.
	return d.fail(i, "invalid literal")
}

// describe quotes a byte for an error message; bytes that are not printable
// ASCII are shown in hex, as a lone byte of a multi-byte character or a
// control character would garble the message.
func describe(c byte) string {
	if c >= ' ' && c < 0x7f {
		if c == '\'' {
			return `'\''`
		}
		return "'" + string(rune(c)) + "'"
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
