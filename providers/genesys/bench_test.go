package genesys_test

import (
	"os"
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys"
)

// BenchmarkNew measures what a service pays to build the preset's engine:
// a copy of the embedded spec, its compilation and the engine's set-up. The
// spec is parsed once per process, before the timer starts.
func BenchmarkNew(b *testing.B) {
	cfg := genesys.Config{Region: "mypurecloud.ie", ClientID: "id", ClientSecret: "secret", PageSize: 50}
	if _, err := genesys.New(cfg); err != nil {
		b.Fatal(err)
	}
	b.Run("genesys", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := genesys.New(cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkParse measures parsing the preset's JSON: decoding, key checks
// and compiling every template (which New then reuses).
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("genesys.json")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("genesys", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := connector.Parse(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}
