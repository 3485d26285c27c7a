package jsonx

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeLimitsWithinLimits(t *testing.T) {
	docs := []string{errorBody, string(scimPage(100)), `[]`, `{}`, `[[],{},[[{}]]]`, `"x"`, `1e400`}
	for _, c := range valid {
		docs = append(docs, c.in)
	}
	for _, doc := range docs {
		want, err := Decode([]byte(doc))
		require.NoError(t, err)
		got, err := DecodeLimits([]byte(doc), DefaultLimits(len(doc)))
		require.NoError(t, err, "%.80s", doc)
		assert.Equal(t, want, got, "%.80s", doc)
	}
	// A limit that is just met is not exceeded.
	got, err := DecodeLimits([]byte(`{"a":[1,2,3],"b":[[4,5,6]]}`), Limits{MaxArrayLen: 3, MaxDepth: 3})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": []any{N("1"), N("2"), N("3")}, "b": []any{[]any{N("4"), N("5"), N("6")}}}, got)
	// Syntax errors are Decode's.
	for _, c := range invalid {
		_, want := Decode([]byte(c.in))
		_, err := DecodeLimits([]byte(c.in), DefaultLimits(len(c.in)))
		assert.Equal(t, want, err, "%q", c.in)
	}
}

func TestLimitError(t *testing.T) {
	tests := []struct {
		name, doc string
		limits    Limits
		want      LimitError
		msg       string
	}{
		{"records", `[{},{},{}]`, Limits{MaxArrayLen: 2},
			LimitError{Limit: "MaxArrayLen", Max: 2, Path: "$", Offset: 0},
			"jsonx: array at $ (offset 0) has more than 2 elements (MaxArrayLen)"},
		{"nested", `{"Resources":[{"id":"1"},{"id":"2","emails":[{"value":"a"},{"value":"b"},{"value":"c"}]}]}`, Limits{MaxArrayLen: 2},
			LimitError{Limit: "MaxArrayLen", Max: 2, Path: "$.Resources[1].emails", Offset: 44},
			"jsonx: array at $.Resources[1].emails (offset 44) has more than 2 elements (MaxArrayLen)"},
		{"quoted key", `{"urn:x:2.0:User":{"a\"b":[1,2,3]}}`, Limits{MaxArrayLen: 2},
			LimitError{Limit: "MaxArrayLen", Max: 2, Path: `$["urn:x:2.0:User"]["a\"b"]`, Offset: 26},
			`jsonx: array at $["urn:x:2.0:User"]["a\"b"] (offset 26) has more than 2 elements (MaxArrayLen)`},
		{"depth", `{"a":[[{"b":1}]]}`, Limits{MaxDepth: 3},
			LimitError{Limit: "MaxDepth", Max: 3, Path: "$.a[0][0]", Offset: 7},
			"jsonx: value at $.a[0][0] (offset 7) nests deeper than 3 levels (MaxDepth)"},
		{"memory", `{"a":[{},{},"` + strings.Repeat("x", 5000) + `"]}`, Limits{MaxAlloc: 4000},
			LimitError{Limit: "MaxAlloc", Max: 4000, Path: "$.a[2]", Offset: 12},
			"jsonx: decoding needs more than 4000 bytes of memory (MaxAlloc); stopped at $.a[2] (offset 12)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := DecodeLimits([]byte(tt.doc), tt.limits)
			assert.Nil(t, v)
			var le *LimitError
			require.ErrorAs(t, err, &le)
			assert.Equal(t, tt.want, *le)
			assert.Equal(t, tt.msg, err.Error())
			_, err = Decode([]byte(tt.doc))
			assert.NoError(t, err, "Decode has no limits")
		})
	}
	// A deep path keeps its ends.
	var deep strings.Builder
	for i := range 30 {
		fmt.Fprintf(&deep, `{"k%d":`, i)
	}
	deep.WriteString("1" + strings.Repeat("}", 30))
	_, err := DecodeLimits([]byte(deep.String()), Limits{MaxDepth: 25})
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "$.k0.k1.k2.k3.k4.k5.k6.k7.k8.k9…(5 more)….k15.k16.k17.k18.k19.k20.k21.k22.k23.k24", le.Path)

	// Decode keeps encoding/json's depth error.
	_, err = Decode([]byte(strings.Repeat("[", maxDepth+1)))
	var se *SyntaxError
	assert.ErrorAs(t, err, &se)
}

