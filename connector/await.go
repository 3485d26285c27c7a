package connector

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"time"
)

// AwaitOptions tune AwaitTicket. The zero value polls after 30 seconds,
// then ever less often, up to every 15 minutes.
type AwaitOptions struct {
	Interval    time.Duration // first wait; default 30s
	MaxInterval time.Duration // longest wait; default 15m
	OnChange    func(Ticket)  // called when State or Status changes (optional)
}

// Default waits of AwaitTicket.
const (
	DefaultAwaitInterval    = 30 * time.Second
	DefaultAwaitMaxInterval = 15 * time.Minute
)

// awaitGrowth is how much each wait of AwaitTicket grows over the one
// before: a ticket that people work on is answered in minutes or days, so
// polls start often and thin out, reaching MaxInterval after a handful.
const awaitGrowth = 1.5

// awaitSleep waits d or until ctx ends. Tests replace it to run AwaitTicket
// on a fake clock, as x/oauth2 replaces its timeNow.
var awaitSleep = sleepCtx

// AwaitTicket polls TicketStatus until the ticket is completed or rejected (returned with a nil
// error in both cases), or ctx ends (the context's error, usable with errors.Is).
// Waits start at Interval and grow to MaxInterval; transient errors are retried, ErrNotFound and
// ErrAuth end the wait.
//
// The first poll is immediate. After each poll the wait grows by half
// (30s, 45s, 1m7.5s, ... with the defaults) until it reaches MaxInterval,
// which is then kept; a MaxInterval below Interval is raised to it.
// OnChange, when set, is called with the first ticket read and then
// whenever its State or its Status differs from the previous poll's (a new
// UpdatedAt alone is no change); it runs on the caller's goroutine, before
// AwaitTicket returns a final ticket.
//
// A poll that fails for a reason that may pass is retried on the same
// schedule: a rate limit (ErrRateLimited), an HTTP 5xx or 408, a request
// that got no response (a connection failure, a timed-out attempt). Every
// other error ends the wait and is returned: ErrNotFound (the ticket is
// gone), ErrAuth (the credentials no longer work), ErrUnsupported (no
// tickets.status), ErrInvalidSpec, another 4xx, a template that cannot
// render. When ctx ends, AwaitTicket returns an *Error wrapping ctx.Err(),
// so errors.Is(err, context.DeadlineExceeded) or context.Canceled tells
// why. With every error it returns the last ticket it read (the zero
// Ticket if none).
//
// AwaitTicket works with any Connector; it calls nothing but TicketStatus.
func AwaitTicket(ctx context.Context, c Connector, ticketID string, opts AwaitOptions) (Ticket, error) {
	wait := opts.Interval
	if wait <= 0 {
		wait = DefaultAwaitInterval
	}
	limit := opts.MaxInterval
	if limit <= 0 {
		limit = DefaultAwaitMaxInterval
	}
	limit = max(limit, wait)
	if ticketID == "" {
		return Ticket{}, &Error{Op: opAwaitTicket, Message: "empty ticket ID"}
	}
	var (
		last Ticket
		seen bool
	)
	for {
		t, err := c.TicketStatus(ctx, ticketID)
		switch {
		case ctx.Err() != nil:
			return last, awaitEnded(ctx, ticketID, last, seen)
		case err != nil && !transient(err):
			return last, err
		case err == nil:
			if opts.OnChange != nil && (!seen || t.State != last.State || t.Status != last.Status) {
				opts.OnChange(t)
			}
			last, seen = t, true
			if t.State.Final() {
				return t, nil
			}
		}
		if awaitSleep(ctx, wait) != nil {
			return last, awaitEnded(ctx, ticketID, last, seen)
		}
		wait = min(time.Duration(float64(wait)*awaitGrowth), limit)
	}
}

// awaitEnded is AwaitTicket's error when ctx ends: it says how far the
// ticket got and wraps the context's error.
func awaitEnded(ctx context.Context, ticketID string, last Ticket, seen bool) error {
	msg := fmt.Sprintf("stopped waiting for ticket %s before it was read", ticketID)
	if seen {
		msg = fmt.Sprintf("stopped waiting for ticket %s: still %s", ticketID, last.State)
		if last.Status != "" {
			msg += fmt.Sprintf(" (status %q)", last.Status)
		}
	}
	return &Error{Op: opAwaitTicket, Message: msg, Err: ctx.Err()}
}

// Transient reports whether a failed read (TicketStatus, a page of an
// import, Connect) may succeed if repeated unchanged: a rate limit
// (ErrRateLimited), an HTTP 5xx or 408, or a request that got no response
// (a connection failure, an attempt that timed out). ErrNotFound, ErrAuth,
// ErrConflict, ErrUnsupported, ErrInvalidSpec, other 4xx answers and spec
// or template errors are not transient: repeating changes nothing. It is
// the rule AwaitTicket retries polls by, for callers that schedule retries
// themselves (a job engine's retry policy).
//
// Transient says nothing about whether a write may be repeated: a POST
// that got no response may have been carried out. Check the end of your
// own context first: an error of a cancelled call may look transient.
func Transient(err error) bool { return transient(err) }

// transient is Transient; the caller has already ruled out the end of its
// own context.
func transient(err error) bool {
	if errors.Is(err, ErrRateLimited) {
		return true
	}
	for _, s := range []error{ErrNotFound, ErrAuth, ErrConflict, ErrUnsupported, ErrInvalidSpec} {
		if errors.Is(err, s) {
			return false
		}
	}
	var ce *Error
	if errors.As(err, &ce) {
		if ce.StatusCode != 0 {
			return ce.StatusCode >= 500 || ce.StatusCode == 408
		}
		if ce.Path != "" {
			return false // a spec or template error: repeating changes nothing
		}
	}
	// No response: a transport error (url.Error is a net.Error, and so
	// is an attempt's own timeout) or a connection cut mid-body.
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded)
}
