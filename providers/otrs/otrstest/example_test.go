package otrstest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/restconn/restconn/providers/otrs/otrstest"
)

func post(method, url, body string) map[string]any {
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

func Example() {
	srv := otrstest.NewServer()
	defer srv.Close()

	session := post("POST", srv.URL+"/Session", `{"UserLogin":"restconn","Password":"otrstest-password"}`)
	sid := session["SessionID"].(string)

	created := post("POST", srv.URL+"/Ticket", `{"SessionID":"`+sid+`",
		"Ticket":{"Title":"Printer broken","Queue":"Raw","State":"new","Priority":"3 normal","CustomerUser":"jane.doe@example.com"},
		"Article":{"Subject":"Printer broken","Body":"It does not print.","ContentType":"text/plain; charset=utf8"}}`)
	id := created["TicketID"].(string)

	// Operation errors are HTTP 200 with an Error object.
	bad := post("PATCH", srv.URL+"/Ticket/"+id, `{"SessionID":"`+sid+`","Ticket":{"State":"done"}}`)
	fmt.Println(bad["Error"].(map[string]any)["ErrorCode"])

	// Something happens in the web UI; the client finds out on its next read.
	_ = srv.CloseTicket(id, "")
	tk, _ := srv.Ticket(id)
	fmt.Println(tk.CustomerUser, tk.State, tk.StateType)

	// An expired session is an AuthFail, again with HTTP 200.
	srv.ExpireSessions()
	res, _ := http.Get(srv.URL + "/Ticket/" + id + "?SessionID=" + sid)
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Println(res.StatusCode, string(raw))
	// Output:
	// TicketUpdate.InvalidParameter
	// jane.doe closed successful closed
	// 200 {"Error":{"ErrorCode":"TicketGet.AuthFail","ErrorMessage":"TicketGet: Authorization failing!"}}
}
