package intercom_test

import (
	"testing"

	"github.com/restconn/restconn/providers/intercom"
)

// BenchmarkNew measures what a service pays to build the preset's engine:
// a copy of the embedded spec, its compilation and the engine's set-up. The
// spec is parsed once per process, before the timer starts.
func BenchmarkNew(b *testing.B) {
	cfg := intercom.Config{Token: "tok", TicketTypeID: "42", ContactEmail: "{{ .task.requestor }}"}
	if _, err := intercom.New(cfg); err != nil {
		b.Fatal(err)
	}
	b.Run("intercom", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := intercom.New(cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
