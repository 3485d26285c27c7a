package otrstest

import (
	"net/http"
	"regexp"
	"testing"
	"time"
)

func TestSessionCreate(t *testing.T) {
	s := NewServer(WithAgent("agent1", "secret"))
	defer s.Close()

	tests := []struct {
		name     string
		body     any
		wantCode string // "" means success
		wantMsg  string
	}{
		{"default agent", map[string]any{"UserLogin": DefaultAgentLogin, "Password": DefaultAgentPassword}, "", ""},
		{"added agent", map[string]any{"UserLogin": "agent1", "Password": "secret"}, "", ""},
		{"customer user", map[string]any{"CustomerUserLogin": "jane.doe", "Password": CustomerPassword}, "", ""},
		{"wrong password", map[string]any{"UserLogin": "agent1", "Password": "wrong"}, "SessionCreate.AuthFail", "SessionCreate: Authorization failing!"},
		{"unknown user", map[string]any{"UserLogin": "nobody", "Password": "x"}, "SessionCreate.AuthFail", "SessionCreate: Authorization failing!"},
		{"password only", map[string]any{"Password": "x"}, "SessionCreate.AuthFail", "SessionCreate: Authorization failing!"},
		{"missing password", map[string]any{"UserLogin": "agent1"}, "SessionCreate.MissingParameter", "SessionCreate: Password parameter is missing!"},
		{"password 0 is missing", map[string]any{"UserLogin": "agent1", "Password": "0"}, "SessionCreate.MissingParameter", "SessionCreate: Password parameter is missing!"},
		{"array body", []any{map[string]any{"UserLogin": "agent1", "Password": "secret"}}, "SessionCreate.MissingParameter", "SessionCreate: The request is empty!"},
		// Content-Length 0: the handler reads no body and the operation
		// sees only {RequestMethod: POST}.
		{"empty body", nil, "SessionCreate.MissingParameter", "SessionCreate: Password parameter is missing!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, "POST", s.URL+"/Session", tt.body)
			if tt.wantCode != "" {
				wantError(t, r, tt.wantCode, tt.wantMsg)
				return
			}
			wantOK(t, r)
			if sid, _ := r.json["SessionID"].(string); !regexp.MustCompile(`^[A-Za-z0-9]{32}$`).MatchString(sid) {
				t.Fatalf("SessionID %q is not 32 alphanumerics", sid)
			}
		})
	}
	if got := s.Sessions(); got != 3 {
		t.Errorf("Sessions() = %d, want 3", got)
	}
}

func TestSessionGet(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sid := login(t, s)

	r := call(t, "GET", s.URL+"/Session/"+sid, nil)
	wantOK(t, r)
	found := map[string]any{}
	for _, e := range r.json["SessionData"].([]any) {
		kv := e.(map[string]any)
		found[kv["Key"].(string)] = kv["Value"]
	}
	if found["UserLogin"] != DefaultAgentLogin || found["UserType"] != "User" || found["SessionSource"] != "GenericInterface" {
		t.Errorf("SessionData = %v", found)
	}

	wantError(t, call(t, "GET", s.URL+"/Session/doesnotexist", nil), "SessionGet.SessionInvalid", "SessionGet: SessionID is Invalid!")
	wantError(t, call(t, "GET", s.URL+"/Session/0", nil), "SessionGet.MissingParameter", "SessionGet: SessionID is missing!")
}

// A GI session dies SessionMaxIdle after creation, however often it is
// used, and an expired session is an HTTP 200 AuthFail of the operation.
func TestSessionExpiry(t *testing.T) {
	clock := newClock()
	s := NewServer(WithClock(clock.Now), WithSessionMaxIdle(time.Hour))
	defer s.Close()
	sid := login(t, s)
	id := mustCreate(t, s, sid, nil)

	for i := 0; i < 5; i++ {
		clock.Advance(11 * time.Minute)
		wantOK(t, getTicket(t, s, sid, id, ""))
	}
	clock.Advance(5 * time.Minute) // 60 minutes after creation
	wantError(t, getTicket(t, s, sid, id, ""), "TicketGet.AuthFail", "TicketGet: Authorization failing!")
	wantError(t, call(t, "GET", s.URL+"/Session/"+sid, nil), "SessionGet.SessionInvalid", "")

	sid = login(t, s)
	wantOK(t, getTicket(t, s, sid, id, ""))
	s.ExpireSessions()
	for _, tc := range []struct {
		name string
		r    response
		code string
		msg  string
	}{
		{"get", getTicket(t, s, sid, id, ""), "TicketGet.AuthFail", "TicketGet: Authorization failing!"},
		{"search", call(t, "GET", s.URL+"/Ticket?SessionID="+sid, nil), "TicketSearch.AuthFail", "TicketSearch: Authorization failing!"},
		{"create", createTicket(t, s, sid, nil), "TicketCreate.AuthFail", "TicketCreate: User could not be authenticated!"},
		{"update", call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Ticket": map[string]any{"Title": "x"}}),
			"TicketUpdate.AuthFail", "TicketUpdate: User could not be authenticated!"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.r.status != http.StatusOK {
				t.Fatalf("status %d, want 200", tc.r.status)
			}
			wantError(t, tc.r, tc.code, tc.msg)
		})
	}
	if got := s.Sessions(); got != 2 {
		t.Errorf("Sessions() = %d, want 2", got)
	}
}

// A SessionID, when present, is the only credential looked at.
func TestSessionIDShadowsPassword(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sid := login(t, s)
	id := mustCreate(t, s, sid, nil)
	q := "&UserLogin=" + DefaultAgentLogin + "&Password=" + DefaultAgentPassword
	wantError(t, call(t, "GET", s.URL+"/Ticket/"+id+"?SessionID=bogus"+q, nil), "TicketGet.AuthFail", "")
	wantOK(t, call(t, "GET", s.URL+"/Ticket/"+id+"?"+q[1:], nil))
}
