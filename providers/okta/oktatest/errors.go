package oktatest

import (
	"fmt"
	"net/http"
)

// apiError is an error response in Okta's shape.
type apiError struct {
	status  int
	code    string
	summary string
	causes  []string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.summary) }

// errorCause is an entry of errorCauses.
type errorCause struct {
	ErrorSummary string `json:"errorSummary"`
}

// errorBody is Okta's Error schema. errorCauses is always an array, as the
// schema says (some examples in the description show an object).
type errorBody struct {
	ErrorCode    string       `json:"errorCode"`
	ErrorSummary string       `json:"errorSummary"`
	ErrorLink    string       `json:"errorLink"`
	ErrorID      string       `json:"errorId"`
	ErrorCauses  []errorCause `json:"errorCauses"`
}

func (e *apiError) response() response {
	b := errorBody{
		ErrorCode:    e.code,
		ErrorSummary: e.summary,
		ErrorLink:    e.code,
		ErrorID:      "oae" + randomString(22),
		ErrorCauses:  []errorCause{},
	}
	for _, c := range e.causes {
		b.ErrorCauses = append(b.ErrorCauses, errorCause{ErrorSummary: c})
	}
	return response{status: e.status, v: b}
}

// apiErrorf builds an error with one cause.
func apiErrorf(status int, code, summary, cause string, args ...any) *apiError {
	return &apiError{status: status, code: code, summary: summary, causes: []string{fmt.Sprintf(cause, args...)}}
}

// The errors of Okta's error-code catalogue that the fake sends.
var (
	errInvalidToken     = &apiError{status: http.StatusUnauthorized, code: "E0000011", summary: "Invalid token provided"}
	errRateLimited      = &apiError{status: http.StatusTooManyRequests, code: "E0000047", summary: "API call exceeded rate limit due to too many requests."}
	errMalformed        = &apiError{status: http.StatusBadRequest, code: "E0000003", summary: "The request body was not well-formed."}
	errPathNotFound     = &apiError{status: http.StatusNotFound, code: "E0000008", summary: "The requested path was not found"}
	errMethodNotAllowed = &apiError{status: http.StatusMethodNotAllowed, code: "E0000022", summary: "The endpoint does not support the provided HTTP method"}
	errAccessDenied     = &apiError{status: http.StatusForbidden, code: "E0000006", summary: "You do not have permission to perform the requested action"}
	errWrongStatus      = &apiError{status: http.StatusForbidden, code: "E0000038", summary: "This operation is not allowed in the user's current status."}
	errAlreadyActive    = &apiError{status: http.StatusForbidden, code: "E0000016", summary: "Activation failed because the user is already active"}
	errUnlockNotAllowed = &apiError{status: http.StatusForbidden, code: "E0000032", summary: "Unlock is not allowed for this user."}
	errSearchAndFilter  = &apiError{status: http.StatusBadRequest, code: "E0000033", summary: "Bad request. Can't specify a search query and filter in the same request."}
	errDuplicateRole    = &apiError{status: http.StatusConflict, code: "E0000090", summary: "Duplicate role assignment exception"}
)

// notFound is E0000007 for a resource of the given kind: Okta names users
// "User" and groups "UserGroup".
func notFound(id, kind string) *apiError {
	return &apiError{status: http.StatusNotFound, code: "E0000007", summary: fmt.Sprintf("Not found: Resource not found: %s (%s)", id, kind)}
}

// validationFailed is E0000001 for a field, with causes such as
// "login: The field cannot be left blank".
func validationFailed(field string, causes ...string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "E0000001", summary: "Api validation failed: " + field, causes: causes}
}

// invalidSearch is E0000031, for a filter or search the fake cannot parse or
// that uses a property or operator Okta does not support there.
func invalidSearch(cause string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "E0000031", summary: "Invalid search criteria.", causes: []string{cause}}
}

// invalidDate is E0000030, for a timestamp in a filter or search that is
// not in Okta's form.
func invalidDate(cause string) *apiError {
	return &apiError{status: http.StatusBadRequest, code: "E0000030",
		summary: "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.",
		causes:  []string{cause}}
}

// injectedFailure is the error FailNext sends: E0000009 for 500, as Okta's
// catalogue says; other statuses reuse it with their own text (inferred).
func injectedFailure(status int) *apiError {
	summary := "Internal Server Error"
	if status != http.StatusInternalServerError {
		summary = http.StatusText(status)
	}
	return &apiError{status: status, code: "E0000009", summary: summary}
}
