package connector

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/redact"
)

// Trace describes one HTTP attempt, with every known secret masked and
// bodies cut at 64 KiB.
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
	t := Trace{Op: op, Call: call, Attempt: n, Method: b.method, URL: red.URL(b.url), RequestHeader: maskHeader(b.header, red), RequestBody: cut(red.String(string(b.body)))}
	if hr != nil {
		t.StatusCode, t.ResponseHeader, t.ResponseBody, t.Duration = hr.StatusCode, maskHeader(hr.Header, red), cut(red.String(string(hr.Body))), hr.Duration
	}
	if err != nil {
		t.Err = red.Error(sanitize(err, red))
	}
	e.trace(ctx, t)
}

func cut(s string) string {
	if len(s) > traceBodyLimit {
		return s[:traceBodyLimit] + "…"
	}
	return s
}

func maskHeader(h http.Header, red *redact.Redactor) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		for _, v := range vs {
			if redact.SensitiveName(k) {
				v = redact.Mask
			}
			out[k] = append(out[k], red.String(v))
		}
	}
	return out
}

// logHTTP writes the one debug line per attempt.
func (e *Engine) logHTTP(ctx context.Context, call string, attempt int, method, maskedURL string, status int, d time.Duration, err error) {
	if !e.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{slog.String("call", call), slog.String("method", method), slog.String("url", maskedURL), slog.Int("attempt", attempt)}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	attrs = append(attrs, slog.Duration("duration", d))
	if err != nil {
		attrs = append(attrs, slog.String("error", e.red.String(err.Error())))
	}
	e.log.LogAttrs(ctx, slog.LevelDebug, "http", attrs...)
}
