package redact

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRedactor(t *testing.T) {
	var r Redactor
	assert.Equal(t, "no secrets yet", r.String("no secrets yet"))
	r.Add("s3cr=t/+x", "")
	r.AddPair("user", "pw")
	cases := map[string]string{
		"token s3cr=t/+x here":              "token [REDACTED] here",
		"q=" + url.QueryEscape("s3cr=t/+x"): "q=[REDACTED]",
		"p/" + url.PathEscape("s3cr=t/+x"):  "p/[REDACTED]",
		"Basic dXNlcjpwdw==":                "Basic [REDACTED]",
		"nothing to hide":                   "nothing to hide",
	}
	for in, want := range cases {
		assert.Equal(t, want, r.String(in))
	}

	d := r.With("request-password")
	assert.Equal(t, "[REDACTED] [REDACTED]", d.String("request-password s3cr=t/+x"))
	r.Add("later-token")
	assert.Equal(t, "[REDACTED]", d.String("later-token"), "derived redactors see secrets learnt later")
	assert.Equal(t, "request-password", r.String("request-password"), "the parent does not learn the child's secrets")
}

func TestErrorKeepsChain(t *testing.T) {
	var r Redactor
	r.Add("tok")
	base := errors.New("boom")
	err := r.Error(fmt.Errorf("sending tok: %w", base))
	assert.Equal(t, "sending [REDACTED]: boom", err.Error())
	assert.ErrorIs(t, err, base)
	plain := errors.New("clean")
	assert.Same(t, plain, r.Error(plain))
	assert.Nil(t, r.Error(nil))
}

func TestURL(t *testing.T) {
	var r Redactor
	r.Add("abc123")
	got := r.URL("https://x.test/Ticket/1?SessionID=zzz&Limit=5&api_key=k&q=abc123")
	u, err := url.Parse(got)
	assert.NoError(t, err)
	assert.Equal(t, "REDACTED", u.Query().Get("SessionID"))
	assert.Equal(t, "REDACTED", u.Query().Get("api_key"))
	assert.Equal(t, "5", u.Query().Get("Limit"))
	assert.NotContains(t, got, "abc123")
	assert.NotContains(t, got, "zzz")
}

func TestNestedSecretsMaskedWhole(t *testing.T) {
	var r Redactor
	r.Add("abc123")
	d := r.With("xx-abc123-yy") // a request password containing an engine secret
	assert.Equal(t, "[REDACTED]", d.String("xx-abc123-yy"))
	d2 := r.With("abc") // one contained in an engine secret
	assert.Equal(t, "[REDACTED] [REDACTED]", d2.String("abc123 abc"))
}

// Encoders a server, a library or an error message may apply to a secret
// before it reaches text the engine logs.
var encoders = map[string]func(string) string{
	"plain":                  func(s string) string { return s },
	"json":                   jsonEscape,
	"json without html":      func(s string) string { return encodeJSON(s, false) },
	"php slashes":            func(s string) string { return strings.ReplaceAll(jsonEscape(s), "/", `\/`) },
	"json all \\u lower":     func(s string) string { return uEscape(s, "%04x") },
	"json all \\u upper":     func(s string) string { return uEscape(s, "%04X") },
	"go %q":                  func(s string) string { return strconv.Quote(s)[1 : len(strconv.Quote(s))-1] },
	"go %+q":                 func(s string) string { return strconv.QuoteToASCII(s)[1 : len(strconv.QuoteToASCII(s))-1] },
	"query":                  url.QueryEscape,
	"path":                   url.PathEscape,
	"query lower hex":        func(s string) string { return lowerHex(url.QueryEscape(s)) },
	"query %20 for space":    func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") },
	"every byte percent":     func(s string) string { return percentAll(s) },
	"html":                   html.EscapeString,
	"html template":          template.HTMLEscapeString,
	"json in json":           func(s string) string { return jsonEscape(jsonEscape(s)) },
	"query in json":          func(s string) string { return jsonEscape(url.QueryEscape(s)) },
	"json in query":          func(s string) string { return url.QueryEscape(jsonEscape(s)) },
	"query in query":         func(s string) string { return url.QueryEscape(url.QueryEscape(s)) },
	"%q of json":             func(s string) string { return strings.Trim(strconv.Quote(jsonEscape(s)), `"`) },
	"%q of json in json":     func(s string) string { return strings.Trim(strconv.Quote(jsonEscape(jsonEscape(s))), `"`) },
	"html of query in json":  func(s string) string { return html.EscapeString(jsonEscape(url.QueryEscape(s))) },
	"\\u of percent encoded": func(s string) string { return uEscape(percentAll(s), "%04x") },
}

