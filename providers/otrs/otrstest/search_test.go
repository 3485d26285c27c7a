package otrstest

import (
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTicketSearch(t *testing.T) {
	clock := newClock()
	s := NewServer(WithClock(clock.Now), WithCustomerUser("acme.buyer", "buyer@acme.test"))
	defer s.Close()
	sid := login(t, s)

	mk := func(title, queue, state, customer string) string {
		clock.Advance(time.Minute)
		return mustCreate(t, s, sid, func(b map[string]any) {
			tk := ticketOf(b)
			tk["Title"], tk["Queue"], tk["State"], tk["CustomerUser"] = title, queue, state, customer
		})
	}
	a := mk("Printer broken", "Raw", "new", "jane.doe")
	b := mk("printer jammed", "Misc", "open", "acme.buyer")
	c := mk("VPN down", "Raw", "pending reminder", "jane.doe")
	d := mk("Mail bounce", "Junk", "closed successful", "john.smith")
	tnB := s.Tickets()[1].TicketNumber

	tests := []struct {
		name  string
		query url.Values
		want  []string
	}{
		{"everything, newest first", nil, []string{d, c, b, a}},
		{"Limit", url.Values{"Limit": {"2"}}, []string{d, c}},
		{"OrderBy Up", url.Values{"OrderBy": {"Up"}}, []string{a, b, c, d}},
		{"SortBy Title", url.Values{"SortBy": {"Title"}, "OrderBy": {"Up"}}, []string{d, a, b, c}},
		{"TicketNumber", url.Values{"TicketNumber": {tnB}}, []string{b}},
		{"TicketNumber wildcard", url.Values{"TicketNumber": {tnB[:10] + "*"}}, []string{d, c, b, a}},
		{"Title exact, case-insensitive", url.Values{"Title": {"printer broken"}}, []string{a}},
		{"Title is not a substring match", url.Values{"Title": {"printer"}}, nil},
		{"Title with %", url.Values{"Title": {"printer%"}}, []string{b, a}},
		{"Title with *", url.Values{"Title": {"*down"}}, []string{c}},
		{"Title OR", url.Values{"Title": {"VPN down||Mail bounce"}}, []string{d, c}},
		{"Title list", url.Values{"Title": {"VPN down", "Mail bounce"}}, []string{d, c}},
		{"Queues", url.Values{"Queues": {"Raw"}}, []string{c, a}},
		{"Queues repeated", url.Values{"Queues": {"Raw", "Junk"}}, []string{d, c, a}},
		{"QueueIDs", url.Values{"QueueIDs": {"4"}}, []string{b}},
		{"unknown queue", url.Values{"Queues": {"Nope"}}, nil},
		{"States", url.Values{"States": {"new", "open"}}, []string{b, a}},
		{"StateIDs", url.Values{"StateIDs": {"6"}}, []string{c}},
		{"StateType", url.Values{"StateType": {"pending reminder"}}, []string{c}},
		{"StateType Open means type open", url.Values{"StateType": {"Open"}}, []string{b}},
		{"StateType Closed means type closed", url.Values{"StateType": {"Closed"}}, []string{d}},
		{"StateType list", url.Values{"StateType": {"new", "open"}}, []string{b, a}},
		{"StateTypeIDs", url.Values{"StateTypeIDs": {"1", "3"}}, []string{d, a}},
		{"unknown StateType", url.Values{"StateType": {"Pending"}}, nil},
		{"CustomerUserLogin", url.Values{"CustomerUserLogin": {"jane.doe"}}, []string{c, a}},
		{"CustomerID", url.Values{"CustomerID": {"acme*"}}, []string{c, b, a}},
		{"Priorities", url.Values{"Priorities": {"3 normal"}}, []string{d, c, b, a}},
		{"unknown priority", url.Values{"Priorities": {"3"}}, nil},
		{"Locks", url.Values{"Locks": {"lock"}}, nil},
		{"Services", url.Values{"Services": {"IT"}}, nil},
		{"combined", url.Values{"Queues": {"Raw"}, "StateType": {"new"}}, []string{a}},
		{"created in the last 2 minutes", url.Values{"TicketCreateTimeNewerMinutes": {"2"}}, []string{d, c, b}},
		{"created older than date", url.Values{"TicketCreateTimeOlderDate": {"2024-10-02 07:04:39"}}, []string{b, a}},
		{"bad SortBy", url.Values{"SortBy": {"Nope"}}, nil},
		{"dynamic field criteria are not seen", url.Values{"DynamicField_ExternalRef": {"nothing"}}, []string{d, c, b, a}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := url.Values{"SessionID": {sid}}
			for k, v := range tt.query {
				q[k] = v
			}
			r := call(t, "GET", s.URL+"/Ticket?"+q.Encode(), nil)
			wantOK(t, r)
			got := ids(r)
			if len(tt.want) == 0 {
				if r.body != "{}" {
					t.Fatalf("got %s, want {}", r.body)
				}
				return
			}
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

	// Customer users and restricted agents only find what they may see.
	q := url.Values{"CustomerUserLogin": {"jane.doe"}, "Password": {CustomerPassword}}
	if got := ids(call(t, "GET", s.URL+"/Ticket?"+q.Encode(), nil)); len(got) != 2 {
		t.Errorf("customer finds %v", got)
	}
}

func TestTicketSearchRestrictedAgent(t *testing.T) {
	s := NewServer(WithAgentQueues("junkie", "pw", "Junk"))
	defer s.Close()
	sid := login(t, s)
	mustCreate(t, s, sid, nil)
	junk := mustCreate(t, s, sid, func(b map[string]any) { ticketOf(b)["Queue"] = "Junk" })

	q := "UserLogin=junkie&Password=pw"
	r := call(t, "GET", s.URL+"/Ticket?"+q, nil)
	if got := ids(r); len(got) != 1 || got[0] != junk {
		t.Errorf("restricted agent finds %s", r.body)
	}
	wantError(t, call(t, "GET", s.URL+"/Ticket/1?"+q, nil), "TicketGet.AccessDenied", "")
	wantOK(t, call(t, "GET", s.URL+"/Ticket/"+junk+"?"+q, nil))
}

func TestQueryCondition(t *testing.T) {
	tests := []struct {
		expr, value string
		want        bool
	}{
		{"abc", "ABC", true},
		{"abc", "abcd", false},
		{"ab%", "abcd", true},
		{"%b%d", "abcd", true},
		{"%x%", "abcd", false},
		{"a%c%", "abcabc", true},
		{"abc||xyz", "xyz", true},
		{"abc OR xyz", "xyz", true},
		{"%a%&&%d", "abcd", true},
		{"%a%+%z%", "abcd", false},
		{"!abc", "abc", false},
		{"!abc", "abd", true},
		{"(%a%||%z%)&&%d", "abcd", true},
		{"a||b&&c", "a", false}, // mixing AND and OR matches nothing
		{`"a||b"`, "a||b", true},
		{"Printer broken", "printer broken", true},
	}
	for _, tt := range tests {
		if got := matchQueryCondition(strings.ReplaceAll(tt.expr, "*", "%"), tt.value); got != tt.want {
			t.Errorf("matchQueryCondition(%q, %q) = %v, want %v", tt.expr, tt.value, got, tt.want)
		}
	}
}
