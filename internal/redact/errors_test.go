package redact

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const apiKey = "k3y+with/odd chars"

// chainTexts returns the text of every error errors.Is and errors.As can
// reach from err, joins included.
func chainTexts(err error) []string {
	if err == nil {
		return nil
	}
	out := []string{err.Error()}
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, chainTexts(e)...)
		}
	case interface{ Unwrap() error }:
		out = append(out, chainTexts(u.Unwrap())...)
	}
	return out
}

// assertClean fails if any level of err's chain shows secret in any form
// String would mask, printed as Error gives it or with %+v and %#v (which
// shows every field, unexported ones included).
func assertClean(t *testing.T, err error, secret string) {
	t.Helper()
	var probe Redactor
	probe.Add(secret)
	for _, text := range chainTexts(err) {
		if probe.String(text) != text {
			t.Errorf("a level of the chain shows the secret: %q", text)
		}
	}
	var walk func(error, int)
	walk = func(err error, depth int) {
		if err == nil || depth > maxErrorDepth+1 {
			return
		}
		for _, text := range []string{fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
			if probe.String(text) != text {
				t.Errorf("a level of the chain, formatted, shows the secret: %s", text)
			}
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, e := range u.Unwrap() {
				walk(e, depth+1)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		}
	}
	walk(err, 0)
}

// echoServer answers every request with a header line that is not a
// header: the request's X-Api-Key, echoed. net/http rejects the response
// with an error quoting the line.
func echoServer(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				req, err := http.ReadRequest(bufio.NewReader(c))
				if err != nil {
					return
				}
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nX-Echo %s\r\nContent-Length: 0\r\n\r\n", req.Header.Get("X-Api-Key"))
			}()
		}
	}()
	return "http://" + l.Addr().String()
}

func TestErrorTransportChainIsMaskedAtEveryLevel(t *testing.T) {
	var r Redactor
	r.Add(apiKey)
	base := echoServer(t)
	req, _ := http.NewRequest("GET", base+"/users?api_key="+url.QueryEscape(apiKey), nil)
	req.Header.Set("X-Api-Key", apiKey)
	_, err := http.DefaultClient.Do(req)
	require.Error(t, err)
	require.Contains(t, strings.Join(chainTexts(err), "\n"), apiKey, "the raw chain shows the key (else the test proves nothing)")

	masked := r.Error(err)
	assertClean(t, masked, apiKey)
	assert.Contains(t, masked.Error(), "malformed MIME header")
	assert.Contains(t, masked.Error(), Mask)
	var ue *url.Error
	require.ErrorAs(t, masked, &ue, "a masked *url.Error is still a *url.Error")
	assert.Equal(t, "Get", ue.Op)
	assert.NotContains(t, ue.URL, "k3y")
}

func TestErrorKeepsSentinels(t *testing.T) {
	var r Redactor
	r.Add(apiKey)
	secretURL := "/users?api_key=" + url.QueryEscape(apiKey)

	t.Run("deadline", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-r.Context().Done()
		}))
		defer srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+secretURL, nil)
		_, err := srv.Client().Do(req)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		masked := r.Error(err)
		assertClean(t, masked, apiKey)
		assert.ErrorIs(t, masked, context.DeadlineExceeded)
		var ue *url.Error
		if assert.ErrorAs(t, masked, &ue) {
			assert.True(t, ue.Timeout(), "Timeout survives")
		}
	})

	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://127.0.0.1:1"+secretURL, nil)
		_, err := http.DefaultClient.Do(req)
		masked := r.Error(err)
		assertClean(t, masked, apiKey)
		assert.ErrorIs(t, masked, context.Canceled)
	})

	t.Run("dial", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		addr := srv.URL
		srv.Close()
		_, err := http.Get(addr + secretURL)
		masked := r.Error(err)
		assertClean(t, masked, apiKey)
		assert.ErrorIs(t, masked, syscall.ECONNREFUSED)
		var op *net.OpError
		if assert.ErrorAs(t, masked, &op, "dial errors hold no secret: the engine's retry policy finds them") {
			assert.Equal(t, "dial", op.Op)
		}
	})

	t.Run("join and wrap", func(t *testing.T) {
		err := fmt.Errorf("reading body for key %s: %w", apiKey, errors.Join(
			fmt.Errorf("conn %q: %w", apiKey, io.ErrUnexpectedEOF),
			os.ErrDeadlineExceeded,
			fmt.Errorf("both %w and %w", net.ErrClosed, fs.ErrNotExist),
		))
		masked := r.Error(err)
		assertClean(t, masked, apiKey)
		for _, target := range []error{io.ErrUnexpectedEOF, os.ErrDeadlineExceeded, net.ErrClosed, fs.ErrNotExist} {
			assert.ErrorIs(t, masked, target)
		}
		assert.NotErrorIs(t, masked, context.Canceled)
		assert.True(t, os.IsTimeout(errors.Unwrap(masked).(interface{ Unwrap() []error }).Unwrap()[1]))
	})

	t.Run("errno", func(t *testing.T) {
		err := &fs.PathError{Op: "open", Path: "/tmp/" + apiKey, Err: syscall.ENOENT}
		masked := r.Error(err)
		assertClean(t, masked, apiKey)
		assert.ErrorIs(t, masked, fs.ErrNotExist, "Errno's Is method still answers")
		var pe *fs.PathError
		if assert.ErrorAs(t, masked, &pe) {
			assert.Equal(t, "/tmp/"+Mask, pe.Path)
		}
	})
}

