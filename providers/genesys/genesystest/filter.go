package genesystest

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// term is one comparison "attrPath eq value", or a value filter
// "attrPath[sub]" over a multi-valued attribute. Only eq exists because it
// is the only operator Genesys documents.
type term struct {
	path  string
	value string
	sub   []term
}

// parseFilter parses the subset of the RFC 7644 §3.4.2.2 grammar that the
// fake supports: terms joined by "and". Errors describe the problem for the
// invalidFilter detail.
func parseFilter(s string) ([]term, error) {
	p := &filterParser{s: s}
	p.skipSpace()
	if p.eof() {
		return nil, errors.New("empty filter")
	}
	terms, err := p.conjunction(false)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		return nil, fmt.Errorf("unexpected %q at offset %d", p.s[p.pos:], p.pos)
	}
	return terms, nil
}

type filterParser struct {
	s   string
	pos int
}

func (p *filterParser) eof() bool { return p.pos >= len(p.s) }

func (p *filterParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.s[p.pos]
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (p *filterParser) skipSpace() {
	for !p.eof() && isSpace(p.s[p.pos]) {
		p.pos++
	}
}

// word reads an operator or keyword.
func (p *filterParser) word() string {
	start := p.pos
	for !p.eof() && !isSpace(p.s[p.pos]) && !strings.ContainsRune(`[]()"`, rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *filterParser) conjunction(inBracket bool) ([]term, error) {
	var out []term
	for {
		p.skipSpace()
		t, err := p.term(inBracket)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
		p.skipSpace()
		if p.eof() || (inBracket && p.peek() == ']') {
			return out, nil
		}
		switch w := p.word(); strings.ToLower(w) {
		case "and":
		case "or", "not":
			return nil, fmt.Errorf("logical operator %q is not supported; only \"and\" is", w)
		case "":
			return nil, fmt.Errorf("unexpected %q at offset %d", p.s[p.pos:], p.pos)
		default:
			return nil, fmt.Errorf("expected \"and\", found %q", w)
		}
	}
}

func (p *filterParser) term(inBracket bool) (term, error) {
	if p.peek() == '(' {
		return term{}, errors.New("grouping with parentheses is not supported")
	}
	start := p.pos
	for !p.eof() && !isSpace(p.s[p.pos]) && !strings.ContainsRune(`[]()"`, rune(p.s[p.pos])) {
		p.pos++
	}
	attr := p.s[start:p.pos]
	if attr == "" {
		return term{}, fmt.Errorf("expected an attribute name at offset %d", p.pos)
	}
	if strings.EqualFold(attr, "not") {
		return term{}, errors.New(`logical operator "not" is not supported`)
	}
	t := term{path: attr}
	if p.peek() == '[' {
		if inBracket {
			return term{}, errors.New("nested value filters are not supported")
		}
		p.pos++
		sub, err := p.conjunction(true)
		if err != nil {
			return term{}, err
		}
		if p.peek() != ']' {
			return term{}, errors.New(`missing "]"`)
		}
		p.pos++
		t.sub = sub
		return t, nil
	}
	p.skipSpace()
	switch op := p.word(); strings.ToLower(op) {
	case "eq":
	case "ne", "co", "sw", "ew", "gt", "ge", "lt", "le", "pr":
		return term{}, fmt.Errorf("operator %q is not supported; only eq is", op)
	case "":
		return term{}, fmt.Errorf("expected an operator after %q", attr)
	default:
		return term{}, fmt.Errorf("unknown operator %q", op)
	}
	p.skipSpace()
	v, err := p.compValue(inBracket)
	if err != nil {
		return term{}, err
	}
	t.value = v
	return t, nil
}

// compValue reads a quoted JSON string, or a bare value as in the Genesys
// examples ("userName eq search@sample.org"). A bare value runs up to the
// next "and"/"or" keyword, so "displayName eq Sales Team" works.
func (p *filterParser) compValue(inBracket bool) (string, error) {
	if p.eof() {
		return "", errors.New("expected a value after eq")
	}
	if p.peek() == '"' {
		start := p.pos
		for p.pos++; !p.eof(); p.pos++ {
			switch p.s[p.pos] {
			case '\\':
				p.pos++
			case '"':
				p.pos++
				var v string
				if err := json.Unmarshal([]byte(p.s[start:p.pos]), &v); err != nil {
					return "", fmt.Errorf("invalid string literal %s", p.s[start:p.pos])
				}
				return v, nil
			}
		}
		return "", errors.New("unterminated string literal")
	}
	stop := func(c byte) bool { return isSpace(c) || (inBracket && c == ']') }
	start := p.pos
	var end int
	for {
		for !p.eof() && !stop(p.s[p.pos]) {
			p.pos++
		}
		end = p.pos
		p.skipSpace()
		if p.eof() || (inBracket && p.peek() == ']') {
			break
		}
		save := p.pos
		if w := strings.ToLower(p.word()); w == "and" || w == "or" {
			p.pos = save
			break
		}
		p.pos = save
	}
	if end == start {
		return "", errors.New("expected a value after eq")
	}
	p.pos = end
	return p.s[start:end], nil
}

// Schema namespaces for attribute paths.
const (
	nsCore       = ""
	nsEnterprise = "enterprise"
	nsGenesys    = "genesys"
)

var urnPrefixes = []struct{ urn, ns string }{
	{schemaEnterprise, nsEnterprise},
	{schemaGenesys, nsGenesys},
	{schemaUser, nsCore},
	{schemaGroup, nsCore},
}

// splitURN strips a schema URN from an attribute path (RFC 7644 §3.10).
// whole reports a path that is just an extension's URN.
func splitURN(path string) (ns, rest string, whole bool) {
	for _, p := range urnPrefixes {
		if len(path) >= len(p.urn) && strings.EqualFold(path[:len(p.urn)], p.urn) {
			r := path[len(p.urn):]
			if r == "" {
				return p.ns, "", true
			}
			if r[0] == ':' {
				return p.ns, r[1:], false
			}
		}
	}
	return nsCore, path, false
}

// patchPath is a parsed PATCH path: attr[filter].sub, with attr in ns.
type patchPath struct {
	raw    string
	ns     string
	attr   string // lowercased; "" with whole means the whole extension
	whole  bool
	filter []term
	sub    string // lowercased
}

func parsePatchPath(raw string) (patchPath, error) {
	pp := patchPath{raw: raw}
	ns, rest, whole := splitURN(strings.TrimSpace(raw))
	pp.ns, pp.whole = ns, whole
	if whole {
		return pp, nil
	}
	i := strings.IndexAny(rest, "[.")
	if i < 0 {
		pp.attr = strings.ToLower(rest)
	} else {
		pp.attr = strings.ToLower(rest[:i])
		rest = rest[i:]
		if rest[0] == '[' {
			end := closingBracket(rest)
			if end < 0 {
				return pp, fmt.Errorf("missing \"]\" in path %q", raw)
			}
			f, err := parseFilter(rest[1:end])
			if err != nil {
				return pp, fmt.Errorf("invalid value filter in path %q: %v", raw, err)
			}
			pp.filter = f
			rest = rest[end+1:]
		}
		if rest != "" {
			if rest[0] != '.' || len(rest) == 1 || strings.ContainsAny(rest[1:], ".[]") {
				return pp, fmt.Errorf("invalid path %q", raw)
			}
			pp.sub = strings.ToLower(rest[1:])
		}
	}
	if pp.attr == "" {
		return pp, fmt.Errorf("invalid path %q", raw)
	}
	return pp, nil
}

// closingBracket returns the index of the "]" closing s[0] == '[', skipping
// quoted strings, or -1.
func closingBracket(s string) int {
	inQuote := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == ']':
			return i
		}
	}
	return -1
}

