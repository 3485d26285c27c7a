package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	report := out.String()
	for _, re := range []string{
		`1512 users, 1509 active; 1 DEPROVISIONED \(from the second source\), 1 SUSPENDED, 1 STAGED`,
		`group All Staff +OKTA_GROUP +1500 members in 2 chunk\(s\)`,
		`group Everyone +BUILT_IN +1512 members in 2 chunk\(s\)`,
		`group Engineering +OKTA_GROUP +7 members in 1 chunk\(s\)`,
		`created marie.curie@example.com \(00u\w+\), status ACTIVE`,
		`check: marie.curie@example.com status=ACTIVE active=true title=Researcher \(incremental import\)`,
		`check: member of Engineering=true \(8 members\)`,
		`disabled: status SUSPENDED`,
		`check: marie.curie@example.com status=SUSPENDED active=false`,
		`check: member of Engineering=false \(7 members\)`,
		`removed \(already gone: false\)`,
		`check: no longer listed`,
		`sync completed`,
	} {
		if !regexp.MustCompile(re).MatchString(report) {
			t.Errorf("report does not match %q:\n%s", re, report)
		}
	}
}

func TestRunFails(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := run(ctx, &out)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("run with a canceled context: got %v, want context.Canceled", err)
	}
}
