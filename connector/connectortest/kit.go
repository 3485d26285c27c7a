package connectortest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/internal/mutate"
)

// Collect drains seq, such as an import, into a slice. It stops at the
// first error and returns it with the values yielded before it.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

// MergeEntitlements joins the chunks of entitlements an import yields
// several times (an entitlement whose members arrive in chunks: the same
// Type and ID each time, see connector.Entitlement) into one entitlement
// each, in the order of first appearance, with the members in the order
// received. The result shares no Members slice with ents.
//
// It fails when the chunks break the contract: a chunk that does not
// follow the one before it (the same Type and ID yielded again after
// another entitlement), chunks that differ in Name or Attributes, a chunk
// with nil Members, or a member listed twice.
func MergeEntitlements(ents []connector.Entitlement) ([]connector.Entitlement, error) {
	var out []connector.Entitlement
	done := map[string]bool{}       // entitlements already merged
	var members map[string]struct{} // the last entitlement's members
	for i, e := range ents {
		key := e.Type + "/" + e.ID
		switch n := len(out); {
		case n > 0 && out[n-1].Type == e.Type && out[n-1].ID == e.ID:
			switch prev := out[n-1]; {
			case prev.Members == nil || e.Members == nil:
				return nil, fmt.Errorf("entitlement %s yielded twice (entitlement %d), not as chunks of members", key, i)
			case prev.Name != e.Name || !reflect.DeepEqual(prev.Attributes, e.Attributes):
				return nil, fmt.Errorf("the chunks of entitlement %s disagree on name or attributes (entitlement %d)", key, i)
			}
		case done[key]:
			return nil, fmt.Errorf("entitlement %s yielded twice (entitlement %d), not in consecutive chunks", key, i)
		default:
			done[key] = true
			members = make(map[string]struct{}, len(e.Members))
			first := e
			first.Members = e.Members[:0:0] // nil stays nil; the members below go to an array of its own
			out = append(out, first)
		}
		last := &out[len(out)-1]
		for _, m := range e.Members {
			if _, dup := members[m]; dup {
				return nil, fmt.Errorf("entitlement %s lists member %q twice (entitlement %d)", key, m, i)
			}
			members[m] = struct{}{}
			last.Members = append(last.Members, m)
		}
	}
	return out, nil
}

// LeakCheck gathers everything an engine prints (its debug log, its
// traces and the errors a test hands it) and fails the test when a secret
// appears in any of it: the check behind restconn's promise that secrets
// never reach errors, logs or traces.
//
//	lc := connectortest.NewLeakCheck(t, password, clientSecret)
//	eng, err := connector.New(spec, append(lc.Options(), connector.WithSecrets(...))...)
//	...
//	_, err = eng.Provision(ctx, req)
//	lc.Err(err)
//	lc.AddSecrets(tokensTheServerIssued...)
//	lc.Check()
//
// A LeakCheck is safe for concurrent use.
type LeakCheck struct {
	t testing.TB

	mu      sync.Mutex
	secrets []string
	logs    bytes.Buffer
	traces  []connector.Trace
	errs    []error
}

// NewLeakCheck returns a check for the given secrets; AddSecrets adds
// more, such as tokens a server issues while the test runs.
func NewLeakCheck(t testing.TB, secrets ...string) *LeakCheck {
	return &LeakCheck{t: t, secrets: secrets}
}

// Options returns the options that make an engine report to the check: a
// text logger at debug level and a trace function.
func (c *LeakCheck) Options() []connector.Option {
	return []connector.Option{
		connector.WithLogger(slog.New(slog.NewTextHandler(c.Writer(), &slog.HandlerOptions{Level: slog.LevelDebug}))),
		connector.WithTrace(func(_ context.Context, tr connector.Trace) {
			c.mu.Lock()
			defer c.mu.Unlock()
			c.traces = append(c.traces, tr)
		}),
	}
}

// Writer returns a writer whose output the check searches, for a logger of
// the test's own (a JSON handler, say) in place of the one Options installs.
func (c *LeakCheck) Writer() io.Writer { return lockedWriter{c} }

