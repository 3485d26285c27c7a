package template

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"time"

	"github.com/Masterminds/sprig/v3"
)

// omitted is the type of Omitted.
type omitted struct{}

// String makes an omitted value render as nothing in text.
func (omitted) String() string { return "" }

// Omitted is the value of opt for an absent key and of omit. Tree drops
// object members and list elements whose value is Omitted.
var Omitted any = omitted{}

// funcs is shared by every template; it is read-only after init.
var funcs = func() map[string]any {
	m := map[string]any(sprig.HermeticTxtFuncMap())
	// Belt and braces: these read the process environment and must never be
	// reachable from a spec, whatever a future Sprig considers hermetic.
	// The others depend on the clock, the local time zone or randomness,
	// which Sprig's "hermetic" set still lets through: a template must
	// render the same request from the same input.
	for _, name := range []string{"env", "expandenv", "getHostByName",
		"ago", "randInt", "shuffle", "bcrypt", "htpasswd", "derivePassword",
		"genPrivateKey", "genCA", "genCAWithKey", "genSelfSignedCert", "genSelfSignedCertWithKey",
		"genSignedCert", "genSignedCertWithKey", "buildCustomCert", "encryptAES", "decryptAES",
		"toDate", "mustToDate",
		// These modify the map they are given, and .params is shared by
		// concurrent calls.
		"set", "unset", "merge", "mergeOverwrite", "mustMerge", "mustMergeOverwrite"} {
		delete(m, name)
	}
	for k, v := range map[string]any{
		"json":         toJSON,
		"jsonQuote":    jsonQuote,
		"pathEscape":   url.PathEscape,
		"queryEscape":  url.QueryEscape,
		"basicAuth":    basicAuth,
		"opt":          opt,
		"omit":         func() any { return Omitted },
		"omitEmpty":    omitEmpty,
		"required":     required,
		"rfc3339":      func(t any) (string, error) { return formatTime(time.RFC3339, t) },
		"unix":         unix,
		"formatTime":   formatTime,
		"raw":          func(v any) any { return v },
		"__capture":    capture,
		"__pathEscape": pathEscapeAny,
		"__text":       textOf,
		"__range":      rangeCheck,
	} {
		m[k] = v
	}
	for name, f := range budgetedFuncs {
		m["__"+name] = f
	}
	return m
}()

// FuncNames returns the names of every function templates can call, for
// documentation and tests.
func FuncNames() []string {
	names := make([]string, 0, len(funcs))
	for k := range funcs {
		if k[0] != '_' {
			names = append(names, k)
		}
	}
	return names
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func jsonQuote(v any) (string, error) {
	b, err := json.Marshal(toString(v))
	return string(b), err
}

func basicAuth(user, pass any) string {
	return base64.StdEncoding.EncodeToString([]byte(toString(user) + ":" + toString(pass)))
}

// textOf passes a value to be printed, except nil, which prints as nothing.
func textOf(v any) any {
	if v == nil {
		return ""
	}
	return v
}

func pathEscapeAny(v any) (string, error) {
	s := toString(v)
	switch s {
	case "", ".", "..":
		return "", fmt.Errorf("%q cannot be a URL path segment", s)
	}
	return url.PathEscape(s), nil
}

func toString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case nil:
		return ""
	case json.Number:
		return string(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// opt walks nested map keys and returns Omitted when any is absent, so
// optional attributes can be read under missingkey=error.
func opt(m any, keys ...string) any {
	v := m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return Omitted
		}
		if v, ok = mm[k]; !ok {
			return Omitted
		}
	}
	if v == nil {
		return Omitted
	}
	return v
}

// required fails the rendering with msg when v is empty, so a spec can
// demand a parameter only where it is used.
func required(msg string, v any) (any, error) {
	if omitEmpty(v) == Omitted {
		return nil, errors.New(msg)
	}
	return v, nil
}

func omitEmpty(v any) any {
	if v == nil || v == Omitted {
		return Omitted
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String, reflect.Map, reflect.Slice, reflect.Array:
		if rv.Len() == 0 {
			return Omitted
		}
	}
	return v
}

func asTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t, nil
	case *time.Time:
		if t == nil {
			return time.Time{}, fmt.Errorf("nil time")
		}
		return *t, nil
	case string:
		return time.Parse(time.RFC3339Nano, t)
	case int64:
		return time.Unix(t, 0), nil
	case int:
		return time.Unix(int64(t), 0), nil
	case json.Number:
		n, err := t.Int64()
		return time.Unix(n, 0), err
	}
	return time.Time{}, fmt.Errorf("not a time: %T", v)
}

func formatTime(layout string, v any) (string, error) {
	t, err := asTime(v)
	if err != nil {
		return "", err
	}
	return t.UTC().Format(layout), nil
}

func unix(v any) (int64, error) {
	t, err := asTime(v)
	if err != nil {
		return 0, err
	}
	return t.Unix(), nil
}
