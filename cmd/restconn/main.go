// Command restconn validates, plans and runs restconn connector specs from
// a shell, without writing Go. Every command has --help with examples.
//
//	validate [SPEC.json]           check a spec (no network) and print what it defines
//	presets                        the built-in presets with their params and secrets
//	plan --op OP --request REQ     a dry run: the requests an operation would send, secrets masked, nothing sent
//	plan --import accounts|access  the same for the first page of an import (--record for per-record calls)
//	connect                        authenticate and run the spec's connect calls
//	import accounts|access         every account or entitlement as JSON lines (--checkpoint FILE resumes)
//	reconcile accounts|access      import and compare with the IDs you hold (--known): JSON lines of changes
//	provision --request REQ        carry out one request and print the Result
//	ticket status|await|comment|cancel ID
//	                               poll a ticket, wait for it, comment on it, cancel it
//	fake intercom|genesys|otrs|okta
//	                               start a preset's fake server to try everything offline
//	convert saviynt FILE.json      convert a Saviynt REST connection into a spec
//	completion bash|zsh|fish|powershell, version
//
// A session against a fake:
//
//	restconn fake intercom                 # in one terminal
//	export RESTCONN_SECRET_TOKEN=intercomtest-token
//	restconn import accounts --preset intercom --param baseURL=http://127.0.0.1:PORT
//
// Every command that talks to a target takes --spec FILE or --preset NAME,
// --param name=value (repeatable) for the spec's params, and reads the
// spec's secrets from the environment (RESTCONN_SECRET_<NAME>, the secret's
// name in upper case) or from --secrets-file FILE (a JSON object), never
// from flags, which other users of the machine can read. -v logs every HTTP
// call to stderr and --trace FILE writes every request and response as JSON
// lines, secrets masked in both. plan needs no secrets: it sends nothing.
//
// Exit status: 0 success; 1 the operation failed; 2 usage error or invalid
// spec; 3 reconcile refused by a removal threshold; 4 ticket await: the
// ticket was rejected. Run "restconn help" or "restconn COMMAND --help" for
// details and examples.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
