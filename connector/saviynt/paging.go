package saviynt

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/restconn/restconn/connector"
)

// nextURL converts a nextUrlPath expression. The forms Saviynt documents
// reduce to a restconn strategy:
//
//	${response?.completeResponseMap?.next==null ? null : response.completeResponseMap.next}
//	                                              nextURL at "next"
//	${response.completeResponseMap.get('@odata.nextLink')}
//	                                              nextURL at ["@odata.nextLink"]
//	${headers?.toString().contains('link') ? headers?.link?.replace('<','')
//	   ?.replace('>; rel="next"','')?.trim() : null}
//	                                              link (the Link header's rel="next")
//	${response?.objectList?.size()>0 ? '<url>?startIndex=' + Math.addExact(
//	   response.completeResponseMap.itemsPerPage, response.completeResponseMap.startIndex)
//	   + '&count=' + response.completeResponseMap.itemsPerPage : null}
//	                                              scim
//
// A condition may test the same value for null, or whether the page had
// records (restconn stops on an empty page anyway). Anything else is left
// out: importing only the first page would lose records.
func (cv *converter) nextURL(path string, m map[string]any, lc *connector.ListCall) *failure {
	path = join(path, "nextUrlPath")
	src := strings.TrimSpace(str(m, "nextUrlPath"))
	if src == "" {
		return fail(path, "missing")
	}
	segs, err := splitGString(src)
	if err != nil {
		return exprFail(path, err)
	}
	if len(segs) != 1 || !segs[0].isExpr {
		if len(segs) == 0 {
			return fail(path, "missing")
		}
		// A plain path without ${...}.
		segs = []segment{{expr: src, isExpr: true}}
	}
	n, err := parseExpr(segs[0].expr)
	if err != nil {
		return exprFail(path, err)
	}
	pg, err := nextURLShape(n)
	if err != nil {
		return fail(path, "this nextUrlPath is not one of the forms restconn can page with (%v); the import is left out rather than read only its first page", err)
	}
	if pg.Type == "scim" {
		if c, ok := lc.Query["count"]; ok {
			if size, err := strconv.Atoi(c); err == nil {
				pg.Size = size
			}
		}
		if pg.Size == 0 {
			cv.warn(attrImport, path, "SCIM paging asks for 100 records per page (the call's URL gives no count)")
		}
	}
	lc.Paging = pg
	return nil
}

func nextURLShape(n node) (*connector.Paging, error) {
	x, cond := n, node(nil)
	if c, ok := n.(*condNode); ok {
		switch {
		case c.a == nil:
			x, cond = c.c, nil // next ?: null: the value itself
			if !isNullLit(c.b) {
				return nil, fmt.Errorf("a fallback URL")
			}
		case isNullLit(c.a):
			x, cond = c.b, c.c
		case isNullLit(c.b):
			x, cond = c.a, c.c
		default:
			return nil, fmt.Errorf("neither branch of the ternary is null")
		}
	}
	var pg *connector.Paging
	var own string
	if name, steps, ok := flatten(x); ok && name == "response" {
		elems := make([]elem, len(steps))
		for i, s := range steps {
			elems[i] = s.elem
		}
		if rest, ok := cutPrefix(elems, "completeResponseMap"); ok && len(rest) > 0 {
			pg = &connector.Paging{Type: "nextURL", Path: renderPath(rest)}
			own = refKey(name, elems)
		}
	}
	if pg == nil && isLinkHeader(x) {
		pg = &connector.Paging{Type: "link"}
	}
	if pg == nil && isSCIM(x) {
		pg = &connector.Paging{Type: "scim"}
	}
	if pg == nil {
		return nil, fmt.Errorf("the next URL is neither a body value, the Link header nor SCIM's startIndex")
	}
	if cond != nil {
		for _, r := range refs(cond) {
			switch {
			case r == own, r == "response.objectList", strings.HasPrefix(r, "headers") && pg.Type == "link",
				pg.Type == "scim" && strings.HasPrefix(r, "response.completeResponseMap"):
			default:
				return nil, fmt.Errorf("the condition tests %s", r)
			}
		}
	}
	return pg, nil
}

// refKey names a path for comparisons: name.key.key.
func refKey(name string, elems []elem) string {
	var b strings.Builder
	b.WriteString(name)
	for _, e := range elems {
		if e.isIdx {
			fmt.Fprintf(&b, "[%d]", e.idx)
		} else {
			b.WriteString("." + e.key)
		}
	}
	return b.String()
}

// refs lists the binding paths an expression reads.
func refs(n node) []string {
	if name, steps, ok := flatten(n); ok {
		elems := make([]elem, len(steps))
		for i, s := range steps {
			elems[i] = s.elem
		}
		return []string{refKey(name, elems)}
	}
	var out []string
	switch n := n.(type) {
	case *callNode:
		if n.recv != nil {
			out = append(out, refs(n.recv)...)
		}
		for _, a := range n.args {
			out = append(out, refs(a)...)
		}
	case *propNode:
		out = append(out, refs(n.recv)...)
	case *indexNode:
		out = append(out, refs(n.recv)...)
	case *binNode:
		out = append(append(out, refs(n.l)...), refs(n.r)...)
	case *notNode:
		out = append(out, refs(n.x)...)
	case *condNode:
		for _, c := range []node{n.c, n.a, n.b} {
			if c != nil {
				out = append(out, refs(c)...)
			}
		}
	}
	return out
}

// isLinkHeader recognises headers.link with replace and trim calls around
// it: the Link header's next URL.
func isLinkHeader(n node) bool {
	for {
		c, ok := n.(*callNode)
		if !ok || c.recv == nil {
			break
		}
		if c.name != "replace" && c.name != "trim" && c.name != "toString" {
			if c.name == "get" {
				break // headers.get('link') is a path
			}
			return false
		}
		n = c.recv
	}
	name, steps, ok := flatten(n)
	return ok && name == "headers" && len(steps) == 1 && !steps[0].isIdx && strings.EqualFold(steps[0].key, "link")
}

// isSCIM recognises a URL built from startIndex + itemsPerPage.
func isSCIM(n node) bool {
	found := false
	var walk func(node)
	walk = func(n node) {
		switch n := n.(type) {
		case *binNode:
			walk(n.l)
			walk(n.r)
		case *callNode:
			id, ok := n.recv.(*identNode)
			if ok && id.name == "Math" && n.name == "addExact" && len(n.args) == 2 {
				a, b := refs(n.args[0]), refs(n.args[1])
				if len(a) == 1 && len(b) == 1 {
					set := map[string]bool{a[0]: true, b[0]: true}
					found = found || set["response.completeResponseMap.itemsPerPage"] && set["response.completeResponseMap.startIndex"]
				}
			}
		}
	}
	walk(n)
	if !found {
		return false
	}
	for _, p := range plusParts(n) {
		if l, ok := p.(*litNode); ok {
			if s, isStr := l.val.(string); isStr && strings.Contains(s, "startIndex=") {
				return true
			}
		}
	}
	return false
}
