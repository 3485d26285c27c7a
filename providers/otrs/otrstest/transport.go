package otrstest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// route is one entry of the sample web service's RouteOperationMapping.
type route struct {
	op, method string
	re         *regexp.Regexp
	ticketOp   bool
}

// routes are tried in operation-name order, first match wins, like REST.pm.
// Znuny's sample also maps TicketHistoryGet (GET /TicketHistory/:TicketID);
// it is not modelled, so such requests get the no-route error.
var routes = func() []route {
	mk := func(op, method, pattern string, ticketOp bool) route {
		re := regexp.MustCompile(`:([^/]+)`).ReplaceAllString(regexp.QuoteMeta(pattern), `(?P<$1>[^/]+)`)
		return route{op: op, method: method, re: regexp.MustCompile(`^` + re + `$`), ticketOp: ticketOp}
	}
	return []route{
		mk("SessionCreate", http.MethodPost, "/Session", false),
		mk("SessionGet", http.MethodGet, "/Session/:SessionID", false),
		mk("TicketCreate", http.MethodPost, "/Ticket", true),
		mk("TicketGet", http.MethodGet, "/Ticket/:TicketID", true),
		mk("TicketGetList", http.MethodGet, "/TicketList", true),
		mk("TicketSearch", http.MethodGet, "/Ticket", true),
		mk("TicketUpdate", "PATCH", "/Ticket/:TicketID", true),
	}
}()

var (
	// providerRe locates the web service in REQUEST_URI (Provider.pm).
	providerRe = regexp.MustCompile(`nph-genericinterface[.]pl/(?:WebserviceID/(\d+)|Webservice/([^/?]+))`)
	// routeURIRe strips everything up to the web service name (REST.pm).
	routeURIRe = regexp.MustCompile(`^(?s:.*Webservice(?:ID)?/[^/]+(/.*))$`)
)

// opResult is what an operation hands back to the transport.
type opResult struct {
	data  map[string]any // Success => 1: HTTP 200 JSON
	fault string         // Success => 0: HTTP 500 fault
	crash bool           // Perl died: Apache 500 page
}

func success(data map[string]any) opResult { return opResult{data: data} }

// opError is ReturnError(): HTTP 200 with an Error object.
func opError(code, msg string) opResult {
	return success(map[string]any{"Error": map[string]any{"ErrorCode": code, "ErrorMessage": msg}})
}

func serverFault(msg string) opResult { return opResult{fault: msg} }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Connection", "close")

	// Read (a bounded amount of) the body up front so it can be recorded.
	var body []byte
	var readErr error
	if r.ContentLength <= s.cfg.maxLength {
		body, readErr = io.ReadAll(io.LimitReader(r.Body, s.cfg.maxLength+1))
	}
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body})
	s.mu.Unlock()

	if r.URL.Path != ScriptPath && !strings.HasPrefix(r.URL.Path, ScriptPath+"/") {
		writeApache(w, http.StatusNotFound)
		return
	}

	// Provider: an unknown web service makes the handler return without a
	// transport, and Apache answers with its generic 500.
	rawURI := r.RequestURI
	m := providerRe.FindStringSubmatch(rawURI)
	switch {
	case m == nil:
		writeApache(w, http.StatusInternalServerError)
		return
	case m[1] != "":
		if m[1] != "1" {
			writeApache(w, http.StatusInternalServerError)
			return
		}
	default:
		if name, err := url.PathUnescape(m[2]); err != nil || name != s.cfg.webservice {
			writeApache(w, http.StatusInternalServerError)
			return
		}
	}

	// Transport (REST.pm ProviderProcessRequest).
	reqURI := rawURI
	if mm := routeURIRe.FindStringSubmatch(reqURI); mm != nil {
		reqURI = mm[1]
	}
	var rawQuery string
	if i := strings.IndexByte(reqURI, '?'); i > 0 {
		reqURI, rawQuery = reqURI[:i], reqURI[i+1:]
	}
	uriData := parseQuery(rawQuery)

	var rt *route
	for i := range routes {
		if routes[i].method != r.Method {
			continue
		}
		if mm := routes[i].re.FindStringSubmatch(reqURI); mm != nil {
			rt = &routes[i]
			for j, name := range rt.re.SubexpNames() {
				if name != "" {
					uriData[name] = uriUnescape(mm[j])
				}
			}
			break
		}
	}
	if rt == nil {
		writeText(w, http.StatusInternalServerError, "HTTP::REST Error while determine Operation for request URI '"+reqURI+"'.")
		return
	}

	if rt.ticketOp && s.injectFault(w) {
		return
	}

	var data any
	switch {
	// GET bodies are ignored, and without a Content-Length nothing is read
	// (a chunked body is never seen by the CGI handler).
	case r.ContentLength <= 0 || r.Method == http.MethodGet:
		uriData["RequestMethod"] = r.Method
		data = uriData
	case r.ContentLength > s.cfg.maxLength:
		writeText(w, http.StatusRequestEntityTooLarge, http.StatusText(http.StatusRequestEntityTooLarge))
		return
	case readErr != nil || len(body) == 0:
		writeText(w, http.StatusInternalServerError, "Could not read input data")
		return
	default:
		decoded, err := decodeJSON(body)
		if err != nil || !truthy(decoded) {
			writeText(w, http.StatusInternalServerError, "Error while decoding request content.")
			return
		}
		switch {
		case isHashWithData(decoded):
			mm := decoded.(map[string]any)
			for k, v := range uriData {
				mm[k] = v
			}
			data = mm
		case isArrayWithData(decoded):
			for _, e := range decoded.([]any) {
				if isHashWithData(e) {
					for k, v := range uriData {
						e.(map[string]any)[k] = v
					}
				}
			}
			data = decoded
		default:
			writeText(w, http.StatusInternalServerError, "Unsupported request content structure.")
			return
		}
	}

	s.mu.Lock()
	res := s.run(rt.op, data, r)
	s.mu.Unlock()

	switch {
	case res.crash:
		writeApache(w, http.StatusInternalServerError)
	case res.data == nil:
		b, _ := encodeJSON(map[string]any{"faultcode": "Server", "faultstring": res.fault})
		writeText(w, http.StatusInternalServerError, string(b))
	default:
		b, err := encodeJSON(res.data)
		if err != nil {
			writeText(w, http.StatusInternalServerError, "Error while encoding return JSON structure.")
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(b)
	}
}

