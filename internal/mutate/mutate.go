// Package mutate changes every value reachable from a Go value, in place:
// tests use it to prove that a copy is deep (mutate the copy, and nothing
// else may change) and that an engine keeps nothing of the spec it was
// given.
package mutate

import (
	"encoding/json"
	"reflect"
	"strconv"
)

var numberType = reflect.TypeOf(json.Number(""))

// Mark is appended to strings and added as a key to maps.
const Mark = "~mutated"

// All changes, in place, every settable value reachable from ptr, which
// must be a non-nil pointer: strings gain Mark, numbers grow by one,
// booleans flip, maps gain a key Mark (when their keys are strings) and
// change every value, slices change every element, and nil interfaces
// become Mark. A json.Number stays a valid number, one greater, so that a
// changed spec still marshals. Nil pointers, maps and slices stay nil. Values are changed
// where they are, so a change shows through every reference that shares
// them.
func All(ptr any) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		panic("mutate: want a non-nil pointer")
	}
	value(v.Elem(), 0)
}

// value mutates v, which is settable, or a map or slice (whose contents
// are settable through it).
func value(v reflect.Value, depth int) {
	if depth > 1000 {
		return // a cycle: it has been changed already
	}
	switch v.Kind() {
	case reflect.String:
		if v.Type() == numberType {
			v.SetString(nextNumber(v.String()))
			return
		}
		v.SetString(v.String() + Mark)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(v.Uint() + 1)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(v.Float() + 1)
	case reflect.Pointer:
		if !v.IsNil() {
			value(v.Elem(), depth+1)
		}
	case reflect.Interface:
		inner(v, depth)
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				value(f, depth+1)
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			value(v.Index(i), depth+1)
		}
	case reflect.Array:
		if v.CanSet() {
			for i := range v.Len() {
				value(v.Index(i), depth+1)
			}
		}
	case reflect.Map:
		mapValues(v, depth)
	}
}

// inner mutates the value an interface holds: maps and slices where they
// are, other values by replacing them.
func inner(v reflect.Value, depth int) {
	if v.IsNil() {
		if v.CanSet() && reflect.TypeOf(Mark).AssignableTo(v.Type()) {
			v.Set(reflect.ValueOf(Mark))
		}
		return
	}
	e := v.Elem()
	switch e.Kind() {
	case reflect.Map, reflect.Slice:
		value(e, depth+1)
	case reflect.Pointer:
		if !e.IsNil() {
			value(e.Elem(), depth+1)
		}
	default:
		if v.CanSet() {
			c := reflect.New(e.Type()).Elem()
			c.Set(e)
			value(c, depth+1)
			v.Set(c)
		}
	}
}

func mapValues(m reflect.Value, depth int) {
	if m.IsNil() {
		return
	}
	for _, k := range m.MapKeys() {
		c := reflect.New(m.Type().Elem()).Elem()
		c.Set(m.MapIndex(k))
		value(c, depth+1)
		m.SetMapIndex(k, c)
	}
	if kt := m.Type().Key(); kt.Kind() == reflect.String {
		m.SetMapIndex(reflect.ValueOf(Mark).Convert(kt), reflect.Zero(m.Type().Elem()))
	}
}

// nextNumber returns a JSON number one greater than n (n itself with a
// digit added when n is not a number json.Number would marshal).
func nextNumber(n string) string {
	if i, err := strconv.ParseInt(n, 10, 64); err == nil && i < 1<<62 {
		return strconv.FormatInt(i+1, 10)
	}
	if f, err := strconv.ParseFloat(n, 64); err == nil {
		return strconv.FormatFloat(f+1, 'g', -1, 64)
	}
	return "1"
}
