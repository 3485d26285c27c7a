package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// directory is the API of testdata/directory.json: a bearer token, users
// on cursor pages (limit, cursor, updated_since), groups, and a suspend
// call. Errors are {"error": {"code", "message"}}.
type directory struct {
	*httptest.Server
	token string

	mu         sync.Mutex
	queries    []string // raw queries of GET /users
	failCursor string   // GET /users with this cursor answers 400 bad_cursor
}

type dirUser struct {
	ID      string   `json:"id"`
	Login   string   `json:"login"`
	State   string   `json:"state"`
	Updated string   `json:"updated"`
	Groups  []string `json:"groups"`
}

var dirUsers = []dirUser{
	{"1", "ann", "active", "2024-01-10T00:00:00Z", []string{"g1"}},
	{"2", "bob", "suspended", "2024-02-10T00:00:00Z", []string{}},
	{"3", "cy", "active", "2024-03-10T00:00:00Z", []string{"g1", "g2"}},
	{"4", "di", "active", "2024-04-10T00:00:00Z", []string{"g2"}},
	{"5", "ed", "active", "2024-05-10T00:00:00Z", []string{}},
}

func newDirectory(t *testing.T) *directory {
	d := &directory{token: "dir-token-5b1e0c"}
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.Close)
	return d
}

// env and flags select the directory with restconn.
func (d *directory) env() map[string]string {
	return map[string]string{"RESTCONN_SECRET_TOKEN": d.token}
}

func (d *directory) args(args ...string) []string {
	return append(args, "--spec", "testdata/directory.json", "--param", "baseURL="+d.URL)
}

func (d *directory) serve(w http.ResponseWriter, r *http.Request) {
	fail := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"code":%q,"message":%q}}`, code, msg)
	}
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	if r.Header.Get("Authorization") != "Bearer "+d.token {
		fail(http.StatusUnauthorized, "unauthorized", "invalid token")
		return
	}
	switch {
	case r.Method == "GET" && r.URL.Path == "/me":
		reply(map[string]any{"id": "1"})
	case r.Method == "GET" && r.URL.Path == "/users":
		d.users(w, r, reply, fail)
	case r.Method == "GET" && r.URL.Path == "/groups":
		reply(map[string]any{"groups": []map[string]any{
			{"id": "g1", "name": "Sales", "members": []string{"1", "3"}},
			{"id": "g2", "name": "Support", "members": []string{"3", "4"}},
		}})
	case r.Method == "POST" && strings.HasPrefix(r.URL.Path, "/users/") && strings.HasSuffix(r.URL.Path, "/suspend"):
		id := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/users/"), "/suspend")
		for _, u := range dirUsers {
			if u.ID == id {
				reply(map[string]any{"id": id, "state": "suspended"})
				return
			}
		}
		fail(http.StatusNotFound, "user_not_found", "no user "+id)
	default:
		fail(http.StatusNotFound, "not_found", "no route")
	}
}

func (d *directory) users(w http.ResponseWriter, r *http.Request, reply func(any), fail func(int, string, string)) {
	q := r.URL.Query()
	d.mu.Lock()
	d.queries = append(d.queries, r.URL.RawQuery)
	failCursor := d.failCursor
	d.mu.Unlock()
	if c := q.Get("cursor"); c != "" && c == failCursor {
		fail(http.StatusBadRequest, "bad_cursor", "cursor expired")
		return
	}
	var since time.Time
	if s := q.Get("updated_since"); s != "" {
		var err error
		if since, err = time.Parse(time.RFC3339, s); err != nil {
			fail(http.StatusBadRequest, "bad_since", "updated_since is not RFC 3339")
			return
		}
	}
	var match []dirUser
	for _, u := range dirUsers {
		if up, _ := time.Parse(time.RFC3339, u.Updated); !up.Before(since) {
			match = append(match, u)
		}
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 {
		limit = 100
	}
	start, _ := strconv.Atoi(strings.TrimPrefix(q.Get("cursor"), "c"))
	end := min(start+limit, len(match))
	page := map[string]any{"users": match[min(start, end):end], "next": nil}
	if end < len(match) {
		page["next"] = "c" + strconv.Itoa(end)
	}
	reply(page)
}

func (d *directory) userQueries() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.queries...)
}
