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
	parent *Redactor

	mu      sync.Mutex
	secrets map[string]bool
	gen     atomic.Uint64 // bumped whenever secrets change
	built   atomic.Pointer[replacer]
}

// replacer is a Redactor's compiled form and the generations it reflects.
type replacer struct {
	rep *strings.Replacer
	gen uint64 // the sum of the generations of the redactor and its parents
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

func forms(v string) []string {
	j, _ := json.Marshal(v)
	return []string{v, url.QueryEscape(v), url.PathEscape(v), strings.Trim(string(j), `"`)}
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

// compiled returns the replacer for every secret of r and its parents,
// rebuilding it when any of them learnt a secret. One replacer over all of
// them, longest first, masks a secret that contains another whole, wherever
// each was added.
func (r *Redactor) compiled() *strings.Replacer {
	gen := r.generation()
	if b := r.built.Load(); b != nil && b.gen == gen {
		return b.rep
	}
	all := map[string]bool{}
	r.collect(all)
	if len(all) == 0 {
		return nil
	}
	list := make([]string, 0, len(all))
	for s := range all {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return len(list[i]) > len(list[j]) })
	pairs := make([]string, 0, 2*len(list))
	for _, s := range list {
		pairs = append(pairs, s, Mask)
	}
	rep := strings.NewReplacer(pairs...)
	r.built.Store(&replacer{rep: rep, gen: gen})
	return rep
}

// String masks every known secret in s.
func (r *Redactor) String(s string) string {
	if r == nil {
		return s
	}
	if rep := r.compiled(); rep != nil {
		return rep.Replace(s)
	}
	return s
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
