package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

// fileTicket files a ticket through provision and returns its ID.
func fileTicket(t *testing.T, f *fake, request string) string {
	t.Helper()
	c := newCLI(t, f.env)
	c.stdin = request
	res := decodeJSON[connector.Result](t, c.run(f.args("provision", "--request", "-")...).ok(t))
	require.NotNil(t, res.Ticket)
	return res.Ticket.ID
}

const intercomAddTeam = `{"op": "addAccess", "user": {"email": "ada@example.com"}, "account": {"id": "991267393"}, "entitlement": {"type": "team", "id": "814866", "name": "Billing"}}`

const otrsAddGroup = `{"op": "addAccess", "user": {"email": "jane.doe@example.com"}, "account": {"id": "jdoe"}, "entitlement": {"type": "group", "id": "finance", "name": "Finance"}}`

// awaiting is "ticket await" running in the background with short waits.
type awaiting struct {
	stdout *syncBuffer
	done   chan result
}

func await(t *testing.T, f *fake, id string, extra ...string) *awaiting {
	aw := &awaiting{stdout: &syncBuffer{}, done: make(chan result, 1)}
	var stderr syncBuffer
	a := newCLI(t, f.env).app(aw.stdout, &stderr)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		code := a.run(ctx, f.args(append([]string{"ticket", "await", id, "--interval", "10ms", "--max-interval", "20ms"}, extra...)...))
		aw.done <- result{code: code, stdout: aw.stdout.String(), stderr: stderr.String()}
	}()
	return aw
}