// TestLimitErrorPathCompiles checks that the paths in errors are the
// paths specs write, by reading the array back through them.
func TestLimitErrorPathFindsArray(t *testing.T) {
	for _, doc := range []string{
		`{"Resources":[{"id":"1"},{"emails":[1,2,3]}]}`,
		`{"a.b":{"":[[1,2,3]]}}`,
		`[[0],{"x y":{"z":[1,2,3]}}]`,
	} {
		_, err := DecodeLimits([]byte(doc), Limits{MaxArrayLen: 2})
		var le *LimitError
		require.ErrorAs(t, err, &le, doc)
		assert.Equal(t, byte('['), doc[le.Offset], "%s: offset %d", doc, le.Offset)
		v, _ := Decode([]byte(doc))
		got := walk(t, v, le.Path)
		assert.Len(t, got, 3, "%s: %s", doc, le.Path)
	}
}

// walk follows a path as LimitError writes it (the jsonpath package reads
// the same syntax; jsonx does not import it).
func walk(t *testing.T, v any, path string) any {
	t.Helper()
	p := strings.TrimPrefix(path, "$")
	for p != "" {
		switch {
		case strings.HasPrefix(p, `["`):
			end := strings.Index(p, `"]`)
			key := strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(p[2:end])
			v, p = v.(map[string]any)[key], p[end+2:]
		case p[0] == '[':
			end := strings.IndexByte(p, ']')
			var i int
			fmt.Sscan(p[1:end], &i)
			v, p = v.([]any)[i], p[end+1:]
		case p[0] == '.':
			end := strings.IndexAny(p[1:], ".[")
			if end < 0 {
				end = len(p) - 1
			}
			v, p = v.(map[string]any)[p[1:end+1]], p[end+1:]
		default:
			t.Fatalf("bad path %q", path)
		}
	}
	return v
}

// TestOutOfRangeNumbersStayExact: numbers no float64 holds keep their
// text, so nothing downstream sees +Inf or 0.
func TestOutOfRangeNumbersStayExact(t *testing.T) {
	doc := `{"big":1e400,"neg":-1e400,"tiny":1e-400,"long":123456789012345678901234567890}`
	want := map[string]any{"big": N("1e400"), "neg": N("-1e400"), "tiny": N("1e-400"), "long": N("123456789012345678901234567890")}
	for name, decode := range map[string]func([]byte) (any, error){
		"Decode":       Decode,
		"DecodeLimits": func(b []byte) (any, error) { return DecodeLimits(b, DefaultLimits(len(b))) },
	} {
		v, err := decode([]byte(doc))
		require.NoError(t, err, name)
		assert.Equal(t, want, v, name)
		// The decoded value marshals back to the same numbers.
		out, err := json.Marshal(v)
		require.NoError(t, err, name)
		back, err := Decode(out)
		require.NoError(t, err, name)
		assert.Equal(t, want, back, name)
	}
}

