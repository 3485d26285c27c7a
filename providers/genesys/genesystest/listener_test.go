package genesystest_test

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/restconn/restconn/providers/genesys/genesystest"
)

func TestWithListeners(t *testing.T) {
	api, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	login, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := genesystest.NewServer(genesystest.WithListener(api), genesystest.WithLoginListener(login), genesystest.WithStaticToken("t0k"))
	if want := "http://" + api.Addr().String(); srv.APIURL != want {
		t.Fatalf("APIURL = %s, want %s", srv.APIURL, want)
	}
	if want := "http://" + login.Addr().String(); srv.LoginURL != want {
		t.Fatalf("LoginURL = %s, want %s", srv.LoginURL, want)
	}
	req, _ := http.NewRequest("POST", srv.LoginURL+"/oauth/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(srv.ClientID, srv.ClientSecret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /oauth/token: %s", res.Status)
	}
	req, _ = http.NewRequest("GET", srv.APIURL+"/api/v2/scim/v2/Users", nil)
	req.Header.Set("Authorization", "Bearer t0k")
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /Users: %s", res.Status)
	}
	srv.Close()
	for _, l := range []net.Listener{api, login} {
		if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
			c.Close()
			t.Fatalf("listener %s is still open after Close", l.Addr())
		}
	}
}
