// Package redact masks secrets in text before it reaches an error message,
// a log line or a trace.
//
// Type-based redaction (binding.Secret) protects values while they are Go
// values; once a secret has been rendered into a URL, a header or a body, or
// echoed back by a server, only its value identifies it. A Redactor knows
// every secret the engine has seen (configured secrets, passwords, tokens and
// session IDs obtained at run time) and replaces each with [REDACTED],
// whichever way the text encodes it.
//
// # Encoded secrets
//
// Servers echo what they were sent in many spellings: JSON escapes ("\/"
// for "/" as PHP writes it, "\u0041" or "\ud83d\ude00" for any character,
// upper- or lower-case hex), Go's %q quoting ("\t", "\x01", "\U0001f600"),
// URL encoding (query or path escaping, "+" or "%20" for a space, any hex
// case, some characters encoded and others not), HTML entities, and chains
// of these: a URL inside a JSON body inside an error message. Listing the
// spellings of each secret cannot keep up, so String reads the text instead:
// it builds decoded views of it (backslash escapes undone, percent escapes
// undone, entities undone, and these stacked up to four deep), each with a
// map from every decoded byte back to the bytes of the text it came from,
// looks for the secrets in every view, and masks the text those matches
// came from. "+" and space count as the same character throughout. Text
// without a backslash, '%', '&' or '+' (most text) is searched as it is.
//
// A secret found anywhere is masked whole: where occurrences of several
// secrets overlap (one secret containing another), their union is masked.
//
// # Errors, snippets and fields
//
// Error masks every level of an error chain, so errors.Unwrap cannot reach
// the raw text, while errors.Is keeps matching the chain's sentinels.
// Snippet and Head mask a body before they shorten it, so that squeezing
// white space or cutting cannot hide a secret from the masker. Fields masks
// values by field name (JSON keys, form fields, query parameters), for
// values that are secret whatever they are, such as a user's "ssn".
package redact

import (
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
)

// Mask replaces a secret.
const Mask = "[REDACTED]"

// Redactor is a growing set of secrets. The zero value is ready and safe for
// concurrent use.
type Redactor struct {
	parent *Redactor

	mu      sync.Mutex
	secrets map[string]bool
	gen     atomic.Uint64 // bumped whenever secrets change
	built   atomic.Pointer[compiled]
}

// Add registers secret values. Empty values are ignored. There is no need
// to add encoded forms of a value: String finds them.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]bool{}
	}
	changed := false
	for _, v := range values {
		if v != "" && !r.secrets[v] {
			r.secrets[v] = true
			changed = true
		}
	}
	if changed {
		r.gen.Add(1)
	}
}

// AddPair registers the base64 form of "user:pass" used by Basic auth.
func (r *Redactor) AddPair(user, pass string) {
	if pass == "" {
		return
	}
	r.Add(base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)))
}

// With returns a Redactor that masks r's secrets (including ones r learns
// later) and extra ones, for values that live only during one operation
// (a request's password).
func (r *Redactor) With(values ...string) *Redactor {
	n := &Redactor{parent: r}
	n.Add(values...)
	return n
}

// generation changes whenever the secrets of r or of a parent change.
func (r *Redactor) generation() uint64 {
	if r == nil {
		return 0
	}
	return r.gen.Load() + r.parent.generation()
}

func (r *Redactor) collect(into map[string]bool) {
	if r == nil {
		return
	}
	r.parent.collect(into)
	r.mu.Lock()
	for s := range r.secrets {
		into[s] = true
	}
	r.mu.Unlock()
}

// compiled is the searchable form of the secrets of a redactor and its
// parents, and the generation it reflects.
type compiled struct {
	gen     uint64
	secrets []string // folded (see fold), longest first, distinct
	fold    bool     // some secret holds a space or a '+'
	maxLen  int
}

// set returns the secrets of r and its parents, rebuilding them when any
// of them learnt a secret. It returns nil if there are none.
func (r *Redactor) set() *compiled {
	if r == nil {
		return nil
	}
	gen := r.generation()
	if b := r.built.Load(); b != nil && b.gen == gen {
		if len(b.secrets) == 0 {
			return nil
		}
		return b
	}
	all := map[string]bool{}
	r.collect(all)
	c := &compiled{gen: gen}
	seen := map[string]bool{}
	for s := range all {
		if strings.ContainsAny(s, " +") {
			c.fold = true
		}
	}
	for s := range all {
		if c.fold {
			s = fold(s)
		}
		if !seen[s] {
			seen[s] = true
			c.secrets = append(c.secrets, s)
			c.maxLen = max(c.maxLen, len(s))
		}
	}
	slices.SortFunc(c.secrets, func(a, b string) int { return len(b) - len(a) })
	r.built.Store(c)
	if len(c.secrets) == 0 {
		return nil
	}
	return c
}

// fold maps '+' to ' ': URL query encoding writes a space as '+', and a
// literal '+' stays '+' in path encoding, so a decoded view cannot tell
// which a '+' stood for. Comparing with both sides folded finds the secret
// either way; the price is masking text that differs from a secret only
// in '+' against space.
func fold(s string) string { return strings.ReplaceAll(s, "+", " ") }

// String masks every known secret in s, however s encodes it (see the
// package documentation).
func (r *Redactor) String(s string) string {
	c := r.set()
	if c == nil || s == "" {
		return s
	}
	return c.mask(s)
}

// URL masks secrets and the values of query parameters whose names look
// like credentials (see SensitiveName).
func (r *Redactor) URL(raw string) string {
	u, _ := maskQuery(raw)
	return r.String(u)
}

// maskQuery returns raw with the values of the query parameters whose
// names look like credentials replaced, and whether it has any.
func maskQuery(raw string) (string, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return raw, false
	}
	q := u.Query()
	changed := false
	for k := range q {
		if SensitiveName(k) {
			q[k] = []string{"REDACTED"}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String(), changed
}

// SensitiveName reports whether a header or parameter name suggests a
// credential.
func SensitiveName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"token", "secret", "password", "passwd", "session", "apikey", "api_key", "api-key", "authorization", "signature", "cookie"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return n == "key" || n == "sig"
}
