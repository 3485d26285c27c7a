package connector_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/template"
)

// Hostile specs: a spec is a file people share, and its templates run in
// the engine. A template that would build gigabytes or loop for hours
// passed Parse and New, and Provision then ran for half a minute with
// gigabytes of heap, ignoring its context. Every rendering is now bounded
// (SPEC.md "Limits of templates").

// The templates of the issue.
var hostileTemplates = map[string]string{
	"repeat": `{{ repeat 1000000000 "x" }}`,
	"until":  `{{ range $i := until 100000000 }}{{ end }}`,
}

// hostileServer answers every request with a user page and counts them.
func hostileServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"id": "1", "data": [{"id": "u1", "name": "ann"}], "state": "open"}`)
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// Wherever a spec holds a template, the templates fail within
// milliseconds under a 2 s context, with bounded memory, before the call
// that holds them is sent, with an error that names the template's spec
// path and wraps ErrLimit.
func TestFaultsTemplateBudget(t *testing.T) {
	const create = `"provision": {"createAccount": {"calls": [{"name": "create", "method": "POST", %s}]%s}}`
	const path = `"path": "/u"`
	cases := []struct {
		name, spec, path string
		sent             int32 // requests sent before the template ran
		imports          bool
	}{
		{"body", fmt.Sprintf(create, path+`, "body": {"profile": {"note": %q}}`, ""), "provision.createAccount.calls[0].body.profile.note", 0, false},
		{"path", fmt.Sprintf(create, `"path": "/u/%s"`, ""), "provision.createAccount.calls[0].path", 0, false},
		{"url", fmt.Sprintf(create, `"url": "$URL/u/%s"`, ""), "provision.createAccount.calls[0].url", 0, false},
		{"query", fmt.Sprintf(create, path+`, "query": {"q": %q}`, ""), "provision.createAccount.calls[0].query.q", 0, false},
		{"header", fmt.Sprintf(create, path+`, "headers": {"X-Note": %q}`, ""), "provision.createAccount.calls[0].headers.X-Note", 0, false},
		{"if", fmt.Sprintf(create, path+`, "if": %q`, ""), "provision.createAccount.calls[0].if", 0, false},
		{"forEach", fmt.Sprintf(create, path+`, "forEach": %q`, ""), "provision.createAccount.calls[0].forEach", 0, false},
		{"failure", fmt.Sprintf(create, path+`, "failure": [{"value": %q}]`, ""), "provision.createAccount.calls[0].failure[0].value", 1, false},
		{"accountID", fmt.Sprintf(create, path, `, "accountID": %q`), "provision.createAccount.accountID", 1, false},
		{"attributes", fmt.Sprintf(create, path, `, "attributes": {"note": %q}`), "provision.createAccount.attributes.note", 1, false},
		{"connection header", `"connection": {"headers": {"X-Trace": %q}}, ` + fmt.Sprintf(create, path, ""), "connection.headers.X-Trace", 0, false},
		{"value field", `"import": {"accounts": {"sources": [{"name": "list", "path": "/users", "records": "data"}], "id": "id", "attributes": {"note": {"value": %q}}}}`, "import.accounts.attributes.note.value", 1, true},
		{"list query", `"import": {"accounts": {"sources": [{"name": "list", "path": "/users", "records": "data", "query": {"q": %q}}], "id": "id"}}`, "import.accounts.sources[0].query.q", 0, true},
		{"membersFrom path", `"import": {"entitlements": {"group": {"sources": [{"name": "list", "path": "/groups", "records": "data"}], "id": "id",
			"membersFrom": {"path": "/groups/{{ .record.id }}/users", "records": "data", "id": "id", "headers": {"X": %q}}}}}`, "import.entitlements.group.membersFrom.headers.X", 1, true},
	}
	for _, tc := range cases {
		for tname, tmpl := range hostileTemplates {
			t.Run(tc.name+"/"+tname, func(t *testing.T) {
				srv, hits := hostileServer(t)
				arg := any(tmpl)
				if strings.Contains(tc.spec, `%s`) {
					arg = strings.Trim(strconv.Quote(tmpl), `"`) // inside a JSON string
				}
				js := fmt.Sprintf(tc.spec, arg)
				if !strings.HasPrefix(js, `"connection"`) {
					js = `"connection": {}, ` + js
				}
				js = strings.Replace(js, `"connection": {`, `"connection": {"baseURL": "$URL", `, 1)
				js = strings.Replace(js, `{"baseURL": "$URL", }`, `{"baseURL": "$URL"}`, 1)
				lc := connectortest.NewLeakCheck(t)
				e, err := connector.New(spec(t, `{"name": "hostile", `+js+`}`, srv.URL), lc.Options()...)
				require.NoError(t, err, "the template passes Parse and New: it is only too costly to render")
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second*raceSlowdown)
				defer cancel()
				var start time.Time
				var took time.Duration
				grew := peakHeap(func() {
					start = time.Now()
					if tc.imports {
						if strings.Contains(tc.path, "entitlements") {
							_, err = connectortest.Collect(e.ImportAccess(ctx, connector.ImportOptions{}))
						} else {
							_, err = connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
						}
					} else {
						_, err = e.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: map[string]any{"name": "ann"}})
					}
					took = time.Since(start)
				})
				require.Error(t, err)
				t.Log(err)
				assert.ErrorIs(t, err, connector.ErrLimit)
				var le *template.LimitError
				require.ErrorAs(t, err, &le)
				assert.Equal(t, tname, le.Func)
				ce := fvConnError(t, err)
				assert.Equal(t, tc.path, ce.Path)
				assert.NotErrorIs(t, err, connector.ErrInvalidSpec)
				assert.Contains(t, err.Error(), tc.path+": ")
				// The need counts from the start of the rendering: a path's
				// text before the action is in it.
				assert.Regexp(t, map[string]string{"repeat": `: repeat needs 10000000\d\d bytes, over the limit of 1048576 \(connection.maxRenderBytes\) \(limit exceeded\)$`,
					"until": `: until needs 100000000 steps, over the limit of 1000000 \(connection.maxRenderSteps\) \(limit exceeded\)$`}[tname], err.Error())
				assert.Equal(t, tc.sent, hits.Load(), "requests sent")
				assert.Less(t, took, 500*time.Millisecond*raceSlowdown, "took %v", took)
				if !raceEnabled {
					assert.Less(t, grew, uint64(64<<20), "the heap grew by %d MiB", grew>>20)
				}
				lc.Err(err)
				lc.Check()
			})
		}
	}
}

