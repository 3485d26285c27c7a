package saviynt

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/restconn/restconn/connector"
)

// This file converts what every Saviynt call has (url, httpMethod,
// httpParams, httpHeaders, httpContentType, successResponses,
// unsuccessResponses, connection) into a connector.Call.

// callIn is one Saviynt call object with where it is, for warnings.
type callIn struct {
	attr     string
	path     string         // the call object
	httpPath string         // where url, httpMethod, httpParams, ... are (import calls nest them in "http")
	m        map[string]any // url, httpMethod, httpParams, httpHeaders, httpContentType, ...
}

func (in callIn) http(field string) string {
	if in.httpPath != "" {
		return join(in.httpPath, field)
	}
	return join(in.path, field)
}

// failure reports a part of a call that cannot be converted; the call (and
// what needs it) is left out.
type failure struct {
	path string
	msg  string
}

func (f *failure) Error() string { return f.msg }

func fail(path, format string, args ...any) *failure {
	return &failure{path: path, msg: fmt.Sprintf(format, args...)}
}

// exprFail wraps a translation error of the expression at path.
func exprFail(path string, err error) *failure {
	var ee *exprError
	if errors.As(err, &ee) {
		return fail(path, "cannot translate the expression: %s", ee.msg)
	}
	return fail(path, "cannot translate the expression: %v", err)
}

var (
	// originRe matches a URL's scheme and host, or a package-import
	// placeholder that stands for both (@HOSTURL@/api/users, as Saviynt's
	// own connector packages write their URLs).
	originRe    = regexp.MustCompile(`(?i)^(https?://[^/?#$]+|@@?[A-Za-z_][A-Za-z0-9_]*@@?)`)
	placeholder = regexp.MustCompile(`@@?([A-Za-z_][A-Za-z0-9_]*)@@?`) // a package-import placeholder such as @@HOST_URL@@
)

// placeholderParams replaces the package-import placeholders of s with
// required parameters of the same names.
func (cv *converter) placeholderParams(s string) string {
	return placeholder.ReplaceAllStringFunc(s, func(m string) string {
		return cv.requiredParam(ident(placeholder.FindStringSubmatch(m)[1]), "replaces the placeholder "+m+", a value the connection's package left to fill in")
	})
}

// literalPlaceholders replaces the package-import placeholders in the
// literal text of template t (/tenants/@TENANT_CODE@/users, a header, a
// form field, a body value) with required parameters: sent as written
// they would reach the target as text.
func (cv *converter) literalPlaceholders(t string) string {
	var b strings.Builder
	for t != "" {
		i := strings.Index(t, "{{")
		if i < 0 {
			i = len(t)
		}
		b.WriteString(cv.placeholderParams(t[:i]))
		t = t[i:]
		if t == "" {
			break
		}
		j := strings.Index(t, "}}")
		if j < 0 {
			j = len(t) - 2
		}
		b.WriteString(t[:j+2])
		t = t[j+2:]
	}
	return b.String()
}

// chooseOrigin makes the scheme://host most call URLs use the base URL.
func (cv *converter) chooseOrigin() {
	count := map[string]int{}
	var order []string
	relative := false // a URL that is only a path
	add := func(u string) {
		u = strings.TrimSpace(u)
		relative = relative || strings.HasPrefix(u, "/")
		m := originRe.FindString(u)
		if m == "" {
			return
		}
		k := strings.ToLower(m)
		if count[k] == 0 {
			order = append(order, m)
		}
		count[k]++
	}
	for _, u := range cv.callURLs() {
		add(u)
	}
	if len(order) == 0 {
		if relative {
			// The connection's URLs are paths only (packages published
			// with the host taken out): the caller gives the host.
			cv.spec.Connection.BaseURL = cv.requiredParam("baseURL", "Scheme and host of the target API (the connection's call URLs are paths only).")
			cv.pathsOnly = true
		}
		return
	}
	best := order[0]
	for _, o := range order {
		if count[strings.ToLower(o)] > count[strings.ToLower(best)] {
			best = o
		}
	}
	cv.origin = best
	if placeholder.MatchString(best) {
		// A package-import placeholder such as @@HOST_URL@@: a required
		// parameter.
		cv.spec.Connection.BaseURL = cv.placeholderParams(best)
		return
	}
	cv.spec.Params["baseURL"] = connector.ParamSpec{Description: "Scheme and host of the target API (from the connection's call URLs).", Default: best}
	cv.spec.Connection.BaseURL = "{{ .params.baseURL }}"
}

