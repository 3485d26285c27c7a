// Command otrs-ticket fulfils an access request through an OTRS/Znuny
// ticket with the otrs preset: it starts the otrstest fake, files a ticket
// for the request, adds the approval as a comment, lets a simulated agent
// close it, and waits for the ticket with connector.AwaitTicket until it is
// done.
//
//	go run ./examples/otrs-ticket
//
// Against a real system, replace the fake's URL and credentials with your
// web service's (…/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST)
// and an agent's login.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/otrs"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "otrs-ticket:", err)
		os.Exit(1)
	}
}

// pollInterval is how often the ticket is polled; a real deployment polls
// every few minutes.
const pollInterval = 20 * time.Millisecond

func run(ctx context.Context, w io.Writer) error {
	srv := otrstest.NewServer()
	defer srv.Close()

	desk, err := otrs.New(otrs.Config{
		BaseURL:   srv.URL,
		UserLogin: otrstest.DefaultAgentLogin,
		Password:  otrstest.DefaultAgentPassword,
	})
	if err != nil {
		return err
	}
	if err := desk.Connect(ctx); err != nil {
		return err
	}

	req := connector.Request{
		Op:          connector.AddAccess,
		User:        map[string]any{"email": "ann.lee@example.com"},
		Account:     map[string]any{"id": "u-17", "name": "alee"},
		Entitlement: &connector.Entitlement{Type: "group", ID: "g-9", Name: "Finance approvers"},
		Task:        map[string]any{"id": "REQ-42", "requestor": "jane.doe@example.com", "comments": "quarter-end close"},
	}
	res, err := desk.Provision(ctx, req)
	if err != nil {
		return err
	}
	tk := *res.Ticket
	filed, _ := srv.Ticket(tk.ID)
	fmt.Fprintf(w, "request %v: %s %s %q for %s\n", req.Task["id"], req.Op, req.Entitlement.Type, req.Entitlement.Name, req.Account["name"])
	fmt.Fprintf(w, "filed ticket %s (TicketID %s) in queue %s for customer user %s\n", tk.Number, tk.ID, filed.Queue, filed.CustomerUser)
	fmt.Fprintf(w, "  title: %s\n", filed.Title)

	// The approval goes into the ticket as an article, for the agent.
	if err := desk.CommentTicket(ctx, tk.ID, "Approved by jane.doe (line manager) for request REQ-42."); err != nil {
		return err
	}

	// The agent works the ticket in the web UI: opened, then closed.
	agent := make(chan error, 1)
	go func() {
		time.Sleep(3 * pollInterval)
		agent <- srv.CloseTicket(tk.ID, "closed successful")
	}()

	final, err := poll(ctx, w, desk, tk)
	if err != nil {
		return err
	}
	if err := <-agent; err != nil {
		return err
	}
	fmt.Fprintf(w, "done: request %v is %s (ticket %s %q)\n", req.Task["id"], final.State, final.Number, final.Status)
	return nil
}

// poll waits until the ticket's state is final, reporting each change of
// state. A real deployment keeps AwaitTicket's default waits (30s growing
// to 15m) and bounds the wait with ctx.
func poll(ctx context.Context, w io.Writer, c connector.Connector, tk connector.Ticket) (connector.Ticket, error) {
	fmt.Fprintf(w, "  %-9s (just filed)\n", tk.State)
	last := tk.State
	return connector.AwaitTicket(ctx, c, tk.ID, connector.AwaitOptions{
		Interval:    pollInterval,
		MaxInterval: 2 * pollInterval,
		OnChange: func(cur connector.Ticket) {
			if cur.State != last {
				fmt.Fprintf(w, "  %-9s (OTRS state %q)\n", cur.State, cur.Status)
				last = cur.State
			}
		},
	})
}
