package genesystest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/restconn/restconn/providers/genesys/genesystest"
)

// Example shows the whole flow a connector goes through: a client
// credentials token from the login host, then SCIM calls on the API host.
func Example() {
	srv := genesystest.NewServer(genesystest.WithUsers(), genesystest.WithGroups())
	defer srv.Close()
	srv.SeedUsers(3, 3) // the third user is inactive

	// 1. Token.
	req, _ := http.NewRequest("POST", srv.LoginURL+"/oauth/token",
		strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth(srv.ClientID, srv.ClientSecret)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	fmt.Println("token type:", tok.TokenType)

	get := func(path string) map[string]any {
		req, _ := http.NewRequest("GET", srv.APIURL+"/api/v2/scim/v2"+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return m
	}

	// 2. The default list holds active users only.
	page := get("/Users?count=1")
	fmt.Println("active users:", page["totalResults"], "per page:", page["itemsPerPage"])

	// 3. Inactive users need an explicit filter.
	inactive := get("/Users?filter=" + url.QueryEscape("active eq false"))
	first := inactive["Resources"].([]any)[0].(map[string]any)
	fmt.Println("inactive:", first["userName"])

	// 4. Inject a rate limit: the next request gets the Platform 429.
	srv.RateLimitNext(1, 0)
	fmt.Println("code:", get("/Users")["code"])

	// Output:
	// token type: bearer
	// active users: 2 per page: 1
	// inactive: user0003@example.com
	// code: too.many.requests.retry.after
}
