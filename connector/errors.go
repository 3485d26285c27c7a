package connector

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/template"
)

// Sentinel errors. Every failure of the Engine is an *Error that wraps one
// of these when it applies; match them with errors.Is.
var (
	ErrUnsupported = errors.New("not supported by this connector")
	ErrAuth        = errors.New("authentication failed")
	ErrNotFound    = errors.New("not found")
	ErrConflict    = errors.New("conflict")
	ErrRateLimited = errors.New("rate limited")
	ErrInvalidSpec = errors.New("invalid spec")
	// ErrLimit is wrapped by the errors of input refused by one of the
	// engine's bounds on hostile input: a response list longer than
	// connection.maxListLength, a response too costly to decode, a
	// template that would render more than connection.maxRenderBytes or
	// work more than connection.maxRenderSteps.
	ErrLimit = errors.New("limit exceeded")
)

// Error describes a failure: where it happened (operation, spec path, call),
// what the target said (HTTP status, vendor error code and message) and the
// underlying error. Secrets are masked in every field before an Error is
// built.
type Error struct {
	Op         Operation // the operation, or "connect", "importAccounts", "importAccess", "ticketStatus", "ticketComment", "ticketCancel", "awaitTicket"
	Call       string    // the call's name in the spec
	StatusCode int       // the HTTP status, when a response arrived
	Code       string    // the vendor's error code, from the spec's error paths
	Message    string    // the vendor's message or a description of the failure
	Err        error     // a sentinel such as ErrNotFound, or the cause

	// Path is the spec JSON path of the offending field, for spec and
	// template errors (e.g. "provision.createAccount.calls[0].body.name").
	Path string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("restconn")
	if e.Op != "" {
		b.WriteString(": ")
		b.WriteString(string(e.Op))
	}
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	if e.Call != "" {
		b.WriteString(": call ")
		b.WriteString(strconv.Quote(e.Call))
	}
	if e.StatusCode != 0 {
		b.WriteString(": HTTP ")
		b.WriteString(strconv.Itoa(e.StatusCode))
	}
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Err != nil {
		b.WriteString(" (")
		b.WriteString(e.Err.Error())
		b.WriteString(")")
	}
	return b.String()
}

// Unwrap returns the wrapped sentinel or cause.
func (e *Error) Unwrap() error { return e.Err }

// Internal operation names used in Error.Op outside provisioning.
const (
	opConnect        Operation = "connect"
	opImportAccounts Operation = "importAccounts"
	opImportAccess   Operation = "importAccess"
	opTicketStatus   Operation = "ticketStatus"
	opTicketComment  Operation = "ticketComment"
	opTicketCancel   Operation = "ticketCancel"
	opAwaitTicket    Operation = "awaitTicket"
)

func specError(path, msg string) *Error {
	return &Error{Path: path, Message: msg, Err: ErrInvalidSpec}
}

// sentinelFor maps the kind names a spec may use in errors.map.
var sentinelFor = map[string]error{
	"auth":        ErrAuth,
	"notFound":    ErrNotFound,
	"conflict":    ErrConflict,
	"rateLimited": ErrRateLimited,
	"unsupported": ErrUnsupported,
}

func sentinelForStatus(status int) error {
	switch status {
	case 401, 403:
		return ErrAuth
	case 404, 410:
		return ErrNotFound
	case 409, 412:
		return ErrConflict
	case 429:
		return ErrRateLimited
	}
	return nil
}

// asError turns a non-response failure (template, auth) into an *Error.
func (e *Engine) asError(op Operation, call string, err error) error {
	var ce *Error
	if errors.As(err, &ce) {
		if ce.Op == "" {
			ce.Op = op
		}
		return ce
	}
	var te *template.Error
	if errors.As(err, &te) {
		return e.templateError(op, call, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &Error{Op: op, Call: call, Message: "canceled", Err: err}
	}
	return e.mask(&Error{Op: op, Call: call, Message: err.Error()})
}

// templateError reports a render failure at its spec path. A missing key is
// a problem of the input (a required attribute absent), not of the spec.
func (e *Engine) templateError(op Operation, call string, err error) *Error {
	out := &Error{Op: op, Call: call, Message: err.Error()}
	var te *template.Error
	if errors.As(err, &te) {
		out.Path = te.Template
		out.Message = te.Msg
		if te.Key != "" {
			out.Message = "required value missing: " + te.Msg
		}
		renderStopped(out, te)
	}
	return e.mask(out)
}

// specRenderError reports a template of the connection that fails to
// render in New (a parameter missing, a bad value): a problem of the spec
// and its parameters.
func (e *Engine) specRenderError(err error) *Error {
	out := e.templateError("", "", err)
	out.Err = ErrInvalidSpec
	return out
}

func (e *Engine) mask(err *Error) *Error { return maskWith(e.red, err) }

// maskWith masks every text field of err with red (the engine's redactor,
// or an operation's, which also knows the request's password).
func maskWith(red *redact.Redactor, err *Error) *Error {
	err.Message = red.String(err.Message)
	err.Code = red.String(err.Code)
	if err.Err != nil && !isSentinel(err.Err) {
		err.Err = red.Error(err.Err)
	}
	return err
}

func isSentinel(err error) bool {
	for _, s := range []error{ErrUnsupported, ErrAuth, ErrNotFound, ErrConflict, ErrRateLimited, ErrInvalidSpec, ErrLimit} {
		if err == s {
			return true
		}
	}
	return false
}

// ctxError reports a call cut short by ctx.
func ctxError(ctx context.Context, op Operation, call string, err error) *Error {
	if c := ctx.Err(); c != nil {
		err = c
	}
	return &Error{Op: op, Call: call, Message: "canceled", Err: err}
}
