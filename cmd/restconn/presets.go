package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func (a *app) presetsCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "presets",
		Short: "List the built-in presets with their params and secrets",
		Long: `Presets lists the connector specs built into restconn. Use one with
--preset NAME wherever a command takes --spec FILE; its params and secrets are
given the same way. 'restconn validate --preset NAME' shows everything the
preset defines, and 'restconn fake NAME' starts a fake server to try it.`,
		Example: `  restconn presets
  restconn presets --json | jq '.[].name'
  restconn validate --preset otrs`,
		Args: exactArgs(),
		RunE: runE(func(*cobra.Command, []string) error {
			var infos []specInfo
			for _, b := range builtins {
				full := describe(b.spec())
				infos = append(infos, specInfo{Name: b.name, Description: full.Description, Params: full.Params, Secrets: full.Secrets})
			}
			if asJSON {
				return writeJSON(a.stdout, infos)
			}
			tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
			for i, info := range infos {
				if i > 0 {
					fmt.Fprintln(tw)
				}
				fmt.Fprintf(tw, "%s\n  %s\n", info.Name, wrap(info.Description, 76, "  "))
				info.writeValues(tw, "  ", "    ")
			}
			return tw.Flush()
		}),
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the presets as a JSON list")
	return cmd
}
