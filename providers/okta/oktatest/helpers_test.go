package oktatest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// reply is a decoded answer of the fake.
type reply struct {
	status int
	header http.Header
	body   any // decoded JSON; nil for an empty body
	raw    string
}

func (r reply) object() map[string]any {
	m, _ := r.body.(map[string]any)
	return m
}

func (r reply) list() []map[string]any {
	items, _ := r.body.([]any)
	out := make([]map[string]any, len(items))
	for i, it := range items {
		out[i], _ = it.(map[string]any)
	}
	return out
}

// ids returns the id of every item of a list reply.
func (r reply) ids() []string {
	var out []string
	for _, it := range r.list() {
		id, _ := it["id"].(string)
		out = append(out, id)
	}
	return out
}

func (r reply) str(key string) string {
	v, _ := r.object()[key].(string)
	return v
}

// links parses the Link header values into rel -> URL.
func (r reply) links(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, v := range r.header.Values("Link") {
		m := linkRE.FindStringSubmatch(v)
		if m == nil {
			t.Fatalf("Link header %q is not <url>; rel=\"x\"", v)
		}
		if _, dup := out[m[2]]; dup {
			t.Fatalf("two Link headers with rel=%q", m[2])
		}
		out[m[2]] = m[1]
	}
	return out
}

var linkRE = regexp.MustCompile(`^<([^>]+)>; rel="([a-z]+)"$`)

// do sends a request (see newRequest) and decodes the reply, checking the
// headers every answer has.
func do(t *testing.T, s *Server, method, path, body string, header ...string) reply {
	t.Helper()
	res, raw := send(t, s, newRequest(t, s, method, path, body, header...))
	r := reply{status: res.StatusCode, header: res.Header, raw: string(raw)}
	if len(raw) > 0 {
		if ct := res.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s %s: Content-Type %q", method, path, ct)
		}
		if err := json.Unmarshal(raw, &r.body); err != nil {
			t.Fatalf("%s %s: body is not JSON: %v: %s", method, path, err, raw)
		}
	}
	for _, h := range []string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset", "X-Okta-Request-Id"} {
		if res.Header.Get(h) == "" {
			t.Errorf("%s %s: no %s header", method, path, h)
		}
	}
	return r
}

// newRequest builds a request with the server's token unless header sets
// Authorization ("" removes it). header holds name, value pairs. A path
// may be a full URL, as a next link is.
func newRequest(t *testing.T, s *Server, method, path, body string, header ...string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	target := path
	if !strings.HasPrefix(path, "http") {
		target = s.URL + path
	}
	req, err := http.NewRequest(method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "SSWS "+s.Token)
	req.Header.Set("Accept", "application/json")
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
	return req
}

// send sends req to the server and returns the response and its body.
func send(t *testing.T, s *Server, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, raw
}

// get is do for GET with a query built from name, value pairs.
func get(t *testing.T, s *Server, path string, query ...string) reply {
	t.Helper()
	if len(query) > 0 {
		q := url.Values{}
		for i := 0; i+1 < len(query); i += 2 {
			q.Add(query[i], query[i+1])
		}
		path += "?" + q.Encode()
	}
	return do(t, s, "GET", path, "")
}

// wantStatus fails unless r has the status.
func wantStatus(t *testing.T, r reply, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.raw)
	}
}

// wantError checks an error reply in Okta's shape: the status, the code,
// and (if not empty) a substring of the summary and of the causes.
func wantError(t *testing.T, r reply, status int, code, summary string, causes ...string) {
	t.Helper()
	m := r.object()
	if r.status != status || m["errorCode"] != code {
		t.Fatalf("got %d %v, want %d %s: %s", r.status, m["errorCode"], status, code, r.raw)
	}
	if m["errorLink"] != code {
		t.Errorf("errorLink %v, want %s", m["errorLink"], code)
	}
	if id, _ := m["errorId"].(string); !strings.HasPrefix(id, "oae") || len(id) != 25 {
		t.Errorf("errorId %q is not oae and 22 characters", id)
	}
	got, _ := m["errorSummary"].(string)
	if !strings.Contains(got, summary) {
		t.Errorf("errorSummary %q does not contain %q", got, summary)
	}
	list, isList := m["errorCauses"].([]any)
	if !isList {
		t.Fatalf("errorCauses is not an array: %s", r.raw)
	}
	var all []string
	for _, c := range list {
		cm, _ := c.(map[string]any)
		s, _ := cm["errorSummary"].(string)
		all = append(all, s)
	}
	for _, want := range causes {
		if !strings.Contains(strings.Join(all, "\n"), want) {
			t.Errorf("errorCauses %q do not contain %q", all, want)
		}
	}
}

// clock is a settable time source for WithClock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)} }

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

// walk follows next links from path and returns every id seen, checking
// that each link is absolute on the server's host.
func walk(t *testing.T, s *Server, path string) (ids []string, pages int) {
	t.Helper()
	next := path
	for next != "" {
		r := do(t, s, "GET", next, "")
		wantStatus(t, r, 200)
		ids = append(ids, r.ids()...)
		pages++
		links := r.links(t)
		if !strings.HasPrefix(links["self"], s.URL+"/api/v1/") {
			t.Fatalf("self link %q is not absolute on %s", links["self"], s.URL)
		}
		next = links["next"]
		if next != "" && !strings.HasPrefix(next, s.URL+"/api/v1/") {
			t.Fatalf("next link %q is not absolute on %s", next, s.URL)
		}
		if pages > 10000 {
			t.Fatal("no end of pages")
		}
	}
	return ids, pages
}

// byLogin returns the stored user with that login.
func byLogin(t *testing.T, s *Server, login string) User {
	t.Helper()
	u, ok := s.User(login)
	if !ok {
		t.Fatalf("no user %s", login)
	}
	return u
}

// groupByName returns the stored group with that name.
func groupByName(t *testing.T, s *Server, name string) Group {
	t.Helper()
	for _, g := range s.Groups() {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("no group %s", name)
	return Group{}
}
