package connector_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// echoModes are the ways the fuzzed server echoes what it was sent: in an
// error body (read by the spec's message path, or quoted), JSON-escaped
// every way JSON allows, URL-encoded, as HTML, in headers, in a response
// whose framing it breaks, or inside a 200 that the spec's failure rule
// turns into an error.
var echoModes = []struct {
	name string
	echo func(w io.Writer, h http.Header, s string) (status int)
}{
	{"json message", func(w io.Writer, h http.Header, s string) int {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": "refused " + s}})
		h.Set("Content-Type", "application/json")
		return write(w, 400, b)
	}},
	{"json slashes", func(w io.Writer, h http.Header, s string) int {
		return write(w, 400, []byte(`{"error": {"message": "refused `+strings.ReplaceAll(jsonText(s), "/", `\/`)+`"}}`))
	}},
	{"json u-escapes", func(w io.Writer, h http.Header, s string) int {
		return write(w, 422, []byte(`{"detail": "refused `+uEscape(s)+`"}`))
	}},
	{"text with white space", func(w io.Writer, h http.Header, s string) int {
		h.Set("Content-Type", "text/plain")
		return write(w, 400, []byte("Refused:\n\t "+s+"  \n\tbye"))
	}},
	{"query-escaped", func(w io.Writer, h http.Header, s string) int {
		return write(w, 400, []byte(`{"error": {"message": "see /errors?key=`+url.QueryEscape(s)+`"}}`))
	}},
	{"path-escaped", func(w io.Writer, h http.Header, s string) int {
		return write(w, 404, []byte(`{"error": {"message": "no /keys/`+url.PathEscape(s)+`"}}`))
	}},
	{"html", func(w io.Writer, h http.Header, s string) int {
		h.Set("Content-Type", "text/html")
		return write(w, 502, []byte("<html><body><p>"+html.EscapeString(s)+"</p></body></html>"))
	}},
	{"headers", func(w io.Writer, h http.Header, s string) int {
		h.Set("X-Echo", strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return -1
			}
			return r
		}, s))
		h.Set("Location", "/errors/1?key="+url.QueryEscape(s))
		return write(w, 401, []byte(`{}`))
	}},
	{"go-quoted", func(w io.Writer, h http.Header, s string) int {
		return write(w, 400, []byte(`{"error": {"message": `+strconv.Quote(strconv.Quote(s))+`}}`))
	}},
	{"json in a query", func(w io.Writer, h http.Header, s string) int {
		return write(w, 400, []byte(`{"error": {"message": "/retry?state=`+url.QueryEscape(`{"k":"`+uEscape(s)+`"}`)+`"}}`))
	}},
	{"error inside a 200", func(w io.Writer, h http.Header, s string) int {
		b, _ := json.Marshal(map[string]any{"Error": map[string]any{"ErrorCode": "Bad " + s, "ErrorMessage": s}})
		return write(w, 200, b)
	}},
}

func write(w io.Writer, status int, b []byte) int {
	if rw, ok := w.(http.ResponseWriter); ok {
		rw.WriteHeader(status)
	}
	_, _ = w.Write(b)
	return status
}

// malformedMode is the mode past echoModes: a header line without a
// colon, which Go's client quotes in its transport error.
var malformedMode = len(echoModes)

// fuzzSecret makes a secret of raw: valid UTF-8 without control
// characters, between marks no fixed text of the engine holds, so that a
// secret cannot match a message by chance. ok is false for raw that makes
// no usable secret.
func fuzzSecret(raw []byte) (string, bool) {
	s := strings.ToValidUTF8(string(raw), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\t' {
			return -1
		}
		return r
	}, s)
	if utf8.RuneCountInString(s) < 4 || len(s) > 64 || strings.Contains(s, "REDACTED") {
		return "", false
	}
	return "zQ" + s + "jX", true
}

