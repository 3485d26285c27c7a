package template

import (
	"sync"
	"text/template"
	"text/template/parse"
)

// A Set compiles templates that share one prepared function map.
//
// Making a text/template usable costs more than parsing a small one: its
// function map (Sprig's and ours, some 200 functions) is checked and copied
// into every new template namespace. A Set pays that once, on its first
// template; its templates then live in one namespace, which grows with the
// templates the Set compiles and goes away with the last of them. So make a
// Set per group of templates that live together (restconn makes one per
// spec), not one per process.
//
// A Set also remembers what it compiled: compiling the same name, source and
// escaping again returns the same immutable *Template, and a Set made with
// Derive reuses its parent's templates without adding to the parent. A Set
// is safe for concurrent use.
type Set struct {
	parent *Set

	mu    sync.Mutex
	root  *template.Template // the prepared namespace; nil until the first template
	known map[setKey]*Template
}

type setKey struct {
	name, src string
	esc       Escape
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{} }

// Derive returns an empty set that reuses the templates s has compiled: it
// compiles only what s does not have, and keeps those itself, so s does
// not change.
func (s *Set) Derive() *Set { return &Set{parent: s} }

// Len returns the number of templates the set has compiled (its parent's
// not counted).
func (s *Set) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.known)
}

// Compile is like the package-level Compile, within the set.
func (s *Set) Compile(name, src string, esc Escape) (*Template, error) {
	k := setKey{name, src, esc}
	if t := s.lookup(k); t != nil {
		return t, nil
	}
	t, err := s.compile(name, src, esc)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.known == nil {
		s.known = map[setKey]*Template{}
	}
	s.known[k] = t
	return t, nil
}

// CompileTree is like the package-level CompileTree, within the set.
func (s *Set) CompileTree(name string, v any) (*Tree, error) { return compileTree(s, name, v) }

func (s *Set) lookup(k setKey) *Template {
	if s.parent != nil {
		if t := s.parent.lookup(k); t != nil {
			return t
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.known[k]
}

// add installs a parsed tree in the set's namespace as a template of its
// own. Templates are executed directly, never by name, so two trees of the
// same name (the text and the typed form of one template) do not clash.
func (s *Set) add(name string, tree *parse.Tree) (*template.Template, error) {
	s.mu.Lock()
	if s.root == nil {
		s.root = template.New("").Option("missingkey=error").Funcs(funcs)
	}
	root := s.root
	s.mu.Unlock()
	return root.New(name).AddParseTree(name, tree)
}

// builtins names text/template's predefined functions: the parser must
// know every function a template may call, and text/template does not
// export its own list. (TestBuiltins checks each of them.)
var builtins = map[string]any{
	"and": true, "call": true, "html": true, "index": true, "slice": true, "js": true, "len": true,
	"not": true, "or": true, "print": true, "printf": true, "println": true, "urlquery": true,
	"eq": true, "ge": true, "gt": true, "le": true, "lt": true, "ne": true,
}
