package connector_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// directory is a small target for reconciliation tests: users listed two
// per page with Link headers, and groups and roles, each listed in one
// page. It can fail a page or hold one back until released.
type directory struct {
	mu     sync.Mutex
	users  []string
	groups []string
	roles  []string
	failAt int           // fail the users page with this 1-based number (500)
	holdAt int           // hold the users page with this number until release is closed
	held   chan struct{} // closed when the held page was requested
	rel    chan struct{}
	// answered is set when the held page is let go: on rel, or after a
	// few seconds, so that a reconciliation that does not stream fails
	// rather than hangs.
	answered atomic.Bool
}

func (d *directory) serve(t *testing.T) *httptest.Server {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		users, groups, roles := slices.Clone(d.users), slices.Clone(d.groups), slices.Clone(d.roles)
		failAt, holdAt := d.failAt, d.holdAt
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		var recs []map[string]any
		switch r.URL.Path {
		case "/users":
			after, _ := strconv.Atoi(r.URL.Query().Get("after"))
			page := after/2 + 1
			if page == failAt {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":"boom"}`))
				return
			}
			if page == holdAt {
				close(d.held)
				select {
				case <-d.rel:
				case <-time.After(3 * time.Second):
				}
				d.answered.Store(true)
			}
			for i := after; i < after+2 && i < len(users); i++ {
				recs = append(recs, map[string]any{"id": users[i], "login": "u" + users[i]})
			}
			if after+2 < len(users) {
				w.Header().Set("Link", fmt.Sprintf(`<%s/users?after=%d>; rel="next"`, srv.URL, after+2))
			}
		case "/groups":
			for _, g := range groups {
				recs = append(recs, map[string]any{"id": g})
			}
		case "/roles":
			for _, g := range roles {
				recs = append(recs, map[string]any{"id": g})
			}
		default:
			http.NotFound(w, r)
			return
		}
		if recs == nil {
			recs = []map[string]any{}
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"items": recs})
	}))
	t.Cleanup(srv.Close)
	return srv
}

func (d *directory) engine(t *testing.T, thresholds string, groupThreshold ...string) *connector.Engine {
	srv := d.serve(t)
	spec := fmt.Sprintf(`{
		"name": "directory",
		"connection": {"baseURL": %q, "retry": {"maxAttempts": 1}},
		"import": {
			"accounts": {
				"sources": [{"path": "/users", "records": "items", "paging": {"type": "link"}}],
				"id": "id", "name": "login"%s
			},
			"entitlements": {
				"group": {"sources": [{"path": "/groups", "records": "items"}], "id": "id"%s},
				"role": {"sources": [{"path": "/roles", "records": "items"}], "id": "id"}
			}
		}
	}`, srv.URL, thresholds, strings.Join(groupThreshold, ""))
	s, err := connector.Parse([]byte(spec))
	require.NoError(t, err)
	eng, err := connector.New(s, connector.WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	return eng
}

func seqOf(ids ...string) func(func(string) bool) { return slices.Values(ids) }

// changes drains a reconciliation into "kind id" strings.
func changes(seq func(func(connector.Change, error) bool)) ([]string, error) {
	var out []string
	for c, err := range seq {
		if err != nil {
			return out, err
		}
		id := c.Account.ID
		if c.Entitlement.ID != "" {
			id = c.Entitlement.Type + "/" + c.Entitlement.ID
		}
		out = append(out, string(c.Kind)+" "+id)
	}
	return out, nil
}

func TestReconcileAccounts(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		users   []string
		known   []string
		opts    connector.ReconcileOptions
		want    []string
		wantErr string // substring of the ErrThreshold message; "" = no error
	}{
		{
			name:  "added present removed",
			users: []string{"1", "2", "3", "4"},
			known: []string{"1", "2", "3", "9"},
			want:  []string{"present 1", "present 2", "present 3", "added 4", "removed 9"},
		},
		{
			name:  "nothing known",
			users: []string{"1", "2"},
			want:  []string{"added 1", "added 2"},
		},
		{
			name:  "duplicate known IDs count once",
			users: []string{"1"},
			known: []string{"1", "2", "2", "2"},
			opts:  connector.ReconcileOptions{MaxRemoved: 1},
			want:  []string{"present 1", "removed 2"},
		},
		{
			name:  "exactly maxRemoved is allowed",
			users: []string{"1"},
			known: []string{"1", "7", "8", "9"},
			opts:  connector.ReconcileOptions{MaxRemoved: 3},
			want:  []string{"present 1", "removed 7", "removed 8", "removed 9"},
		},
		{
			name:    "one more than maxRemoved is refused",
			users:   []string{"1"},
			known:   []string{"1", "6", "7", "8", "9"},
			opts:    connector.ReconcileOptions{MaxRemoved: 3},
			want:    []string{"present 1"},
			wantErr: "would remove 4 of 5 known accounts (80.0%), more than the limit of 3 (maxRemoved) set by ReconcileOptions.MaxRemoved; nothing was reported removed",
		},
		{
			name:  "exactly the percentage is allowed",
			users: []string{"1", "2", "3", "4", "5", "6", "7", "8"},
			known: []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"},
			opts:  connector.ReconcileOptions{MaxRemovedPercent: 20},
			want:  []string{"present 1", "present 2", "present 3", "present 4", "present 5", "present 6", "present 7", "present 8", "removed 10", "removed 9"},
		},
		{
			name:    "over the percentage is refused",
			users:   []string{"1", "2", "3", "4", "5", "6", "7", "8"},
			known:   []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"},
			opts:    connector.ReconcileOptions{MaxRemovedPercent: 19.5},
			want:    []string{"present 1", "present 2", "present 3", "present 4", "present 5", "present 6", "present 7", "present 8"},
			wantErr: "would remove 2 of 10 known accounts (20.0%), more than the limit of 19.5% (maxRemovedPercent) set by ReconcileOptions.MaxRemovedPercent",
		},
		{
			name:    "an empty import never looks like everyone left",
			users:   nil,
			known:   []string{"1", "2", "3"},
			opts:    connector.ReconcileOptions{MaxRemovedPercent: 50},
			wantErr: "would remove 3 of 3 known accounts (100.0%)",
		},
		{
			name:  "no thresholds: no limit",
			users: nil,
			known: []string{"1", "2", "3"},
			want:  []string{"removed 1", "removed 2", "removed 3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &directory{users: tt.users}
			opts := tt.opts
			opts.Known = seqOf(tt.known...)
			got, err := changes(connector.ReconcileAccounts(ctx, d.engine(t, ""), opts))
			assert.Equal(t, tt.want, got)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, connector.ErrThreshold)
			assert.Contains(t, err.Error(), tt.wantErr)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, connector.Operation("reconcileAccounts"), ce.Op)
		})
	}
}

