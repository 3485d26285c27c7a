package oktatest_test

import (
	"net"
	"net/http"
	"testing"

	"github.com/restconn/restconn/providers/okta/oktatest"
)

func TestWithListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := oktatest.NewServer(oktatest.WithListener(l))
	if want := "http://" + l.Addr().String(); srv.URL != want {
		t.Fatalf("URL = %s, want %s", srv.URL, want)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/users/me", nil)
	req.Header.Set("Authorization", "SSWS "+srv.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/users/me: %s", res.Status)
	}
	if got := res.Header.Get("Link"); got != "" {
		t.Fatalf("a single user has no Link header, got %q", got)
	}
	srv.Close()
	if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
		c.Close()
		t.Fatal("the listener is still open after Close")
	}
}
