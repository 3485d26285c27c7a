// Command restconn validates, describes and runs restconn connector specs
// from a shell, without writing Go: check a spec, list the built-in
// presets, connect, import accounts and entitlements as JSON lines, carry
// out a provisioning request, poll a ticket, and start a preset's fake
// server to try all of it offline.
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
// lines, secrets masked in both.
//
// Exit status: 0 success; 1 the operation failed; 2 usage error or invalid
// spec. Run "restconn help" or "restconn COMMAND --help" for details and
// examples.
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