// leaky is an error type whose fields hold a secret.
type leaky struct{ token string }

func (e *leaky) Error() string { return "refused token " + e.token }
func (e *leaky) Is(target error) bool {
	return target == errLeakyKind
}

var errLeakyKind = errors.New("leaky kind")

func TestErrorAsNeverHandsOutASecret(t *testing.T) {
	var r Redactor
	r.Add(apiKey)
	err := fmt.Errorf("call: %w", &leaky{token: apiKey})
	masked := r.Error(err)
	assertClean(t, masked, apiKey)
	var l *leaky
	assert.False(t, errors.As(masked, &l), "the original holds the secret in a field")
	assert.ErrorIs(t, masked, errLeakyKind, "its Is method still answers")

	// A clean error below a dirty one is handed out.
	inner := &leaky{token: "harmless"}
	masked = r.Error(fmt.Errorf("key %s: %w", apiKey, inner))
	assertClean(t, masked, apiKey)
	if assert.ErrorAs(t, masked, &l) {
		assert.Same(t, inner, l)
	}

	// A wrapper whose own text is clean but that wraps a secret is not
	// handed out either: Unwrap would reach the secret.
	hidden := &wrapper{msg: "request failed", err: errors.New("token " + apiKey)}
	masked = r.Error(hidden)
	assertClean(t, masked, apiKey)
	var w *wrapper
	assert.False(t, errors.As(masked, &w))
	assert.Equal(t, "request failed", masked.Error())
}

type wrapper struct {
	msg string
	err error
}

func (w *wrapper) Error() string { return w.msg }
func (w *wrapper) Unwrap() error { return w.err }

func TestErrorDeepChain(t *testing.T) {
	var r Redactor
	r.Add(apiKey)
	err := fmt.Errorf("bottom %s: %w", apiKey, context.Canceled)
	for i := range 300 {
		err = fmt.Errorf("level %d: %w", i, err)
	}
	masked := r.Error(err)
	assertClean(t, masked, apiKey)
	assert.ErrorIs(t, masked, context.Canceled)
	assert.Len(t, chainTexts(masked), maxErrorDepth+1)
}

func TestErrorMasksCredentialParameters(t *testing.T) {
	var r, none Redactor
	r.Add("unrelated")
	for _, red := range []*Redactor{&r, &none} {
		err := &url.Error{Op: "Get", URL: "https://x.test/Ticket?SessionID=abc123&Limit=5", Err: io.EOF}
		masked := red.Error(err)
		assert.NotContains(t, masked.Error(), "abc123")
		assert.ErrorIs(t, masked, io.EOF)
		var ue *url.Error
		if assert.ErrorAs(t, masked, &ue) {
			assert.Contains(t, ue.URL, "Limit=5")
		}
	}
}

func TestErrorOfCleanChainIsTheSame(t *testing.T) {
	var r Redactor
	r.Add(apiKey)
	err := fmt.Errorf("a: %w", errors.Join(io.EOF, errors.New("b")))
	assert.Same(t, err, r.Error(err))
	var none Redactor
	dirty := errors.New(apiKey)
	assert.Same(t, dirty, none.Error(dirty), "a redactor without secrets changes nothing")
	var nilRedactor *Redactor
	assert.Same(t, dirty, nilRedactor.Error(dirty))
}
