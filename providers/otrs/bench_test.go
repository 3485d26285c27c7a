package otrs_test

import (
	"testing"

	"github.com/restconn/restconn/providers/otrs"
)

// BenchmarkNew measures what a service pays to build the preset's engine:
// a copy of the embedded spec, its compilation and the engine's set-up. The
// spec is parsed once per process, before the timer starts.
func BenchmarkNew(b *testing.B) {
	cfg := otrs.Config{BaseURL: "https://desk.example.com/otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST",
		UserLogin: "agent", Password: "pw", CustomerUser: "{{ .task.requestor }}"}
	if _, err := otrs.New(cfg); err != nil {
		b.Fatal(err)
	}
	b.Run("otrs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := otrs.New(cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
