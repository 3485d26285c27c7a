package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/internal/record"
)

// secretEnvPrefix starts the environment variable of each secret.
const secretEnvPrefix = "RESTCONN_SECRET_"

// secretEnv is the environment variable that holds secret name.
func secretEnv(name string) string { return secretEnvPrefix + strings.ToUpper(name) }

// specFlags choose a spec and give it values: --spec or --preset, --param,
// --secrets-file and --auth. Every command that reads a spec has them.
type specFlags struct {
	a           *app
	specFile    string
	preset      string
	params      []string
	secretsFile string
	auth        string
}

func (a *app) addSpecFlags(cmd *cobra.Command) *specFlags {
	s := &specFlags{a: a}
	f := cmd.Flags()
	f.StringVar(&s.specFile, "spec", "", "the connector spec `FILE` (JSON)")
	f.StringVar(&s.preset, "preset", "", "a built-in preset `NAME` instead of --spec (see 'restconn presets')")
	f.StringArrayVar(&s.params, "param", nil, "a spec param as `name=value` (repeatable); a param whose default is a boolean or a number takes JSON: true, false, 50")
	f.StringVar(&s.secretsFile, "secrets-file", "", "read secrets from `FILE`, a JSON object of secret names to values (overrides "+secretEnvPrefix+"<NAME>)")
	f.StringVar(&s.auth, "auth", "", "use the spec's auth block `NAME` as the default (connection.defaultAuth)")
	cmd.MarkFlagsMutuallyExclusive("spec", "preset")
	_ = cmd.MarkFlagFilename("spec", "json")
	_ = cmd.MarkFlagFilename("secrets-file", "json")
	_ = cmd.RegisterFlagCompletionFunc("preset", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return builtinNames(), cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("param", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		spec, _, err := s.load()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []string
		for _, name := range slices.Sorted(maps.Keys(spec.Params)) {
			out = append(out, name+"=\t"+spec.Params[name].Description)
		}
		return out, cobra.ShellCompDirectiveNoSpace | cobra.ShellCompDirectiveNoFileComp
	})
	_ = cmd.RegisterFlagCompletionFunc("auth", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		spec, _, err := s.load()
		if err != nil || spec.Connection.Auth == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return slices.Sorted(maps.Keys(spec.Connection.Auth)), cobra.ShellCompDirectiveNoFileComp
	})
	return s
}

// load reads the spec named by --spec or --preset and applies --auth. The
// label names the spec in messages ("myapp.json", "preset intercom").
func (s *specFlags) load() (spec *connector.Spec, label string, err error) {
	switch {
	case s.preset != "":
		b, ok := builtinByName(s.preset)
		if !ok {
			return nil, "", usageErrorf("unknown preset %q (have %s)", s.preset, strings.Join(builtinNames(), ", "))
		}
		spec, label = b.spec(), "preset "+b.name
	case s.specFile != "":
		spec, err = parseSpecFile(s.specFile)
		if err != nil {
			return nil, "", err
		}
		label = s.specFile
	default:
		return nil, "", usageErrorf("give the spec: --spec FILE or --preset NAME")
	}
	if s.auth != "" {
		if _, ok := spec.Connection.Auth[s.auth]; !ok && s.auth != "none" {
			return nil, "", usageErrorf("--auth %s: %s has no auth block %q (have %s)", s.auth, label, s.auth, strings.Join(slices.Sorted(maps.Keys(spec.Connection.Auth)), ", "))
		}
		spec.Connection.DefaultAuth = s.auth
	}
	return spec, label, nil
}

// parseSpecFile reads and parses a spec. Its errors are exit 2 and name the
// file and each offending JSON path.
func parseSpecFile(path string) (*connector.Spec, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, badInput(err)
	}
	spec, err := connector.Parse(data)
	if err != nil {
		// Parse stops at the first error; show the author every one.
		if diags := connector.Diagnose(data); len(diags) > 1 {
			errs := make([]error, len(diags))
			for i, d := range diags {
				errs[i] = d
			}
			err = errors.Join(errs...)
		}
		return nil, badInput(specErrors(path, err))
	}
	return spec, nil
}

