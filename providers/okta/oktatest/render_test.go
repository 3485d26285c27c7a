package oktatest

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"
)

// appendString must mean what encoding/json's encoding means, character
// for character.
func FuzzAppendString(f *testing.F) {
	for _, s := range []string{
		"", "plain", `quote " and \ backslash`, "tab\tnewline\nreturn\r", "\x00\x01\x1f\x7f",
		"<script>&amp;</script>", "ümlaut 日本 🎉", "\u2028\u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := appendString(nil, s)
		if !utf8.Valid(out) {
			t.Fatalf("appendString(%q) = %q is not UTF-8", s, out)
		}
		var got string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("appendString(%q) = %s: %v", s, out, err)
		}
		std, _ := json.Marshal(s)
		var want string
		_ = json.Unmarshal(std, &want)
		if got != want {
			t.Fatalf("appendString(%q) decodes to %q, encoding/json's to %q", s, got, want)
		}
		if strings.ContainsAny(string(out[1:len(out)-1]), "\u2028\u2029") {
			t.Fatalf("appendString(%q) = %q keeps a line separator", s, out)
		}
	})
}

func TestAppendUserIsValidJSON(t *testing.T) {
	s := NewServer(Empty(), WithUsers(User{
		Status:           StatusLockedOut,
		RecoveryQuestion: "Name \"of\" pet?\n",
		Profile: Profile{Login: "odd\u2028name@example.com", Email: "o@example.com", FirstName: "O\x01", LastName: "<b>",
			Extra: map[string]any{"n": json.Number("1.50"), "list": []any{"a", 2.0, nil, true}, "obj": map[string]any{"k": "v"}}},
	}))
	defer s.Close()
	for _, u := range s.users {
		for _, full := range []bool{false, true} {
			b := s.appendUser(nil, u, full)
			var m map[string]any
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatalf("%s: %v", b, err)
			}
			if u.id != s.AdminID {
				p := m["profile"].(map[string]any)
				if p["login"] != "odd\u2028name@example.com" || p["n"] != 1.5 || p["lastName"] != "<b>" {
					t.Errorf("profile %v", p)
				}
				if q := m["credentials"].(map[string]any)["recovery_question"].(map[string]any)["question"]; q != "Name \"of\" pet?\n" {
					t.Errorf("question %q", q)
				}
				if l := m["_links"].(map[string]any); full != (l["unlock"] != nil) {
					t.Errorf("full=%v: links %v", full, l)
				}
			}
		}
	}
}
