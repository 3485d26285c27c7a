package connector

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/redact"
)

// Trace describes one HTTP attempt, with every known secret masked (in
// every encoding, and the values of connection.mask's fields by name) and
// bodies cut at 64 KiB. Err is masked at every level of its chain.
type Trace struct {
	Op             Operation
	Call           string
	Attempt        int
	Method         string
	URL            string
	RequestHeader  http.Header
	RequestBody    string
	StatusCode     int
	ResponseHeader http.Header
	ResponseBody   string
	Duration       time.Duration
	Err            error
}

const traceBodyLimit = 64 << 10

func (e *Engine) traceAttempt(ctx context.Context, op Operation, call string, n int, b *built, hr *httpx.Response, err error, red *redact.Redactor) {
	if e.trace == nil {
		return
	}
	reqBody, _ := e.maskBody(b.body, b.header)
	t := Trace{Op: op, Call: call, Attempt: n, Method: b.method, URL: e.maskURL(b.url, red),
		RequestHeader: e.maskHeader(b.header, red), RequestBody: red.Head(reqBody, traceBodyLimit)}
	if hr != nil {
		respBody := hr.Body
		if e.fields != nil {
			// The trace is written before the response is read: learn
			// the masked values first, in case the body echoes them.
			var values []string
			respBody, values = e.fields.JSON(respBody)
			learn(red, values)
		}
		t.StatusCode, t.ResponseHeader, t.ResponseBody, t.Duration = hr.StatusCode, e.maskHeader(hr.Header, red), red.Head(respBody, traceBodyLimit), hr.Duration
	}
	if err != nil {
		t.Err = red.Error(err)
	}
	e.trace(ctx, t)
}

// maskHeader masks header values: those of credential names (see
// redact.SensitiveName) and of masked fields whole, every known secret in
// the others.
func (e *Engine) maskHeader(h http.Header, red *redact.Redactor) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			if redact.SensitiveName(k) || e.fields.Has(k) {
				v = redact.Mask
			}
			out[k] = append(out[k], red.String(v))
		}
	}
	return out
}

// logHTTP writes the one debug line per attempt, with the URL masked by
// red (see maskURL): only when debug lines are logged, as masking parses
// the URL.
func (e *Engine) logHTTP(ctx context.Context, call string, attempt int, method, rawURL string, red *redact.Redactor, status int, d time.Duration, err error) {
	if !e.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("call", call), slog.String("method", method), slog.String("url", e.maskURL(rawURL, red)), slog.Int("attempt", attempt)}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	attrs = append(attrs, slog.Duration("duration", d))
	if err != nil {
		attrs = append(attrs, slog.String("error", e.red.String(err.Error())))
	}
	e.log.LogAttrs(ctx, slog.LevelDebug, "http", attrs...)
}
