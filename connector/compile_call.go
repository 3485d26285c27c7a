package connector

import (
	"cmp"
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
	cc := &compiledCall{name: cmp.Or(k.Name, defaultName), where: where, idempotent: k.Idempotent, timeout: time.Duration(k.Timeout)}
	c.target(where, k, cc)
	cc.auth = c.callAuth(where, k.Auth, out)
	cc.query = c.templates(where+".query", k.Query, template.Plain)
	cc.headers = c.templates(where+".headers", k.Headers, template.Plain)
	if k.Body != nil && k.Form != nil {
		c.fail(where, "give body or form, not both")
	}
	if k.Body != nil {
		cc.body = c.tree(where+".body", k.Body)
	}
	cc.form = c.templates(where+".form", k.Form, template.Plain)
	cc.success = c.rule(where+".success", k.Success)
	// A call without failure conditions or error rules of its own uses the
	// connection's: the plan holds them where they are read.
	if cc.failure = c.conds(where+".failure", k.Failure); cc.failure == nil {
		cc.failure = out.failure
	}
	if cc.errors = c.errorRules(where+".errors", k.Errors); cc.errors == nil {
		cc.errors = out.errors
	}
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

// target compiles what a call is sent to: its method and its path or URL.
func (c *compiler) target(where string, k *Call, cc *compiledCall) {
	cc.method = cmp.Or(strings.ToUpper(k.Method), http.MethodGet)
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
}

// callAuth resolves the auth block a call names ("": the default, "none":
// none) and records that it is used.
func (c *compiler) callAuth(where, name string, out *compiled) string {
	switch name {
	case "":
		name = out.defaultAuth
	case "none":
		return ""
	default:
		if _, ok := c.spec.Connection.Auth[name]; !ok {
			c.fail(where+".auth", "no auth block named %q", name)
		}
	}
	if name != "" {
		out.usedAuths[name] = true
	}
	return name
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
	cc.records = c.path(where+".records", k.Records) // "": the body itself, paged or not
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
		if pg.Concurrency < 0 || pg.Concurrency > MaxImportConcurrency {
			c.fail(where+".paging.concurrency", "want 0 (the default, %d) to %d", DefaultImportConcurrency, MaxImportConcurrency)
		}
		cc.pager = p
		cc.concurrency = pg.Concurrency
	}
	cc.allowMissing = k.AllowMissingRecords
	cc.stop = c.rules(where+".stop", k.Stop)
	cc.perPage = cc.usesAny("page") || usesName(out.headers, "page")
	cc.usesAuth = cc.usesAny("auth") || usesName(out.headers, "auth")
	return cc
}
