package template

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"text/template"
	"time"

	"github.com/Masterminds/sprig/v3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func bigList(n int) []any {
	l := make([]any, n)
	for i := range l {
		l[i] = map[string]any{"id": i}
	}
	return l
}

// heapGrowth runs fn and returns how much the live heap grew at most while
// it ran, sampled every millisecond, and how long fn took.
func heapGrowth(fn func()) (peak uint64, took time.Duration) {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var hi uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			hi = max(hi, ms.HeapAlloc)
			select {
			case <-stop:
				done <- hi
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	fn()
	took = time.Since(start)
	close(stop)
	hi := <-done
	if hi < base {
		return 0, took
	}
	return hi - base, took
}

// The templates of the issue, and their kin, fail at once under a 2 s
// context, with bounded memory and an error naming the template and the
// limit, whether rendered as text, as a typed value or inside a body.
func TestBudgetStopsHostileTemplates(t *testing.T) {
	data := map[string]any{"l": bigList(100_000), "s": strings.Repeat("y", 1000)}
	cases := []struct {
		src, fn, limit string
	}{
		{`{{ repeat 1000000000 "x" }}`, "repeat", "MaxOutput"},
		{`{{ range $i := until 100000000 }}{{ end }}`, "until", "MaxSteps"},
		{`{{ range $i := untilStep 0 100000000 1 }}{{ end }}`, "untilStep", "MaxSteps"},
		{`{{ untilStep 0 9223372036854775807 4611686018427387904 | len }}{{ range untilStep 1 9223372036854775807 1 }}{{ end }}`, "untilStep", "MaxSteps"},
		{`{{ seq 100000000 }}`, "seq", "MaxSteps"},
		{`{{ seq 500000 }}`, "seq", "MaxOutput"},
		{`{{ range 100000000 }}{{ end }}`, "range", "MaxSteps"},
		{`{{ range $a := .l }}{{ range $b := $.l }}{{ end }}{{ end }}`, "range", "MaxSteps"},
		{`{{ range .l }}{{ range $.l }}{{ if .id }}x{{ end }}{{ end }}{{ end }}`, "range", "MaxSteps"},
		{`{{ indent 1000000000 "x" }}`, "indent", "MaxOutput"},
		{`{{ nindent 2000 (repeat 1000 "\n") }}`, "nindent", "MaxOutput"},
		{`{{ $a := repeat 1000000 "x" }}{{ replace "" $a $a }}`, "replace", "MaxOutput"},
		{`{{ $a := repeat 1000 "x" }}{{ regexReplaceAll "" $a (repeat 2000 "y") }}`, "regexReplaceAll", "MaxOutput"},
		{`{{ regexReplaceAll "(x)" (repeat 1000 "x") (repeat 600 "$1") }}`, "regexReplaceAll", "MaxOutput"},
		{`{{ join (repeat 1000 "x") (until 100000) }}`, "join", "MaxOutput"},
		{`{{ printf "%01000000d%01000000d" 1 2 }}`, "printf", "MaxOutput"},
		{`{{ printf "%0100000v" (until 1000) }}`, "printf", "MaxOutput"},
		{`{{ wrapWith 1 (repeat 100000 "x") (repeat 1000 "y") }}`, "wrapWith", "MaxOutput"},
		{`{{ range .l }}{{ $x := toJson $ }}{{ end }}`, "toJson", "MaxOutput"},
		{`{{ range .l }}{{ $x := json $.l }}{{ end }}`, "json", "MaxOutput"},
		{`{{ range .l }}{{ $x := print $.s }}{{ end }}`, "print", "MaxOutput"},
		{`{{ $l := list }}{{ range until 100000 }}{{ $l = append $l 1 }}{{ end }}`, "append", "MaxSteps"},
		{`{{ range .l }}{{ if has . $.l }}x{{ end }}{{ end }}`, "has", "MaxSteps"},
		{`{{ uniq (until 100000) }}`, "uniq", "MaxSteps"},
		{`{{ range .l }}{{ $.s }}{{ end }}`, "output", "MaxOutput"},
		{`{{ $d := dict "a" "b" }}{{ range until 12 }}{{ $d = dict "a" $d "b" $d }}{{ end }}{{ toPrettyJson (list $d $d $d $d $d $d $d $d) }}`, "toPrettyJson", "MaxOutput"},
	}
	for _, tc := range cases {
		t.Run(tc.src[:min(len(tc.src), 60)], func(t *testing.T) {
			tm, err := Compile("provision.createAccount.calls[0].body.note", tc.src, Plain)
			require.NoError(t, err)
			tree, err := CompileTree("provision.createAccount.calls[0].body", map[string]any{"note": tc.src, "keep": "{{ .s }}"})
			require.NoError(t, err)
			for _, form := range []string{"text", "value", "tree"} {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second*raceSlowdown)
				var err error
				grew, took := heapGrowth(func() {
					switch form {
					case "text":
						_, err = tm.RenderContext(ctx, data)
					case "value":
						_, err = tm.ValueContext(ctx, data)
					default:
						_, err = tree.RenderContext(ctx, data)
					}
				})
				cancel()
				require.Error(t, err, form)
				var le *LimitError
				require.ErrorAs(t, err, &le, form)
				assert.Equal(t, tc.fn, le.Func, "%s: %v", form, err)
				assert.Equal(t, tc.limit, le.Limit, form)
				assert.True(t, strings.HasPrefix(err.Error(), "template provision.createAccount.calls[0].body.note: "+tc.fn+" needs "), "%s: %v", form, err)
				assert.NotContains(t, err.Error(), "__", "the stand-ins do not show")
				assert.Less(t, took, time.Second*raceSlowdown, "%s took %v", form, took)
				assert.Less(t, grew, uint64(64<<20), "%s: the heap grew by %d MiB", form, grew>>20)
			}
		})
	}
}

