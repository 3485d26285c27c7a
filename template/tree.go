package template

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Tree is a compiled JSON value whose string leaves are templates: the body
// of a request in a spec. Rendering yields a value for encoding/json, so
// every rendered string is escaped by the encoder, never spliced into JSON
// text.
type Tree struct {
	kind    treeKind
	literal any       // kindLiteral: a value with no templates anywhere below
	tmpl    *Template // kindTemplate
	keys    []string  // kindObject, sorted
	members []*Tree   // kindObject (parallel to keys) and kindList
}

type treeKind uint8

const (
	kindLiteral treeKind = iota
	kindTemplate
	kindObject
	kindList
)

// CompileTree compiles a decoded JSON value. name is the spec path of the
// value; leaves are named name.key and name[i].
func CompileTree(name string, v any) (*Tree, error) { return compileTree(NewSet(), name, v) }

func compileTree(s *Set, name string, v any) (*Tree, error) {
	switch v := v.(type) {
	case string:
		t, err := s.Compile(name, v, Plain)
		if err != nil {
			return nil, err
		}
		if t.IsLiteral() {
			return &Tree{kind: kindLiteral, literal: t.Source()}, nil
		}
		return &Tree{kind: kindTemplate, tmpl: t}, nil
	case map[string]any:
		tr := &Tree{kind: kindObject}
		tr.keys = slices.Sorted(maps.Keys(v))
		allLiteral := true
		for _, k := range tr.keys {
			c, err := compileTree(s, name+"."+k, v[k])
			if err != nil {
				return nil, err
			}
			allLiteral = allLiteral && c.kind == kindLiteral
			tr.members = append(tr.members, c)
		}
		if allLiteral {
			return &Tree{kind: kindLiteral, literal: v}, nil
		}
		return tr, nil
	case []any:
		tr := &Tree{kind: kindList}
		allLiteral := true
		for i, e := range v {
			c, err := compileTree(s, name+"["+strconv.Itoa(i)+"]", e)
			if err != nil {
				return nil, err
			}
			allLiteral = allLiteral && c.kind == kindLiteral
			tr.members = append(tr.members, c)
		}
		if allLiteral {
			return &Tree{kind: kindLiteral, literal: v}, nil
		}
		return tr, nil
	case nil, bool, float64, json.Number, int, int64:
		return &Tree{kind: kindLiteral, literal: v}, nil
	}
	return nil, fmt.Errorf("template %s: unsupported JSON value %T", name, v)
}

// Render builds the value. Members and elements whose value is Omitted are
// dropped, and so is a nested object or list whose every member was omitted
// (so optional extension objects vanish rather than being sent empty); an
// Omitted root renders as Omitted.
//
// Render is RenderContext with context.Background().
func (t *Tree) Render(data map[string]any) (any, error) {
	return t.RenderContext(context.Background(), data)
}

// RenderContext is Render within ctx, as Template.RenderContext is
// Template.Render. The whole tree shares one budget: its Limits bound the
// body, not each of its strings.
func (t *Tree) RenderContext(ctx context.Context, data map[string]any) (any, error) {
	if t.kind == kindLiteral {
		return t.literal, nil
	}
	st := getState(ctx)
	defer putState(st)
	v, err := t.render(st, data)
	if err != nil || v != allOmitted {
		return v, err
	}
	if t.kind == kindList {
		return []any{}, nil
	}
	return map[string]any{}, nil
}

// allOmitted marks a container whose members were all omitted.
var allOmitted any = struct{ all bool }{true}

func (t *Tree) render(st *execState, data map[string]any) (any, error) {
	switch t.kind {
	case kindLiteral:
		return t.literal, nil
	case kindTemplate:
		return t.tmpl.value(st, data)
	case kindObject:
		out := make(map[string]any, len(t.keys))
		for i, k := range t.keys {
			v, err := t.members[i].render(st, data)
			if err != nil {
				return nil, err
			}
			if v != Omitted && v != allOmitted {
				out[k] = v
			}
		}
		if len(out) == 0 && len(t.keys) > 0 {
			return allOmitted, nil
		}
		return out, nil
	default:
		out := make([]any, 0, len(t.members))
		for _, m := range t.members {
			v, err := m.render(st, data)
			if err != nil {
				return nil, err
			}
			if v != Omitted && v != allOmitted {
				out = append(out, v)
			}
		}
		if len(out) == 0 && len(t.members) > 0 {
			return allOmitted, nil
		}
		return out, nil
	}
}

// Uses reports whether any template in the tree may read the binding name.
func (t *Tree) Uses(name string) bool {
	switch t.kind {
	case kindTemplate:
		return t.tmpl.Uses(name)
	case kindObject, kindList:
		for _, m := range t.members {
			if m.Uses(name) {
				return true
			}
		}
	}
	return false
}

// IsLiteral reports whether the tree holds no templates.
func (t *Tree) IsLiteral() bool { return t.kind == kindLiteral }
