package genesystest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

// projection is the attributes / excludedAttributes query (RFC 7644
// §3.4.2.5). Each path is split into segments: an extension URN if any,
// then the attribute and sub-attribute names.
type projection struct {
	include [][]string
	exclude [][]string
}

// The SDKs send these parameters repeated ("multi" collection format);
// comma-separated lists are accepted too.
func parseProjection(q url.Values) projection {
	return projection{include: attrPaths(q["attributes"]), exclude: attrPaths(q["excludedAttributes"])}
}

func attrPaths(values []string) [][]string {
	var out [][]string
	for _, v := range values {
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				out = append(out, attrSegments(a))
			}
		}
	}
	return out
}

func attrSegments(a string) []string {
	ns, rest, whole := splitURN(a)
	var segs []string
	switch ns {
	case nsEnterprise:
		segs = []string{schemaEnterprise}
	case nsGenesys:
		segs = []string{schemaGenesys}
	}
	if whole {
		return segs
	}
	return append(segs, strings.Split(rest, ".")...)
}

func (p projection) empty() bool { return len(p.include) == 0 && len(p.exclude) == 0 }

// apply returns v, or a generic copy of it with the projection applied.
// always names the attributes that are returned regardless.
func (p projection) apply(v any, always ...string) any {
	if p.empty() {
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // keep numbers exactly as rendered
	var m map[string]any
	if dec.Decode(&m) != nil {
		return v
	}
	if len(p.include) > 0 {
		m = selectObject(m, buildSelection(p.include), always)
	}
	for _, path := range p.exclude {
		removePath(m, path, always)
	}
	return m
}

type selection struct {
	all  bool
	kids map[string]*selection
}

func buildSelection(paths [][]string) *selection {
	root := &selection{kids: map[string]*selection{}}
	for _, p := range paths {
		n := root
		for _, seg := range p {
			k := strings.ToLower(seg)
			c := n.kids[k]
			if c == nil {
				c = &selection{kids: map[string]*selection{}}
				n.kids[k] = c
			}
			n = c
		}
		n.all = true
	}
	return root
}

func selectValue(v any, n *selection) any {
	if n.all {
		return v
	}
	switch t := v.(type) {
	case map[string]any:
		return selectObject(t, n, nil)
	case []any:
		out := make([]any, 0, len(t))
		for _, e := range t {
			out = append(out, selectValue(e, n))
		}
		return out
	}
	return v
}

func selectObject(m map[string]any, n *selection, always []string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if containsFold(always, k) {
			out[k] = v
		} else if c := n.kids[strings.ToLower(k)]; c != nil {
			out[k] = selectValue(v, c)
		}
	}
	return out
}

func removePath(m map[string]any, path []string, always []string) {
	for k, v := range m {
		if !strings.EqualFold(k, path[0]) {
			continue
		}
		if len(path) == 1 {
			if !containsFold(always, k) {
				delete(m, k)
			}
			return
		}
		switch t := v.(type) {
		case map[string]any:
			removePath(t, path[1:], nil)
		case []any:
			for _, e := range t {
				if em, ok := e.(map[string]any); ok {
					removePath(em, path[1:], nil)
				}
			}
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

var (
	alwaysUser  = []string{"schemas", "id", "userName", "active", "meta"}
	alwaysGroup = []string{"schemas", "id", "meta"}
)