func encodeJSON(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(s); err != nil {
		panic(err)
	}
	return strings.TrimSuffix(b.String(), "\n")[1 : b.Len()-2]
}

func jsonEscape(s string) string { return encodeJSON(s, true) }

// uEscape writes every character of s as a \u escape (surrogate pairs
// beyond the BMP).
func uEscape(s, format string) string {
	var b strings.Builder
	for _, r := range s {
		for _, u := range utf16.Encode([]rune{r}) {
			b.WriteString(`\u` + fmt.Sprintf(format, u))
		}
	}
	return b.String()
}

func percentAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}

func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = byte(unicode.ToLower(rune(b[i+1]))), byte(unicode.ToLower(rune(b[i+2])))
		}
	}
	return string(b)
}

// secrets hold the characters that JSON, Go, URLs and HTML encode.
var secrets = []string{
	"s3cr3t-T0ken_value",
	"two  spaces",
	"tab\tand\nnewline",
	`quote" back\slash`,
	"sl/ash&amp=eq?q#h",
	"plus+and space",
	"% 100%25 %zz",
	"ünïcödé € 😀 \U0010FFFF",
	"<script>'x'</script>",
	"ctrl\x01\x1f\x7f",
}

func TestStringEveryEncoding(t *testing.T) {
	for _, secret := range secrets {
		var r Redactor
		r.Add(secret)
		for name, enc := range encoders {
			encoded := enc(secret)
			text := `{"error":"invalid credentials ` + encoded + ` for user"}`
			got := r.String(text)
			want := `{"error":"invalid credentials ` + Mask + ` for user"}`
			if got != want {
				t.Errorf("%s of %q:\n text %q\n  got %q\n want %q", name, secret, text, got, want)
			}
		}
	}
}

func TestStringPartialPercentEncoding(t *testing.T) {
	secret := "pa ss/wörd+1"
	var r Redactor
	r.Add(secret)
	for _, text := range []string{
		"pa+ss/w%C3%B6rd%2B1",         // query style, some characters left alone
		"pa%20ss%2fw%c3%b6rd+1",       // path style, lower-case hex
		"p%61+s%73%2Fw%C3%B6r%64%2B1", // letters encoded too
		"pa ss%2Fwörd%2b1",
	} {
		assert.Equal(t, "x="+Mask+"&y=1", r.String("x="+text+"&y=1"), text)
	}
}

// TestIssue12Secrets holds the cases the issue reported.
func TestIssue12Secrets(t *testing.T) {
	var r Redactor
	r.Add("pass  word\tx", "ab/cd", "k+y é")
	body := []byte(`{"error": "bad password 'pass  word` + "\t" + `x'"}`)
	assert.Equal(t, `{"error": "bad password '`+Mask+`'"}`, r.Snippet(body, 300), "two spaces and a tab, echoed raw")
	assert.Equal(t, `{"e":"`+Mask+`"}`, r.String(`{"e":"ab\/cd"}`), `PHP's \/`)
	assert.Equal(t, `{"e":"`+Mask+`"}`, r.String(`{"e":"\u0061b\u002Fcd"}`), `\u escapes`)
	assert.Equal(t, `{"e":"`+Mask+`"}`, r.String(`{"e":"pass\u0020 word\u0009x"}`), `\u escapes of white space`)
	assert.Equal(t, "q="+Mask, r.String("q=k%2By+%C3%A9"), "+ for space")
	assert.Equal(t, "q="+Mask, r.String("q=k%2by%20%c3%a9"), "%20 for space, lower-case hex")
}

