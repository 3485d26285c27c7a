package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	report := out.String()
	for _, want := range []string{
		"groups: Sales, Support",
		`check: marie.curie@example.com active=true title="Agent" department="Support" groups=[Support] roles=[]`,
		"revoked group Support",
		`check: marie.curie@example.com active=true title="Team Lead" department="Sales" groups=[Sales] roles=[Supervisor]`,
		`check: marie.curie@example.com active=false title="Team Lead"`,
		"check: no longer listed",
		"JML flow completed",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
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
