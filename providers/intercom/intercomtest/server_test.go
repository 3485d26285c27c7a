package intercomtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// response is a decoded reply of the fake.
type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// errorCode returns the code of the first error of an error.list.
func (r response) errorCode() string {
	errs, _ := r.body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	first, _ := errs[0].(map[string]any)
	code, _ := first["code"].(string)
	return code
}

func (r response) errorMessage() string {
	errs, _ := r.body["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	first, _ := errs[0].(map[string]any)
	msg, _ := first["message"].(string)
	return msg
}

// do sends a request with the server's token unless header sets
// Authorization ("" removes it). header holds name, value pairs.
func do(t *testing.T, s *Server, method, path, body string, header ...string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+s.Token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if err := json.Unmarshal(raw, &r.body); err != nil {
		t.Fatalf("%s %s: body is not a JSON object: %v: %s", method, path, err, raw)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("%s %s: Content-Type %q", method, path, ct)
	}
	return r
}

// wantError checks an error.list reply.
func wantError(t *testing.T, r response, status int, code, message string) {
	t.Helper()
	if r.status != status || r.errorCode() != code || (message != "" && r.errorMessage() != message) {
		t.Fatalf("got %d %s %q, want %d %s %q: %s", r.status, r.errorCode(), r.errorMessage(), status, code, message, r.raw)
	}
	if r.body["type"] != "error.list" {
		t.Errorf("type = %v, want error.list", r.body["type"])
	}
	if id, _ := r.body["request_id"].(string); !uuidRE.MatchString(id) {
		t.Errorf("request_id %q is not a UUID", id)
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// clock is a settable time source for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Unix(1719493000, 0)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestAuthentication(t *testing.T) {
	s := NewServer(WithToken("secret"))
	defer s.Close()
	tests := []struct {
		name   string
		auth   string
		status int
	}{
		{"right token", "Bearer secret", 200},
		{"scheme in lower case", "bearer secret", 200},
		{"no header", "", 401},
		{"wrong token", "Bearer nope", 401},
		{"no scheme", "secret", 401},
		{"basic scheme", "Basic secret", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/me", "/admins", "/teams/814865", "/ticket_types", "/tickets/1"} {
				r := do(t, s, "GET", path, "", "Authorization", tt.auth)
				if tt.status == 401 {
					wantError(t, r, 401, "unauthorized", "Access Token Invalid")
				} else if r.status == 401 {
					t.Errorf("GET %s: 401 with %q", path, tt.auth)
				}
			}
		})
	}

	s.RevokeToken()
	wantError(t, do(t, s, "GET", "/me", ""), 401, "unauthorized", "Access Token Invalid")
}

