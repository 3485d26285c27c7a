package main

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// runningCommand is "restconn fake ..." started in-process.
type runningCommand struct {
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan struct{} // closed when the command has returned
	code           int
}

func startFakeCommand(t *testing.T, args ...string) *runningCommand {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rc := &runningCommand{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan struct{})}
	a := newCLI(t, nil).app(rc.stdout, rc.stderr)
	go func() {
		defer close(rc.done)
		rc.code = a.run(ctx, args)
	}()
	t.Cleanup(func() {
		cancel()
		<-rc.done
	})
	return rc
}

// waitOutput waits until the fake has printed its instructions.
func (rc *runningCommand) waitOutput(t *testing.T) string {
	t.Helper()
	out, ok := rc.output(10 * time.Second)
	if !ok {
		select {
		case <-rc.done:
			t.Fatalf("fake exited with %d: %s", rc.code, rc.stderr.String())
		default:
		}
		t.Fatalf("no instructions printed: %q", rc.stdout.String())
	}
	return out
}

// output waits up to d for the fake's instructions; false when the fake
// exited or printed none in time.
func (rc *runningCommand) output(d time.Duration) (string, bool) {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		select {
		case <-rc.done:
			return "", false
		default:
		}
		if out := rc.stdout.String(); strings.Contains(out, "Try, in another terminal:") && strings.Count(out[strings.Index(out, "Try,"):], "restconn ") >= 2 {
			return out, true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "", false
}

// stop interrupts the fake and returns its exit code.
func (rc *runningCommand) stop(t *testing.T) int {
	t.Helper()
	rc.cancel()
	select {
	case <-rc.done:
		return rc.code
	case <-time.After(10 * time.Second):
		t.Fatal("fake did not stop")
	}
	return -1
}

// shellWords splits a line the way a POSIX shell would for the simple
// quoting the fake prints: single quotes and spaces.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	inWord, quoted := false, false
	for _, r := range line {
		switch {
		case r == '\'':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
			}
			inWord = false
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words
}

// Each fake, started by the command, then driven by other invocations
// that follow exactly what it printed.
func TestFakeCommandDrivesOtherCommands(t *testing.T) {
	for _, name := range builtinNames() {
		t.Run(name, func(t *testing.T) {
			rc := startFakeCommand(t, "fake", name, "--addr", "127.0.0.1:0")
			out := rc.waitOutput(t)

			env := map[string]string{}
			var ran []string
			ticketID := ""
			for _, line := range strings.Split(out[strings.Index(out, "Try,"):], "\n") {
				line = strings.TrimSpace(line)
				if v, ok := strings.CutPrefix(line, "export "); ok {
					w := shellWords(v)
					require.Len(t, w, 1)
					k, val, _ := strings.Cut(w[0], "=")
					env[k] = val
					continue
				}
				c := newCLI(t, env)
				if strings.HasPrefix(line, "echo ") {
					pipe := strings.Index(line, " | ")
					c.stdin = shellWords(line[:pipe])[1]
					line = line[pipe+3:]
				}
				if !strings.HasPrefix(line, "restconn ") {
					continue
				}
				if ticketID != "" {
					line = strings.ReplaceAll(line, "TICKET_ID", ticketID)
				}
				args := shellWords(line)[1:]
				stdout := c.run(args...).ok(t)
				ran = append(ran, args[0])
				switch {
				case args[0] == "import" && args[1] == "accounts":
					assert.NotEmpty(t, jsonLines[connector.Account](t, stdout))
				case args[0] == "import":
					assert.NotEmpty(t, jsonLines[connector.Entitlement](t, stdout))
				case args[0] == "provision":
					res := decodeJSON[connector.Result](t, stdout)
					if res.Ticket != nil {
						ticketID = res.Ticket.ID
					}
				case args[0] == "ticket" && args[1] == "comment":
					assert.Equal(t, "commented on ticket "+ticketID+"\n", stdout)
				case args[0] == "ticket":
					assert.Equal(t, ticketID, decodeJSON[connector.Ticket](t, stdout).ID)
					if args[1] == "cancel" {
						assert.Equal(t, connector.TicketRejected, decodeJSON[connector.Ticket](t, stdout).State)
					}
				case args[0] == "plan":
					plan := decodeJSON[connector.Plan](t, c.run(append(args, "--json")...).ok(t))
					assert.NotEmpty(t, plan.Calls)
				}
			}
			assert.NotEmpty(t, env, "the fake prints the secrets to export")
			assert.Contains(t, ran, "connect")
			assert.Contains(t, ran, "provision")

			assert.Equal(t, exitOK, rc.stop(t))
			assert.Equal(t, "fake "+name+" stopped\n", rc.stderr.String())
		})
	}
}

func TestFakeAddr(t *testing.T) {
	rc, ports, out := startFakeOnFreePorts(t, 1, func(p []string) []string {
		return []string{"fake", "intercom", "--addr", p[0]}
	})
	port := ports[0]
	assert.Contains(t, out, "URL    http://"+port+"\n")
	assert.Contains(t, out, "--param baseURL=http://"+port+" ")

	// The address is taken now: a second fake fails.
	r := runCLI(t, nil, "fake", "intercom", "--addr", port)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "--addr")
	assert.Equal(t, exitOK, rc.stop(t))

	rc, ports, out = startFakeOnFreePorts(t, 2, func(p []string) []string {
		return []string{"fake", "genesys", "--addr", p[0], "--login-addr", p[1]}
	})
	api, login := ports[0], ports[1]
	assert.Contains(t, out, "--param apiBaseURL=http://"+api+" ")
	assert.Contains(t, out, "--param loginBaseURL=http://"+login+" ")
	assert.Equal(t, exitOK, rc.stop(t))

	r = runCLI(t, nil, "fake", "intercom", "--login-addr", login)
	assert.Equal(t, exitUsage, r.code, "only genesys has a login host")
	r = runCLI(t, nil, "fake", "nosuch")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "want one of: intercom, genesys, otrs, okta")
}

// startFakeOnFreePorts starts the fake on n distinct ports that were free a
// moment ago. Another process may take a port between the check and the
// fake's listen (it happened on a busy machine), so a start that fails with
// "address already in use" is tried again on new ports.
func startFakeOnFreePorts(t *testing.T, n int, args func(ports []string) []string) (*runningCommand, []string, string) {
	t.Helper()
	for attempt := 1; ; attempt++ {
		ports := make([]string, 0, n)
		for len(ports) < n {
			if p := freePort(t); !slices.Contains(ports, p) {
				ports = append(ports, p)
			}
		}
		rc := startFakeCommand(t, args(ports)...)
		if out, ok := rc.output(10 * time.Second); ok {
			return rc, ports, out
		}
		if attempt < 5 && strings.Contains(rc.stderr.String(), "address already in use") {
			continue
		}
		t.Fatalf("fake %v did not start (exit %d): %s; stdout %q", args(ports), rc.code, rc.stderr.String(), rc.stdout.String())
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}
