package paging_test

import (
	"strings"
	"testing"

	"github.com/restconn/restconn/internal/paging"
)

// FuzzParseLink feeds arbitrary Link header text to ParseLink. It must never
// panic, and every target it returns must have been written between '<' and
// '>' in the input: the parser may drop links, never invent or splice them
// (a spliced target could point the next page at another host). A newline
// in the input splits it into several header values.
func FuzzParseLink(f *testing.F) {
	for _, s := range []string{
		`<https://api.github.com/user/repos?page=3&per_page=100>; rel="next", <https://api.github.com/user/repos?page=50&per_page=100>; rel="last"`,
		`</TheBook/chapter2>; rel="previous"; title*=UTF-8'de'letztes%20Kapitel, </TheBook/chapter4>; rel="next"; title*=UTF-8'de'n%c3%a4chstes%20Kapitel`,
		`<a>; title="x, <b>; rel=next"; rel=prev`,
		"</a>; rel=next\n</b>; rel=last",
		`junk, <x>;rel="next last" , <y>; REL=Prev`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		values := strings.Split(in, "\n")
		links := paging.ParseLink(values)
		for rel, target := range links {
			if rel == "" || rel != strings.ToLower(rel) {
				t.Errorf("relation %q is empty or not lower case", rel)
			}
			if strings.Contains(target, ">") {
				t.Errorf("target %q of %q contains '>'", target, rel)
			}
			found := false
			for _, v := range values {
				found = found || strings.Contains(v, "<"+target+">")
			}
			if !found {
				t.Errorf("target %q of %q was not between '<' and '>' in the input %q", target, rel, in)
			}
		}
	})
}
