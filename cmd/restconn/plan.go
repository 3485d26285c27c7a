package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector"
)

func (a *app) planCmd() *cobra.Command {
	var (
		sf            *specFlags
		op, what      string
		reqFile       string
		responsesFile string
		recordFile    string
		types         []string
		since         string
		asJSON        bool
	)
	cmd := &cobra.Command{
		Use:   "plan --op OPERATION [--request REQ.json] | --import accounts|access",
		Short: "Show what an operation or an import would send, without sending anything",
		Long: `Plan is a dry run. It renders the requests an operation would send, call by
call (method, URL, headers, body), or the first page of each list call of an
import, and sends nothing: no token request, no login. Secrets are masked, and
where a call carries a token, the token's place is shown masked. Secrets you
do not give are replaced by stand-ins: a plan needs none.

--op plans one of the operations
  ` + wrap(opList(), 76, "  ") + `
for the request in --request (a connector.Request as JSON, as for provision;
its "op" is ignored, so one request file serves every operation). An
operation that files a ticket shows the calls that file it.

The plan sends nothing, so the responses of earlier calls are unknown: a call
that reads one is listed as "unknown" with the reason, and an "if" that reads
one cannot be decided (the call is shown, marked "if unknown"). Give made-up
responses with --responses FILE, a JSON object of call names to responses:

  {"lookup": {"status": 200, "headers": {"Location": "/u/1"}, "body": {"total": 0}}}

They are taken as given (the calls' success rules are not applied), so a plan
follows the path where every call succeeds; restart rules never apply.

--import accounts|access plans an import: the first page of each list call
(the incremental ones with --since), then the calls made once per record
(detail calls, membersFrom, entitlementsFrom), which need a sample record:
--record FILE, a record as the target's list returns it.

Output is text for people, or the plan as JSON (connector.Plan) with --json.
Exit status: 0 the plan was made (even with unknown calls); 1 a call could
not be rendered, as the real operation would fail there (the plan up to it
is printed); 2 usage error, invalid spec or invalid file.`,
		Example: `  restconn plan --preset intercom --param baseURL=https://api.intercom.io --op addAccess --request add-team.json
  restconn plan --spec myapp.json --op createAccount --request new-user.json --responses responses.json --json
  restconn plan --preset okta --param orgURL=https://acme.okta.com --import access --record group.json`,
		Args: exactArgs(),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			switch {
			case op == "" && what == "":
				return usageErrorf("give --op OPERATION (with --request) or --import accounts|access")
			case op != "" && what != "":
				return usageErrorf("give --op or --import, not both")
			case op != "" && !slices.Contains(connector.Operations, connector.Operation(op)):
				return usageErrorf("--op %s: want one of %s", op, opList())
			case what != "" && what != "accounts" && what != "access":
				return usageErrorf("--import %s: want accounts or access", what)
			case op != "" && (len(types) > 0 || since != "" || recordFile != ""):
				return usageErrorf("--types, --since and --record go with --import")
			case what == "" && reqFile == "" && cmd.Flags().Changed("request"):
				return usageErrorf("--request: want a file, or - for stdin")
			case what != "" && reqFile != "":
				return usageErrorf("--request goes with --op")
			case what == "accounts" && len(types) > 0:
				return usageErrorf("--types goes with --import access")
			case countStdin(reqFile, responsesFile, recordFile) > 1:
				return usageErrorf("only one of --request, --responses and --record can read stdin (-)")
			}
			var popts connector.PlanOptions
			if responsesFile != "" {
				r, err := readResponses(responsesFile, a.stdin)
				if err != nil {
					return err
				}
				popts.Responses = r
			}
			if recordFile != "" {
				data, err := readInput(recordFile, a.stdin)
				if err != nil {
					return err
				}
				if err := json.Unmarshal(data, &popts.Record); err != nil {
					return badInput(fmt.Errorf("%s: not JSON: %v", inputName(recordFile), err))
				}
			}
			var req connector.Request
			if reqFile != "" {
				var err error
				if req, err = decodeRequest(reqFile, a.stdin); err != nil {
					return err
				}
			}
			req.Op = connector.Operation(op)
			if err := checkEntitlement(reqFile, req.Op, req); err != nil {
				return err
			}
			iopts, err := importOptions(since, types, a.now())
			if err != nil {
				return err
			}

			spec, label, err := sf.load()
			if err != nil {
				return err
			}
			eng, err := sf.offline(spec, label)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			var plan connector.Plan
			var perr error
			switch what {
			case "accounts":
				plan, perr = eng.PlanImportAccounts(ctx, iopts, popts)
			case "access":
				plan, perr = eng.PlanImportAccess(ctx, iopts, popts)
			default:
				plan, perr = eng.Plan(ctx, req, popts)
			}
			if len(plan.Calls) == 0 && len(plan.Auth) == 0 && perr != nil {
				return perr // nothing to show: the spec lacks the operation, ...
			}
			if asJSON {
				if err := writeJSON(a.stdout, plan); err != nil {
					return err
				}
			} else if err := writePlan(a.stdout, plan, label); err != nil {
				return err
			}
			for _, name := range unusedResponses(plan, popts.Responses) {
				fmt.Fprintf(a.stderr, "restconn: --responses: no call of the plan is named %q\n", name)
			}
			return perr
		}),
	}
	sf = a.addSpecFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&op, "op", "", "plan this `OPERATION` for the request in --request")
	f.StringVar(&what, "import", "", "plan the first page of an import of `accounts|access`")
	f.StringVar(&reqFile, "request", "", "the request `FILE` (JSON; - for stdin); its op is ignored")
	f.StringVar(&responsesFile, "responses", "", "made-up responses of calls, `FILE`: a JSON object of call names to {\"status\", \"headers\", \"body\"}")
	f.StringVar(&recordFile, "record", "", "a sample record of the import's list, `FILE` (JSON), for the calls made once per record")
	f.StringSliceVar(&types, "types", nil, "with --import access: only these entitlement `TYPES` (comma-separated)")
	f.StringVar(&since, "since", "", "with --import accounts: plan the incremental import since `TIME` (as import --since)")
	f.BoolVar(&asJSON, "json", false, "print the plan as JSON (connector.Plan)")
	for _, name := range []string{"request", "responses", "record"} {
		_ = cmd.MarkFlagFilename(name, "json")
	}
	_ = cmd.RegisterFlagCompletionFunc("op", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		spec, _, err := sf.load()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var ops []string
		for _, o := range describe(spec).Operations {
			ops = append(ops, o.Op)
		}
		return ops, cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("import", cobra.FixedCompletions([]string{"accounts", "access"}, cobra.ShellCompDirectiveNoFileComp))
	registerTypesCompletion(cmd, sf)
	return cmd
}

