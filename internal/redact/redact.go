// Package redact masks known secret values in text before it reaches an
// error message or a log line.
//
// Type-based redaction (binding.Secret) protects values while they are Go
// values; once a secret has been rendered into a URL, a header or a body, or
// echoed back by a server, only its value identifies it. A Redactor knows
// every secret the engine has seen (configured secrets, passwords, tokens and
// session IDs obtained at run time) in the forms they take on the wire
// (plain, query-escaped, path-escaped, JSON-escaped, base64 of user:pass)
// and replaces each with [REDACTED].
package redact

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
)

// Mask replaces a secret.
const Mask = "[REDACTED]"

// Redactor is a growing set of secrets. The zero value is ready and safe for
// concurrent use.
type Redactor struct {
	mu      sync.Mutex
	secrets map[string]bool
	r       atomic.Pointer[strings.Replacer]
	parent  *Redactor
}

// Add registers secret values (and their encoded forms). Empty values are
// ignored.
func (r *Redactor) Add(values ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.secrets == nil {
		r.secrets = map[string]bool{}
	}
	changed := false
	for _, v := range values {
		if v == "" {
			continue
		}
		for _, f := range forms(v) {
			if f != "" && !r.secrets[f] {
				r.secrets[f] = true
				changed = true
			}
		}
	}
	if changed {
		r.rebuild()
	}
}

// AddPair registers the base64 form of "user:pass" used by Basic auth.
func (r *Redactor) AddPair(user, pass string) {
	if pass == "" {
		return
	}
	r.Add(base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)))
}

func forms(v string) []string {
	j, _ := json.Marshal(v)
	return []string{v, url.QueryEscape(v), url.PathEscape(v), strings.Trim(string(j), `"`)}
}

func (r *Redactor) rebuild() {
	list := make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		list = append(list, s)
	}
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	pairs := make([]string, 0, 2*len(list))
	for _, s := range list {
		pairs = append(pairs, s, Mask)
	}
	r.r.Store(strings.NewReplacer(pairs...))
}

// String masks every known secret in s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	s = r.parent.String(s)
	rep := r.r.Load()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}

// With returns a Redactor that masks r's secrets (including ones r learns
// later) and extra ones, for values that live only during one operation
// (a request's password).
func (r *Redactor) With(values ...string) *Redactor {
	n := &Redactor{parent: r}
	n.Add(values...)
	return n
}

// Error returns err with every known secret masked in its text. The result
// unwraps to err, so errors.Is and errors.As keep working.
func (r *Redactor) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	masked := r.String(msg)
	if masked == msg {
		return err
	}
	return &maskedError{msg: masked, err: err}
}

type maskedError struct {
	msg string
	err error
}

func (e *maskedError) Error() string { return e.msg }
func (e *maskedError) Unwrap() error { return e.err }

// URL masks secrets and the values of query parameters whose names look
// like credentials.
func (r *Redactor) URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.RawQuery == "" {
		return r.String(raw)
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
	return r.String(u.String())
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
