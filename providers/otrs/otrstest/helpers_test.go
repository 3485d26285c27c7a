package otrstest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// response is a decoded reply of the fake.
type response struct {
	status int
	closed bool // the server asked to close the connection (Connection: close)
	header http.Header
	body   string
	json   map[string]any
}

// call sends a request with an optional JSON body (a string is sent as is).
func call(t *testing.T, method, url string, body any) response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: res.StatusCode, closed: res.Close, header: res.Header, body: string(raw)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&r.json); err != nil {
			t.Fatalf("decode %q: %v", raw, err)
		}
	}
	return r
}

// errorCode returns the ErrorCode of an operation-level error, "" if none.
func (r response) errorCode() string {
	e, _ := r.json["Error"].(map[string]any)
	s, _ := e["ErrorCode"].(string)
	return s
}

func (r response) errorMessage() string {
	e, _ := r.json["Error"].(map[string]any)
	s, _ := e["ErrorMessage"].(string)
	return s
}

// wantError asserts an HTTP 200 operation error.
func wantError(t *testing.T, r response, code, msg string) {
	t.Helper()
	if r.status != http.StatusOK || r.errorCode() != code || (msg != "" && r.errorMessage() != msg) {
		t.Fatalf("got %d %s, want 200 %s %q", r.status, r.body, code, msg)
	}
}

func wantOK(t *testing.T, r response) {
	t.Helper()
	if r.status != http.StatusOK || r.json == nil || r.errorCode() != "" {
		t.Fatalf("got %d %s, want success", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=UTF-8" || !r.closed {
		t.Fatalf("Content-Type %q, Connection: close %v", ct, r.closed)
	}
}

func login(t *testing.T, s *Server) string {
	t.Helper()
	r := call(t, "POST", s.URL+"/Session", map[string]any{"UserLogin": DefaultAgentLogin, "Password": DefaultAgentPassword})
	wantOK(t, r)
	return r.json["SessionID"].(string)
}

// validTicket is a TicketCreate body that passes every check.
func validTicket(auth map[string]any) map[string]any {
	body := map[string]any{
		"Ticket": map[string]any{
			"Title": "Printer broken", "Queue": "Raw", "State": "new", "Priority": "3 normal",
			"Type": "Unclassified", "CustomerUser": "jane.doe@example.com",
		},
		"Article": map[string]any{
			"CommunicationChannel": "Email", "Subject": "Printer broken", "Body": "It does not print.",
			"ContentType": "text/plain; charset=utf8",
		},
		"DynamicField": []any{map[string]any{"Name": "ExternalRef", "Value": "IC-489"}},
	}
	for k, v := range auth {
		body[k] = v
	}
	return body
}

func createTicket(t *testing.T, s *Server, sid string, mutate func(map[string]any)) response {
	t.Helper()
	body := validTicket(map[string]any{"SessionID": sid})
	if mutate != nil {
		mutate(body)
	}
	return call(t, "POST", s.URL+"/Ticket", body)
}

func mustCreate(t *testing.T, s *Server, sid string, mutate func(map[string]any)) string {
	t.Helper()
	r := createTicket(t, s, sid, mutate)
	wantOK(t, r)
	return r.json["TicketID"].(string)
}

func ticketOf(body map[string]any) map[string]any  { return body["Ticket"].(map[string]any) }
func articleOf(body map[string]any) map[string]any { return body["Article"].(map[string]any) }
func firstTicket(r response) map[string]any        { return r.json["Ticket"].([]any)[0].(map[string]any) }
func ids(r response) []any                         { v, _ := r.json["TicketID"].([]any); return v }
func getTicket(t *testing.T, s *Server, sid, id, q string) response {
	t.Helper()
	return call(t, "GET", s.URL+"/Ticket/"+id+"?SessionID="+sid+q, nil)
}

// fakeClock is a settable clock for WithClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2024, 10, 2, 7, 2, 39, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
