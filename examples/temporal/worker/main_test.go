package main

import (
	"bufio"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/examples/temporal/flows"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

func TestParseFlags(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseFlags(nil, env(nil), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config{address: "localhost:7233", namespace: "default", taskQueue: "restconn", out: "restconn-records"}, c)

	c, err = parseFlags([]string{"-namespace", "iga", "-out", "/tmp/r"}, env(map[string]string{"TEMPORAL_ADDRESS": "temporal:7233", "TEMPORAL_NAMESPACE": "x"}), io.Discard)
	require.NoError(t, err)
	assert.Equal(t, config{address: "temporal:7233", namespace: "iga", taskQueue: "restconn", out: "/tmp/r"}, c, "flags win over the environment")

	_, err = parseFlags([]string{"extra"}, env(nil), io.Discard)
	assert.ErrorContains(t, err, "unexpected arguments")
	_, err = parseFlags([]string{"-nope"}, env(nil), io.Discard)
	assert.Error(t, err)
}

// The worker's file sink under an import that the target fails on page 4
// and Temporal retries: the file holds every account, each line on disk
// before its page's checkpoint, and the page read again appears twice at
// most.
func TestFileSinkUnderResumedImport(t *testing.T) {
	var srv *oktatest.Server
	var failed atomic.Bool
	var pageFour string
	srv = oktatest.NewServer(oktatest.Empty(), oktatest.WithMiddleware(func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			if r.URL.Path == "/api/v1/users" && q.Get("filter") == "" && q.Get("after") == pageFour && !failed.Load() {
				failed.Store(true)
				srv.FailNext(1, http.StatusInternalServerError)
			}
			h.ServeHTTP(w, r)
		})
	}))
	t.Cleanup(srv.Close)
	srv.SeedUsers(27)
	pageFour = srv.Users()[14].ID // the cursor (after=) of page 4: the last ID of page 3

	dir := t.TempDir()
	sink, err := newFileSink(dir)
	require.NoError(t, err)
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(t.Output(), nil))))
	env := s.NewTestWorkflowEnvironment()
	flows.Register(env, &flows.Activities{
		Connect: flows.Presets(flows.Builtin, func(_, name string) (string, bool) {
			return srv.Token, name == "token"
		}),
		Accounts: sink,
	})
	env.SetStartWorkflowOptions(clientOptions("import/okta 1"))
	env.ExecuteWorkflow(flows.ImportWorkflow, flows.ImportRequest{ImportInput: flows.ImportInput{
		Target: flows.Target{Preset: "okta", Params: map[string]any{"orgURL": srv.URL, "limit": "5"}},
	}})
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	require.True(t, failed.Load())

	f, err := os.Open(filepath.Join(dir, "import_okta_1.accounts.jsonl"))
	require.NoError(t, err)
	defer f.Close()
	lines := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var a connector.Account
		require.NoError(t, json.Unmarshal(sc.Bytes(), &a))
		lines[a.ID]++
	}
	require.NoError(t, sc.Err())
	users := srv.Users()
	assert.Equal(t, len(users), len(lines), "every account")
	for _, u := range users {
		assert.Equal(t, 1, lines[u.ID], "%s: page 4 failed before any line of it was written", u.ID)
	}
}

func clientOptions(id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: flows.TaskQueue}
}