// elem is one value of a multi-valued attribute, keyed by lowercased
// sub-attribute name, for value filters.
type elem map[string]string

// matchElem reports whether e satisfies every term of a value filter.
// exactValue makes "value" compare case-exactly, for ids and external
// identifiers (RFC 7643 caseExact); everything else compares
// case-insensitively.
func matchElem(sub []term, e elem, exactValue bool) bool {
	for _, t := range sub {
		name := strings.ToLower(t.path)
		got, ok := e[name]
		if !ok {
			return false
		}
		if name == "value" && exactValue {
			if got != t.value {
				return false
			}
		} else if !strings.EqualFold(got, t.value) {
			return false
		}
	}
	return true
}

// compiled filter predicates run with s.mu held.
type userPred func(*User) bool

// compileUserFilter turns a parsed filter into a predicate and reports
// whether it constrains active (without that, lists show active users only).
func (s *Server) compileUserFilter(terms []term) (userPred, bool, error) {
	var preds []userPred
	mentionsActive := false
	for _, t := range terms {
		_, rest, whole := splitURN(t.path)
		if whole {
			return nil, false, fmt.Errorf("cannot filter on a whole schema: %q", t.path)
		}
		base, subName, _ := strings.Cut(strings.ToLower(rest), ".")
		if base == "active" {
			mentionsActive = true
			want, ok := parseBoolString(t.value)
			if !ok || t.sub != nil {
				return nil, false, fmt.Errorf("active must be compared with true or false, not %q", t.value)
			}
			preds = append(preds, func(u *User) bool { return u.Active == want })
			continue
		}
		if get, exact, ok := userSimpleAttr(base, subName); ok {
			if t.sub != nil {
				return nil, false, fmt.Errorf("%q is not multi-valued", t.path)
			}
			v := t.value
			preds = append(preds, func(u *User) bool {
				for _, got := range get(u) {
					if (exact && got == v) || (!exact && strings.EqualFold(got, v)) {
						return true
					}
				}
				return false
			})
			continue
		}
		elems, exact, ok := s.userMultiAttr(base)
		if !ok {
			return nil, false, fmt.Errorf("filtering on %q is not supported", t.path)
		}
		sub := t.sub
		if sub == nil {
			if subName == "" {
				subName = "value"
				if base == "routingskills" || base == "routinglanguages" {
					subName = "name"
				}
			}
			sub = []term{{path: subName, value: t.value}}
		}
		preds = append(preds, func(u *User) bool {
			for _, e := range elems(u) {
				if matchElem(sub, e, exact) {
					return true
				}
			}
			return false
		})
	}
	return func(u *User) bool {
		for _, p := range preds {
			if !p(u) {
				return false
			}
		}
		return true
	}, mentionsActive, nil
}

