package jsonx

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// docGen writes random JSON documents that lean towards the places where a
// decoder can go wrong: escapes, surrogates, invalid UTF-8, number forms,
// duplicate keys, white space between every token and eight-byte
// boundaries in strings.
type docGen struct {
	r   *rand.Rand
	out []byte
}

func (g *docGen) doc(depth int) []byte {
	g.out = g.out[:0]
	g.space()
	g.value(depth)
	g.space()
	return append([]byte(nil), g.out...)
}

func (g *docGen) space() {
	if g.r.IntN(4) != 0 {
		return
	}
	for range 1 + g.r.IntN(3) {
		g.out = append(g.out, " \t\n\r"[g.r.IntN(4)])
	}
}

func (g *docGen) value(depth int) {
	n := 10
	if depth > 0 {
		n = 16
	}
	switch k := g.r.IntN(n); {
	case k < 4:
		g.str(g.r.IntN(3) == 0)
	case k < 7:
		g.number()
	case k < 10:
		g.out = append(g.out, []string{"true", "false", "null"}[g.r.IntN(3)]...)
	case k < 13:
		g.out = append(g.out, '[')
		g.space()
		for i := range g.r.IntN(6) {
			if i > 0 {
				g.out = append(g.out, ',')
				g.space()
			}
			g.value(depth - 1)
			g.space()
		}
		g.out = append(g.out, ']')
	default:
		g.out = append(g.out, '{')
		g.space()
		for i := range g.r.IntN(6) {
			if i > 0 {
				g.out = append(g.out, ',')
				g.space()
			}
			g.key()
			g.space()
			g.out = append(g.out, ':')
			g.space()
			g.value(depth - 1)
			g.space()
		}
		g.out = append(g.out, '}')
	}
}

// commonKeys are drawn often, so objects get duplicate keys and the intern
// table gets hits, including with differently escaped spellings.
var commonKeys = []string{`"id"`, `"a"`, `"\u0061"`, `""`, `"value"`, `"type"`, `"$ref"`, `"k\n"`, `"\ud83d\ude00"`, `"😀"`}

func (g *docGen) key() {
	if g.r.IntN(2) == 0 {
		g.out = append(g.out, commonKeys[g.r.IntN(len(commonKeys))]...)
		return
	}
	g.str(false)
}

