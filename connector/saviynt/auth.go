package saviynt

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/restconn/restconn/connector"
)

// This file converts ConnectionJSON: one restconn auth block per entry of
// "authentications", under the same name (made an identifier), plus the
// test connection call, rate limits and token expiry rules.
//
//	Basic with properties.userName/password  basic
//	a static accessToken (oauth2, Basic)     bearer, the token a secret
//	oauth2 token call, client credentials    oauth2
//	any other token call (password grant,
//	  refresh token, JSON body, header token) session with a login call
//	BasicWithAccessToken                     session, login signed with Basic
//	cookies, #HEADERS#Set-Cookie             session, token from the Set-Cookie header
//	BasicWithHmac, SignedHeaders, Jwt        not converted (calls using them are left out)

// authBlock is one converted auth block.
type authBlock struct {
	saviynt     string    // name in ConnectionJSON
	name        string    // restconn block name
	typ         string    // restconn auth type
	unsupported string    // why the block is left out
	inject      string    // header the engine puts the token in ("" for none)
	literal     string    // text the calls write before ${access_token} in that header
	token       *resolved // what ${access_token} is elsewhere
}

// injects reports whether a call header is the one the engine adds itself.
func (a *authBlock) injects(header, value string) bool {
	return a.unsupported == "" && a.inject != "" && strings.EqualFold(header, a.inject) &&
		value == a.literal+"${access_token}"
}

// tokenHeaders counts, per Saviynt auth name, the headers whose value is
// "<literal>${access_token}": the most used becomes the block's injection.
func (cv *converter) tokenHeaders() map[string]map[string]int {
	uses := map[string]map[string]int{}
	def := cv.defaultAuthSaviynt()
	cv.eachCall(func(m map[string]any) {
		conn := cmp.Or(str(m, "connection"), def)
		h := obj(m["httpHeaders"])
		if h == nil {
			h = obj(obj(m["http"])["httpHeaders"])
		}
		for k, v := range h {
			s, _ := v.(string)
			if lit, ok := strings.CutSuffix(s, "${access_token}"); ok && !strings.Contains(lit, "${") {
				if uses[conn] == nil {
					uses[conn] = map[string]int{}
				}
				uses[conn][k+"\x00"+lit]++
			}
		}
	})
	return uses
}

// eachCall visits every call object of the connection.
func (cv *converter) eachCall(fn func(map[string]any)) {
	visit := func(v any) {
		switch c := v.(type) {
		case []any:
			for _, x := range c {
				if m := obj(x); m != nil {
					fn(m)
				}
			}
		case map[string]any:
			for _, k := range sortedKeys(c) {
				if m := obj(c[k]); m != nil {
					fn(m)
				}
			}
		}
	}
	if imp := obj(cv.attrs[attrImport]); imp != nil {
		ap := obj(imp["accountParams"])
		for _, c := range callsOf(ap["call"]) {
			withConn(c, str(ap, "connection"), fn)
		}
		ep := obj(imp["entitlementParams"])
		ents := obj(ep["entTypes"])
		for _, t := range sortedKeys(ents) {
			for _, c := range callsOf(obj(ents[t])["call"]) {
				withConn(c, str(ep, "connection"), fn)
			}
		}
		aep := obj(imp["acctEntParams"])
		links := obj(aep["entTypes"])
		for _, t := range sortedKeys(links) {
			for _, c := range callsOf(obj(links[t])["call"]) {
				def := firstStr(aep, "connection")
				switch {
				case def != "":
				case str(c, "processingType") == "httpEntToAcct":
					def = str(ep, "connection")
				default:
					def = str(ap, "connection")
				}
				withConn(c, def, fn)
			}
		}
	}
	for _, o := range opAttrs {
		visit(obj(cv.attrs[o.attr])["call"])
	}
	for _, a := range []string{attrCreateTicket, attrTicketStatus} {
		visit(obj(cv.attrs[a])["call"])
	}
	if conn := obj(cv.attrs[attrConnection]); conn != nil {
		auths := obj(conn["authentications"])
		for _, n := range sortedKeys(auths) {
			if t := obj(obj(auths[n])["testConnectionParams"]); t != nil {
				m := map[string]any{"connection": n}
				for k, v := range obj(t["http"]) {
					m[k] = v
				}
				fn(m)
			}
		}
	}
}