func TestVersionHeader(t *testing.T) {
	s := NewServer()
	defer s.Close()
	tests := []struct {
		version string // "" sends no header
		ok      bool
	}{
		{"", true},
		{"2.11", true},
		{"1.0", true},
		{"2.10", true},
		{"Preview", true},
		{"2.12", false},
		{"2.11.0", false},
		{"latest", false},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			r := do(t, s, "GET", "/admins", "", "Intercom-Version", tt.version)
			if tt.ok && r.status != 200 {
				t.Errorf("status %d: %s", r.status, r.raw)
			}
			if !tt.ok {
				wantError(t, r, 400, "intercom_version_invalid", "")
				if !strings.Contains(r.errorMessage(), tt.version) {
					t.Errorf("message %q does not name the version", r.errorMessage())
				}
			}
			reqs := s.Requests()
			if got := reqs[len(reqs)-1].Version; got != tt.version {
				t.Errorf("recorded version %q, want %q", got, tt.version)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	clk := newClock()
	s := NewServer(WithRateLimit(3), WithClock(clk.Now))
	defer s.Close()
	reset := strconv.FormatInt(clk.Now().Add(time.Minute).Unix(), 10)

	for i, want := range []string{"2", "1", "0"} {
		r := do(t, s, "GET", "/teams", "")
		if r.status != 200 || r.header.Get("X-RateLimit-Limit") != "3" || r.header.Get("X-RateLimit-Remaining") != want || r.header.Get("X-RateLimit-Reset") != reset {
			t.Fatalf("call %d: %d, limit headers %v", i+1, r.status, r.header)
		}
	}
	r := do(t, s, "GET", "/teams", "")
	wantError(t, r, 429, "rate_limit_exceeded", "")
	if r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("X-RateLimit-Reset") != reset {
		t.Errorf("429 headers %v", r.header)
	}

	// A refused token does not use up the budget, but gets the headers.
	r = do(t, s, "GET", "/teams", "", "Authorization", "Bearer wrong")
	if r.status != 401 || r.header.Get("X-RateLimit-Limit") != "3" {
		t.Errorf("401 status %d, headers %v", r.status, r.header)
	}

	clk.Advance(time.Minute)
	r = do(t, s, "GET", "/teams", "")
	if r.status != 200 || r.header.Get("X-RateLimit-Remaining") != "2" {
		t.Errorf("after the window: %d, remaining %q", r.status, r.header.Get("X-RateLimit-Remaining"))
	}
}

func TestRateLimitNext(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()

	s.RateLimitNext(2, 30*time.Second)
	wantReset := strconv.FormatInt(clk.Now().Add(30*time.Second).Unix(), 10)
	for i := range 2 {
		r := do(t, s, "POST", "/tickets", `{"ticket_type_id":"1","contacts":[{"email":"a@example.com"}]}`)
		wantError(t, r, 429, "rate_limit_exceeded", "")
		if r.header.Get("X-RateLimit-Limit") != "10000" || r.header.Get("X-RateLimit-Remaining") != "0" || r.header.Get("X-RateLimit-Reset") != wantReset {
			t.Errorf("429 #%d headers %v", i+1, r.header)
		}
	}
	if len(s.Tickets()) != 0 {
		t.Error("a refused call created a ticket")
	}
	r := do(t, s, "GET", "/me", "")
	if r.status != 200 || r.header.Get("X-RateLimit-Remaining") != "9999" {
		t.Errorf("after the injected 429s: %d, remaining %q", r.status, r.header.Get("X-RateLimit-Remaining"))
	}
	if got := len(s.Requests()); got != 3 {
		t.Errorf("%d requests recorded, want 3", got)
	}
}

func TestAdmins(t *testing.T) {
	s := NewServer()
	defer s.Close()

	me := do(t, s, "GET", "/me", "")
	app, _ := me.body["app"].(map[string]any)
	avatar, _ := me.body["avatar"].(map[string]any)
	if me.status != 200 || me.body["type"] != "admin" || me.body["id"] != "991267390" || app["type"] != "app" || app["id_code"] == "" || avatar["type"] != "avatar" {
		t.Errorf("GET /me: %s", me.raw)
	}

	list := do(t, s, "GET", "/admins", "")
	admins, _ := list.body["admins"].([]any)
	if list.status != 200 || list.body["type"] != "admin.list" || len(admins) != 4 {
		t.Fatalf("GET /admins: %s", list.raw)
	}
	if _, ok := list.body["pages"]; ok {
		t.Error("GET /admins is paginated; the API's list is not")
	}
	var away, noSeat, noTitle int
	for _, a := range admins {
		a := a.(map[string]any)
		if _, ok := a["id"].(string); !ok {
			t.Errorf("admin id %v is not a string", a["id"])
		}
		for _, id := range a["team_ids"].([]any) {
			if _, ok := id.(float64); !ok {
				t.Errorf("team id %v is not a number", id)
			}
		}
		if _, ok := a["avatar"]; ok {
			t.Errorf("admin %v has an avatar without display_avatar", a["id"])
		}
		if a["away_mode_enabled"] == true {
			away++
		}
		if a["has_inbox_seat"] == false {
			noSeat++
		}
		if title, ok := a["job_title"]; !ok {
			t.Errorf("admin %v has no job_title", a["id"])
		} else if title == "" {
			noTitle++
		}
	}
	if away == 0 || noSeat == 0 || noTitle == 0 {
		t.Errorf("the seed should have an away admin, one without seat and one without job title: %d %d %d", away, noSeat, noTitle)
	}

	withAvatar := do(t, s, "GET", "/admins?display_avatar=true", "")
	for _, a := range withAvatar.body["admins"].([]any) {
		av, _ := a.(map[string]any)["avatar"].(map[string]any)
		if url, _ := av["image_url"].(string); !strings.HasPrefix(url, "https://") {
			t.Errorf("display_avatar=true: admin avatar %v", av)
		}
	}

	one := do(t, s, "GET", "/admins/991267391", "")
	if one.status != 200 || one.body["name"] != "Tomás Byrne" || one.body["away_mode_enabled"] != true {
		t.Errorf("GET /admins/991267391: %s", one.raw)
	}
	wantError(t, do(t, s, "GET", "/admins/42", ""), 404, "admin_not_found", "Admin not found")
}

func TestAwayMode(t *testing.T) {
	tests := []struct {
		name, id, body string
		status         int
		code, message  string
	}{
		{name: "set away", id: "991267390", body: `{"away_mode_enabled":true,"away_mode_reassign":true}`, status: 200},
		{name: "missing reassign", id: "991267390", body: `{"away_mode_enabled":true}`, status: 400, code: "parameter_not_found"},
		{name: "missing both", id: "991267390", body: `{}`, status: 400, code: "parameter_not_found"},
		{name: "string instead of boolean", id: "991267390", body: `{"away_mode_enabled":"true","away_mode_reassign":false}`, status: 400, code: "parameter_invalid"},
		{name: "not JSON", id: "991267390", body: `away`, status: 400, code: "bad_request"},
		{name: "unknown admin", id: "42", body: `{"away_mode_enabled":true,"away_mode_reassign":false}`, status: 404, code: "admin_not_found", message: "Admin for admin_id not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer()
			defer s.Close()
			r := do(t, s, "PUT", "/admins/"+tt.id+"/away", tt.body)
			a, _ := s.Admin("991267390")
			if tt.status != 200 {
				wantError(t, r, tt.status, tt.code, tt.message)
				if a.AwayModeEnabled {
					t.Error("a refused call changed the admin")
				}
				return
			}
			if r.status != 200 || r.body["type"] != "admin" || r.body["away_mode_enabled"] != true || r.body["away_mode_reassign"] != true {
				t.Errorf("PUT away: %s", r.raw)
			}
			if !a.AwayModeEnabled || !a.AwayModeReassign {
				t.Errorf("admin after PUT away: %+v", a)
			}
		})
	}
}

func TestTeams(t *testing.T) {
	s := NewServer()
	defer s.Close()

	r := do(t, s, "GET", "/teams", "")
	teams, _ := r.body["teams"].([]any)
	if r.status != 200 || r.body["type"] != "team.list" || len(teams) == 0 {
		t.Fatalf("GET /teams: %s", r.raw)
	}
	// The seed is consistent: a team lists an admin iff the admin lists it.
	members := map[string]bool{}
	for _, team := range teams {
		team := team.(map[string]any)
		for _, id := range team["admin_ids"].([]any) {
			members[fmt.Sprintf("%s/%d", team["id"], int(id.(float64)))] = true
		}
	}
	for _, a := range defaultAdmins() {
		for _, tid := range a.TeamIDs {
			key := fmt.Sprintf("%d/%s", tid, a.ID)
			if !members[key] {
				t.Errorf("admin %s lists team %d, which does not list the admin", a.ID, tid)
			}
			delete(members, key)
		}
	}
	if len(members) != 0 {
		t.Errorf("teams list admins that do not list them: %v", members)
	}

	one := do(t, s, "GET", "/teams/814866", "")
	if one.status != 200 || one.body["type"] != "team" || one.body["name"] != "Billing" {
		t.Errorf("GET /teams/814866: %s", one.raw)
	}
	wantError(t, do(t, s, "GET", "/teams/1", ""), 404, "team_not_found", "Team not found")
}

func TestTicketTypes(t *testing.T) {
	s := NewServer(WithTicketTypes(TicketType{ID: "7", Name: "Bug", Category: "Tracker"}, TicketType{ID: "8", Name: "Question"}))
	defer s.Close()

	r := do(t, s, "GET", "/ticket_types", "")
	data, _ := r.body["data"].([]any)
	if r.status != 200 || r.body["type"] != "list" || len(data) != 2 {
		t.Fatalf("GET /ticket_types: %s", r.raw)
	}
	second := data[1].(map[string]any)
	if second["id"] != "8" || second["category"] != "Customer" {
		t.Errorf("second type: %v", second)
	}
	attrs := second["ticket_type_attributes"].(map[string]any)
	var names []string
	for _, a := range attrs["data"].([]any) {
		a := a.(map[string]any)
		names = append(names, a["name"].(string))
		if a["ticket_type_id"] != 8.0 {
			t.Errorf("attribute ticket_type_id = %v, want the integer 8", a["ticket_type_id"])
		}
	}
	if attrs["type"] != "list" || !reflect.DeepEqual(names, []string{"_default_title_", "_default_description_"}) {
		t.Errorf("attributes: %v", attrs)
	}

	one := do(t, s, "GET", "/ticket_types/7", "")
	if one.status != 200 || one.body["type"] != "ticket_type" || one.body["category"] != "Tracker" {
		t.Errorf("GET /ticket_types/7: %s", one.raw)
	}
	wantError(t, do(t, s, "GET", "/ticket_types/1", ""), 404, "not_found", "")
}

func TestCreateTicket(t *testing.T) {
	tests := []struct {
		name, body    string
		status        int
		code          string
		contactID     string // of the new ticket's contact; "new" for a created contact
		contactsAfter int
	}{
		{name: "contact by id", body: `{"ticket_type_id":"1","contacts":[{"id":"6650a1b2c3d4e5f607182930"}]}`,
			status: 200, contactID: "6650a1b2c3d4e5f607182930", contactsAfter: 2},
		{name: "contact by external_id", body: `{"ticket_type_id":"1","contacts":[{"external_id":"cust-1001"}]}`,
			status: 200, contactID: "6650a1b2c3d4e5f607182930", contactsAfter: 2},
		{name: "known email, other case", body: `{"ticket_type_id":"1","contacts":[{"email":"Grace@Example.com"}]}`,
			status: 200, contactID: "6650a1b2c3d4e5f607182931", contactsAfter: 2},
		{name: "new email creates a contact", body: `{"ticket_type_id":"1","contacts":[{"email":"new@example.com"}]}`,
			status: 200, contactID: "new", contactsAfter: 3},
		{name: "ticket type as a number", body: `{"ticket_type_id":1,"contacts":[{"email":"ada@example.com"}],"company_id":"c1","created_at":1700000000}`,
			status: 200, contactID: "6650a1b2c3d4e5f607182930", contactsAfter: 2},
		{name: "no ticket type", body: `{"contacts":[{"email":"ada@example.com"}]}`, status: 400, code: "parameter_not_found"},
		{name: "ticket type as a boolean", body: `{"ticket_type_id":true,"contacts":[{"email":"ada@example.com"}]}`, status: 400, code: "parameter_invalid"},
		{name: "no contacts", body: `{"ticket_type_id":"1"}`, status: 400, code: "parameter_not_found"},
		{name: "empty contacts", body: `{"ticket_type_id":"1","contacts":[]}`, status: 400, code: "parameter_not_found"},
		{name: "two contacts", body: `{"ticket_type_id":"1","contacts":[{"email":"a@example.com"},{"email":"b@example.com"}]}`, status: 400, code: "parameter_invalid"},
		{name: "contact with id and email", body: `{"ticket_type_id":"1","contacts":[{"id":"x","email":"a@example.com"}]}`, status: 400, code: "parameter_invalid"},
		{name: "contact with nothing", body: `{"ticket_type_id":"1","contacts":[{"name":"Ada"}]}`, status: 400, code: "parameter_invalid"},
		{name: "object attribute", body: `{"ticket_type_id":"1","contacts":[{"email":"a@example.com"}],"ticket_attributes":{"x":{}}}`, status: 400, code: "parameter_invalid"},
		{name: "unknown ticket type", body: `{"ticket_type_id":"99","contacts":[{"email":"a@example.com"}]}`, status: 404, code: "not_found"},
		{name: "unknown contact id", body: `{"ticket_type_id":"1","contacts":[{"id":"nobody"}]}`, status: 404, code: "not_found"},
		{name: "unknown external_id", body: `{"ticket_type_id":"1","contacts":[{"external_id":"nobody"}]}`, status: 404, code: "not_found"},
		{name: "not JSON", body: `{"ticket_type_id":`, status: 400, code: "bad_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewServer()
			defer s.Close()
			r := do(t, s, "POST", "/tickets", tt.body)
			if tt.status != 200 {
				wantError(t, r, tt.status, tt.code, "")
				if len(s.Tickets()) != 0 || len(s.Contacts()) != 2 {
					t.Error("a refused call changed the state")
				}
				return
			}
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			contacts := r.body["contacts"].(map[string]any)["contacts"].([]any)
			got := contacts[0].(map[string]any)["id"].(string)
			want := tt.contactID
			if want == "new" {
				all := s.Contacts()
				want = all[len(all)-1].ID
				if all[len(all)-1].Email != "new@example.com" {
					t.Errorf("created contact %+v", all[len(all)-1])
				}
			}
			if got != want {
				t.Errorf("contact %s, want %s", got, want)
			}
			if n := len(s.Contacts()); n != tt.contactsAfter {
				t.Errorf("%d contacts after the call, want %d", n, tt.contactsAfter)
			}
		})
	}
}

