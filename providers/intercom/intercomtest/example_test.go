package intercomtest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/restconn/restconn/providers/intercom/intercomtest"
)

// A test creates a ticket through the API, changes it behind the API's back
// as a teammate would, and inspects the server's state.
func Example() {
	srv := intercomtest.NewServer()
	defer srv.Close()

	body := `{"ticket_type_id": "1",
		"contacts": [{"email": "new.hire@example.com"}],
		"ticket_attributes": {"_default_title_": "Access to Grafana"}}`
	req, _ := http.NewRequest("POST", srv.URL+"/tickets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.Token)
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	var created struct {
		ID    string `json:"id"`
		State string `json:"ticket_state"`
	}
	if err := json.NewDecoder(res.Body).Decode(&created); err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StatusCode, created.State)

	if err := srv.SetTicketState(created.ID, "resolved"); err != nil {
		log.Fatal(err)
	}
	t, _ := srv.Ticket(created.ID)
	fmt.Println(t.Title, t.State, t.Open, t.ContactEmails)
	// Output:
	// 200 submitted
	// Access to Grafana resolved false [new.hire@example.com]
}

// RateLimitNext lets a test check that a client waits for
// X-RateLimit-Reset and retries.
func ExampleServer_RateLimitNext() {
	now := time.Unix(1719493000, 0)
	srv := intercomtest.NewServer(intercomtest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	srv.RateLimitNext(1, 10*time.Second)

	for range 2 {
		req, _ := http.NewRequest("GET", srv.URL+"/admins", nil)
		req.Header.Set("Authorization", "Bearer "+srv.Token)
		res, err := srv.Client().Do(req)
		if err != nil {
			log.Fatal(err)
		}
		res.Body.Close()
		fmt.Println(res.StatusCode, res.Header.Get("X-RateLimit-Remaining"), res.Header.Get("X-RateLimit-Reset"))
	}
	// Output:
	// 429 0 1719493010
	// 200 9999 1719493060
}
