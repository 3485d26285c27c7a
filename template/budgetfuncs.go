package template

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/Masterminds/sprig/v3"
)

// The functions below stand in for the functions whose cost a template
// controls through their arguments rather than through the data: a count
// (repeat 1000000000, until 100000000), a width (indent, printf "%01000000d"),
// or a product of two sizes (replace "" $big $big, join $big $list). The
// compiler rewrites each call of such a function into a call of its
// stand-in with the rendering's budget as first argument (see rewrite); the
// stand-in works out what the call will build, charges it, and fails before
// building anything the budget does not allow. Results are those of the
// functions they replace, types included.

// budgetedFuncs maps the name of each function that is charged to its
// stand-in; the stand-in is installed under "__" + name.
var budgetedFuncs = func() map[string]any {
	m := map[string]any{
		"repeat":                     bRepeat,
		"until":                      bUntil,
		"untilStep":                  bUntilStep,
		"seq":                        bSeq,
		"indent":                     bIndent,
		"nindent":                    bNindent,
		"replace":                    bReplace,
		"regexReplaceAll":            regexReplacer("regexReplaceAll", false, false),
		"mustRegexReplaceAll":        regexReplacer("mustRegexReplaceAll", false, true),
		"regexReplaceAllLiteral":     regexReplacer("regexReplaceAllLiteral", true, false),
		"mustRegexReplaceAllLiteral": regexReplacer("mustRegexReplaceAllLiteral", true, true),
		"join":                       bJoin,
		"wrap":                       bWrap,
		"wrapWith":                   bWrapWith,
		"printf":                     bPrintf,
		"print":                      textMaker("print", fmt.Sprint),
		"println":                    textMaker("println", fmt.Sprintln),
		"html":                       textMaker("html", template.HTMLEscaper),
		"js":                         textMaker("js", template.JSEscaper),
		"urlquery":                   textMaker("urlquery", template.URLQueryEscaper),
		"json":                       encoder("json", toJSON),
		"mustToJson":                 encoder("mustToJson", sprigFuncs["mustToJson"].(func(any) (string, error))),
		"mustToRawJson":              encoder("mustToRawJson", sprigFuncs["mustToRawJson"].(func(any) (string, error))),
		"toJson":                     encoder("toJson", infallible(sprigFuncs["toJson"].(func(any) string))),
		"toRawJson":                  encoder("toRawJson", infallible(sprigFuncs["toRawJson"].(func(any) string))),
		"toString":                   encoder("toString", infallible(sprigFuncs["toString"].(func(any) string))),
		"cat":                        textMaker("cat", sprigFuncs["cat"].(func(...any) string)),
		"quote":                      textMaker("quote", sprigFuncs["quote"].(func(...any) string)),
		"squote":                     textMaker("squote", sprigFuncs["squote"].(func(...any) string)),
		"toPrettyJson":               prettyJSON("toPrettyJson", false),
		"mustToPrettyJson":           prettyJSON("mustToPrettyJson", true),
	}
	for _, name := range listFuncs {
		m[name] = chargeLists(name, sprigFuncs[name], name == "uniq" || name == "mustUniq")
	}
	return m
}()

// listFuncs copy or scan the lists and maps they are given: each is
// charged a step per element of its list arguments, so that calling them
// once per iteration of a loop costs what the loop's lengths say (append
// in a loop copies the list each time). uniq compares every element with
// those kept before it, and is charged a step per 16 comparisons.
var listFuncs = []string{
	"append", "push", "mustAppend", "mustPush", "prepend", "mustPrepend", "concat",
	"rest", "mustRest", "initial", "mustInitial", "reverse", "mustReverse",
	"compact", "mustCompact", "uniq", "mustUniq", "without", "mustWithout",
	"has", "mustHas", "chunk", "mustChunk", "sortAlpha", "toStrings",
	"keys", "values", "pluck", "deepCopy", "mustDeepCopy",
}

// comparisonsPerStep is how many comparisons of uniq one step pays for. A
// step is about as much work as an iteration of a range or copying an
// element of a list (through reflection, as Sprig does): some 50 ns.
const comparisonsPerStep = 16

var (
	sprigFuncs    = sprig.HermeticTxtFuncMap()
	sprigJoin     = sprigFuncs["join"].(func(string, any) string)
	sprigWrap     = sprigFuncs["wrap"].(func(int, string) string)
	sprigWrapWith = sprigFuncs["wrapWith"].(func(int, string, string) string)
)

// mulSat multiplies non-negative a and b, saturating instead of
// overflowing.
func mulSat(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > (1<<63-1)/b {
		return 1<<63 - 1
	}
	return a * b
}

func addSat(a, b int64) int64 {
	if a > 1<<63-1-b {
		return 1<<63 - 1
	}
	return a + b
}

