package oktatest

import (
	"encoding/json"
	"testing"
	"time"
)

func TestExpressions(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 6000000, time.UTC)
	obj := map[string]any{
		"id":              "00u1",
		"status":          "ACTIVE",
		"lastUpdated":     when,
		"activated":       time.Time{}, // null
		"profile.name":    `Ann "the boss" Lee`,
		"profile.age":     json.Number("41"),
		"profile.admin":   true,
		"profile.badges":  []any{"gold", "Silver"},
		"profile.nothing": nil,
		"profile.blank":   "",
	}
	get := func(name string) (any, bool) { v, ok := obj[name]; return v, ok }
	anything := dialect{param: "search", fold: true, allow: func(string, string) error { return nil }}
	exact := anything
	exact.fold = false

	tests := []struct {
		expr string
		d    dialect
		want bool
	}{
		{`id eq "00u1"`, exact, true},
		{`id eq "00U1"`, exact, false},
		{`id eq "00U1"`, anything, true},
		{`id EQ "00u1"`, exact, true},
		{`status eq "ACTIVE" and id eq "x" or id eq "00u1"`, exact, true}, // and binds tighter
		{`status eq "ACTIVE" and (id eq "x" or id eq "y")`, exact, false},
		{`((status eq "ACTIVE"))`, exact, true},
		{`status eq "ACTIVE"and id eq "00u1"`, exact, true}, // a quoted value ends a token
		{`profile.name eq "Ann \"the boss\" Lee"`, exact, true},
		{`profile.name sw "ann"`, anything, true},
		{`profile.name co "BOSS"`, anything, true},
		{`profile.name co "BOSS"`, exact, false},
		{`profile.age gt 40 and profile.age le 41`, exact, true},
		{`profile.age eq 41.0`, exact, true},
		{`profile.age eq "41"`, exact, false},
		{`profile.admin eq true`, exact, true},
		{`profile.admin eq false`, exact, false},
		{`profile.badges eq "silver"`, anything, true},
		{`profile.badges eq "bronze"`, anything, false},
		{`profile.nothing eq null`, exact, true},
		{`profile.nothing pr`, exact, false},
		{`profile.blank pr`, exact, false},
		{`profile.missing pr`, exact, false},
		{`profile.missing eq "x"`, exact, false},
		{`profile.name pr`, exact, true},
		{`activated pr`, exact, false},
		{`activated gt "2000-01-01T00:00:00.000Z"`, exact, false},
		{`lastUpdated eq "2026-01-02T03:04:05.006Z"`, exact, true},
		{`lastUpdated gt "2026-01-02T03:04:05.005Z"`, exact, true},
		{`lastUpdated gt "2026-01-02T03:04:05.006Z"`, exact, false},
		{`lastUpdated ge "2026-01-02T03:04:05.006Z"`, exact, true},
		{`lastUpdated lt "2026-01-02T04:04:05.007+01:00"`, exact, true},
		{`lastUpdated le "2026-01-02T04:04:05.006+01:00"`, exact, true},
		{`status gt "A" and status lt "B"`, exact, true},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			e, err := parseExpr(tt.expr, tt.d)
			if err != nil {
				t.Fatalf("parse: %v %v", err, err.causes)
			}
			if got := e.match(get); got != tt.want {
				t.Errorf("match = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestExpressionNesting(t *testing.T) {
	deep := ""
	for range 30 {
		deep += "("
	}
	deep += `id eq "x"`
	for range 30 {
		deep += ")"
	}
	_, err := parseExpr(deep, userSearch)
	if err == nil || err.code != "E0000031" {
		t.Errorf("30 levels of parentheses: %v", err)
	}
}

// seededProperty must agree with the profile it stands for.
func TestSeededProperty(t *testing.T) {
	for _, seq := range []int{1, 42, 999999, 1234567} {
		p := seededProfile(seq)
		for _, name := range []string{"login", "email", "secondEmail", "firstName", "lastName", "displayName", "title",
			"department", "employeeNumber", "manager", "managerId", "mobilePhone", "city"} {
			want, wantOK := p.get(name)
			got, gotOK := seededProperty(seq, name)
			if got != want || gotOK != wantOK {
				t.Errorf("seq %d %s: %v %v, want %v %v", seq, name, got, gotOK, want, wantOK)
			}
		}
	}
}
