package connector

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

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
// import. Decoding stops at the limits lim gives for the body's size (a
// list longer than connection.maxListLength, a memory budget of a few
// times the body). A body that looks like JSON but does not parse, or goes
// past a limit, is recorded in badJSON; other bodies are kept as text.
func decodeResponse(hr *httpx.Response, u *url.URL, lim func(n int) jsonx.Limits) *response {
	r := &response{status: hr.StatusCode, header: hr.Header, raw: hr.Body, url: u}
	trimmed := bytes.TrimSpace(hr.Body)
	if len(trimmed) == 0 {
		return r
	}
	ct := strings.ToLower(hr.Header.Get("Content-Type"))
	if trimmed[0] == '{' || trimmed[0] == '[' || strings.Contains(ct, "json") {
		v, err := jsonx.DecodeLimits(trimmed, lim(len(trimmed)))
		if err != nil {
			r.badJSON = err
			if _, tooLarge := err.(*jsonx.LimitError); !tooLarge {
				r.body = string(hr.Body) // for conditions on the text; a refused body is not copied
			}
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
func (cc *compiledCall) succeeded(ctx context.Context, r *response, data map[string]any) (bool, error) {
	if (cc.success == nil || len(cc.success.status) == 0) && (r.status < 200 || r.status > 299) {
		return false, nil
	}
	if cc.success != nil {
		if ok, err := cc.success.matches(ctx, r, data); !ok || err != nil {
			return false, err
		}
	}
	for _, k := range cc.failure {
		if failed, err := k.holds(ctx, r, data); failed || err != nil {
			return false, err
		}
	}
	return true, nil
}

// responseError builds the error for a failed response: vendor code and
// message from the error paths, and the sentinel from the spec's code map,
// the status, or kind.
func responseError(op Operation, cc *compiledCall, r *response, red *redact.Redactor, fields *redact.Fields, kind error) *Error {
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
		out.Message = snippetOf(r.raw, red, fields)
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

// snippetLimit is how much of a body an error message quotes.
const snippetLimit = 300

// snippet is the start of a body for an error message: secrets masked on
// the raw text first, then white space squeezed and the text cut, so that
// neither can hide a secret from the masker.
func snippet(b []byte, red *redact.Redactor) string { return red.Snippet(b, snippetLimit) }

// snippetOf is snippet with the values of the masked fields of a JSON
// body masked too.
func snippetOf(b []byte, red *redact.Redactor, fields *redact.Fields) string {
	if fields != nil {
		b, _ = fields.JSON(b)
	}
	return snippet(b, red)
}