// withConn calls fn with an import call whose connection defaults to the
// params' connection, and whose http fields are at the top.
func withConn(c map[string]any, def string, fn func(map[string]any)) {
	m := map[string]any{}
	for k, v := range obj(c["http"]) {
		m[k] = v
	}
	for k, v := range c {
		if k != "http" {
			m[k] = v
		}
	}
	if str(m, "connection") == "" && def != "" {
		m["connection"] = def
	}
	fn(m)
}

// callsOf returns the call objects of a call map ({"call1": {...}}) in
// callOrder (then name) order.
func callsOf(v any) []map[string]any {
	m := obj(v)
	names := sortedKeys(m)
	sort.SliceStable(names, func(i, j int) bool {
		a, aok := intOf(obj(m[names[i]])["callOrder"])
		b, bok := intOf(obj(m[names[j]])["callOrder"])
		if aok != bok {
			return aok
		}
		return a < b
	})
	var out []map[string]any
	for _, n := range names {
		if c := obj(m[n]); c != nil {
			if _, has := c["name"]; !has {
				c = cloneObj(c)
				c["name"] = n
			}
			out = append(out, c)
		}
	}
	return out
}

func cloneObj(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// defaultAuthSaviynt is the Saviynt auth name used by calls that name none:
// the import's connection, else the most used one, else the first.
func (cv *converter) defaultAuthSaviynt() string {
	if cv.defAuth == nil {
		d := cv.chooseDefaultAuth()
		cv.defAuth = &d
	}
	return *cv.defAuth
}

func (cv *converter) chooseDefaultAuth() string {
	names := cv.authNames
	if len(names) == 0 {
		return ""
	}
	if c := str(obj(obj(cv.attrs[attrImport])["accountParams"]), "connection"); c != "" {
		if _, ok := cv.auths[c]; ok {
			return c
		}
	}
	count := map[string]int{}
	best := names[0]
	cv.eachCall(func(m map[string]any) {
		if c := str(m, "connection"); c != "" {
			count[c]++
			if count[c] > count[best] {
				best = c
			}
		}
	})
	if _, ok := cv.auths[best]; !ok {
		return names[0]
	}
	return best
}

func (cv *converter) defaultAuth() string {
	if a := cv.auths[cv.defaultAuthSaviynt()]; a != nil && a.unsupported == "" {
		return a.name
	}
	for _, n := range cv.authNames {
		if a := cv.auths[n]; a.unsupported == "" {
			return a.name
		}
	}
	return "none"
}

// known fields of an auth block; the rest are reported.
var authFields = map[string]bool{
	"authType": true, "url": true, "httpMethod": true, "httpParams": true, "httpHeaders": true, "httpContentType": true,
	"properties": true, "expiryError": true, "authError": true, "timeOutError": true, "errorPath": true,
	"retryFailureStatusCode": true, "maxRefreshTryCount": true, "tokenResponsePath": true, "tokenType": true,
	"accessToken": true, "authHeaderName": true, "refreshType": true, "refreshToken": true,
	"refreshTokenResponsePath": true, "refreshTokenAuthError": true, "refreshTokenErrorPath": true,
	"refreshTokenCall": true, "refreshTokenFlag": true, "testConnectionParams": true, "maskInLogs": true,
	"cleanUpTextContent": true, "apiRateLimitConfig": true, "retryAfterCalls": true, "retryWaitSeconds": true,
	"cookies": true, "testname": true, "ssl": true, "jwtConfig": true, "httpParamsName": true,
	"username": true, "password": true, "client_id": true, "client_secret": true, "scope": true,
}

// connection converts ConnectionJSON.
func (cv *converter) connection() {
	conn := obj(cv.attrs[attrConnection])
	if conn == nil {
		return
	}
	auths := obj(conn["authentications"])
	for _, k := range sortedKeys(conn) {
		if k != "authentications" {
			cv.warn(attrConnection, k, "not converted: unknown ConnectionJSON member")
		}
	}
	if len(auths) == 0 {
		cv.warn(attrConnection, "authentications", "missing or empty: no auth block")
		return
	}
	cv.authNames = sortedKeys(auths)
	names := map[string]string{}
	for _, n := range cv.authNames {
		id := ident(n)
		if id == "none" {
			id = "none_"
		}
		for other, o := range names {
			if o == id && other != n {
				id += "_2"
			}
		}
		names[n] = id
		if id != n {
			cv.warn(attrConnection, join("authentications", n), "auth block renamed %q: restconn names are identifiers", id)
		}
		cv.auths[n] = &authBlock{saviynt: n, name: id}
	}
	cv.tokenUses = cv.tokenHeaders()
	var limits []*connector.RateLimit
	for _, n := range cv.authNames {
		a := obj(auths[n])
		path := join("authentications", n)
		if a == nil {
			cv.auths[n].unsupported = "not an object"
			cv.warn(attrConnection, path, "left out: want an object")
			continue
		}
		cv.authBlock(cv.auths[n], a, path)
		if rl := cv.rateLimit(a, path); rl != nil {
			limits = append(limits, rl)
		}
	}
	if len(limits) > 0 {
		best := limits[0]
		for _, l := range limits[1:] {
			if l.RequestsPerSecond < best.RequestsPerSecond {
				best = l
			}
		}
		cv.spec.Connection.RateLimit = best
		if len(limits) > 1 {
			cv.warn(attrConnection, "authentications", "restconn has one client-side rate limit per connection: the strictest apiRateLimitConfig applies to every call")
		}
	}
	for _, n := range cv.authNames {
		cv.testConnection(n, obj(auths[n]))
	}
}

// authBlock converts one entry of "authentications".
func (cv *converter) authBlock(ab *authBlock, a map[string]any, path string) {
	for _, k := range sortedKeys(a) {
		if !authFields[k] {
			cv.warn(attrConnection, join(path, k), "not converted: unknown auth field")
		}
	}
	typ := strings.ToLower(str(a, "authType"))
	props := obj(a["properties"])
	user := firstStr(props, "userName", "username", "user", "userId")
	if user == "" {
		user = firstStr(a, "username")
	}
	pass := firstStr(props, "password")
	passPath := join(join(path, "properties"), "password")
	if pass == "" && str(a, "password") != "" {
		pass, passPath = str(a, "password"), join(path, "password")
	}
	access := str(a, "accessToken")
	tokenURL := str(a, "url")
	out := &connector.Auth{}
	cv.injection(ab, a)

	switch {
	case typ == "basicwithhmac" || typ == "signedheaders" || typ == "jwt":
		ab.unsupported = fmt.Sprintf("restconn has no %s auth", str(a, "authType"))
	case typ == "basic" && user != "":
		out.Type = "basic"
		out.Username = cv.param(ab.name+"_username", attrConnection, join(join(path, "properties"), "userName"), user)
		if pass != "" {
			out.Password = cv.secret(ab.name+"_password", attrConnection, passPath)
		}
		ab.typ, ab.inject, ab.literal = "basic", "Authorization", ""
		pw := `""`
		if out.Password != "" {
			pw = unwrap(out.Password)
		}
		ab.token = &resolved{expr: call("basicAuth", unwrap(out.Username), pw), prefix: "Basic ", typ: tStr}
	case typ == "basicwithaccesstoken" || typ == "cookies" || tokenURL != "" && (typ == "oauth2" || typ == "bearer" || typ == "" || typ == "basic"):
		if tokenURL == "" {
			ab.unsupported = "a token auth without a url"
			break
		}
		if std := cv.clientCredentials(ab, a, path, out); std {
			break
		}
		cv.session(ab, a, path, typ, out)
	case access != "":
		out.Type = "bearer"
		prefix, _ := splitToken(access, str(a, "tokenType"))
		out.Token = cv.secret(ab.name+"_accessToken", attrConnection, join(path, "accessToken"))
		if prefix != "" {
			cv.warn(attrConnection, join(path, "accessToken"), "pass the token without its %q prefix: restconn adds it", strings.TrimSpace(prefix))
		}
		ab.typ = "bearer"
		ab.token = &resolved{expr: unwrap(out.Token), prefix: prefix + ab.literal, typ: tStr}
		out.Inject = &connector.TokenPlacement{In: "header", Name: ab.inject, Prefix: prefix + ab.literal}
		if ab.inject == "" {
			out.Inject.Name, ab.inject = "Authorization", "Authorization"
		}
	case typ == "basic" || typ == "oauth2" || typ == "":
		// An empty Basic block: the calls carry their own credentials
		// (an API key header), which become secrets where they are.
		out.Type = "none"
		ab.typ = "none"
		ab.inject = ""
	default:
		ab.unsupported = fmt.Sprintf("unknown authType %q", str(a, "authType"))
	}
	if ab.unsupported != "" {
		cv.warn(attrConnection, path, "left out: %s; calls that use it are left out too", ab.unsupported)
		return
	}
	if out.Type == "session" || out.Type == "oauth2" || out.Type == "bearer" {
		out.Expiry = cv.expiry(a, path)
	} else if len(cv.expiry(a, path)) > 0 {
		cv.warn(attrConnection, path, "token expiry rules do not apply to %s auth: left out", out.Type)
	}
	cv.authExtras(a, path)
	if cv.spec.Connection.Auth == nil {
		cv.spec.Connection.Auth = map[string]*connector.Auth{}
	}
	cv.spec.Connection.Auth[ab.name] = out
}

func firstStr(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s := str(m, k); s != "" {
			return s
		}
	}
	return ""
}