func countStdin(paths ...string) int {
	n := 0
	for _, p := range paths {
		if p == "-" {
			n++
		}
	}
	return n
}

// readResponses reads --responses strictly: a typo in a key ("header")
// would otherwise make a response silently lose its part.
func readResponses(path string, stdin io.Reader) (map[string]connector.PlannedResponse, error) {
	data, err := readInput(path, stdin)
	if err != nil {
		return nil, err
	}
	var out map[string]connector.PlannedResponse
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil || out == nil {
		msg := "want a JSON object of call names to responses: {\"CALL\": {\"status\": 200, \"headers\": {...}, \"body\": ...}}"
		if err != nil {
			msg += fmt.Sprintf(" (%v)", err)
		}
		return nil, badInput(fmt.Errorf("%s: %s", inputName(path), msg))
	}
	if dec.More() {
		return nil, badInput(fmt.Errorf("%s: trailing data after the responses object", inputName(path)))
	}
	return out, nil
}

// unusedResponses are the names of --responses that no call of the plan
// has: most likely typos.
func unusedResponses(plan connector.Plan, given map[string]connector.PlannedResponse) []string {
	names := map[string]bool{}
	for _, c := range append(slices.Clone(plan.Auth), plan.Calls...) {
		names[c.Name] = true
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(given)) {
		if !names[name] {
			out = append(out, name)
		}
	}
	return out
}

// writePlan prints a plan for people: each call with its request, or why
// it is not shown.
func writePlan(w io.Writer, plan connector.Plan, label string) error {
	ew := &errWriter{w: w}
	n := 0
	for _, c := range plan.Calls {
		if c.Status == connector.PlanReady {
			n++
		}
	}
	fmt.Fprintf(ew, "%s (%s): %d of %d calls rendered; nothing was sent\n", plan.Op, label, n, len(plan.Calls))
	if len(plan.Auth) > 0 {
		fmt.Fprintf(ew, "\nCredentials, obtained before the first call that needs them:\n")
		for _, c := range plan.Auth {
			writePlannedCall(ew, c)
		}
	}
	if len(plan.Calls) > 0 {
		fmt.Fprintln(ew)
	}
	for i, c := range plan.Calls {
		if i > 0 {
			fmt.Fprintln(ew)
		}
		writePlannedCall(ew, c)
	}
	if plan.Unknown() {
		fmt.Fprintf(ew, "\nSome calls read values a plan does not know: give responses of earlier calls\nwith --responses FILE, and a sample record of an import with --record FILE.\n")
	}
	return ew.err
}

func writePlannedCall(w io.Writer, c connector.PlannedCall) {
	name := c.Name
	if c.Index != nil {
		name += fmt.Sprintf("[%d]", *c.Index)
	}
	fmt.Fprintf(w, "%s  %s", name, c.Status)
	if c.If != "" {
		fmt.Fprintf(w, ", if %s", c.If)
	}
	fmt.Fprintf(w, "  (%s)\n", c.Where)
	if c.Reason != "" {
		fmt.Fprintf(w, "  # %s\n", c.Reason)
	}
	if c.Status != connector.PlanReady {
		return
	}
	fmt.Fprintf(w, "  %s %s\n", c.Method, c.URL)
	for _, k := range slices.Sorted(maps.Keys(c.Header)) {
		for _, v := range c.Header[k] {
			fmt.Fprintf(w, "  %s: %s\n", k, v)
		}
	}
	if c.Body != "" {
		fmt.Fprintf(w, "\n  %s\n", c.Body)
	}
}

// errWriter keeps the first write error, so that a run of Fprintf calls
// is checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