func bRepeat(b *budget, count int, str string) (string, error) {
	if count < 0 {
		return "", errors.New("strings: negative Repeat count")
	}
	if err := b.build("repeat", mulSat(int64(count), int64(len(str)))); err != nil {
		return "", err
	}
	return strings.Repeat(str, count), nil
}

// stepCount is the length of Sprig's untilStep(start, stop, step): the
// numbers start, start+step, ... before stop, worked out without building
// them and without the overflow that makes Sprig's loop run forever near
// the ends of int.
func stepCount(start, stop, step int) uint64 {
	switch {
	case step > 0 && start < stop:
		d := uint64(stop) - uint64(start) // two's complement: exact for stop > start
		s := uint64(step)
		return d/s + min(d%s, 1)
	case step < 0 && start > stop:
		d := uint64(start) - uint64(stop)
		s := uint64(-(step + 1)) + 1 // |step|, also for the smallest int
		return d/s + min(d%s, 1)
	}
	return 0
}

// untilStep builds Sprig's untilStep list, charging its elements as steps
// and, unless text (seq charges the text it makes itself), as bytes.
func untilStep(b *budget, fn string, start, stop, step int, text bool) ([]int, error) {
	n := stepCount(start, stop, step)
	if err := b.step(fn, int64(min(n, 1<<62))); err != nil {
		return nil, err
	}
	// The list is text once printed or sent in a body: charge it as its
	// widest number and a separator per element.
	if n > 0 && !text {
		last := start + int(n-1)*step
		width := max(len(strconv.Itoa(start)), len(strconv.Itoa(last))) + 1
		if err := b.build(fn, mulSat(int64(n), int64(width))); err != nil {
			return nil, err
		}
	}
	v := make([]int, n)
	for i := range v {
		v[i] = start + i*step
	}
	return v, nil
}

func bUntil(b *budget, count int) ([]int, error) {
	step := 1
	if count < 0 {
		step = -1
	}
	return untilStep(b, "until", 0, count, step, false)
}

func bUntilStep(b *budget, start, stop, step int) ([]int, error) {
	return untilStep(b, "untilStep", start, stop, step, false)
}

// bSeq is Sprig's seq: the numbers of a range, joined by spaces.
func bSeq(b *budget, params ...int) (string, error) {
	var start, stop, step int
	switch len(params) {
	case 1:
		start, step = 1, 1
		if params[0] < start {
			step = -1
		}
		stop = params[0] + step
	case 2:
		start, step = params[0], 1
		if params[1] < start {
			step = -1
		}
		stop = params[1] + step
	case 3:
		start, step = params[0], params[1]
		inc := 1
		if params[2] < start {
			inc = -1
			if step > 0 {
				return "", nil
			}
		}
		stop = params[2] + inc
	default:
		return "", nil
	}
	nums, err := untilStep(b, "seq", start, stop, step, true)
	if err != nil {
		return "", err
	}
	var out []byte
	for i, n := range nums {
		before := len(out)
		if i > 0 {
			out = append(out, ' ')
		}
		out = strconv.AppendInt(out, int64(n), 10)
		if err := b.build("seq", int64(len(out)-before)); err != nil {
			return "", err
		}
	}
	return string(out), nil
}

func bIndent(b *budget, spaces int, v string) (string, error) {
	return indent(b, "indent", spaces, v, "")
}

func bNindent(b *budget, spaces int, v string) (string, error) {
	return indent(b, "nindent", spaces, v, "\n")
}

func indent(b *budget, fn string, spaces int, v, lead string) (string, error) {
	if spaces < 0 {
		return "", errors.New("strings: negative Repeat count")
	}
	lines := int64(strings.Count(v, "\n")) + 1
	if err := b.build(fn, addSat(int64(len(v)+len(lead)), mulSat(int64(spaces), lines))); err != nil {
		return "", err
	}
	pad := strings.Repeat(" ", spaces)
	return lead + pad + strings.ReplaceAll(v, "\n", "\n"+pad), nil
}

func bReplace(b *budget, old, new, src string) (string, error) {
	var n int64
	if old == "" {
		n = int64(utf8.RuneCountInString(src)) + 1
	} else {
		n = int64(strings.Count(src, old))
	}
	if n == 0 {
		return src, nil
	}
	size := int64(len(src)) - n*int64(len(old))
	if err := b.build("replace", addSat(size, mulSat(n, int64(len(new))))); err != nil {
		return "", err
	}
	return strings.ReplaceAll(src, old, new), nil
}