// injection decides where the token goes: authHeaderName, else the header
// the calls put ${access_token} in, else Authorization.
func (cv *converter) injection(ab *authBlock, a map[string]any) {
	uses := cv.tokenUses[ab.saviynt]
	best, n := "", 0
	for _, k := range sortedKeys(uses) {
		if uses[k] > n {
			best, n = k, uses[k]
		}
	}
	header, literal, _ := strings.Cut(best, "\x00")
	if h := str(a, "authHeaderName"); h != "" {
		if !strings.EqualFold(h, header) {
			literal = ""
		}
		header = h
	}
	if header == "" {
		header = "Authorization"
	}
	ab.inject, ab.literal = header, literal
}

// splitToken splits "Bearer abc" into the prefix and the token. A static
// token is ${access_token} as written: tokenType prefixes only the tokens a
// token call fetches.
func splitToken(access, tokenType string) (prefix, token string) {
	f := strings.SplitN(strings.TrimSpace(access), " ", 2)
	if len(f) == 2 && (strings.EqualFold(f[0], tokenType) || authScheme(f[0])) {
		return f[0] + " ", f[1]
	}
	return "", access
}

func tokenPrefix(tokenType string) string {
	if t := strings.TrimSpace(tokenType); t != "" {
		return t + " "
	}
	return ""
}

