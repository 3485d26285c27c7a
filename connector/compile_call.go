package connector

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/template"
)

var methods = map[string]bool{"GET": true, "HEAD": true, "POST": true, "PUT": true, "PATCH": true, "DELETE": true, "OPTIONS": true}

// call compiles one call. defaultName names an unnamed call.
func (c *compiler) call(where string, k *Call, out *compiled, defaultName string) *compiledCall {
	if k == nil {
		c.fail(where, "missing value")
	}
	if defaultName == "login" || defaultName == "detail" {
		if k.If != "" || k.ForEach != "" || k.Restart != nil {
			c.fail(where, "if, forEach and restart belong to provisioning chains, not to %s calls", defaultName)
		}
	}
	cc := &compiledCall{name: k.Name, where: where, idempotent: k.Idempotent, timeout: time.Duration(k.Timeout)}
	if cc.name == "" {
		cc.name = defaultName
	}
	defer func() {
		if cc.auth != "" {
			out.usedAuths[cc.auth] = true
		}
	}()
	cc.method = strings.ToUpper(k.Method)
	if cc.method == "" {
		cc.method = http.MethodGet
	}
	if !methods[cc.method] {
		c.fail(where+".method", "unknown HTTP method %q", k.Method)
	}
	switch cc.method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete:
		cc.idempotent = true
	}
	switch {
	case k.Path != "" && k.URL != "":
		c.fail(where, "give path or url, not both")
	case k.Path != "":
		cc.path = c.tmpl(where+".path", k.Path, template.PathSegment)
	case k.URL != "":
		cc.url = c.tmpl(where+".url", k.URL, template.Plain)
	default:
		c.fail(where+".path", "missing: give path (relative to connection.baseURL) or url")
	}
	switch k.Auth {
	case "":
		cc.auth = out.defaultAuth
	case "none":
	default:
		if _, ok := c.spec.Connection.Auth[k.Auth]; !ok {
			c.fail(where+".auth", "no auth block named %q", k.Auth)
		}
		cc.auth = k.Auth
	}
	cc.query = c.templates(where+".query", k.Query, template.Plain)
	cc.headers = c.templates(where+".headers", k.Headers, template.Plain)
	if k.Body != nil && k.Form != nil {
		c.fail(where, "give body or form, not both")
	}
	if k.Body != nil {
		t, err := template.CompileTree(where+".body", k.Body)
		if err != nil {
			if te, ok := err.(*template.Error); ok {
				c.fail(te.Template, "bad template: %s", te.Msg)
			}
			c.fail(where+".body", "%v", err)
		}
		cc.body = t
	}
	cc.form = c.templates(where+".form", k.Form, template.Plain)
	cc.success = c.rule(where+".success", k.Success)
	cc.failure = c.conds(where+".failure", k.Failure)
	cc.errors = c.errorRules(where+".errors", k.Errors)
	if k.If != "" {
		cc.ifT = c.tmpl(where+".if", k.If, template.Plain)
	}
	if k.ForEach != "" {
		cc.forEach = c.tmpl(where+".forEach", k.ForEach, template.Plain)
	}
	if k.Timeout < 0 {
		c.fail(where+".timeout", "must not be negative")
	}
	return cc
}

func (c *compiler) chain(where string, calls []*Call, out *compiled) []*compiledCall {
	var cs []*compiledCall
	names := map[string]int{}
	for i, k := range calls {
		p := fmt.Sprintf("%s[%d]", where, i)
		cc := c.call(p, k, out, "call"+strconv.Itoa(i))
		if k.Name != "" {
			c.identifier(p+".name", k.Name)
			if j, dup := names[k.Name]; dup {
				c.fail(p+".name", "%q is already the name of call %d", k.Name, j)
			}
			names[k.Name] = i
		}
		if k.Restart != nil && k.ForEach != "" {
			c.fail(p+".restart", "a call repeated with forEach cannot restart the chain")
		}
		if k.Restart != nil {
			from, ok := names[k.Restart.From]
			if !ok {
				c.fail(p+".restart.from", "no earlier call named %q in this chain", k.Restart.From)
			}
			m := k.Restart.Max
			if m == 0 {
				m = 1
			}
			if m < 0 || m > 10 {
				c.fail(p+".restart.max", "want 1 to 10")
			}
			cc.restart = &compiledRestart{when: *c.rule(p+".restart.when", &k.Restart.When), from: from, max: m}
		}
		cs = append(cs, cc)
	}
	if len(cs) == 0 {
		c.fail(where, "empty: give at least one call")
	}
	return cs
}

func (c *compiler) listCall(where string, k *ListCall, out *compiled) *compiledCall {
	if k == nil {
		c.fail(where, "missing value")
	}
	if k.Restart != nil || k.ForEach != "" || k.If != "" {
		c.fail(where, "restart, forEach and if are for provisioning chains, not list calls")
	}
	cc := c.call(where, &k.Call, out, "list")
	if k.Name != "" {
		c.identifier(where+".name", k.Name)
	}
	cc.records = c.path(where+".records", k.Records)
	if k.Paging != nil && k.Records == "" {
		c.fail(where+".records", "missing: paged lists need the path of the records")
	}
	if k.Paging != nil {
		pg := k.Paging
		p, err := paging.New(paging.Config{Type: pg.Type, Path: pg.Path, Param: pg.Param, In: pg.In,
			SizeParam: pg.SizeParam, Size: pg.Size, Start: pg.Start, Total: pg.Total, MaxPages: pg.MaxPages})
		if err != nil {
			c.fail(where+".paging", "%v", err)
		}
		if pg.In == "body" && k.Body == nil {
			c.fail(where+".paging.in", "body paging needs a JSON object body on the call")
		}
		cc.pager = p
	}
	cc.stop = c.rules(where+".stop", k.Stop)
	cc.perPage = cc.usesAny("page") || usesName(out.headers, "page")
	cc.usesAuth = cc.usesAny("auth") || usesName(out.headers, "auth")
	return cc
}
