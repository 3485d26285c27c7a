package flows_test

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/examples/temporal/flows"
	"github.com/restconn/restconn/providers/genesys/genesystest"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

// newEnv is a workflow test environment with flows registered, logging
// to the test's output.
func newEnv(t *testing.T, acts *flows.Activities) *testsuite.TestWorkflowEnvironment {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo}))))
	env := s.NewTestWorkflowEnvironment()
	flows.Register(env, acts)
	return env
}

// secrets is a secret lookup over a map, as a worker's vault would be,
// for any credentials set.
func secrets(m map[string]string) flows.SecretFunc {
	return func(_, name string) (string, bool) { v, ok := m[name]; return v, ok }
}

// sink keeps what it is given by ID, counts the puts of each ID and can
// fail one put, once, as a database that is briefly unreachable.
type sink struct {
	mu       sync.Mutex
	accounts map[string]connector.Account
	ents     map[string]connector.Entitlement // by type/id, members merged
	puts     map[string]int
	n        int // puts tried
	failAt   int // the put (1-based) that fails, once; 0: none
	flushes  int
}

func newSink() *sink {
	return &sink{accounts: map[string]connector.Account{}, ents: map[string]connector.Entitlement{}, puts: map[string]int{}}
}

var errUnreachable = errors.New("database unreachable")

func (s *sink) PutAccount(_ context.Context, a connector.Account) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.n == s.failAt {
		return errUnreachable
	}
	s.accounts[a.ID] = a // upsert
	s.puts[a.ID]++
	return nil
}

func (s *sink) PutEntitlement(_ context.Context, e connector.Entitlement) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.n++
	if s.n == s.failAt {
		return errUnreachable
	}
	// Upsert by type and ID, adding the chunk's members to those held:
	// chunks of one entitlement come one after another, and a chunk of the
	// page a retry resumes at may come twice.
	key := e.Type + "/" + e.ID
	if held, ok := s.ents[key]; ok {
		for _, m := range e.Members {
			if !slices.Contains(held.Members, m) {
				held.Members = append(held.Members, m)
			}
		}
		e.Members = held.Members
	}
	s.ents[key] = e
	s.puts[key]++
	return nil
}

func (s *sink) Flush(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.flushes++
	return nil
}

// The import activity fails after page 3 (the target answers page 4 with
// a 500 that the engine does not retry, or the sink fails in page 4);
// Temporal retries it, and the retry resumes at page 4 from the last
// heartbeat: every account arrives, pages 1 to 3 are fetched once, and
// only records of page 4 may arrive twice.
func TestImportResumesAfterFailure(t *testing.T) {
	t.Run("okta: the server fails page 4", func(t *testing.T) {
		var srv *oktatest.Server
		var failed atomic.Bool
		var pageFour string // the cursor (after=) of page 4
		srv = oktatest.NewServer(oktatest.Empty(), oktatest.WithMiddleware(func(h http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				if r.URL.Path == "/api/v1/users" && q.Get("filter") == "" && q.Get("after") == pageFour && !failed.Load() {
					failed.Store(true) // link paging: one page request at a time
					srv.FailNext(1, http.StatusInternalServerError)
				}
				h.ServeHTTP(w, r)
			})
		}))
		t.Cleanup(srv.Close)
		ids := srv.SeedUsers(23)
		for _, id := range ids[21:] {
			require.NoError(t, srv.SetStatus(id, oktatest.StatusDeprovisioned)) // the second source
		}
		active := activeIDs(srv)
		require.Equal(t, 22, len(active), "21 seeded and the token's admin: five pages of the first source")
		pageFour = active[14] // Okta's after= is the last ID of the page before

		sk := newSink()
		env := newEnv(t, &flows.Activities{
			Connect:  flows.Presets(flows.Builtin, secrets(map[string]string{"token": srv.Token})),
			Accounts: sk,
		})
		env.ExecuteWorkflow(flows.ImportWorkflow, flows.ImportRequest{ImportInput: flows.ImportInput{
			Target: flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL, "limit": "5"}},
		}})
		res := importResult(t, env)
		require.True(t, failed.Load())

		users := srv.Users()
		assert.Equal(t, len(users), res.Records)
		assert.Equal(t, int32(2), res.Attempt)
		assert.Equal(t, 15, res.ResumedAt, "three pages of five were put before the failure")
		assert.ElementsMatch(t, userIDs(users), slices.Collect(maps.Keys(sk.accounts)), "every account, once each in the sink")
		for id, n := range sk.puts {
			assert.Equal(t, 1, n, "%s: page 4 failed before any of its records was put", id)
		}

		var afters []string
		for _, r := range srv.Requests() {
			if r.Path == "/api/v1/users" && r.Query().Get("filter") == "" {
				afters = append(afters, r.Query().Get("after"))
			}
		}
		assert.Equal(t, []string{"", active[4], active[9], pageFour, pageFour, active[19]}, afters,
			"pages 1-3 once; page 4 failed and was fetched again by the retry; then page 5")
	})

	t.Run("genesys: the sink fails in page 4", func(t *testing.T) {
		srv := genesystest.NewServer()
		t.Cleanup(srv.Close)
		srv.SeedUsers(140, 10) // 126 active (and 2 seeded): six pages of 25; 15 inactive: one page of the second source
		sk := newSink()
		sk.failAt = 3*25 + 2 // the second record of page 4: its first is put twice
		env := newEnv(t, &flows.Activities{
			Connect:  flows.Presets(flows.Builtin, secrets(map[string]string{"clientSecret": srv.ClientSecret})),
			Accounts: sk,
		})
		env.ExecuteWorkflow(flows.ImportWorkflow, flows.ImportRequest{ImportInput: flows.ImportInput{
			Target: flows.Target{Preset: "genesys", Params: map[string]any{"apiBaseURL": srv.APIURL, "loginBaseURL": srv.LoginURL, "clientID": srv.ClientID}},
		}})
		res := importResult(t, env)

		users := srv.Users()
		require.Equal(t, 128, len(activeGenesys(users)))
		assert.Equal(t, len(users), res.Records, "the record of page 4 put twice counts once")
		assert.Equal(t, int32(2), res.Attempt)
		assert.Equal(t, 75, res.ResumedAt)
		assert.ElementsMatch(t, genesysIDs(users), slices.Collect(maps.Keys(sk.accounts)))
		var twice []string
		for id, n := range sk.puts {
			if n > 1 {
				twice = append(twice, id)
			}
		}
		firstOfPageFour := activeGenesys(users)[75]
		assert.Equal(t, []string{firstOfPageFour}, twice, "only the record of page 4 put before the failure comes again")
		assert.Equal(t, 2, sk.puts[firstOfPageFour])
		assert.Equal(t, res.Pages+1, sk.flushes, "a flush before every checkpoint, and one at the end")

		starts := map[int]int{}
		for _, r := range srv.Requests() {
			q, _ := url.ParseQuery(r.RawQuery)
			if r.Host == "api" && r.Method == "GET" && q.Get("filter") == "" && q.Get("count") != "0" {
				n, _ := strconv.Atoi(q.Get("startIndex"))
				starts[n]++
			}
		}
		for _, start := range []int{1, 26, 51} {
			assert.Equal(t, 1, starts[start], "page at startIndex %d (pages 1-3) fetched once", start)
		}
		assert.GreaterOrEqual(t, starts[76], 1, "page 4 fetched by the retry")
	})
}

