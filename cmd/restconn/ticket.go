package main

import (
	"github.com/spf13/cobra"
)

func (a *app) ticketCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ticket status ID",
		Short: "Work with tickets filed by provision",
		Long: `Ticket works with the tickets a spec files for operations that people carry
out (the spec's "tickets" section).`,
		RunE: groupRunE("status"),
	}
	cmd.AddCommand(a.ticketStatusCmd())
	return cmd
}

func (a *app) ticketStatusCmd() *cobra.Command {
	var tf *targetFlags
	cmd := &cobra.Command{
		Use:   "status ID",
		Short: "Poll a ticket and print it as JSON",
		Long: `Status polls the ticket with the given ID (Result.ticket.id of provision) and
prints it as a connector.Ticket: {"id", "number", "state", "status"}, where
state is restconn's (open, pending, completed or rejected) and status the
target's own text.`,
		Example: `  restconn ticket status 4 --preset intercom --param baseURL=http://127.0.0.1:8080
  restconn ticket status 17 --preset otrs --param baseURL=... --param userLogin=agent | jq -r .state`,
		Args: exactArgs("ID"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			s, err := tf.open(cmd.Context(), nil)
			if err != nil {
				return err
			}
			t, err := s.eng.TicketStatus(s.ctx, args[0])
			if err := s.finish(err); err != nil {
				return err
			}
			return writeJSON(a.stdout, t)
		}),
	}
	tf = a.addTargetFlags(cmd)
	return cmd
}
