package template

import (
	"io"
	"testing"
	"text/template"

	"github.com/Masterminds/sprig/v3"
)

// BenchmarkBudget measures what budgets cost a rendering: the same
// templates rendered by Render (budgeted: root references through the
// data key, ranges and size-taking functions charged, output counted) and,
// as the hand-written baseline, by text/template with the same functions
// unbudgeted, writing to io.Discard.
func BenchmarkBudget(b *testing.B) {
	data := map[string]any{
		"user":   map[string]any{"email": "Jane.Doe@example.com", "name": "Jane", "groups": []any{"a", "b", "c", "d"}},
		"params": map[string]any{"domain": "example.com"},
	}
	for _, tc := range []struct{ name, src string }{
		{"fields", `{{ .user.email | lower }}@{{ .params.domain }}`},
		{"opt", `{{ opt .user "title" }}{{ .user.name }}`},
		{"range", `{{ range $i, $g := .user.groups }}{{ if $i }},{{ end }}{{ $g | upper }}{{ end }}`},
		{"functions", `{{ printf "%s-%s" .user.name (.user.email | lower) }}{{ join "," .user.groups }}{{ toJson .params }}`},
	} {
		budgeted := MustCompile("t", tc.src, Plain)
		m := map[string]any{}
		for k, v := range funcs {
			m[k] = v
		}
		for k, v := range sprig.HermeticTxtFuncMap() {
			if _, ok := budgetedFuncs[k]; ok {
				m[k] = v
			}
		}
		m["json"] = toJSON
		for _, k := range []string{"printf", "print", "println", "html", "js", "urlquery"} {
			delete(m, k)
		}
		plain := template.Must(template.New("t").Option("missingkey=error").Funcs(m).Parse(tc.src))
		b.Run(tc.name+"/budgeted", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := budgeted.Render(data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(tc.name+"/text_template", func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if err := plain.Execute(io.Discard, data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