// callURLs collects the URL of every call, in the order eachCall visits
// them; token endpoints come last, so an API on its own host wins.
func (cv *converter) callURLs() []string {
	var out []string
	cv.eachCall(func(m map[string]any) {
		if u := str(m, "url"); u != "" {
			out = append(out, u)
		}
	})
	auths := obj(obj(cv.attrs[attrConnection])["authentications"])
	for _, n := range sortedKeys(auths) {
		if u := str(obj(auths[n]), "url"); u != "" {
			out = append(out, u)
		}
	}
	return out
}

// callURL converts a templated URL into path (relative to the base URL) or
// url, and the query parameters it carries.
func (cv *converter) callURL(path, raw string, sc *scope) (p, u string, query map[string]string, err *failure) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "", nil, fail(path, "missing: the call has no url")
	}
	segs, e := splitGString(raw)
	if e != nil {
		return "", "", nil, exprFail(path, e)
	}
	relative := false
	var host string // another API's scheme and host: a parameter of its own
	if len(segs) > 0 && !segs[0].isExpr {
		if o := originRe.FindString(segs[0].text); o != "" {
			rest := segs[0].text[len(o):]
			switch {
			case strings.EqualFold(o, cv.origin):
				relative = true
			case !strings.Contains(o, "@"):
				host = cv.param("url_"+strings.ToLower(ident(strings.SplitN(o, "://", 2)[1])), sc.attr, path, o)
			case placeholder.FindString(o) == o:
				// Another placeholder host: a required parameter of its own.
				host = cv.placeholderParams(o)
			}
			if relative || host != "" {
				segs = append([]segment{{text: rest}}, segs[1:]...)
			}
		} else if strings.HasPrefix(segs[0].text, "/") && cv.spec.Connection.BaseURL != "" {
			// A path only: Saviynt's packages leave the host to the
			// installer; it is the base URL's.
			relative = true
			if cv.pathsOnly && !cv.pathsOnlyWarned {
				cv.pathsOnlyWarned = true
				cv.warn(sc.attr, path, "the URL is a path only, as are the connection's others: give the scheme and host as the baseURL parameter")
			}
		}
	}
	// Cut at the first literal '?': the rest is the query.
	var pathSegs, querySegs []segment
	cut := false
	for _, s := range segs {
		switch {
		case cut:
			querySegs = append(querySegs, s)
		case !s.isExpr && strings.Contains(s.text, "?"):
			i := strings.Index(s.text, "?")
			pathSegs = append(pathSegs, segment{text: s.text[:i]})
			querySegs = append(querySegs, segment{text: s.text[i+1:]})
			cut = true
		default:
			pathSegs = append(pathSegs, s)
		}
	}
	em := sc.emitter()
	params, ok := splitQuery(querySegs)
	if !ok {
		// Keep the query in the URL; it is still templated, but values
		// are not query-escaped.
		cv.warn(sc.attr, path, "the query string could not be split into parameters; it stays in the URL")
		pathSegs = append(append(pathSegs, segment{text: "?"}), querySegs...)
		params = nil
	}
	t, e := em.textTemplate(pathSegs)
	if e != nil {
		return "", "", nil, exprFail(path, e)
	}
	t = cv.literalPlaceholders(t)
	if len(params) > 0 {
		query = map[string]string{}
		for _, q := range params {
			v, e := em.textTemplate(q.value)
			if e != nil {
				return "", "", nil, exprFail(path, e)
			}
			v = cv.literalPlaceholders(v)
			if _, dup := query[q.key]; dup {
				return "", "", nil, fail(path, "the query parameter %q is given twice", q.key)
			}
			if sensitive(q.key) && !hasExpr(q.value) {
				v = cv.secret(sc.prefix+"_"+q.key, sc.attr, path+" (query "+q.key+")")
			}
			query[q.key] = v
		}
	}
	sc.addNotes(cv, path)
	if !relative {
		return "", host + t, query, nil
	}
	if t == "" {
		t = "/"
	}
	return t, "", query, nil
}

type queryParam struct {
	key   string
	value []segment
}

