package otrstest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTransportErrors(t *testing.T) {
	s := NewServer(WithMaxLength(1000))
	defer s.Close()
	base := strings.TrimSuffix(s.URL, "/Webservice/"+DefaultWebservice)
	host := strings.TrimSuffix(base, ScriptPath)

	tests := []struct {
		name, method, url string
		body              any
		status            int
		contentType       string
		body0             string // exact body, or a substring for HTML pages
	}{
		{"unknown route", "GET", s.URL + "/Foo?SessionID=x", nil, 500, "text/plain; charset=UTF-8",
			"HTTP::REST Error while determine Operation for request URI '/Foo'."},
		{"wrong method", "DELETE", s.URL + "/Ticket/1", nil, 500, "text/plain; charset=UTF-8",
			"HTTP::REST Error while determine Operation for request URI '/Ticket/1'."},
		{"trailing slash", "GET", s.URL + "/Ticket/", nil, 500, "text/plain; charset=UTF-8",
			"HTTP::REST Error while determine Operation for request URI '/Ticket/'."},
		{"no route at all", "GET", s.URL, nil, 500, "text/plain; charset=UTF-8",
			"HTTP::REST Error while determine Operation for request URI '" + ScriptPath + "/Webservice/" + DefaultWebservice + "'."},
		{"history not modelled", "GET", s.URL + "/TicketHistory/1", nil, 500, "text/plain; charset=UTF-8",
			"HTTP::REST Error while determine Operation for request URI '/TicketHistory/1'."},
		{"not JSON", "POST", s.URL + "/Session", "{nope", 500, "text/plain; charset=UTF-8", "Error while decoding request content."},
		{"JSON null", "POST", s.URL + "/Session", "null", 500, "text/plain; charset=UTF-8", "Error while decoding request content."},
		{"JSON false", "POST", s.URL + "/Session", "false", 500, "text/plain; charset=UTF-8", "Error while decoding request content."},
		{"scalar", "POST", s.URL + "/Session", `"hello"`, 500, "text/plain; charset=UTF-8", "Unsupported request content structure."},
		{"empty object", "POST", s.URL + "/Session", `{}`, 500, "text/plain; charset=UTF-8", "Unsupported request content structure."},
		{"empty array", "PATCH", s.URL + "/Ticket/1", `[]`, 500, "text/plain; charset=UTF-8", "Unsupported request content structure."},
		{"too large", "POST", s.URL + "/Ticket", `{"x":"` + strings.Repeat("a", 1000) + `"}`, 413, "text/plain; charset=UTF-8", "Request Entity Too Large"},
		{"unknown web service", "POST", base + "/Webservice/Nope/Session", map[string]any{"UserLogin": "a", "Password": "b"}, 500,
			"text/html; charset=iso-8859-1", "<title>500 Internal Server Error</title>"},
		{"unknown web service id", "GET", base + "/WebserviceID/7/Ticket", nil, 500, "text/html; charset=iso-8859-1", "Internal Server Error"},
		{"no web service", "GET", base, nil, 500, "text/html; charset=iso-8859-1", "Internal Server Error"},
		{"outside the handler", "GET", host + "/otrs/index.pl", nil, 404, "text/html; charset=iso-8859-1", "<title>404 Not Found</title>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, tt.method, tt.url, tt.body)
			if r.status != tt.status || r.header.Get("Content-Type") != tt.contentType {
				t.Fatalf("got %d %q, want %d %q; body %q", r.status, r.header.Get("Content-Type"), tt.status, tt.contentType, r.body)
			}
			if strings.HasPrefix(tt.contentType, "text/html") {
				if !strings.Contains(r.body, tt.body0) {
					t.Fatalf("body %q lacks %q", r.body, tt.body0)
				}
			} else if r.body != tt.body0 {
				t.Fatalf("body %q, want %q", r.body, tt.body0)
			}
			if !r.closed {
				t.Error("response without Connection: close")
			}
		})
	}
}

