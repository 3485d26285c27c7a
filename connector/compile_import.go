package connector

import (
	"fmt"
	"maps"
	"slices"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/record"
)

func (c *compiler) record(where string, id binding.Field, name *binding.Field, attrs map[string]binding.Field, detail *Call, detailRecord string, out *compiled) compiledRecord {
	r := compiledRecord{}
	if id.Path == "" {
		c.fail(where+".id", "missing: the path of the record's ID")
	}
	// IDs and names are text: a numeric ID keeps every digit.
	if id.Type == binding.Auto {
		id.Type = binding.String
	}
	r.id = c.field(where+".id", id)
	if name != nil {
		nf := *name
		if nf.Type == binding.Auto {
			nf.Type = binding.String
		}
		n := c.field(where+".name", nf)
		r.name = &n
	}
	m, err := record.Compile(attrs)
	if err != nil {
		c.fail(where+".attributes", "%v", err)
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
	return r
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
		out.accounts = c.accountImport("import.accounts", im.Accounts, out)
	}
	for _, typ := range slices.Sorted(maps.Keys(im.Entitlements)) {
		out.ents[typ] = c.entitlementImport(typ, im.Entitlements[typ], out)
		out.entTypes = append(out.entTypes, typ)
	}
}

func (c *compiler) accountImport(p string, a *AccountImport, out *compiled) *compiledAccounts {
	if len(a.Sources) == 0 {
		c.fail(p+".sources", "missing: at least one list call")
	}
	ca := &compiledAccounts{
		compiledRecord: c.record(p, a.ID, a.Name, a.Attributes, a.Detail, a.DetailRecord, out),
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
	return ca
}

func (c *compiler) entitlementImport(typ string, e *EntitlementImport, out *compiled) *compiledEnts {
	p := join("import.entitlements", typ)
	if e == nil {
		c.fail(p, "missing value")
	}
	ce := &compiledEnts{typ: typ, fromAccounts: e.FromAccounts}
	switch {
	case e.FromAccounts && len(e.Sources) > 0:
		c.fail(p, "give sources or fromAccounts, not both")
	case e.FromAccounts:
		if out.accounts == nil || !out.accounts.lists(typ) {
			c.fail(p+".fromAccounts", "needs import.accounts.entitlements.%s", typ)
		}
		if e.Detail != nil || len(e.Attributes) > 0 || e.Members != "" {
			c.fail(p, "entitlements derived from accounts take no detail, attributes or members")
		}
	default:
		if len(e.Sources) == 0 {
			c.fail(p+".sources", "missing: at least one list call, or fromAccounts")
		}
		ce.compiledRecord = c.record(p, e.ID, e.Name, e.Attributes, e.Detail, e.DetailRecord, out)
		ce.sources = c.sources(p+".sources", e.Sources, out)
		if e.Members != "" {
			ce.members = c.path(p+".members", e.Members)
		}
	}
	return ce
}
