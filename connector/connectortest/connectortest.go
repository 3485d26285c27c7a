// Package connectortest is a conformance suite for connector.Connector
// implementations, in the spirit of testing/slogtest: run it from your own
// tests against a preset (ours or yours) backed by its fake server, and it
// checks the promises every Connector makes to its callers.
//
//	func TestConformance(t *testing.T) {
//		srv := intercomtest.NewServer()
//		defer srv.Close()
//		connectortest.Run(t, func(t *testing.T) connector.Connector {
//			eng, err := intercom.New(intercom.Config{Token: srv.Token, BaseURL: srv.URL},
//				connector.WithHTTPClient(srv.Client()))
//			if err != nil {
//				t.Fatal(err)
//			}
//			return eng
//		})
//	}
//
// The suite checks that Connect succeeds; that imports yield accounts with
// non-empty, unique IDs and entitlements unique per type (an entitlement
// whose members come in chunks may be yielded several times in a row: the
// suite merges the chunks as MergeEntitlements does, and checks that they
// agree and repeat no member), the same records on
// a second run, only the requested types, and ErrUnsupported for unknown
// ones; that breaking out of an import ends it cleanly; that a cancelled
// context fails with context.Canceled; that every error is a
// *connector.Error; and, with CheckMembership, that entitlement members and
// account entitlements agree. A connector whose imports answer
// ErrUnsupported (a ticket-only target) skips the import checks.
//
// # Test kit
//
// Beside the suite, the package has what the tests of a preset need again
// and again: Collect drains an import into a slice, MergeEntitlements joins
// the chunks of an entitlement yielded several times, LeakCheck gathers an
// engine's logs, traces and errors and fails the test when a secret shows
// up in any of them, and CheckSpecCopy proves that a Spec function hands
// out deep copies.
package connectortest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/restconn/restconn/connector"
)

// Option tunes Run.
type Option func(*config)

type config struct {
	membership bool
}

// CheckMembership also checks that, for every entitlement type both sides
// list, an account lists an entitlement exactly when the entitlement lists
// the account as a member.
func CheckMembership() Option { return func(c *config) { c.membership = true } }

