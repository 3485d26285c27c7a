// Command quickstart shows restconn end to end with the Intercom preset.
//
// Without arguments it runs offline against intercomtest, a fake Intercom
// started in-process: it imports teammates and teams, files an access
// request as an Intercom ticket, resolves the ticket on the fake as a
// workspace owner would, and polls it until it is completed.
//
//	go run ./examples/quickstart
//
// With INTERCOM_TOKEN set it runs the read-only part (connect and import)
// against the real API instead; INTERCOM_BASE_URL selects a region
// (default https://api.intercom.io).
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/intercom"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var err error
	if tok := os.Getenv("INTERCOM_TOKEN"); tok != "" {
		err = live(ctx, os.Stdout, intercom.Config{Token: tok, BaseURL: os.Getenv("INTERCOM_BASE_URL")})
	} else {
		err = offline(ctx, os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// offline runs the whole flow against the fake.
func offline(ctx context.Context, w io.Writer) error {
	srv := intercomtest.NewServer()
	defer srv.Close()
	fmt.Fprintf(w, "Fake Intercom at %s (no network, no credentials needed)\n\n", srv.URL)

	eng, err := intercom.New(intercom.Config{
		Token:        srv.Token,
		BaseURL:      srv.URL,
		TicketTypeID: "1", // the fake's "Access request" ticket type
	}, connector.WithHTTPClient(srv.Client()))
	if err != nil {
		return err
	}
	accounts, teams, err := importAll(ctx, w, eng)
	if err != nil {
		return err
	}

	// An access request: add the first teammate to a team they are not in.
	acct, team := accounts[0], pickTeam(accounts[0], teams)
	req := connector.Request{
		Op:          connector.AddAccess,
		Account:     map[string]any{"id": acct.ID, "name": acct.Name, "email": acct.Attributes["email"]},
		Entitlement: &team,
		Task:        map[string]any{"id": "REQ-1001", "requestor": "it-manager@example.com", "comments": "Covering the night shift"},
	}
	res, err := eng.Provision(ctx, req)
	if err != nil {
		return err
	}
	tk := res.Ticket
	filed, _ := srv.Ticket(tk.ID)
	fmt.Fprintf(w, "\nAccess request %s filed as Intercom ticket %s (#%s): %q, state %s\n", req.Task["id"], tk.ID, tk.Number, filed.Title, tk.State)

	// A workspace owner works the ticket; restconn polls it.
	for _, state := range []string{"in_progress", "resolved"} {
		if err := srv.SetTicketState(tk.ID, state); err != nil {
			return err
		}
		got, err := eng.TicketStatus(ctx, tk.ID)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  owner moved it to %-12s -> restconn sees %s\n", state, got.State)
		if got.State.Final() {
			fmt.Fprintf(w, "\nDone: request %s is %s.\n", req.Task["id"], got.State)
			return nil
		}
	}
	return fmt.Errorf("ticket %s never completed", tk.ID)
}

// live imports from the real API, read-only.
func live(ctx context.Context, w io.Writer, cfg intercom.Config) error {
	eng, err := intercom.New(cfg)
	if err != nil {
		return err
	}
	if err := eng.Connect(ctx); err != nil {
		return err
	}
	_, _, err = importAll(ctx, w, eng)
	return err
}

func importAll(ctx context.Context, w io.Writer, eng *connector.Engine) ([]connector.Account, []connector.Entitlement, error) {
	var accounts []connector.Account
	for a, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
		if err != nil {
			return nil, nil, err
		}
		accounts = append(accounts, a)
	}
	var teams []connector.Entitlement
	for t, err := range eng.ImportAccess(ctx, connector.ImportOptions{}) {
		if err != nil {
			return nil, nil, err
		}
		teams = append(teams, t)
	}
	names := map[string]string{}
	for _, t := range teams {
		names[t.ID] = t.Name
	}
	fmt.Fprintf(w, "Imported %d teammates:\n", len(accounts))
	for _, a := range accounts {
		var in []string
		for _, id := range a.Entitlements["team"] {
			in = append(in, names[id])
		}
		away := ""
		if a.Attributes["away_mode_enabled"] == true {
			away = " (away)"
		}
		fmt.Fprintf(w, "  %-10s %-22s %-28s teams: %s%s\n", a.ID, a.Name, a.Attributes["email"], orNone(in), away)
	}
	fmt.Fprintf(w, "Imported %d teams:\n", len(teams))
	for _, t := range teams {
		fmt.Fprintf(w, "  %-10s %-22s %d members\n", t.ID, t.Name, len(t.Members))
	}
	return accounts, teams, nil
}

func pickTeam(a connector.Account, teams []connector.Entitlement) connector.Entitlement {
	for _, t := range teams {
		member := false
		for _, id := range a.Entitlements["team"] {
			member = member || id == t.ID
		}
		if !member {
			return t
		}
	}
	return teams[0]
}

func orNone(l []string) string {
	if len(l) == 0 {
		return "none"
	}
	return strings.Join(l, ", ")
}
