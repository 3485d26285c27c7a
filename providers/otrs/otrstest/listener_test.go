package otrstest_test

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/restconn/restconn/providers/otrs/otrstest"
)

func TestWithListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := otrstest.NewServer(otrstest.WithListener(l))
	if want := "http://" + l.Addr().String() + otrstest.ScriptPath + "/Webservice/" + otrstest.DefaultWebservice; srv.URL != want {
		t.Fatalf("URL = %s, want %s", srv.URL, want)
	}
	body := `{"UserLogin":"` + otrstest.DefaultAgentLogin + `","Password":"` + otrstest.DefaultAgentPassword + `"}`
	res, err := http.Post(srv.URL+"/Session", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("POST /Session: %s", res.Status)
	}
	srv.Close()
	if c, err := net.Dial("tcp", l.Addr().String()); err == nil {
		c.Close()
		t.Fatal("the listener is still open after Close")
	}
}
