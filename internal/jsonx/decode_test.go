package jsonx

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type N = json.Number

// valid lists accepted inputs with the value they must decode to.
var valid = []struct {
	in   string
	want any
}{
	{`null`, nil},
	{`true`, true},
	{`false`, false},
	{" \t\r\n0\n", N("0")},
	{`-0`, N("-0")},
	{`-0.0e-0`, N("-0.0e-0")},
	{`1E+2`, N("1E+2")},
	{`1e999`, N("1e999")},
	{`123456789012345678901234567890.123456789e-400`, N("123456789012345678901234567890.123456789e-400")},
	{`""`, ""},
	{`"a\"b\\c\/d\be\ff\ng\rh\ti"`, "a\"b\\c/d\be\ff\ng\rh\ti"},
	{`"\u0000\u001f\u007F\u00e9\u20AC"`, "\x00\x1f\x7f\u00e9\u20ac"},
	{"\"\x7f\"", "\x7f"},
	{`"\ud83d\ude00"`, "😀"},
	{`"\uD83D\uDE00"`, "😀"},
	{`"\ud83d"`, "\ufffd"},
	{`"\ude00"`, "\ufffd"},
	{`"\ude00\ud83d"`, "\ufffd\ufffd"},
	{`"\ud83d\ud83d\ude00"`, "\ufffd😀"},
	{`"\ud83dx"`, "\ufffdx"},
	{`"\ud83d\n"`, "\ufffd\n"},
	{`"\ud83d\u0041"`, "\ufffdA"},
	{`"\udbff\udfff"`, "\U0010ffff"},
	{`"\ud800\udc00"`, "\U00010000"},
	{`"\ud7ff\ue000"`, "\ud7ff\ue000"},
	{"\"\xff\"", "\ufffd"},
	{"\"a\xffb\xfe\"", "a\ufffdb\ufffd"},
	{"\"\xe2\x82\"", "\ufffd\ufffd"},                     // truncated sequence
	{"\"\xed\xa0\x80\"", "\ufffd\ufffd\ufffd"},           // encoded surrogate
	{"\"\xc0\x80\"", "\ufffd\ufffd"},                     // overlong NUL
	{"\"\xf4\x90\x80\x80\"", "\ufffd\ufffd\ufffd\ufffd"}, // above U+10FFFF
	{"\"\xef\xbf\xbd\"", "\ufffd"},
	{"\"\xe2\x82\xac\\n\xff\"", "€\n\ufffd"},
	{"\"h\xc3\xa9llo w\xc3\xb6rld, \xe2\x82\xac 12345678\"", "héllo wörld, € 12345678"},
	{`[]`, []any{}},
	{`{}`, map[string]any{}},
	{` [ 1 , "a" , [ ] , { } , null ] `, []any{N("1"), "a", []any{}, map[string]any{}, nil}},
	{`{"a":1,"a":2}`, map[string]any{"a": N("2")}},
	{`{"a":1,"\u0061":{"b":[]}}`, map[string]any{"a": map[string]any{"b": []any{}}}},
	{"{\"\xff\":1,\"\\ufffd\":2}", map[string]any{"\ufffd": N("2")}},
	{`{"":""}`, map[string]any{"": ""}},
	{`{"x":[[[{"y":[true,false,null]}]]]}`, map[string]any{"x": []any{[]any{[]any{map[string]any{"y": []any{true, false, nil}}}}}}},
}

