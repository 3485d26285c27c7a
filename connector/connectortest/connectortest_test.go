package connectortest_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// broken breaks the Connector contract on purpose: a duplicate account ID,
// nil attributes, cancellation ignored, a plain error for an unknown
// operation, entitlements of the wrong type, chunks of members that repeat
// a member.
type broken struct{}

func (broken) Connect(context.Context) error { return nil }

func (broken) ImportAccounts(ctx context.Context, _ connector.ImportOptions) iter.Seq2[connector.Account, error] {
	return func(yield func(connector.Account, error) bool) {
		for _, id := range []string{"a", "a"} {
			if !yield(connector.Account{ID: id}, nil) {
				return
			}
		}
	}
}

func (broken) ImportAccess(_ context.Context, opts connector.ImportOptions) iter.Seq2[connector.Entitlement, error] {
	return func(yield func(connector.Entitlement, error) bool) {
		// Two chunks of one group that repeat a member.
		for range 2 {
			if !yield(connector.Entitlement{Type: "group", ID: "g", Members: []string{"x"}}, nil) {
				return
			}
		}
	}
}

func (broken) Provision(context.Context, connector.Request) (connector.Result, error) {
	return connector.Result{}, assert.AnError
}

func (broken) TicketStatus(context.Context, string) (connector.Ticket, error) {
	return connector.Ticket{}, assert.AnError
}

// TestBrokenConnectorHelper runs the suite on broken when asked to by
// TestSuiteCatchesBrokenConnector, in a child process, so that its failures
// can be observed instead of failing this package.
func TestBrokenConnectorHelper(t *testing.T) {
	if os.Getenv("CONNECTORTEST_RUN_BROKEN") != "1" {
		t.Skip("run by TestSuiteCatchesBrokenConnector")
	}
	connectortest.Run(t, func(*testing.T) connector.Connector { return broken{} })
}

func TestSuiteCatchesBrokenConnector(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenConnectorHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "CONNECTORTEST_RUN_BROKEN=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed a broken connector:\n%s", out)
	}
	for _, want := range []string{
		`account "a" yielded twice`,
		`Attributes is nil`,
		`want exactly one error matching context.Canceled`,
		`ImportAccess of an unknown type`,
		`entitlement group/g lists member "x" twice`,
		`Provision of an unknown operation`,
	} {
		assert.Contains(t, string(out), want)
	}
}

