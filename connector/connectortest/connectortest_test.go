package connectortest_test

import (
	"context"
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
// operation, entitlements of the wrong type.
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
		yield(connector.Entitlement{Type: "group", ID: "g"}, nil)
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