// A nested range over a list of 100,000 is 10^10 iterations: it is refused
// in milliseconds, before the loop that cannot finish starts, without any
// output to stop it.
func TestBudgetNestedRangeIsFast(t *testing.T) {
	tm := MustCompile("t", `{{ range $a := .l }}{{ range $b := $.l }}{{ end }}{{ end }}`, Plain)
	start := time.Now()
	_, err := tm.Render(map[string]any{"l": bigList(100_000)})
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "range", le.Func)
	assert.Less(t, time.Since(start), 2*time.Second*raceSlowdown, "the issue's 2 s context: it takes some 50 ms on a quiet machine")
}

// Every iteration of a range costs a step per command in its body, so the
// steps bound the work, and a range that fits runs to its end.
func TestBudgetRangeWeight(t *testing.T) {
	ctx := WithLimits(context.Background(), Limits{MaxSteps: 300})
	data := map[string]any{"l": bigList(100)}
	out, err := MustCompile("t", `{{ range .l }}{{ .id }},{{ end }}`, Plain).RenderContext(ctx, data)
	require.NoError(t, err, "100 iterations of a command and a text: 200 steps")
	assert.True(t, strings.HasPrefix(out, "0,1,2,"))
	_, err = MustCompile("t", `{{ range .l }}{{ .id }},{{ .id }},{{ end }}`, Plain).RenderContext(ctx, data)
	var le *LimitError
	require.ErrorAs(t, err, &le, "100 iterations of 4 steps")
	assert.Equal(t, int64(400), le.Need)
	_, err = MustCompile("t", `{{ range .l }}{{ if .id }}{{ .id }}{{ else }}{{ .id }}{{ .id }}{{ end }}{{ end }}`, Plain).RenderContext(ctx, data)
	require.ErrorAs(t, err, &le, "both branches of an if count: 4 steps an iteration")
	assert.Equal(t, int64(400), le.Need)
	_, err = MustCompile("t", `{{ range .l }}{{ (dict "id" .id "x" 1).id }}{{ (dict "id" .id).id }}{{ end }}`, Plain).RenderContext(ctx, data)
	require.ErrorAs(t, err, &le, "the pipeline of a chain counts: 4 steps an iteration")
	assert.Equal(t, int64(400), le.Need)
}

