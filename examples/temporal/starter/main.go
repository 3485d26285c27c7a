// Command starter starts restconn's Temporal workflows (package flows) and
// prints their results: an import, an access request, or the wait for a
// ticket filed elsewhere. A worker (go run ./worker) runs them.
//
//	go run ./starter import -preset okta -param orgURL=https://acme.okta.com
//	go run ./starter import -preset okta -param orgURL=https://acme.okta.com -kind access
//	go run ./starter provision -preset intercom -param ticketTypeID=1 -request add-team.json
//	go run ./starter await -preset intercom -ticket 1001
//
// Params are the spec's (-param name=value, repeatable); secrets are not
// given here: the worker reads them from its own environment, from the set
// -credentials names (default the preset's name; see flows.EnvSecret). The request
// file is a connector.Request as JSON, as cmd/restconn takes it; it may
// not hold a password, which would be kept in workflow history.
//
// The workflow ID is -id, or one made from the command: a provisioning
// request with a task ID ("task": {"id": "REQ-42"}) gets
// "restconn-provision-REQ-42", so starting the same request twice while it
// runs starts it once. The starter waits for the result and prints it as
// JSON, unless -no-wait. -address and -namespace (or $TEMPORAL_ADDRESS and
// $TEMPORAL_NAMESPACE) say where the Temporal server is, as for the worker.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/examples/temporal/flows"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

// start is a parsed command line: which workflow to start, with what.
type start struct {
	address, namespace string
	options            client.StartWorkflowOptions
	workflow           any // a workflow function of package flows
	input              any
	wait               bool
}

const usage = `usage: starter import|provision|await -preset NAME [-param name=value]... [flags]
  import     run ImportWorkflow (-kind accounts|access, -type T, -since TIME)
  provision  run ProvisionWorkflow (-request FILE)
  await      run AwaitTicketWorkflow (-ticket ID)`

// params collects repeated -param name=value flags.
type params map[string]any

func (p params) String() string { return fmt.Sprint(map[string]any(p)) }
func (p params) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	if !ok || name == "" {
		return fmt.Errorf("%q: want name=value", s)
	}
	p[name] = value
	return nil
}