// clientCredentials converts a standard OAuth 2.0 client-credentials token
// call into an oauth2 block; it reports false for any other token call.
func (cv *converter) clientCredentials(ab *authBlock, a map[string]any, path string, out *connector.Auth) bool {
	if strings.ToLower(str(a, "authType")) != "oauth2" {
		return false
	}
	params := obj(a["httpParams"])
	if params == nil || !strings.EqualFold(str(params, "grant_type"), "client_credentials") {
		return false
	}
	if m := strings.ToUpper(str(a, "httpMethod")); m != "" && m != "POST" {
		return false
	}
	if ct := str(a, "httpContentType"); ct != "" && contentOf(ct) != kindForm {
		return false
	}
	if p := str(a, "tokenResponsePath"); p != "" && p != "access_token" {
		return false
	}
	if str(a, "refreshType") != "" || a["refreshTokenCall"] != nil || strings.Contains(str(a, "url"), "${") {
		return false
	}
	for k := range obj(a["httpHeaders"]) {
		if !strings.EqualFold(k, "Content-Type") && !strings.EqualFold(k, "contentType") && !strings.EqualFold(k, "Accept") {
			return false
		}
	}
	id, secret := str(params, "client_id"), str(params, "client_secret")
	for _, v := range params {
		if s, ok := v.(string); !ok || strings.Contains(s, "${") {
			return false // a computed or non-text field: not a plain token request
		}
	}
	if id == "" || secret == "" {
		return false
	}
	pp := join(path, "httpParams")
	out.Type = "oauth2"
	out.TokenURL = cv.param(ab.name+"_tokenURL", attrConnection, join(path, "url"), str(a, "url"))
	out.ClientID = cv.param(ab.name+"_clientID", attrConnection, join(pp, "client_id"), id)
	out.ClientSecret = cv.secret(ab.name+"_clientSecret", attrConnection, join(pp, "client_secret"))
	out.AuthStyle = "params" // Saviynt sends them as form fields
	if s := str(params, "scope"); s != "" {
		out.Scopes = strings.Fields(s)
		if placeholder.MatchString(s) {
			// Scopes are plain strings in a spec: no parameter can fill
			// the placeholder in.
			cv.warn(attrConnection, join(pp, "scope"), "the scope %q is a package-import placeholder: replace it in the spec's scopes before use", s)
		}
	}
	for _, k := range sortedKeys(params) {
		switch k {
		case "grant_type", "client_id", "client_secret", "scope":
			continue
		}
		if out.EndpointParams == nil {
			out.EndpointParams = map[string]string{}
		}
		if credentialField(k) {
			out.EndpointParams[k] = cv.secret(ab.name+"_"+k, attrConnection, join(pp, k))
		} else {
			out.EndpointParams[k] = cv.literalPlaceholders(escapeLiteral(str(params, k)))
		}
	}
	prefix := tokenPrefix(str(a, "tokenType")) + ab.literal
	out.Inject = &connector.TokenPlacement{In: "header", Name: ab.inject, Prefix: prefix}
	ab.typ = "oauth2"
	ab.token = &resolved{root: ".auth", elems: []elem{{key: "token"}}, prefix: prefix, typ: tStr}
	if str(a, "accessToken") != "" {
		cv.warn(attrConnection, join(path, "accessToken"), "not used: restconn fetches a token on first use")
	}
	return true
}