type lockedWriter struct{ c *LeakCheck }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	return w.c.logs.Write(p)
}

// AddSecrets adds secrets to look for.
func (c *LeakCheck) AddSecrets(secrets ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.secrets = append(c.secrets, secrets...)
}

// Err records err (when not nil) for the check and returns it.
func (c *LeakCheck) Err(err error) error {
	if err != nil {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.errs = append(c.errs, err)
	}
	return err
}

// Logs returns what the engine has logged so far.
func (c *LeakCheck) Logs() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.logs.String()
}

// Traces returns the traces recorded so far.
func (c *LeakCheck) Traces() []connector.Trace {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]connector.Trace(nil), c.traces...)
}

// Check fails the test for every secret found in the logs, in a trace (its
// URL, headers, bodies and error) or in an error: every error of its
// errors.Unwrap chain, printed with %v, %+v and %#v. A secret is also
// looked for in the escaped forms JSON, Go quoting and URL encoding give
// it.
func (c *LeakCheck) Check() {
	c.t.Helper()
	c.mu.Lock()
	texts := map[string]string{"log": c.logs.String()}
	for i, tr := range c.traces {
		texts[fmt.Sprintf("trace %d (%s %s)", i, tr.Call, tr.Method)] = traceText(tr)
	}
	for i, err := range c.errs {
		texts[fmt.Sprintf("error %d", i)] = errorText(err)
	}
	secrets := append([]string(nil), c.secrets...)
	c.mu.Unlock()
	for where, text := range texts {
		for _, s := range secrets {
			if s != "" && containsAny(text, forms(s)) {
				c.t.Errorf("connectortest: %s contains the secret %q:\n%s", where, s, text)
			}
		}
	}
}

func traceText(tr connector.Trace) string {
	s := fmt.Sprintf("%+v %v %v", tr, tr.RequestHeader, tr.ResponseHeader)
	if tr.Err != nil {
		s += " " + errorText(tr.Err)
	}
	return s
}

// errorText prints every error of err's chain in every form.
func errorText(err error) string {
	var b strings.Builder
	var walk func(error, int)
	walk = func(err error, depth int) {
		if err == nil || depth > 100 {
			return
		}
		fmt.Fprintf(&b, "%s\n%v\n%+v\n%#v\n", err.Error(), err, err, err)
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

// forms returns s as it may appear in printed text: itself, JSON-escaped,
// Go-quoted (without the quotes) and URL-encoded (query and path).
func forms(s string) []string {
	j, _ := json.Marshal(s)
	return []string{s, string(j[1 : len(j)-1]), strings.Trim(strconv.Quote(s), `"`), url.QueryEscape(s), url.PathEscape(s)}
}

func containsAny(text string, subs []string) bool {
	for _, s := range subs {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// CheckSpecCopy checks that spec (a preset's Spec function, or an
// Engine's Spec method) returns deep copies: it changes every reachable
// field of one copy in place, the values inside maps, lists and pointers
// included, and fails the test unless a fresh copy is unchanged.
func CheckSpecCopy(t testing.TB, spec func() *connector.Spec) {
	t.Helper()
	before, err := json.Marshal(spec())
	if err != nil {
		t.Fatalf("connectortest: the spec does not marshal: %v", err)
	}
	c := spec()
	mutate.All(c)
	changed, err := json.Marshal(c)
	if err != nil {
		t.Fatalf("connectortest: the changed spec does not marshal: %v", err)
	}
	if bytes.Equal(before, changed) {
		t.Fatal("connectortest: changing every field of the copy changed nothing")
	}
	after, err := json.Marshal(spec())
	if err != nil {
		t.Fatalf("connectortest: the spec does not marshal: %v", err)
	}
	if !bytes.Equal(before, after) {
		t.Errorf("connectortest: changing a copy of the spec changed the next copy: it shares maps, lists or pointers\nbefore: %s\nafter:  %s", before, after)
	}
}
