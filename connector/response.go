package connector

import (
	"bytes"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/jsonpath"
	"github.com/restconn/restconn/internal/jsonx"
	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/internal/vars"
)

// response is a received response with its body decoded.
type response struct {
	status  int
	header  http.Header
	body    any // decoded JSON, the text of a non-JSON body, or nil when empty
	raw     []byte
	url     *url.URL
	badJSON error // set when the body looked like JSON but did not parse
}

func (r *response) binding() map[string]any { return vars.Response(r.status, r.header, r.body) }

// decodeResponse decodes a JSON body (numbers as json.Number, so large IDs
// keep every digit) in one pass with jsonx, which gives the values
// encoding/json would at a fraction of the cost: this is the hot path of an
// import. A body that looks like JSON but does not parse is recorded in
// badJSON; other bodies are kept as text.
func decodeResponse(hr *httpx.Response, u *url.URL) *response {
	r := &response{status: hr.StatusCode, header: hr.Header, raw: hr.Body, url: u}
	trimmed := bytes.TrimSpace(hr.Body)
	if len(trimmed) == 0 {
		return r
	}
	ct := strings.ToLower(hr.Header.Get("Content-Type"))
	if trimmed[0] == '{' || trimmed[0] == '[' || strings.Contains(ct, "json") {
		v, err := jsonx.Decode(trimmed)
		if err != nil {
			r.badJSON = err
			r.body = string(hr.Body)
			return r
		}
		r.body = v
		return r
	}
	r.body = string(hr.Body)
	return r
}

// succeeded applies the call's success rule (default: any 2xx) and failure
// conditions (the call's, else the connection's: the compiler gives the
// call the connection's when it has none).
func (cc *compiledCall) succeeded(r *response, data map[string]any) bool {
	if cc.success != nil {
		if len(cc.success.status) > 0 && !slices.Contains(cc.success.status, r.status) {
			return false
		}
		if len(cc.success.status) == 0 && (r.status < 200 || r.status > 299) {
			return false
		}
		if !allHold(cc.success.when, r, data) {
			return false
		}
	} else if r.status < 200 || r.status > 299 {
		return false
	}
	for _, k := range cc.failure {
		if k.holds(r, data) {
			return false
		}
	}
	return true
}

// responseError builds the error for a failed response: vendor code and
// message from the error paths, and the sentinel from the spec's code map,
// the status, or kind.
func responseError(op Operation, cc *compiledCall, r *response, red *redact.Redactor, kind error) *Error {
	rules := cc.errors
	out := &Error{Op: op, Call: cc.name, StatusCode: r.status, Err: kind}
	if rules != nil {
		out.Code = firstText(rules.code, r.body)
		out.Message = firstText(rules.message, r.body)
		if s, ok := rules.kinds[out.Code]; ok {
			out.Err = s
		}
	}
	if out.Err == nil {
		out.Err = sentinelForStatus(r.status)
	}
	if out.Code == "" && out.Message == "" && len(bytes.TrimSpace(r.raw)) > 0 {
		out.Message = snippet(r.raw, red)
	}
	if out.Message == "" && out.Code == "" {
		out.Message = http.StatusText(r.status)
	}
	out.Code = red.String(out.Code)
	out.Message = red.String(out.Message)
	return out
}

func firstText(paths []*jsonpath.Path, body any) string {
	for _, p := range paths {
		if v, ok := p.Get(body); ok && v != nil {
			if s, err := record.ToString(v); err == nil && s != "" {
				return s
			}
		}
	}
	return ""
}

var space = regexp.MustCompile(`\s+`)

// snippet is the start of a body for an error message, secrets masked.
func snippet(b []byte, red *redact.Redactor) string {
	s := red.String(strings.TrimSpace(space.ReplaceAllString(string(b), " ")))
	if len(s) > 300 {
		s = s[:300]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "…"
	}
	return s
}

// sanitize rewrites a *url.Error so its URL carries no secrets in the query.
func sanitize(err error, red *redact.Redactor) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: red.URL(ue.URL), Err: red.Error(ue.Err)}
	}
	return err
}