// hostile documents: bodies a broken or malicious server may send, each
// just under the 32 MiB body cap, whose decoded form would take many times
// their size.
var hostile = []struct {
	name  string
	build func(n int) []byte // a document of about n bytes
	limit string             // the limit that must stop it
}{
	{"10M empty objects", func(n int) []byte { return repeatJoin("[", "{}", ",", "]", n) }, "MaxArrayLen"},
	{"empty arrays", func(n int) []byte { return repeatJoin("[", "[]", ",", "]", n) }, "MaxArrayLen"},
	{"objects holding an empty object", func(n int) []byte { return repeatJoin("[", `{"a":{}}`, ",", "]", n) }, "MaxArrayLen"},
	{"tiny distinct strings", func(n int) []byte { return distinct("[", `"%x"`, "]", n) }, "MaxArrayLen"},
	{"distinct numbers", func(n int) []byte { return distinct("[", `%d`, "]", n) }, "MaxArrayLen"},
	{"too deep", func(n int) []byte { return []byte(strings.Repeat("[", n/2) + strings.Repeat("]", n/2)) }, "MaxDepth"},
	// The shapes below keep every array under the element limit: only the
	// memory budget stops them.
	{"empty objects in arrays of 99,999", func(n int) []byte {
		inner := string(repeatJoin("[", "{}", ",", "]", 3*99_999))
		return repeatJoin("[", inner, ",", "]", n)
	}, "MaxAlloc"},
	{"deep nests side by side", func(n int) []byte {
		nest := strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1)
		return repeatJoin("[", nest, ",", "]", n)
	}, "MaxAlloc"},
	{"object with millions of members", func(n int) []byte { return distinct("{", `"%x":{}`, "}", n) }, "MaxAlloc"},
	{"tiny strings in one-element arrays", func(n int) []byte {
		inner := string(distinct("[", `["%x"]`, "]", 99_999*8))
		return repeatJoin("[", inner, ",", "]", n)
	}, "MaxAlloc"},
}

const hostileSize = 30_000_000 // 28.6 MiB, as in the report of issue 12

func repeatJoin(open, item, sep, close string, n int) []byte {
	k := max(1, (n-len(open)-len(close))/(len(item)+len(sep)))
	var b strings.Builder
	b.Grow(len(open) + k*(len(item)+len(sep)) + len(close))
	b.WriteString(open)
	for i := range k {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(item)
	}
	b.WriteString(close)
	return []byte(b.String())
}

// distinct writes items from a format taking a counter, separated by
// commas, until about n bytes.
func distinct(open, format, close string, n int) []byte {
	b := []byte(open)
	for i := 0; len(b) < n-len(close); i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = fmt.Appendf(b, format, i)
	}
	return append(b, close...)
}

// TestHostilePagesMemory is the memory bound of DefaultLimits: each
// hostile page fails with the expected *LimitError having allocated at most
// DefaultAllocFactor (4) times its size, where Decode would take 15 to 50
// times.
func TestHostilePagesMemory(t *testing.T) {
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			body := h.build(hostileSize)
			require.InDelta(t, hostileSize, len(body), hostileSize/10)
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			v, err := DecodeLimits(body, DefaultLimits(len(body)))
			took := time.Since(start)
			runtime.ReadMemStats(&after)
			allocated := after.TotalAlloc - before.TotalAlloc
			assert.Nil(t, v)
			var le *LimitError
			if assert.ErrorAs(t, err, &le) {
				assert.Equal(t, h.limit, le.Limit, "%v", err)
			}
			t.Logf("%d bytes: %v after %v, %.1f MiB allocated (%.2f× the body)", len(body), err, took.Round(time.Millisecond), float64(allocated)/(1<<20), float64(allocated)/float64(len(body)))
			bound := uint64(DefaultAllocFactor * len(body))
			if raceEnabled {
				// The race detector changes what the runtime allocates
				// (up to a tenth more than the estimates, which follow an
				// ordinary build).
				bound += bound / 8
			}
			assert.LessOrEqual(t, allocated, bound, "allocated %d bytes for a body of %d", allocated, len(body))
		})
	}
}