// An import error ends the reconciliation with that error: nothing is
// reported removed, whatever the thresholds.
func TestReconcileImportErrorRemovesNothing(t *testing.T) {
	d := &directory{users: []string{"1", "2", "3", "4", "5"}, failAt: 2}
	got, err := changes(connector.ReconcileAccounts(context.Background(), d.engine(t, ""), connector.ReconcileOptions{
		Known: seqOf("1", "2", "3", "4", "5", "6"),
	}))
	require.Error(t, err)
	assert.NotErrorIs(t, err, connector.ErrThreshold)
	var ce *connector.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 500, ce.StatusCode)
	assert.Equal(t, []string{"present 1", "present 2"}, got)
}

// Added and Present changes arrive while the import is still running.
func TestReconcileStreams(t *testing.T) {
	d := &directory{users: []string{"1", "2", "3"}, holdAt: 2, held: make(chan struct{}), rel: make(chan struct{})}
	eng := d.engine(t, "")
	var got []string
	for c, err := range connector.ReconcileAccounts(context.Background(), eng, connector.ReconcileOptions{Known: seqOf("1")}) {
		require.NoError(t, err)
		got = append(got, string(c.Kind)+" "+c.Account.ID)
		if len(got) == 1 {
			// The second page is still held back by the server.
			assert.False(t, d.answered.Load(), "the first change came only after the server answered page 2")
			close(d.rel)
		}
	}
	assert.Equal(t, []string{"present 1", "added 2", "added 3"}, got)
}