// A rendering that the limits allow stops when the operation's context
// ends, with an error errors.Is matches with the context's.
func TestFaultsTemplateHonoursContext(t *testing.T) {
	srv, hits := hostileServer(t)
	e, err := connector.New(spec(t, `{"name": "t", "connection": {"baseURL": "$URL"},
		"provision": {"createAccount": {"calls": [{"name": "create", "method": "POST", "path": "/u",
			"body": {"n": "{{ range $.user.l }}{{ range $.user.l }}{{ range $.user.l }}{{ $x := repeat 10 \"x\" }}{{ end }}{{ end }}{{ end }}"}}]}}}`, srv.URL),
		connector.WithRenderLimits(1<<50, 1<<50))
	require.NoError(t, err)
	l := make([]any, 10_000) // 10^12 iterations
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = e.Provision(ctx, connector.Request{Op: connector.CreateAccount, User: map[string]any{"l": l}})
	took := time.Since(start)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, connector.ErrLimit)
	ce := fvConnError(t, err)
	assert.Equal(t, "provision.createAccount.calls[0].body.n", ce.Path)
	assert.Equal(t, "canceled", ce.Message)
	assert.Less(t, took, 100*time.Millisecond+300*time.Millisecond*raceSlowdown)
	assert.Zero(t, hits.Load())
}

// The limits are set by the spec (connection.maxRenderBytes,
// maxRenderSteps) or by WithRenderLimits, which wins; a whole body shares
// one budget.
func TestFaultsTemplateLimitsConfigured(t *testing.T) {
	srv, _ := hostileServer(t)
	provision := func(conn string, opts ...connector.Option) error {
		e, err := connector.New(spec(t, `{"name": "t", "connection": {"baseURL": "$URL"`+conn+`},
			"provision": {"createAccount": {"calls": [{"name": "create", "method": "POST", "path": "/u",
				"body": {"a": "{{ repeat 60 \"x\" }}", "b": "{{ range until 20 }}-{{ end }}"}}]}}}`, srv.URL), opts...)
		require.NoError(t, err)
		_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount})
		return err
	}
	// The body makes 60 bytes with repeat, 60 with until (20 numbers of
	// up to 2 digits and a separator each) and writes 20.
	require.NoError(t, provision(""))
	require.NoError(t, provision(`, "maxRenderBytes": 140`))
	assert.ErrorContains(t, provision(`, "maxRenderBytes": 139`), `provision.createAccount.calls[0].body.b: call "create": output needs 140 bytes, over the limit of 139 (connection.maxRenderBytes)`)
	assert.ErrorContains(t, provision(`, "maxRenderBytes": 100`), `provision.createAccount.calls[0].body.b: call "create": until needs 120 bytes, over the limit of 100 (connection.maxRenderBytes)`)
	assert.ErrorContains(t, provision(`, "maxRenderSteps": 19`), `provision.createAccount.calls[0].body.b: call "create": until needs 20 steps, over the limit of 19 (connection.maxRenderSteps)`)
	assert.ErrorContains(t, provision(`, "maxRenderSteps": 39`), `range needs 40 steps, over the limit of 39`)
	require.NoError(t, provision(`, "maxRenderSteps": 40`))
	require.NoError(t, provision(`, "maxRenderBytes": 100, "maxRenderSteps": 30`, connector.WithRenderLimits(140, 40)))
	assert.ErrorContains(t, provision("", connector.WithRenderLimits(50, 0)), "repeat needs 60 bytes, over the limit of 50")
	_, err := connector.Parse([]byte(`{"name":"t","connection":{"baseURL":"https://x","maxRenderSteps":-1}}`))
	assert.ErrorContains(t, err, "connection.maxRenderSteps: must not be negative")
}