// splitQuery splits a templated query string into parameters whose keys
// are literal. Literal parts are decoded: the engine encodes values itself.
func splitQuery(segs []segment) ([]queryParam, bool) {
	var out []queryParam
	var cur *queryParam
	inKey := true
	var key strings.Builder
	flushKey := func() {
		k, err := url.QueryUnescape(key.String())
		if err != nil {
			k = key.String()
		}
		out = append(out, queryParam{key: k})
		cur = &out[len(out)-1]
		key.Reset()
	}
	for _, s := range segs {
		if s.isExpr {
			if inKey {
				return nil, false // a computed key or a whole computed query
			}
			cur.value = append(cur.value, s)
			continue
		}
		for _, r := range s.text {
			switch {
			case r == '&':
				if inKey && key.Len() > 0 {
					flushKey()
				}
				inKey = true
			case r == '=' && inKey:
				flushKey()
				inKey = false
			case inKey:
				key.WriteRune(r)
			default:
				n := len(cur.value)
				if n > 0 && !cur.value[n-1].isExpr {
					cur.value[n-1].text += string(r)
				} else {
					cur.value = append(cur.value, segment{text: string(r)})
				}
			}
		}
	}
	if inKey && key.Len() > 0 {
		flushKey()
	}
	for i := range out {
		for j := range out[i].value {
			if !out[i].value[j].isExpr {
				if d, err := url.QueryUnescape(out[i].value[j].text); err == nil {
					out[i].value[j].text = d
				}
			}
		}
		if out[i].key == "" {
			return nil, false
		}
	}
	return out, true
}

func hasExpr(segs []segment) bool {
	for _, s := range segs {
		if s.isExpr {
			return true
		}
	}
	return false
}

// contentKind is how a call's params travel.
type contentKind int

const (
	kindNone contentKind = iota
	kindJSON
	kindForm
	kindOther
)

func contentOf(ct string) contentKind {
	base := strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	switch {
	case base == "":
		return kindNone
	case strings.Contains(base, "json"):
		return kindJSON
	case strings.HasPrefix(base, "application/x-www-form-urlencoded"):
		return kindForm
	}
	return kindOther
}

// callFields are the fields of provisioning, ticket, token and import
// calls (import calls' http members included); others are reported.
var callFields = map[string]bool{
	"name": true, "connection": true, "url": true, "httpMethod": true, "httpParams": true, "httpHeaders": true,
	"httpContentType": true, "successResponses": true, "unsuccessResponses": true, "callCondition": true,
	"callListPath": true, "callOrder": true, "http": true, "listField": true, "keyField": true, "colsToPropsMap": true,
	"pagination": true, "statusConfig": true, "inputParams": true, "nextApiKeyField": true, "stageNumber": true,
	"makeProcessingStatus": true, "processingType": true, "dateFormat": true, "disableDeletedEntitlements": true,
	"disableDeletedAccounts": true, "entKeyField": true, "entIdPath": true, "acctKeyField": true, "acctIdPath": true,
}

