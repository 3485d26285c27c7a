// Command genesys-jml runs a joiner-mover-leaver flow against a fake
// Genesys Cloud organisation (genesystest) through the restconn Genesys
// preset, and prints what happened:
//
//	joiner  CreateAccount, then AddAccess to the Support group
//	mover   UpdateAccount (title, department), RemoveAccess from Support,
//	        AddAccess to Sales and to the Supervisor role
//	leaver  DisableAccount, then RemoveAccount
//
// After each step it reads the user back through ImportAccounts, as an
// identity system reconciling its view would, and fails (exit status 1)
// when the target does not show what was asked for.
//
//	go run ./examples/genesys-jml
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys"
	"github.com/restconn/restconn/providers/genesys/genesystest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "genesys-jml:", err)
		os.Exit(1)
	}
}

// run starts the fake organisation and runs the flow, writing the report
// to w.
func run(ctx context.Context, w io.Writer) error {
	srv := genesystest.NewServer()
	defer srv.Close()

	// For a real organisation: genesys.Config{Region: "mypurecloud.ie",
	// ClientID: ..., ClientSecret: ...}.
	eng, err := genesys.New(genesys.Config{
		APIBaseURL:   srv.APIURL,
		LoginBaseURL: srv.LoginURL,
		ClientID:     srv.ClientID,
		ClientSecret: srv.ClientSecret,
	})
	if err != nil {
		return err
	}
	f := &flow{ctx: ctx, eng: eng, w: w}
	if err := eng.Connect(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	fmt.Fprintf(w, "connected to %s\n", srv.APIURL)
	if err := f.loadGroups(); err != nil {
		return err
	}

	// Joiner.
	fmt.Fprintln(w, "\njoiner")
	res, err := f.provision(connector.Request{Op: connector.CreateAccount, User: map[string]any{
		"email":      "marie.curie@example.com",
		"firstname":  "Marie",
		"lastname":   "Curie",
		"title":      "Agent",
		"department": "Support",
		"employeeid": "2001",
		"phone":      "+33123456789",
	}})
	if err != nil {
		return err
	}
	id := res.AccountID
	fmt.Fprintf(w, "  created %s (adopted: %v)\n", id, res.Attributes["adopted"])
	if err := f.access(connector.AddAccess, id, "group", "Support"); err != nil {
		return err
	}
	if err := f.expect(id, true, "Agent", "Support", []string{"Support"}, []string{}); err != nil {
		return err
	}

	// Mover.
	fmt.Fprintln(w, "\nmover")
	res, err = f.provision(connector.Request{Op: connector.UpdateAccount, Account: map[string]any{
		"id": id, "title": "Team Lead", "department": "Sales",
	}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  updated title and department (version %v)\n", res.Attributes["version"])
	if err := f.access(connector.RemoveAccess, id, "group", "Support"); err != nil {
		return err
	}
	if err := f.access(connector.AddAccess, id, "group", "Sales"); err != nil {
		return err
	}
	if err := f.access(connector.AddAccess, id, "role", "Supervisor"); err != nil {
		return err
	}
	if err := f.expect(id, true, "Team Lead", "Sales", []string{"Sales"}, []string{"Supervisor"}); err != nil {
		return err
	}

	// Leaver.
	fmt.Fprintln(w, "\nleaver")
	if _, err := f.provision(connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": id}}); err != nil {
		return err
	}
	fmt.Fprintln(w, "  disabled")
	if err := f.expect(id, false, "Team Lead", "Sales", []string{"Sales"}, []string{"Supervisor"}); err != nil {
		return err
	}
	if _, err := f.provision(connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": id}}); err != nil {
		return err
	}
	fmt.Fprintln(w, "  removed")
	if _, found, err := f.account(id); err != nil {
		return err
	} else if found {
		return fmt.Errorf("leaver: %s is still listed after RemoveAccount", id)
	}
	fmt.Fprintln(w, "  check: no longer listed")
	fmt.Fprintln(w, "\nJML flow completed")
	return nil
}

// flow holds what the steps share.
type flow struct {
	ctx    context.Context
	eng    *connector.Engine
	w      io.Writer
	groups map[string]string // group name -> ID
	names  map[string]string // group ID -> name
}

func (f *flow) provision(req connector.Request) (connector.Result, error) {
	res, err := f.eng.Provision(f.ctx, req)
	if err != nil {
		return res, fmt.Errorf("%s: %w", req.Op, err)
	}
	return res, nil
}

// loadGroups reads the organisation's groups, to address them by name.
func (f *flow) loadGroups() error {
	f.groups, f.names = map[string]string{}, map[string]string{}
	for ent, err := range f.eng.ImportAccess(f.ctx, connector.ImportOptions{Types: []string{"group"}}) {
		if err != nil {
			return fmt.Errorf("import groups: %w", err)
		}
		f.groups[ent.Name] = ent.ID
		f.names[ent.ID] = ent.Name
	}
	fmt.Fprintf(f.w, "groups: %s\n", strings.Join(sortedKeys(f.groups), ", "))
	return nil
}

// access grants or revokes a group (by name) or a role.
func (f *flow) access(op connector.Operation, accountID, typ, name string) error {
	ent := &connector.Entitlement{Type: typ, ID: name, Name: name}
	if typ == "group" {
		id, ok := f.groups[name]
		if !ok {
			return fmt.Errorf("%s: no group %q", op, name)
		}
		ent.ID = id
	}
	if _, err := f.provision(connector.Request{Op: op, Account: map[string]any{"id": accountID}, Entitlement: ent}); err != nil {
		return err
	}
	verb := map[connector.Operation]string{connector.AddAccess: "granted", connector.RemoveAccess: "revoked"}[op]
	fmt.Fprintf(f.w, "  %s %s %s\n", verb, typ, name)
	return nil
}

// account finds one account by ID through a full import.
func (f *flow) account(id string) (connector.Account, bool, error) {
	for acct, err := range f.eng.ImportAccounts(f.ctx, connector.ImportOptions{}) {
		if err != nil {
			return connector.Account{}, false, fmt.Errorf("import accounts: %w", err)
		}
		if acct.ID == id {
			return acct, true, nil
		}
	}
	return connector.Account{}, false, nil
}

// expect reads the account back and compares it with what the flow asked
// for.
func (f *flow) expect(id string, active bool, title, department string, groups, roles []string) error {
	acct, found, err := f.account(id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("account %s is not listed", id)
	}
	var gotGroups []string
	for _, g := range acct.Entitlements["group"] {
		gotGroups = append(gotGroups, f.names[g])
	}
	// Genesys gives new users the employee role; report the others.
	gotRoles := slices.DeleteFunc(slices.Clone(acct.Entitlements["role"]), func(r string) bool { return r == "employee" })
	slices.Sort(gotGroups)
	slices.Sort(gotRoles)
	fmt.Fprintf(f.w, "  check: %s active=%v title=%q department=%q groups=%v roles=%v\n",
		acct.Name, acct.Active, acct.Attributes["title"], acct.Attributes["department"], gotGroups, gotRoles)
	switch {
	case acct.Active != active:
		return fmt.Errorf("%s: active is %v, want %v", acct.Name, acct.Active, active)
	case acct.Attributes["title"] != title:
		return fmt.Errorf("%s: title is %v, want %q", acct.Name, acct.Attributes["title"], title)
	case acct.Attributes["department"] != department:
		return fmt.Errorf("%s: department is %v, want %q", acct.Name, acct.Attributes["department"], department)
	case !slices.Equal(gotGroups, groups):
		return fmt.Errorf("%s: groups are %v, want %v", acct.Name, gotGroups, groups)
	case !slices.Equal(gotRoles, roles):
		return fmt.Errorf("%s: roles are %v, want %v", acct.Name, gotRoles, roles)
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
