package saviynt_test

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/saviynt"
)

// BenchmarkConvert converts the full sample connection, against the
// baseline of loading the spec it converts to (connector.Parse of the
// golden spec): what a migration costs over a hand-written spec. Convert
// checks its result with the same Parse, so it costs at least the
// baseline.
func BenchmarkConvert(b *testing.B) {
	raw, err := os.ReadFile("testdata/full/connection.json")
	if err != nil {
		b.Fatal(err)
	}
	var attrs map[string]json.RawMessage
	if err := json.Unmarshal(raw, &attrs); err != nil {
		b.Fatal(err)
	}
	conn := saviynt.Connection{}
	for k, v := range attrs {
		conn[k] = string(v)
	}
	golden, err := os.ReadFile("testdata/full/spec.golden.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("baseline=parse-spec", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := connector.Parse(golden); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("convert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := saviynt.Convert(conn); err != nil {
				b.Fatal(err)
			}
		}
	})
}
