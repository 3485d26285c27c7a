package connector

import (
	"net/http"
	"strings"

	"github.com/restconn/restconn/internal/redact"
)

// Masking by field name (connection.mask): the values of the named JSON
// keys, form fields and query parameters are masked in traces, logs and
// errors, in requests and responses alike. A value is also learnt by the
// redactor of the call (of the operation, for provisioning and tickets),
// so that a server that echoes it elsewhere (in an error message) is
// masked too. Without connection.mask none of this runs.

// minLearnt is the shortest field value the redactor learns: masking every
// "1" or "no" in every message would leave nothing to read.
const minLearnt = 3

// scoped returns the redactor of a call or an operation given red: red
// itself, unless it is the engine's and fields are masked, then a child
// that learns the masked values it meets without teaching them to the
// engine. So values learnt by a call made with the engine's redactor (an
// import's calls, a login) live as long as that call: an import must not
// pile up every record's values; while an operation's redactor
// (provisioning, tickets) keeps them for the calls that follow in its
// chain.
func (e *Engine) scoped(red *redact.Redactor) *redact.Redactor {
	if e.fields != nil && red == e.red {
		return red.With()
	}
	return red
}

// learn teaches red the values of masked fields.
func learn(red *redact.Redactor, values []string) {
	for _, v := range values {
		if len(v) >= minLearnt {
			red.Add(v)
		}
	}
}

// learnRequest teaches red the masked field values of a request: its
// query, its body and its headers.
func (e *Engine) learnRequest(red *redact.Redactor, b *built) {
	if e.fields == nil {
		return
	}
	_, q := e.fields.Query(b.url)
	learn(red, q)
	_, body := e.maskBody(b.body, b.header)
	learn(red, body)
	for k, vs := range b.header {
		if e.fields.Has(k) {
			learn(red, vs)
		}
	}
}

// learnResponse teaches red the masked field values of a decoded
// response, and those of its headers.
func (e *Engine) learnResponse(red *redact.Redactor, r *response) {
	if e.fields == nil {
		return
	}
	learn(red, e.fields.Values(r.body))
	for k, vs := range r.header {
		if e.fields.Has(k) {
			learn(red, vs)
		}
	}
}

// maskBody masks the values of masked fields in a JSON or form body and
// returns them.
func (e *Engine) maskBody(body []byte, h http.Header) ([]byte, []string) {
	if e.fields == nil || len(body) == 0 {
		return body, nil
	}
	if isForm(h) {
		s, values := e.fields.Form(string(body))
		return []byte(s), values
	}
	return e.fields.JSON(body)
}

func isForm(h http.Header) bool {
	return strings.HasPrefix(h.Get("Content-Type"), "application/x-www-form-urlencoded")
}

// maskURL masks a URL for a log or a trace: masked fields in its query,
// credential parameters by name, and every secret red knows.
func (e *Engine) maskURL(u string, red *redact.Redactor) string {
	if e.fields != nil {
		u, _ = e.fields.Query(u)
	}
	return red.URL(u)
}
