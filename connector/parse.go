package connector

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/restconn/restconn/template"
)

// Parse parses and validates a spec. Errors are *Error values wrapping
// ErrInvalidSpec and naming the JSON path of the offending field; unknown
// keys are errors.
//
// Parse compiles every template of the spec, so a bad template is an error
// of Parse that names its path, and keeps the compiled templates with the
// returned Spec and its clones: New then reuses every template whose path,
// source and escaping have not changed since, and compiles only the rest.
func Parse(data []byte) (*Spec, error) {
	s, errs := decodeSpec(data, 1)
	if len(errs) > 0 {
		return nil, errs[0]
	}
	set := template.NewSet()
	if _, err := compileWith(s, set); err != nil {
		return nil, err
	}
	shareTemplates(s, set)
	return s, nil
}

// Diagnose checks data as Parse does and reports every problem it finds
// rather than only the first: each unknown key or value of the wrong kind,
// then the first error of each part of the spec (the connection, the auth
// blocks, each import, each operation, the ticket calls), in the order
// Parse meets them, so the first is the error Parse returns. Every error is
// an *Error wrapping ErrInvalidSpec with its JSON path. A spec Parse
// accepts has none. Diagnose is for tools that show a spec's author
// everything to fix at once; programs that load specs use Parse.
func Diagnose(data []byte) []*Error {
	const max = 100
	s, errs := decodeSpec(data, max)
	if s == nil {
		return errs
	}
	c := &compiler{spec: s, set: template.NewSet(), all: true}
	c.run()
	for _, e := range c.errs {
		if len(errs) < max && !slices.ContainsFunc(errs, func(o *Error) bool { return o.Path == e.Path && o.Message == e.Message }) {
			errs = append(errs, e)
		}
	}
	return errs
}

// decodeSpec decodes data into a Spec and checks its keys and the kinds of
// its values, reporting at most max such errors in the order it meets
// them. The Spec is nil when data is not one JSON document or does not
// decode; unknown keys alone leave it decoded, to be compiled too.
func decodeSpec(data []byte, max int) (*Spec, []*Error) {
	var raw any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return nil, []*Error{specError("", "not valid JSON: "+jsonErrorText(data, err))}
	}
	if dec.More() {
		return nil, []*Error{specError("", "trailing data after the JSON document")}
	}
	k := keyChecker{max: max}
	k.check(raw, reflect.TypeOf(Spec{}), "")
	var s Spec
	dec = json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&s); err != nil {
		// Values of the wrong kind, which the key check reported already.
		if len(k.errs) == 0 {
			var te *json.UnmarshalTypeError
			if errors.As(err, &te) {
				k.errs = append(k.errs, specError(te.Field, fmt.Sprintf("want %s, got JSON %s", te.Type, te.Value)))
			} else {
				k.errs = append(k.errs, specError("", err.Error()))
			}
		}
		return nil, k.errs
	}
	return &s, k.errs
}

// LoadFile reads and parses a spec file.
func LoadFile(path string) (*Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Message: "reading spec", Err: err}
	}
	s, err := Parse(data)
	if err != nil {
		if e, ok := err.(*Error); ok {
			e.Message = path + ": " + e.Message
		}
		return nil, err
	}
	return s, nil
}

// Embedded returns a function that parses data once, on first use, and
// hands out a fresh copy of the spec on every call: the Spec function of a
// preset whose JSON is embedded with go:embed. The copies share the
// templates the parse compiled, so New compiles only what a caller changed. An invalid embedded spec is a
// programming error and panics with the parse error.
func Embedded(data []byte) func() *Spec {
	parse := sync.OnceValues(func() (*Spec, error) { return Parse(data) })
	return func() *Spec {
		s, err := parse()
		if err != nil {
			panic("restconn: embedded spec is invalid: " + err.Error())
		}
		return s.Clone()
	}
}

func jsonErrorText(data []byte, err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("%v (line %d)", se, line)
	}
	return err.Error()
}

var unmarshalerType = reflect.TypeOf((*json.Unmarshaler)(nil)).Elem()

