// Command worker is a Temporal worker that runs restconn's workflows and
// activities (package flows): imports that resume after a failure, and
// access requests that wait for their tickets with durable timers.
//
// It connects to a Temporal server, polls the task queue "restconn" and
// builds each activity's connector from the built-in presets (intercom,
// genesys, okta, otrs) with the params the workflow names and the secrets
// of this worker's environment: RESTCONN_SECRET_<CREDENTIALS>_<NAME>, where
// CREDENTIALS is the target's credentials name (default its preset, e.g.
// RESTCONN_SECRET_OKTA_TOKEN), else RESTCONN_SECRET_<NAME> as cmd/restconn
// reads them (see flows.EnvSecret). Secrets never enter workflow history.
// Imported records are written as JSON lines under -out, one file per
// workflow.
//
//	temporal server start-dev                       # a local Temporal server on localhost:7233
//	RESTCONN_SECRET_OKTA_TOKEN=... go run ./worker -out records
//
// Flags (and the environment variables that set their defaults):
//
//	-address     host:port of the Temporal frontend ($TEMPORAL_ADDRESS, default localhost:7233)
//	-namespace   Temporal namespace ($TEMPORAL_NAMESPACE, default "default")
//	-task-queue  task queue to poll (default "restconn")
//	-out         directory of the JSON lines files (default "restconn-records")
//
// Start workflows with the starter command (go run ./starter -h).
package main

import (
	"cmp"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"

	"github.com/restconn/restconn/examples/temporal/flows"
)

func main() {
	if err := run(os.Args[1:], os.Getenv, os.Stderr, worker.InterruptCh()); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	address, namespace, taskQueue, out string
}

func parseFlags(args []string, getenv func(string) string, stderr io.Writer) (config, error) {
	c := config{
		address:   cmp.Or(getenv("TEMPORAL_ADDRESS"), client.DefaultHostPort),
		namespace: cmp.Or(getenv("TEMPORAL_NAMESPACE"), client.DefaultNamespace),
	}
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.address, "address", c.address, "host:port of the Temporal frontend ($TEMPORAL_ADDRESS)")
	fs.StringVar(&c.namespace, "namespace", c.namespace, "Temporal namespace ($TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.taskQueue, "task-queue", flows.TaskQueue, "task queue to poll")
	fs.StringVar(&c.out, "out", "restconn-records", "directory of the imported records, as JSON lines")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return c, nil
}

func run(args []string, getenv func(string) string, stderr io.Writer, stop <-chan any) error {
	cfg, err := parseFlags(args, getenv, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	sink, err := newFileSink(cfg.out)
	if err != nil {
		return err
	}
	c, err := client.Dial(client.Options{HostPort: cfg.address, Namespace: cfg.namespace, Logger: sdklog.NewStructuredLogger(log)})
	if err != nil {
		return fmt.Errorf("connecting to Temporal at %s (namespace %s): %w", cfg.address, cfg.namespace, err)
	}
	defer c.Close()
	w := worker.New(c, cfg.taskQueue, worker.Options{})
	flows.Register(w, &flows.Activities{
		Connect:  flows.Presets(flows.Builtin, flows.EnvSecret),
		Accounts: sink,
		Access:   sink,
	})
	log.Info("worker started", "address", cfg.address, "namespace", cfg.namespace, "taskQueue", cfg.taskQueue, "out", cfg.out)
	return w.Run(stop)
}