// convertCall converts the common fields of a call. name is the restconn
// call name (already an identifier).
func (cv *converter) convertCall(in callIn, name string, sc *scope) (*connector.Call, *failure) {
	m := in.m
	c := &connector.Call{Name: name}
	sc.attr = in.attr
	for _, k := range sortedKeys(m) {
		if !callFields[k] {
			cv.warn(in.attr, join(in.path, k), "not converted: unknown call field")
		}
	}
	if sc.prefix == "" {
		sc.prefix = name
	}

	// Auth block: the call's connection.
	if conn := str(m, "connection"); conn != "" {
		if strings.Contains(conn, "${") {
			cv.warn(in.attr, join(in.path, "connection"), "a computed connection (%s) uses the default auth block", conn)
		} else {
			ab, ok := cv.auths[conn]
			switch {
			case !ok:
				return nil, fail(join(in.path, "connection"), "no auth block named %q in ConnectionJSON", conn)
			case ab.unsupported != "":
				return nil, fail(join(in.path, "connection"), "auth block %q cannot be converted (%s)", conn, ab.unsupported)
			}
			c.Auth = ab.name
			sc.auth = ab
		}
	}
	if sc.auth == nil && !sc.noAuth {
		sc.auth = cv.auths[cv.defaultAuthSaviynt()]
		if sc.auth != nil && sc.auth.unsupported != "" {
			return nil, fail(join(in.path, "connection"), "the default auth block %q cannot be converted (%s)", sc.auth.saviynt, sc.auth.unsupported)
		}
	}
	if sc.auth != nil && sc.auth.token != nil {
		sc.token = sc.auth.token
	}

	// Method.
	method := strings.ToUpper(strings.TrimSpace(str(m, "httpMethod")))
	switch method {
	case "":
		method = "GET"
	case "GETWITHBODY":
		method = "GET"
	case "DELETEWITHBODY":
		method = "DELETE"
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
	default:
		if strings.Contains(method, "${") {
			return nil, fail(in.http("httpMethod"), "a computed HTTP method (%s): restconn calls have one method", str(m, "httpMethod"))
		}
		return nil, fail(in.http("httpMethod"), "unknown HTTP method %q", str(m, "httpMethod"))
	}
	if method != "GET" {
		c.Method = method
	}

	// URL.
	p, u, q, f := cv.callURL(in.http("url"), str(m, "url"), sc)
	if f != nil {
		return nil, f
	}
	c.Path, c.URL, c.Query = p, u, q

	// Headers and content type.
	headers := obj(m["httpHeaders"])
	ct := str(m, "httpContentType")
	for _, k := range sortedKeys(headers) {
		if (strings.EqualFold(k, "Content-Type") || strings.EqualFold(k, "contentType")) && ct == "" {
			ct, _ = headers[k].(string)
		}
	}
	hs, f := cv.headers(in, headers, sc)
	if f != nil {
		return nil, f
	}

	// Body.
	body, form, f := cv.params(in, m["httpParams"], ct, sc)
	if f != nil {
		return nil, f
	}
	c.Body, c.Form = body, form
	if ct != "" && (body != nil || form != nil) {
		// The engine sends application/json with a body and
		// application/x-www-form-urlencoded with a form; another type
		// (application/scim+json, a charset) is sent as written.
		norm := strings.ToLower(strings.TrimSpace(ct))
		if norm == "application/x-www-form-urlencoded-pws" {
			norm, ct = "application/x-www-form-urlencoded", "application/x-www-form-urlencoded" // Saviynt's variant is no media type
		}
		def := body != nil && norm == "application/json" || form != nil && norm == "application/x-www-form-urlencoded"
		if !def {
			if hs == nil {
				hs = map[string]string{}
			}
			hs["Content-Type"] = ct
		}
	}
	c.Headers = hs

	// Response rules.
	success, failures, f := cv.rules(in, sc)
	if f != nil {
		return nil, f
	}
	c.Success, c.Failure = success, failures
	return c, nil
}

