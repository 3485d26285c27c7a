package connector_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf16"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// Secrets in every form a server echoes them, in every place the engine
// prints: the error chain, the debug log and the traces.

// echoForms are the encodings a careless server echoes a value in.
var echoForms = map[string]func(string) string{
	"plain":         func(s string) string { return s },
	"json-slashes":  func(s string) string { return strings.ReplaceAll(jsonText(s), "/", `\/`) }, // PHP's json_encode
	"json-u-escape": uEscape,
	"query":         url.QueryEscape,
	"path":          url.PathEscape,
	"query-lower":   func(s string) string { return lowerHex(url.QueryEscape(s)) },
	"html":          html.EscapeString,
	"go-quoted":     func(s string) string { return strings.Trim(strconv.Quote(s), `"`) },
	"json-in-query": func(s string) string { return url.QueryEscape(`{"key":"` + uEscape(s) + `"}`) },
}

// jsonText is s as the content of a JSON string, escaped as encoding/json
// escapes it.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// uEscape writes every character of s as a JSON \u escape (surrogate pairs
// beyond the BMP), upper-case hex.
func uEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04X`, u)
		}
	}
	return b.String()
}

func lowerHex(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			b.WriteString(strings.ToLower(s[i : i+3]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// checkNoLeak fails the test for any printed form of secret (plain,
// JSON-escaped, Go-quoted, URL-encoded) in the check's logs, traces and
// errors, and in errs.
func checkNoLeak(t *testing.T, lc *connectortest.LeakCheck, errs []error, secret string) {
	t.Helper()
	lc.AddSecrets(secret)
	for _, err := range errs {
		lc.Err(err)
	}
	lc.Check()
}

// chainText prints every error of err's chain, joins included.
func chainText(err error) string {
	var b strings.Builder
	var walk func(error, int)
	walk = func(err error, depth int) {
		if err == nil || depth > 100 {
			return
		}
		fmt.Fprintf(&b, "%s\n%+v\n%#v\n", err.Error(), err, err)
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e, depth+1)
			}
		}
	}
	walk(err, 0)
	return b.String()
}

// A password holding two spaces or a tab, echoed in an error body, reached
// err.Error(): white space was squeezed before secrets were masked. Masking
// now comes first, on the raw text.
func TestFaultsSecretsSqueezedSnippet(t *testing.T) {
	const password = "Tab\tand  two-SECRET spaces"
	squeezed := "Tab and two-SECRET spaces"
	for _, ct := range []string{"text/plain", "application/json"} {
		t.Run(ct, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var in struct{ Password string }
				_ = json.NewDecoder(r.Body).Decode(&in)
				w.Header().Set("Content-Type", ct)
				w.WriteHeader(http.StatusBadRequest)
				if ct == "text/plain" {
					fmt.Fprintf(w, "Rejected:\n\tthe password   %s\n  does not meet the policy", in.Password)
					return
				}
				fmt.Fprintf(w, `{"detail": "the password %s\tdoes not meet the policy"}`, jsonText(in.Password))
			}))
			defer srv.Close()
			lc := connectortest.NewLeakCheck(t, password, squeezed)
			e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
				"provision":{"createAccount":{"calls":[{"name":"create","method":"POST","path":"/u","body":{"password":"{{ .password }}"}}]}}}`, srv.URL), lc.Options()...)
			require.NoError(t, err)
			_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, Password: password})
			require.Error(t, err)
			assert.Contains(t, err.Error(), "[REDACTED]", "the message quotes the body, masked")
			assert.Contains(t, err.Error(), "does not meet the policy")
			lc.Err(err)
			lc.Check()
		})
	}
}

