package connector

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/template"
)

func (c *compiler) record(where string, id binding.Field, name *binding.Field, attrs map[string]binding.Field, detail *Call, detailRecord string, details []*Call, out *compiled) compiledRecord {
	r := compiledRecord{}
	if id.Path == "" && id.Value == "" {
		c.fail(where+".id", "missing: the path of the record's ID (or a value template)")
	}
	r.id = c.textField(where+".id", id)
	if name != nil {
		n := c.textField(where+".name", *name)
		r.name = &n
	}
	m, err := record.CompileWith(attrs, func(name, src string) (*template.Template, error) {
		if strings.HasPrefix(name, "[") {
			return c.set.Compile(where+".attributes"+name, src, template.Plain)
		}
		return c.set.Compile(where+".attributes."+name, src, template.Plain)
	})
	if err != nil {
		c.failAt(where+".attributes", err)
	}
	r.attrs = m
	if detail != nil {
		r.detail = c.call(where+".detail", detail, out, "detail")
		if detailRecord != "" {
			r.detailRecord = c.path(where+".detailRecord", detailRecord)
		}
	} else if detailRecord != "" {
		c.fail(where+".detailRecord", "needs a detail call")
	}
	if detail != nil && len(details) > 0 {
		c.fail(where+".details", "give detail (which replaces the record) or details (which add to it), not both")
	}
	r.details = c.details(where+".details", details, out)
	r.vars = m.Templates() || r.id.IsTemplate() || r.name != nil && r.name.IsTemplate()
	return r
}

// details compiles merged detail calls: each needs a unique name, under
// which its response body is bound as .detail.<name>.
func (c *compiler) details(where string, calls []*Call, out *compiled) []*compiledCall {
	var cs []*compiledCall
	names := map[string]int{}
	for i, k := range calls {
		p := fmt.Sprintf("%s[%d]", where, i)
		if k == nil {
			c.fail(p, "missing value")
		}
		if k.Name == "" {
			c.fail(p+".name", "missing: a detail call's response is bound as .detail.<name>")
		}
		c.identifier(p+".name", k.Name)
		if j, dup := names[k.Name]; dup {
			c.fail(p+".name", "%q is already the name of detail call %d", k.Name, j)
		}
		names[k.Name] = i
		cs = append(cs, c.call(p, k, out, "detail"))
	}
	return cs
}

// subList compiles a list call made per record of an import.
func (c *compiler) subList(where string, s *SubList, out *compiled, defaultName string) *compiledSubList {
	if s == nil {
		c.fail(where, "missing value")
	}
	cc := c.listCall(where, &s.ListCall, out)
	if s.Name == "" {
		cc.name = defaultName
	}
	if s.ID.Path == "" && s.ID.Value == "" {
		c.fail(where+".id", "missing: the path of the ID in each record (\"$\" when the record is the ID), or a value template")
	}
	return &compiledSubList{call: cc, id: c.textField(where+".id", s.ID)}
}

func (c *compiler) sources(where string, ls []*ListCall, out *compiled) []*compiledCall {
	var cs []*compiledCall
	for i, l := range ls {
		cs = append(cs, c.listCall(fmt.Sprintf("%s[%d]", where, i), l, out))
	}
	return cs
}

func (c *compiler) imports(out *compiled) {
	im := c.spec.Import
	if im.Accounts != nil {
		c.step(func() { out.accounts = c.accountImport("import.accounts", im.Accounts, out) })
	}
	for _, typ := range slices.Sorted(maps.Keys(im.Entitlements)) {
		c.step(func() {
			out.ents[typ] = c.entitlementImport(typ, im.Entitlements[typ], out)
			out.entTypes = append(out.entTypes, typ)
		})
	}
}