// headers converts httpHeaders. The ${access_token} header the auth block
// injects is dropped; literal credentials become secrets.
func (cv *converter) headers(in callIn, headers map[string]any, sc *scope) (map[string]string, *failure) {
	out := map[string]string{}
	em := sc.emitter()
	for _, raw := range sortedKeys(headers) {
		path := join(in.http("httpHeaders"), raw)
		// Hand-written names carry stray spaces ("X-Api-Key "), which no
		// header name may hold: the name without them is the one meant.
		k := strings.TrimSpace(raw)
		if k != raw && k != "" {
			cv.warn(in.attr, path, "header name %q has spaces around it: sent as %q", raw, k)
		}
		if strings.EqualFold(k, "contentType") || strings.EqualFold(k, "Content-Type") {
			continue // decides the body; written back by convertCall when needed
		}
		v, isStr := headers[raw].(string)
		if !isStr {
			if headers[raw] == nil {
				continue
			}
			b, _ := json.Marshal(headers[raw])
			v = string(b)
		}
		if sc.auth != nil && sc.auth.injects(k, v) {
			continue
		}
		segs, err := splitGString(v)
		if err != nil {
			return nil, exprFail(path, err)
		}
		if !hasExpr(segs) && sensitive(k) && v != "" {
			prefix := ""
			if f := strings.Fields(v); len(f) == 2 && authScheme(f[0]) {
				prefix = f[0] + " "
			}
			out[k] = prefix + cv.secret(sc.prefix+"_"+k, in.attr, path)
			continue
		}
		t, err := em.textTemplate(segs)
		if err != nil {
			return nil, exprFail(path, err)
		}
		out[k] = cv.literalPlaceholders(t)
	}
	sc.addNotes(cv, in.http("httpHeaders"))
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func authScheme(s string) bool {
	switch strings.ToLower(s) {
	case "bearer", "basic", "token", "ssws", "apikey", "api-key", "digest":
		return true
	}
	return false
}

// params converts httpParams: an object is a form (or a JSON body when the
// content type says JSON); a string is a JSON body, a form, or raw text,
// as the content type (or its first character) says.
func (cv *converter) params(in callIn, p any, ct string, sc *scope) (any, map[string]string, *failure) {
	path := in.http("httpParams")
	ck := contentOf(ct)
	switch x := p.(type) {
	case nil:
		return nil, nil, nil
	case map[string]any:
		if len(x) == 0 {
			return nil, nil, nil
		}
		if ck == kindJSON {
			b, f := cv.jsonTree(path, x, sc)
			return b, nil, f
		}
		if ck == kindOther {
			return nil, nil, fail(path, "a %s body: restconn sends JSON and form bodies only", ct)
		}
		form := map[string]string{}
		em := sc.emitter()
		for _, k := range sortedKeys(x) {
			var s string
			switch v := x[k].(type) {
			case string:
				s = v
			case nil:
				continue
			default:
				b, _ := json.Marshal(v)
				s = string(b)
			}
			segs, err := splitGString(s)
			if err != nil {
				return nil, nil, exprFail(join(path, k), err)
			}
			if credentialField(k) && !hasExpr(segs) && s != "" {
				form[k] = cv.secret(sc.prefix+"_"+k, in.attr, join(path, k))
				continue
			}
			t, err := em.textTemplate(segs)
			if err != nil {
				return nil, nil, exprFail(join(path, k), err)
			}
			form[k] = cv.literalPlaceholders(t)
		}
		sc.addNotes(cv, path)
		return nil, form, nil
	case string:
		s := strings.TrimSpace(x)
		if s == "" || s == "{}" {
			return nil, nil, nil
		}
		looksJSON := strings.HasPrefix(s, "{") || strings.HasPrefix(s, "[")
		switch {
		case ck == kindJSON || ck == kindNone && looksJSON:
			b, f := cv.jsonBody(path, s, sc)
			return b, nil, f
		case ck == kindForm:
			segs, err := splitGString(s)
			if err != nil {
				return nil, nil, exprFail(path, err)
			}
			q, ok := splitQuery(segs)
			if !ok {
				return nil, nil, fail(path, "a form body whose field names are computed")
			}
			form := map[string]string{}
			em := sc.emitter()
			for _, f := range q {
				if credentialField(f.key) && !hasExpr(f.value) {
					form[f.key] = cv.secret(sc.prefix+"_"+f.key, in.attr, path+" ("+f.key+")")
					continue
				}
				t, err := em.textTemplate(f.value)
				if err != nil {
					return nil, nil, exprFail(path, err)
				}
				form[f.key] = cv.literalPlaceholders(t)
			}
			sc.addNotes(cv, path)
			return nil, form, nil
		}
		what := ct
		if what == "" {
			what = "text"
		}
		return nil, nil, fail(path, "a %s body that is not JSON: restconn sends JSON and form bodies only", what)
	}
	return nil, nil, fail(path, "want an object or a string, got %s", kind(p))
}

// jsonBody converts a JSON body written as a string with ${...} inside.
// The expressions are replaced by markers, the JSON is parsed, and each
// string holding a marker becomes a template: a bare ${x} keeps its type,
// a quoted one stays a string. The body is never sent as an encoded string.
func (cv *converter) jsonBody(path, s string, sc *scope) (any, *failure) {
	segs, err := splitGString(s)
	if err != nil {
		return nil, exprFail(path, err)
	}
	mark := "\u00a7\u00a7"
	for strings.Contains(s, mark) {
		mark += "\u00a7"
	}
	var b strings.Builder
	var exprs []bodyExpr
	inStr, esc := false, false
	for _, sg := range segs {
		if sg.isExpr {
			src := sg.expr
			if inStr {
				var un string // the expression sits in a JSON string: its quotes are escaped for JSON
				if json.Unmarshal([]byte(`"`+src+`"`), &un) == nil {
					src = un
				}
				fmt.Fprintf(&b, "%s%d%s", mark, len(exprs), mark)
			} else {
				fmt.Fprintf(&b, "\"%s%d%s\"", mark, len(exprs), mark)
			}
			exprs = append(exprs, bodyExpr{src: src, bare: !inStr})
			continue
		}
		for i := 0; i < len(sg.text); i++ {
			c := sg.text[i]
			switch {
			case esc:
				esc = false
			case inStr && c == '\\':
				esc = true
			case c == '"':
				inStr = !inStr
			}
		}
		b.WriteString(sg.text)
	}
	tree, err := decodeJSON([]byte(b.String()))
	if err != nil {
		return nil, fail(path, "the body is not valid JSON once its expressions are set aside: %v", err)
	}
	bc := &bodyConv{cv: cv, sc: sc, mark: mark, exprs: exprs, em: sc.emitter()}
	out, f := bc.walk(path, tree, "")
	if f != nil {
		return nil, f
	}
	sc.addNotes(cv, path)
	return out, nil
}

// jsonTree converts an httpParams object sent as JSON: each string is a
// GString inside a JSON string.
func (cv *converter) jsonTree(path string, m map[string]any, sc *scope) (any, *failure) {
	bc := &bodyConv{cv: cv, sc: sc, em: sc.emitter()}
	out, f := bc.walk(path, m, "")
	if f != nil {
		return nil, f
	}
	sc.addNotes(cv, path)
	return out, nil
}

type bodyExpr struct {
	src  string
	bare bool
}

type bodyConv struct {
	cv    *converter
	sc    *scope
	em    *emitter
	mark  string
	re    *regexp.Regexp
	exprs []bodyExpr
}

func (bc *bodyConv) markers() *regexp.Regexp {
	if bc.mark == "" {
		return nil
	}
	if bc.re == nil {
		bc.re = regexp.MustCompile(regexp.QuoteMeta(bc.mark) + `(\d+)` + regexp.QuoteMeta(bc.mark))
	}
	return bc.re
}

func (bc *bodyConv) walk(path string, v any, key string) (any, *failure) {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			if re := bc.markers(); re != nil && re.MatchString(k) {
				return nil, fail(join(path, k), "a computed member name")
			}
			e, f := bc.walk(join(path, k), x[k], k)
			if f != nil {
				return nil, f
			}
			out[k] = e
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			c, f := bc.walk(index(path, i), e, key)
			if f != nil {
				return nil, f
			}
			out[i] = c
		}
		return out, nil
	case string:
		return bc.str(path, x, key)
	}
	return v, nil
}

