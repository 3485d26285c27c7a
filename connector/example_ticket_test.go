package connector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/restconn/restconn/connector"
)

// A help desk whose agent picks the ticket up, asks a question and then
// closes it as done, one step per poll.
func exampleDesk() *httptest.Server {
	var mu sync.Mutex
	steps := []string{"new", "open", "open", "waiting", "done"}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch {
		case r.Method == "POST" && r.URL.Path == "/requests/7/comments":
			fmt.Fprint(w, `{"id":"c1"}`)
		case r.Method == "GET" && r.URL.Path == "/requests/7":
			fmt.Fprintf(w, `{"id":"7","state":%q,"updated":"2024-10-02T07:0%d:00Z"}`, steps[0], 6-len(steps))
			if len(steps) > 1 {
				steps = steps[1:]
			}
		default:
			http.NotFound(w, r)
		}
	}))
}

const exampleDeskSpec = `{
  "name": "desk",
  "connection": {"baseURL": "$URL"},
  "tickets": {
    "status": {
      "calls": [{"name": "get", "path": "/requests/{{ .ticket.id }}"}],
      "status": "{{ .responses.get.body.state }}",
      "updatedAt": "{{ .responses.get.body.updated }}",
      "url": "https://desk.example.com/requests/{{ .ticket.id }}",
      "states": [
        {"in": ["new", "open"], "state": "open"},
        {"equals": "waiting", "state": "pending"},
        {"equals": "done", "state": "completed"},
        {"equals": "declined", "state": "rejected"}
      ]
    },
    "comment": {
      "calls": [{"method": "POST", "path": "/requests/{{ .ticket.id }}/comments", "body": {"text": "{{ .ticket.text }}"}}]
    }
  }
}`

// AwaitTicket polls until the ticket is completed or rejected, reporting
// each change. Real waits are minutes (the defaults are 30s growing to
// 15m); a deadline on ctx bounds the whole wait.
func ExampleAwaitTicket() {
	srv := exampleDesk()
	defer srv.Close()
	spec, err := connector.Parse([]byte(strings.ReplaceAll(exampleDeskSpec, "$URL", srv.URL)))
	if err != nil {
		panic(err)
	}
	eng, err := connector.New(spec)
	if err != nil {
		panic(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := eng.CommentTicket(ctx, "7", "The access is needed by Friday."); err != nil {
		panic(err)
	}
	t, err := connector.AwaitTicket(ctx, eng, "7", connector.AwaitOptions{
		Interval:    10 * time.Millisecond,
		MaxInterval: 50 * time.Millisecond,
		OnChange: func(t connector.Ticket) {
			fmt.Printf("%s: %s (%s)\n", t.UpdatedAt.Format(time.TimeOnly), t.State, t.Status)
		},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(t.State, t.URL)
	// Output:
	// 07:01:00: open (new)
	// 07:02:00: open (open)
	// 07:04:00: pending (waiting)
	// 07:05:00: completed (done)
	// completed https://desk.example.com/requests/7
}