// Saviynt-style expressions that the ${a.b} shorthand does not cover
// passed Parse and reached the target as literal text. Parse now refuses
// any other "${", naming the template's spec path and saying what to write
// instead; a literal "${" is written {{ "${" }}.
func TestFaultsStrayShorthand(t *testing.T) {
	for _, tc := range []struct {
		field, value, path, want string
	}{
		{"body", `{"email": "${user?.email}"}`, "provision.createAccount.calls[0].body.email", `"${user?.email}" is not a restconn template: write {{ opt .user "email" }}`},
		{"body", `{"p": {"login": ["${user.login.toLowerCase()}"]}}`, "provision.createAccount.calls[0].body.p.login[0]", `write {{ .user.login | lower }}`},
		{"headers", `{"X-Who": "${if(user){user.name}}"}`, "provision.createAccount.calls[0].headers.X-Who", `takes only a dotted name such as ${user.email}, other expressions are written with {{ }} (see "Templates" in SPEC.md)`},
		{"path", `"/users/${user['id']}"`, "provision.createAccount.calls[0].path", `write {{ index .user "id" }}`},
		{"query", `{"filter": "name eq ${user.name"}`, "provision.createAccount.calls[0].query.filter", `the ${ is not closed`},
		{"form", `{"u": "${ user?.name }"}`, "provision.createAccount.calls[0].form.u", `write {{ opt .user "name" }}`},
		{"if", `"${user?.manager != null}"`, "provision.createAccount.calls[0].if", `is not a restconn template`},
	} {
		t.Run(tc.field, func(t *testing.T) {
			_, err := connector.Parse([]byte(`{"name": "t", "connection": {"baseURL": "https://x"},
				"provision": {"createAccount": {"calls": [{"method": "POST", "path": "/u", "` + tc.field + `": ` + tc.value + `}]}}}`))
			require.Error(t, err)
			assert.ErrorIs(t, err, connector.ErrInvalidSpec)
			ce := fvConnError(t, err)
			assert.Equal(t, tc.path, ce.Path)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), `; to send a literal "${", write {{ "${" }}`)
		})
	}
	for where, js := range map[string]string{
		"import.accounts.attributes.mail.value": `"import": {"accounts": {"sources": [{"path": "/u"}], "id": "id", "attributes": {"mail": {"value": "${record?.mail}"}}}}`,
		"connection.headers.X-A":                `"connection": {"baseURL": "https://x", "headers": {"X-A": "${secrets.key.trim()}"}}`,
		"tickets.create.calls[0].body.title":    `"tickets": {"create": {"calls": [{"method": "POST", "path": "/t", "body": {"title": "Ticket ${ticket?.title}"}}], "id": "{{ .responses.call0.body.id }}"}}`,
	} {
		if !strings.HasPrefix(js, `"connection"`) {
			js = `"connection": {"baseURL": "https://x"}, ` + js
		}
		_, err := connector.Parse([]byte(`{"name": "t", ` + js + `}`))
		require.Error(t, err, where)
		assert.Equal(t, where, fvConnError(t, err).Path)
	}

	// A literal "${" reaches the target as written, from a body, a
	// header, a path and a query.
	var got struct{ body, header, path, query string }
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.body, got.header, got.path, got.query = string(b), r.Header.Get("X-Shell"), r.URL.Path, r.URL.Query().Get("q")
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name": "t", "connection": {"baseURL": "$URL"},
		"provision": {"createAccount": {"calls": [{"method": "POST", "path": "/files/{{ \"${\" }}HOME}/${user.id}",
			"query": {"q": "{{ \"${\" }}q}"}, "headers": {"X-Shell": "echo {{ \"$\" }}{HOME}"},
			"body": {"note": "costs {{ \"${\" }}5} for ${user.id}"}}]}}}`, srv.URL))
	require.NoError(t, err)
	_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"id": "7"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"note": "costs ${5} for 7"}`, got.body)
	assert.Equal(t, "echo ${HOME}", got.header)
	assert.Equal(t, "/files/${HOME}/7", got.path)
	assert.Equal(t, "${q}", got.query)
}

// Every preset and example spec in the repository still parses.
func TestFaultsStrayShorthandRepositorySpecs(t *testing.T) {
	var files []string
	for _, pattern := range []string{"../providers/*/*.json", "../examples/*/*.json", "../examples/*/*/*.json", "../cmd/restconn/testdata/*.json", "testdata/*.json"} {
		m, err := filepath.Glob(pattern)
		require.NoError(t, err)
		files = append(files, m...)
	}
	require.NotEmpty(t, files)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		if !strings.Contains(string(b), `"connection"`) || strings.Contains(f, "bad-") || strings.Contains(f, "not-json") {
			continue
		}
		_, err = connector.Parse(b)
		var ce *connector.Error
		if errors.As(err, &ce) {
			assert.NotContains(t, ce.Message, "is not a restconn template", f)
		}
		assert.NoError(t, err, f)
	}
}
