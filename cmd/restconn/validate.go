package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector"
)

func (a *app) validateCmd() *cobra.Command {
	var asJSON bool
	var sf *specFlags
	cmd := &cobra.Command{
		Use:   "validate [SPEC.json]",
		Short: "Check a spec and print what it defines",
		Long: `Validate parses and checks a spec without network access: its structure
(unknown keys are errors), names, paths, rules and templates. An invalid spec
exits with status 2 and prints each error with its JSON path on stderr.

A valid spec is described on stdout: params and secrets (with descriptions,
defaults and the environment variable of each secret), auth blocks, the
import's list calls and their paging, operations and ticket calls.

Values are not needed to validate. Give --param (and secrets, from the
environment or --secrets-file) to also check them the way the engine does
when it starts (required params present, the base URL renders, ...); secrets
you leave out are then replaced by stand-ins, as no call is made.`,
		Example: `  restconn validate myapp.json
  restconn validate --preset genesys --json
  restconn validate myapp.json --param baseURL=https://myapp.example.com`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("validate takes one spec file, got %d arguments", len(args))
			}
			return nil
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
		},
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if sf.specFile != "" || sf.preset != "" {
					return usageErrorf("give the spec as an argument or with --spec/--preset, not both")
				}
				sf.specFile = args[0]
			}
			spec, label, err := sf.load()
			if err != nil {
				return err
			}
			checked, err := a.checkValues(sf, spec, label)
			if err != nil {
				return err
			}
			info := describe(spec)
			if asJSON {
				return writeJSON(a.stdout, struct {
					Valid         bool `json:"valid"`
					ValuesChecked bool `json:"valuesChecked"`
					specInfo
				}{true, checked, info})
			}
			if err := info.writeText(a.stdout); err != nil {
				return err
			}
			if checked {
				fmt.Fprintf(a.stdout, "\n%s: valid; the given values were checked too\n", label)
			} else {
				fmt.Fprintf(a.stdout, "\n%s: valid (give --param values to check them too)\n", label)
			}
			return nil
		}),
	}
	sf = a.addSpecFlags(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the description as JSON")
	return cmd
}

// checkValues builds an engine from the spec with the command line's
// values when there are any, as connector.New checks them; no call is
// made. Secrets not given are stand-ins: New needs them but validate must
// not. It reports whether it checked.
func (a *app) checkValues(sf *specFlags, spec *connector.Spec, label string) (bool, error) {
	if len(sf.params) == 0 && len(spec.Params) > 0 {
		return false, nil
	}
	if _, err := sf.offline(spec, label); err != nil {
		return false, err
	}
	return true, nil
}
