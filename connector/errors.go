package connector

import (
	"errors"
	"strconv"
	"strings"
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
)

// Error describes a failure: where it happened (operation, spec path, call),
// what the target said (HTTP status, vendor error code and message) and the
// underlying error. Secrets are masked in every field before an Error is
// built.
type Error struct {
	Op         Operation // the operation, or "connect", "importAccounts", "importAccess", "ticketStatus"
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