// TestCostsCoverAllocations checks the estimate DecodeLimits budgets with
// against what the runtime counts, for documents of every shape: it must
// never be below, and for ordinary pages not far above.
func TestCostsCoverAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes what the runtime allocates")
	}
	type doc struct {
		name string
		data []byte
	}
	docs := []doc{
		{"scim_100", scimPage(100)},
		{"scim_1000", scimPage(1000)},
		{"error body", []byte(errorBody)},
		{"long strings", []byte(fmt.Sprintf(`[%q,"%s",%q]`, strings.Repeat("x", 50000), strings.Repeat(`\n\u00e9`, 20000), strings.Repeat("é", 40000)))},
		{"long numbers", []byte("[" + strings.Repeat("1", 100000) + ",-" + strings.Repeat("2", 200) + "]")},
		{"long keys", []byte(fmt.Sprintf(`{%q:1,%q:2}`, strings.Repeat("k", 129), strings.Repeat("j", 5000)))},
	}
	for _, n := range []int{0, 1, 7, 8, 9, 14, 15, 28, 29, 56, 57, 100, 112, 113, 224, 225, 448, 449, 896, 897, 1000, 1792, 1793, 3000, 5000} {
		docs = append(docs, doc{fmt.Sprintf("object of %d", n), distinct("{", `"k%d":0`, "}", n*8+2)})
		docs = append(docs, doc{fmt.Sprintf("array of %d", n), repeatJoin("[", "0", ",", "]", 2*n+2)})
	}
	for _, h := range hostile {
		if h.limit != "MaxDepth" {
			docs = append(docs, doc{h.name, h.build(300_000)})
		}
	}
	for _, dc := range docs {
		d := newDecoder()
		d.data = dc.data
		d.top() // warms the intern tables, as a pooled decoder would be
		d.reset()
		// Small documents are decoded many times over, so that what the
		// runtime and the testing package allocate meanwhile (TotalAlloc
		// counts the whole process; a few KiB at times) is lost in the sum.
		reps := max(1, (1<<20)/len(dc.data))
		var estimate int64
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		var err error
		for range reps {
			d.data = dc.data
			if _, e := d.top(); e != nil {
				err = e
			}
			estimate += d.alloc
			d.reset()
		}
		runtime.ReadMemStats(&after)
		require.NoError(t, err, dc.name)
		actual := int64(after.TotalAlloc - before.TotalAlloc)
		const noise = 16 << 10
		assert.GreaterOrEqual(t, estimate+noise, actual, "%s: estimate below the allocation", dc.name)
		if strings.HasPrefix(dc.name, "scim") {
			assert.LessOrEqual(t, float64(estimate), 1.15*float64(actual), "%s: estimate far above the allocation", dc.name)
		}
		t.Logf("%-40s %9d bytes ×%6d: allocated %10d, estimated %10d (%.3f)", dc.name, len(dc.data), reps, actual, estimate, float64(estimate)/float64(max(actual, 1)))
	}
}

func TestLimitsMakeNoGarbageOnSuccess(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop items at random")
	}
	body := []byte(errorBody)
	l := DefaultLimits(len(body))
	DecodeLimits(body, l)
	if n := testing.AllocsPerRun(100, func() { DecodeLimits(body, l) }); n > 3 {
		t.Errorf("DecodeLimits(errorBody) made %v allocations, want at most 3 as Decode", n)
	}
}

func TestLimitErrorIsNotSyntaxError(t *testing.T) {
	_, err := DecodeLimits([]byte(`[1,2]`), Limits{MaxArrayLen: 1})
	var le *LimitError
	require.ErrorAs(t, err, &le, "a limit error at all")
	var se *SyntaxError
	assert.False(t, errors.As(err, &se))
}

// diffLimits returns how DecodeLimits(data) disagrees with Decode(data) and
// with the limits it was given, or "". Limits that the decoded document
// meets must let it through unchanged; one less on the longest array or
// the depth must stop it with the matching *LimitError; a memory budget
// of any size must either let it through or stop it cleanly.
func diffLimits(data []byte) string {
	want, werr := Decode(data)
	if werr != nil {
		// Before any limit is hit a syntax error is Decode's; after, the
		// limit may be reported instead.
		for _, l := range []Limits{{MaxArrayLen: 1}, {MaxDepth: 1}, {MaxAlloc: 100}, {}} {
			_, err := DecodeLimits(data, l)
			var le *LimitError
			if !errors.As(err, &le) && !reflect.DeepEqual(err, werr) {
				return fmt.Sprintf("limits %+v: error %v, Decode's %v", l, err, werr)
			}
			if s := checkLimitError(data, err); s != "" {
				return s
			}
		}
		return ""
	}
	longest, depth := shape(data)
	exact := Limits{MaxArrayLen: max(longest, 1), MaxDepth: max(depth, 1)}
	if got, err := DecodeLimits(data, exact); err != nil || !reflect.DeepEqual(got, want) {
		return fmt.Sprintf("limits %+v that the document meets: %v", exact, err)
	}
	for _, l := range []Limits{{MaxArrayLen: longest - 1}, {MaxDepth: depth - 1}} {
		if l.MaxArrayLen <= 0 && l.MaxDepth <= 0 {
			continue
		}
		got, err := DecodeLimits(data, l)
		var le *LimitError
		if got != nil || !errors.As(err, &le) {
			return fmt.Sprintf("limits %+v: not stopped (%v)", l, err)
		}
		if (l.MaxArrayLen > 0) != (le.Limit == "MaxArrayLen") {
			return fmt.Sprintf("limits %+v: stopped by %s", l, le.Limit)
		}
		if s := checkLimitError(data, err); s != "" {
			return s
		}
	}
	for _, budget := range []int64{1, 64, 500, 5000, int64(len(data)) * 8} {
		got, err := DecodeLimits(data, Limits{MaxAlloc: budget})
		if err == nil {
			if !reflect.DeepEqual(got, want) {
				return fmt.Sprintf("MaxAlloc %d: values differ", budget)
			}
			continue
		}
		var le *LimitError
		if got != nil || !errors.As(err, &le) || le.Limit != "MaxAlloc" {
			return fmt.Sprintf("MaxAlloc %d: %v", budget, err)
		}
		if s := checkLimitError(data, err); s != "" {
			return s
		}
	}
	return ""
}