// FuzzSecretEcho sends a random secret (as an API key in a header or the
// query, or as the password of a request, in the body) to a server that
// echoes it back in a random one of the forms servers use, and checks that
// no printed form of it reaches the error chain, the debug log or a trace.
func FuzzSecretEcho(f *testing.F) {
	f.Add([]byte("pass  word\twith/slash+plus é😀"), uint8(0), uint8(0))
	f.Add([]byte(`a"b\c/d<e>&f`), uint8(1), uint8(1))
	f.Add([]byte("key with spaces+and+plus"), uint8(4), uint8(2))
	f.Add([]byte("ünïcödé 😀 surrogates"), uint8(2), uint8(0))
	f.Add([]byte("100%25 encoded%2Fslash"), uint8(9), uint8(1))
	f.Add([]byte("malformed-header-key"), uint8(malformedMode), uint8(0))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	defer ln.Close()
	go serveEchoes(ln)
	base := "http://" + ln.Addr().String()
	// One client for every run: an engine's own would keep its idle
	// connections open for as long as the fuzzer runs.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	parsed := map[string]*connector.Spec{}
	for _, in := range []string{"header", "query", "body"} {
		auth := `"auth": {"k": {"type": "apiKey", "in": "` + map[string]string{"header": "header", "query": "query", "body": "header"}[in] + `", "name": "X-Api-Key", "value": "{{ .secrets.key }}"}},`
		s, err := connector.Parse([]byte(`{"name": "echo", "connection": {"baseURL": "` + base + `", ` + auth + `
			"retry": {"maxAttempts": 2, "minBackoff": "1ms", "maxBackoff": "1ms"},
			"headers": {"X-Mode": "{{ .params.mode }}"},
			"errors": {"code": "Error.ErrorCode", "message": ["error.message", "Error.ErrorMessage"]},
			"failure": [{"path": "Error", "exists": true}]},
			"params": {"mode": {"required": true}},
			"secrets": {"key": {}},
			"provision": {"createAccount": {"calls": [{"name": "create", "method": "POST", "path": "/users", "idempotent": true,
				"body": {"userName": "ann", "password": "{{ .password }}"}}]}}}`))
		if err != nil {
			f.Fatal(err)
		}
		parsed[in] = s
	}

	f.Fuzz(func(t *testing.T, raw []byte, mode, where uint8) {
		secret, ok := fuzzSecret(raw)
		if !ok {
			t.Skip()
		}
		in := []string{"header", "query", "body"}[int(where)%3]
		m := int(mode) % (len(echoModes) + 1)
		req := connector.Request{Op: connector.CreateAccount}
		secrets := map[string]string{"key": "kk-not-the-secret-kk"}
		if in == "body" {
			req.Password = secret
		} else {
			secrets["key"] = secret
		}
		lc := connectortest.NewLeakCheck(t, secret)
		e, err := connector.New(parsed[in], append(lc.Options(), connector.WithParams(map[string]any{"mode": m}), connector.WithSecrets(secrets), connector.WithHTTPClient(client))...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.Provision(context.Background(), req)
		if err == nil {
			if m == malformedMode && strings.Contains(secret, ":") {
				// The header line has a colon after all: the client
				// reads it as a header, and the call succeeds.
				lc.Check()
				return
			}
			t.Fatalf("mode %d: the server refused, but Provision succeeded", m)
		}
		lc.Err(err)
		printed := err.Error()
		for _, tr := range lc.Traces() {
			if tr.Err != nil {
				lc.Err(tr.Err)
			}
			printed += fmt.Sprintf("%+v %v", tr, tr.ResponseHeader)
		}
		if !strings.Contains(printed, "REDACTED") {
			t.Fatalf("mode %d (%s): the echo was not seen: %s", m, in, printed)
		}
		lc.Check()
		checkNoLeak(t, lc, []error{err}, secret)
	})
}

// serveEchoes answers every request on ln by echoing what it carried (the
// API key from the header or the query, the password from the body) in
// the mode its X-Mode header asks for.
func serveEchoes(ln net.Listener) {
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		go func(c net.Conn) {
			defer c.Close()
			_ = c.SetDeadline(time.Now().Add(10 * time.Second))
			br := bufio.NewReader(c)
			for {
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				var body struct{ Password string }
				_ = json.NewDecoder(req.Body).Decode(&body)
				_ = req.Body.Close()
				said := strings.TrimSpace(req.Header.Get("X-Api-Key") + " " + req.URL.Query().Get("X-Api-Key") + " " + body.Password)
				mode, _ := strconv.Atoi(req.Header.Get("X-Mode"))
				if mode == malformedMode || mode < 0 || mode > malformedMode {
					fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Echo %s\r\n\r\n", strings.NewReplacer("\r", "", "\n", "").Replace(said))
					return
				}
				rec := &responseRecorder{header: http.Header{}}
				echoModes[mode].echo(rec, rec.header, said)
				rec.header.Set("Content-Length", strconv.Itoa(len(rec.body)))
				resp := &http.Response{StatusCode: rec.status, ProtoMajor: 1, ProtoMinor: 1, Header: rec.header,
					Body: io.NopCloser(strings.NewReader(string(rec.body))), ContentLength: int64(len(rec.body))}
				if err := resp.Write(c); err != nil {
					return
				}
			}
		}(c)
	}
}

// responseRecorder collects what an echo mode writes.
type responseRecorder struct {
	header http.Header
	status int
	body   []byte
}

func (r *responseRecorder) Header() http.Header { return r.header }
func (r *responseRecorder) WriteHeader(s int)   { r.status = s }
func (r *responseRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = 200
	}
	r.body = append(r.body, b...)
	return len(b), nil
}
