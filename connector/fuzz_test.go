package connector_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

// Realistic specs for the FuzzParse seed corpus (testdata/fuzz/FuzzParse
// holds them too, with the provider presets).
var fuzzSeedSpecs = map[string]string{
	"bearer_cursor": `{
  "name": "tickets-cloud",
  "params": {"baseURL": {"default": "https://api.example.com/v2"}},
  "secrets": {"token": {"required": true}},
  "connection": {
    "baseURL": "{{ .params.baseURL }}",
    "headers": {"Accept": "application/json"},
    "timeout": "20s",
    "auth": {"main": {"type": "bearer", "token": "{{ .secrets.token }}"}},
    "retry": {"maxAttempts": 3, "minBackoff": "200ms", "maxBackoff": "2s", "maxWait": "60s", "maxWaits": 5},
    "rateLimit": {"requestsPerSecond": 10, "burst": 5},
    "maxBodyBytes": 1048576,
    "errors": {"code": "errors[0].code", "message": ["errors[0].message", "error"], "map": {"not_found": "notFound", "rate_limited": "rateLimited"}}
  },
  "connect": {"calls": [{"name": "me", "path": "/me"}]},
  "import": {
    "accounts": {
      "sources": [{"name": "users", "path": "/users", "query": {"state": "all"}, "records": "data",
                   "paging": {"type": "cursor", "path": "meta.next_cursor", "param": "cursor", "sizeParam": "limit", "size": 100}}],
      "incremental": [{"name": "changed", "path": "/users", "query": {"updated_since": "{{ rfc3339 .since }}"}, "records": "data",
                       "paging": {"type": "cursor", "path": "meta.next_cursor", "param": "cursor"}}],
      "id": "id", "name": "email",
      "active": {"path": "state", "equals": "active"},
      "attributes": {"email": "email", "created": {"path": "created_at", "type": "time", "layout": "unix"}, "roles": {"path": "roles", "type": "list", "of": "string"}},
      "entitlements": {"role": "roles"}
    },
    "entitlements": {"role": {"fromAccounts": true}}
  },
  "provision": {
    "createAccount": {"calls": [{"name": "create", "method": "POST", "path": "/users",
        "body": {"email": "${user.email}", "name": "{{ opt .user \"displayName\" }}", "password": "{{ .password }}"},
        "success": {"status": [201]}}],
      "accountID": "{{ .responses.create.body.id }}"},
    "disableAccount": {"calls": [{"name": "disable", "method": "PATCH", "path": "/users/{{ .account.id }}", "body": {"state": "suspended"}}]},
    "addAccess": {"types": {"role": {"calls": [{"method": "POST", "path": "/users/{{ .account.id }}/roles", "body": {"role": "{{ .entitlement.id }}"},
        "failure": [{"path": "errors[0].code", "equals": "role_exists", "not": true}, {"path": "errors", "exists": true}]}]}}}
  }
}`,
	"scim_oauth2": `{
  "name": "scim-idp",
  "params": {"tenant": {"required": true}},
  "secrets": {"clientSecret": {"required": true}},
  "connection": {
    "baseURL": "https://{{ .params.tenant }}.example.com/scim/v2",
    "auth": {"api": {"type": "oauth2", "tokenURL": "https://{{ .params.tenant }}.example.com/oauth/token", "clientID": "restconn",
                     "clientSecret": "{{ .secrets.clientSecret }}", "scopes": ["scim:read", "scim:write"], "authStyle": "params", "earlyExpiry": "1m"}},
    "headers": {"Content-Type": "application/scim+json"},
    "errors": {"code": "scimType", "message": "detail"}
  },
  "import": {
    "accounts": {
      "sources": [{"path": "/Users", "records": "Resources", "paging": {"type": "scim", "size": 200}}],
      "id": "id", "name": "userName",
      "active": {"path": "active"},
      "attributes": {"email": "emails[0].value", "dept": "[\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"].department"},
      "entitlements": {"group": "groups[].value"}
    },
    "entitlements": {
      "group": {"sources": [{"path": "/Groups", "query": {"excludedAttributes": "members"}, "records": "Resources", "paging": {"type": "scim"}}],
                "id": "id", "name": "displayName", "detail": {"path": "/Groups/{{ .record.id }}"}, "members": "members[].value"}
    }
  },
  "provision": {
    "updateAccount": {"calls": [
      {"name": "get", "path": "/Users/{{ .account.id }}"},
      {"name": "patch", "method": "PATCH", "path": "/Users/{{ .account.id }}",
       "headers": {"If-Match": "{{ .responses.get.headers.etag }}"},
       "body": {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "replace", "path": "title", "value": "{{ opt .user \"title\" }}"}]},
       "restart": {"when": {"status": [400, 412], "when": [{"path": "scimType", "in": ["invalidVers", null]}]}, "from": "get", "max": 3}}
    ]},
    "removeAccess": {"calls": [{"method": "PATCH", "path": "/Groups/{{ .entitlement.id }}",
       "body": {"Operations": [{"op": "remove", "path": "members[value eq \"{{ .account.id }}\"]"}]}, "idempotent": true, "timeout": "10s"}]}
  }
}`,
	"session_tickets": `{
  "name": "helpdesk",
  "params": {"baseURL": {"required": true}, "queue": {"default": "Access"}},
  "secrets": {"password": {"required": true}},
  "connection": {
    "baseURL": "{{ .params.baseURL }}",
    "auth": {"s": {"type": "session", "login": {"name": "login", "auth": "none", "method": "POST", "path": "/Session",
                   "body": {"UserLogin": "restconn", "Password": "{{ .secrets.password }}"}},
                   "token": "{{ .responses.login.body.SessionID }}", "ttl": "50m",
                   "inject": {"in": "query", "name": "SessionID"},
                   "expiry": [{"status": [200], "when": [{"path": "Error.ErrorCode", "matches": "AuthFail$"}]}]}},
    "failure": [{"path": "Error", "exists": true}],
    "errors": {"code": "Error.ErrorCode", "message": "Error.ErrorMessage"}
  },
  "provision": {"createAccount": {"ticket": {"title": "Create {{ .user.email }}"}}, "addAccess": {"ticket": {}}},
  "tickets": {
    "create": {"calls": [{"name": "create", "method": "POST", "path": "/Ticket",
       "body": {"Ticket": {"Title": "{{ .ticket.title }}", "Queue": "{{ .params.queue }}"}, "Article": {"Body": "{{ .ticket.description }}"}}}],
       "id": "{{ .responses.create.body.TicketID }}", "number": "{{ .responses.create.body.TicketNumber }}"},
    "status": {"calls": [{"name": "get", "path": "/Ticket/{{ .ticket.id }}"}],
       "status": "{{ (index .responses.get.body.Ticket 0).State }}",
       "states": [{"in": ["new", "open"], "state": "open"}, {"matches": "^pending", "state": "pending"},
                  {"equals": "closed successful", "state": "completed"}], "default": "rejected",
       "updatedAt": "{{ with (index .responses.get.body.Ticket 0).Changed }}{{ replace \" \" \"T\" . }}Z{{ end }}",
       "url": "https://desk.example.com/index.pl?Action=AgentTicketZoom;TicketID={{ .ticket.id }}"},
    "comment": {"calls": [{"method": "PATCH", "path": "/Ticket/{{ .ticket.id }}", "body": {"Article": {"Subject": "Note", "Body": "{{ .ticket.text }}"}}}]},
    "cancel": {"calls": [{"name": "close", "method": "PATCH", "path": "/Ticket/{{ .ticket.id }}",
       "body": {"Ticket": {"State": "closed unsuccessful"}, "Article": {"Subject": "Cancelled", "Body": "{{ .ticket.reason | default \"-\" }}"}}}]}
  }
}`,
	"link_apikey": `{
  "name": "git-host",
  "connection": {
    "baseURL": "https://git.example.com/api/v4",
    "auth": {"key": {"type": "apiKey", "in": "header", "name": "PRIVATE-TOKEN", "value": "{{ .secrets.key }}"}, "anon": {"type": "none"}},
    "defaultAuth": "key",
    "tls": {"minVersion": "1.3"}
  },
  "secrets": {"key": {}},
  "import": {"accounts": {"sources": [
      {"path": "/users", "records": "$", "paging": {"type": "link", "sizeParam": "per_page", "size": 100, "maxPages": 500},
       "stop": [{"when": [{"header": "X-Next-Page", "equals": ""}]}]},
      {"path": "/groups/{{ .params.group | default \"1\" }}/members", "records": "$", "paging": {"type": "page", "start": 1, "total": "x"}}],
    "id": "id", "unique": true}}
}`,
	"sublists": `{
  "name": "directory",
  "params": {"version": {"default": "2.11"}},
  "connection": {
    "baseURL": "https://dir.example.com",
    "retry": {"maxWait": "70s", "resetHeader": "X-Rate-Limit-Reset", "resetFormat": "unix", "remainingHeader": "X-Rate-Limit-Remaining"}
  },
  "import": {
    "accounts": {
      "sources": [{"path": "/users", "paging": {"type": "link"}}],
      "details": [{"name": "roles", "path": "/users/{{ .record.id }}/roles"}],
      "id": {"value": "{{ .record.id }}"},
      "name": "login",
      "attributes": {"version": {"value": "{{ .params.version }}"}, "synced": {"value": "{{ .now }}", "type": "time"},
                     "roles": {"value": "{{ .detail.roles.data }}", "type": "list", "of": "string", "default": []}},
      "entitlementsFrom": {"role": {"path": "/users/{{ .record.id }}/roles", "records": "data", "id": "$"}}
    },
    "entitlements": {
      "group": {"unique": true, "sources": [{"path": "/groups", "paging": {"type": "link"}}], "id": "id",
                "membersFrom": {"name": "members", "path": "/groups/{{ .record.id }}/users", "paging": {"type": "link"}, "id": {"path": "id", "type": "string"}},
                "membersChunk": 500},
      "role": {"fromAccounts": true}
    }
  }
}`,
}

