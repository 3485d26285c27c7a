package connector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

func TestProvisionAll(t *testing.T) {
	var inflight, peak, total atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inflight.Add(1)
		defer inflight.Add(-1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		total.Add(1)
		time.Sleep(5 * time.Millisecond)
		if strings.HasSuffix(r.URL.Path, "/bad") {
			w.WriteHeader(http.StatusConflict)
			fmt.Fprint(w, `{"error":"taken"}`)
			return
		}
		fmt.Fprint(w, `{"id":"x"}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"provision":{"createAccount":{"calls":[{"name":"c","method":"POST","path":"/u/{{ .user.name }}"}]}}}`, srv.URL))
	require.NoError(t, err)

	reqs := func(yield func(connector.Request) bool) {
		for i := range 40 {
			name := fmt.Sprint("u", i)
			if i%10 == 3 {
				name = "bad"
			}
			if !yield(connector.Request{Op: connector.CreateAccount, User: map[string]any{"name": name}}) {
				return
			}
		}
	}
	var ok, failed []int
	for o, err := range connector.ProvisionAll(context.Background(), e, reqs, 6) {
		if err != nil {
			assert.ErrorIs(t, err, connector.ErrConflict)
			assert.Equal(t, "bad", o.Request.User["name"])
			failed = append(failed, o.Index)
		} else {
			ok = append(ok, o.Index)
		}
	}
	slices.Sort(failed)
	assert.Equal(t, []int{3, 13, 23, 33}, failed, "partial failures are visible per request")
	assert.Len(t, ok, 36)
	assert.LessOrEqual(t, peak.Load(), int32(6))
	assert.Greater(t, peak.Load(), int32(1), "requests ran concurrently")

	// Breaking out stops new requests.
	total.Store(0)
	n := 0
	for range connector.ProvisionAll(context.Background(), e, reqs, 2) {
		n++
		if n == 3 {
			break
		}
	}
	assert.LessOrEqual(t, total.Load(), int32(6), "at most the in-flight requests finish after the break")
}

func TestProvisionAllRespectsRateLimit(t *testing.T) {
	var total atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total.Add(1)
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL","rateLimit":{"requestsPerSecond":50,"burst":1}},
		"provision":{"disableAccount":{"calls":[{"method":"PATCH","path":"/u/{{ .account.id }}"}]}}}`, srv.URL))
	require.NoError(t, err)
	reqs := func(yield func(connector.Request) bool) {
		for i := range 20 {
			if !yield(connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": i}}) {
				return
			}
		}
	}
	start := time.Now()
	for _, err := range connector.ProvisionAll(context.Background(), e, reqs, 10) {
		require.NoError(t, err)
	}
	// 20 requests at 50/s with a burst of 1 need at least 19 intervals of 20ms.
	assert.GreaterOrEqual(t, time.Since(start), 350*time.Millisecond)
	assert.EqualValues(t, 20, total.Load())
}

func TestProvisionAllBreakStartsNothingNew(t *testing.T) {
	var total atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		total.Add(1)
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"provision":{"disableAccount":{"calls":[{"method":"PATCH","path":"/u/{{ .account.id }}"}]}}}`, srv.URL))
	require.NoError(t, err)
	many := func(yield func(connector.Request) bool) {
		for i := range 100 {
			if !yield(connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": i}}) {
				return
			}
		}
	}
	for range 50 {
		total.Store(0)
		for range connector.ProvisionAll(context.Background(), e, many, 1) {
			time.Sleep(time.Millisecond) // give a worker every chance to start another request
			break
		}
		require.EqualValues(t, 1, total.Load(), "one worker, one outcome, one request")
	}

	// A source that blocks does not keep the loop from returning.
	ch := make(chan connector.Request, 1)
	ch <- connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": 1}}
	blocking := func(yield func(connector.Request) bool) {
		for r := range ch {
			if !yield(r) {
				return
			}
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range connector.ProvisionAll(context.Background(), e, blocking, 2) {
			break
		}
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Second):
		t.Fatal("ProvisionAll did not return after break with a blocking source")
	}
	close(ch)
}