// A sink that cannot flush fails the attempt before the checkpoint: the
// retry starts from the checkpoint before, so nothing the sink lost is
// skipped.
func TestImportFlushFailureKeepsCheckpoint(t *testing.T) {
	srv := oktatest.NewServer(oktatest.Empty())
	t.Cleanup(srv.Close)
	srv.SeedUsers(19) // and the admin: four pages of five
	sk := &flakyFlush{sink: newSink(), failOn: 3}
	env := newEnv(t, &flows.Activities{
		Connect:  flows.Presets(flows.Builtin, secrets(map[string]string{"token": srv.Token})),
		Accounts: sk,
	})
	env.ExecuteWorkflow(flows.ImportWorkflow, flows.ImportRequest{ImportInput: flows.ImportInput{
		Target: flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL, "limit": "5"}},
	}})
	res := importResult(t, env)
	assert.Equal(t, int32(2), res.Attempt)
	assert.Equal(t, 10, res.ResumedAt, "the third checkpoint failed: the retry resumes after page 2")
	assert.Equal(t, 20, res.Records)
	assert.Equal(t, 20, len(sk.accounts))
	var twice int
	for _, n := range sk.puts {
		if n > 1 {
			twice++
		}
	}
	assert.Equal(t, 5, twice, "page 3 was put again: its flush had failed")
}

// flakyFlush fails its failOn-th Flush, once.
type flakyFlush struct {
	*sink
	failOn int
}

func (f *flakyFlush) Flush(ctx context.Context) error {
	if err := f.sink.Flush(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.flushes == f.failOn {
		return errUnreachable
	}
	return nil
}

// ImportAccess runs the same way; entitlements whose members come in
// chunks merge by type and ID.
func TestImportAccess(t *testing.T) {
	srv := oktatest.NewServer(oktatest.Empty())
	t.Cleanup(srv.Close)
	users := srv.SeedUsers(12)
	g := srv.AddGroup(oktatest.Group{Name: "Engineering"})
	srv.AddMembers(g.ID, users...)
	sk := newSink()
	sk.failAt = 2 // the second put: an entitlement of the first page
	env := newEnv(t, &flows.Activities{
		Connect: flows.Presets(flows.Builtin, secrets(map[string]string{"token": srv.Token})),
		Access:  sk,
	})
	env.ExecuteWorkflow(flows.ImportWorkflow, flows.ImportRequest{Kind: flows.Access, ImportInput: flows.ImportInput{
		Target: flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL, "limit": "5"}},
	}})
	res := importResult(t, env)
	assert.Equal(t, int32(2), res.Attempt)
	var got []string
	for _, e := range sk.ents {
		got = append(got, e.ID)
		if e.ID == g.ID {
			assert.ElementsMatch(t, users, e.Members, "the members of every chunk, once each")
		}
	}
	var want []string
	for _, grp := range srv.Groups() {
		want = append(want, grp.ID)
	}
	assert.ElementsMatch(t, want, got)
}

