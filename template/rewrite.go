package template

import (
	"strconv"
	"strings"
	"text/template/parse"
)

// A compiled template is executed with a root of two keys: the caller's
// data, and the rendering's budget. Neither key can be spelt in a
// template (field names are identifiers), and rewrite turns every
// reference to the root ($, and . where it is the root) into a reference
// to the data, so a template sees exactly the data it was given and can
// never reach the budget; only the calls rewrite adds can.
const (
	dataKey   = "\x00data"
	budgetKey = "\x00budget"
)

// rewrite prepares a parsed tree for budgeted execution: references to
// the root go to the data; calls of budgetedFuncs go to their stand-ins,
// with the budget as first argument; and every range charges its
// iterations, each at the weight of its body, before it starts (see
// rangeCheck).
func rewrite(tr *parse.Tree) {
	rw := rewriter{tr: tr}
	rw.node(tr.Root, true)
}

type rewriter struct{ tr *parse.Tree }

// node rewrites n; root says whether dot is the root data there.
func (rw rewriter) node(n parse.Node, root bool) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			rw.node(c, root)
		}
	case *parse.ActionNode:
		rw.pipe(n.Pipe, root)
	case *parse.IfNode:
		rw.pipe(n.Pipe, root)
		rw.node(n.List, root)
		rw.node(n.ElseList, root)
	case *parse.WithNode:
		rw.pipe(n.Pipe, root)
		rw.node(n.List, false) // dot is the pipeline's value
		rw.node(n.ElseList, root)
	case *parse.RangeNode:
		w := weight(n.List) // before the ranges inside get their checks
		rw.pipe(n.Pipe, root)
		rw.node(n.List, false) // dot is the element
		rw.node(n.ElseList, root)
		check := rw.call(n.Pipe.Pos, "__range")
		check.Args = append(check.Args, &parse.NumberNode{NodeType: parse.NodeNumber, Pos: n.Pipe.Pos,
			IsInt: true, Int64: w, Text: strconv.FormatInt(w, 10)})
		n.Pipe.Cmds = append(n.Pipe.Cmds, check)
	}
}

// weight is what one iteration of a range whose body is list costs, in
// steps: a step per command and per text it runs, taking both branches of
// an if, and at least one. A range inside counts its pipeline; its own
// iterations are charged when it starts.
func weight(list *parse.ListNode) int64 {
	var w int64
	var count func(n parse.Node) bool
	count = func(n parse.Node) bool {
		switch n := n.(type) {
		case *parse.RangeNode:
			walk(n.Pipe, count)
			return false
		case *parse.TextNode:
			w++
		case *parse.CommandNode:
			if id, ok := n.Args[0].(*parse.IdentifierNode); !ok || !strings.HasPrefix(id.Ident, "__") {
				w++ // not one of the commands the compiler adds
			}
		}
		return true
	}
	walk(list, count)
	return max(w, 1)
}

// call is a command calling fn with the budget.
func (rw rewriter) call(pos parse.Pos, fn string) *parse.CommandNode {
	return &parse.CommandNode{NodeType: parse.NodeCommand, Pos: pos, Args: []parse.Node{
		parse.NewIdentifier(fn).SetTree(rw.tr).SetPos(pos),
		budgetRef(pos),
	}}
}

func budgetRef(pos parse.Pos) *parse.VariableNode {
	return &parse.VariableNode{NodeType: parse.NodeVariable, Pos: pos, Ident: []string{"$", budgetKey}}
}

func (rw rewriter) pipe(p *parse.PipeNode, root bool) {
	if p == nil {
		return
	}
	for _, c := range p.Cmds {
		if id, ok := c.Args[0].(*parse.IdentifierNode); ok {
			if _, ok := budgetedFuncs[id.Ident]; ok {
				stand := parse.NewIdentifier("__" + id.Ident).SetTree(rw.tr).SetPos(id.Pos)
				c.Args = append([]parse.Node{stand, budgetRef(id.Pos)}, c.Args[1:]...)
			}
		}
		for i := range c.Args {
			c.Args[i] = rw.arg(c.Args[i], root)
		}
	}
}

// arg returns n with references to the root rewritten.
func (rw rewriter) arg(n parse.Node, root bool) parse.Node {
	switch n := n.(type) {
	case *parse.FieldNode:
		if root {
			return &parse.VariableNode{NodeType: parse.NodeVariable, Pos: n.Pos, Ident: append([]string{"$", dataKey}, n.Ident...)}
		}
	case *parse.DotNode:
		if root {
			return &parse.VariableNode{NodeType: parse.NodeVariable, Pos: n.Pos, Ident: []string{"$", dataKey}}
		}
	case *parse.VariableNode:
		if n.Ident[0] == "$" && (len(n.Ident) == 1 || n.Ident[1] != dataKey && n.Ident[1] != budgetKey) {
			n.Ident = append([]string{"$", dataKey}, n.Ident[1:]...)
		}
	case *parse.ChainNode:
		// Tree.Copy shares a chain's node between the copies: rewrite a
		// copy of it, so that no other tree (the typed form, the tree as
		// written) changes with this one.
		n.Node = rw.arg(n.Node.Copy(), root)
	case *parse.PipeNode:
		rw.pipe(n, root)
	}
	return n
}

// rootless takes the rewritten root references out of a message of
// text/template, which names the node that failed.
var rootless = strings.NewReplacer("$."+dataKey+".", ".", "$."+dataKey, "$", "$."+budgetKey, "$")

// forEachNode calls fn for every node of the tree below n, pipelines and
// their arguments included.
func forEachNode(n parse.Node, fn func(parse.Node)) {
	walk(n, func(n parse.Node) bool { fn(n); return true })
}

// walk is forEachNode for an fn that may prune: where it returns false,
// the walk does not go below that node.
func walk(n parse.Node, fn func(parse.Node) bool) {
	switch n := n.(type) {
	case nil:
		return
	case *parse.ListNode:
		if n == nil {
			return
		}
	case *parse.PipeNode:
		if n == nil {
			return
		}
	}
	if !fn(n) {
		return
	}
	switch n := n.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			walk(c, fn)
		}
	case *parse.ActionNode:
		walk(n.Pipe, fn)
	case *parse.PipeNode:
		for _, c := range n.Cmds {
			walk(c, fn)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, fn)
		}
	case *parse.ChainNode:
		walk(n.Node, fn)
	case *parse.IfNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.RangeNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.WithNode:
		walk(n.Pipe, fn)
		walk(n.List, fn)
		walk(n.ElseList, fn)
	case *parse.TemplateNode:
		walk(n.Pipe, fn)
	}
}
