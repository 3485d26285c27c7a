package redact

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// formsReplacer is the hand-written baseline: what the package did before
// it searched decoded views, one strings.Replacer over a fixed list of
// encoded forms of each secret (which misses "\/", "\u" escapes, lower-case
// hex, "%20" for a space, partial encoding and chains).
func formsReplacer(secrets ...string) *strings.Replacer {
	var pairs []string
	for _, s := range secrets {
		j, _ := json.Marshal(s)
		for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), strings.Trim(string(j), `"`)} {
			pairs = append(pairs, f, Mask)
		}
	}
	return strings.NewReplacer(pairs...)
}

// page is a response body as traces see it: a JSON list of users whose
// URLs are escaped PHP-style and whose names hold \u escapes.
func page(n int, secret string) string {
	var b strings.Builder
	b.WriteString(`{"data":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"%08x","name":"Jos\u00e9 M\u00fcller %d","email":"jose.muller%d@example.com",`+
			`"avatar":"https:\/\/cdn.example.com\/u\/%d?size=64&fmt=png","note":"caf%%C3%%A9 order #%d"}`, i*7919, i, i, i, i)
	}
	fmt.Fprintf(&b, `],"debug":"%s"}`, secret)
	return b.String()
}

func BenchmarkString(b *testing.B) {
	secrets := []string{"eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.sig", "p@ss w0rd", "client-secret-123"}
	var r Redactor
	r.Add(secrets...)
	base := formsReplacer(secrets...)
	docs := []struct{ name, text string }{
		{"log_line", "GET https://api.example.com/v2/users?limit=100 took 120ms"},
		{"error_body", `{"error":"invalid_client","error_description":"client secret client-secret-123 is not valid"}`},
		{"page_100_clean", page(100, "none")},
		{"page_100_escaped_secret", page(100, `p@ss w0rd \/ p%40ss%20w0rd`)},
	}
	for _, d := range docs {
		b.Run(d.name+"/views", func(b *testing.B) {
			b.SetBytes(int64(len(d.text)))
			b.ReportAllocs()
			for b.Loop() {
				r.String(d.text)
			}
		})
		b.Run(d.name+"/forms_replacer", func(b *testing.B) {
			b.SetBytes(int64(len(d.text)))
			b.ReportAllocs()
			for b.Loop() {
				base.Replace(d.text)
			}
		})
	}
}

func BenchmarkSnippet(b *testing.B) {
	var r Redactor
	r.Add("p@ss w0rd")
	body := []byte(page(1000, "p@ss w0rd")) // about 200 KB
	b.Run("views", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r.Snippet(body, 300)
		}
	})
	b.Run("squeeze_then_replace", func(b *testing.B) {
		// What the engine did: squeeze the whole body, then mask, then cut.
		rep := formsReplacer("p@ss w0rd")
		b.ReportAllocs()
		for b.Loop() {
			s := rep.Replace(strings.Join(strings.Fields(string(body)), " "))
			_ = s[:300]
		}
	})
}
