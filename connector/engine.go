package connector

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/redact"
	"golang.org/x/time/rate"
)

// Engine executes a spec. It implements Connector and is safe for
// concurrent use.
type Engine struct {
	spec *Spec
	c    *compiled

	http    *httpx.Client
	log     *slog.Logger
	trace   func(context.Context, Trace)
	limiter *rate.Limiter
	retry   RetryPolicy
	backoff Backoff

	maxAttempts            int
	minBackoff, maxBackoff time.Duration
	maxWait                time.Duration
	maxWaits               int
	timeout                time.Duration

	params  map[string]any
	secrets map[string]binding.Secret
	red     *redact.Redactor
	baseURL string
	creds   map[string]*credential

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// New compiles spec and returns an engine for it. Errors in the spec or in
// the parameters are *Error values wrapping ErrInvalidSpec.
func New(spec *Spec, opts ...Option) (*Engine, error) {
	if spec == nil {
		return nil, specError("", "nil spec")
	}
	c, err := compile(spec)
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	e := &Engine{
		spec:    spec,
		c:       c,
		log:     o.logger,
		trace:   o.trace,
		retry:   o.retry,
		backoff: o.backoff,
		red:     &redact.Redactor{},
		params:  map[string]any{},
		secrets: map[string]binding.Secret{},
		creds:   map[string]*credential{},
		now:     time.Now,
		sleep:   sleepCtx,
	}
	if e.log == nil {
		e.log = slog.New(discardHandler{})
	}
	if e.retry == nil {
		e.retry = DefaultRetryPolicy
	}
	if e.backoff == nil {
		e.backoff = DefaultBackoff
	}
	if err := e.bindParams(o); err != nil {
		return nil, err
	}
	conn := &spec.Connection
	e.timeout = pick(o.timeout, time.Duration(conn.Timeout), DefaultTimeout)
	e.maxAttempts, e.minBackoff, e.maxBackoff, e.maxWait, e.maxWaits = DefaultMaxAttempts, DefaultMinBackoff, DefaultMaxBackoff, DefaultMaxWait, DefaultMaxWaits
	if r := conn.Retry; r != nil {
		e.maxAttempts = pick(r.MaxAttempts, DefaultMaxAttempts)
		e.minBackoff = pick(time.Duration(r.MinBackoff), DefaultMinBackoff)
		e.maxBackoff = pick(time.Duration(r.MaxBackoff), DefaultMaxBackoff)
		e.maxWait = pick(time.Duration(r.MaxWait), DefaultMaxWait)
		e.maxWaits = pick(r.MaxWaits, DefaultMaxWaits)
	}
	if e.maxBackoff < e.minBackoff {
		e.maxBackoff = e.minBackoff
	}
	rps, burst := o.rps, o.burst
	if rps == 0 && conn.RateLimit != nil {
		rps, burst = conn.RateLimit.RequestsPerSecond, conn.RateLimit.Burst
	}
	if rps > 0 {
		e.limiter = rate.NewLimiter(rate.Limit(rps), max(burst, 1))
	}

	data := e.baseVars().Map()
	base, err := c.baseURL.Render(data)
	if err != nil {
		return nil, e.specRenderError(err)
	}
	e.baseURL = strings.TrimRight(base, "/")
	if !strings.HasPrefix(e.baseURL, "http://") && !strings.HasPrefix(e.baseURL, "https://") {
		return nil, specError("connection.baseURL", fmt.Sprintf("renders to %q: want an http:// or https:// URL", e.red.String(e.baseURL)))
	}

	hc := o.httpClient
	if hc == nil && conn.TLS != nil {
		if hc, err = e.tlsClient(conn.TLS, data); err != nil {
			return nil, err
		}
	}
	e.http = httpx.New(hc, pick(o.maxBody, conn.MaxBodyBytes))

	for name, a := range c.auths {
		if !c.usedAuths[name] && name != c.defaultAuth {
			continue // an alternative block the caller did not choose: its secrets need not be given
		}
		cr, err := e.newCredential(a, data)
		if err != nil {
			return nil, err
		}
		e.creds[name] = cr
	}
	return e, nil
}

func pick[T comparable](vals ...T) T {
	var zero T
	for _, v := range vals {
		if v != zero {
			return v
		}
	}
	return zero
}

// bindParams applies declared defaults, checks required params and secrets,
// and registers every secret with the redactor.
func (e *Engine) bindParams(o options) error {
	for name, p := range e.spec.Params {
		if p.Default != nil {
			e.params[name] = binding.Normalize(p.Default)
		}
	}
	for k, v := range o.params {
		if _, isSecret := e.spec.Secrets[k]; isSecret {
			return specError("params."+k, fmt.Sprintf("%q is declared as a secret: pass it with WithSecrets", k))
		}
		e.params[k] = v
	}
	for name, p := range e.spec.Params {
		if v, ok := e.params[name]; p.Required && (!ok || v == nil || v == "") {
			return specError("params."+name, "required parameter missing: pass it with WithParams")
		}
	}
	for k, v := range o.secrets {
		e.secrets[k] = binding.Secret(v)
		e.red.Add(v)
	}
	for name, s := range e.spec.Secrets {
		if s.Required && e.secrets[name] == "" {
			return specError("secrets."+name, "required secret missing: pass it with WithSecrets")
		}
	}
	return nil
}

func (e *Engine) tlsClient(t *TLS, data map[string]any) (*http.Client, error) {
	cfg := &tls.Config{InsecureSkipVerify: t.InsecureSkipVerify, ServerName: t.ServerName, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in by the spec author
	if t.MinVersion == "1.3" {
		cfg.MinVersion = tls.VersionTLS13
	}
	if t.CAPEM != "" {
		pem, err := e.c.tlsCA.Render(data)
		if err != nil {
			return nil, e.specRenderError(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(pem)) {
			return nil, specError("connection.tls.caPEM", "no PEM certificates found")
		}
		cfg.RootCAs = pool
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = cfg
	return &http.Client{Transport: tr}, nil
}

// Spec returns the spec the engine runs. Treat it as read-only.
func (e *Engine) Spec() *Spec { return e.spec }

// baseVars returns the variables common to every template.
func (e *Engine) baseVars() *binding.Vars {
	return &binding.Vars{Params: e.params, Secrets: e.secrets, Now: e.now().UTC()}
}

// discardHandler drops every record (slog.DiscardHandler needs Go 1.24.0+
// and this keeps the engine's logging calls cheap when no logger is set).
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool { return false }

func (discardHandler) Handle(context.Context, slog.Record) error { return nil }

func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler { return d }

func (d discardHandler) WithGroup(string) slog.Handler { return d }