// Run runs the suite. newConnector is called for each subtest, so state does
// not leak between them; it should return a connector whose target holds at
// least one account when the connector supports imports.
func Run(t *testing.T, newConnector func(t *testing.T) connector.Connector, opts ...Option) {
	var cfg config
	for _, o := range opts {
		o(&cfg)
	}
	ctx := context.Background()

	t.Run("Connect", func(t *testing.T) {
		if err := newConnector(t).Connect(ctx); err != nil {
			t.Fatalf("Connect: %v", err)
		}
	})

	t.Run("ImportAccounts", func(t *testing.T) {
		c := newConnector(t)
		first, err := accounts(ctx, c)
		if errors.Is(err, connector.ErrUnsupported) {
			checkError(t, err)
			t.Skip("imports are not supported")
		}
		if err != nil {
			t.Fatalf("ImportAccounts: %v", err)
		}
		if len(first) == 0 {
			t.Fatal("ImportAccounts yielded no account; seed the target with at least one")
		}
		seen := map[string]bool{}
		for _, a := range first {
			if a.ID == "" {
				t.Errorf("account %+v has an empty ID", a)
			}
			if seen[a.ID] {
				t.Errorf("account %q yielded twice", a.ID)
			}
			seen[a.ID] = true
			if a.Attributes == nil {
				t.Errorf("account %q: Attributes is nil, want an empty map at least", a.ID)
			}
			for typ, ids := range a.Entitlements {
				if ids == nil {
					t.Errorf("account %q: Entitlements[%q] is nil, want an empty list", a.ID, typ)
				}
			}
		}
		again, err := accounts(ctx, c)
		if err != nil {
			t.Fatalf("second ImportAccounts: %v", err)
		}
		if !slices.Equal(ids(first), ids(again)) {
			t.Errorf("a second import yielded other accounts: %v, then %v", ids(first), ids(again))
		}
	})

	t.Run("ImportAccountsBreak", func(t *testing.T) {
		c := newConnector(t)
		n := 0
		for _, err := range c.ImportAccounts(ctx, connector.ImportOptions{}) {
			if errors.Is(err, connector.ErrUnsupported) {
				t.Skip("imports are not supported")
			}
			if err != nil {
				t.Fatalf("ImportAccounts: %v", err)
			}
			n++
			break
		}
		if n != 1 {
			t.Fatalf("got %d accounts before break, want 1", n)
		}
		if _, err := accounts(ctx, c); err != nil {
			t.Fatalf("ImportAccounts after an early break: %v", err)
		}
	})

	t.Run("ImportAccountsCanceled", func(t *testing.T) {
		c := newConnector(t)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		var got error
		n := 0
		for _, err := range c.ImportAccounts(cctx, connector.ImportOptions{}) {
			n++
			got = err
		}
		if errors.Is(got, connector.ErrUnsupported) {
			t.Skip("imports are not supported")
		}
		if n != 1 || !errors.Is(got, context.Canceled) {
			t.Fatalf("with a cancelled context: %d values, last error %v; want exactly one error matching context.Canceled", n, got)
		}
		checkError(t, got)
	})

	t.Run("ImportAccess", func(t *testing.T) {
		c := newConnector(t)
		all, err := entitlements(ctx, c, nil)
		if errors.Is(err, connector.ErrUnsupported) {
			checkError(t, err)
			t.Skip("entitlement imports are not supported")
		}
		if err != nil {
			t.Fatalf("ImportAccess: %v", err)
		}
		if all, err = MergeEntitlements(all); err != nil {
			t.Errorf("ImportAccess: %v", err)
		}
		var types []string
		for _, e := range all {
			if e.Type == "" || e.ID == "" {
				t.Errorf("entitlement %+v lacks a type or ID", e)
			}
			if !slices.Contains(types, e.Type) {
				types = append(types, e.Type)
			}
		}
		for _, typ := range types {
			some, err := entitlements(ctx, c, []string{typ})
			if err != nil {
				t.Fatalf("ImportAccess(%s): %v", typ, err)
			}
			for _, e := range some {
				if e.Type != typ {
					t.Errorf("ImportAccess(Types: [%s]) yielded type %s", typ, e.Type)
				}
			}
		}
		_, err = entitlements(ctx, c, []string{"connectortest-no-such-type"})
		if !errors.Is(err, connector.ErrUnsupported) {
			t.Errorf("ImportAccess of an unknown type: %v, want ErrUnsupported", err)
		}
		checkError(t, err)

		if !cfg.membership {
			return
		}
		accts, err := accounts(ctx, c)
		if err != nil {
			t.Fatalf("ImportAccounts: %v", err)
		}
		for _, e := range all {
			for _, a := range accts {
				ids, listed := a.Entitlements[e.Type]
				if !listed || e.Members == nil {
					continue
				}
				if slices.Contains(ids, e.ID) != slices.Contains(e.Members, a.ID) {
					t.Errorf("account %s and %s %s disagree on membership", a.ID, e.Type, e.ID)
				}
			}
		}
	})

	t.Run("UnknownOperation", func(t *testing.T) {
		_, err := newConnector(t).Provision(ctx, connector.Request{Op: "connectortestNoSuchOp"})
		if !errors.Is(err, connector.ErrUnsupported) {
			t.Errorf("Provision of an unknown operation: %v, want ErrUnsupported", err)
		}
		checkError(t, err)
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	var ce *connector.Error
	if err != nil && !errors.As(err, &ce) {
		t.Errorf("error %q (%T) is not a *connector.Error", err, err)
	}
}

func accounts(ctx context.Context, c connector.Connector) ([]connector.Account, error) {
	var out []connector.Account
	for a, err := range c.ImportAccounts(ctx, connector.ImportOptions{}) {
		if err != nil {
			return out, err
		}
		out = append(out, a)
	}
	return out, nil
}

func entitlements(ctx context.Context, c connector.Connector, types []string) ([]connector.Entitlement, error) {
	var out []connector.Entitlement
	for e, err := range c.ImportAccess(ctx, connector.ImportOptions{Types: types}) {
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

func ids(as []connector.Account) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.ID
	}
	slices.Sort(out)
	return out
}