// session converts any other token call into a session block whose login
// call is the token call.
func (cv *converter) session(ab *authBlock, a map[string]any, path, typ string, out *connector.Auth) {
	sc := &scope{kind: scopeLogin, noAuth: true, prefix: ab.name, vars: map[string]resolved{}}
	props := obj(a["properties"])
	for _, k := range sortedKeys(props) {
		s, ok := props[k].(string)
		if !ok {
			continue
		}
		kp := join(join(path, "properties"), k)
		var t string
		if sensitive(k) {
			t = cv.secret(ab.name+"_"+k, attrConnection, kp)
		} else {
			t = cv.param(ab.name+"_"+k, attrConnection, kp, s)
		}
		sc.vars[k] = resolved{expr: unwrap(t), typ: tStr}
	}
	if str(a, "refreshToken") != "" {
		t := cv.secret(ab.name+"_refreshToken", attrConnection, join(path, "refreshToken"))
		sc.vars["refresh_token"] = resolved{expr: unwrap(t), typ: tStr}
	}
	sc.vars["cookies"] = resolved{expr: `""`, typ: tStr}
	in := callIn{attr: attrConnection, path: path, m: map[string]any{}}
	for _, k := range []string{"url", "httpMethod", "httpParams", "httpHeaders", "httpContentType"} {
		if v, ok := a[k]; ok {
			in.m[k] = v
		}
	}
	if str(in.m, "httpMethod") == "" {
		in.m["httpMethod"] = "POST"
	}
	login, f := cv.convertCall(in, "login", sc)
	if f != nil {
		ab.unsupported = "its token call: " + f.msg
		return
	}
	if typ == "basicwithaccesstoken" && !hasHeader(login.Headers, "Authorization") {
		// The token call is signed with the properties' credentials.
		var u, p *resolved
		for _, k := range []string{"userName", "username", "user", "userId"} {
			if v, ok := sc.vars[k]; ok && u == nil {
				u = &v
			}
		}
		if v, ok := sc.vars["password"]; ok {
			p = &v
		}
		if u == nil {
			ab.unsupported = "BasicWithAccessToken without properties.userName"
			return
		}
		pw := `""`
		if p != nil {
			pw = p.expr
		}
		if login.Headers == nil {
			login.Headers = map[string]string{}
		}
		login.Headers["Authorization"] = "Basic {{ basicAuth " + u.expr + " " + pw + " }}"
	}
	out.Type = "session"
	out.Login = login
	tp := str(a, "tokenResponsePath")
	if tp == "" && typ == "cookies" {
		tp = "#HEADERS#Set-Cookie"
	}
	if tp == "" {
		tp = "access_token"
	}
	if h, isHeader := strings.CutPrefix(tp, "#HEADERS#"); isHeader {
		h = strings.ToLower(h)
		out.Token = "{{ index .responses.login.headers " + quote(h) + " }}"
		if h == "set-cookie" {
			// A Cookie header carries name=value pairs only, not the
			// attributes (Path, HttpOnly) of Set-Cookie; restconn keeps
			// the first cookie.
			out.Token = `{{ trim (index (splitList ";" (cat (index .responses.login.headers "set-cookie"))) 0) }}`
			cv.warn(attrConnection, join(path, "tokenResponsePath"), "the session cookie is the first cookie of the login's first Set-Cookie header, without its attributes")
		}
	} else {
		elems, err := savPath(tp)
		if err != nil {
			ab.unsupported = "tokenResponsePath: " + err.Error()
			return
		}
		expr, _ := lenientPath(".responses.login.body", elems)
		out.Token = "{{ " + stripParens(expr) + " }}" // omitted renders empty: a login without a token fails with ErrAuth
	}
	prefix := tokenPrefix(str(a, "tokenType")) + ab.literal
	if typ == "cookies" && str(a, "authHeaderName") == "" && ab.inject == "Authorization" && ab.literal == "" {
		ab.inject = "Cookie"
		prefix = ""
	}
	out.Inject = &connector.TokenPlacement{In: "header", Name: ab.inject, Prefix: prefix}
	ab.typ = "session"
	ab.token = &resolved{root: ".auth", elems: []elem{{key: "token"}}, prefix: prefix, typ: tStr}
	if str(a, "accessToken") != "" {
		cv.warn(attrConnection, join(path, "accessToken"), "not used: restconn logs in on first use")
	}
	if str(a, "refreshType") != "" || str(a, "refreshTokenResponsePath") != "" {
		cv.warn(attrConnection, path, "refresh-token rotation is not converted: every login sends the refresh token given as a secret; a server that rotates refresh tokens will refuse the second login")
	}
	if a["refreshTokenCall"] != nil {
		cv.warn(attrConnection, join(path, "refreshTokenCall"), "not converted: restconn has no second call that renews a refresh token")
	}
}