func TestSeedSpecsParse(t *testing.T) {
	for name, s := range fuzzSeedSpecs {
		_, err := connector.Parse([]byte(s))
		assert.NoError(t, err, name)
	}
	// The seed corpus on disk holds these and the provider presets.
	files, err := filepath.Glob("testdata/fuzz/FuzzParse/*")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 3)
}

// FuzzParse parses arbitrary bytes as a spec. Parse must never panic; every
// error must be a *connector.Error wrapping ErrInvalidSpec. A spec that
// parses must validate, survive Clone, marshal to JSON that parses to the
// same spec, and New must not panic on it (errors again *connector.Error).
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeedSpecs {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"name":"x","connection":{"baseURL":"https://x"},"provision":{"createAccount":{"calls":[{"path":"/u","method":"POST"}]}}}`))
	f.Add([]byte(`{"name":"x","connection":{"baseUrl":"https://x"}}`))
	f.Add([]byte(`{"name":"x","connection":{"baseURL":"https://x","retry":{"maxWait":"1x"}}}`))
	f.Add([]byte(`[1,2]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		spec, err := connector.Parse(data)
		if err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("Parse error is %T, not *connector.Error: %v", err, err)
			}
			if !errors.Is(err, connector.ErrInvalidSpec) {
				t.Fatalf("Parse error does not wrap ErrInvalidSpec: %v", err)
			}
			if spec != nil {
				t.Fatalf("Parse returned a spec and an error")
			}
			if err.Error() == "" {
				t.Fatalf("empty error text")
			}
			return
		}
		if err := spec.Validate(); err != nil {
			t.Fatalf("a parsed spec does not validate: %v", err)
		}
		b1, err := json.Marshal(spec)
		if err != nil {
			t.Fatalf("a parsed spec does not marshal: %v", err)
		}
		again, err := connector.Parse(b1)
		if err != nil {
			t.Fatalf("a parsed spec, marshalled, does not parse: %v\n%s", err, b1)
		}
		b2, err := json.Marshal(again)
		require.NoError(t, err)
		if !bytes.Equal(b1, b2) {
			t.Fatalf("spec changes on a marshal/parse round trip:\n%s\n%s", b1, b2)
		}
		c := spec.Clone()
		b3, err := json.Marshal(c)
		require.NoError(t, err)
		if !bytes.Equal(b1, b3) {
			t.Fatalf("Clone differs:\n%s\n%s", b1, b3)
		}
		// New builds no connection; it must not panic on any valid spec.
		params := map[string]any{}
		for name := range spec.Params {
			params[name] = "https://p.example"
		}
		secrets := map[string]string{}
		for name := range spec.Secrets {
			secrets[name] = "s3cret"
		}
		if _, err := connector.New(spec, connector.WithParams(params), connector.WithSecrets(secrets)); err != nil {
			var ce *connector.Error
			if !errors.As(err, &ce) {
				t.Fatalf("New error is %T, not *connector.Error: %v", err, err)
			}
		}
	})
}

// New documents that errors in the spec or its parameters are *Error values
// wrapping ErrInvalidSpec; a template that fails to render in New (here the
// base URL reads a parameter nobody declared or passed) is such an error.
func TestNewRenderErrorsWrapErrInvalidSpec(t *testing.T) {
	spec, err := connector.Parse([]byte(`{"name":"x","connection":{"baseURL":"{{ .params.host }}/api"}}`))
	require.NoError(t, err)
	_, err = connector.New(spec)
	require.Error(t, err)
	assert.ErrorIs(t, err, connector.ErrInvalidSpec)
}