// checkLimitError checks where a *LimitError (if err is one) points.
func checkLimitError(data []byte, err error) string {
	var le *LimitError
	if !errors.As(err, &le) {
		return ""
	}
	if le.Offset < 0 || le.Offset >= int64(len(data)) || !strings.HasPrefix(le.Path, "$") {
		return fmt.Sprintf("%v: offset %d or path %q out of place", err, le.Offset, le.Path)
	}
	c := data[le.Offset]
	switch le.Limit {
	case "MaxArrayLen":
		if c != '[' {
			return fmt.Sprintf("%v: offset %d holds %q, not the array", err, le.Offset, c)
		}
	case "MaxDepth":
		if c != '[' && c != '{' {
			return fmt.Sprintf("%v: offset %d holds %q, not a container", err, le.Offset, c)
		}
	}
	return ""
}

// shape returns the length of the longest array in a valid document and
// its nesting depth (a scalar is 0, [] is 1), as written: members that a
// later duplicate key replaces count too, as the decoder reads them.
func shape(data []byte) (longest, depth int) {
	var counts []int // elements seen in each open container (-1: object)
	for i := 0; i < len(data); i++ {
		switch c := data[i]; c {
		case '"':
			if n := len(counts); n > 0 && counts[n-1] == 0 {
				counts[n-1] = 1
			}
			for i++; data[i] != '"'; i++ {
				if data[i] == '\\' {
					i++
				}
			}
		case '[', '{':
			if n := len(counts); n > 0 && counts[n-1] == 0 {
				counts[n-1] = 1
			}
			if c == '[' {
				counts = append(counts, 0)
			} else {
				counts = append(counts, -1)
			}
			depth = max(depth, len(counts))
		case ']', '}':
			if n := counts[len(counts)-1]; n > 0 {
				longest = max(longest, n)
			}
			counts = counts[:len(counts)-1]
		case ',':
			if n := len(counts); counts[n-1] > 0 {
				counts[n-1]++
			}
		case ' ', '\t', '\r', '\n', ':':
		default: // a scalar starts, or goes on
			if n := len(counts); n > 0 && counts[n-1] == 0 {
				counts[n-1] = 1
			}
		}
	}
	return longest, depth
}

func TestLimitsDifferential(t *testing.T) {
	docs := 3000
	if testing.Short() || raceEnabled {
		docs = 600
	}
	r := rand.New(rand.NewPCG(7, 12))
	g := &docGen{r: r}
	for i := range docs {
		doc := g.doc(i % 6)
		for _, d := range [][]byte{doc, mutate(r, doc)} {
			if s := diffLimits(d); s != "" {
				t.Fatalf("%q: %s", d, s)
			}
		}
	}
	for _, doc := range append(handWritten, string(scimPage(3))) {
		if s := diffLimits([]byte(doc)); s != "" {
			t.Fatalf("%q: %s", doc, s)
		}
	}
}