// specErrors formats the spec errors in err as "FILE: PATH: message", one
// per line; a joined error gives a line for each error it holds.
func specErrors(label string, err error) error {
	var errs []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	} else {
		errs = []error{err}
	}
	var lines []string
	for _, e := range errs {
		var ce *connector.Error
		switch {
		case errors.As(e, &ce) && ce.Path != "":
			lines = append(lines, fmt.Sprintf("%s: invalid spec: %s: %s%s", label, ce.Path, ce.Message, missingValueHint(ce.Message)))
		case errors.As(e, &ce):
			lines = append(lines, fmt.Sprintf("%s: invalid spec: %s", label, ce.Message))
		default:
			lines = append(lines, fmt.Sprintf("%s: %v", label, e))
		}
	}
	return &reworded{msg: strings.Join(lines, "\n"), err: err}
}

// missingValue finds the param or secret a template missed in the
// message of a render error ("missing key "x" in .secrets.x").
var missingValue = regexp.MustCompile(`missing key "[^"]*" in \.(params|secrets)\.([A-Za-z0-9_]+)$`)

// missingValueHint says how to give the value a message reports missing,
// in the command's terms: a template of the connection (an auth block
// other than the one a command meant, a base URL) may need a param or
// secret the spec declares optional.
func missingValueHint(msg string) string {
	m := missingValue.FindStringSubmatch(msg)
	switch {
	case m == nil:
		return ""
	case m[1] == "secrets":
		return fmt.Sprintf(": set %s or give it in --secrets-file", secretEnv(m[2]))
	default:
		return fmt.Sprintf(": give --param %s=VALUE", m[2])
	}
}

// reworded keeps the library's error for errors.Is and As beneath a
// message in the command's terms (the file, the flag).
type reworded struct {
	msg string
	err error
}

func (e *reworded) Error() string { return e.msg }
func (e *reworded) Unwrap() error { return e.err }

// reword puts err's message in format's %s, without the library's
// "restconn: " prefix, which run adds once.
func reword(err error, format string) error {
	return &reworded{msg: fmt.Sprintf(format, strings.TrimPrefix(err.Error(), "restconn: ")), err: err}
}

// values gathers the spec's params (declared defaults are the engine's
// business) and secrets from the command line, the environment and the
// secrets file. Names the spec does not declare are errors, so that a typo
// does not fall back to a default silently.
func (s *specFlags) values(spec *connector.Spec, label string) (params map[string]any, secrets map[string]string, err error) {
	params = map[string]any{}
	for _, p := range s.params {
		name, value, ok := strings.Cut(p, "=")
		if !ok || name == "" {
			return nil, nil, usageErrorf("--param %q: want name=value", p)
		}
		if _, isSecret := spec.Secrets[name]; isSecret {
			return nil, nil, usageErrorf("--param %s: %q is a secret: set %s or use --secrets-file (flags are visible to other users of the machine)", name, name, secretEnv(name))
		}
		ps, ok := spec.Params[name]
		if !ok {
			return nil, nil, usageErrorf("--param %s: %s declares no param %q%s", name, label, name, declared(slices.Collect(maps.Keys(spec.Params))))
		}
		v, err := paramValue(name, value, ps.Default)
		if err != nil {
			return nil, nil, err
		}
		params[name] = v
	}

	secrets = map[string]string{}
	envs := map[string]string{}
	for name := range spec.Secrets {
		env := secretEnv(name)
		if other, dup := envs[env]; dup {
			return nil, nil, badInput(fmt.Errorf("%s: secrets %q and %q both read %s: rename one", label, other, name, env))
		}
		envs[env] = name
		if v := s.a.getenv(env); v != "" {
			secrets[name] = v
		}
	}
	if s.secretsFile != "" {
		fromFile, err := readSecretsFile(s.secretsFile, spec, label)
		if err != nil {
			return nil, nil, err
		}
		maps.Copy(secrets, fromFile)
	}
	return params, secrets, nil
}

// paramValue is the value of --param name=value. A flag's value is text,
// but a param whose declared default is a boolean, a number, a list or an
// object is read as JSON of that kind, as if the spec had given it: the
// text "false" would be true in a template's if.
func paramValue(name, value string, def any) (any, error) {
	var want string
	var kindOK func(any) bool
	switch def.(type) {
	case bool:
		want, kindOK = "true or false", is[bool]
	case json.Number, float64, int64, int:
		want, kindOK = "a number", is[json.Number]
	case []any:
		want, kindOK = "a JSON list", is[[]any]
	case map[string]any:
		want, kindOK = "a JSON object", is[map[string]any]
	default: // text, or no default
		return value, nil
	}
	dec := json.NewDecoder(strings.NewReader(value))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil || dec.More() || !kindOK(v) {
		d, _ := json.Marshal(def)
		return nil, usageErrorf("--param %s=%s: want %s (its default is %s)", name, value, want, d)
	}
	return record.Normalize(v), nil
}