// list collects a repeated flag.
type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func parse(args []string, getenv func(string) string, stderr io.Writer, now time.Time) (start, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return start{}, errors.New(usage)
	}
	cmd := args[0]
	st := start{address: cmp.Or(getenv("TEMPORAL_ADDRESS"), client.DefaultHostPort), namespace: cmp.Or(getenv("TEMPORAL_NAMESPACE"), client.DefaultNamespace)}
	ps := params{}
	var (
		preset, creds, id, kind, since, request, ticket string
		types                                           list
		noWait                                          bool
		heartbeat                                       time.Duration
	)
	fs := flag.NewFlagSet("starter "+cmd, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&st.address, "address", st.address, "host:port of the Temporal frontend ($TEMPORAL_ADDRESS)")
	fs.StringVar(&st.namespace, "namespace", st.namespace, "Temporal namespace ($TEMPORAL_NAMESPACE)")
	fs.StringVar(&st.options.TaskQueue, "task-queue", flows.TaskQueue, "task queue of the worker")
	fs.StringVar(&id, "id", "", "workflow ID (default: made from the command)")
	fs.BoolVar(&noWait, "no-wait", false, "print the workflow ID and return, without waiting for the result")
	fs.StringVar(&preset, "preset", "", "the preset `NAME`: "+strings.Join(presetNames(), ", "))
	fs.Var(ps, "param", "a spec param as `name=value` (repeatable)")
	fs.StringVar(&creds, "credentials", "", "the `NAME` of the worker's set of secrets for this target (default the preset's name)")
	switch cmd {
	case "import":
		fs.StringVar(&kind, "kind", flows.Accounts, "accounts or access")
		fs.Var(&types, "type", "an entitlement `type` to import (repeatable; -kind access; default all)")
		fs.StringVar(&since, "since", "", "an incremental import of what changed since `TIME` (RFC 3339; accounts, where the spec has one)")
		fs.DurationVar(&heartbeat, "heartbeat-timeout", flows.DefaultHeartbeatTimeout, "how long a silent import activity may run before it is retried from its last checkpoint")
	case "provision":
		fs.StringVar(&request, "request", "", "the request `FILE`: a connector.Request as JSON")
	case "await":
		fs.StringVar(&ticket, "ticket", "", "the ticket `ID` to wait for")
	default:
		return start{}, fmt.Errorf("unknown command %q\n%s", cmd, usage)
	}
	if err := fs.Parse(args[1:]); err != nil {
		return start{}, err
	}
	if fs.NArg() > 0 {
		return start{}, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if preset == "" {
		return start{}, errors.New("-preset is required")
	}
	target := flows.Target{Preset: preset, Params: ps, Credentials: creds}
	if len(ps) == 0 {
		target.Params = nil
	}
	st.wait = !noWait
	switch cmd {
	case "import":
		in := flows.ImportRequest{Kind: kind, HeartbeatTimeout: heartbeat, ImportInput: flows.ImportInput{Target: target, Types: types}}
		if since != "" {
			t, err := time.Parse(time.RFC3339, since)
			if err != nil {
				return start{}, fmt.Errorf("-since: %w", err)
			}
			in.Since = t
		}
		st.workflow, st.input = flows.ImportWorkflow, in
		st.options.ID = cmp.Or(id, fmt.Sprintf("restconn-import-%s-%s-%d", kind, preset, now.Unix()))
	case "provision":
		if request == "" {
			return start{}, errors.New("-request is required")
		}
		req, err := readRequest(request)
		if err != nil {
			return start{}, err
		}
		st.workflow, st.input = flows.ProvisionWorkflow, flows.ProvisionRequest{Target: target, Request: req}
		def := fmt.Sprintf("restconn-provision-%s-%s-%d", req.Op, preset, now.Unix())
		if task, ok := req.Task["id"]; ok && fmt.Sprint(task) != "" {
			def = fmt.Sprintf("restconn-provision-%v", task)
		}
		st.options.ID = cmp.Or(id, def)
	case "await":
		if ticket == "" {
			return start{}, errors.New("-ticket is required")
		}
		st.workflow = flows.AwaitTicketWorkflow
		st.input = flows.AwaitRequest{Target: target, Result: connector.Result{Ticket: &connector.Ticket{ID: ticket, State: connector.TicketOpen}}}
		st.options.ID = cmp.Or(id, fmt.Sprintf("restconn-await-%s-%s", preset, ticket))
	}
	return st, nil
}

// readRequest reads a request file. connector.Request reads it strictly
// (an unknown key is an error naming its path).
func readRequest(path string) (connector.Request, error) {
	var req connector.Request
	data, err := os.ReadFile(path)
	if err != nil {
		return req, err
	}
	if err := json.Unmarshal(data, &req); err != nil {
		return req, fmt.Errorf("%s: %w", path, err)
	}
	if req.Password != "" {
		return req, fmt.Errorf("%s: a password would be kept in workflow history: leave it out of the request", path)
	}
	if req.Op == "" {
		return req, fmt.Errorf("%s: the request has no \"op\"", path)
	}
	return req, nil
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	st, err := parse(args, getenv, stderr, time.Now())
	if err != nil {
		return err
	}
	c, err := client.Dial(client.Options{HostPort: st.address, Namespace: st.namespace})
	if err != nil {
		return fmt.Errorf("connecting to Temporal at %s (namespace %s): %w", st.address, st.namespace, err)
	}
	defer c.Close()
	wr, err := c.ExecuteWorkflow(ctx, st.options, st.workflow, st.input)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "started workflow %s (run %s) on task queue %s\n", wr.GetID(), wr.GetRunID(), st.options.TaskQueue)
	if !st.wait {
		return nil
	}
	var out json.RawMessage
	if err := wr.Get(ctx, &out); err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}

func presetNames() []string { return slices.Sorted(maps.Keys(flows.Builtin)) }
