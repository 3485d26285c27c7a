package flows

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"sync"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys"
	"github.com/restconn/restconn/providers/intercom"
	"github.com/restconn/restconn/providers/okta"
	"github.com/restconn/restconn/providers/otrs"
)

// Target names the application an activity works on: a spec and the
// values of its params. It travels in workflow history, so it never holds
// a secret: the worker that runs the activity adds those (see Presets).
type Target struct {
	Preset string         `json:"preset"`           // a key of the worker's specs, e.g. "okta"
	Params map[string]any `json:"params,omitempty"` // the spec's params, e.g. {"orgURL": "https://acme.okta.com"}
	// Credentials names the set of secrets the worker uses for this
	// target, e.g. "acme-okta" for a worker that serves two Okta orgs;
	// default Preset. It is a name, never a secret.
	Credentials string `json:"credentials,omitempty"`
}

// SecretFunc looks up the secret name of the credentials set (see
// Target.Credentials) in the worker's vault.
type SecretFunc func(credentials, name string) (string, bool)

// ConnectFunc builds the connector of a Target. The worker provides it
// (see Presets); activities call it on every run, so it may cache.
type ConnectFunc func(ctx context.Context, t Target) (connector.Connector, error)

// Builtin maps the preset names of restconn's built-in presets to their
// specs, as cmd/restconn's --preset flag knows them.
var Builtin = map[string]func() *connector.Spec{
	"genesys":  genesys.Spec,
	"intercom": intercom.Spec,
	"okta":     okta.Spec,
	"otrs":     otrs.Spec,
}

// EnvSecret is a SecretFunc over the environment: the secret name of the
// credentials set is RESTCONN_SECRET_<CREDENTIALS>_<NAME> (upper case,
// other characters than letters and digits as "_"), else
// RESTCONN_SECRET_<NAME>, the variable cmd/restconn reads. A worker that
// serves one target of a preset needs only the second form:
//
//	RESTCONN_SECRET_TOKEN=...                 # any target whose spec has a secret "token"
//	RESTCONN_SECRET_OKTA_TOKEN=...            # Okta targets (Credentials "" or "okta")
//	RESTCONN_SECRET_ACME_OKTA_TOKEN=...       # targets with Credentials "acme-okta"
func EnvSecret(credentials, name string) (string, bool) {
	vars := []string{"RESTCONN_SECRET_" + envName(name)}
	if credentials != "" {
		vars = slices.Insert(vars, 0, "RESTCONN_SECRET_"+envName(credentials)+"_"+envName(name))
	}
	for _, v := range vars {
		if s := os.Getenv(v); s != "" {
			return s, true
		}
	}
	return "", false
}

func envName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, s)
}

// Presets returns a ConnectFunc that builds an engine from specs[t.Preset]
// with t.Params and every secret the spec declares that secret returns
// for the target's credentials set (t.Credentials, else t.Preset), plus
// opts (an HTTP client, a logger). Engines are safe for concurrent
// use and keep their tokens and sessions, so each Target's engine is
// built once and shared by the activities that use it; secrets are read
// then, so a rotated secret takes effect when the worker restarts.
func Presets(specs map[string]func() *connector.Spec, secret SecretFunc, opts ...connector.Option) ConnectFunc {
	var (
		mu      sync.Mutex
		engines = map[string]*connector.Engine{}
	)
	return func(_ context.Context, t Target) (connector.Connector, error) {
		key, err := json.Marshal(t) // map keys in sorted order: one key per Target
		if err != nil {
			return nil, fmt.Errorf("target: %w", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if e, ok := engines[string(key)]; ok {
			return e, nil
		}
		spec, ok := specs[t.Preset]
		if !ok {
			return nil, fmt.Errorf("target: unknown preset %q (this worker has %s)", t.Preset, strings.Join(slices.Sorted(maps.Keys(specs)), ", "))
		}
		s := spec()
		creds := t.Credentials
		if creds == "" {
			creds = t.Preset
		}
		secrets := map[string]string{}
		for name := range s.Secrets {
			if v, ok := secret(creds, name); ok {
				secrets[name] = v
			}
		}
		e, err := connector.New(s, append([]connector.Option{connector.WithParams(t.Params), connector.WithSecrets(secrets)}, opts...)...)
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", t.Preset, err)
		}
		engines[string(key)] = e
		return e, nil
	}
}
