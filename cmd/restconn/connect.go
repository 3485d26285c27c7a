package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func (a *app) connectCmd() *cobra.Command {
	var tf *targetFlags
	cmd := &cobra.Command{
		Use:   "connect",
		Short: "Authenticate to the target and prove it is reachable",
		Long: `Connect obtains a token where the spec's auth needs one (OAuth 2.0, a login
session) and runs the spec's connect calls. It prints "connected" and exits 0,
or prints the target's error and exits 1.`,
		Example: `  export RESTCONN_SECRET_TOKEN=...
  restconn connect --preset intercom -v

  RESTCONN_SECRET_CLIENTSECRET=... restconn connect --preset genesys \
    --param region=mypurecloud.ie --param clientID=...`,
		Args: exactArgs(),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			s, err := tf.open(cmd.Context(), nil)
			if err != nil {
				return err
			}
			if err := s.finish(s.eng.Connect(s.ctx)); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "connected (%s)\n", s.label)
			return nil
		}),
	}
	tf = a.addTargetFlags(cmd)
	return cmd
}