func (bc *bodyConv) str(path, s, key string) (any, *failure) {
	var segs []segment
	if re := bc.markers(); re != nil {
		last := 0
		for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
			if m[0] > last {
				segs = append(segs, segment{text: s[last:m[0]]})
			}
			i, _ := strconv.Atoi(s[m[2]:m[3]])
			segs = append(segs, segment{expr: strconv.Itoa(i), isExpr: true})
			last = m[1]
		}
		if last < len(s) {
			segs = append(segs, segment{text: s[last:]})
		}
	} else {
		var err error
		if segs, err = splitGString(s); err != nil {
			return nil, exprFail(path, err)
		}
		for i := range segs {
			if segs[i].isExpr {
				bc.exprs = append(bc.exprs, bodyExpr{src: segs[i].expr})
				segs[i].expr = strconv.Itoa(len(bc.exprs) - 1)
			}
		}
	}
	if !hasExpr(segs) {
		if credentialField(key) && s != "" {
			return bc.cv.secret(bc.sc.prefix+"_"+key, bc.sc.attr, path), nil
		}
		return bc.cv.literalPlaceholders(escapeLiteral(s)), nil
	}
	if len(segs) == 1 {
		i, _ := strconv.Atoi(segs[0].expr)
		e := bc.exprs[i]
		n, err := parseExpr(e.src)
		if err != nil {
			return nil, exprFail(path, err)
		}
		var t string
		if e.bare {
			t, err = bc.em.valueTemplate(n)
		} else {
			t, err = bc.em.quotedTemplate(n)
		}
		if err != nil {
			return nil, exprFail(path, err)
		}
		return t, nil
	}
	var b strings.Builder
	for _, sg := range segs {
		if !sg.isExpr {
			b.WriteString(escapeLiteral(sg.text))
			continue
		}
		i, _ := strconv.Atoi(sg.expr)
		n, err := parseExpr(bc.exprs[i].src)
		if err != nil {
			return nil, exprFail(path, err)
		}
		t, err := bc.em.text(n)
		if err != nil {
			return nil, exprFail(path, err)
		}
		b.WriteString(t)
	}
	return b.String(), nil
}