// Errors no retry cures fail the workflow at once, with a type the
// caller can test.
func TestImportPermanentErrors(t *testing.T) {
	srv := oktatest.NewServer()
	t.Cleanup(srv.Close)
	for _, tt := range []struct {
		name    string
		target  flows.Target
		token   string
		kind    string
		errType string
	}{
		{"unknown preset", flows.Target{Preset: "nope"}, srv.Token, "", flows.ErrTypeInvalidSpec},
		{"missing param", flows.Target{Preset: "okta"}, srv.Token, "", flows.ErrTypeInvalidSpec},
		{"refused token", flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL}}, "00wrong", "", flows.ErrTypeAuth},
		{"unknown kind", flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL}}, srv.Token, "groups", flows.ErrTypeUnsupported},
		{"no import in the spec", flows.Target{Preset: "otrs", Params: map[string]any{"baseURL": srv.URL, "userLogin": "agent"}}, srv.Token, "", flows.ErrTypeUnsupported},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests())
			env := newEnv(t, &flows.Activities{
				Connect:  flows.Presets(flows.Builtin, secrets(map[string]string{"token": tt.token, "password": "pw"})),
				Accounts: newSink(),
			})
			env.ExecuteWorkflow(flows.ImportWorkflow, flows.ImportRequest{Kind: tt.kind, ImportInput: flows.ImportInput{Target: tt.target}})
			require.True(t, env.IsWorkflowCompleted())
			err := env.GetWorkflowError()
			var appErr *temporal.ApplicationError
			require.ErrorAs(t, err, &appErr)
			assert.Equal(t, tt.errType, appErr.Type(), "%v", err)
			assert.True(t, appErr.NonRetryable())
			assert.NotContains(t, err.Error(), srv.Token)
			assert.LessOrEqual(t, len(srv.Requests())-before, 1, "one attempt, not a retry per policy")
		})
	}
}

func importResult(t *testing.T, env *testsuite.TestWorkflowEnvironment) flows.ImportResult {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var res flows.ImportResult
	require.NoError(t, env.GetWorkflowResult(&res))
	return res
}

// activeIDs lists the users of the first source (all but DEPROVISIONED),
// in the fake's order.
func activeIDs(srv *oktatest.Server) []string {
	var ids []string
	for _, u := range srv.Users() {
		if u.Status != oktatest.StatusDeprovisioned {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

func userIDs(users []oktatest.User) []string {
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids
}

func genesysIDs(users []genesystest.User) []string {
	var ids []string
	for _, u := range users {
		ids = append(ids, u.ID)
	}
	return ids
}

func activeGenesys(users []genesystest.User) []string {
	var ids []string
	for _, u := range users {
		if u.Active {
			ids = append(ids, u.ID)
		}
	}
	return ids
}

// A retry on a worker whose spec changed since the checkpoint (a newer
// preset, say) cannot resume from the token: it imports from the start,
// which loses nothing, instead of failing for good.
func TestImportStartsOverWhenTheSpecChanged(t *testing.T) {
	srv := oktatest.NewServer(oktatest.Empty())
	t.Cleanup(srv.Close)
	srv.SeedUsers(19) // and the admin: four pages of five
	sk := newSink()
	sk.failAt = 16 // the first record of page 4
	connect := func(ctx context.Context, tg flows.Target) (connector.Connector, error) {
		spec := flows.Builtin["okta"]()
		if activity.GetInfo(ctx).Attempt > 1 {
			spec.Import.Accounts.Attributes["email2"] = spec.Import.Accounts.Attributes["email"] // the new version
		}
		return connector.New(spec, connector.WithParams(tg.Params), connector.WithSecrets(map[string]string{"token": srv.Token}))
	}
	env := newEnv(t, &flows.Activities{Connect: connect, Accounts: sk})
	env.ExecuteWorkflow(flows.ImportWorkflow, flows.ImportRequest{ImportInput: flows.ImportInput{
		Target: flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL, "limit": "5"}},
	}})
	res := importResult(t, env)
	assert.Equal(t, int32(2), res.Attempt)
	assert.Zero(t, res.ResumedAt, "from the start")
	assert.Equal(t, 20, res.Records)
	assert.Equal(t, 20, len(sk.accounts))
	for id, n := range sk.puts {
		if n != 1 && n != 2 {
			t.Errorf("%s put %d times", id, n)
		}
	}
	assert.Contains(t, sk.accounts[srv.Users()[0].ID].Attributes, "email2", "the new version's records replaced the old ones")
}