func TestTicketLifecycle(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()

	r := do(t, s, "POST", "/tickets", `{"ticket_type_id":"1","contacts":[{"email":"ada@example.com"}],
		"ticket_attributes":{"_default_title_":"Access to Grafana","_default_description_":"Read-only, please"}}`)
	if r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.body["id"].(string)
	if r.body["type"] != "ticket" || r.body["ticket_state"] != "submitted" || r.body["open"] != true ||
		r.body["category"] != "Back-office" || r.body["ticket_id"] == id || r.body["created_at"] != float64(clk.Now().Unix()) {
		t.Errorf("created ticket: %s", r.raw)
	}
	for _, key := range []string{"ticket_type", "ticket_parts", "linked_objects", "contacts", "admin_assignee_id", "team_assignee_id"} {
		if _, ok := r.body[key]; !ok {
			t.Errorf("created ticket has no %s", key)
		}
	}
	tk, ok := s.Ticket(id)
	if !ok || tk.Title != "Access to Grafana" || tk.Description != "Read-only, please" || tk.State != "submitted" ||
		!reflect.DeepEqual(tk.ContactEmails, []string{"ada@example.com"}) || len(tk.Parts) != 1 {
		t.Fatalf("Ticket(%s) = %+v, %v", id, tk, ok)
	}

	if got := do(t, s, "GET", "/tickets/"+id, ""); got.status != 200 || got.body["id"] != id {
		t.Errorf("GET: %s", got.raw)
	}
	wantError(t, do(t, s, "GET", "/tickets/"+tk.TicketID, ""), 404, "ticket_not_found", "Ticket not found")
	wantError(t, do(t, s, "PUT", "/tickets/999", `{"state":"resolved"}`), 404, "ticket_not_found", "Ticket not found")

	steps := []struct {
		name, body  string
		status      int
		code        string
		state       string
		open        bool
		admin, team string
	}{
		{name: "in progress", body: `{"state":"in_progress"}`, status: 200, state: "in_progress", open: true, admin: "0", team: "0"},
		{name: "submitted is refused", body: `{"state":"submitted"}`, status: 400, code: "parameter_invalid", state: "in_progress", open: true, admin: "0", team: "0"},
		{name: "unknown state", body: `{"state":"closed"}`, status: 400, code: "parameter_invalid", state: "in_progress", open: true, admin: "0", team: "0"},
		{name: "assign to an admin", body: `{"assignment":{"admin_id":"991267390","assignee_id":"991267392"}}`, status: 200, state: "in_progress", open: true, admin: "991267392", team: "0"},
		{name: "assign to a team", body: `{"assignment":{"assignee_id":"814866"}}`, status: 200, state: "in_progress", open: true, admin: "991267392", team: "814866"},
		{name: "unknown assignee", body: `{"state":"resolved","assignment":{"assignee_id":"5"}}`, status: 404, code: "assignee_not_found", state: "in_progress", open: true, admin: "991267392", team: "814866"},
		{name: "unknown acting admin", body: `{"assignment":{"admin_id":"5","assignee_id":"0"}}`, status: 404, code: "assignee_not_found", state: "in_progress", open: true, admin: "991267392", team: "814866"},
		{name: "unassign", body: `{"assignment":{"assignee_id":"0"}}`, status: 200, state: "in_progress", open: true, admin: "0", team: "0"},
		{name: "open as a string", body: `{"open":"false"}`, status: 400, code: "parameter_invalid", state: "in_progress", open: true, admin: "0", team: "0"},
		{name: "resolve closes", body: `{"state":"resolved","is_shared":true}`, status: 200, state: "resolved", open: false, admin: "0", team: "0"},
		{name: "waiting reopens", body: `{"state":"waiting_on_customer","snoozed_until":1719590400}`, status: 200, state: "waiting_on_customer", open: true, admin: "0", team: "0"},
		{name: "close", body: `{"open":false,"ticket_attributes":{"_default_title_":"Access to Grafana (done)"}}`, status: 200, state: "waiting_on_customer", open: false, admin: "0", team: "0"},
	}
	for _, st := range steps {
		clk.Advance(time.Minute)
		r := do(t, s, "PUT", "/tickets/"+id, st.body)
		if st.status != 200 {
			wantError(t, r, st.status, st.code, "")
		} else if r.status != 200 || r.body["ticket_state"] != st.state || r.body["open"] != st.open || r.body["updated_at"] != float64(clk.Now().Unix()) {
			t.Errorf("%s: %s", st.name, r.raw)
		}
		tk, _ := s.Ticket(id)
		if tk.State != st.state || tk.Open != st.open || tk.AdminAssigneeID != st.admin || tk.TeamAssigneeID != st.team {
			t.Errorf("%s: ticket %s open=%v admin=%s team=%s, want %s %v %s %s", st.name, tk.State, tk.Open, tk.AdminAssigneeID, tk.TeamAssigneeID, st.state, st.open, st.admin, st.team)
		}
	}
	tk, _ = s.Ticket(id)
	if !tk.IsShared || tk.SnoozedUntil != 0 || tk.Title != "Access to Grafana (done)" {
		t.Errorf("after the updates: shared %v, snoozed %d (closing unsnoozes), title %q", tk.IsShared, tk.SnoozedUntil, tk.Title)
	}

	// The history: creation, then every accepted change.
	var kinds []string
	for _, p := range tk.Parts {
		kinds = append(kinds, p.PartType)
	}
	want := []string{"ticket_state_updated_by_admin", "ticket_state_updated_by_admin", "assignment", "assignment", "assignment",
		"ticket_state_updated_by_admin", "ticket_state_updated_by_admin", "snoozed", "ticket_attribute_updated_by_admin", "close"}
	if !reflect.DeepEqual(kinds, want) {
		t.Errorf("parts %v\nwant  %v", kinds, want)
	}
	if p := tk.Parts[1]; p.PreviousTicketState != "submitted" || p.TicketState != "in_progress" {
		t.Errorf("state part %+v", p)
	}
	if p := tk.Parts[2]; p.AuthorID != "991267390" {
		t.Errorf("assignment by admin 991267390 has author %s", p.AuthorID)
	}

	if err := s.SetTicketState(id, "resolved"); err != nil {
		t.Fatal(err)
	}
	tk, _ = s.Ticket(id)
	if tk.State != "resolved" || tk.Open || tk.Parts[len(tk.Parts)-1].PreviousTicketState != "waiting_on_customer" {
		t.Errorf("after SetTicketState: %+v", tk)
	}
	if err := s.SetTicketState(id, "done"); err == nil {
		t.Error("SetTicketState accepted state done")
	}
	if err := s.SetTicketState("999", "resolved"); err == nil {
		t.Error("SetTicketState accepted an unknown ticket")
	}
}

