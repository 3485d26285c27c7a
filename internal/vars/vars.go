// Package vars builds the map every spec template is rendered against, with
// the top-level names binding's package documentation lists.
package vars

import (
	"strings"
	"time"

	"github.com/restconn/restconn/binding"
)

// Vars holds the variables of one template rendering. The zero value is
// valid: every name is present and empty.
type Vars struct {
	User        map[string]any
	Account     map[string]any
	Entitlement map[string]any
	Task        map[string]any
	Params      map[string]any
	Secrets     map[string]binding.Secret
	Auth        map[string]any
	Responses   map[string]any
	Page        map[string]any
	Ticket      map[string]any
	Since       time.Time
	Now         time.Time
	Password    binding.Secret
	Op          string
	Record      any
	Detail      map[string]any // an import's detail responses by call name
	Item        any
}

// Map builds the map templates are rendered against. Secrets are revealed
// here, and only here: the map is handed to the template engine and never
// printed.
func (v *Vars) Map() map[string]any {
	secrets := make(map[string]any, len(v.Secrets))
	for k, s := range v.Secrets {
		secrets[k] = s.Reveal()
	}
	var since any
	if !v.Since.IsZero() {
		since = v.Since
	}
	return map[string]any{
		"user":        orEmpty(v.User),
		"account":     orEmpty(v.Account),
		"entitlement": orEmpty(v.Entitlement),
		"task":        orEmpty(v.Task),
		"params":      orEmpty(v.Params),
		"secrets":     secrets,
		"auth":        orEmpty(v.Auth),
		"responses":   orEmpty(v.Responses),
		"page":        orEmpty(v.Page),
		"ticket":      orEmpty(v.Ticket),
		"since":       since,
		"now":         v.Now,
		"password":    v.Password.Reveal(),
		"op":          v.Op,
		"record":      v.Record,
		"detail":      orEmpty(v.Detail),
		"item":        v.Item,
		"index":       nil,
		"response":    nil,
	}
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// Response is the form in which a call's response is bound under
// .responses.<name>: body (decoded JSON, or text), status, and headers with
// lower-case names.
func Response(status int, header map[string][]string, body any) map[string]any {
	h := make(map[string]any, len(header))
	for k, v := range header {
		if len(v) > 0 {
			h[strings.ToLower(k)] = v[0]
		}
	}
	return map[string]any{"status": status, "headers": h, "body": body}
}
