package template

import (
	"context"
	"fmt"
	"io"
	"reflect"
	"strconv"
)

// Limits bound what one rendering may cost: one Template, or one whole Tree
// (every template of a body together). Specs come from files people
// share, so a template must not be able to build gigabytes of text or loop
// for hours: {{ repeat 1000000000 "x" }} and
// {{ range $i := until 100000000 }}{{ end }} fail at once instead.
//
// A zero field takes its default.
type Limits struct {
	// MaxOutput bounds the bytes a rendering produces: the text it
	// writes, and what functions that build from a size or from data
	// make, whether it is printed or not: strings (repeat, indent,
	// replace, regexReplaceAll, join, seq, printf, toJson, ...) and the
	// lists of until and untilStep (as their text: the widest number and
	// a separator per element). Values a template passes through from
	// its data do not count against it.
	MaxOutput int64
	// MaxSteps bounds the work of a rendering. A range is charged
	// before it starts: its length times a step per command and text in
	// its body, so a range that cannot finish fails before its first
	// iteration. The elements until, untilStep and seq build are a step
	// each, and functions that copy or scan lists (append, has, uniq,
	// ...) a step per 16 elements they go through.
	MaxSteps int64
}

// Defaults of Limits: well above what any request body or URL needs.
const (
	DefaultMaxOutput = 1 << 20
	DefaultMaxSteps  = 1_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxOutput <= 0 {
		l.MaxOutput = DefaultMaxOutput
	}
	if l.MaxSteps <= 0 {
		l.MaxSteps = DefaultMaxSteps
	}
	return l
}

type limitsKey struct{}

// WithLimits returns a context whose renderings (RenderContext,
// ValueContext, Tree.RenderContext) use l, the way x/oauth2 takes its HTTP
// client from a context: the limits travel with the work they bound,
// through code that renders templates without knowing about them.
func WithLimits(ctx context.Context, l Limits) context.Context {
	return context.WithValue(ctx, limitsKey{}, l.withDefaults())
}

// LimitsFrom returns the limits renderings under ctx use: those given to
// WithLimits, or the defaults.
func LimitsFrom(ctx context.Context) Limits {
	if l, ok := ctx.Value(limitsKey{}).(Limits); ok {
		return l
	}
	return Limits{}.withDefaults()
}

// LimitError reports a rendering stopped by its Limits. The *Error of the
// rendering wraps it: find it with errors.As.
type LimitError struct {
	Limit string // the field of Limits: "MaxOutput" or "MaxSteps"
	Max   int64  // its value
	Func  string // what went past it: a function's name, "output" or "range"
	Need  int64  // what it asked for: bytes or steps, counted from the rendering's start
}

func (e *LimitError) Error() string {
	unit := "bytes"
	if e.Limit == "MaxSteps" {
		unit = "steps"
	}
	return fmt.Sprintf("%s needs %s %s, over the limit of %s (%s)", e.Func, strconv.FormatInt(e.Need, 10), unit, strconv.FormatInt(e.Max, 10), e.Limit)
}

// budget is what one rendering has spent. It is used by one goroutine, the
// one executing the template, and reached by the template through the
// root data (see rewrite), so a compiled template stays immutable and one
// template serves concurrent renderings.
type budget struct {
	ctx      context.Context
	done     <-chan struct{}
	limits   Limits
	bytes    int64 // written and built
	steps    int64
	stopping error // the first error: every later check repeats it
}

func (b *budget) reset(ctx context.Context) {
	*b = budget{ctx: ctx, done: ctx.Done(), limits: LimitsFrom(ctx)}
}

// live reports the end of the context.
func (b *budget) live() error {
	if b.stopping != nil {
		return b.stopping
	}
	select {
	case <-b.done:
		b.stopping = &stopped{b.ctx.Err()}
		return b.stopping
	default:
		return nil
	}
}

// build charges n bytes that fn is about to make.
func (b *budget) build(fn string, n int64) error {
	return b.charge(&b.bytes, "MaxOutput", b.limits.MaxOutput, fn, n)
}

// charge adds n to *spent, the use of the limit named limit, if that stays
// within most; otherwise it stops the rendering with a *LimitError.
func (b *budget) charge(spent *int64, limit string, most int64, fn string, n int64) error {
	if err := b.live(); err != nil {
		return err
	}
	if n < 0 || n > most-*spent {
		need := *spent + n
		if n < 0 || need < 0 {
			need = 1<<63 - 1 // overflowed: more than anything
		}
		b.stopping = &LimitError{Limit: limit, Max: most, Func: fn, Need: need}
		return b.stopping
	}
	*spent += n
	return nil
}

// allow checks, without charging it, that fn may build n more bytes:
// for a function whose result is charged once it is known, after a bound
// on it has been checked.
func (b *budget) allow(fn string, n int64) error {
	if err := b.build(fn, n); err != nil {
		return err
	}
	b.bytes -= n
	return nil
}

// step charges n steps of fn.
func (b *budget) step(fn string, n int64) error {
	return b.charge(&b.steps, "MaxSteps", b.limits.MaxSteps, fn, n)
}

// stopped is the error of a rendering whose context ended: it unwraps to
// the context's error, so errors.Is tells a deadline from a cancel.
type stopped struct{ err error }

func (s *stopped) Error() string { return "stopped: " + s.err.Error() }
func (s *stopped) Unwrap() error { return s.err }

// budgetWriter counts what a rendering writes, and stops it at the limit
// or when its context ends.
type budgetWriter struct {
	b *budget
	w io.Writer
}

func (w *budgetWriter) Write(p []byte) (int, error) {
	if err := w.b.build("output", int64(len(p))); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}

// rangeCheck charges a range before it starts: its length times the
// weight of its body (see weight). A loop that cannot finish within the
// budget fails before doing any work, and one that can is known to
// finish: the steps bound the commands a rendering runs, so it needs no
// check of the context inside. Ranging over a function's sequence, which
// has no length, is charged one iteration's weight.
func rangeCheck(b *budget, weight int, v any) (any, error) {
	n := int64(1)
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Chan:
		n = int64(rv.Len())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n = max(rv.Int(), 0)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n = int64(min(rv.Uint(), 1<<62))
	}
	if err := b.step("range", mulSat(n, int64(max(weight, 1)))); err != nil {
		return nil, err
	}
	return v, nil
}