func (s *Server) run(op string, data any, r *http.Request) opResult {
	switch op {
	case "SessionCreate":
		return s.sessionCreate(data, r)
	case "SessionGet":
		return s.sessionGet(data)
	case "TicketCreate":
		return s.ticketCreate(data)
	case "TicketGet", "TicketGetList":
		return s.ticketGet(data)
	case "TicketSearch":
		return s.ticketSearch(data)
	case "TicketUpdate":
		return s.ticketUpdate(data)
	}
	return opResult{crash: true}
}

// injectFault answers with the pending FailNext fault, if any.
func (s *Server) injectFault(w http.ResponseWriter) bool {
	s.mu.Lock()
	if s.failN <= 0 {
		s.mu.Unlock()
		return false
	}
	s.failN--
	f := s.failWith
	s.mu.Unlock()

	switch f {
	case FaultPlainText:
		writeText(w, http.StatusInternalServerError, "Error while encoding return JSON structure.")
	case FaultApache:
		writeApache(w, http.StatusInternalServerError)
	case FaultUnavailable:
		w.Header().Set("Retry-After", "1")
		writeApache(w, http.StatusServiceUnavailable)
	case FaultDropConnection:
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		writeApache(w, http.StatusInternalServerError)
	default:
		b, _ := encodeJSON(map[string]any{"faultcode": "Server", "faultstring": "OperationObject returned an error, cancelling Request"})
		writeText(w, http.StatusInternalServerError, string(b))
	}
	return true
}

// parseQuery splits a query string like REST.pm: on & and ;, "+" in values
// means space, the first value of a key is kept as is except that "0"
// becomes "" (Perl's `$Value || ”`), repeated keys become arrays.
func parseQuery(q string) map[string]any {
	out := map[string]any{}
	for _, seg := range strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' }) {
		parts := strings.Split(seg, "=")
		key := uriUnescape(parts[0])
		var val any
		if len(parts) > 1 {
			val = uriUnescape(strings.ReplaceAll(parts[1], "+", "%20"))
		}
		old, exists := out[key]
		switch {
		case !exists:
			if truthy(val) {
				out[key] = val
			} else {
				out[key] = ""
			}
		case isArray(old):
			out[key] = append(old.([]any), val)
		default:
			out[key] = []any{old, val}
		}
	}
	return out
}

func isArray(v any) bool {
	_, ok := v.([]any)
	return ok
}

// uriUnescape decodes %XX sequences and leaves anything else alone, like
// URI::Escape::uri_unescape.
func uriUnescape(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("trailing data")
	}
	return normalize(v), nil
}

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// writeText is REST.pm's _Output for non-200 codes: always text/plain.
func writeText(w http.ResponseWriter, code int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(code)
	_, _ = io.WriteString(w, body)
}

// writeApache imitates Apache's own error pages, used when the Perl
// handler never produces a response.
func writeApache(w http.ResponseWriter, code int) {
	w.Header().Set("Content-Type", "text/html; charset=iso-8859-1")
	w.WriteHeader(code)
	text := http.StatusText(code)
	msg := "The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request."
	switch code {
	case http.StatusNotFound:
		msg = "The requested URL was not found on this server."
	case http.StatusServiceUnavailable:
		msg = "The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later."
	}
	_, _ = io.WriteString(w, "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>"+
		strconv.Itoa(code)+" "+text+"</title>\n</head><body>\n<h1>"+text+"</h1>\n<p>"+msg+"</p>\n</body></html>\n")
}
