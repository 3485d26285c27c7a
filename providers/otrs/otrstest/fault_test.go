package otrstest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
)

func TestFailNext(t *testing.T) {
	tests := []struct {
		fault       Fault
		status      int
		contentType string
		body        string
	}{
		{FaultServer, 500, "text/plain; charset=UTF-8", `{"faultcode":"Server","faultstring":"OperationObject returned an error, cancelling Request"}`},
		{FaultPlainText, 500, "text/plain; charset=UTF-8", "Error while encoding return JSON structure."},
		{FaultApache, 500, "text/html; charset=iso-8859-1", "<h1>Internal Server Error</h1>"},
		{FaultUnavailable, 503, "text/html; charset=iso-8859-1", "<h1>Service Unavailable</h1>"},
	}
	for _, tt := range tests {
		t.Run(tt.fault.String(), func(t *testing.T) {
			s := NewServer()
			defer s.Close()
			s.FailNext(2, tt.fault)
			sid := login(t, s) // session requests are not affected
			for i := 0; i < 2; i++ {
				r := createTicket(t, s, sid, nil)
				if r.status != tt.status || r.header.Get("Content-Type") != tt.contentType || !strings.Contains(r.body, tt.body) {
					t.Fatalf("got %d %q %q", r.status, r.header.Get("Content-Type"), r.body)
				}
			}
			if n := len(s.Tickets()); n != 0 {
				t.Fatalf("a failed request created %d tickets", n)
			}
			wantOK(t, createTicket(t, s, sid, nil))
		})
	}

	t.Run(FaultDropConnection.String(), func(t *testing.T) {
		s := NewServer()
		defer s.Close()
		sid := login(t, s)
		s.FailNext(1, FaultDropConnection)
		res, err := http.Get(s.URL + "/Ticket?SessionID=" + sid)
		if err == nil {
			res.Body.Close()
			t.Fatalf("got a response: %d", res.StatusCode)
		}
		wantOK(t, call(t, "GET", s.URL+"/Ticket?SessionID="+sid, nil))
	})
}

func TestConcurrentUse(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sid := login(t, s)
	body, _ := json.Marshal(validTicket(map[string]any{"SessionID": sid}))
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res, err := http.Post(s.URL+"/Ticket", "application/json", bytes.NewReader(body))
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			_ = s.Tickets()
			_ = s.Requests()
		}()
	}
	wg.Wait()
	if n := len(s.Tickets()); n != 8 {
		t.Fatalf("%d tickets", n)
	}
	seen := map[string]bool{}
	for _, tk := range s.Tickets() {
		if seen[tk.TicketNumber] {
			t.Fatalf("duplicate TicketNumber %s", tk.TicketNumber)
		}
		seen[tk.TicketNumber] = true
	}
}
