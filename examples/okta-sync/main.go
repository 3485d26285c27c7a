// Command okta-sync runs an identity-governance sync against a fake Okta
// org (oktatest) through the restconn Okta preset, and prints what
// happened:
//
//	import  every user (active and deprovisioned) and every group with
//	        its members; a group of 1,500 members arrives in two chunks,
//	        which the sync merges by type and ID
//	joiner  CreateAccount, then AddAccess to the Engineering group
//	leaver  DisableAccount (suspend), RemoveAccess, then RemoveAccount
//	        (deactivate and delete)
//
// After each step it reads the changes back with an incremental import
// (ImportOptions.Since: Okta's lastUpdated filter) and the group's members,
// as an identity system reconciling its view would, and fails (exit status
// 1) when the org does not show what was asked for.
//
//	go run ./examples/okta-sync
package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"time"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/okta"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "okta-sync:", err)
		os.Exit(1)
	}
}

// run starts the fake org and runs the sync, writing the report to w.
func run(ctx context.Context, w io.Writer) error {
	srv := oktatest.NewServer()
	defer srv.Close()
	staff := srv.AddGroup(oktatest.Group{Name: "All Staff", Description: "Everyone on the payroll"})
	srv.AddMembers(staff.ID, srv.SeedUsers(1500)...)

	// For a real org: okta.Config{OrgURL: "https://acme.okta.com",
	// Token: os.Getenv("OKTA_API_TOKEN")}.
	eng, err := okta.New(okta.Config{OrgURL: srv.URL, Token: srv.Token}, connector.WithHTTPClient(srv.Client()))
	if err != nil {
		return err
	}
	if err := eng.Connect(ctx); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	fmt.Fprintf(w, "connected to %s\n", srv.URL)
	s := &syncer{ctx: ctx, eng: eng, w: w}

	// Import.
	fmt.Fprintln(w, "\nimport")
	if err := s.importUsers(); err != nil {
		return err
	}
	if err := s.importGroups(); err != nil {
		return err
	}

	// Joiner.
	fmt.Fprintln(w, "\njoiner")
	since := time.Now()
	res, err := s.provision(connector.Request{Op: connector.CreateAccount, Password: "Welcome-2-Okta",
		User: map[string]any{"email": "marie.curie@example.com", "firstname": "Marie", "lastname": "Curie",
			"title": "Researcher", "department": "Engineering", "employeeid": "1867"}})
	if err != nil {
		return err
	}
	id := res.AccountID
	fmt.Fprintf(w, "  created %s (%s), status %v\n", res.Attributes["login"], id, res.Attributes["status"])
	engineering := s.groups["Engineering"]
	if _, err := s.provision(connector.Request{Op: connector.AddAccess, Account: map[string]any{"id": id}, Entitlement: &engineering}); err != nil {
		return err
	}
	fmt.Fprintln(w, "  added to Engineering")
	if err := s.expect(since, id, "ACTIVE", true); err != nil {
		return err
	}
	if err := s.expectMember("Engineering", id, true); err != nil {
		return err
	}

	// Leaver.
	fmt.Fprintln(w, "\nleaver")
	since = time.Now()
	res, err = s.provision(connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": id}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  disabled: status %v\n", res.Attributes["status"])
	if err := s.expect(since, id, "SUSPENDED", false); err != nil {
		return err
	}
	if _, err := s.provision(connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": id}, Entitlement: &engineering}); err != nil {
		return err
	}
	fmt.Fprintln(w, "  removed from Engineering")
	if err := s.expectMember("Engineering", id, false); err != nil {
		return err
	}
	res, err = s.provision(connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": id}})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  removed (already gone: %v)\n", res.Attributes["alreadyGone"])
	if _, found, err := s.account(time.Time{}, id); err != nil {
		return err
	} else if found {
		return fmt.Errorf("leaver: %s is still listed after RemoveAccount", id)
	}
	fmt.Fprintln(w, "  check: no longer listed")
	fmt.Fprintln(w, "\nsync completed")
	return nil
}

