package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/restconn/restconn/connector"
)

// specInfo describes what a spec defines, for validate and presets. Its
// JSON form is the --json output of those commands.
type specInfo struct {
	Name         string       `json:"name"`
	Description  string       `json:"description,omitempty"`
	Params       []paramInfo  `json:"params"`
	Secrets      []secretInfo `json:"secrets"`
	Auth         []authInfo   `json:"auth,omitempty"`
	Connect      []string     `json:"connect,omitempty"` // call names
	Accounts     *importInfo  `json:"accounts,omitempty"`
	Entitlements []entInfo    `json:"entitlements,omitempty"`
	Operations   []opInfo     `json:"operations,omitempty"`
	Tickets      *ticketInfo  `json:"tickets,omitempty"`
}

type paramInfo struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Default     any    `json:"default,omitempty"`
	Required    bool   `json:"required"`
}

type secretInfo struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required"`
	Env         string `json:"env"` // the environment variable the command reads
}

type authInfo struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Default bool   `json:"default"`
}

// listInfo is one list call of an import.
type listInfo struct {
	Call   string `json:"call"`
	Paging string `json:"paging"` // the paging type, or "none"
}

type importInfo struct {
	Sources          []listInfo           `json:"sources"`
	Incremental      []listInfo           `json:"incremental,omitempty"`      // what --since uses
	Detail           string               `json:"detail,omitempty"`           // the detail call, fetched per record; it replaces the record
	Details          []string             `json:"details,omitempty"`          // merged detail calls per record, bound as .detail.<name>
	EntitlementsFrom []subListInfo        `json:"entitlementsFrom,omitempty"` // an account's entitlements of a type, a call per account
	Threshold        *connector.Threshold `json:"threshold,omitempty"`        // reconcile's default removal limits
}

// subListInfo is a list call made once per record of an import.
type subListInfo struct {
	Type string `json:"type,omitempty"` // the entitlement type it lists (entitlementsFrom)
	listInfo
}

type entInfo struct {
	Type         string               `json:"type"`
	Sources      []listInfo           `json:"sources,omitempty"`
	FromAccounts bool                 `json:"fromAccounts,omitempty"`
	Detail       string               `json:"detail,omitempty"`
	Details      []string             `json:"details,omitempty"`
	Members      bool                 `json:"members"`                // records list their members
	MembersFrom  *listInfo            `json:"membersFrom,omitempty"`  // members listed by a call per entitlement
	MembersChunk int                  `json:"membersChunk,omitempty"` // members per JSON line with membersFrom
	Threshold    *connector.Threshold `json:"threshold,omitempty"`
}

type opInfo struct {
	Op     string       `json:"op"`
	Calls  []string     `json:"calls,omitempty"`
	Ticket bool         `json:"ticket,omitempty"`
	Types  []opTypeInfo `json:"types,omitempty"` // per entitlement type (addAccess, removeAccess)
}

type opTypeInfo struct {
	Type   string   `json:"type"`
	Calls  []string `json:"calls,omitempty"`
	Ticket bool     `json:"ticket,omitempty"`
}

type ticketInfo struct {
	Create  []string `json:"create,omitempty"`
	Status  []string `json:"status,omitempty"`
	Comment []string `json:"comment,omitempty"`
	Cancel  []string `json:"cancel,omitempty"`
}