// lines waits until the command has printed n lines.
func (aw *awaiting) lines(t *testing.T, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(aw.stdout.String(), "\n") < n {
		if time.Now().After(deadline) {
			t.Fatalf("ticket await printed %q, want %d lines", aw.stdout.String(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (aw *awaiting) wait(t *testing.T) result {
	t.Helper()
	select {
	case r := <-aw.done:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("ticket await did not end")
	}
	return result{}
}

// Await prints the ticket when first read and on each change of state or
// status, one JSON line each: the last is the final ticket. Completed
// exits 0.
func TestTicketAwaitCompleted(t *testing.T) {
	srv := intercomtest.NewServer()
	f := fakeOf(t, "intercom", intercomFake(srv))
	id := fileTicket(t, f, intercomAddTeam)
	aw := await(t, f, id)
	aw.lines(t, 1)
	time.Sleep(50 * time.Millisecond) // a few polls of an unchanged ticket
	require.NoError(t, srv.SetTicketState(id, "in_progress"))
	aw.lines(t, 2)
	time.Sleep(50 * time.Millisecond)
	require.NoError(t, srv.SetTicketState(id, "resolved"))
	r := aw.wait(t)
	tickets := jsonLines[connector.Ticket](t, r.ok(t))
	var seen []string
	for _, tk := range tickets {
		assert.Equal(t, id, tk.ID)
		seen = append(seen, string(tk.State)+"/"+tk.Status)
	}
	assert.Equal(t, []string{"pending/submitted", "pending/in_progress", "completed/resolved"}, seen, "one line per change, not per poll")
	assert.Empty(t, r.stderr)
}

// A rejected ticket exits 4, with the final ticket on stdout.
func TestTicketAwaitRejected(t *testing.T) {
	srv := otrstest.NewServer()
	f := fakeOf(t, "otrs", otrsFake(srv, otrstest.DefaultAgentLogin, otrstest.DefaultAgentPassword))
	id := fileTicket(t, f, otrsAddGroup)
	aw := await(t, f, id)
	aw.lines(t, 1)
	require.NoError(t, srv.CloseTicket(id, "closed unsuccessful"))
	r := aw.wait(t)
	assert.Equal(t, exitRejected, r.code)
	tickets := jsonLines[connector.Ticket](t, r.stdout)
	require.NotEmpty(t, tickets)
	last := tickets[len(tickets)-1]
	assert.Equal(t, connector.TicketRejected, last.State)
	assert.Equal(t, "closed unsuccessful", last.Status)
	assert.Equal(t, "restconn: ticket "+id+" was rejected (status \"closed unsuccessful\")\n", r.stderr)
}

// A wait that times out exits 1 and says how far the ticket got; a ticket
// that does not exist ends the wait at once.
func TestTicketAwaitFails(t *testing.T) {
	srv := otrstest.NewServer()
	f := fakeOf(t, "otrs", otrsFake(srv, otrstest.DefaultAgentLogin, otrstest.DefaultAgentPassword))
	id := fileTicket(t, f, otrsAddGroup)
	r := await(t, f, id, "--timeout", "500ms").wait(t)
	assert.Equal(t, exitFailed, r.code)
	assert.Len(t, jsonLines[connector.Ticket](t, r.stdout), 1, "the ticket as first read")
	assert.Contains(t, r.stderr, "restconn: timed out (--timeout): awaitTicket: stopped waiting for ticket "+id+": still open")

	r = await(t, f, "999999").wait(t)
	assert.Equal(t, exitFailed, r.code)
	assert.Empty(t, r.stdout)
	assert.Contains(t, r.stderr, "restconn: ticketStatus: ")

	r = runCLI(t, f.env, f.args("ticket", "await", id, "--interval", "-1s")...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "must not be negative")
}

func TestTicketComment(t *testing.T) {
	srv := otrstest.NewServer()
	f := fakeOf(t, "otrs", otrsFake(srv, otrstest.DefaultAgentLogin, otrstest.DefaultAgentPassword))
	id := fileTicket(t, f, otrsAddGroup)
	out := runCLI(t, f.env, f.args("ticket", "comment", id, "--text", "Approved by the data owner.")...).ok(t)
	assert.Equal(t, "commented on ticket "+id+"\n", out)

	c := newCLI(t, f.env)
	c.stdin = "Done on the file server.\nPlease check.\n"
	c.run(f.args("ticket", "comment", id, "--text", "-")...).ok(t)

	tk, ok := srv.Ticket(id)
	require.True(t, ok)
	var bodies []string
	for _, a := range tk.Articles {
		bodies = append(bodies, a.Body)
	}
	assert.Contains(t, bodies, "Approved by the data owner.")
	assert.Contains(t, bodies, "Done on the file server.\nPlease check.", "stdin, without the final newline")

	for _, tt := range []struct {
		args   []string
		code   int
		stderr string
	}{
		{[]string{"ticket", "comment", id}, exitUsage, "--text TEXT is required"},
		{[]string{"ticket", "comment", id, "--text", "  "}, exitUsage, "--text: the comment is empty"},
		{[]string{"ticket", "comment", "--text", "x"}, exitUsage, "ticket comment wants ID"},
		{[]string{"ticket", "comment", "999999", "--text", "x"}, exitFailed, "restconn: ticketComment: "},
	} {
		r := runCLI(t, f.env, f.args(tt.args...)...)
		assert.Equal(t, tt.code, r.code, "%v: %s", tt.args, r.stderr)
		assert.Contains(t, r.stderr, tt.stderr)
	}

	// Intercom without the admin who writes notes: the spec says what is
	// missing.
	ic := intercomtest.NewServer()
	fi := fakeOf(t, "intercom", intercomFake(ic))
	icID := fileTicket(t, fi, intercomAddTeam)
	args := []string{"ticket", "comment", icID, "--text", "x", "--preset", "intercom", "--param", "baseURL=" + ic.URL}
	r := runCLI(t, fi.env, args...)
	assert.Equal(t, exitFailed, r.code)
	assert.Contains(t, r.stderr, "adminID is needed to write notes on Intercom tickets")
}

// Cancel prints the ticket as the target then reports it; a completed
// ticket is not touched: it is printed, and the exit status is 1.
func TestTicketCancel(t *testing.T) {
	srv := otrstest.NewServer()
	f := fakeOf(t, "otrs", otrsFake(srv, otrstest.DefaultAgentLogin, otrstest.DefaultAgentPassword))
	id := fileTicket(t, f, otrsAddGroup)
	tk := decodeJSON[connector.Ticket](t, runCLI(t, f.env, f.args("ticket", "cancel", id, "--reason", "Jane left.")...).ok(t))
	assert.Equal(t, connector.TicketRejected, tk.State)
	assert.Equal(t, "closed unsuccessful", tk.Status)
	st, _ := srv.Ticket(id)
	assert.Equal(t, "Jane left.", st.Articles[len(st.Articles)-1].Body)

	// Twice: harmless.
	again := decodeJSON[connector.Ticket](t, runCLI(t, f.env, f.args("ticket", "cancel", id)...).ok(t))
	assert.Equal(t, tk.State, again.State)

	done := fileTicket(t, f, otrsAddGroup)
	require.NoError(t, srv.CloseTicket(done, ""))
	r := runCLI(t, f.env, f.args("ticket", "cancel", done)...)
	assert.Equal(t, exitFailed, r.code)
	assert.Equal(t, connector.TicketCompleted, decodeJSON[connector.Ticket](t, r.stdout).State)
	assert.Contains(t, r.stderr, "is already completed")
	assert.Contains(t, r.stderr, "(conflict)")
	assert.True(t, strings.HasPrefix(r.stderr, "restconn: ticketCancel: "), r.stderr)
}