func TestTicketReplies(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	r := do(t, s, "POST", "/tickets", `{"ticket_type_id":"1","contacts":[{"email":"ada@example.com"}]}`)
	if r.status != 200 {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id := r.body["id"].(string)

	clk.Advance(time.Minute)
	r = do(t, s, "POST", "/tickets/"+id+"/reply", `{"message_type":"note","type":"admin","admin_id":"991267391","body":"Approved.\nGo ahead."}`)
	if r.status != 200 || r.body["type"] != "ticket_part" || r.body["part_type"] != "note" || r.body["body"] != "Approved.\nGo ahead." ||
		r.body["created_at"] != float64(clk.Now().Unix()) {
		t.Fatalf("note: %d %s", r.status, r.raw)
	}
	if a, _ := r.body["author"].(map[string]any); a["id"] != "991267391" || a["type"] != "admin" || a["email"] == "" {
		t.Errorf("note author: %s", r.raw)
	}
	tk, _ := s.Ticket(id)
	last := tk.Parts[len(tk.Parts)-1]
	if last.PartType != "note" || last.Body != "Approved.\nGo ahead." || last.AuthorID != "991267391" || last.AuthorType != "admin" ||
		tk.State != "submitted" || !tk.Open || tk.UpdatedAt != clk.Now().Unix() {
		t.Errorf("after the note: %+v", tk)
	}
	got := do(t, s, "GET", "/tickets/"+id, "")
	parts := got.body["ticket_parts"].(map[string]any)["ticket_parts"].([]any)
	if p := parts[len(parts)-1].(map[string]any); p["body"] != "Approved.\nGo ahead." || parts[0].(map[string]any)["body"] != nil {
		t.Errorf("parts in GET: %s", got.raw)
	}

	wantError(t, do(t, s, "POST", "/tickets/"+id+"/reply", `{"message_type":"note","type":"admin","body":"x"}`), 400, "parameter_not_found", "admin_id is a required parameter.")
	wantError(t, do(t, s, "POST", "/tickets/"+id+"/reply", `{"message_type":"note","type":"admin","admin_id":"991267391"}`), 400, "parameter_not_found", "body is a required parameter.")
	wantError(t, do(t, s, "POST", "/tickets/"+id+"/reply", `{"message_type":"shout","type":"admin","admin_id":"991267391","body":"x"}`), 400, "parameter_invalid", "")
	wantError(t, do(t, s, "POST", "/tickets/"+id+"/reply", `{"message_type":"note","type":"admin","admin_id":"5","body":"x"}`), 404, "not_found", "Resource Not Found")
	wantError(t, do(t, s, "POST", "/tickets/999/reply", `{"message_type":"note","type":"admin","admin_id":"991267391","body":"x"}`), 404, "ticket_not_found", "Ticket not found")
	wantError(t, do(t, s, "POST", "/tickets/"+id+"/reply", `{"message_type":"comment","type":"user","email":"ada@example.com","body":"Thanks"}`),
		400, "parameter_mismatch", "User replies are not allowed on Backoffice tickets")
	if r := do(t, s, "POST", "/tickets/"+id+"/reply", `{"message_type":"comment","type":"admin","admin_id":991267391,"body":"a number, as in the description's example"}`); r.status != 200 {
		t.Errorf("numeric admin_id: %s", r.raw)
	}

	// Closing without resolving: open false, the state kept.
	clk.Advance(time.Minute)
	if err := s.CloseTicket(id); err != nil {
		t.Fatal(err)
	}
	got = do(t, s, "GET", "/tickets/"+id, "")
	if got.body["open"] != false || got.body["ticket_state"] != "submitted" || got.body["updated_at"] != float64(clk.Now().Unix()) {
		t.Errorf("closed: %s", got.raw)
	}
	tk, _ = s.Ticket(id)
	if tk.Parts[len(tk.Parts)-1].PartType != "close" {
		t.Errorf("no close part: %+v", tk.Parts)
	}
	if err := s.CloseTicket("999"); err == nil {
		t.Error("CloseTicket accepted an unknown ticket")
	}
}

func TestSnapshotsAreCopies(t *testing.T) {
	s := NewServer()
	defer s.Close()
	r := do(t, s, "POST", "/tickets", `{"ticket_type_id":"1","contacts":[{"email":"ada@example.com"}],"ticket_attributes":{"tags":["a"]}}`)
	id := r.body["id"].(string)

	tk, _ := s.Ticket(id)
	tk.Attributes["tags"].([]any)[0] = "changed"
	tk.ContactIDs[0] = "changed"
	a, _ := s.Admin("991267390")
	a.TeamIDs[0] = 0
	reqs := s.Requests()
	reqs[0].Header.Set("Authorization", "changed")
	reqs[0].Body[0] = 'X'

	tk, _ = s.Ticket(id)
	a, _ = s.Admin("991267390")
	reqs = s.Requests()
	if tk.Attributes["tags"].([]any)[0] != "a" || tk.ContactIDs[0] == "changed" || a.TeamIDs[0] == 0 ||
		reqs[0].Header.Get("Authorization") == "changed" || reqs[0].Body[0] == 'X' {
		t.Error("changing a returned value changed the server's state")
	}
}

func TestSearchTickets(t *testing.T) {
	clk := newClock()
	s := NewServer(WithClock(clk.Now))
	defer s.Close()
	var ids []string
	var created []int64
	for i := range 5 {
		r := do(t, s, "POST", "/tickets", fmt.Sprintf(`{"ticket_type_id":"1","contacts":[{"email":"user%d@example.com"}],"ticket_attributes":{"_default_title_":"Ticket %d"}}`, i%2, i))
		ids = append(ids, r.body["id"].(string))
		created = append(created, clk.Now().Unix())
		clk.Advance(time.Hour)
	}
	if err := s.SetTicketState(ids[1], "resolved"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTicketState(ids[3], "in_progress"); err != nil {
		t.Fatal(err)
	}

	filter := func(field, op string, value any) string {
		v, _ := json.Marshal(value)
		return fmt.Sprintf(`{"field":%q,"operator":%q,"value":%s}`, field, op, v)
	}
	query := func(q string) string { return `{"query":` + q + `}` }
	and := func(fs ...string) string { return `{"operator":"AND","value":[` + strings.Join(fs, ",") + `]}` }
	or := func(fs ...string) string { return `{"operator":"OR","value":[` + strings.Join(fs, ",") + `]}` }
	tests := []struct {
		name, body string
		want       []string // ids in order
		code       string   // for a 400
	}{
		{name: "id", body: query(filter("id", "=", ids[2])), want: ids[2:3]},
		{name: "state", body: query(filter("state", "=", "resolved")), want: ids[1:2]},
		{name: "ticket_state alias", body: query(filter("ticket_state", "!=", "submitted")), want: []string{ids[1], ids[3]}},
		{name: "created_at > includes the value", body: query(filter("created_at", ">", strconv.FormatInt(created[3], 10))), want: ids[3:]},
		{name: "created_at < as a number", body: query(filter("created_at", "<", created[1])), want: ids[:2]},
		{name: "AND", body: query(and(filter("created_at", ">", created[1]), filter("state", "=", "submitted"))), want: []string{ids[2], ids[4]}},
		{name: "OR", body: query(or(filter("id", "=", ids[0]), filter("id", "=", ids[4]))), want: []string{ids[0], ids[4]}},
		{name: "nested", body: query(and(filter("open", "=", true), or(filter("title", "~", "1"), filter("title", "$", "3")))), want: []string{ids[3]}},
		{name: "IN", body: query(filter("id", "IN", []string{ids[0], ids[3]})), want: []string{ids[0], ids[3]}},
		{name: "contact", body: query(filter("contact_ids", "=", s.Tickets()[1].ContactIDs[0])), want: []string{ids[1], ids[3]}},
		{name: "no match", body: query(filter("id", "=", "nope")), want: []string{}},
		{name: "unsupported field", body: query(filter("priority", "=", "high")), code: "parameter_invalid"},
		{name: "operator for the wrong type", body: query(filter("created_at", "~", "1")), code: "parameter_invalid"},
		{name: "date that is not a timestamp", body: query(filter("created_at", ">", "yesterday")), code: "parameter_invalid"},
		{name: "AND without filters", body: query(`{"operator":"AND","value":[]}`), code: "parameter_invalid"},
		{name: "no query", body: `{}`, code: "parameter_not_found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, s, "POST", "/tickets/search", tt.body)
			if tt.code != "" {
				wantError(t, r, 400, tt.code, "")
				return
			}
			if r.status != 200 || r.body["type"] != "ticket.list" {
				t.Fatalf("%d %s", r.status, r.raw)
			}
			got := []string{}
			for _, tk := range r.body["tickets"].([]any) {
				got = append(got, tk.(map[string]any)["id"].(string))
			}
			if !reflect.DeepEqual(got, tt.want) || r.body["total_count"] != float64(len(tt.want)) {
				t.Errorf("got %v (total_count %v), want %v", got, r.body["total_count"], tt.want)
			}
		})
	}
}

func TestSearchPagination(t *testing.T) {
	s := NewServer()
	defer s.Close()
	var ids []string
	for range 5 {
		r := do(t, s, "POST", "/tickets", `{"ticket_type_id":"1","contacts":[{"email":"ada@example.com"}]}`)
		ids = append(ids, r.body["id"].(string))
	}

	var got []string
	after := "null"
	for page := 1; ; page++ {
		r := do(t, s, "POST", "/tickets/search", `{"query":{"field":"created_at","operator":">","value":0},"pagination":{"per_page":2,"starting_after":`+after+`}}`)
		if r.status != 200 {
			t.Fatalf("page %d: %s", page, r.raw)
		}
		for _, tk := range r.body["tickets"].([]any) {
			got = append(got, tk.(map[string]any)["id"].(string))
		}
		pages := r.body["pages"].(map[string]any)
		if pages["type"] != "pages" || pages["page"] != float64(page) || pages["per_page"] != 2.0 || pages["total_pages"] != 3.0 || r.body["total_count"] != 5.0 {
			t.Errorf("page %d: pages %v, total_count %v", page, pages, r.body["total_count"])
		}
		next, ok := pages["next"].(map[string]any)
		if !ok {
			if page != 3 {
				t.Errorf("no next page after page %d", page)
			}
			break
		}
		if page == 3 {
			t.Fatal("a next page after the last")
		}
		cursor, _ := json.Marshal(next["starting_after"])
		after = string(cursor)
	}
	if !reflect.DeepEqual(got, ids) {
		t.Errorf("paged through %v, want %v", got, ids)
	}

	// The default page size is 20, and a page never exceeds 150.
	r := do(t, s, "POST", "/tickets/search", `{"query":{"field":"open","operator":"=","value":true}}`)
	if pages := r.body["pages"].(map[string]any); pages["per_page"] != 20.0 || pages["total_pages"] != 1.0 {
		t.Errorf("default pages %v", pages)
	}
	r = do(t, s, "POST", "/tickets/search", `{"query":{"field":"open","operator":"=","value":true},"pagination":{"per_page":1000}}`)
	if pages := r.body["pages"].(map[string]any); pages["per_page"] != 150.0 {
		t.Errorf("per_page 1000 gave pages %v", pages)
	}
	for _, bad := range []string{`{"per_page":0}`, `{"per_page":2,"starting_after":"bogus"}`, `{"per_page":"2"}`} {
		r := do(t, s, "POST", "/tickets/search", `{"query":{"field":"open","operator":"=","value":true},"pagination":`+bad+`}`)
		wantError(t, r, 400, "parameter_invalid", "")
	}
}

func TestUnknownRoutes(t *testing.T) {
	s := NewServer()
	defer s.Close()
	for _, tt := range []struct{ method, path string }{
		{"GET", "/contacts"},
		{"GET", "/"},
		{"DELETE", "/admins/991267390"},
		{"POST", "/admins"},
		{"POST", "/ticket_types"},
		{"PATCH", "/tickets/1001"},
		{"GET", "/tickets/1001/extra"},
	} {
		r := do(t, s, tt.method, tt.path, "")
		wantError(t, r, 404, "not_found", "Resource Not Found")
		if r.header.Get("X-RateLimit-Limit") == "" {
			t.Errorf("%s %s: no rate-limit headers", tt.method, tt.path)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	s := NewServer()
	defer s.Close()
	big := `{"ticket_type_id":"1","contacts":[{"email":"a@example.com"}],"ticket_attributes":{"x":"` + strings.Repeat("a", maxBody) + `"}}`
	wantError(t, do(t, s, "POST", "/tickets", big), 413, "bad_request", "")
	if len(s.Tickets()) != 0 {
		t.Error("an oversized request created a ticket")
	}
}

func TestConcurrentUse(t *testing.T) {
	s := NewServer()
	defer s.Close()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			do(t, s, "POST", "/tickets", fmt.Sprintf(`{"ticket_type_id":"1","contacts":[{"email":"u%d@example.com"}]}`, i))
			do(t, s, "POST", "/tickets/search", `{"query":{"field":"open","operator":"=","value":true}}`)
			_ = s.Tickets()
			_ = s.Requests()
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, tk := range s.Tickets() {
		if seen[tk.ID] {
			t.Errorf("ticket id %s handed out twice", tk.ID)
		}
		seen[tk.ID] = true
	}
	if len(seen) != 20 || len(s.Requests()) != 40 || len(s.Contacts()) != 22 {
		t.Errorf("%d tickets, %d requests, %d contacts", len(seen), len(s.Requests()), len(s.Contacts()))
	}
}

func TestNewServerRejectsBadOptions(t *testing.T) {
	tests := []struct {
		name string
		opt  Option
	}{
		{"no admins", WithAdmins()},
		{"non-numeric admin id", WithAdmins(Admin{ID: "abc", Name: "A"})},
		{"repeated team id", WithTeams(Team{ID: "1"}, Team{ID: "1"})},
		{"unknown category", WithTicketTypes(TicketType{ID: "1", Category: "Incident"})},
		{"contact without id", WithContacts(Contact{Email: "a@example.com"})},
		{"zero rate limit", WithRateLimit(0)},
		{"empty token", WithToken("")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Error("NewServer did not panic")
				}
			}()
			NewServer(tt.opt).Close()
		})
	}
}