// A server that escapes "/" as "\/" (PHP), writes \u escapes, URL-encodes,
// or HTML-escapes a secret it echoes: the masker recognises every form, in
// the vendor message read by path, in a quoted body, in headers and in the
// traces.
func TestFaultsSecretsEchoEncodings(t *testing.T) {
	const secret = `k3y/SECRET+a b"é😀&<`
	for name, enc := range echoForms {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				key := r.Header.Get("X-Api-Key")
				echo := enc(key)
				w.Header().Set("X-Echo", strings.NewReplacer("\r", "", "\n", "").Replace(echo))
				w.Header().Set("Location", "/errors/1?key="+url.QueryEscape(key))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusBadRequest)
				if r.URL.Path == "/text" {
					fmt.Fprintf(w, `{"note": "no message here", "got": "%s"}`, strings.ReplaceAll(echo, `"`, `\"`))
					return
				}
				fmt.Fprintf(w, `{"error": {"message": "key %s refused"}}`, strings.ReplaceAll(echo, `"`, `\"`))
			}))
			defer srv.Close()
			lc := connectortest.NewLeakCheck(t, secret)
			var errs []error
			for _, path := range []string{"/msg", "/text"} {
				e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","errors":{"message":"error.message"},
					"auth":{"k":{"type":"apiKey","in":"header","name":"X-Api-Key","value":"{{ .secrets.key }}"}}},
					"connect":{"calls":[{"name":"me","path":"`+path+`"}]}}`, srv.URL),
					append(lc.Options(), connector.WithSecrets(map[string]string{"key": secret}))...)
				require.NoError(t, err)
				err = e.Connect(context.Background())
				require.Error(t, err)
				assert.Equal(t, 400, fvConnError(t, err).StatusCode)
				errs = append(errs, lc.Err(err))
			}
			assert.Contains(t, errs[0].Error(), "refused", "the vendor message is read")
			lc.Check()
			checkNoLeak(t, lc, errs, secret)
		})
	}
}

// A server that breaks the HTTP framing by echoing the API key in a header
// line without a colon makes Go's client fail with the key in its error,
// several levels down the chain (malformed MIME header line: X-Echo <key>).
// No error anywhere in the chain of the engine's error, of an
// Attempt.Err given to the retry policy or of a Trace.Err may carry it;
// errors.Is and errors.As keep working through the masked chain.
func TestFaultsSecretsTransportErrorChain(t *testing.T) {
	const key = "ak-SECRET-framing-9317"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				echo := req.Header.Get("X-Api-Key") + req.URL.Query().Get("token")
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Echo %s\r\n\r\n{}", echo)
			}(c)
		}
	}()
	base := "http://" + ln.Addr().String()

	// The failure this guards against: Go's own error carries the key.
	req, _ := http.NewRequest(http.MethodGet, base+"/users", nil)
	req.Header.Set("X-Api-Key", key)
	_, rawErr := http.DefaultClient.Do(req)
	require.Error(t, rawErr)
	require.Contains(t, chainText(rawErr), key, "the client's error chain holds the echoed key")

	for _, in := range []string{"header", "query"} {
		t.Run(in, func(t *testing.T) {
			lc := connectortest.NewLeakCheck(t, key)
			var mu sync.Mutex
			var attempts []connector.Attempt
			policy := func(ctx context.Context, a connector.Attempt) bool {
				mu.Lock()
				attempts = append(attempts, a)
				mu.Unlock()
				return connector.DefaultRetryPolicy(ctx, a)
			}
			name := map[string]string{"header": "X-Api-Key", "query": "token"}[in]
			e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","retry":{"maxAttempts":3,"minBackoff":"1ms","maxBackoff":"2ms"},
				"auth":{"k":{"type":"apiKey","in":"`+in+`","name":"`+name+`","value":"{{ .secrets.key }}"}}},
				"import":{"accounts":{"sources":[{"name":"listUsers","path":"/users"}],"id":"id"}}}`, base),
				append(lc.Options(), connector.WithSecrets(map[string]string{"key": key}), connector.WithRetryPolicy(policy))...)
			require.NoError(t, err)
			_, err = connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			require.Error(t, err)
			ce := fvConnError(t, err)
			assert.Equal(t, "listUsers", ce.Call)
			assert.Equal(t, "request failed", ce.Message)
			assert.Contains(t, err.Error(), `malformed MIME header: missing colon: "X-Echo [REDACTED]"`, "the cause is still told")
			var ue *url.Error
			require.ErrorAs(t, err, &ue, "the url.Error stays reachable")
			assert.NotContains(t, ue.URL, key)
			var errs []error
			errs = append(errs, lc.Err(err))
			require.Len(t, attempts, 2, "a GET is retried after a transport error (the policy is not asked about the last attempt)")
			for i, a := range attempts {
				require.Error(t, a.Err, "attempt %d", i+1)
				errs = append(errs, lc.Err(a.Err))
			}
			traces := lc.Traces()
			require.Len(t, traces, 3)
			for _, tr := range traces {
				require.Error(t, tr.Err)
				errs = append(errs, lc.Err(tr.Err))
			}
			lc.Check()
			checkNoLeak(t, lc, errs, key)
		})
	}

	// A timeout and a refused dial through the masked chain: errors.Is and
	// errors.As still see the context's and the network's errors, and the
	// default policy still retries a failed dial.
	t.Run("sentinels", func(t *testing.T) {
		stall := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer stall.Close()
		lc := connectortest.NewLeakCheck(t, key)
		e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","timeout":"50ms","retry":{"maxAttempts":1},
			"auth":{"k":{"type":"apiKey","in":"query","name":"key","value":"{{ .secrets.key }}"}}},
			"connect":{"calls":[{"path":"/me"}]}}`, stall.URL), append(lc.Options(), connector.WithSecrets(map[string]string{"key": key}))...)
		require.NoError(t, err)
		err = lc.Err(e.Connect(context.Background()))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var ne net.Error
		require.ErrorAs(t, err, &ne)
		assert.True(t, ne.Timeout())

		dead, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := dead.Addr().String()
		require.NoError(t, dead.Close())
		var attempts []connector.Attempt
		e, err = connector.New(spec(t, `{"name":"t","connection":{"baseURL":"http://`+addr+`?key={{ .secrets.key }}","retry":{"maxAttempts":2,"minBackoff":"1ms"}},
			"provision":{"createAccount":{"calls":[{"method":"POST","url":"http://`+addr+`/u?key={{ .secrets.key }}"}]}}}`, ""),
			append(lc.Options(), connector.WithSecrets(map[string]string{"key": key}), connector.WithRetryPolicy(func(ctx context.Context, a connector.Attempt) bool {
				attempts = append(attempts, a)
				return connector.DefaultRetryPolicy(ctx, a)
			}))...)
		require.NoError(t, err)
		_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount})
		lc.Err(err)
		var op *net.OpError
		require.ErrorAs(t, err, &op)
		assert.Equal(t, "dial", op.Op)
		require.Len(t, attempts, 1, "the policy is asked about the first attempt")
		assert.Len(t, lc.Traces()[1:], 2, "a POST whose dial failed is sent again")
		lc.Check()
		checkNoLeak(t, lc, []error{err}, key)
	})
}

// Masking by field name (connection.mask): the values of the named JSON
// keys, form fields and query parameters never show in traces, logs or
// errors, in requests or responses; a value seen under such a name is
// masked wherever it shows later in the operation.
func TestFaultsSecretsMaskedFields(t *testing.T) {
	const (
		ssn     = "123-45-6789"
		initial = "Init!Pass9"
		apiKey  = "ak-live-778899"
		rowSSN  = "987-65-4321"
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/users" && r.Method == http.MethodPost:
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id": "u1", "apiKey": %q, "profile": {"SSN": %q}}`, apiKey, ssn)
		case r.URL.Path == "/users/u1/activate":
			_ = r.ParseForm()
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error": {"message": "cannot activate ssn %s with key %s and password %s"}}`, ssn, r.URL.Query().Get("apiKey"), r.PostForm.Get("password"))
		case r.URL.Path == "/users" && r.URL.Query().Get("page") == "":
			fmt.Fprintf(w, `{"data": [{"id": "u1", "ssn": %q, "name": "ann"}], "next": "2"}`, rowSSN)
		default:
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprintf(w, `{"error": {"message": "page 2 broke on ssn %s"}, "ssn": %q}`, rowSSN, rowSSN)
		}
	}))
	defer srv.Close()
	const specJS = `{"name":"t","connection":{"baseURL":"$URL","errors":{"message":"error.message"}%s},
		"import":{"accounts":{"sources":[{"name":"list","path":"/users","records":"data","paging":{"type":"cursor","path":"next","param":"page"}}],"id":"id"}},
		"provision":{"createAccount":{"calls":[
			{"name":"create","method":"POST","path":"/users","body":{"userName":"{{ .user.name }}","ssn":"{{ .user.ssn }}","profile":{"Password":"{{ .user.initial }}"}}},
			{"name":"activate","method":"POST","path":"/users/{{ .responses.create.body.id }}/activate","query":{"apiKey":"{{ .responses.create.body.apiKey }}"},"form":{"password":"{{ .user.initial }}"}}]}}}`
	run := func(t *testing.T, mask string, opts ...connector.Option) (*connectortest.LeakCheck, []error) {
		lc := connectortest.NewLeakCheck(t)
		e, err := connector.New(spec(t, fmt.Sprintf(specJS, mask), srv.URL), append(lc.Options(), opts...)...)
		require.NoError(t, err)
		_, perr := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"name": "ann", "ssn": ssn, "initial": initial}})
		require.Error(t, perr)
		assert.Equal(t, "activate", fvConnError(t, perr).Call)
		_, ierr := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
		require.Error(t, ierr)
		return lc, []error{lc.Err(perr), lc.Err(ierr)}
	}

	// Without mask, these are ordinary values: the traces show them.
	lc, errs := run(t, "")
	assert.Contains(t, fmt.Sprint(lc.Traces()), ssn)
	assert.Contains(t, errs[0].Error(), apiKey)

	for name, mask := range map[string][2]string{
		"spec":   {`, "mask": ["ssn", "password", "APIKEY"]`, ""},
		"option": {"", "ssn,password,apiKey"},
	} {
		t.Run(name, func(t *testing.T) {
			var opts []connector.Option
			if mask[1] != "" {
				opts = append(opts, connector.WithMask(strings.Split(mask[1], ",")...))
			}
			lc, errs := run(t, mask[0], opts...)
			assert.Contains(t, errs[0].Error(), "cannot activate ssn [REDACTED] with key [REDACTED] and password [REDACTED]")
			assert.Contains(t, errs[1].Error(), "page 2 broke on ssn [REDACTED]", "a value of the page masked in the page's error")
			traces := lc.Traces()
			require.Len(t, traces, 4)
			assert.Contains(t, traces[0].RequestBody, `"ssn":"[REDACTED]"`)
			assert.Contains(t, traces[0].RequestBody, `"Password":"[REDACTED]"`)
			assert.Contains(t, traces[0].ResponseBody, `"apiKey": "[REDACTED]"`)
			assert.Contains(t, traces[0].ResponseBody, `"SSN": "[REDACTED]"`)
			assert.Contains(t, traces[1].RequestBody, "password=[REDACTED]")
			assert.Contains(t, traces[1].URL, "apiKey=")
			assert.NotContains(t, traces[1].URL, apiKey)
			assert.Contains(t, traces[2].ResponseBody, `"ssn": "[REDACTED]"`)
			for _, v := range []string{ssn, initial, apiKey, rowSSN} {
				lc.AddSecrets(v)
			}
			lc.Check()
			for _, v := range []string{ssn, initial, apiKey, rowSSN} {
				checkNoLeak(t, lc, errs, v)
			}
		})
	}
	_, err := connector.Parse([]byte(`{"name":"t","connection":{"baseURL":"https://x","mask":["ssn","SSN"]}}`))
	assert.ErrorContains(t, err, `connection.mask[1]: "SSN" is already connection.mask[0]`)
	_, err = connector.Parse([]byte(`{"name":"t","connection":{"baseURL":"https://x","mask":[" "]}}`))
	assert.ErrorContains(t, err, `connection.mask[0]: empty`)
}