func quote(s string) string { return fmt.Sprintf("%q", s) }

func hasHeader(h map[string]string, name string) bool {
	for k := range h {
		if strings.EqualFold(k, name) {
			return true
		}
	}
	return false
}

// expiry converts retryFailureStatusCode, expiryError, authError and
// errorPath into rules that renew the token and send the call again.
func (cv *converter) expiry(a map[string]any, path string) []connector.Rule {
	var rules []connector.Rule
	var statuses []int
	list, isList := a["retryFailureStatusCode"].([]any)
	if !isList && a["retryFailureStatusCode"] != nil {
		list = []any{a["retryFailureStatusCode"]}
	}
	for _, s := range list {
		n, ok := intOf(s)
		switch {
		case !ok || n < 100 || n > 599:
		case n == 429:
			// A new token does not lift a rate limit: the engine waits as
			// the 429 asks (Retry-After, X-RateLimit-Reset) and sends the
			// call again.
			cv.warn(attrConnection, join(path, "retryFailureStatusCode"), "429 does not renew the token: restconn waits as the response asks (Retry-After or connection.retry.resetHeader, at most retry.maxWait) and sends the call again")
		default:
			statuses = append(statuses, n)
		}
	}
	if len(statuses) > 0 {
		rules = append(rules, connector.Rule{Status: statuses})
	}
	var texts []string
	for _, k := range []string{"expiryError", "authError"} {
		switch v := a[k].(type) {
		case string:
			if v != "" {
				texts = append(texts, v)
			}
		case []any:
			for _, e := range v {
				if s, ok := e.(string); ok && s != "" {
					texts = append(texts, s)
				}
			}
		}
	}
	if len(texts) > 0 {
		var alts []string
		for _, t := range texts {
			alts = append(alts, regexp.QuoteMeta(t))
		}
		cond := connector.Condition{Matches: strings.Join(alts, "|")}
		if ep := str(a, "errorPath"); ep != "" {
			jp, err := jsonPath(ep)
			if err != nil {
				cv.warn(attrConnection, join(path, "errorPath"), "left out: %v", err)
				return rules
			}
			cond.Path = jp
		} else {
			cond.Value = "{{ cat .response.body }}" // the whole response: an error text anywhere in it
		}
		rules = append(rules, connector.Rule{When: []connector.Condition{cond}})
	}
	return rules
}

// authExtras reports the settings restconn does differently.
func (cv *converter) authExtras(a map[string]any, path string) {
	if n, ok := intOf(a["maxRefreshTryCount"]); ok && n > 1 {
		cv.warn(attrConnection, join(path, "maxRefreshTryCount"), "restconn renews a token at most once per call (asked: %d)", n)
	}
	if a["timeOutError"] != nil {
		cv.warn(attrConnection, join(path, "timeOutError"), "not needed: restconn detects timeouts itself and retries idempotent calls")
	}
	if a["maskInLogs"] != nil {
		cv.maskInLogs(join(path, "maskInLogs"), a["maskInLogs"])
	}
	if a["ssl"] != nil {
		cv.warn(attrConnection, join(path, "ssl"), "not converted: restconn's TLS options have no client certificate; give WithHTTPClient a client with one")
	}
	if a["cleanUpTextContent"] != nil {
		cv.warn(attrConnection, join(path, "cleanUpTextContent"), "not converted: restconn parses responses as they are")
	}
}