// checkKeys walks the decoded document beside the Go type and reports the
// first key the type does not have, with its JSON path. encoding/json's
// DisallowUnknownFields names the key but not where it is. Keys are visited
// in sorted order, so the same document always fails at the same key.
func checkKeys(v any, t reflect.Type, path string) error {
	k := keyChecker{max: 1}
	k.check(v, t, path)
	if len(k.errs) > 0 {
		return k.errs[0]
	}
	return nil
}

// keyChecker collects up to max structural errors, in the order checkKeys
// meets them (so the first is the one checkKeys reports).
type keyChecker struct {
	errs []*Error
	max  int
}

func (k *keyChecker) full() bool { return len(k.errs) >= k.max }

func (k *keyChecker) add(path, msg string) {
	if !k.full() {
		k.errs = append(k.errs, specError(path, msg))
	}
}

func (k *keyChecker) check(v any, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if v == nil || k.full() {
		return // null: the zero value
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		// Custom forms (durations, path shorthands): decode this value
		// alone, so an error can name where it is.
		b, _ := json.Marshal(v)
		if err := json.Unmarshal(b, reflect.New(t).Interface()); err != nil {
			k.add(path, err.Error())
			return
		}
		if _, isObj := v.(map[string]any); !isObj || t.Kind() != reflect.Struct {
			return
		}
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		k.object(v, t, path)
	case reflect.Slice:
		l, ok := v.([]any)
		if !ok {
			k.add(path, fmt.Sprintf("want a list, got %s", jsonKind(v)))
			return
		}
		for i, e := range l {
			k.check(e, t.Elem(), path+"["+strconv.Itoa(i)+"]")
		}
	default:
		if msg := checkScalar(v, t); msg != "" {
			k.add(path, msg)
		}
	}
}

// object checks the members of an object that decodes into a struct
// (known keys only) or a map (any key).
func (k *keyChecker) object(v any, t reflect.Type, path string) {
	obj, ok := v.(map[string]any)
	if !ok {
		k.add(path, fmt.Sprintf("want an object, got %s", jsonKind(v)))
		return
	}
	var fields map[string]reflect.Type
	if t.Kind() == reflect.Struct {
		fields = jsonFields(t)
	}
	for _, key := range slices.Sorted(maps.Keys(obj)) {
		var ft reflect.Type
		if fields == nil {
			ft = t.Elem()
		} else if ft = fields[key]; ft == nil {
			k.add(join(path, key), fmt.Sprintf("unknown key %q%s", key, suggest(key, fields)))
			continue
		}
		k.check(obj[key], ft, join(path, key))
	}
}

// checkScalar says what is wrong with a JSON scalar for the Go type it
// decodes into, or "".
func checkScalar(v any, t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		if _, ok := v.(string); !ok {
			return "want a string, got " + jsonKind(v)
		}
	case reflect.Bool:
		if _, ok := v.(bool); !ok {
			return "want true or false, got " + jsonKind(v)
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		n, ok := v.(json.Number)
		if !ok {
			return "want a whole number, got " + jsonKind(v)
		}
		if _, err := n.Int64(); err != nil {
			return "want a whole number, got " + n.String()
		}
	case reflect.Float64:
		if _, ok := v.(json.Number); !ok {
			return "want a number, got " + jsonKind(v)
		}
	}
	return ""
}

func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" {
			maps.Copy(out, jsonFields(f.Type))
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	if strings.ContainsAny(key, ".[]\" ") {
		return path + "[" + strconv.Quote(key) + "]"
	}
	return path + "." + key
}

func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case json.Number, float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return "null"
}

// suggest names the closest known key, for typos such as "baseUrl".
func suggest(k string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for _, f := range slices.Sorted(maps.Keys(fields)) { // the first of equally close keys
		if strings.EqualFold(f, k) {
			return fmt.Sprintf(" (did you mean %q?)", f)
		}
		if d := distance(strings.ToLower(f), strings.ToLower(k)); d < bestD {
			best, bestD = f, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
