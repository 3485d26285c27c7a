package connector

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/internal/httpx"
	"github.com/restconn/restconn/internal/pace"
	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/internal/redact"
	"github.com/restconn/restconn/internal/vars"
	"github.com/restconn/restconn/template"
)

// Engine executes a spec. It implements Connector and is safe for
// concurrent use.
type Engine struct {
	spec *Spec     // a copy of the spec New was given, never handed out
	c    *compiled // the plan every method reads

	http    *httpx.Client
	limiter *rate.Limiter // nil: no client-side rate limit
	pacer   *pace.Pacer   // holds requests while the server says its limit is spent
	importK int           // WithImportConcurrency; 0: each list call's own
	retry   retrySettings
	timeout time.Duration // per attempt, unless the call sets its own

	log    *slog.Logger
	trace  func(context.Context, Trace)
	red    *redact.Redactor // knows every secret the engine has seen
	fields *redact.Fields   // connection.mask and WithMask; nil: none

	limits    template.Limits // of every rendering of a template or body
	maxList   int             // elements of any one list in a response
	maxDecode int64           // memory to decode one response; 0: a few times its size

	baseURL string
	params  map[string]any
	secrets map[string]binding.Secret
	creds   map[string]*credential // by auth block name

	now   func() time.Time
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns an engine for a copy of spec: changing spec afterwards does
// not change the engine. New compiles the copy once, reusing every template
// Parse compiled that is unchanged (a Spec built in Go has all its
// templates compiled here). Errors in the spec or in the parameters are
// *Error values wrapping ErrInvalidSpec.
func New(spec *Spec, opts ...Option) (*Engine, error) {
	if spec == nil {
		return nil, specError("", "nil spec")
	}
	spec = spec.Clone()
	c, err := compile(spec)
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	conn := &spec.Connection
	e := &Engine{
		spec:    spec,
		c:       c,
		retry:   newRetrySettings(conn.Retry, o),
		timeout: cmp.Or(o.timeout, time.Duration(conn.Timeout), DefaultTimeout),
		log:     cmp.Or(o.logger, slog.New(slog.DiscardHandler)),
		trace:   o.trace,
		red:     &redact.Redactor{},
		limits: template.Limits{
			MaxOutput: positive(o.renderBytes, conn.MaxRenderBytes),
			MaxSteps:  positive(o.renderSteps, conn.MaxRenderSteps),
		},
		maxList:   int(positive(int64(o.maxList), int64(conn.MaxListLength), DefaultMaxListLength)),
		maxDecode: positive(o.maxDecode, conn.MaxDecodeBytes),
		params:    map[string]any{},
		secrets:   map[string]binding.Secret{},
		creds:     map[string]*credential{},
		now:       time.Now,
		sleep:     sleepCtx,
	}
	if names := append(slices.Clone(conn.Mask), o.mask...); len(names) > 0 {
		e.fields = redact.NewFields(names...)
	}
	if err := e.bindParams(o); err != nil {
		return nil, err
	}
	rps, burst := o.rps, o.burst
	if rps == 0 && conn.RateLimit != nil {
		rps, burst = conn.RateLimit.RequestsPerSecond, conn.RateLimit.Burst
	}
	if rps > 0 {
		e.limiter = rate.NewLimiter(rate.Limit(rps), max(burst, 1))
	}
	// The pacer reads the rate-limit headers the spec names
	// (connection.retry), or the common defaults.
	e.pacer = pace.New(e.retry.headers, e.retry.maxWait)
	e.importK = max(o.importK, 0)
	if err := e.connect(conn, o); err != nil {
		return nil, err
	}
	return e, nil
}

// connect renders the connection's templates: the base URL, the TLS
// settings and the credentials of every auth block some call uses.
func (e *Engine) connect(conn *Connection, o options) error {
	ctx := e.opCtx(context.Background())
	data := e.baseVars().Map()
	base, err := e.c.baseURL.RenderContext(ctx, data)
	if err != nil {
		return e.specRenderError(err)
	}
	e.baseURL = strings.TrimRight(base, "/")
	if !strings.HasPrefix(e.baseURL, "http://") && !strings.HasPrefix(e.baseURL, "https://") {
		return specError("connection.baseURL", fmt.Sprintf("renders to %q: want an http:// or https:// URL", e.red.String(e.baseURL)))
	}
	httpOpts := []httpx.Option{httpx.WithIdleConnsPerHost(o.idlePerHost)}
	if o.httpClient == nil && conn.TLS != nil {
		cfg, err := e.tlsConfig(ctx, conn.TLS, data)
		if err != nil {
			return err
		}
		httpOpts = append(httpOpts, httpx.WithTLSConfig(cfg))
	}
	e.http = httpx.New(o.httpClient, cmp.Or(o.maxBody, conn.MaxBodyBytes), httpOpts...)
	for _, name := range slices.Sorted(maps.Keys(e.c.auths)) {
		if !e.c.usedAuths[name] && name != e.c.defaultAuth {
			continue // an alternative block the caller did not choose: its secrets need not be given
		}
		cr, err := e.newCredential(ctx, e.c.auths[name], data)
		if err != nil {
			return err
		}
		e.creds[name] = cr
	}
	return nil
}

// bindParams applies declared defaults, checks required params and secrets,
// and registers every secret with the redactor. Names are visited in sorted
// order, so the same mistake always gives the same error.
func (e *Engine) bindParams(o options) error {
	params := slices.Sorted(maps.Keys(e.spec.Params))
	for _, name := range params {
		if p := e.spec.Params[name]; p.Default != nil {
			e.params[name] = record.Normalize(p.Default)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(o.params)) {
		if _, isSecret := e.spec.Secrets[k]; isSecret {
			return specError("params."+k, fmt.Sprintf("%q is declared as a secret: pass it with WithSecrets", k))
		}
		e.params[k] = o.params[k]
	}
	for _, name := range params {
		if v, ok := e.params[name]; e.spec.Params[name].Required && (!ok || v == nil || v == "") {
			return specError("params."+name, "required parameter missing: pass it with WithParams")
		}
	}
	for k, v := range o.secrets {
		e.secrets[k] = binding.Secret(v)
		e.red.Add(v)
	}
	for _, name := range slices.Sorted(maps.Keys(e.spec.Secrets)) {
		if e.spec.Secrets[name].Required && e.secrets[name] == "" {
			return specError("secrets."+name, "required secret missing: pass it with WithSecrets")
		}
	}
	return nil
}

// tlsConfig renders the spec's connection.tls into the configuration of
// the transport httpx builds (with its pool of idle connections).
func (e *Engine) tlsConfig(ctx context.Context, t *TLS, data map[string]any) (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: t.InsecureSkipVerify, ServerName: t.ServerName, MinVersion: tls.VersionTLS12} //nolint:gosec // opt-in by the spec author
	if t.MinVersion == "1.3" {
		cfg.MinVersion = tls.VersionTLS13
	}
	if t.CAPEM != "" {
		pem, err := e.c.tlsCA.RenderContext(ctx, data)
		if err != nil {
			return nil, e.specRenderError(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(pem)) {
			return nil, specError("connection.tls.caPEM", "no PEM certificates found")
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// opCtx returns ctx with the engine's template limits, for the renderings
// of one operation.
func (e *Engine) opCtx(ctx context.Context) context.Context {
	return template.WithLimits(ctx, e.limits)
}

// positive returns the first of vals that is more than 0, or 0.
func positive(vals ...int64) int64 {
	for _, v := range vals {
		if v > 0 {
			return v
		}
	}
	return 0
}

// Spec returns a copy of the spec the engine runs; changing it does not
// change the engine.
func (e *Engine) Spec() *Spec { return e.spec.Clone() }

// baseVars returns the variables common to every template.
func (e *Engine) baseVars() *vars.Vars {
	return &vars.Vars{Params: e.params, Secrets: e.secrets, Now: e.now().UTC()}
}