// rules converts successResponses and unsuccessResponses.
func (cv *converter) rules(in callIn, sc *scope) (*connector.Rule, []connector.Condition, *failure) {
	var success *connector.Rule
	var failures []connector.Condition
	succ, f := cv.responseSpec(in.attr, join(in.path, "successResponses"), in.m["successResponses"])
	if f != nil {
		return nil, nil, f
	}
	if succ == nil && sc.defaultSuccess != nil {
		succ = sc.defaultSuccess
	}
	unsucc, f := cv.responseSpec(in.attr, join(in.path, "unsuccessResponses"), in.m["unsuccessResponses"])
	if f != nil {
		return nil, nil, f
	}
	if unsucc == nil && sc.defaultFailure != nil {
		unsucc = sc.defaultFailure
	}
	bad := map[int]bool{}
	if unsucc != nil {
		for _, s := range unsucc.status {
			bad[s] = true
		}
		failures = append(failures, unsucc.conds...)
	}
	if succ != nil {
		r := &connector.Rule{When: succ.conds}
		for _, s := range succ.status {
			if !bad[s] {
				r.Status = append(r.Status, s)
			}
		}
		if len(succ.status) > 0 && len(r.Status) == 0 {
			return nil, nil, fail(join(in.path, "successResponses"), "every success status is also listed as a failure")
		}
		if len(r.Status) > 0 || len(r.When) > 0 {
			success = r
		}
	}
	// A failure status inside 2xx that success does not already exclude.
	var twoXX []string
	for _, s := range sortedInts(bad) {
		if s >= 200 && s <= 299 && (success == nil || len(success.Status) == 0) {
			twoXX = append(twoXX, strconv.Itoa(s))
		}
	}
	if len(twoXX) > 0 {
		failures = append(failures, connector.Condition{Value: "{{ eq .response.status " + strings.Join(twoXX, " ") + " }}"})
	}
	return success, failures, nil
}

func sortedInts(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

// respSpec is a decoded successResponses or unsuccessResponses.
type respSpec struct {
	status []int
	conds  []connector.Condition // body conditions: any holding (unsuccess) or all holding (success)
}

// responseSpec reads {"statusCode": [...], "<body path>": value or [values]}
// (also a scalar statusCode, and the list form [{...}]).
func (cv *converter) responseSpec(attr, path string, v any) (*respSpec, *failure) {
	var m map[string]any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case map[string]any:
		m = x
	case []any:
		var objs []map[string]any
		for _, e := range x {
			if o := obj(e); len(o) > 0 {
				objs = append(objs, o)
			}
		}
		switch len(objs) {
		case 0:
			return nil, nil
		case 1:
			m = objs[0]
		default:
			// Alternatives (any one succeeds) of status codes only can be
			// merged; alternatives with body conditions cannot.
			m = map[string]any{}
			var all []any
			for _, o := range objs {
				for k, e := range o {
					if k != "statusCode" {
						return nil, fail(path, "alternative response rules with body conditions cannot be converted")
					}
					if l, ok := e.([]any); ok {
						all = append(all, l...)
					} else {
						all = append(all, e)
					}
				}
			}
			m["statusCode"] = all
		}
	default:
		return nil, fail(path, "want an object, got %s", kind(v))
	}
	rs := &respSpec{}
	for _, k := range sortedKeys(m) {
		e := m[k]
		kp := join(path, k)
		if k == "statusCode" {
			list, isList := e.([]any)
			if !isList {
				list = []any{e}
			}
			for _, s := range list {
				if s == nil {
					continue // [null, 400]: null matches no response
				}
				n, ok := intOf(s)
				if !ok || n < 100 || n > 599 {
					return nil, fail(kp, "%v is not an HTTP status", s)
				}
				rs.status = append(rs.status, n)
			}
			continue
		}
		var vals []any
		switch x := e.(type) {
		case []any:
			vals = x
		case nil:
			continue
		default:
			vals = []any{x}
		}
		var kept []any
		for _, x := range vals {
			if s, ok := x.(string); ok && s == "" {
				continue
			}
			kept = append(kept, x)
		}
		if len(kept) == 0 {
			cv.warn(attr, kp, "an empty value tests nothing; left out")
			continue
		}
		jp, err := jsonPath(k)
		if err != nil {
			return nil, fail(kp, "%v", err)
		}
		if len(kept) == 1 {
			rs.conds = append(rs.conds, connector.Condition{Path: jp, Equals: kept[0]})
		} else {
			rs.conds = append(rs.conds, connector.Condition{Path: jp, In: kept})
		}
	}
	if len(rs.status) == 0 && len(rs.conds) == 0 {
		return nil, nil
	}
	return rs, nil
}
