package otrstest

import (
	"regexp"
	"testing"
	"time"
)

func TestTicketCreate(t *testing.T) {
	clock := newClock()
	s := NewServer(WithClock(clock.Now))
	defer s.Close()
	sid := login(t, s)

	r := createTicket(t, s, sid, nil)
	wantOK(t, r)
	if len(r.json) != 3 {
		t.Errorf("response keys %v, want TicketID, TicketNumber, ArticleID", r.json)
	}
	// Example from vendor-apis.md §3.5: 2024-10-02, first ticket of the day.
	if r.json["TicketNumber"] != "2024100210000011" {
		t.Errorf("TicketNumber = %v, want 2024100210000011", r.json["TicketNumber"])
	}
	for _, k := range []string{"TicketID", "ArticleID"} {
		if _, ok := r.json[k].(string); !ok {
			t.Errorf("%s = %#v, want a string", k, r.json[k])
		}
	}
	tk, ok := s.Ticket(r.json["TicketID"].(string))
	if !ok {
		t.Fatal("ticket not stored")
	}
	if tk.CustomerUser != "jane.doe" || tk.CustomerID != "ACME" || tk.Owner != DefaultAgentLogin ||
		tk.Lock != "unlock" || tk.StateType != "new" || tk.DynamicFields["ExternalRef"] != "IC-489" ||
		len(tk.Articles) != 1 || tk.Articles[0].From != `"Jane Doe" <jane.doe@example.com>` || tk.Articles[0].SenderType != "agent" {
		t.Errorf("stored ticket %+v", tk)
	}
	if !tk.Created.Equal(clock.Now()) {
		t.Errorf("Created = %v", tk.Created)
	}

	// The counter runs per day.
	r = createTicket(t, s, sid, nil)
	if r.json["TicketNumber"] != "2024100210000021" {
		t.Errorf("second TicketNumber = %v", r.json["TicketNumber"])
	}
	clock.Advance(24 * time.Hour)
	sid = login(t, s)
	if r = createTicket(t, s, sid, nil); r.json["TicketNumber"] != "2024100310000019" {
		t.Errorf("next day TicketNumber = %v", r.json["TicketNumber"])
	}
}

func TestTicketNumberChecksum(t *testing.T) {
	s := &Server{}
	// Real ticket numbers quoted in vendor-apis.md.
	day := time.Date(2017, 9, 4, 0, 0, 0, 0, time.UTC)
	var tn string
	for i := 0; i < 2; i++ {
		tn = s.nextTicketNumber(day)
	}
	if tn != "2017090410000024" {
		t.Errorf("got %s, want 2017090410000024", tn)
	}
	if !regexp.MustCompile(`^\d{8}10\d{5}\d$`).MatchString(tn) {
		t.Errorf("format %s", tn)
	}
}