func (g *docGen) str(long bool) {
	g.out = append(g.out, '"')
	pieces := g.r.IntN(8)
	if long {
		pieces = 5 + g.r.IntN(40)
	}
	for range pieces {
		switch k := g.r.IntN(20); {
		case k < 8: // plain ASCII runs of every length around a word
			for range g.r.IntN(20) {
				g.out = append(g.out, byte(' '+1+g.r.IntN(0x5e)))
				if g.out[len(g.out)-1] == '"' || g.out[len(g.out)-1] == '\\' {
					g.out[len(g.out)-1] = 'x'
				}
			}
		case k < 10:
			g.out = append(g.out, []string{`\"`, `\\`, `\/`, `\b`, `\f`, `\n`, `\r`, `\t`}[g.r.IntN(8)]...)
		case k < 13: // one or two \u escapes, surrogates and pairs included
			hi := 0xd800 + g.r.IntN(0x400)
			units := []int{g.escapedUnit(), g.escapedUnit()}
			if g.r.IntN(3) == 0 {
				units = []int{hi, 0xdc00 + g.r.IntN(0x400)}
			}
			for _, u := range units[:1+g.r.IntN(2)] {
				esc := fmt.Sprintf("%04x", u)
				if g.r.IntN(2) == 0 {
					esc = strings.ToUpper(esc)
				}
				g.out = append(g.out, `\u`+esc...)
			}
		case k < 16: // valid multi-byte UTF-8, U+FFFD itself included
			g.out = utf8.AppendRune(g.out, []rune{'é', '€', '😀', '\ufffd', '\u2028', 0x10ffff, 0x7ff, 0x800}[g.r.IntN(8)])
		case k < 18: // invalid UTF-8
			g.out = append(g.out, []string{"\xff", "\x80", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xc0\xaf", "\xf4\x90\x80\x80", "\xf0\x9f\x98"}[g.r.IntN(8)]...)
		case k < 19:
			g.out = append(g.out, 0x7f)
		default: // a control character, which makes the document invalid
			if g.r.IntN(8) == 0 {
				g.out = append(g.out, byte(g.r.IntN(0x20)))
			}
		}
	}
	g.out = append(g.out, '"')
}

// escapedUnit picks a UTF-16 unit for a \u escape, often a surrogate.
func (g *docGen) escapedUnit() int {
	switch g.r.IntN(4) {
	case 0:
		return 0xd800 + g.r.IntN(0x400) // high surrogate
	case 1:
		return 0xdc00 + g.r.IntN(0x400) // low surrogate
	case 2:
		return g.r.IntN(0x80)
	}
	return g.r.IntN(0x10000)
}

func (g *docGen) number() {
	if g.r.IntN(3) == 0 {
		g.out = append(g.out, '-')
	}
	if g.r.IntN(4) == 0 {
		g.out = append(g.out, '0')
	} else {
		g.out = append(g.out, byte('1'+g.r.IntN(9)))
		g.digits(g.r.IntN(25))
	}
	if g.r.IntN(3) == 0 {
		g.out = append(g.out, '.')
		g.digits(1 + g.r.IntN(10))
	}
	if g.r.IntN(4) == 0 {
		g.out = append(g.out, "eE"[g.r.IntN(2)])
		if k := g.r.IntN(3); k < 2 {
			g.out = append(g.out, "+-"[k])
		}
		g.digits(1 + g.r.IntN(4))
	}
}

func (g *docGen) digits(n int) {
	for range n {
		g.out = append(g.out, byte('0'+g.r.IntN(10)))
	}
}

// mutate damages a document the way hostile or truncated input would.
func mutate(r *rand.Rand, doc []byte) []byte {
	b := append([]byte(nil), doc...)
	interesting := []byte("{}[],:\"\\ \t\n0123456789-+.eEtfnulrsa/\x00\x1f\x7f\x80\xff")
	pos := 0
	if len(b) > 0 {
		pos = r.IntN(len(b))
	}
	switch r.IntN(6) {
	case 0:
		if len(b) > 0 {
			b = append(b[:pos], b[pos+1:]...)
		}
	case 1:
		b = append(b[:pos], append([]byte{interesting[r.IntN(len(interesting))]}, b[pos:]...)...)
	case 2:
		if len(b) > 0 {
			b[pos] = interesting[r.IntN(len(interesting))]
		}
	case 3:
		b = b[:pos]
	case 4:
		if len(b) > 1 {
			p := r.IntN(len(b) - 1)
			b[p], b[p+1] = b[p+1], b[p]
		}
	default:
		b = append(b, []string{"x", ",", " 1", "}", "]", "\x00", "{}", `""`}[r.IntN(8)]...)
	}
	return b
}

// handWritten are real-world shaped bodies of the APIs restconn talks to.
var handWritten = []string{
	errorBody,
	`{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"scimType":"invalidValue","detail":"Attribute 'userName' is required","status":"400"}`,
	`{"Ticket":[{"TicketID":"1","Title":"Printer on fire","Article":[{"Body":"It\u2019s on fire.\r\nPlease help"}],"DynamicField":[]}],"TicketID":["1"]}`,
	`{"type":"list","data":[{"type":"contact","id":"5f3a","custom_attributes":{"plan":null,"seats":12,"ratio":0.75,"big":12345678901234567890}}],"pages":{"next":{"starting_after":"WzE3MDk="},"page":1,"per_page":50,"total_pages":3},"total_count":120}`,
	"{\n  \"entities\": [\n    {\n      \"id\": \"a\",\n      \"name\": \"Queue \\\"A\\\"\"\n    }\n  ],\n  \"pageSize\": 25,\n  \"pageNumber\": 1,\n  \"nextUri\": \"/api/v2/routing/queues?pageNumber=2\"\n}\n",
	`[{"login":"octocat","id":1,"node_id":"MDQ6VXNlcjE=","site_admin":false,"score":1.0,"bio":null}]`,
	`{"emoji":"😀 \ud83d\ude00 \u00e9 e\u0301","rtl":"\u05e9\u05dc\u05d5\u05dd","nul":"a\u0000b","sep":"\u2028\u2029"}`,
}

// TestDifferential compares Decode with encoding/json on generated
// documents, valid and damaged, and on hand-written ones.
func TestDifferential(t *testing.T) {
	docs, mutations := 20000, 4
	if testing.Short() || raceEnabled {
		docs = 4000
	}
	r := rand.New(rand.NewPCG(42, 1))
	g := &docGen{r: r}
	var valid, checked int
	for i := range docs {
		doc := g.doc(i % 6)
		if diffStd(doc) != "" {
			checkStd(t, doc)
			continue
		}
		if _, err := Decode(doc); err == nil {
			valid++
		}
		checked++
		for range mutations {
			checkStd(t, mutate(r, doc))
			checked++
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	for _, doc := range handWritten {
		checkStd(t, []byte(doc))
		for range 50 {
			checkStd(t, mutate(r, []byte(doc)))
		}
	}
	// Most generated documents must be valid, or the test would only
	// exercise error paths.
	if valid < docs*3/4 {
		t.Errorf("only %d of %d generated documents are valid", valid, docs)
	}
	t.Logf("%d documents checked, %d generated valid ones", checked, valid)
}
