package otrstest

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"
)

func TestTicketGet(t *testing.T) {
	clock := newClock()
	s := NewServer(WithClock(clock.Now), WithDynamicField("Severity"))
	defer s.Close()
	sid := login(t, s)
	id := mustCreate(t, s, sid, nil)
	clock.Advance(3 * time.Minute)

	t.Run("by session", func(t *testing.T) {
		r := getTicket(t, s, sid, id, "")
		wantOK(t, r)
		tk := firstTicket(r)
		want := map[string]any{
			"TicketID": id, "TicketNumber": "2024100210000011", "Title": "Printer broken",
			"State": "new", "StateID": "1", "StateType": "new", "Priority": "3 normal", "PriorityID": "3",
			"Queue": "Raw", "QueueID": "2", "Lock": "unlock", "LockID": "1", "Type": "Unclassified", "TypeID": "1",
			"CustomerID": "ACME", "CustomerUserID": "jane.doe", "Owner": DefaultAgentLogin, "OwnerID": "2",
			"Responsible": "root@localhost", "ResponsibleID": "1", "Age": json.Number("180"),
			"Created": "2024-10-02 07:02:39", "Changed": "2024-10-02 07:02:39", "ArchiveFlag": "n",
			"UnlockTimeout": "0", "UntilTime": json.Number("0"),
		}
		for k, v := range want {
			if tk[k] != v {
				t.Errorf("%s = %#v, want %#v", k, tk[k], v)
			}
		}
		for _, k := range []string{"DynamicField", "Article"} {
			if _, ok := tk[k]; ok {
				t.Errorf("%s present without its flag", k)
			}
		}
	})

	t.Run("by UserLogin and Password in the query", func(t *testing.T) {
		q := url.Values{"UserLogin": {DefaultAgentLogin}, "Password": {DefaultAgentPassword}}
		wantOK(t, call(t, "GET", s.URL+"/Ticket/"+id+"?"+q.Encode(), nil))
	})

	t.Run("by customer user", func(t *testing.T) {
		q := url.Values{"CustomerUserLogin": {"jane.doe"}, "Password": {CustomerPassword}}
		wantOK(t, call(t, "GET", s.URL+"/Ticket/"+id+"?"+q.Encode(), nil))
		q.Set("CustomerUserLogin", "john.smith")
		wantError(t, call(t, "GET", s.URL+"/Ticket/"+id+"?"+q.Encode(), nil), "TicketGet.AccessDenied", "")
	})

	t.Run("flags", func(t *testing.T) {
		r := getTicket(t, s, sid, id, "&DynamicFields=1&AllArticles=1")
		wantOK(t, r)
		tk := firstTicket(r)
		dfs := tk["DynamicField"].([]any)
		if len(dfs) != 2 || dfs[0].(map[string]any)["Name"] != "ExternalRef" || dfs[0].(map[string]any)["Value"] != "IC-489" ||
			dfs[1].(map[string]any)["Value"] != nil {
			t.Errorf("DynamicField = %v", dfs)
		}
		arts := tk["Article"].([]any)
		a := arts[0].(map[string]any)
		if len(arts) != 1 || a["Subject"] != "Printer broken" || a["ContentType"] != "text/plain; charset=utf8" ||
			a["Charset"] != "utf8" || a["MimeType"] != "text/plain" || a["SenderType"] != "agent" || a["To"] != "Raw" {
			t.Errorf("Article = %v", arts)
		}
		r = getTicket(t, s, sid, id, "&DynamicFields=0")
		if _, ok := firstTicket(r)["DynamicField"]; ok {
			t.Error("DynamicFields=0 returned dynamic fields")
		}
	})

	id2 := mustCreate(t, s, sid, nil)
	errs := []struct {
		name, path, code, msg string
	}{
		{"unknown ID", "/Ticket/999", "TicketGet.AccessDenied", "TicketGet: User does not have access to the ticket!"},
		{"one unknown in a list", "/Ticket/" + id + ",999", "TicketGet.AccessDenied", "TicketGet: User does not have access to the ticket!"},
		{"not numeric", "/Ticket/abc", "TicketGet.WrongStructure", "TicketGet: Invalid ticket ID parameter(s) found!"},
		{"empty list element", "/Ticket/1,,2", "TicketGet.WrongStructure", "TicketGet: Invalid ticket ID parameter(s) found!"},
		{"zero", "/Ticket/0", "TicketGet.MissingParameter", "TicketGet: TicketID parameter is missing!"},
		{"no auth", "/Ticket/" + id + "?", "TicketGet.AuthFail", "TicketGet: Authorization failing!"},
	}
	for _, e := range errs {
		t.Run(e.name, func(t *testing.T) {
			u := s.URL + e.path
			if e.code != "TicketGet.AuthFail" {
				u += "?SessionID=" + sid
			}
			wantError(t, call(t, "GET", u, nil), e.code, e.msg)
		})
	}

	t.Run("comma-separated and TicketList", func(t *testing.T) {
		for _, u := range []string{
			s.URL + "/Ticket/" + id + "," + id2 + "?SessionID=" + sid,
			s.URL + "/Ticket/" + id + "%2C%20" + id2 + "?SessionID=" + sid,
			s.URL + "/TicketList?TicketID=" + id + "&TicketID=" + id2 + "&SessionID=" + sid,
		} {
			r := call(t, "GET", u, nil)
			wantOK(t, r)
			list := r.json["Ticket"].([]any)
			if len(list) != 2 || list[1].(map[string]any)["TicketID"] != id2 {
				t.Errorf("%s: %v", u, r.body)
			}
		}
	})
}

