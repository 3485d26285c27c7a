package oktatest_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/restconn/restconn/providers/okta/oktatest"
)

// call sends one request with the server's token and decodes the JSON
// answer into out (if not nil). It returns the response for its headers.
func call(srv *oktatest.Server, method, url, body string, out any) *http.Response {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "SSWS "+srv.Token)
	req.Header.Set("Accept", "application/json")
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	if out != nil {
		if err := json.NewDecoder(res.Body).Decode(out); err != nil {
			log.Fatal(err)
		}
	}
	return res
}

// nextLink returns the URL of the rel="next" Link header, or "".
func nextLink(res *http.Response) string {
	for _, l := range res.Header.Values("Link") {
		if url, ok := strings.CutSuffix(l, `>; rel="next"`); ok {
			return strings.TrimPrefix(url, "<")
		}
	}
	return ""
}

// A joiner is created and added to a group through the API, then the
// group's members are read page by page, following the Link headers as an
// import does.
func Example() {
	srv := oktatest.NewServer()
	defer srv.Close()

	var joiner struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	call(srv, "POST", srv.URL+"/api/v1/users?activate=true", `{
		"profile": {"login": "new.hire@example.com", "email": "new.hire@example.com",
		            "firstName": "New", "lastName": "Hire", "department": "Engineering"},
		"credentials": {"password": {"value": "Corr3ct-Horse"}}}`, &joiner)
	fmt.Println("joiner:", joiner.Status)

	var groups []struct {
		ID string `json:"id"`
	}
	call(srv, "GET", srv.URL+`/api/v1/groups?q=Engineering&limit=1`, "", &groups)
	res := call(srv, "PUT", srv.URL+"/api/v1/groups/"+groups[0].ID+"/users/"+joiner.ID, "", nil)
	fmt.Println("membership:", res.StatusCode)

	pages, members := 0, 0
	for next := srv.URL + "/api/v1/groups/" + groups[0].ID + "/users?limit=3"; next != ""; pages++ {
		var page []struct {
			Profile struct {
				Login string `json:"login"`
			} `json:"profile"`
		}
		res := call(srv, "GET", next, "", &page)
		members += len(page)
		next = nextLink(res)
	}
	fmt.Println("members:", members, "in", pages, "pages")
	// Output:
	// joiner: ACTIVE
	// membership: 204
	// members: 8 in 3 pages
}

// RateLimitNext lets a test check that a client waits until
// X-Rate-Limit-Reset and tries again; the clock seam spares it the wait.
func ExampleServer_RateLimitNext() {
	now := time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	srv := oktatest.NewServer(oktatest.WithClock(func() time.Time { return now }))
	defer srv.Close()
	srv.RateLimitNext(1, 10*time.Second)

	for range 2 {
		var body map[string]any
		res := call(srv, "GET", srv.URL+"/api/v1/users/me", "", &body)
		fmt.Println(res.StatusCode, body["errorCode"], res.Header.Get("X-Rate-Limit-Remaining"), res.Header.Get("X-Rate-Limit-Reset"))
	}
	// Output:
	// 429 E0000047 0 1772443810
	// 200 <nil> 9999 1772443860
}

// SeedUsers and AddMembers build a large org quickly, for volume tests of
// an import.
func ExampleServer_SeedUsers() {
	srv := oktatest.NewServer(oktatest.Empty())
	defer srv.Close()

	ids := srv.SeedUsers(100000)
	g := srv.AddGroup(oktatest.Group{Name: "All staff"})
	srv.AddMembers(g.ID, ids...)

	first, _ := srv.User(ids[0])
	fmt.Println(len(srv.Members(g.ID)), first.Profile.Login, first.Status)
	// Output:
	// 100000 user000001@example.com ACTIVE
}
