package connector

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"

	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/template"
)

// rendered is a call with its templates rendered, before paging parameters
// and credentials are applied. It is never modified once built.
type rendered struct {
	url    *url.URL
	query  url.Values
	header http.Header
	body   any // the rendered body; nil for none
	form   []byte
	// sensitive holds header, query and form values computed from
	// secrets (a base64 of user:password, a hash): the redactor knows the
	// secrets, not what a template made of them.
	sensitive []string
}

// built is a request ready to send, rendered once and re-sent as it is on
// retries (a new token after an expiry re-renders it).
type built struct {
	method string
	url    string
	parsed *url.URL // url, for paging, which resolves next-page links against it
	header http.Header
	body   []byte
}

// secretInputs are the variables whose values, transformed by a template,
// must be masked like the secrets themselves.
var secretInputs = []string{"secrets", "password", "auth"}

func readsSecrets(t interface{ Uses(string) bool }) bool {
	for _, name := range secretInputs {
		if t.Uses(name) {
			return true
		}
	}
	return false
}

// render renders the call's templates within ctx (see
// template.Template.RenderContext).
func (e *Engine) render(ctx context.Context, cc *compiledCall, data map[string]any) (*rendered, error) {
	u, err := e.renderURL(ctx, cc, data)
	if err != nil {
		return nil, err
	}
	r := &rendered{url: u, query: u.Query(), header: http.Header{}}
	if err := renderValues(ctx, "query", cc.query, data, r.query, &r.sensitive); err != nil {
		return nil, err
	}
	for i, l := range [][]namedTemplate{e.c.headers, cc.headers} {
		if err := r.renderHeaders(ctx, l, data, i == 1); err != nil {
			return nil, err
		}
	}
	if cc.body != nil {
		v, err := cc.body.RenderContext(ctx, data)
		if err != nil {
			return nil, err
		}
		if v != template.Omitted {
			r.body = v
		}
	}
	if cc.form != nil {
		f := url.Values{}
		if err := renderValues(ctx, "form", cc.form, data, f, &r.sensitive); err != nil {
			return nil, err
		}
		r.form = []byte(f.Encode())
	}
	return r, nil
}

// renderURL renders the call's url, or its path below the base URL.
func (e *Engine) renderURL(ctx context.Context, cc *compiledCall, data map[string]any) (*url.URL, error) {
	if cc.url != nil {
		s, err := cc.url.RenderContext(ctx, data)
		if err != nil {
			return nil, err
		}
		return parseCallURL(s)
	}
	s, err := cc.path.RenderContext(ctx, data)
	if err != nil {
		return nil, err
	}
	if s != "" && !strings.HasPrefix(s, "/") {
		s = "/" + s
	}
	return parseCallURL(e.baseURL + s)
}

// renderValues renders query or form parameters into vals.
func renderValues(ctx context.Context, what string, l []namedTemplate, data map[string]any, vals url.Values, sensitive *[]string) error {
	for _, nt := range l {
		v, err := nt.t.ValueContext(ctx, data)
		if err != nil {
			return err
		}
		if v == template.Omitted {
			continue
		}
		if err := setValues(vals, nt.name, v); err != nil {
			return fmt.Errorf("%s %s: %w", what, nt.name, err)
		}
		if readsSecrets(nt.t) {
			*sensitive = append(*sensitive, vals[nt.name]...)
		}
	}
	return nil
}

// renderHeaders renders header templates into r.header. With drop (a
// call's own headers), an omitted value removes the header of that name
// (the connection's).
func (r *rendered) renderHeaders(ctx context.Context, l []namedTemplate, data map[string]any, drop bool) error {
	for _, nt := range l {
		v, err := nt.t.ValueContext(ctx, data)
		if err != nil {
			return err
		}
		if v == template.Omitted {
			if drop {
				r.header.Del(nt.name)
			}
			continue
		}
		s, err := text(v)
		if err != nil {
			return fmt.Errorf("header %s: %w", nt.name, err)
		}
		if strings.ContainsAny(s, "\r\n") {
			return fmt.Errorf("header %s: value contains a line break", nt.name)
		}
		r.header.Set(nt.name, s)
		if readsSecrets(nt.t) {
			r.sensitive = append(r.sensitive, s, strings.TrimSpace(strings.TrimPrefix(strings.TrimPrefix(s, "Basic "), "Bearer ")))
		}
	}
	return nil
}

func parseCallURL(u string) (*url.URL, error) {
	pu, err := url.Parse(u)
	if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
		return nil, fmt.Errorf("call URL %q is not an absolute http(s) URL", u)
	}
	return pu, nil
}

// build turns a rendered call into a request: paging parameters, the
// credential and the encoded body. r is not modified.
func (cc *compiledCall) build(r *rendered, cred *credential, tok string, pg *paging.State) (*built, error) {
	b := &built{method: cc.method, header: r.header.Clone()}
	u := *r.url
	var q url.Values
	if pg != nil && pg.URL != "" {
		next, err := parseCallURL(pg.URL) // a next-page URL is used as the server gave it
		if err != nil {
			return nil, err
		}
		u, q = *next, next.Query()
	} else {
		q = maps.Clone(r.query)
		if pg != nil {
			for k, v := range pg.Query {
				q.Set(k, v)
			}
		}
	}
	body := r.body
	needsCopy := pg != nil && len(pg.Body) > 0 || cred != nil && cred.a.inject != nil && cred.a.inject.In == "body"
	var obj map[string]any
	if m, ok := body.(map[string]any); ok && needsCopy {
		obj = cloneMap(m) // rendered bodies may share the spec's literal maps: never mutate them
		body = obj
	}
	if pg != nil && len(pg.Body) > 0 {
		if obj == nil {
			return nil, errors.New("paging places parameters in the body, but the call has no JSON object body")
		}
		for p, v := range pg.Body {
			if err := p.Set(obj, v); err != nil {
				return nil, err
			}
		}
	}
	if err := cred.apply(tok, b.header, q, obj); err != nil {
		return nil, err
	}
	u.RawQuery = q.Encode()
	b.url, b.parsed = u.String(), &u
	switch {
	case r.form != nil:
		b.body = r.form
		setDefault(b.header, "Content-Type", "application/x-www-form-urlencoded")
	case body != nil:
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(body); err != nil {
			return nil, fmt.Errorf("encoding body: %w", err)
		}
		b.body = bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		setDefault(b.header, "Content-Type", "application/json")
	}
	setDefault(b.header, "Accept", "application/json")
	return b, nil
}

// setValues sets a query or form parameter; a list repeats it.
func setValues(vals url.Values, name string, v any) error {
	var list []any
	switch l := v.(type) {
	case []any:
		list = l
	case []string:
		for _, s := range l {
			list = append(list, s)
		}
	default:
		s, err := text(v)
		if err != nil {
			return err
		}
		vals.Set(name, s)
		return nil
	}
	vals.Del(name)
	for _, x := range list {
		s, err := text(x)
		if err != nil {
			return err
		}
		vals.Add(name, s)
	}
	return nil
}

func setDefault(h http.Header, k, v string) {
	if h.Get(k) == "" {
		h.Set(k, v)
	}
}

// text turns a rendered scalar into its text; lists and objects are JSON.
func text(v any) (string, error) {
	switch v.(type) {
	case map[string]any, []any:
		b, err := json.Marshal(v)
		return string(b), err
	}
	if s, err := record.ToString(v); err == nil {
		return s, nil
	}
	return fmt.Sprint(v), nil
}

func cloneMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if mm, ok := v.(map[string]any); ok {
			v = cloneMap(mm)
		}
		out[k] = v
	}
	return out
}