// syncer holds what the steps share.
type syncer struct {
	ctx    context.Context
	eng    *connector.Engine
	w      io.Writer
	groups map[string]connector.Entitlement // by name, members merged
}

func (s *syncer) provision(req connector.Request) (connector.Result, error) {
	res, err := s.eng.Provision(s.ctx, req)
	if err != nil {
		return res, fmt.Errorf("%s: %w", req.Op, err)
	}
	return res, nil
}

func (s *syncer) importUsers() error {
	total, active := 0, 0
	statuses := map[string]int{}
	for acct, err := range s.eng.ImportAccounts(s.ctx, connector.ImportOptions{}) {
		if err != nil {
			return fmt.Errorf("import users: %w", err)
		}
		total++
		if acct.Active {
			active++
		}
		statuses[acct.Attributes["status"].(string)]++
	}
	fmt.Fprintf(s.w, "  %d users, %d active; %d DEPROVISIONED (from the second source), %d SUSPENDED, %d STAGED\n",
		total, active, statuses["DEPROVISIONED"], statuses["SUSPENDED"], statuses["STAGED"])
	return nil
}

// importGroups reads every group with its members, merging the chunks of a
// large group by type and ID as the Entitlement contract asks.
func (s *syncer) importGroups() error {
	groups, chunks, err := s.readGroups()
	if err != nil {
		return err
	}
	s.groups = groups
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		g := groups[name]
		fmt.Fprintf(s.w, "  group %-24s %-10v %5d members in %d chunk(s)\n", name, g.Attributes["type"], len(g.Members), chunks[g.ID])
	}
	return nil
}

func (s *syncer) readGroups() (map[string]connector.Entitlement, map[string]int, error) {
	groups := map[string]connector.Entitlement{}
	byID := map[string]string{}
	chunks := map[string]int{}
	for ent, err := range s.eng.ImportAccess(s.ctx, connector.ImportOptions{Types: []string{"group"}}) {
		if err != nil {
			return nil, nil, fmt.Errorf("import groups: %w", err)
		}
		chunks[ent.ID]++
		if name, ok := byID[ent.ID]; ok { // the next chunk of a group
			g := groups[name]
			g.Members = append(g.Members, ent.Members...)
			groups[name] = g
			continue
		}
		byID[ent.ID] = ent.Name
		groups[ent.Name] = ent
	}
	return groups, chunks, nil
}

// account finds one account by ID, with an incremental import since since
// (a full one when since is zero).
func (s *syncer) account(since time.Time, id string) (connector.Account, bool, error) {
	for acct, err := range s.eng.ImportAccounts(s.ctx, connector.ImportOptions{Since: since}) {
		if err != nil {
			return connector.Account{}, false, fmt.Errorf("import users: %w", err)
		}
		if acct.ID == id {
			return acct, true, nil
		}
	}
	return connector.Account{}, false, nil
}

// expect reads the changes since since and checks the account's status.
func (s *syncer) expect(since time.Time, id, status string, active bool) error {
	acct, found, err := s.account(since.Add(-time.Second), id)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%s is not among the users changed since %s", id, since.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(s.w, "  check: %s status=%v active=%v title=%v (incremental import)\n", acct.Name, acct.Attributes["status"], acct.Active, acct.Attributes["title"])
	if acct.Attributes["status"] != status || acct.Active != active {
		return fmt.Errorf("%s: status %v, active %v; want %s, %v", acct.Name, acct.Attributes["status"], acct.Active, status, active)
	}
	return nil
}

// expectMember reads the group's members and checks whether id is one.
func (s *syncer) expectMember(group, id string, member bool) error {
	groups, _, err := s.readGroups()
	if err != nil {
		return err
	}
	got := slices.Contains(groups[group].Members, id)
	fmt.Fprintf(s.w, "  check: member of %s=%v (%d members)\n", group, got, len(groups[group].Members))
	if got != member {
		return fmt.Errorf("%s: member of %s is %v, want %v", id, group, got, member)
	}
	return nil
}