// The web service can also be addressed by ID, and its name is URL-decoded.
func TestWebserviceAddressing(t *testing.T) {
	s := NewServer(WithWebservice("My Connector"))
	defer s.Close()
	if !strings.HasSuffix(s.URL, "/Webservice/My%20Connector") {
		t.Fatalf("URL = %s", s.URL)
	}
	body := map[string]any{"UserLogin": DefaultAgentLogin, "Password": DefaultAgentPassword}
	wantOK(t, call(t, "POST", s.URL+"/Session", body))
	byID := strings.Replace(s.URL, "/Webservice/My%20Connector", "/WebserviceID/1", 1)
	wantOK(t, call(t, "POST", byID+"/Session", body))
}

// A request that announces more body than it sends.
func TestShortBody(t *testing.T) {
	s := NewServer()
	defer s.Close()
	u, _ := url.Parse(s.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, _ = conn.Write([]byte("POST " + u.Path + "/Session HTTP/1.1\r\nHost: " + u.Host + "\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{\"a\":"))
	_ = conn.(*net.TCPConn).CloseWrite()
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	buf := make([]byte, 100)
	n, _ := res.Body.Read(buf)
	if res.StatusCode != 500 || string(buf[:n]) != "Could not read input data" {
		t.Fatalf("got %d %q", res.StatusCode, buf[:n])
	}
}

// GET bodies are ignored: credentials there do not count.
func TestGETBodyIgnored(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sid := login(t, s)
	id := mustCreate(t, s, sid, nil)

	r := call(t, "GET", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid})
	wantError(t, r, "TicketGet.AuthFail", "TicketGet: Authorization failing!")
	r = call(t, "GET", s.URL+"/Ticket", map[string]any{"UserLogin": DefaultAgentLogin, "Password": DefaultAgentPassword})
	wantError(t, r, "TicketSearch.AuthFail", "TicketSearch: Authorization failing!")

	reqs := s.Requests()
	last := reqs[len(reqs)-1]
	u, _ := url.Parse(s.URL)
	if last.Method != "GET" || last.Path != u.Path+"/Ticket" || !strings.Contains(string(last.Body), "UserLogin") {
		t.Errorf("recorded %+v", last)
	}
}

// URI data (query and path) overrides the JSON body of a POST/PATCH.
func TestURIDataOverridesBody(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sid := login(t, s)
	id1 := mustCreate(t, s, sid, nil)
	id2 := mustCreate(t, s, sid, nil)

	r := call(t, "PATCH", s.URL+"/Ticket/"+id2+"?SessionID="+sid, map[string]any{
		"SessionID": "bogus", "TicketID": id1, "Ticket": map[string]any{"Title": "patched"},
	})
	wantOK(t, r)
	if tk, _ := s.Ticket(id2); tk.Title != "patched" {
		t.Errorf("ticket %s title %q, want patched", id2, tk.Title)
	}
	if tk, _ := s.Ticket(id1); tk.Title == "patched" {
		t.Errorf("ticket %s was patched", id1)
	}
}

func TestParseQuery(t *testing.T) {
	got := parseQuery("States=new&States=open;Title=a+b%21&Zero=0&Zero=0&Flag&Eq=a=b")
	want := map[string]any{
		"States": []any{"new", "open"},
		"Title":  "a b!",
		"Zero":   []any{"", "0"},
		"Flag":   "",
		"Eq":     "a",
	}
	for k, v := range want {
		if g := got[k]; !equalJSON(g, v) {
			t.Errorf("%s = %#v, want %#v", k, g, v)
		}
	}
}

func equalJSON(a, b any) bool {
	x, _ := encodeJSON(a)
	y, _ := encodeJSON(b)
	return string(x) == string(y)
}

// Without a Content-Length (chunked transfer encoding) the handler reads no
// body: the operation sees URI data only.
func TestChunkedBodyIsNotRead(t *testing.T) {
	s := NewServer()
	defer s.Close()
	body := io.MultiReader(strings.NewReader(`{"UserLogin":"restconn",`), strings.NewReader(`"Password":"otrstest-password"}`))
	req, _ := http.NewRequest("POST", s.URL+"/Session", body)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if want := `{"Error":{"ErrorCode":"SessionCreate.MissingParameter","ErrorMessage":"SessionCreate: Password parameter is missing!"}}`; string(raw) != want {
		t.Fatalf("got %s", raw)
	}
	if reqs := s.Requests(); len(reqs) != 1 || len(reqs[0].Body) == 0 {
		t.Fatalf("request not recorded with its body: %+v", reqs)
	}
}