// is reports whether v holds a T.
func is[T any](v any) bool {
	_, ok := v.(T)
	return ok
}

// standIn replaces the secrets an offline engine is not given.
const standIn = "restconn-stand-in-secret"

// offline builds an engine that sends nothing (validate, plan) from the
// command line's params and secrets: secrets not given are stand-ins, as
// New needs them and no call will carry them.
func (s *specFlags) offline(spec *connector.Spec, label string) (*connector.Engine, error) {
	params, secrets, err := s.values(spec, label)
	if err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Secrets)) {
		if secrets[name] == "" {
			secrets[name] = standIn
		}
	}
	if err := requireValues(spec, label, params, secrets); err != nil {
		return nil, err
	}
	eng, err := connector.New(spec, connector.WithParams(params), connector.WithSecrets(secrets))
	if err != nil {
		if errors.Is(err, connector.ErrInvalidSpec) {
			return nil, badInput(specErrors(label+" with the given values", err))
		}
		return nil, err
	}
	return eng, nil
}

// requireValues reports required params and secrets without a value, in
// the command's terms (connector.New would say the same in Go's).
func requireValues(spec *connector.Spec, label string, params map[string]any, secrets map[string]string) error {
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(spec.Params)) {
		p := spec.Params[name]
		v, given := params[name]
		if !given {
			v = p.Default
		}
		if p.Required && (v == nil || v == "") {
			missing = append(missing, "--param "+name+"=VALUE")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(spec.Secrets)) {
		if spec.Secrets[name].Required && secrets[name] == "" {
			missing = append(missing, secretEnv(name)+" (or --secrets-file)")
		}
	}
	if len(missing) > 0 {
		return usageErrorf("%s needs %s", label, strings.Join(missing, ", "))
	}
	return nil
}

func declared(names []string) string {
	if len(names) == 0 {
		return " (it declares none)"
	}
	slices.Sort(names)
	return " (have " + strings.Join(names, ", ") + ")"
}

// readSecretsFile reads a JSON object of secret names to string values.
func readSecretsFile(path string, spec *connector.Spec, label string) (map[string]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, badInput(err)
	}
	var raw map[string]any
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&raw); err != nil || raw == nil {
		return nil, badInput(fmt.Errorf("%s: want a JSON object of secret names to values", path))
	}
	out := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		if _, ok := spec.Secrets[name]; !ok {
			return nil, badInput(fmt.Errorf("%s: %s declares no secret %q%s", path, label, name, declared(slices.Collect(maps.Keys(spec.Secrets)))))
		}
		v, ok := raw[name].(string)
		if !ok {
			// Never echo the value: it may be a secret of the wrong type.
			return nil, badInput(fmt.Errorf("%s: %s: want a string", path, name))
		}
		out[name] = v
	}
	return out, nil
}

// targetFlags are the flags of commands that talk to a target: the spec
// flags, logging, tracing and time limits.
type targetFlags struct {
	*specFlags
	verbose     bool
	traceFile   string
	timeout     time.Duration
	callTimeout time.Duration
}

func (a *app) addTargetFlags(cmd *cobra.Command) *targetFlags {
	t := &targetFlags{specFlags: a.addSpecFlags(cmd)}
	f := cmd.Flags()
	f.BoolVarP(&t.verbose, "verbose", "v", false, "log every HTTP call to stderr (secrets masked)")
	f.StringVar(&t.traceFile, "trace", "", "write every HTTP request and response to `FILE` as JSON lines (secrets masked)")
	f.DurationVar(&t.timeout, "timeout", 0, "give up after this long in all (e.g. 5m; 0: no limit)")
	f.DurationVar(&t.callTimeout, "call-timeout", 0, "time limit of each HTTP attempt, overriding the spec's connection.timeout")
	_ = cmd.MarkFlagFilename("trace")
	return t
}

// session is an engine ready for one command, with its time limit and the
// trace file to close.
type session struct {
	eng   *connector.Engine
	spec  *connector.Spec
	ctx   context.Context
	label string
	close func() error
}