// invalid lists rejected inputs with the offset the error must point at.
var invalid = []struct {
	in     string
	offset int64
}{
	{``, 0},
	{" \t\n", 3},
	{`01`, 1},
	{`-`, 1},
	{`-a`, 1},
	{`1.`, 2},
	{`1.e5`, 2},
	{`.5`, 0},
	{`+1`, 0},
	{`1e`, 2},
	{`1e+`, 3},
	{`1ex`, 2},
	{`--1`, 1},
	{`0x10`, 1},
	{`NaN`, 0},
	{`Infinity`, 0},
	{`-Infinity`, 1},
	{`tru`, 3},
	{`trUe`, 2},
	{`nul`, 3},
	{`nulll`, 4},
	{`falsy`, 4},
	{`True`, 0},
	{`[1,]`, 3},
	{`[,1]`, 1},
	{`[1 2]`, 3},
	{`[1`, 2},
	{`[`, 1},
	{`]`, 0},
	{`{"a":1,}`, 7},
	{`{,}`, 1},
	{`{"a"}`, 4},
	{`{"a" 1}`, 5},
	{`{"a":}`, 5},
	{`{1:2}`, 1},
	{`{'a':1}`, 1},
	{`{"a":1`, 6},
	{`{"a":1 "b":2}`, 7},
	{`{"a"`, 4},
	{`{`, 1},
	{`"abc`, 4},
	{`"abc\`, 5},
	{"\"\x01\"", 1},
	{"\"a\tb\"", 2},
	{"\"a\nb\"", 2},
	{`"\a"`, 2},
	{`"\x41"`, 2},
	{`"\U0041"`, 2},
	{`"\u12"`, 5},
	{`"\u12G4"`, 5},
	{`"\u12`, 5},
	{`"\ud83d\u12"`, 11},
	{`"\ud83d\uzzzz"`, 9},
	{`// comment` + "\n1", 0},
	{`/* c */ 1`, 0},
	{`1 2`, 2},
	{`{} x`, 3},
	{`""""`, 2},
	{"\xef\xbb\xbf{}", 0},
	{"\f1", 0},
	{"1\v", 1},
	{"\u00a01", 0},
	{"[1]\x00", 3},
}

func TestDecodeValid(t *testing.T) {
	for _, c := range valid {
		got, err := Decode([]byte(c.in))
		if assert.NoError(t, err, "%q", c.in) {
			assert.Equal(t, c.want, got, "%q", c.in)
		}
		checkStd(t, []byte(c.in))
	}
}

func TestDecodeInvalid(t *testing.T) {
	for _, c := range invalid {
		v, err := Decode([]byte(c.in))
		assert.Nil(t, v, "%q", c.in)
		var se *SyntaxError
		if assert.True(t, errors.As(err, &se), "%q: %v", c.in, err) {
			assert.Equal(t, c.offset, se.Offset, "%q: %v", c.in, err)
			assert.NotEmpty(t, se.Msg)
		}
		checkStd(t, []byte(c.in))
	}
}

func TestErrorMessage(t *testing.T) {
	for in, want := range map[string]string{
		`[1,]`:        `jsonx: invalid character ']' looking for beginning of value at offset 3`,
		`{"a" 1}`:     `jsonx: invalid character '1' after object key at offset 5`,
		`{"a":1`:      `jsonx: unexpected end of JSON input at offset 6`,
		"\"\x01\"":    `jsonx: invalid character byte 0x01 in string literal at offset 1`,
		`trUe`:        `jsonx: invalid character 'U' in literal true (expecting 'u') at offset 2`,
		`'a'`:         `jsonx: invalid character '\'' looking for beginning of value at offset 0`,
		`1 2`:         `jsonx: invalid character '2' after top-level value at offset 2`,
		`[1 2]`:       `jsonx: invalid character '2' after array element at offset 3`,
		`{"a":1 "b"}`: `jsonx: invalid character '"' after object key:value pair at offset 7`,
	} {
		_, err := Decode([]byte(in))
		if assert.Error(t, err, "%q", in) {
			assert.Equal(t, want, err.Error(), "%q", in)
		}
	}
}

func TestDepthLimit(t *testing.T) {
	nest := func(n int, open, close string) []byte {
		return []byte(strings.Repeat(open, n) + "1" + strings.Repeat(close, n))
	}
	for _, c := range []struct{ open, close string }{
		{"[", "]"},
		{`{"k":`, "}"},
		{`[{"k":`, "}]"},
	} {
		per := strings.Count(c.open, "[") + strings.Count(c.open, "{")
		ok := nest(maxDepth/per, c.open, c.close)
		_, err := Decode(ok)
		require.NoError(t, err, "depth %d of %s", maxDepth, c.open)
		checkStd(t, ok)

		tooDeep := nest(maxDepth/per+1, c.open, c.close)
		_, err = Decode(tooDeep)
		var se *SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Contains(t, se.Msg, "exceeded max depth")
		checkStd(t, tooDeep)
	}
	// Far past the limit, and unterminated, must still just fail.
	_, err := Decode([]byte(strings.Repeat("[", 1<<20)))
	assert.Error(t, err)
	// The limit counts open containers, not all containers seen.
	wide := []byte("[" + strings.Repeat("[[]],", maxDepth) + "[]]")
	_, err = Decode(wide)
	assert.NoError(t, err)
}

func TestNoAliasing(t *testing.T) {
	in := []byte(`{"key":"value","n":12,"esc":"a\nb","k2":["x"]}`)
	v, err := Decode(in)
	require.NoError(t, err)
	want := map[string]any{"key": "value", "n": N("12"), "esc": "a\nb", "k2": []any{"x"}}
	for i := range in {
		in[i] = 'X'
	}
	assert.Equal(t, want, v)
}

// TestResetDropsReferences checks that a pooled decoder keeps nothing of
// the last document or its result but the interned strings.
func TestResetDropsReferences(t *testing.T) {
	for _, doc := range []string{`[[1,2],{"a":[3,{"b":4}]},[5]]`, `[[1,2],{"a":[3,{"b":`, `{"a":{"b":{"c":[1,2,3,"x\n"]}}}`} {
		d := newDecoder()
		d.data = []byte(doc)
		d.top()
		d.reset()
		assert.Nil(t, d.data)
		assert.Nil(t, d.err)
		assert.Zero(t, d.depth)
		assert.Empty(t, d.vals)
		assert.Empty(t, d.keys)
		assert.Empty(t, d.buf)
		for _, v := range d.vals[:cap(d.vals)] {
			assert.Nil(t, v, doc)
		}
		for _, k := range d.keys[:cap(d.keys)] {
			assert.Empty(t, k, doc)
		}
	}
}

// TestLargeTokens covers what bypasses the intern tables (long keys and
// numbers) and the scratch buffers a decoder must not keep once they have
// grown past their limits.
func TestLargeTokens(t *testing.T) {
	longKey := strings.Repeat("k", maxInternLen+1)
	longNum := "-" + strings.Repeat("9", maxInternLen+1)
	longStr := strings.Repeat(`a\\`, maxKeptBuf) // an escaped backslash after each a
	doc := fmt.Sprintf(`{%q:[%s,"%s"],"many":[%s0]}`, longKey, longNum, longStr, strings.Repeat("0,", maxKeptStack))
	checkStd(t, []byte(doc))
	_, err := Decode([]byte(doc))
	require.NoError(t, err)

	d := newDecoder()
	d.data = []byte(doc)
	v, i := d.value(0)
	require.Equal(t, len(doc), i, "%v", d.err)
	m := v.(map[string]any)
	assert.Equal(t, []any{N(longNum), strings.Repeat(`a\`, maxKeptBuf)}, m[longKey])
	assert.Len(t, m["many"], maxKeptStack+1)
	d.reset()
	assert.Nil(t, d.vals)
	assert.Nil(t, d.keys)
	assert.Nil(t, d.buf)
}

// TestInternCollisions decodes far more distinct short strings than the
// intern table holds, each several times, so entries are replaced while
// still in use by earlier values.
func TestInternCollisions(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("[")
	want := []any{}
	for round := range 3 {
		for i := range 8 * internSets {
			if round > 0 || i > 0 {
				sb.WriteString(",")
			}
			k := fmt.Sprintf("k%d", i)
			fmt.Fprintf(&sb, `{%q:%q,"n":%d}`, k, k, i)
			want = append(want, map[string]any{k: k, "n": N(fmt.Sprint(i))})
		}
	}
	sb.WriteString("]")
	got, err := Decode([]byte(sb.String()))
	require.NoError(t, err)
	assert.Equal(t, want, got)
	checkStd(t, []byte(sb.String()))
}

// TestScanPlain compares the eight-bytes-at-a-time scan with a byte loop
// for every byte value at every position of a word and its neighbours.
func TestScanPlain(t *testing.T) {
	naive := func(b []byte, i int) int {
		for ; i < len(b); i++ {
			if c := b[i]; c < ' ' || c == '"' || c == '\\' || c >= 0x80 {
				return i
			}
		}
		return i
	}
	buf := make([]byte, 24)
	for pos := range buf {
		for c := range 256 {
			for _, fill := range []byte{'a', ' ', '!', '#', '[', ']', 0x7f} {
				for i := range buf {
					buf[i] = fill
				}
				buf[pos] = byte(c)
				for start := range 3 {
					if got, want := scanPlain(buf, start), naive(buf, start); got != want {
						t.Fatalf("scanPlain(%q, %d) = %d, want %d", buf, start, got, want)
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(r.IntN(256))
			if r.IntN(2) == 0 {
				b[i] = byte(r.IntN(0x60) + 0x20)
			}
		}
		start := 0
		if len(b) > 0 {
			start = r.IntN(len(b))
		}
		if got, want := scanPlain(b, start), naive(b, start); got != want {
			t.Fatalf("scanPlain(%q, %d) = %d, want %d", b, start, got, want)
		}
	}
}

// TestConcurrent runs Decode from many goroutines, so the race detector
// checks that pooled decoder state and shared interned values are safe.
func TestConcurrent(t *testing.T) {
	docs := [][]byte{scimPage(5), []byte(errorBody), []byte(`[1,"a",{"a":"b"}]`), []byte(`{"a":`)}
	wants := make([]any, len(docs))
	for i, d := range docs {
		wants[i], _ = stdDecode(d)
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				k := (g + i) % len(docs)
				got, err := Decode(docs[k])
				if wants[k] == nil {
					assert.Error(t, err)
					continue
				}
				assert.NoError(t, err)
				assert.Equal(t, wants[k], got)
			}
		}()
	}
	wg.Wait()
}

func TestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	body := []byte(errorBody)
	Decode(body)
	// The object's map and the group holding its members, and the empty
	// map of "messageParams"; every key and value is interned from the
	// previous call.
	if n := testing.AllocsPerRun(100, func() { Decode(body) }); n > 3 {
		t.Errorf("Decode(errorBody) made %v allocations, want at most 3", n)
	}
}