// The limits come from the context; each rendering (and each whole tree)
// starts with the full budget.
func TestBudgetLimitsFromContext(t *testing.T) {
	assert.Equal(t, Limits{MaxOutput: DefaultMaxOutput, MaxSteps: DefaultMaxSteps}, LimitsFrom(context.Background()))
	ctx := WithLimits(context.Background(), Limits{MaxOutput: 10})
	assert.Equal(t, Limits{MaxOutput: 10, MaxSteps: DefaultMaxSteps}, LimitsFrom(ctx))

	tm := MustCompile("t", `{{ .s }}`, Plain)
	for range 3 {
		out, err := tm.RenderContext(ctx, map[string]any{"s": "0123456789"})
		require.NoError(t, err)
		assert.Equal(t, "0123456789", out)
	}
	_, err := tm.RenderContext(ctx, map[string]any{"s": "0123456789!"})
	assert.EqualError(t, err, "template t: output needs 11 bytes, over the limit of 10 (MaxOutput)")

	// A body's leaves share one budget.
	tree, err := CompileTree("body", map[string]any{"a": "<{{ .s }}>", "b": "<{{ .s }}>"})
	require.NoError(t, err)
	_, err = tree.RenderContext(WithLimits(context.Background(), Limits{MaxOutput: 20}), map[string]any{"s": "0123456789"})
	assert.EqualError(t, err, "template body.b: output needs 23 bytes, over the limit of 20 (MaxOutput)")
	v, err := tree.RenderContext(WithLimits(context.Background(), Limits{MaxOutput: 24}), map[string]any{"s": "0123456789"})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"a": "<0123456789>", "b": "<0123456789>"}, v)

	// The old API renders with the defaults.
	_, err = MustCompile("t", `{{ repeat 1048577 "x" }}`, Plain).Render(nil)
	assert.ErrorContains(t, err, "repeat needs 1048577 bytes, over the limit of 1048576 (MaxOutput)")
	out, err := MustCompile("t", `{{ repeat 1048569 "x" | len }}`, Plain).Render(nil)
	require.NoError(t, err, "what repeat builds and what is written count together")
	assert.Equal(t, "1048569", out)
}