func TestTicketCreateValidation(t *testing.T) {
	s := NewServer(WithAgentQueues("rawonly", "pw", "Raw"))
	defer s.Close()
	sid := login(t, s)

	set := func(path ...any) func(map[string]any) {
		return func(b map[string]any) {
			m := b
			for _, p := range path[:len(path)-2] {
				m = m[p.(string)].(map[string]any)
			}
			k, v := path[len(path)-2].(string), path[len(path)-1]
			if v == nil {
				delete(m, k)
			} else {
				m[k] = v
			}
		}
	}
	const mp, ip = "TicketCreate.MissingParameter", "TicketCreate.InvalidParameter"
	tests := []struct {
		name   string
		mutate func(map[string]any)
		code   string
		msg    string
	}{
		{"no credentials", set("SessionID", nil), mp, "TicketCreate: UserLogin, CustomerUserLogin or SessionID is required!"},
		{"login without password", set("UserLogin", "restconn"), mp, "TicketCreate: Password or SessionID is required!"},
		{"bad session", set("SessionID", "nope"), "TicketCreate.AuthFail", "TicketCreate: User could not be authenticated!"},
		{"no Ticket", set("Ticket", nil), mp, "TicketCreate: Ticket parameter is missing or not valid!"},
		{"empty Ticket", set("Ticket", map[string]any{}), mp, "TicketCreate: Ticket parameter is missing or not valid!"},
		{"no Article", set("Article", nil), mp, "TicketCreate: Article parameter is missing or not valid!"},
		{"DynamicField scalar", set("DynamicField", "x"), mp, "TicketCreate: DynamicField parameter is missing or not valid!"},
		{"Attachment empty list", set("Attachment", []any{}), mp, "TicketCreate: Attachment parameter is missing or not valid!"},
		{"no Title", set("Ticket", "Title", nil), mp, "TicketCreate: Ticket->Title parameter is missing!"},
		{"blank Title", set("Ticket", "Title", "   "), mp, "TicketCreate: Ticket->Title parameter is missing!"},
		{"no CustomerUser", set("Ticket", "CustomerUser", nil), mp, "TicketCreate: Ticket->CustomerUser parameter is missing!"},
		{"unknown CustomerUser", set("Ticket", "CustomerUser", "nobody"), ip, "TicketCreate: Ticket->CustomerUser parameter is invalid!"},
		{"CustomerUser in a reserved domain", set("Ticket", "CustomerUser", "nobody@nowhere.invalid"), ip, "TicketCreate: Ticket->CustomerUser parameter is invalid!"},
		{"no Queue", set("Ticket", "Queue", nil), mp, "TicketCreate: Ticket->QueueID or Ticket->Queue parameter is required!"},
		{"bad Queue", set("Ticket", "Queue", "raw"), ip, "TicketCreate: Ticket->QueueID or Ticket->Queue parameter is invalid!"},
		{"bad QueueID", set("Ticket", "QueueID", 99), ip, "TicketCreate: Ticket->QueueID or Ticket->Queue parameter is invalid!"},
		{"bad Lock", set("Ticket", "Lock", "locked"), ip, "TicketCreate: Ticket->LockID or Ticket->Lock parameter is invalid!"},
		{"bad Type", set("Ticket", "Type", "Incident"), ip, "TicketCreate: Ticket->TypeID or Ticket->Type parameter is invalid!"},
		{"Service", set("Ticket", "Service", "IT"), ip, "TicketCreate: Ticket->ServiceID or Ticket->Service parameter is invalid!"},
		{"SLA", set("Ticket", "SLA", "Gold"), ip, "TicketCreate: Ticket->SLAID or Ticket->SLA parameter is invalid!"},
		{"no State", set("Ticket", "State", nil), mp, "TicketCreate: Ticket->StateID or Ticket->State parameter is required!"},
		{"bad State", set("Ticket", "State", "closed"), ip, "TicketCreate: Ticket->StateID or Ticket->State parameter is invalid!"},
		{"bad StateID", set("Ticket", "StateID", "10"), ip, "TicketCreate: Ticket->StateID or Ticket->State parameter is invalid!"},
		{"no Priority", set("Ticket", "Priority", nil), mp, "TicketCreate: Ticket->PriorityID or Ticket->Priority parameter is required!"},
		{"bad Priority", set("Ticket", "Priority", "normal"), ip, "TicketCreate: Ticket->PriorityID or Ticket->Priority parameter is invalid!"},
		{"bad Owner", set("Ticket", "Owner", "ghost"), ip, "TicketCreate: Ticket->OwnerID or Ticket->Owner parameter is invalid!"},
		{"bad Responsible", set("Ticket", "ResponsibleID", 99), ip, "TicketCreate: Ticket->ResponsibleID or Ticket->Responsible parameter is invalid!"},
		{"bad PendingTime", set("Ticket", "PendingTime", map[string]any{"Diff": 5, "Year": 2030}), ip, "TicketCreate: Ticket->PendingTime parameter is invalid!"},
		{"no Subject", set("Article", "Subject", nil), mp, "TicketCreate: Article->Subject parameter is missing!"},
		{"no Body", set("Article", "Body", ""), mp, "TicketCreate: Article->Body parameter is missing!"},
		{"bad AutoResponseType", set("Article", "AutoResponseType", "auto nothing"), ip, "TicketCreate: Article->AutoResponseType parameter is invalid!"},
		{"Chat channel", set("Article", "CommunicationChannel", "Chat"), ip, "TicketCreate: Article->CommunicationChannel or Article->CommunicationChannelID parameter is invalid or not supported!"},
		{"bad SenderType", set("Article", "SenderType", "robot"), ip, "TicketCreate: Article->SenderTypeID or Ticket->SenderType parameter is invalid!"},
		{"bad From", set("Article", "From", "not an address"), ip, "TicketCreate: Article->From parameter is invalid!"},
		{"no ContentType", set("Article", "ContentType", nil), mp, "TicketCreate: Article->ContentType or Ticket->MimeType and Article->Charset parameters are required!"},
		{"MimeType without Charset", func(b map[string]any) {
			delete(articleOf(b), "ContentType")
			articleOf(b)["MimeType"] = "text/plain"
		}, mp, "TicketCreate: Article->Charset is required!"},
		{"Charset without MimeType", func(b map[string]any) {
			delete(articleOf(b), "ContentType")
			articleOf(b)["Charset"] = "utf-8"
		}, mp, "TicketCreate: Article->MimeType is required!"},
		{"bad MimeType", func(b map[string]any) {
			delete(articleOf(b), "ContentType")
			articleOf(b)["MimeType"], articleOf(b)["Charset"] = "plain", "utf-8"
		}, ip, "TicketCreate: Article->MimeType is invalid!"},
		{"bad Charset", func(b map[string]any) {
			delete(articleOf(b), "ContentType")
			articleOf(b)["MimeType"], articleOf(b)["Charset"] = "text/plain", "klingon"
		}, ip, "TicketCreate: Article->Charset is invalid!"},
		{"ContentType without charset", set("Article", "ContentType", "text/plain"), ip, "TicketCreate: Article->ContentType is invalid!"},
		{"bad HistoryType", set("Article", "HistoryType", "Nope"), ip, "TicketCreate: Article->HistoryType parameter is invalid!"},
		{"bad TimeUnit", set("Article", "TimeUnit", "-1"), ip, "TicketCreate: Article->TimeUnit parameter is invalid!"},
		{"bad NoAgentNotify", set("Article", "NoAgentNotify", 2), ip, "TicketCreate: Article->NoAgent parameter is invalid!"},
		{"DynamicField without Value", set("DynamicField", map[string]any{"Name": "ExternalRef"}), mp, "TicketCreate: DynamicField->Value  parameter is missing!"},
		{"unknown DynamicField", set("DynamicField", map[string]any{"Name": "Nope", "Value": "x"}), ip, "TicketCreate: DynamicField->Name parameter is invalid!"},
		{"DynamicField list value", set("DynamicField", map[string]any{"Name": "ExternalRef", "Value": []any{"a"}}), ip, "TicketCreate: DynamicField->Value parameter is invalid!"},
		{"Attachment without Filename", set("Attachment", map[string]any{"Content": "eA==", "ContentType": "text/plain"}), mp, "TicketCreate: Attachment->Filename  parameter is missing!"},
		{"Attachment bad ContentType", set("Attachment", map[string]any{"Content": "eA==", "ContentType": "plain", "Filename": "a.txt"}), ip, "TicketCreate: Attachment->ContentType is invalid!"},
		{"queue not permitted", func(b map[string]any) {
			delete(b, "SessionID")
			b["UserLogin"], b["Password"] = "rawonly", "pw"
			ticketOf(b)["Queue"] = "Misc"
		}, "TicketCreate.AccessDenied", "TicketCreate: Can not create tickets in given Queue or QueueID!"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, createTicket(t, s, sid, tt.mutate), tt.code, tt.msg)
		})
	}
	if n := len(s.Tickets()); n != 0 {
		t.Errorf("%d tickets created by failing requests", n)
	}
}