// regexReplacer returns the stand-in of one of Sprig's regexReplaceAll
// functions. It finds the matches first, replacing each with nothing,
// which costs no more memory than s: the result of the real replacement
// is at most s less the matches plus, per match, repl with each of its
// $-references taken as the whole match.
func regexReplacer(fn string, literal, must bool) func(b *budget, regex, s, repl string) (string, error) {
	return func(b *budget, regex, s, repl string) (string, error) {
		if err := b.live(); err != nil {
			return "", err
		}
		r, err := regexp.Compile(regex)
		if err != nil {
			if must {
				return "", err
			}
			return "", fmt.Errorf("regexp: Compile(%s): %v", strconv.Quote(regex), err)
		}
		refs := int64(0)
		if !literal {
			refs = int64(strings.Count(repl, "$"))
		}
		size := int64(len(s))
		r.ReplaceAllStringFunc(s, func(m string) string {
			size = addSat(size-int64(len(m)), addSat(int64(len(repl)), mulSat(refs, int64(len(m)))))
			return ""
		})
		if err := b.build(fn, size); err != nil {
			return "", err
		}
		if literal {
			return r.ReplaceAllLiteralString(s, repl), nil
		}
		return r.ReplaceAllString(s, repl), nil
	}
}

// bJoin is Sprig's join. The separator is repeated once per element, a
// product the budget must see before it is built; the elements
// themselves come from the list.
func bJoin(b *budget, sep string, v any) (string, error) {
	n := int64(0)
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array {
		n = int64(rv.Len())
	}
	if err := b.step("join", n); err != nil {
		return "", err
	}
	if n > 1 {
		if err := b.build("join", mulSat(n-1, int64(len(sep)))); err != nil {
			return "", err
		}
	}
	return sprigJoin(sep, v), nil
}

// wrapCost bounds what wrapping s at width adds: a separator at most
// once per character.
func wrapCost(width int, sep, s string) int64 {
	breaks := int64(len(s))/int64(max(width, 1)) + int64(strings.Count(s, " ")) + 1
	return addSat(int64(len(s)), mulSat(min(breaks, int64(len(s))+1), int64(len(sep))))
}

func bWrap(b *budget, width int, s string) (string, error) {
	if err := b.build("wrap", wrapCost(width, "\n", s)); err != nil {
		return "", err
	}
	return sprigWrap(width, s), nil
}

func bWrapWith(b *budget, width int, sep, s string) (string, error) {
	if err := b.build("wrapWith", wrapCost(width, sep, s)); err != nil {
		return "", err
	}
	return sprigWrapWith(width, sep, s), nil
}

// bPrintf is text/template's printf. fmt pads to a width (or precision)
// of up to a million per verb, and applies it to every element of a list
// or map: before formatting, each verb's width and precision times the
// elements of its argument must fit in the budget. The text is charged
// once made.
func bPrintf(b *budget, format string, args ...any) (string, error) {
	if pad := padding(format, args); pad > 0 {
		if err := b.allow("printf", pad); err != nil {
			return "", err
		}
	}
	return charged(b, "printf", fmt.Sprintf(format, args...))
}

// padding bounds the padding fmt adds to args for format: for each verb,
// its width and precision (fmt's largest for a "*" that does not name an
// int) times the scalars of its argument.
func padding(format string, args []any) int64 {
	const most = 1_000_000 // fmt refuses wider
	var sum int64
	arg := 0
	next := func() any {
		if arg < 0 || arg >= len(args) {
			arg++
			return nil
		}
		arg++
		return args[arg-1]
	}
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		var pad int64
	verb:
		for i++; i < len(format); i++ {
			switch c := format[i]; {
			case c >= '1' && c <= '9' || c == '0' && i > 0 && format[i-1] == '.':
				j := i
				for j < len(format) && format[j] >= '0' && format[j] <= '9' {
					j++
				}
				n, err := strconv.ParseInt(format[i:j], 10, 64)
				if err != nil || n > most {
					n = most
				}
				pad = addSat(pad, n)
				i = j - 1
			case c == '*':
				n, ok := next().(int)
				if !ok || n < -most || n > most {
					n = most
				}
				pad = addSat(pad, int64(max(n, -n)))
			case c == '[':
				j := strings.IndexByte(format[i:], ']')
				if j < 0 {
					break verb
				}
				if n, err := strconv.Atoi(format[i+1 : i+j]); err == nil {
					arg = n - 1
				}
				i += j
			case strings.IndexByte("+-# 0.", c) >= 0:
			case c == '%':
				break verb
			default:
				if v := next(); pad > 0 {
					sum = addSat(sum, mulSat(pad, leaves(reflect.ValueOf(v), 0)))
				}
				break verb
			}
		}
	}
	return sum
}

// charged charges s, which fn has built.
func charged(b *budget, fn, s string) (string, error) {
	if err := b.build(fn, int64(len(s))); err != nil {
		return "", err
	}
	return s, nil
}

// textMaker wraps a function that makes text out of its arguments, which
// may be as large as the data: the text is charged once it is made.
func textMaker(fn string, f func(...any) string) func(*budget, ...any) (string, error) {
	return func(b *budget, args ...any) (string, error) {
		if err := b.live(); err != nil {
			return "", err
		}
		return charged(b, fn, f(args...))
	}
}