func TestStringOverlappingSecrets(t *testing.T) {
	var r Redactor
	r.Add("xab", "abcdef", "zzz")
	// Replacing "xab" first would leave "cdef" of the other secret.
	assert.Equal(t, "1 "+Mask+" 2", r.String("1 xabcdef 2"))
	assert.Equal(t, "1 "+Mask+" 2", r.String("1 zzzzzz 2"), "overlapping occurrences")
	assert.Equal(t, Mask+Mask, r.String("zzzxab"), "adjacent secrets")
	// Overlap found in different views: the encoded tail of one secret
	// and the plain head of another.
	assert.Equal(t, "1 "+Mask+" 2", r.String(`1 x\u0061bcdef 2`))
}

func TestStringLeavesOtherTextAlone(t *testing.T) {
	var r Redactor
	r.Add("secret value")
	for _, s := range []string{
		"",
		"nothing to hide",
		`{"a":"b\n\u00e9\/"}`,
		"q=a%20b&c=d+e",
		"100% sure & &amp; \\x \\u12 %zz %4",
		"\xff\xfe invalid utf-8",
		"secret  value", // not the secret: two spaces
		"secret-value",
	} {
		assert.Equal(t, s, r.String(s))
	}
	// The fast path neither allocates nor copies.
	plain := "GET https://api.example.com/v2/users?limit=100 took 120ms"
	if n := testing.AllocsPerRun(100, func() { r.String(plain) }); n != 0 {
		t.Errorf("String of text without a secret or escapes: %v allocations", n)
	}
}

func TestStringConcurrent(t *testing.T) {
	var r Redactor
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				s := fmt.Sprintf("tok-%d-%d", g, i)
				r.Add(s)
				d := r.With("op-" + s)
				if got := d.String("a " + url.QueryEscape(s) + " b op-" + s); got != "a "+Mask+" b "+Mask {
					t.Errorf("got %q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestViewMapsBack(t *testing.T) {
	// Decoded bytes map to the escapes they came from, plain bytes to
	// themselves, through every layer.
	src := `a\u0025\u0034\u0031b%41\x41c`
	v1 := unBackslash(src, false)
	require.NotNil(t, v1)
	assert.Equal(t, "a%41b%41Ac", v1.text)
	v1.parent = &view{text: src}
	v2 := unPercent(v1.text, false)
	require.NotNil(t, v2)
	v2.parent = v1
	assert.Equal(t, "aAbAAc", v2.text)
	for i, want := range []span{{0, 1}, {1, 19}, {19, 20}, {20, 23}, {23, 27}, {27, 28}} {
		a, b := v2.source(i, i+1)
		assert.Equal(t, want, span{a, b}, "byte %d of %q", i, v2.text)
	}
}

// TestFindInChunks checks that a long text, read in overlapping chunks,
// gives the spans reading it whole gives, with encoded secrets across
// every chunk boundary.
func TestFindInChunks(t *testing.T) {
	var r Redactor
	r.Add("s3cr3t/ \"x\"", "tok")
	c := r.set()
	encoded := []string{"s3cr3t/ \"x\"", jsonEscape("s3cr3t/ \"x\""), uEscape("s3cr3t/ \"x\"", "%04X"), url.QueryEscape(jsonEscape("s3cr3t/ \"x\"")), "t%6Fk", `\u0074ok`}
	var b strings.Builder
	for i, e := range encoded {
		// Land each encoding across the next chunk boundary, at a
		// different point of it each time.
		next := (b.Len()/chunkSize + 1) * chunkSize
		filler := strings.Repeat("filler \\n %41 &amp; ", (next-b.Len())/19)
		b.WriteString(filler[:next-b.Len()-1-i*len(e)/len(encoded)])
		b.WriteString(e)
	}
	b.WriteString(strings.Repeat("z", chunkSize))
	s := b.String()
	require.Greater(t, len(s), chunkSize+windowMargin(c))
	whole := merge(c.findIn(s))
	assert.Equal(t, whole, c.find(s))
	assert.Len(t, whole, len(encoded))
	assert.NotContains(t, r.String(s), "s3cr3t")
}