func TestTicketGetArticles(t *testing.T) {
	s := NewServer()
	defer s.Close()
	sid := login(t, s)
	id := mustCreate(t, s, sid, nil)
	for _, a := range []map[string]any{
		{"Subject": "customer says", "Body": "b", "ContentType": "text/plain; charset=utf-8", "SenderType": "customer"},
		{"Subject": "internal", "Body": "b", "ContentType": "text/plain; charset=utf-8", "IsVisibleForCustomer": 0},
	} {
		wantOK(t, call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Article": a}))
	}
	subjects := func(r response) []string {
		var out []string
		arts, _ := firstTicket(r)["Article"].([]any)
		for _, a := range arts {
			out = append(out, a.(map[string]any)["Subject"].(string))
		}
		return out
	}
	tests := []struct {
		name, query string
		want        []string
	}{
		{"all", "&AllArticles=1", []string{"Printer broken", "customer says", "internal"}},
		{"DESC alone does not reorder", "&AllArticles=1&ArticleOrder=DESC", []string{"Printer broken", "customer says", "internal"}},
		{"DESC with limit", "&AllArticles=1&ArticleOrder=DESC&ArticleLimit=2", []string{"internal", "customer says"}},
		{"limit", "&AllArticles=1&ArticleLimit=1", []string{"Printer broken"}},
		{"sender type", "&AllArticles=1&ArticleSenderType=customer", []string{"customer says"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := subjects(getTicket(t, s, sid, id, tt.query))
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
	// Customer users do not see articles that are not visible for them.
	q := url.Values{"CustomerUserLogin": {"jane.doe"}, "Password": {CustomerPassword}, "AllArticles": {"1"}}
	if got := subjects(call(t, "GET", s.URL+"/Ticket/"+id+"?"+q.Encode(), nil)); len(got) != 2 {
		t.Errorf("customer sees %v", got)
	}
}

func TestNumericIDs(t *testing.T) {
	s := NewServer(WithNumericIDs())
	defer s.Close()
	sid := login(t, s)
	r := createTicket(t, s, sid, nil)
	wantOK(t, r)
	for _, k := range []string{"TicketID", "ArticleID"} {
		if _, ok := r.json[k].(json.Number); !ok {
			t.Errorf("create %s = %#v, want a number", k, r.json[k])
		}
	}
	if _, ok := r.json["TicketNumber"].(string); !ok {
		t.Errorf("TicketNumber = %#v, want a string", r.json["TicketNumber"])
	}
	id := r.json["TicketID"].(json.Number).String()
	tk := firstTicket(getTicket(t, s, sid, id, "&AllArticles=1"))
	for _, k := range []string{"TicketID", "StateID", "QueueID", "OwnerID"} {
		if _, ok := tk[k].(json.Number); !ok {
			t.Errorf("TicketGet %s = %#v, want a number", k, tk[k])
		}
	}
	if _, ok := tk["Article"].([]any)[0].(map[string]any)["ArticleID"].(json.Number); !ok {
		t.Error("ArticleID is not a number")
	}
	if _, ok := ids(call(t, "GET", s.URL+"/Ticket?SessionID="+sid, nil))[0].(json.Number); !ok {
		t.Error("TicketSearch IDs are not numbers")
	}
	r = call(t, "PATCH", s.URL+"/Ticket/"+id, map[string]any{"SessionID": sid, "Article": map[string]any{"Subject": "s", "Body": "b", "ContentType": "text/plain; charset=utf-8"}})
	if _, ok := r.json["ArticleID"].(json.Number); !ok {
		t.Errorf("update ArticleID = %#v", r.json["ArticleID"])
	}
}
