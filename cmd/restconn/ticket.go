package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector"
)

func (a *app) ticketCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ticket status|await|comment|cancel ID",
		Short: "Work with tickets filed by provision",
		Long: `Ticket works with the tickets a spec files for operations that people carry
out (the spec's "tickets" section): poll one, wait until it is done, add a
comment for the people working on it, or cancel it.`,
		RunE: groupRunE("status", "await", "comment", "cancel"),
	}
	cmd.AddCommand(a.ticketStatusCmd(), a.ticketAwaitCmd(), a.ticketCommentCmd(), a.ticketCancelCmd())
	return cmd
}

func (a *app) ticketStatusCmd() *cobra.Command {
	var tf *targetFlags
	cmd := &cobra.Command{
		Use:   "status ID",
		Short: "Poll a ticket and print it as JSON",
		Long: `Status polls the ticket with the given ID (Result.ticket.id of provision) and
prints it as a connector.Ticket: {"id", "number", "state", "status",
"updatedAt", "url"}, where state is restconn's (open, pending, completed or
rejected) and status the target's own text.`,
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

func (a *app) ticketAwaitCmd() *cobra.Command {
	var tf *targetFlags
	var interval, maxInterval time.Duration
	cmd := &cobra.Command{
		Use:   "await ID",
		Short: "Wait until a ticket is completed or rejected, printing each change",
		Long: `Await polls the ticket until it is completed or rejected (connector.AwaitTicket).
It writes the ticket as a JSON line (a connector.Ticket) when first read and
whenever its state or status changes, so the last line is the final ticket.

Polls start --interval apart and thin out by half each time up to
--max-interval: people answer tickets in minutes or days. Rate limits, server
errors and lost connections are polled through; a ticket that is gone or
credentials that no longer work end the wait. --timeout bounds the whole wait.

Exit status: 0 the ticket was completed; 4 it was rejected (declined, or
cancelled); 1 the wait failed or timed out (the last ticket read is on
stdout); 2 usage error.`,
		Example: `  restconn ticket await 17 --preset otrs --param baseURL=... --param userLogin=agent --timeout 72h
  restconn ticket await 4 --preset intercom --interval 1m --max-interval 1h | tail -1 | jq -r .state`,
		Args: exactArgs("ID"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if interval < 0 || maxInterval < 0 {
				return usageErrorf("--interval and --max-interval must not be negative")
			}
			s, err := tf.open(cmd.Context(), nil)
			if err != nil {
				return err
			}
			out := json.NewEncoder(a.stdout)
			out.SetEscapeHTML(false)
			var werr error
			t, err := connector.AwaitTicket(s.ctx, s.eng, args[0], connector.AwaitOptions{
				Interval: interval, MaxInterval: maxInterval,
				OnChange: func(t connector.Ticket) {
					if werr == nil {
						werr = out.Encode(t)
					}
				},
			})
			if err == nil && werr != nil {
				err = fmt.Errorf("writing stdout: %w", werr)
			}
			if err := s.finish(err); err != nil {
				return err
			}
			if t.State == connector.TicketRejected {
				return &exitError{code: exitRejected, err: fmt.Errorf("ticket %s was rejected (status %q)", t.ID, t.Status)}
			}
			return nil
		}),
	}
	tf = a.addTargetFlags(cmd)
	cmd.Flags().DurationVar(&interval, "interval", connector.DefaultAwaitInterval, "the first wait between polls")
	cmd.Flags().DurationVar(&maxInterval, "max-interval", connector.DefaultAwaitMaxInterval, "the longest wait between polls")
	return cmd
}

func (a *app) ticketCommentCmd() *cobra.Command {
	var tf *targetFlags
	var text string
	cmd := &cobra.Command{
		Use:   "comment ID --text TEXT",
		Short: "Add a comment to a ticket",
		Long: `Comment adds text to the ticket as a comment or note for the people working
on it (the spec's tickets.comment). --text - reads the text from stdin.`,
		Example: `  restconn ticket comment 17 --preset otrs --param baseURL=... --param userLogin=agent --text "Approved by the data owner."
  git log -1 --format=%B | restconn ticket comment 4 --preset intercom --text -`,
		Args: exactArgs("ID"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if !cmd.Flags().Changed("text") {
				return usageErrorf("--text TEXT is required (- reads it from stdin)")
			}
			if text == "-" {
				data, err := readInput("-", a.stdin)
				if err != nil {
					return err
				}
				text = strings.TrimRight(string(data), "\r\n")
			}
			if strings.TrimSpace(text) == "" {
				return usageErrorf("--text: the comment is empty")
			}
			s, err := tf.open(cmd.Context(), nil)
			if err != nil {
				return err
			}
			if err := s.finish(s.eng.CommentTicket(s.ctx, args[0], text)); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "commented on ticket %s\n", args[0])
			return nil
		}),
	}
	tf = a.addTargetFlags(cmd)
	cmd.Flags().StringVar(&text, "text", "", "the comment `TEXT` (- for stdin)")
	return cmd
}

func (a *app) ticketCancelCmd() *cobra.Command {
	var tf *targetFlags
	var reason string
	cmd := &cobra.Command{
		Use:   "cancel ID [--reason TEXT]",
		Short: "Cancel a ticket and print it as JSON",
		Long: `Cancel withdraws the ticket: the request it carries is no longer wanted (the
spec's tickets.cancel, with --reason for the people working on it). It prints
the ticket as the target then reports it, normally rejected. Cancelling a
ticket that is already rejected changes nothing; one that is already
completed is not touched, because the work is done: the ticket is printed and
the exit status is 1.`,
		Example: `  restconn ticket cancel 17 --preset otrs --param baseURL=... --param userLogin=agent --reason "The user left."
  restconn ticket cancel 4 --preset intercom | jq -r .state`,
		Args: exactArgs("ID"),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			s, err := tf.open(cmd.Context(), nil)
			if err != nil {
				return err
			}
			t, err := s.eng.CancelTicket(s.ctx, args[0], reason)
			if errors.Is(err, connector.ErrConflict) && t.ID != "" {
				// Completed already: show it, then fail.
				if werr := writeJSON(a.stdout, t); werr != nil {
					err = errors.Join(err, werr)
				}
			}
			if err := s.finish(err); err != nil {
				return err
			}
			return writeJSON(a.stdout, t)
		}),
	}
	tf = a.addTargetFlags(cmd)
	cmd.Flags().StringVar(&reason, "reason", "", "why the ticket is cancelled, for the people working on it")
	return cmd
}
