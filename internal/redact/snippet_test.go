package redact

import (
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestSnippet(t *testing.T) {
	var r Redactor
	r.Add("pw  with\ttabs", "tok")
	tests := []struct {
		name, body string
		limit      int
		want       string
	}{
		{"masks before squeezing", "denied:\n  pw  with\ttabs  \n", 300, "denied: " + Mask},
		{"squeezes and trims", " \t a \r\n\f b  ", 300, "a b"},
		{"cuts with an ellipsis", "abcdef", 4, "abcd" + Ellipsis},
		{"exact fit", "abcd", 4, "abcd"},
		{"cuts at a character boundary", "ab€€", 4, "ab" + Ellipsis},
		{"masks across the cut", "abc tok tok", 5, "abc [" + Ellipsis},
		{"invalid UTF-8", "a\xffb", 300, "a\uFFFDb"},
		{"squeezing forms no secret", "pw \t with\ttabs", 300, "pw with tabs"},
		{"empty", " \n ", 300, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, r.Snippet([]byte(tt.body), tt.limit), tt.name)
	}
	var none *Redactor
	assert.Equal(t, "a b"+Ellipsis, none.Snippet([]byte("a   b c"), 3), "without secrets")
}

func TestSnippetSqueezeCannotRevealASecret(t *testing.T) {
	var r Redactor
	r.Add("a b")
	// Not the secret as written, but squeezing makes it so.
	assert.Equal(t, Mask, r.Snippet([]byte("a \t\n b"), 300))
}

func TestHead(t *testing.T) {
	var r Redactor
	r.Add("secret")
	assert.Equal(t, "x  "+Mask+"\n", r.Head([]byte("x  secret\n"), 100), "white space kept")
	assert.Equal(t, "x "+Mask[:3]+Ellipsis, r.Head([]byte("x secret and more"), 5))
	assert.Equal(t, "x s", r.Head([]byte("x s"), 3))
}

// TestHeadOfLargeBody checks that a secret straddling the cut of a large
// body is masked, not cut in two, and that only a window of the body is
// read.
func TestHeadOfLargeBody(t *testing.T) {
	var r Redactor
	secret := strings.Repeat("S", 5000)
	r.Add(secret)
	body := []byte(strings.Repeat("x", 64<<10-10) + `"` + uEscape(secret, "%04x") + `"` + strings.Repeat("y", 32<<20))
	got := r.Head(body, 64<<10)
	assert.NotContains(t, got, "SSSS")
	assert.NotContains(t, got, `\u0053\u0053`)
	assert.True(t, strings.HasSuffix(got, `"`+Mask[:9]+Ellipsis), "%q", got[len(got)-40:])
	assert.True(t, utf8.ValidString(got))
	// Only a window is read: the margin for a 5000-byte secret, 5 MB,
	// not the 32 MiB after it.
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r.Head(body, 100)
	runtime.ReadMemStats(&after)
	assert.Less(t, after.TotalAlloc-before.TotalAlloc, uint64(16<<20))
}
