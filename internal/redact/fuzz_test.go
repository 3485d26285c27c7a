package redact

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"
)

// FuzzRedact echoes a random secret through a random chain of the
// encodings servers and error messages apply (JSON escapes with random \/
// and \u, Go quoting, query and path escaping, partial percent-encoding,
// HTML escaping), then through String, Snippet, Head and every level of a
// masked error chain, and fails if any output still shows the secret once
// decoded the way a human would read it back. The decoding here is written
// independently of the package's.
//
// The chain argument drives the choices: each encoder takes one byte to
// pick it and others for its random decisions.
func FuzzRedact(f *testing.F) {
	f.Add("pass  word\t1", []byte{0, 0xff, 3, 1})
	f.Add("ab/cd", []byte{0, 1})
	f.Add("k+y é😀", []byte{1, 0, 0, 0xff, 0xff})
	f.Add(`q"u\o'te<&>`, []byte{4, 0, 5, 0, 0, 3})
	f.Add("100%25 sure+", []byte{2, 3, 0x55, 1, 0xaa})
	f.Fuzz(func(t *testing.T, secret string, chain []byte) {
		secret = strings.ToValidUTF8(secret, "")
		if len(secret) < 3 || len(secret) > 80 || onlyContext(secret) {
			return
		}
		enc, layers := encodeChain(secret, chain)
		var r Redactor
		r.Add(secret)
		check := func(sink, out string) {
			if leak := leaks(out, secret); leak != "" {
				t.Fatalf("%s shows the secret %q\nlayers %v\nencoded %q\noutput  %q\nreads   %q", sink, secret, layers, enc, out, leak)
			}
		}
		text := "~1~ " + enc + " ~2~"
		check("String", r.String(text))
		check("Snippet", r.Snippet([]byte("~1~\n\t "+enc+"  ~2~ "), 300))
		check("Head", r.Head([]byte(text), 4+len(enc)/2))

		err := fmt.Errorf("~3~: %w", &url.Error{
			Op:  "~",
			URL: "http://0.0.0.0/~?x=" + url.QueryEscape(enc),
			Err: errors.Join(fmt.Errorf("~4~ %q: %w", enc, io.ErrUnexpectedEOF), context.DeadlineExceeded, errors.New(enc)),
		})
		masked := r.Error(err)
		for i, text := range chainTexts(masked) {
			check(fmt.Sprintf("error level %d", i), text)
		}
		if !errors.Is(masked, io.ErrUnexpectedEOF) || !errors.Is(masked, context.DeadlineExceeded) {
			t.Fatalf("sentinels lost: %v", masked)
		}
		var ue *url.Error
		if !errors.As(masked, &ue) {
			t.Fatalf("*url.Error lost: %v", masked)
		}
	})
}

// contextAlphabet is every character the fuzz target writes around the
// secret, and those of Mask: a secret made only of these could be read in
// the context itself.
const contextAlphabet = "~0123456789:/?=.\" +[]REDACT"

func onlyContext(s string) bool {
	return strings.Trim(s, contextAlphabet) == ""
}

// encodeChain applies one to three encoders picked by chain.
func encodeChain(s string, chain []byte) (string, []string) {
	next := func() byte {
		if len(chain) == 0 {
			return 0
		}
		b := chain[0]
		chain = chain[1:]
		return b
	}
	var layers []string
	for range 1 + int(next())%3 {
		switch next() % 7 {
		case 0:
			s = fuzzJSON(s, next(), next())
			layers = append(layers, "json")
		case 1:
			s = url.QueryEscape(s)
			if next()&1 == 1 {
				s = lowerHex(s)
				layers = append(layers, "query lower hex")
				continue
			}
			layers = append(layers, "query")
		case 2:
			s = url.PathEscape(s)
			layers = append(layers, "path")
		case 3:
			s = partialPercent(s, next())
			layers = append(layers, "partial percent")
		case 4:
			if next()&1 == 0 {
				s = strconv.Quote(s)
			} else {
				s = strconv.QuoteToASCII(s)
			}
			s = s[1 : len(s)-1]
			layers = append(layers, "go quote")
		case 5:
			s = html.EscapeString(s)
			layers = append(layers, "html")
		case 6:
			layers = append(layers, "plain")
		}
	}
	return s, layers
}

// fuzzJSON escapes s as JSON must (quote, backslash, control characters)
// and, by the bits of slash and u, writes '/' as "\/" and other
// characters as \u escapes in either case.
func fuzzJSON(s string, slash, u byte) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		bit := byte(1) << (i % 8)
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '/' && slash&bit != 0:
			b.WriteString(`\/`)
		case r < 0x20 || u&bit != 0:
			format := `\u%04x`
			if slash&bit != 0 {
				format = `\u%04X`
			}
			for _, unit := range utf16.Encode([]rune{r}) {
				fmt.Fprintf(&b, format, unit)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// partialPercent percent-encodes the bytes of s picked by the bits of
// mask, in either hex case, always '%' itself; a space becomes '+', "%20"
// or stays.
func partialPercent(s string, mask byte) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		bit := byte(1) << (i % 8)
		c := s[i]
		switch {
		case c == ' ' && mask&bit == 0:
			b.WriteByte('+')
		case c == '%' || mask&bit != 0 || c >= utf8.RuneSelf && mask&1 != 0:
			format := "%%%02X"
			if i%2 == 1 {
				format = "%%%02x"
			}
			fmt.Fprintf(&b, format, c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// The decoders below read text back as a person would, for leaks.

var (
	backslashEsc = regexp.MustCompile(`\\(?:[uU][dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|["\\/'abfnrtv])`)
	percentEsc   = regexp.MustCompile(`%[0-9a-fA-F]{2}`)
)

func readBackslashes(s string) string {
	return backslashEsc.ReplaceAllStringFunc(s, func(e string) string {
		if len(e) == 12 { // a surrogate pair
			hi, _ := strconv.ParseUint(e[2:6], 16, 16)
			lo, _ := strconv.ParseUint(e[8:12], 16, 16)
			return string(utf16.DecodeRune(rune(hi), rune(lo)))
		}
		if e == `\/` {
			return "/"
		}
		if e[1] == 'u' || e[1] == 'U' || e[1] == 'x' {
			n, _ := strconv.ParseUint(e[2:], 16, 32)
			if e[1] == 'x' {
				return string([]byte{byte(n)})
			}
			return string(rune(n))
		}
		v, _, _, err := strconv.UnquoteChar(e, '"')
		if err != nil {
			v, _, _, _ = strconv.UnquoteChar(e, '\'')
		}
		return string(v)
	})
}

func readPercents(s string) string {
	return percentEsc.ReplaceAllStringFunc(s, func(e string) string {
		n, _ := strconv.ParseUint(e[1:], 16, 8)
		return string([]byte{byte(n)})
	})
}

var readers = []func(string) string{readBackslashes, readPercents, html.UnescapeString}

// leaks returns a reading of out, through up to four decodings, that
// shows secret ('+' and space alike), or "".
func leaks(out, secret string) string {
	want := strings.ReplaceAll(secret, "+", " ")
	var try func(s string, depth int) string
	try = func(s string, depth int) string {
		if strings.Contains(strings.ReplaceAll(s, "+", " "), want) {
			return s
		}
		if depth == 4 {
			return ""
		}
		for _, read := range readers {
			if d := read(s); d != s {
				if l := try(d, depth+1); l != "" {
					return l
				}
			}
		}
		return ""
	}
	return try(out, 0)
}
