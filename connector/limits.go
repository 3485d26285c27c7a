package connector

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/restconn/restconn/internal/jsonx"
	"github.com/restconn/restconn/template"
)

// Bounds on hostile input: a server's response may not make the engine
// decode millions of records, and a spec's template may not build
// gigabytes or loop for hours. Each bound has a spec field and an option.
const (
	// DefaultMaxListLength is the most elements any one list in a
	// response may hold (connection.maxListLength): more records than any
	// API returns on one page, and few enough that a page of millions of
	// tiny ones is refused before it is decoded.
	DefaultMaxListLength = jsonx.DefaultMaxArrayLen
	// DefaultMaxRenderBytes is the most text one rendering of a template,
	// or of a whole body, may produce (connection.maxRenderBytes).
	DefaultMaxRenderBytes = template.DefaultMaxOutput
	// DefaultMaxRenderSteps is the most work one rendering may do
	// (connection.maxRenderSteps): loop iterations times the commands of
	// their bodies, and list elements built or copied.
	DefaultMaxRenderSteps = template.DefaultMaxSteps
)

// decodeLimits are the limits of decoding a body of n bytes: the
// engine's list length, and a memory budget of a few times the body (see
// jsonx.DefaultLimits), or connection.maxDecodeBytes, so that a page of ten
// million {} cannot take a gigabyte.
func (e *Engine) decodeLimits(n int) jsonx.Limits {
	l := jsonx.DefaultLimits(n)
	l.MaxArrayLen = e.maxList
	if e.maxDecode > 0 {
		l.MaxAlloc = e.maxDecode
	}
	return l
}

// limitError is the Err of an *Error of input refused by a bound: it
// matches ErrLimit, and errors.As finds the bound's own error in cause (a
// *jsonx.LimitError, a *template.LimitError).
type limitError struct{ cause error }

func (e *limitError) Error() string   { return ErrLimit.Error() }
func (e *limitError) Unwrap() []error { return []error{ErrLimit, e.cause} }

// tooLarge is the error of a call whose response went past a decoding
// limit. The response arrived whole: sending the request again would get
// the same, so it is not retried.
func tooLarge(op Operation, cc *compiledCall, r *response, lp *listPage, le *jsonx.LimitError) *Error {
	where := "the response"
	if lp != nil && (lp.st != nil || cc.records != nil) {
		page := 1
		if lp.st != nil {
			page = lp.st.Number + 1
		}
		where = fmt.Sprintf("page %d", page)
	}
	var msg string
	switch le.Limit {
	case "MaxArrayLen":
		msg = fmt.Sprintf("%s is refused: the list at %s has more than %d elements (connection.maxListLength)", where, le.Path, le.Max)
	case "MaxDepth":
		msg = fmt.Sprintf("%s is refused: the value at %s nests deeper than %d levels", where, le.Path, le.Max)
	default:
		msg = fmt.Sprintf("%s is refused: decoding its %d bytes would take more than %d bytes of memory (connection.maxDecodeBytes; stopped at %s)", where, len(r.raw), le.Max, le.Path)
	}
	return &Error{Op: op, Call: cc.name, StatusCode: r.status, Message: msg, Err: &limitError{le}}
}

// renderLimitFields name the spec fields of template.Limits, for errors.
var renderLimitFields = strings.NewReplacer("(MaxOutput)", "(connection.maxRenderBytes)", "(MaxSteps)", "(connection.maxRenderSteps)")

// renderStopped fills out, the error of a template that failed to render,
// when the rendering was stopped by its limits (ErrLimit, with the
// *template.LimitError in the chain) or by the end of its context (the
// context's error). It reports whether it was.
func renderStopped(out *Error, te *template.Error) bool {
	var le *template.LimitError
	switch {
	case errors.As(te, &le):
		out.Message = renderLimitFields.Replace(le.Error())
		out.Err = &limitError{le}
	case errors.Is(te, context.Canceled):
		out.Message, out.Err = "canceled", context.Canceled
	case errors.Is(te, context.DeadlineExceeded):
		out.Message, out.Err = "canceled", context.DeadlineExceeded
	default:
		return false
	}
	return true
}