// A rendering honours its context: a loop the limits allow stops when the
// context ends, with an error errors.Is matches with the context's.
func TestBudgetHonoursContext(t *testing.T) {
	// 10^12 iterations, each building a little text: allowed by huge
	// limits, stopped by the context.
	tm := MustCompile("provision.x.calls[0].body.y", `{{ range $a := .l }}{{ range $b := $.l }}{{ range $c := $.l }}{{ $x := repeat 10 "x" }}{{ end }}{{ end }}{{ end }}`, Plain)
	data := map[string]any{"l": bigList(10_000)}
	lim := Limits{MaxOutput: 1 << 62, MaxSteps: 1 << 62}
	for _, end := range []struct {
		name string
		ctx  func() (context.Context, context.CancelFunc)
		want error
	}{
		{"deadline", func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(WithLimits(context.Background(), lim), 50*time.Millisecond)
		}, context.DeadlineExceeded},
		{"cancel", func() (context.Context, context.CancelFunc) {
			ctx, cancel := context.WithCancel(WithLimits(context.Background(), lim))
			time.AfterFunc(50*time.Millisecond, cancel)
			return ctx, cancel
		}, context.Canceled},
	} {
		t.Run(end.name, func(t *testing.T) {
			ctx, cancel := end.ctx()
			defer cancel()
			start := time.Now()
			_, err := tm.RenderContext(ctx, data)
			require.Error(t, err)
			assert.ErrorIs(t, err, end.want)
			assert.Less(t, time.Since(start), 50*time.Millisecond+250*time.Millisecond*raceSlowdown)
			assert.Equal(t, "template provision.x.calls[0].body.y: stopped: "+end.want.Error(), err.Error())
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := MustCompile("t", "{{ .a }}{{ .a }}", Plain).RenderContext(ctx, map[string]any{"a": 1})
	assert.ErrorIs(t, err, context.Canceled, "a context that has ended renders nothing")
	v, err := MustCompile("t", "{{ .a }}", Plain).ValueContext(ctx, map[string]any{"a": 1})
	require.NoError(t, err, "a field read needs no rendering")
	assert.Equal(t, 1, v)
}

// The stand-ins give what the functions they stand for give.
func TestBudgetStandInsAgree(t *testing.T) {
	sp := sprig.HermeticTxtFuncMap()
	for _, c := range [][3]int{{0, 10, 3}, {10, 0, -3}, {0, 0, 1}, {5, 1, 1}, {1, 5, -1}, {0, 10, 0}, {-5, 5, 2}, {7, -7, -7}} {
		want := sp["untilStep"].(func(int, int, int) []int)(c[0], c[1], c[2])
		var b budget
		b.reset(context.Background())
		got, err := bUntilStep(&b, c[0], c[1], c[2])
		require.NoError(t, err)
		assert.Equal(t, want, got, "untilStep %v", c)
		assert.Equal(t, uint64(len(want)), stepCount(c[0], c[1], c[2]))
	}
	for _, n := range []int{-3, 0, 3} {
		var b budget
		b.reset(context.Background())
		got, err := bUntil(&b, n)
		require.NoError(t, err)
		assert.Equal(t, sp["until"].(func(int) []int)(n), got, "until %d", n)
	}
	for _, p := range [][]int{{}, {5}, {-2}, {0}, {1}, {2, 5}, {5, 2}, {0, 2, 10}, {10, -3, 0}, {10, 3, 0}, {1, 2, 3, 4}} {
		var b budget
		b.reset(context.Background())
		got, err := bSeq(&b, p...)
		require.NoError(t, err)
		assert.Equal(t, sp["seq"].(func(...int) string)(p...), got, "seq %v", p)
	}
	data := map[string]any{"l": []any{"b", "a", "b", 1, 1.5, nil}, "m": map[string]any{"k": "v", "n": []any{1, 2}}, "s": "a\nb\nc x y\n"}
	for _, src := range []string{
		`{{ repeat 3 "ab" }}`, `{{ indent 2 .s }}`, `{{ nindent 4 .s }}`, `{{ replace "b" "XY" .s }}`, `{{ replace "" "-" "héllo" }}`,
		`{{ regexReplaceAll "a(x*)b" "-ab-axxb-" "${1}W" }}`, `{{ regexReplaceAllLiteral "a(x*)b" "-ab-axxb-" "${1}" }}`,
		`{{ mustRegexReplaceAll "b" .s "[$0]" }}`, `{{ mustRegexReplaceAllLiteral "" "abc" "." }}`,
		`{{ join "," .l }}`, `{{ wrap 3 .s }}`, `{{ wrapWith 2 "|" "aaa bbb ccc" }}`,
		`{{ printf "%5s|%-4d|%.2f|%v|%*d" "a" 7 3.14159 .l 6 9 }}`, `{{ print .l 1 "x" }}`, `{{ println .m }}`,
		`{{ html "<a&b>" }}`, `{{ js "a'b" }}`, `{{ urlquery "a b&c" }}`, `{{ json .m }}`, `{{ toJson .l }}`, `{{ toRawJson "<&>" }}`,
		`{{ mustToJson .m }}`, `{{ mustToRawJson .l }}`, `{{ toPrettyJson .m }}`, `{{ mustToPrettyJson .l }}`, `{{ toPrettyJson (dict) }}`,
		`{{ toPrettyJson (list (list) (dict) "a\"{[" 1) }}`, `{{ toString .m }}`, `{{ cat "a" 1 .l }}`, `{{ quote "a" 1 }}`, `{{ squote .l }}`,
		`{{ append .l 2 }}`, `{{ prepend .l 0 }}`, `{{ concat .l .l }}`, `{{ rest .l }}`, `{{ initial .l }}`, `{{ reverse .l }}`,
		`{{ compact .l }}`, `{{ uniq .l }}`, `{{ without .l "b" }}`, `{{ has "a" .l }}`, `{{ chunk 2 .l }}`, `{{ sortAlpha (list "b" "a") }}`,
		`{{ toStrings .l }}`, `{{ keys .m | sortAlpha }}`, `{{ values (dict "a" 1) }}`, `{{ pluck "k" .m .m }}`, `{{ deepCopy .m }}`,
		`{{ mustAppend .l 1 }}`, `{{ mustUniq .l }}`, `{{ mustHas 1 .l }}`, `{{ mustChunk 4 .l }}`, `{{ mustDeepCopy .l }}`,
		`{{ seq 3 }}`, `{{ until 4 }}`, `{{ untilStep 1 10 4 }}`,
	} {
		plain, err := NewSet().plainExec(src, data)
		require.NoError(t, err, src)
		got, err := MustCompile("t", src, Plain).Render(data)
		require.NoError(t, err, src)
		assert.Equal(t, plain, got, src)
	}
	for _, src := range []string{`{{ repeat -1 "x" }}`, `{{ indent -1 "x" }}`, `{{ regexReplaceAll "(" "x" "y" }}`, `{{ mustRegexReplaceAll "(" "x" "y" }}`,
		`{{ append 1 2 }}`, `{{ mustAppend 1 2 }}`, `{{ chunk 0 (list 1) }}`} {
		_, perr := NewSet().plainExec(src, data)
		_, err := MustCompile("t", src, Plain).Render(data)
		assert.Equal(t, perr != nil, err != nil, "%s: %v / %v", src, perr, err)
		if err != nil {
			assert.NotContains(t, err.Error(), "__", src)
		}
	}
}

// A template reaches its data and nothing else: the root, $ and . give the
// data as it was passed, and the budget cannot be named.
func TestBudgetRootIsTheData(t *testing.T) {
	data := map[string]any{"user": map[string]any{"name": "ann"}, "params": map[string]any{"x": "1"}}
	for src, want := range map[string]string{
		`{{ json . }}`:                              `{"params":{"x":"1"},"user":{"name":"ann"}}`,
		`{{ json $ }}`:                              `{"params":{"x":"1"},"user":{"name":"ann"}}`,
		`{{ keys . | sortAlpha | join "," }}`:       "params,user",
		`{{ range $k, $v := . }}{{ $k }};{{ end }}`: "params;user;",
		`{{ with .user }}{{ .name }}/{{ $.params.x }}/{{ len $ }}{{ end }}`:    "ann/1/2",
		`{{ range $i, $e := list 1 2 }}{{ $.user.name }}{{ . }}{{ end }}`:      "ann1ann2",
		`{{ $u := .user }}{{ with $u }}{{ .name }}{{ end }}{{ (.user).name }}`: "annann",
		`{{ if eq .user.name "ann" }}{{ .params.x }}{{ else }}no{{ end }}`:     "1",
		`{{ with .nope }}x{{ else }}{{ .user.name }}{{ end }}`:                 "ann",
		`{{ range .none }}x{{ else }}{{ .user.name }}{{ end }}`:                "ann",
		`{{ index . "user" "name" }}`:                                          "ann",
	} {
		d := data
		if strings.Contains(src, ".nope") || strings.Contains(src, ".none") {
			d = map[string]any{"user": data["user"], "params": data["params"], "nope": nil, "none": []any{}}
			want = "ann"
		}
		out, err := MustCompile("t", src, Plain).Render(d)
		require.NoError(t, err, src)
		assert.Equal(t, want, out, src)
	}
	for _, src := range []string{`{{ index $ "\x00budget" }}`, `{{ index . "\x00data" }}`, `{{ with $ }}{{ index . "\x00budget" }}{{ end }}`} {
		out, err := MustCompile("t", src, Plain).Render(data)
		require.NoError(t, err, src)
		assert.Empty(t, out, "%s: the keys of the root are not in the data", src)
	}
	for _, src := range []string{`{{ __repeat nil 1 "x" }}`, `{{ __range 1 2 }}`, `{{ __capture 1 }}`, `{{ print (__text 1) }}`} {
		_, err := Compile("t", src, Plain)
		assert.ErrorContains(t, err, "not defined", src)
	}
	// The tree as written stays as written, chains included (Tree.Copy
	// shares a chain's node between copies).
	tm := MustCompile("t", `{{ (.user).name }}{{ (index . "user").name }}`, Plain)
	assert.Equal(t, `{{(.user).name | __text}}{{(index . "user").name | __text}}`, tm.parsed.Root.String())
	out, err := tm.Render(data)
	require.NoError(t, err)
	assert.Equal(t, "annann", out)

	_, err = MustCompile("t", "{{ .user.title }}", Plain).Render(data)
	assert.EqualError(t, err, `template t: missing key "title" in .user.title`)
	_, err = MustCompile("t", "{{ $.user.title }}", Plain).Render(data)
	assert.EqualError(t, err, `template t: missing key "title" in .user.title`)
	_, err = MustCompile("t", "{{ .user.name.x }}", Plain).Render(data)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "\x00")
}

// plainExec runs src with text/template and the unbudgeted functions, as
// the template package did before budgets: what the stand-ins must agree
// with.
func (s *Set) plainExec(src string, data map[string]any) (string, error) {
	m := map[string]any{}
	for k, v := range funcs {
		m[k] = v
	}
	for k, v := range sprig.HermeticTxtFuncMap() {
		if _, ok := budgetedFuncs[k]; ok {
			m[k] = v
		}
	}
	m["json"] = toJSON
	delete(m, "printf")
	delete(m, "print")
	delete(m, "println")
	delete(m, "html")
	delete(m, "js")
	delete(m, "urlquery")
	tm, err := template.New("").Option("missingkey=error").Funcs(m).Parse(src)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	err = tm.Execute(&b, data)
	return b.String(), err
}
