package otrs_test

import (
	"context"
	"fmt"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/otrs"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

func Example() {
	srv := otrstest.NewServer() // a fake Znuny; use your own web service URL
	defer srv.Close()

	desk, err := otrs.New(otrs.Config{
		BaseURL:   srv.URL, // https://desk.example.com/otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST
		UserLogin: "restconn",
		Password:  "otrstest-password",
		Queue:     "Misc",
	})
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	res, err := desk.Provision(ctx, connector.Request{
		Op:          connector.AddAccess,
		Account:     map[string]any{"id": "u-17", "name": "alee"},
		Entitlement: &connector.Entitlement{Type: "group", ID: "g-9", Name: "Finance approvers"},
		Task:        map[string]any{"id": "REQ-42", "requestor": "jane.doe@example.com"},
	})
	if err != nil {
		panic(err)
	}
	filed, _ := srv.Ticket(res.Ticket.ID)
	fmt.Printf("filed %q in %s for %s: %s\n", filed.Title, filed.Queue, filed.CustomerUser, res.Ticket.State)

	// An agent does the work and closes the ticket.
	_ = srv.CloseTicket(res.Ticket.ID, "closed successful")
	tk, err := desk.TicketStatus(ctx, res.Ticket.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(tk.Status, "->", tk.State, tk.State.Final())
	// Output:
	// filed "Grant group \"Finance approvers\" for alee" in Misc for jane.doe: pending
	// closed successful -> completed true
}
