package connector

import (
	"reflect"
	"runtime"
	"sync"
	"weak"

	"github.com/restconn/restconn/template"
)

// Clone returns a deep copy of the spec, for customizing a preset without
// touching the original: no map, slice or pointer is shared, and values in
// bodies and conditions keep their Go types. The copy shares the templates
// Parse compiled (they are immutable), so New compiles only the templates
// the caller changes.
func (s *Spec) Clone() *Spec {
	c := cloneValue(reflect.ValueOf(s), 0).Interface().(*Spec)
	shareTemplates(c, templatesOf(s))
	return c
}

// maxCloneDepth bounds the copy of a spec built in Go with a cycle in it (a
// body that contains itself), which would otherwise never end.
const maxCloneDepth = 10000

// cloneValue returns a deep copy of v.
func cloneValue(v reflect.Value, depth int) reflect.Value {
	if depth > maxCloneDepth {
		panic("restconn: spec is nested too deeply or contains itself")
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type().Elem())
		c.Elem().Set(cloneValue(v.Elem(), depth+1))
		return c
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		c := reflect.New(v.Type()).Elem()
		c.Set(cloneValue(v.Elem(), depth+1))
		return c
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			c.SetMapIndex(it.Key(), cloneValue(it.Value(), depth+1))
		}
		return c
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		c := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			c.Index(i).Set(cloneValue(v.Index(i), depth+1))
		}
		return c
	case reflect.Struct:
		c := reflect.New(v.Type()).Elem()
		c.Set(v) // unexported fields (a time.Time in a body) as they are
		for i := range v.NumField() {
			if f := c.Field(i); f.CanSet() {
				f.Set(cloneValue(v.Field(i), depth+1))
			}
		}
		return c
	}
	return v // strings, numbers and booleans are values already
}

// specTemplates holds, for each Spec that Parse made and for its clones,
// the templates Parse compiled, so that New does not compile them again.
// It sits beside the specs rather than in a field so that a Spec stays
// plain data: two specs parsed from the same document are equal under
// reflect.DeepEqual, and a Spec built in Go is equal to a parsed one. The
// key is weak and a cleanup deletes it, so a spec's entry goes with the
// spec.
var specTemplates sync.Map // weak.Pointer[Spec] -> *template.Set

// templatesOf returns the templates Parse compiled for s or for the spec s
// was cloned from; nil when there are none.
func templatesOf(s *Spec) *template.Set {
	v, ok := specTemplates.Load(weak.Make(s))
	if !ok {
		return nil
	}
	return v.(*template.Set)
}

// shareTemplates records set as the compiled templates of s. A set is
// never added to once shared, so any number of specs may use it.
func shareTemplates(s *Spec, set *template.Set) {
	if set == nil {
		return
	}
	k := weak.Make(s)
	specTemplates.Store(k, set)
	runtime.AddCleanup(s, func(k weak.Pointer[Spec]) { specTemplates.Delete(k) }, k)
}