// describe reads a spec into a specInfo. Call names are those the engine
// uses in errors and traces: unnamed calls are "call<i>" in chains, "list"
// in imports and "detail" for detail calls.
func describe(spec *connector.Spec) specInfo {
	info := specInfo{Name: spec.Name, Description: spec.Description, Params: []paramInfo{}, Secrets: []secretInfo{}}
	for _, name := range slices.Sorted(maps.Keys(spec.Params)) {
		p := spec.Params[name]
		info.Params = append(info.Params, paramInfo{Name: name, Description: p.Description, Default: p.Default, Required: p.Required})
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Secrets)) {
		s := spec.Secrets[name]
		info.Secrets = append(info.Secrets, secretInfo{Name: name, Description: s.Description, Required: s.Required, Env: secretEnv(name)})
	}
	conn := spec.Connection
	for _, name := range slices.Sorted(maps.Keys(conn.Auth)) {
		isDefault := conn.DefaultAuth == name || (conn.DefaultAuth == "" && len(conn.Auth) == 1)
		info.Auth = append(info.Auth, authInfo{Name: name, Type: conn.Auth[name].Type, Default: isDefault})
	}
	if spec.Connect != nil {
		info.Connect = chainNames(spec.Connect.Calls)
	}
	if im := spec.Import; im != nil {
		if a := im.Accounts; a != nil {
			info.Accounts = &importInfo{Sources: lists(a.Sources), Incremental: lists(a.Incremental), Details: callNames(a.Details), Threshold: a.Threshold}
			if a.Detail != nil {
				info.Accounts.Detail = cmp.Or(a.Detail.Name, "detail")
			}
			for _, typ := range slices.Sorted(maps.Keys(a.EntitlementsFrom)) {
				info.Accounts.EntitlementsFrom = append(info.Accounts.EntitlementsFrom, subListInfo{Type: typ, listInfo: subList(a.EntitlementsFrom[typ], "entitlementsFrom")})
			}
		}
		for _, typ := range slices.Sorted(maps.Keys(im.Entitlements)) {
			e := im.Entitlements[typ]
			ei := entInfo{Type: typ, Sources: lists(e.Sources), FromAccounts: e.FromAccounts, Details: callNames(e.Details),
				Members: e.Members != "" || e.FromAccounts || e.MembersFrom != nil, Threshold: e.Threshold}
			if e.Detail != nil {
				ei.Detail = cmp.Or(e.Detail.Name, "detail")
			}
			if e.MembersFrom != nil {
				mf := subList(e.MembersFrom, "membersFrom")
				ei.MembersFrom = &mf
				ei.MembersChunk = cmp.Or(e.MembersChunk, connector.DefaultMembersChunk)
			}
			info.Entitlements = append(info.Entitlements, ei)
		}
	}
	for _, op := range connector.Operations {
		o, ok := spec.Provision[op]
		if !ok || o == nil {
			continue
		}
		oi := opInfo{Op: string(op), Calls: chainNames(o.Calls), Ticket: o.Ticket != nil}
		for _, typ := range slices.Sorted(maps.Keys(o.Types)) {
			t := o.Types[typ]
			oi.Types = append(oi.Types, opTypeInfo{Type: typ, Calls: chainNames(t.Calls), Ticket: t.Ticket != nil})
		}
		info.Operations = append(info.Operations, oi)
	}
	if t := spec.Tickets; t != nil {
		info.Tickets = &ticketInfo{}
		if t.Create != nil {
			info.Tickets.Create = chainNames(t.Create.Calls)
		}
		if t.Status != nil {
			info.Tickets.Status = chainNames(t.Status.Calls)
		}
		if t.Comment != nil {
			info.Tickets.Comment = chainNames(t.Comment.Calls)
		}
		if t.Cancel != nil {
			info.Tickets.Cancel = chainNames(t.Cancel.Calls)
		}
	}
	return info
}

// callNames are the names of merged detail calls (which must have one).
func callNames(calls []*connector.Call) []string {
	var names []string
	for _, c := range calls {
		names = append(names, c.Name)
	}
	return names
}

func subList(s *connector.SubList, defaultName string) listInfo {
	return listOf(s.Name, defaultName, s.Paging)
}

// listOf describes a list call: its name (or the engine's for an unnamed
// one) and its paging type.
func listOf(name, defaultName string, p *connector.Paging) listInfo {
	li := listInfo{Call: cmp.Or(name, defaultName), Paging: "none"}
	if p != nil {
		li.Paging = p.Type
	}
	return li
}

func chainNames(calls []*connector.Call) []string {
	var names []string
	for i, c := range calls {
		names = append(names, cmp.Or(c.Name, fmt.Sprintf("call%d", i)))
	}
	return names
}

func lists(ls []*connector.ListCall) []listInfo {
	var out []listInfo
	for _, l := range ls {
		out = append(out, listOf(l.Name, "list", l.Paging))
	}
	return out
}

