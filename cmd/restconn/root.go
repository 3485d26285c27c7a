package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/restconn/restconn/connector"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailed   = 1 // the operation failed
	exitUsage    = 2 // usage error or invalid spec
	exitRefused  = 3 // reconcile refused by a removal threshold
	exitRejected = 4 // ticket await: the ticket was rejected
)

// app is what every command shares: the process's streams and environment,
// passed in so that tests run the command in-process.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	// Seams for tests.
	isTerminal func(io.Writer) bool
	now        func() time.Time
}

// run executes the command line args and returns the exit code. ctx ends
// long-running commands (fake) and cancels HTTP calls: main cancels it on
// an interrupt.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, isTerminal: isTerminal, now: time.Now}
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCmd()
	if args == nil {
		args = []string{} // nil would make cobra read os.Args
	}
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code := exitUsage // errors cobra finds itself (unknown command, bad flag) are usage errors
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
	}
	msg := err.Error()
	if m := exclusiveFlags.FindStringSubmatch(msg); m != nil {
		// cobra's words for MarkFlagsMutuallyExclusive
		msg = "--" + strings.Join(strings.Fields(m[1]), " and --") + ": give one, not both"
	}
	if !strings.HasPrefix(msg, "restconn: ") {
		msg = "restconn: " + msg
	}
	fmt.Fprintln(a.stderr, msg)
	if code == exitUsage && (ee == nil || ee.hint) && cmd != nil {
		fmt.Fprintf(a.stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// exclusiveFlags matches cobra's error for flags marked mutually exclusive
// that were given together.
var exclusiveFlags = regexp.MustCompile(`^if any flags in the group \[[^\]]*\] are set none of the others can be; \[([^\]]*)\] were all set$`)

// commands lists the top-level commands; each lives in its own file.
var commands = []func(*app) *cobra.Command{
	(*app).validateCmd,
	(*app).presetsCmd,
	(*app).planCmd,
	(*app).connectCmd,
	(*app).importCmd,
	(*app).reconcileCmd,
	(*app).provisionCmd,
	(*app).ticketCmd,
	(*app).fakeCmd,
	(*app).convertCmd,
	(*app).versionCmd,
}

func (a *app) rootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "restconn",
		Short: "Validate, describe and run restconn connector specs",
		Long: `restconn runs declarative REST connector specs (see connector/SPEC.md) from a
shell: check a spec, see what it would send, connect, import accounts and
entitlements as JSON lines, reconcile them with what you hold, carry out
provisioning requests and follow their tickets, with no Go code.

Commands that talk to a target take --spec FILE or --preset NAME, and
--param name=value for the spec's params. Secrets never come from flags:
set RESTCONN_SECRET_<NAME> (the secret's name in upper case) or give
--secrets-file FILE, a JSON object of secret names to values.

Exit status: 0 success; 1 the operation failed; 2 usage error or invalid spec;
3 reconcile refused by a removal threshold; 4 ticket await: the ticket was
rejected.`,
		Example: `  # Try everything offline: start a fake Intercom, then follow what it prints.
  restconn fake intercom

  # Check a spec and see what it defines.
  restconn validate myapp.json

  # See what an operation would send, without sending anything.
  restconn plan --spec myapp.json --op addAccess --request add.json

  # Import accounts as JSON lines.
  export RESTCONN_SECRET_TOKEN=...
  restconn import accounts --spec myapp.json --param baseURL=https://myapp.example.com`,
		Version:       version(),
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	root.SetVersionTemplate("restconn {{.Version}}\n")
	// --version without cobra's -v shorthand: -v is --verbose in commands.
	root.Flags().Bool("version", false, "print the version")
	for _, c := range commands {
		root.AddCommand(c(a))
	}
	return root
}

// exitError carries the exit code of a failed command.
type exitError struct {
	code int
	err  error
	hint bool // point to --help (a usage error of the command line itself)
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError is a mistake on the command line: exit 2 with a pointer to
// --help.
func usageError(err error) error { return &exitError{code: exitUsage, err: err, hint: true} }

func usageErrorf(format string, args ...any) error { return usageError(fmt.Errorf(format, args...)) }

// badInput is a mistake in a file the command reads (a spec, a request, a
// secrets file): exit 2, with the file's own location in the message.
func badInput(err error) error { return &exitError{code: exitUsage, err: err} }

// failed classifies an error of the library: an invalid spec or parameter
// is exit 2, anything else a failed operation (exit 1).
func failed(err error) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	if errors.Is(err, connector.ErrInvalidSpec) {
		return badInput(err)
	}
	return &exitError{code: exitFailed, err: err}
}

// runE wraps a command's work so every error it returns carries an exit
// code: errors without one are failed operations (or invalid specs).
func runE(f func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if err := f(cmd, args); err != nil {
			return failed(err)
		}
		return nil
	}
}

// exactArgs is cobra.ExactArgs with a usage error and the names of the
// arguments in the message.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) == len(names):
			return nil
		case len(names) == 0:
			return usageErrorf("%s takes no arguments, got %q", cmdName(cmd), args)
		}
		return usageErrorf("%s wants %s, got %d argument(s)", cmdName(cmd), strings.Join(names, " "), len(args))
	}
}

// cmdName is the command's path without "restconn", for messages.
func cmdName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name()+" ")
}

// groupRunE is the RunE of a command that only groups subcommands: it
// runs when no known subcommand was named, which is a usage error.
func groupRunE(subcommands ...string) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		want := strings.Join(subcommands, ", ")
		if len(args) == 0 {
			return usageErrorf("%s needs a subcommand: %s", cmdName(cmd), want)
		}
		return usageErrorf("%s: unknown subcommand %q: want one of: %s", cmdName(cmd), args[0], want)
	}
}

// writeJSON writes v as indented JSON: the form for one object.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// ctxErr turns a cancelled context into a readable failure.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		if errors.Is(err, context.DeadlineExceeded) {
			return reword(err, "timed out (--timeout): %s")
		}
		return reword(err, "interrupted: %s")
	}
	return err
}