func TestReconcileBreak(t *testing.T) {
	d := &directory{users: []string{"1", "2", "3"}}
	n := 0
	for _, err := range connector.ReconcileAccounts(context.Background(), d.engine(t, ""), connector.ReconcileOptions{Known: seqOf("9")}) {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func TestReconcileAccess(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		groups  []string
		roles   []string
		known   []string
		opts    connector.ReconcileOptions
		want    []string
		wantErr string
	}{
		{
			name:   "every type",
			groups: []string{"g1", "g2"},
			roles:  []string{"r1"},
			known:  []string{"group/g1", "group/g9", "role/r1", "role/r2/with/slash"},
			want:   []string{"present group/g1", "added group/g2", "present role/r1", "removed group/g9", "removed role/r2/with/slash"},
		},
		{
			name:   "known entries of other types are ignored",
			groups: []string{"g1"},
			roles:  []string{"r1"},
			known:  []string{"group/g1", "role/r7", "team/t1"},
			opts:   connector.ReconcileOptions{Types: []string{"group"}},
			want:   []string{"present group/g1"},
		},
		{
			name:   "types the spec does not have are ignored when Types is empty",
			groups: []string{"g1"},
			known:  []string{"group/g1", "team/t1"},
			want:   []string{"present group/g1"},
		},
		{
			name:    "thresholds apply per type",
			groups:  []string{"g1", "g2", "g3", "g4"},
			roles:   nil,
			known:   []string{"group/g1", "group/g2", "group/g3", "group/g4", "role/r1"},
			opts:    connector.ReconcileOptions{MaxRemovedPercent: 50},
			want:    []string{"present group/g1", "present group/g2", "present group/g3", "present group/g4"},
			wantErr: "would remove 1 of 1 known role entitlements (100.0%), more than the limit of 50% (maxRemovedPercent) set by ReconcileOptions.MaxRemovedPercent",
		},
		{
			name:    "a malformed known key",
			known:   []string{"g1"},
			wantErr: `known entitlement "g1": want "type/id"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &directory{groups: tt.groups, roles: tt.roles}
			opts := tt.opts
			opts.Known = seqOf(tt.known...)
			got, err := changes(connector.ReconcileAccess(ctx, d.engine(t, ""), opts))
			assert.Equal(t, tt.want, got)
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			if strings.Contains(tt.wantErr, "would remove") {
				assert.ErrorIs(t, err, connector.ErrThreshold)
			} else {
				assert.False(t, errors.Is(err, connector.ErrThreshold))
			}
		})
	}
}

// The spec's thresholds are defaults; options override them, and a
// negative option lifts them.
func TestReconcileSpecThresholds(t *testing.T) {
	ctx := context.Background()
	known := []string{"1", "2", "3", "4"}
	tests := []struct {
		name    string
		spec    string
		opts    connector.ReconcileOptions
		wantErr string
	}{
		{name: "spec maxRemoved", spec: `, "threshold": {"maxRemoved": 2}`, wantErr: "more than the limit of 2 (maxRemoved) set by the spec's import.accounts.threshold"},
		{name: "spec percent", spec: `, "threshold": {"maxRemovedPercent": 50}`, wantErr: "more than the limit of 50% (maxRemovedPercent) set by the spec's import.accounts.threshold"},
		{name: "option overrides spec", spec: `, "threshold": {"maxRemoved": 2}`, opts: connector.ReconcileOptions{MaxRemoved: 3}},
		{name: "option tightens spec", spec: `, "threshold": {"maxRemoved": 5}`, opts: connector.ReconcileOptions{MaxRemoved: 2}, wantErr: "more than the limit of 2 (maxRemoved) set by ReconcileOptions.MaxRemoved"},
		{name: "negative option lifts spec", spec: `, "threshold": {"maxRemoved": 1, "maxRemovedPercent": 10}`, opts: connector.ReconcileOptions{MaxRemoved: -1, MaxRemovedPercent: -1}},
		{name: "percent option beside spec count", spec: `, "threshold": {"maxRemoved": 10}`, opts: connector.ReconcileOptions{MaxRemovedPercent: 74}, wantErr: "more than the limit of 74% (maxRemovedPercent) set by ReconcileOptions.MaxRemovedPercent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &directory{users: []string{"1"}}
			opts := tt.opts
			opts.Known = seqOf(known...)
			got, err := changes(connector.ReconcileAccounts(ctx, d.engine(t, tt.spec), opts))
			if tt.wantErr == "" {
				require.NoError(t, err)
				assert.Equal(t, []string{"present 1", "removed 2", "removed 3", "removed 4"}, got)
				return
			}
			require.ErrorIs(t, err, connector.ErrThreshold)
			assert.Contains(t, err.Error(), "would remove 3 of 4 known accounts (75.0%), "+tt.wantErr)
			assert.Equal(t, []string{"present 1"}, got)
		})
	}

	t.Run("entitlement type default", func(t *testing.T) {
		d := &directory{groups: []string{"g1"}, roles: []string{}}
		eng := d.engine(t, "", `, "threshold": {"maxRemoved": 1}`)
		_, err := changes(connector.ReconcileAccess(ctx, eng, connector.ReconcileOptions{Known: seqOf("group/g1", "group/g2", "group/g3", "role/r1", "role/r2")}))
		require.ErrorIs(t, err, connector.ErrThreshold)
		assert.Contains(t, err.Error(), "would remove 2 of 3 known group entitlements")
		assert.Contains(t, err.Error(), "more than the limit of 1 (maxRemoved) set by the spec's import.entitlements.group.threshold;", "the refusal names the type's threshold")
		// roles have no default: the same removals of roles alone pass.
		got, err := changes(connector.ReconcileAccess(ctx, eng, connector.ReconcileOptions{Types: []string{"role"}, Known: seqOf("group/g2", "group/g3", "role/r1", "role/r2")}))
		require.NoError(t, err)
		assert.Equal(t, []string{"removed role/r1", "removed role/r2"}, got)
	})
}

func TestReconcileThresholdSpecErrors(t *testing.T) {
	for _, tt := range []struct{ threshold, path string }{
		{`{"maxRemoved": -1}`, "import.accounts.threshold.maxRemoved"},
		{`{"maxRemovedPercent": 101}`, "import.accounts.threshold.maxRemovedPercent"},
		{`{"maxRemoved": 1.5}`, "import.accounts.threshold.maxRemoved"},
		{`{"max": 1}`, "import.accounts.threshold.max"},
	} {
		spec := `{"name": "x", "connection": {"baseURL": "https://example.com"},
			"import": {"accounts": {"sources": [{"path": "/u"}], "id": "id", "threshold": ` + tt.threshold + `}}}`
		_, err := connector.Parse([]byte(spec))
		var ce *connector.Error
		require.ErrorAs(t, err, &ce, tt.threshold)
		assert.Equal(t, tt.path, ce.Path, tt.threshold)
		assert.ErrorIs(t, err, connector.ErrInvalidSpec)
	}
}
