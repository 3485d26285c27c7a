package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector/saviynt"
)

func (a *app) convertCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "convert saviynt FILE.json",
		Short: "Convert another product's connector into a restconn spec",
		Long: `Convert translates a connector written for another identity product into a
restconn spec, and says what it approximated or left out.`,
		RunE: groupRunE("saviynt"),
	}
	cmd.AddCommand(a.convertSaviyntCmd())
	return cmd
}

func (a *app) convertSaviyntCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "saviynt FILE.json",
		Short: "Convert a Saviynt REST connection into a spec",
		Long: `Convert saviynt reads a Saviynt EIC REST connection: a JSON object of the
connection's attributes (ConnectionJSON, ImportAccountEntJSON,
CreateAccountJSON, ..., CreateTicketJSON, TicketStatusJSON), each the
attribute's JSON text or the JSON itself; Terraform's snake_case names
(connection_json, ...) are accepted too. "-" reads stdin.

It writes the spec on stdout (or to -o FILE) and prints on stderr one line per
warning, "warning: ATTRIBUTE PATH: MESSAGE", for each thing approximated or
left out: an operation the spec could not carry out faithfully is left out
rather than half converted. Credentials written in the connection never reach
the spec: each becomes a declared secret, set as RESTCONN_SECRET_<NAME>.

Exit status: 0 the spec was written (warnings or not); 1 it could not be
written; 2 nothing in the file could be converted, or the file is not a JSON
object.`,
		Example: `  restconn convert saviynt connection.json -o myapp.json
  restconn validate myapp.json
  terraform show -json | jq '.values.root_module.resources[0].values' | restconn convert saviynt - > myapp.json`,
		Args: exactArgs("FILE.json"),
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: runE(func(_ *cobra.Command, args []string) error {
			data, err := readInput(args[0], a.stdin)
			if err != nil {
				return err
			}
			name := inputName(args[0])
			var conn saviynt.Connection
			dec := json.NewDecoder(bytes.NewReader(data))
			if err := dec.Decode(&conn); err != nil || conn == nil {
				return badInput(fmt.Errorf("%s: want a JSON object of the connection's attributes (ConnectionJSON, ImportAccountEntJSON, ...)", name))
			}
			spec, warnings, err := saviynt.Convert(conn)
			for _, w := range warnings {
				fmt.Fprintf(a.stderr, "warning: %s\n", w)
			}
			if errors.Is(err, saviynt.ErrNothingUsable) {
				return badInput(fmt.Errorf("%s: %w", name, err))
			}
			if err != nil {
				return err
			}
			var b bytes.Buffer
			if err := writeJSON(&b, spec); err != nil {
				return err
			}
			if out == "" {
				_, err = a.stdout.Write(b.Bytes())
			} else {
				err = os.WriteFile(out, b.Bytes(), 0o644) // the spec holds no secrets
			}
			if err != nil {
				return err
			}
			unit := "warnings"
			if len(warnings) == 1 {
				unit = "warning"
			}
			fmt.Fprintf(a.stderr, "%s: %d %s", name, len(warnings), unit)
			if len(spec.Secrets) > 0 {
				var envs []string
				for _, s := range describe(spec).Secrets {
					envs = append(envs, s.Env)
				}
				fmt.Fprintf(a.stderr, "; secrets to set: %s", strings.Join(envs, ", "))
			}
			fmt.Fprintln(a.stderr)
			return nil
		}),
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the spec to `FILE` instead of stdout")
	_ = cmd.MarkFlagFilename("output", "json")
	return cmd
}
