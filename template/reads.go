package template

import "text/template/parse"

// Reads reports whether rendering the template may read the value at path
// below the data: Reads("responses", "lookup") holds for a template that
// refers to .responses.lookup.body.id, and for one that refers to
// .responses as a whole, since that holds the value at path.
//
// The answer errs on the safe side, never the other: a template that may
// read all of the data (through . or $ at the top level) reads every path,
// and so does one that hands a containing value to a function
// (opt .responses "lookup"). Inside with and range, fields are read from
// the value the action's pipeline chose, which Reads has already judged.
// Reads() with no path reports whether the template reads any data at all.
//
// Callers use it to tell, before rendering, whether a template depends on
// a value they do not have, which a render alone cannot tell: opt, dig or
// an if over an absent value render without an error.
func (t *Template) Reads(path ...string) bool {
	if t.literal {
		return false
	}
	return reads(t.parsed.Root, path, true)
}

// Reads reports whether any template in the tree may read the value at
// path, as Template.Reads does.
func (t *Tree) Reads(path ...string) bool {
	switch t.kind {
	case kindTemplate:
		return t.tmpl.Reads(path...)
	case kindObject, kindList:
		for _, m := range t.members {
			if m.Reads(path...) {
				return true
			}
		}
	}
	return false
}

// reads walks a parse tree; root says whether dot is the whole data there.
func reads(n parse.Node, path []string, root bool) bool {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return false
		}
		for _, c := range n.Nodes {
			if reads(c, path, root) {
				return true
			}
		}
	case *parse.ActionNode:
		return reads(n.Pipe, path, root)
	case *parse.PipeNode:
		if n == nil {
			return false
		}
		for _, c := range n.Cmds {
			if reads(c, path, root) {
				return true
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			if reads(a, path, root) {
				return true
			}
		}
	case *parse.FieldNode:
		return root && overlaps(n.Ident, path)
	case *parse.VariableNode:
		// $ is always the whole data; other variables hold what their
		// declaration's pipeline read, which was walked there.
		return n.Ident[0] == "$" && overlaps(n.Ident[1:], path)
	case *parse.DotNode:
		return root
	case *parse.ChainNode:
		return reads(n.Node, path, root)
	case *parse.IfNode:
		return reads(n.Pipe, path, root) || reads(n.List, path, root) || reads(n.ElseList, path, root)
	case *parse.RangeNode:
		return reads(n.Pipe, path, root) || reads(n.List, path, false) || reads(n.ElseList, path, root)
	case *parse.WithNode:
		return reads(n.Pipe, path, root) || reads(n.List, path, false) || reads(n.ElseList, path, root)
	case *parse.TemplateNode:
		return true // not compiled (see Compile); never guess
	}
	return false
}

// overlaps reports whether reading the field chain reads the value at path:
// one of the two is a prefix of the other.
func overlaps(chain, path []string) bool {
	for i := 0; i < len(chain) && i < len(path); i++ {
		if chain[i] != path[i] {
			return false
		}
	}
	return true
}