func TestTicketCreateVariants(t *testing.T) {
	s := NewServer(WithCustomerUser("acme.buyer", "buyer@acme.test"), WithAgent("agent2", "pw2"))
	defer s.Close()
	sid := login(t, s)

	tests := []struct {
		name   string
		mutate func(map[string]any)
		check  func(t *testing.T, tk Ticket)
	}{
		{"IDs instead of names", func(b map[string]any) {
			tk := ticketOf(b)
			delete(tk, "Queue")
			delete(tk, "State")
			delete(tk, "Priority")
			tk["QueueID"], tk["StateID"], tk["PriorityID"] = "4", 4, "5"
		}, func(t *testing.T, tk Ticket) {
			if tk.Queue != "Misc" || tk.State != "open" || tk.Priority != "5 very high" {
				t.Errorf("%+v", tk)
			}
		}},
		{"MimeType and Charset, defaults", func(b map[string]any) {
			a := articleOf(b)
			delete(a, "ContentType")
			delete(a, "CommunicationChannel")
			a["MimeType"], a["Charset"] = "text/html", "UTF-8"
			delete(ticketOf(b), "Type")
		}, func(t *testing.T, tk Ticket) {
			a := tk.Articles[0]
			if a.ContentType != "text/html; charset=utf-8" || a.CommunicationChannel != "Internal" || !a.IsVisibleForCustomer || tk.Type != "Unclassified" {
				t.Errorf("%+v", tk)
			}
		}},
		{"customer login", func(b map[string]any) { ticketOf(b)["CustomerUser"] = "acme.buyer" }, func(t *testing.T, tk Ticket) {
			if tk.CustomerUser != "acme.buyer" || tk.CustomerID != "acme.buyer" {
				t.Errorf("%+v", tk)
			}
		}},
		{"unknown e-mail address", func(b map[string]any) { ticketOf(b)["CustomerUser"] = "someone@example.net" }, func(t *testing.T, tk Ticket) {
			if tk.CustomerUser != "someone@example.net" || tk.CustomerID != "" || tk.Articles[0].From != "someone@example.net" {
				t.Errorf("%+v", tk)
			}
		}},
		{"closed state unlocks", func(b map[string]any) {
			ticketOf(b)["State"], ticketOf(b)["Lock"] = "closed successful", "lock"
		}, func(t *testing.T, tk Ticket) {
			if tk.StateType != "closed" || tk.Lock != "unlock" {
				t.Errorf("%+v", tk)
			}
		}},
		{"owner given locks", func(b map[string]any) { ticketOf(b)["Owner"] = "agent2" }, func(t *testing.T, tk Ticket) {
			if tk.Owner != "agent2" || tk.Lock != "lock" {
				t.Errorf("%+v", tk)
			}
		}},
		{"dynamic field object", func(b map[string]any) {
			b["DynamicField"] = map[string]any{"Name": "ExternalRef", "Value": 42}
		}, func(t *testing.T, tk Ticket) {
			if tk.DynamicFields["ExternalRef"] != "42" {
				t.Errorf("%+v", tk.DynamicFields)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := mustCreate(t, s, sid, tt.mutate)
			tk, _ := s.Ticket(id)
			tt.check(t, tk)
		})
	}

	// A customer user creates a ticket: sender type customer, owner root.
	body := validTicket(map[string]any{"CustomerUserLogin": "jane.doe", "Password": CustomerPassword})
	r := call(t, "POST", s.URL+"/Ticket", body)
	wantOK(t, r)
	tk, _ := s.Ticket(r.json["TicketID"].(string))
	if tk.Articles[0].SenderType != "customer" || tk.Owner != "root@localhost" {
		t.Errorf("customer-created ticket %+v", tk)
	}

	// Malformed dynamic field items are an unexpected failure: HTTP 500 fault.
	r = createTicket(t, s, sid, func(b map[string]any) { b["DynamicField"] = []any{"x"} })
	if r.status != 500 || r.header.Get("Content-Type") != "text/plain; charset=UTF-8" ||
		r.body != `{"faultcode":"Server","faultstring":"TicketCreate: Ticket->DynamicField parameter is invalid!"}` {
		t.Errorf("got %d %q %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	// A JSON array body makes the Perl code die: Apache's 500 page.
	r = call(t, "POST", s.URL+"/Ticket", []any{validTicket(map[string]any{"SessionID": sid})})
	if r.status != 500 || r.header.Get("Content-Type") != "text/html; charset=iso-8859-1" {
		t.Errorf("array body: %d %s", r.status, r.body)
	}
	if n := len(s.Tickets()); n != len(tests)+1 {
		t.Errorf("%d tickets, want %d", n, len(tests)+1)
	}
}