// open builds the engine. observe, when not nil, sees every trace (the
// progress line counts pages with it). The caller must call close.
func (t *targetFlags) open(ctx context.Context, observe func(connector.Trace)) (*session, error) {
	spec, label, err := t.load()
	if err != nil {
		return nil, err
	}
	params, secrets, err := t.values(spec, label)
	if err != nil {
		return nil, err
	}
	if err := requireValues(spec, label, params, secrets); err != nil {
		return nil, err
	}
	opts := []connector.Option{connector.WithParams(params), connector.WithSecrets(secrets)}
	if t.verbose {
		log := slog.New(slog.NewTextHandler(t.a.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
		opts = append(opts, connector.WithLogger(log))
	}
	if t.callTimeout < 0 || t.timeout < 0 {
		return nil, usageErrorf("--timeout and --call-timeout must not be negative")
	}
	if t.callTimeout > 0 {
		opts = append(opts, connector.WithTimeout(t.callTimeout))
	}
	var tw *traceWriter
	if t.traceFile != "" {
		f, err := os.OpenFile(t.traceFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600) // masked, but still the target's data
		if err != nil {
			return nil, usageError(err)
		}
		tw = &traceWriter{f: f, enc: json.NewEncoder(f)}
		tw.enc.SetEscapeHTML(false)
	}
	if tw != nil || observe != nil {
		opts = append(opts, connector.WithTrace(func(_ context.Context, tr connector.Trace) {
			if observe != nil {
				observe(tr)
			}
			if tw != nil {
				tw.write(tr)
			}
		}))
	}
	eng, err := connector.New(spec, opts...)
	if err != nil {
		if tw != nil {
			tw.f.Close()
		}
		if errors.Is(err, connector.ErrInvalidSpec) {
			return nil, badInput(specErrors(label+" with the given values", err))
		}
		return nil, failed(err)
	}
	s := &session{eng: eng, spec: spec, ctx: ctx, label: label, close: func() error { return nil }}
	cancel := context.CancelFunc(func() {})
	if t.timeout > 0 {
		s.ctx, cancel = context.WithTimeout(ctx, t.timeout)
	}
	s.close = func() error {
		cancel()
		if tw == nil {
			return nil
		}
		return tw.close()
	}
	return s, nil
}

// finish closes the session and returns the command's error: err, or the
// trace file's if err is nil.
func (s *session) finish(err error) error {
	cerr := s.close()
	if err != nil {
		return ctxErr(s.ctx, err)
	}
	if cerr != nil {
		return &exitError{code: exitFailed, err: fmt.Errorf("--trace: %w", cerr)}
	}
	return nil
}

// traceWriter writes traces as JSON lines. Traces arrive concurrently.
type traceWriter struct {
	mu  sync.Mutex
	f   *os.File
	enc *json.Encoder
	err error
}

// traceLine is the JSON form of connector.Trace.
type traceLine struct {
	Time           time.Time   `json:"time"`
	Op             string      `json:"op"`
	Call           string      `json:"call"`
	Attempt        int         `json:"attempt"`
	Method         string      `json:"method"`
	URL            string      `json:"url"`
	RequestHeader  http.Header `json:"requestHeader,omitempty"`
	RequestBody    string      `json:"requestBody,omitempty"`
	Status         int         `json:"status,omitempty"`
	ResponseHeader http.Header `json:"responseHeader,omitempty"`
	ResponseBody   string      `json:"responseBody,omitempty"`
	Duration       string      `json:"duration"`
	Error          string      `json:"error,omitempty"`
}

func (w *traceWriter) write(tr connector.Trace) {
	line := traceLine{
		Time: time.Now().UTC(), Op: string(tr.Op), Call: tr.Call, Attempt: tr.Attempt,
		Method: tr.Method, URL: tr.URL, RequestHeader: tr.RequestHeader, RequestBody: tr.RequestBody,
		Status: tr.StatusCode, ResponseHeader: tr.ResponseHeader, ResponseBody: tr.ResponseBody,
		Duration: tr.Duration.String(),
	}
	if tr.Err != nil {
		line.Error = tr.Err.Error()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err == nil {
		w.err = w.enc.Encode(line)
	}
}

func (w *traceWriter) close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return errors.Join(w.err, w.f.Close())
}
