package saviynt_test

import (
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/saviynt"
)

// FuzzConvert: whatever the attributes hold, Convert does not panic, it
// fails only because nothing in the connection is usable (its check that
// the spec survives marshalling and connector.Parse never fails), and the
// spec it returns marshals and loads again with connector.Parse.
//
// The seeds are whole attributes of several kilobytes, which the fuzzing
// engine spends up to a minute minimizing whenever an input finds new
// code; bound that with -fuzzminimizetime:
//
//	go test ./connector/saviynt -run '^$' -fuzz FuzzConvert -fuzzminimizetime 200x
func FuzzConvert(f *testing.F) {
	full, err := os.ReadFile("testdata/full/connection.json")
	if err != nil {
		f.Fatal(err)
	}
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(full, &attrs); err != nil {
		f.Fatal(err)
	}
	conn := string(attrs["ConnectionJSON"])
	for name, v := range attrs {
		if name != "ConnectionJSON" {
			f.Add(name, string(v), conn)
		}
	}
	f.Add("CreateAccountJSON", `{"call": [{"url": "https://x.example/${user.a?.b ?: 'c'}", "httpParams": "{\"a\": ${x}}", "httpContentType": "application/json"}]}`, conn)
	f.Add("AddAccessJSON", `{"call": [{"name": "Group", "url": "https://x.example/${response.Group1.message.a[0]}", "callListPath": "${x"}]}`, conn)
	f.Fuzz(func(t *testing.T, name, attr, connection string) {
		spec, _, err := saviynt.Convert(saviynt.Connection{"ConnectionJSON": connection, name: attr})
		if err != nil {
			if !errors.Is(err, saviynt.ErrNothingUsable) {
				t.Fatalf("Convert: %v", err)
			}
			return
		}
		b, err := json.Marshal(spec)
		if err != nil {
			t.Fatalf("spec does not marshal: %v", err)
		}
		if _, err := connector.Parse(b); err != nil {
			t.Fatalf("the spec does not load again: %v\n%s", err, b)
		}
	})
}
