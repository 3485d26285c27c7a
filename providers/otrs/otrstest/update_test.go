package otrstest

import (
	"encoding/json"
	"strconv"
	"testing"
)

func TestTicketUpdate(t *testing.T) {
	s := NewServer(WithAgent("agent2", "pw2"))
	defer s.Close()
	sid := login(t, s)
	id := mustCreate(t, s, sid, nil)
	tn := s.Tickets()[0].TicketNumber
	note := map[string]any{"Subject": "Update", "Body": "Working on it.", "ContentType": "text/plain; charset=utf-8"}

	t.Run("fields only: no ArticleID", func(t *testing.T) {
		r := call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{
			"SessionID": sid,
			"Ticket":    map[string]any{"Title": "Printer on fire", "State": "open", "Priority": "4 high", "Queue": "Misc", "Owner": "agent2"},
		})
		wantOK(t, r)
		if len(r.json) != 2 || r.json["TicketID"] != id || r.json["TicketNumber"] != tn {
			t.Errorf("response %s", r.body)
		}
		tk, _ := s.Ticket(id)
		if tk.Title != "Printer on fire" || tk.State != "open" || tk.Priority != "4 high" || tk.Queue != "Misc" || tk.Owner != "agent2" {
			t.Errorf("%+v", tk)
		}
	})

	t.Run("one article object", func(t *testing.T) {
		r := call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Article": note})
		wantOK(t, r)
		if _, ok := r.json["ArticleID"].(string); !ok {
			t.Errorf("response %s", r.body)
		}
		tk, _ := s.Ticket(id)
		a := tk.Articles[len(tk.Articles)-1]
		if a.Subject != "Update" || a.SenderType != "agent" || a.CommunicationChannel != "Internal" || a.From != "Restconn Restconn" {
			t.Errorf("%+v", a)
		}
	})

	t.Run("article array: ArticleIDs", func(t *testing.T) {
		r := call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Article": []any{note, note}})
		wantOK(t, r)
		if got, _ := r.json["ArticleIDs"].([]any); len(got) != 2 || r.json["ArticleID"] != nil {
			t.Errorf("response %s", r.body)
		}
	})

	t.Run("by TicketNumber, dynamic field, UserLogin", func(t *testing.T) {
		r := call(t, "PATCH", s.URL+"/Ticket/999", map[string]any{
			"UserLogin": "agent2", "Password": "pw2", "TicketNumber": tn,
			"DynamicField": map[string]any{"Name": "ExternalRef", "Value": "IC-500"},
		})
		wantOK(t, r)
		if tk, _ := s.Ticket(id); tk.DynamicFields["ExternalRef"] != "IC-500" || r.json["TicketID"] != id {
			t.Errorf("%s %+v", r.body, tk)
		}
	})

	t.Run("closing unlocks", func(t *testing.T) {
		wantOK(t, call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Ticket": map[string]any{"Lock": "lock"}}))
		wantOK(t, call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Ticket": map[string]any{"State": "closed unsuccessful"}}))
		if tk, _ := s.Ticket(id); tk.StateType != "closed" || tk.Lock != "unlock" {
			t.Errorf("%+v", tk)
		}
	})

	t.Run("pending state needs PendingTime", func(t *testing.T) {
		r := call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Ticket": map[string]any{"Title": "applied first", "State": "pending reminder"}})
		wantError(t, r, "TicketUpdate.MissingParameter", "Can't set a ticket on a pending state without pendig time!")
		if tk, _ := s.Ticket(id); tk.Title != "applied first" || tk.StateType != "closed" {
			t.Errorf("%+v", tk)
		}
		r = call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Ticket": map[string]any{"State": "pending reminder", "PendingTime": map[string]any{"Diff": 60}}})
		wantOK(t, r)
		tk := firstTicket(getTicket(t, s, sid, id, ""))
		if tk["StateType"] != "pending reminder" || tk["UntilTime"] != json.Number("3600") {
			t.Errorf("%v", tk)
		}
	})

	s2 := NewServer(WithAgentQueues("rawonly", "pw", "Raw"))
	defer s2.Close()
	sid2 := login(t, s2)
	misc := mustCreate(t, s2, sid2, func(b map[string]any) { ticketOf(b)["Queue"] = "Misc" })
	const mp, ip = "TicketUpdate.MissingParameter", "TicketUpdate.InvalidParameter"
	tests := []struct {
		name string
		path string
		body any
		code string
		msg  string
	}{
		{"empty body", "/Ticket/" + misc, nil, mp, "TicketUpdate: UserLogin, CustomerUserLogin or SessionID is required!"},
		{"array body", "/Ticket/" + misc, []any{map[string]any{"SessionID": sid2}}, "TicketUpdate.EmptyRequest", "TicketUpdate: The request data is invalid!"},
		{"ticket 0", "/Ticket/0", map[string]any{"SessionID": sid2}, mp, "TicketUpdate: TicketID or TicketNumber is required!"},
		{"no credentials", "/Ticket/" + misc, map[string]any{"Ticket": map[string]any{"Title": "x"}}, mp, "TicketUpdate: UserLogin, CustomerUserLogin or SessionID is required!"},
		{"no password", "/Ticket/" + misc, map[string]any{"UserLogin": "restconn"}, mp, "TicketUpdate: Password or SessionID is required!"},
		{"wrong password", "/Ticket/" + misc, map[string]any{"UserLogin": "restconn", "Password": "x"}, "TicketUpdate.AuthFail", "TicketUpdate: User could not be authenticated!"},
		{"unknown ticket", "/Ticket/999", map[string]any{"SessionID": sid2}, "TicketUpdate.AccessDenied", "TicketUpdate: User does not have access to the ticket!"},
		{"unknown ticket number", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "TicketNumber": "1"}, "TicketUpdate.AccessDenied", "TicketUpdate: User does not have access to the ticket!"},
		{"no permission", "/Ticket/" + misc, map[string]any{"UserLogin": "rawonly", "Password": "pw", "Ticket": map[string]any{"Title": "x"}}, "TicketUpdate.AccessDenied", "TicketUpdate: User does not have access to the ticket!"},
		{"Ticket not an object", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Ticket": "x"}, ip, "TicketUpdate: Ticket parameter is not valid!"},
		{"DynamicField scalar", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "DynamicField": "x"}, mp, "TicketUpdate: DynamicField parameter is missing or not valid!"},
		{"bad State", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Ticket": map[string]any{"State": "done"}}, ip, "TicketUpdate: Ticket->StateID or Ticket->State parameter is invalid!"},
		{"bad Queue", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Ticket": map[string]any{"QueueID": 9}}, ip, "TicketUpdate: Ticket->QueueID or Ticket->Queue parameter is invalid!"},
		{"bad CustomerUser", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Ticket": map[string]any{"CustomerUser": "nobody"}}, ip, "TicketUpdate: Ticket->CustomerUser parameter is invalid!"},
		{"Article scalar", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Article": "x"}, ip, "TicketUpdate: Article parameter is not valid!"},
		{"Article without Body", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Article": map[string]any{"Subject": "s"}}, mp, "TicketUpdate: Article->Body parameter is missing!"},
		{"Article without ContentType", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Article": map[string]any{"Subject": "s", "Body": "b"}}, mp,
			"TicketUpdate: Article->ContentType or Ticket->MimeType and Article->Charset parameters are required!"},
		{"ArticleSend without To", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Article": map[string]any{"Subject": "s", "Body": "b", "ContentType": "text/plain; charset=utf-8", "ArticleSend": 1}},
			"TicketCreate.InvalidParameter", "TicketCreate: Article->To parameter must be a valid email address when Article->ArticleSend is set!"},
		{"unknown dynamic field", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "DynamicField": []any{map[string]any{"Name": "Nope", "Value": "x"}}}, ip, "TicketUpdate: DynamicField->Name parameter is invalid!"},
		{"dynamic field without Value", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "DynamicField": map[string]any{"Name": "ExternalRef"}}, mp, "TicketUpdate: DynamicField->Value parameter is missing!"},
		{"attachment without article", "/Ticket/" + misc, map[string]any{"SessionID": sid2, "Attachment": map[string]any{"Content": "eA==", "ContentType": "text/plain", "Filename": "a"}}, mp,
			"TicketUpdate: To create an attachment an article is needed!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, call(t, "PATCH", s2.URL+tt.path, tt.body), tt.code, tt.msg)
		})
	}
	if tk, _ := s2.Ticket(misc); tk.Title != "Printer broken" || len(tk.Articles) != 1 {
		t.Errorf("failed updates changed the ticket: %+v", tk)
	}
}

// SetState and CloseTicket change tickets behind the client's back; the
// client sees the state and its type through TicketGet.
func TestSetStateAndCloseTicket(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sid := login(t, s)
	id := mustCreate(t, s, sid, func(b map[string]any) { ticketOf(b)["Lock"] = "lock" })

	for _, st := range states {
		t.Run(st.name, func(t *testing.T) {
			if err := s.SetState(id, st.name); err != nil {
				t.Fatal(err)
			}
			tk := firstTicket(getTicket(t, s, sid, id, ""))
			if tk["State"] != st.name || tk["StateType"] != st.typeName || tk["StateID"] != strconv.Itoa(st.id) {
				t.Errorf("got %v/%v/%v", tk["State"], tk["StateID"], tk["StateType"])
			}
			if st.typeName == "closed" && tk["Lock"] != "unlock" {
				t.Errorf("closed ticket is %v", tk["Lock"])
			}
		})
	}
	if err := s.SetState(id, "Open"); err == nil {
		t.Error("SetState accepted an unknown state")
	}
	if err := s.SetState("999", "open"); err == nil {
		t.Error("SetState accepted an unknown ticket")
	}
	for _, st := range []string{"", "closed successful", "closed unsuccessful"} {
		if err := s.CloseTicket(id, st); err != nil {
			t.Errorf("CloseTicket(%q): %v", st, err)
		}
	}
	if tk, _ := s.Ticket(id); tk.State != "closed unsuccessful" || tk.StateType != "closed" {
		t.Errorf("%+v", tk)
	}
	for _, st := range []string{"open", "removed", "merged", "pending auto close+"} {
		if err := s.CloseTicket(id, st); err == nil {
			t.Errorf("CloseTicket(%q) succeeded", st)
		}
	}
}
