package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// result is what one run of the command produced.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command in-process, as main would, with captured streams
// and a made-up environment.
type cli struct {
	t        *testing.T
	env      map[string]string
	stdin    string
	terminal bool // pretend stderr is a terminal
	now      time.Time
}

func newCLI(t *testing.T, env map[string]string) *cli {
	return &cli{t: t, env: env}
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out, errb bytes.Buffer
	a := c.app(&out, &errb)
	code := a.run(ctx, args)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

func (c *cli) app(stdout, stderr io.Writer) *app {
	now := time.Now
	if !c.now.IsZero() {
		now = func() time.Time { return c.now }
	}
	return &app{
		stdin: strings.NewReader(c.stdin), stdout: stdout, stderr: stderr,
		getenv:     func(k string) string { return c.env[k] },
		isTerminal: func(io.Writer) bool { return c.terminal },
		now:        now,
	}
}

// runCLI runs the command once with env.
func runCLI(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return newCLI(t, env).run(args...)
}

// ok asserts a zero exit and returns stdout.
func (r result) ok(t *testing.T) string {
	t.Helper()
	require.Equal(t, 0, r.code, "exit code; stderr:\n%s", r.stderr)
	return r.stdout
}

// fake is a preset's fake started the way "restconn fake" starts it, with
// the flags and environment the command prints for it.
type fake struct {
	*runningFake
	flags []string
	env   map[string]string
}

func startFake(t *testing.T, name string) *fake {
	t.Helper()
	b, ok := builtinByName(name)
	require.True(t, ok)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return fakeOf(t, name, b.fake(fakeListeners{api: l}))
}

// fakeOf wraps a running fake of preset name; the test ends it.
func fakeOf(t *testing.T, name string, rf *runningFake) *fake {
	f := &fake{runningFake: rf, env: map[string]string{}}
	t.Cleanup(f.close)
	f.flags = []string{"--preset", name}
	for _, p := range f.params {
		f.flags = append(f.flags, "--param", p[0]+"="+p[1])
	}
	for _, s := range f.secrets {
		f.env[secretEnv(s[0])] = s[1]
	}
	return f
}

// args returns the command line args followed by the fake's flags.
func (f *fake) args(args ...string) []string { return append(args, f.flags...) }

// jsonLines decodes every line of out into a T and checks that the T
// marshals back to the very same line: the public type holds every key and
// value the command printed.
func jsonLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var recs []T
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var v T
		require.NoError(t, json.Unmarshal(sc.Bytes(), &v), "line %q", sc.Text())
		assert.Equal(t, sc.Text(), marshalLine(t, v))
		recs = append(recs, v)
	}
	require.NoError(t, sc.Err())
	return recs
}

// marshalLine is v as the command prints it in JSON lines.
func marshalLine(t *testing.T, v any) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	require.NoError(t, enc.Encode(v))
	return strings.TrimSuffix(b.String(), "\n")
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create %s", path)
	assert.Equal(t, string(want), got, "golden file %s (go test -update rewrites it)", path)
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader in two
// goroutines (a running fake's stdout).
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}