// encoder is textMaker for a function of one value that may fail.
func encoder(fn string, f func(any) (string, error)) func(*budget, any) (string, error) {
	return func(b *budget, v any) (string, error) {
		if err := b.live(); err != nil {
			return "", err
		}
		s, err := f(v)
		if err != nil {
			return "", err
		}
		return charged(b, fn, s)
	}
}

// infallible is f as an encoder that never fails.
func infallible(f func(any) string) func(any) (string, error) {
	return func(v any) (string, error) { return f(v), nil }
}

// leaves counts the scalars inside v (1 for a scalar), stopping early
// once the count no longer matters.
func leaves(v reflect.Value, depth int) int64 {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 1
		}
		v = v.Elem()
	}
	if depth > 100 {
		return 1
	}
	var n int64
	switch v.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len() && n < 1<<40; i++ {
			n = addSat(n, leaves(v.Index(i), depth+1))
		}
	case reflect.Map:
		for it := v.MapRange(); it.Next() && n < 1<<40; {
			n = addSat(n, leaves(it.Value(), depth+1))
		}
	default:
		return 1
	}
	return max(n, 1)
}

// prettyJSON returns the stand-in of toPrettyJson or mustToPrettyJson.
// Indenting repeats two spaces per level on every line, so a deeply
// nested value grows with the square of its depth: the indented size is
// worked out from the compact encoding before it is built.
func prettyJSON(fn string, must bool) func(b *budget, v any) (string, error) {
	return func(b *budget, v any) (string, error) {
		if err := b.live(); err != nil {
			return "", err
		}
		compact, err := json.Marshal(v)
		if err != nil {
			if must {
				return "", err
			}
			return "", nil
		}
		if err := b.build(fn, indentedSize(compact)); err != nil {
			return "", err
		}
		var out bytes.Buffer
		if err := json.Indent(&out, compact, "", "  "); err != nil {
			return "", err
		}
		return out.String(), nil
	}
}

// indentedSize is the length json.Indent(dst, compact, "", "  ") gives.
func indentedSize(compact []byte) int64 {
	size := int64(len(compact))
	depth := int64(0)
	newline := func(d int64) { size = addSat(size, 1+2*d) }
	for i := 0; i < len(compact); i++ {
		switch c := compact[i]; c {
		case '"':
			for i++; i < len(compact) && compact[i] != '"'; i++ {
				if compact[i] == '\\' {
					i++
				}
			}
		case '{', '[':
			if i+1 < len(compact) && (compact[i+1] == '}' || compact[i+1] == ']') {
				i++ // empty: stays "{}" or "[]"
				continue
			}
			depth++
			newline(depth)
		case '}', ']':
			depth--
			newline(depth)
		case ',':
			newline(depth)
		case ':':
			size++
		}
	}
	return size
}

// chargeLists wraps a Sprig list function so that it first charges a step
// per element of its list and map arguments (or, with quadratic, per
// comparisonsPerStep comparisons of n elements with each other).
func chargeLists(name string, f any, quadratic bool) any {
	fv := reflect.ValueOf(f)
	ft := fv.Type()
	in := []reflect.Type{reflect.TypeOf((*budget)(nil))}
	for i := range ft.NumIn() {
		in = append(in, ft.In(i))
	}
	out := []reflect.Type{ft.Out(0), reflect.TypeOf((*error)(nil)).Elem()}
	wt := reflect.FuncOf(in, out, ft.IsVariadic())
	errType := out[1]
	return reflect.MakeFunc(wt, func(args []reflect.Value) []reflect.Value {
		b := args[0].Interface().(*budget)
		var n int64
		for i, a := range args[1:] {
			if ft.IsVariadic() && i == ft.NumIn()-1 {
				for j := range a.Len() {
					n = addSat(n, length(a.Index(j)))
				}
				continue
			}
			n = addSat(n, length(a))
		}
		if quadratic {
			n = (mulSat(n, n)/2 + comparisonsPerStep - 1) / comparisonsPerStep
		}
		if err := b.step(name, n); err != nil {
			return []reflect.Value{reflect.Zero(out[0]), reflect.ValueOf(&err).Elem()}
		}
		var res []reflect.Value
		if ft.IsVariadic() {
			res = fv.CallSlice(args[1:])
		} else {
			res = fv.Call(args[1:])
		}
		if len(res) == 2 {
			return res
		}
		return []reflect.Value{res[0], reflect.Zero(errType)}
	}).Interface()
}

// length is the number of elements of a list or map value, 0 for others.
func length(v reflect.Value) int64 {
	for v.Kind() == reflect.Interface || v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map:
		return int64(v.Len())
	}
	return 0
}