// writeText prints the description for people.
func (info specInfo) writeText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n", info.Name)
	if info.Description != "" {
		fmt.Fprintf(tw, "%s\n", wrap(info.Description, 78, ""))
	}
	info.writeValues(tw, "", "  ")
	if len(info.Auth) > 0 {
		fmt.Fprintf(tw, "\nAuth blocks (--auth NAME picks another default):\n")
		for _, a := range info.Auth {
			fmt.Fprintf(tw, "  %s\t%s", a.Name, a.Type)
			if a.Default {
				fmt.Fprint(tw, "\tdefault")
			}
			fmt.Fprintln(tw)
		}
	}
	if len(info.Connect) > 0 {
		fmt.Fprintf(tw, "\nConnect:\n  calls\t%s\n", strings.Join(info.Connect, ", "))
	}
	if info.Accounts != nil || len(info.Entitlements) > 0 {
		fmt.Fprintf(tw, "\nImport:\n")
		if a := info.Accounts; a != nil {
			fmt.Fprintf(tw, "  accounts\t%s%s\n", listText(a.Sources), detailText(a.Detail, a.Details, "account"))
			if len(a.Incremental) > 0 {
				fmt.Fprintf(tw, "  accounts --since\t%s\n", listText(a.Incremental))
			} else {
				fmt.Fprintf(tw, "  accounts --since\tnot supported\n")
			}
			for _, ef := range a.EntitlementsFrom {
				fmt.Fprintf(tw, "  accounts' %s entitlements\tcall %s per account\n", ef.Type, pagedText(ef.listInfo))
			}
			if t := thresholdText(a.Threshold); t != "" {
				fmt.Fprintf(tw, "  reconcile accounts\t%s\n", t)
			}
		}
		for _, e := range info.Entitlements {
			src := listText(e.Sources)
			if e.FromAccounts {
				src = "from the account records"
			}
			members := ""
			switch {
			case e.MembersFrom != nil:
				members = fmt.Sprintf(", with members from call %s per %s (%d per JSON line)", pagedText(*e.MembersFrom), e.Type, e.MembersChunk)
			case e.Members:
				members = ", with members"
			}
			fmt.Fprintf(tw, "  access type %s\t%s%s%s\n", e.Type, src, detailText(e.Detail, e.Details, e.Type), members)
			if t := thresholdText(e.Threshold); t != "" {
				fmt.Fprintf(tw, "  reconcile access type %s\t%s\n", e.Type, t)
			}
		}
	}
	if len(info.Operations) > 0 {
		fmt.Fprintf(tw, "\nOperations:\n")
		for _, o := range info.Operations {
			if how := opText(o.Calls, o.Ticket); how != "" {
				fmt.Fprintf(tw, "  %s\t%s\n", o.Op, how)
			}
			for _, t := range o.Types {
				fmt.Fprintf(tw, "  %s type %s\t%s\n", o.Op, t.Type, opText(t.Calls, t.Ticket))
			}
		}
	}
	if t := info.Tickets; t != nil {
		fmt.Fprintf(tw, "\nTickets:\n")
		if len(t.Create) > 0 {
			fmt.Fprintf(tw, "  create\tcalls %s\n", strings.Join(t.Create, ", "))
		}
		if len(t.Status) > 0 {
			fmt.Fprintf(tw, "  status\tcalls %s\n", strings.Join(t.Status, ", "))
		}
		if len(t.Comment) > 0 {
			fmt.Fprintf(tw, "  comment\tcalls %s\n", strings.Join(t.Comment, ", "))
		}
		if len(t.Cancel) > 0 {
			fmt.Fprintf(tw, "  cancel\tcalls %s\n", strings.Join(t.Cancel, ", "))
		}
	}
	return tw.Flush()
}

// writeValues prints the params and secrets, and how to give them.
func (info specInfo) writeValues(tw io.Writer, head, indent string) {
	if len(info.Params) > 0 {
		fmt.Fprintf(tw, "\n%sParams (--param NAME=VALUE):\n", head)
		for _, p := range info.Params {
			fmt.Fprintf(tw, "%s%s\t%s\t%s\n", indent, p.Name, paramState(p), p.Description)
		}
	}
	if len(info.Secrets) > 0 {
		fmt.Fprintf(tw, "\n%sSecrets (environment variable, or --secrets-file):\n", head)
		for _, s := range info.Secrets {
			state := "optional"
			if s.Required {
				state = "required"
			}
			fmt.Fprintf(tw, "%s%s\t%s %s\t%s\n", indent, s.Name, state, s.Env, s.Description)
		}
	}
}

func paramState(p paramInfo) string {
	switch {
	case p.Required:
		return "required"
	case p.Default != nil && p.Default != "":
		b, _ := json.Marshal(p.Default)
		return "default " + string(b)
	}
	return "optional"
}

func listText(ls []listInfo) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, pagedText(l))
	}
	return "calls " + strings.Join(parts, ", ")
}

// pagedText is a list call and its paging.
func pagedText(l listInfo) string {
	paging := "not paged"
	if l.Paging != "none" {
		paging = l.Paging + " paging"
	}
	return fmt.Sprintf("%s (%s)", l.Call, paging)
}

// detailText describes the detail calls made per record (per what).
func detailText(detail string, details []string, what string) string {
	var out string
	if detail != "" {
		out = ", detail call " + detail + " per " + what
	}
	if len(details) > 0 {
		out += ", detail calls " + strings.Join(details, ", ") + " per " + what
	}
	return out
}

// thresholdText describes reconcile's default removal limits.
func thresholdText(t *connector.Threshold) string {
	if t == nil {
		return ""
	}
	var parts []string
	if t.MaxRemoved > 0 {
		parts = append(parts, fmt.Sprintf("more than %d removals", t.MaxRemoved))
	}
	if t.MaxRemovedPercent > 0 {
		parts = append(parts, fmt.Sprintf("more than %g%% of the known IDs", t.MaxRemovedPercent))
	}
	if len(parts) == 0 {
		return ""
	}
	return "refuses " + strings.Join(parts, ", or ")
}

func opText(calls []string, ticket bool) string {
	switch {
	case ticket:
		return "files a ticket"
	case len(calls) > 0:
		return "calls " + strings.Join(calls, ", ")
	}
	return ""
}

// wrap breaks s into lines of at most width runes, each after the first
// starting with indent.
func wrap(s string, width int, indent string) string {
	var b strings.Builder
	n := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && n+1+len(word) > width {
			b.WriteString("\n" + indent)
			n = len(indent)
		} else if i > 0 {
			b.WriteByte(' ')
			n++
		}
		b.WriteString(word)
		n += len(word)
	}
	return b.String()
}
