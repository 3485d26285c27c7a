package main

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The real binary, in real processes: exit codes as a shell sees them, and
// a fake that stops on an interrupt.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build with")
	}
	bin := filepath.Join(t.TempDir(), "restconn")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	build := exec.Command(gobin, "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)

	exe := func(env []string, args ...string) (code int, stdout, stderr string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		var o, e bytes.Buffer
		cmd.Stdout, cmd.Stderr = &o, &e
		err := cmd.Run()
		var ee *exec.ExitError
		switch {
		case err == nil:
		case errors.As(err, &ee):
			code = ee.ExitCode()
		default:
			t.Fatal(err)
		}
		return code, o.String(), e.String()
	}

	code, stdout, _ := exe(nil, "version")
	assert.Equal(t, 0, code)
	assert.True(t, strings.HasPrefix(stdout, "restconn "))

	code, _, stderr := exe(nil, "validate", "testdata/bad-key.json")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "connection.baseUrl")

	code, _, _ = exe(nil, "no-such-command")
	assert.Equal(t, 2, code)

	d := newDirectory(t)
	code, stdout, stderr = exe([]string{"RESTCONN_SECRET_TOKEN=" + d.token}, d.args("import", "accounts")...)
	assert.Equal(t, 0, code, stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(stdout), "\n"), 5)
	assert.Empty(t, stderr, "stderr is not a terminal: no progress line")

	code, _, stderr = exe([]string{"RESTCONN_SECRET_TOKEN=wrong"}, d.args("connect")...)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "HTTP 401: unauthorized")

	known := filepath.Join(t.TempDir(), "known.txt")
	require.NoError(t, os.WriteFile(known, []byte("1\n8\n9\n"), 0o600))
	code, stdout, stderr = exe([]string{"RESTCONN_SECRET_TOKEN=" + d.token}, d.args("reconcile", "accounts", "--known", known, "--max-removed", "1")...)
	assert.Equal(t, 3, code, "refused by a threshold")
	assert.Len(t, strings.Split(strings.TrimSpace(stdout), "\n"), 5, "added and present, no removed")
	assert.Contains(t, stderr, "(maxRemoved)")

	if runtime.GOOS == "windows" {
		return // no interrupt to send
	}
	fake := exec.Command(bin, "fake", "otrs", "--addr", "127.0.0.1:0")
	pipe, err := fake.StdoutPipe()
	require.NoError(t, err)
	var fakeErr bytes.Buffer
	fake.Stderr = &fakeErr
	require.NoError(t, fake.Start())
	t.Cleanup(func() { _ = fake.Process.Kill() }) // in case the test fails early

	var env []string
	var flags []string
	sc := bufio.NewScanner(pipe)
	urlRe := regexp.MustCompile(`^restconn connect (.*)$`)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "export "); ok {
			env = append(env, shellWords(v)...)
		}
		if m := urlRe.FindStringSubmatch(line); m != nil {
			flags = shellWords(m[1])
			break
		}
	}
	require.NotEmpty(t, flags, "the fake printed a connect command")
	go func() { _, _ = bufio.NewReader(pipe).WriteTo(new(bytes.Buffer)) }() // keep draining

	code, stdout, stderr = exe(env, append([]string{"connect"}, flags...)...)
	assert.Equal(t, 0, code, stderr)
	assert.Equal(t, "connected (preset otrs)\n", stdout)

	require.NoError(t, fake.Process.Signal(os.Interrupt))
	done := make(chan error, 1)
	go func() { done <- fake.Wait() }()
	select {
	case err := <-done:
		assert.NoError(t, err, "the fake exits 0 on an interrupt")
	case <-time.After(10 * time.Second):
		t.Fatal("the fake did not stop on an interrupt")
	}
	assert.Equal(t, "fake otrs stopped\n", fakeErr.String())
}