// rateLimit converts apiRateLimitConfig ("after N calls wait S seconds")
// into a client-side rate of N/S requests per second with a burst of N.
func (cv *converter) rateLimit(a map[string]any, path string) *connector.RateLimit {
	cfg := obj(a["apiRateLimitConfig"])
	if cfg == nil {
		cfg = a // the table in the documentation lists the keys flat
	}
	calls, ok1 := intOf(cfg["retryAfterCalls"])
	wait, ok2 := intOf(cfg["retryWaitSeconds"])
	if !ok1 && !ok2 {
		return nil
	}
	if !ok1 || !ok2 || calls <= 0 || wait <= 0 {
		cv.warn(attrConnection, join(path, "apiRateLimitConfig"), "left out: want positive retryAfterCalls and retryWaitSeconds")
		return nil
	}
	cv.warn(attrConnection, join(path, "apiRateLimitConfig"), "became a client-side rate limit of %d requests per %v (a smooth rate rather than a pause after every %d calls)", calls, time.Duration(wait)*time.Second, calls)
	return &connector.RateLimit{RequestsPerSecond: float64(calls) / float64(wait), Burst: calls}
}

// testConnection converts testConnectionParams into a connect call.
func (cv *converter) testConnection(name string, a map[string]any) {
	t := obj(a["testConnectionParams"])
	ab := cv.auths[name]
	if t == nil || ab == nil || ab.unsupported != "" {
		return
	}
	path := join(join("authentications", name), "testConnectionParams")
	in := callIn{attr: attrConnection, path: join(path, "http"), m: map[string]any{"connection": name}}
	for k, v := range obj(t["http"]) {
		in.m[k] = v
	}
	for _, k := range []string{"successResponses", "unsuccessResponses"} {
		if v, ok := t[k]; ok {
			in.m[k] = v
		}
	}
	sc := &scope{kind: scopeConnect}
	c, f := cv.convertCall(in, "test_"+ab.name, sc)
	if f != nil {
		cv.warn(attrConnection, f.path, "test connection left out: %s", f.msg)
		return
	}
	if ok := obj(t["successResponse"]); ok == nil {
		if l, isList := t["successResponse"].([]any); isList && len(l) > 0 {
			if p := str(t, "successResponsePath"); p != "" {
				jp, err := jsonPath(p)
				if err == nil {
					if c.Success == nil {
						c.Success = &connector.Rule{}
					}
					c.Success.When = append(c.Success.When, connector.Condition{Path: jp, In: l})
				}
			} else {
				cv.warn(attrConnection, join(path, "successResponse"), "left out: no successResponsePath says where to look")
			}
		}
	}
	if l, isList := t["errors"].([]any); isList && len(l) > 0 {
		if p := str(t, "errorPath"); p != "" {
			if jp, err := jsonPath(p); err == nil {
				c.Failure = append(c.Failure, connector.Condition{Path: jp, In: l})
			}
		}
	}
	if cv.spec.Connect == nil {
		cv.spec.Connect = &connector.Chain{}
	}
	cv.spec.Connect.Calls = append(cv.spec.Connect.Calls, c)
}

// maskInLogs adds the field names whose values the platform masks in its
// logs to connection.mask, which masks them in restconn's traces, logs and
// errors. restconn's list holds for every call, whichever auth block it
// uses: masking more than the block asked is the safe side.
func (cv *converter) maskInLogs(path string, v any) {
	l, ok := v.([]any)
	if !ok {
		cv.warn(attrConnection, path, "not converted: want a list of field names")
		return
	}
	for _, e := range l {
		name, ok := e.(string)
		if !ok || strings.TrimSpace(name) == "" {
			cv.warn(attrConnection, path, "not converted: %v is not a field name", e)
			continue
		}
		if !slices.Contains(cv.spec.Connection.Mask, name) {
			cv.spec.Connection.Mask = append(cv.spec.Connection.Mask, name)
		}
	}
	slices.Sort(cv.spec.Connection.Mask)
}