// userSimpleAttr resolves single-valued attributes, with or without their
// schema URN, as the Genesys filter examples use them bare.
func userSimpleAttr(base, sub string) (get func(*User) []string, exact, ok bool) {
	one := func(f func(*User) string) func(*User) []string {
		return func(u *User) []string { return []string{f(u)} }
	}
	if sub != "" && !(base == "manager" && sub == "value") {
		return nil, false, false
	}
	switch base {
	case "id":
		return one(func(u *User) string { return u.ID }), true, true
	case "username":
		return one(func(u *User) string { return u.UserName }), false, true
	case "displayname":
		return one(func(u *User) string { return u.DisplayName }), false, true
	case "title":
		return one(func(u *User) string { return u.Title }), false, true
	case "externalid":
		return one(func(u *User) string { return u.ExternalID }), true, true
	case "division":
		return one(func(u *User) string { return u.Division }), false, true
	case "department":
		return one(func(u *User) string { return u.Department }), false, true
	case "employeenumber":
		return one(func(u *User) string { return u.EmployeeNumber }), false, true
	case "datehire":
		return one(func(u *User) string { return u.DateHire }), false, true
	case "manager":
		return one(func(u *User) string { return u.ManagerID }), true, true
	case "email":
		// Genesys-specific: the main email is the userName.
		return func(u *User) []string {
			out := []string{u.UserName}
			for _, e := range u.Emails {
				out = append(out, e.Value)
			}
			return out
		}, false, true
	}
	return nil, false, false
}

func (s *Server) userMultiAttr(base string) (func(*User) []elem, bool, bool) {
	switch base {
	case "emails":
		return func(u *User) []elem { return contactElems(emailsToContacts(u.Emails)) }, false, true
	case "phonenumbers":
		return func(u *User) []elem { return contactElems(phonesToContacts(u.PhoneNumbers)) }, false, true
	case "roles":
		return func(u *User) []elem {
			out := make([]elem, len(u.Roles))
			for i, r := range u.Roles {
				out[i] = elem{"value": r}
			}
			return out
		}, false, true
	case "groups":
		return func(u *User) []elem {
			var out []elem
			for _, gid := range s.groupOrder {
				if g := s.groups[gid]; containsString(g.Members, u.ID) {
					out = append(out, elem{"value": g.ID, "display": g.DisplayName, "type": "Group"})
				}
			}
			return out
		}, true, true
	case "externalids":
		return func(u *User) []elem {
			var out []elem
			for _, x := range u.allExternalIDs() {
				out = append(out, elem{"authority": x.Authority, "value": x.Value})
			}
			return out
		}, true, true
	case "routingskills", "routinglanguages":
		return func(u *User) []elem {
			list := u.RoutingSkills
			if base == "routinglanguages" {
				list = u.RoutingLanguages
			}
			out := make([]elem, len(list))
			for i, p := range list {
				out[i] = elem{"name": p.Name, "proficiency": formatFloat(p.Proficiency)}
			}
			return out
		}, true, true
	}
	return nil, false, false
}

type groupPred func(*Group) bool

func compileGroupFilter(terms []term) (groupPred, error) {
	var preds []groupPred
	for _, t := range terms {
		_, rest, whole := splitURN(t.path)
		if whole {
			return nil, fmt.Errorf("cannot filter on a whole schema: %q", t.path)
		}
		base, subName, _ := strings.Cut(strings.ToLower(rest), ".")
		v := t.value
		switch {
		case base == "id" && subName == "" && t.sub == nil:
			preds = append(preds, func(g *Group) bool { return g.ID == v })
		case base == "displayname" && subName == "" && t.sub == nil:
			preds = append(preds, func(g *Group) bool { return strings.EqualFold(g.DisplayName, v) })
		case base == "externalid" && subName == "" && t.sub == nil:
			preds = append(preds, func(g *Group) bool { return g.ExternalID == v })
		case base == "members":
			sub := t.sub
			if sub == nil {
				if subName == "" {
					subName = "value"
				}
				sub = []term{{path: subName, value: v}}
			}
			preds = append(preds, func(g *Group) bool {
				for _, m := range g.Members {
					if matchElem(sub, elem{"value": m, "type": "User"}, true) {
						return true
					}
				}
				return false
			})
		default:
			return nil, fmt.Errorf("filtering groups on %q is not supported", t.path)
		}
	}
	return func(g *Group) bool {
		for _, p := range preds {
			if !p(g) {
				return false
			}
		}
		return true
	}, nil
}

// parseBoolString accepts true/false in any case, as filters and some IdPs
// (Microsoft Entra ID sends "False") spell them.
func parseBoolString(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