// TestBrokenKitHelper runs the kit's checks on a shallow spec copy and a
// leaking engine when asked to by TestKitCatchesBrokenCopiesAndLeaks.
func TestBrokenKitHelper(t *testing.T) {
	if os.Getenv("CONNECTORTEST_RUN_BROKEN_KIT") != "1" {
		t.Skip("run by TestKitCatchesBrokenCopiesAndLeaks")
	}
	spec, err := connector.Parse([]byte(`{"name":"t","connection":{"baseURL":"https://x.test","headers":{"A":"b"}},
		"connect":{"calls":[{"path":"/me","body":{"k":["v"]}}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("SameSpec", func(t *testing.T) {
		connectortest.CheckSpecCopy(t, func() *connector.Spec { return spec })
	})
	t.Run("ShallowSpec", func(t *testing.T) {
		connectortest.CheckSpecCopy(t, func() *connector.Spec { c := *spec; return &c })
	})
	t.Run("Leak", func(t *testing.T) {
		lc := connectortest.NewLeakCheck(t, "s3cret-value")
		lc.Err(fmt.Errorf("wrapped: %w", &url.Error{Op: "Get", URL: "https://x.test/?k=s3cret-value", Err: assert.AnError}))
		lc.Check()
	})
	t.Run("LeakURLEncoded", func(t *testing.T) {
		lc := connectortest.NewLeakCheck(t, "pa ss/word")
		lc.Err(errors.New("GET https://x.test/u/pa%20ss%2Fword?p=pa+ss%2Fword failed"))
		lc.Check()
	})
}

func TestKitCatchesBrokenCopiesAndLeaks(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestBrokenKitHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "CONNECTORTEST_RUN_BROKEN_KIT=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the kit passed broken copies and a leak:\n%s", out)
	}
	for _, want := range []string{
		"--- FAIL: TestBrokenKitHelper/SameSpec",
		"--- FAIL: TestBrokenKitHelper/ShallowSpec",
		"changed the next copy",
		"--- FAIL: TestBrokenKitHelper/Leak",
		`error 0 contains the secret "s3cret-value"`,
		"--- FAIL: TestBrokenKitHelper/LeakURLEncoded",
		`error 0 contains the secret "pa ss/word"`,
	} {
		assert.Contains(t, string(out), want)
	}
}

func TestCollect(t *testing.T) {
	seq := func(yield func(int, error) bool) {
		_ = yield(1, nil) && yield(2, nil) && yield(0, assert.AnError) && yield(3, nil)
	}
	got, err := connectortest.Collect(seq)
	assert.Equal(t, []int{1, 2}, got)
	assert.ErrorIs(t, err, assert.AnError)
}

func TestMergeEntitlements(t *testing.T) {
	g := func(id string, members ...string) connector.Entitlement {
		return connector.Entitlement{Type: "group", ID: id, Name: "G" + id, Attributes: map[string]any{"k": id}, Members: members}
	}
	tests := []struct {
		name string
		in   []connector.Entitlement
		want []connector.Entitlement
		err  string
	}{
		{name: "chunks merge", in: []connector.Entitlement{g("1", "a", "b"), g("1", "c"), g("2"), g("3", "a")},
			want: []connector.Entitlement{g("1", "a", "b", "c"), g("2"), g("3", "a")}},
		{name: "same ID, other type", in: []connector.Entitlement{g("1", "a"), {Type: "role", ID: "1", Members: []string{"a"}}},
			want: []connector.Entitlement{g("1", "a"), {Type: "role", ID: "1", Members: []string{"a"}}}},
		{name: "empty", in: nil, want: nil},
		{name: "not consecutive", in: []connector.Entitlement{g("1", "a"), g("2", "b"), g("1", "c")}, err: "not in consecutive chunks"},
		{name: "member repeated across chunks", in: []connector.Entitlement{g("1", "a", "b"), g("1", "b")}, err: `lists member "b" twice`},
		{name: "member repeated in a chunk", in: []connector.Entitlement{g("1", "a", "a")}, err: `lists member "a" twice`},
		{name: "chunks disagree", in: []connector.Entitlement{g("1", "a"), {Type: "group", ID: "1", Name: "other", Attributes: map[string]any{"k": "1"}, Members: []string{"b"}}},
			err: "disagree on name or attributes"},
		{name: "a repeat without members", in: []connector.Entitlement{{Type: "group", ID: "1"}, {Type: "group", ID: "1"}}, err: "not as chunks of members"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := connectortest.MergeEntitlements(tt.in)
			if tt.err != "" {
				assert.ErrorContains(t, err, tt.err)
				return
			}
			assert.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
	in := []connector.Entitlement{g("1", "a"), g("1", "b")}
	got, err := connectortest.MergeEntitlements(in)
	assert.NoError(t, err)
	assert.Equal(t, []string{"a"}, in[0].Members, "the input is not changed")
	assert.Equal(t, []string{"a", "b"}, got[0].Members)
}

// chunked is a well-behaved connector whose group "big" comes in three
// chunks of members.
type chunked struct{ broken }

func (chunked) ImportAccounts(ctx context.Context, _ connector.ImportOptions) iter.Seq2[connector.Account, error] {
	return func(yield func(connector.Account, error) bool) {
		if err := ctx.Err(); err != nil {
			yield(connector.Account{}, &connector.Error{Message: "canceled", Err: err})
			return
		}
		for _, id := range []string{"a", "b", "c", "d", "e"} {
			ents := []string{"big"}
			if id == "e" {
				ents = []string{}
			}
			if !yield(connector.Account{ID: id, Attributes: map[string]any{}, Entitlements: map[string][]string{"group": ents}}, nil) {
				return
			}
		}
	}
}

func (chunked) ImportAccess(_ context.Context, opts connector.ImportOptions) iter.Seq2[connector.Entitlement, error] {
	return func(yield func(connector.Entitlement, error) bool) {
		for _, typ := range opts.Types {
			if typ != "group" {
				yield(connector.Entitlement{}, &connector.Error{Message: "unknown type", Err: connector.ErrUnsupported})
				return
			}
		}
		for _, chunk := range [][]string{{"a", "b"}, {"c"}, {"d"}} {
			if !yield(connector.Entitlement{Type: "group", ID: "big", Name: "Big", Attributes: map[string]any{}, Members: chunk}, nil) {
				return
			}
		}
		yield(connector.Entitlement{Type: "group", ID: "empty", Name: "Empty", Attributes: map[string]any{}, Members: []string{}}, nil)
	}
}

func (chunked) Provision(context.Context, connector.Request) (connector.Result, error) {
	return connector.Result{}, &connector.Error{Message: "unknown operation", Err: connector.ErrUnsupported}
}

// TestSuiteAcceptsChunkedEntitlements: an entitlement yielded in chunks of
// members is one entitlement to the suite, membership check included.
func TestSuiteAcceptsChunkedEntitlements(t *testing.T) {
	connectortest.Run(t, func(*testing.T) connector.Connector { return chunked{} }, connectortest.CheckMembership())
}
