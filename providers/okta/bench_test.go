package okta_test

import (
	"testing"

	"github.com/restconn/restconn/providers/okta"
)

// BenchmarkNew measures building an engine for the preset: the embedded
// spec is parsed once, and New reuses its compiled templates (the goal is
// under 1 MB allocated; see BENCHMARKS.md).
func BenchmarkNew(b *testing.B) {
	cfg := okta.Config{OrgURL: "https://acme.okta.com", Token: "00a-token", PageSize: 200}
	if _, err := okta.New(cfg); err != nil {
		b.Fatal(err)
	}
	b.Run("okta", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := okta.New(cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}