func (c *compiler) accountImport(p string, a *AccountImport, out *compiled) *compiledAccounts {
	if len(a.Sources) == 0 {
		c.fail(p+".sources", "missing: at least one list call")
	}
	ca := &compiledAccounts{
		compiledRecord: c.record(p, a.ID, a.Name, a.Attributes, a.Detail, a.DetailRecord, a.Details, out),
		sources:        c.sources(p+".sources", a.Sources, out),
		incremental:    c.sources(p+".incremental", a.Incremental, out),
		unique:         a.Unique || len(a.Sources) > 1 && !a.Disjoint,
	}
	if a.Unique && a.Disjoint {
		c.fail(p+".disjoint", "give unique or disjoint, not both: disjoint sources need no de-duplication")
	}
	if act := a.Active; act != nil {
		k := Condition{Path: act.Path, Equals: act.Equals, In: act.In, Matches: act.Matches, Not: act.Not}
		if act.Path == "" {
			c.fail(p+".active.path", "missing")
		}
		ca.active = &compiledActive{cond: *c.cond(p+".active", &k), def: act.Default == nil || *act.Default}
	}
	for _, typ := range slices.Sorted(maps.Keys(a.Entitlements)) {
		ca.ents = append(ca.ents, entPath{typ: typ, path: c.path(join(p+".entitlements", typ), a.Entitlements[typ])})
	}
	for _, typ := range slices.Sorted(maps.Keys(a.EntitlementsFrom)) {
		where := join(p+".entitlementsFrom", typ)
		if _, both := a.Entitlements[typ]; both {
			c.fail(where, "type %q is also listed by import.accounts.entitlements: give one of the two", typ)
		}
		ca.entsFrom = append(ca.entsFrom, entFrom{typ: typ, sub: c.subList(where, a.EntitlementsFrom[typ], out, "entitlementsFrom")})
	}
	ca.threshold = c.threshold(p+".threshold", a.Threshold)
	return ca
}

func (c *compiler) entitlementImport(typ string, e *EntitlementImport, out *compiled) *compiledEnts {
	p := join("import.entitlements", typ)
	if e == nil {
		c.fail(p, "missing value")
	}
	ce := &compiledEnts{typ: typ, fromAccounts: e.FromAccounts, unique: e.Unique}
	switch {
	case e.FromAccounts && len(e.Sources) > 0:
		c.fail(p, "give sources or fromAccounts, not both")
	case e.FromAccounts:
		switch acc := out.accounts; {
		case acc == nil && c.spec.Import.Accounts != nil:
			// The account import failed to compile (Diagnose goes on
			// after it): reported already.
		case acc == nil || !acc.lists(typ):
			c.fail(p+".fromAccounts", "needs import.accounts.entitlements.%s or import.accounts.entitlementsFrom.%s", typ, typ)
		}
		if e.Detail != nil || len(e.Details) > 0 || len(e.Attributes) > 0 || e.Members != "" || e.MembersFrom != nil || e.MembersChunk != 0 {
			c.fail(p, "entitlements derived from accounts take no detail, details, attributes, members, membersFrom or membersChunk")
		}
	default:
		if len(e.Sources) == 0 {
			c.fail(p+".sources", "missing: at least one list call, or fromAccounts")
		}
		ce.compiledRecord = c.record(p, e.ID, e.Name, e.Attributes, e.Detail, e.DetailRecord, e.Details, out)
		ce.sources = c.sources(p+".sources", e.Sources, out)
		if e.Members != "" && e.MembersFrom != nil {
			c.fail(p+".membersFrom", "give members (a path in the record) or membersFrom (a call per record), not both")
		}
		if e.Members != "" {
			ce.members = c.path(p+".members", e.Members)
		}
		if e.MembersFrom != nil {
			ce.membersFrom = c.subList(p+".membersFrom", e.MembersFrom, out, "membersFrom")
			ce.chunk = DefaultMembersChunk
		}
		switch {
		case e.MembersChunk < 0:
			c.fail(p+".membersChunk", "must not be negative")
		case e.MembersChunk > 0 && e.MembersFrom == nil:
			c.fail(p+".membersChunk", "needs membersFrom")
		case e.MembersChunk > 0:
			ce.chunk = e.MembersChunk
		}
	}
	ce.threshold = c.threshold(p+".threshold", e.Threshold)
	return ce
}

// threshold checks a reconciliation default; nil sets no limit.
func (c *compiler) threshold(where string, t *Threshold) Threshold {
	if t == nil {
		return Threshold{}
	}
	if t.MaxRemoved < 0 {
		c.fail(where+".maxRemoved", "must not be negative")
	}
	if t.MaxRemovedPercent < 0 || t.MaxRemovedPercent > 100 {
		c.fail(where+".maxRemovedPercent", "want a percentage from 0 to 100, not %g", t.MaxRemovedPercent)
	}
	return *t
}
