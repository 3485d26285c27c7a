package connector_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/restconn/restconn/connector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The fault-injecting vendor: a configurable server (faultVendor) serves N
// users over one of several paging schemes, behind bearer, OAuth2 or
// OTRS-style session auth, and injects per request the failures real APIs
// and the networks in front of them produce. faults_test.go drives the
// engine against it through its public API and asserts exact outcomes (the
// records imported, the error and its fields, the requests the server
// saw); secrets_test.go checks that nothing it echoes leaks.

// Credentials. Every one of them is a secret the engine must never print.
const (
	fvBearerToken   = "brr-SECRET-7f3a9c0d11"
	fvClientID      = "restconn-client"
	fvClientSecret  = "cs-SECRET-51e2d0aa"
	fvAgentPassword = "pw-SECRET-88aa17"
	fvUserPassword  = "new-user-PW-SECRET-0042"
)

// fault is what the server does to one request instead of (or on top of)
// answering it normally.
type fault int

const (
	fNone            fault = iota
	f429                   // 429, Retry-After: 0
	f429One                // 429, Retry-After: 1
	f429Date               // 429, Retry-After: an HTTP date (now)
	f429Reset              // 429, X-RateLimit-Reset: a Unix time just past
	f429ResetDelay         // 429, X-RateLimit-Reset: 0 (a delay in seconds)
	f429Bare               // 429 without any header
	f429Far                // 429, Retry-After: 3600
	f429FarDate            // 429, Retry-After: an HTTP date an hour ahead
	f429FarReset           // 429, X-RateLimit-Reset: a Unix time an hour ahead
	f503                   // 503 Service Unavailable (JSON)
	f502HTML               // 502 from a proxy, with an HTML body
	fResetHeaders          // the connection is reset in the middle of the headers
	fResetMidBody          // headers and half the body, then a reset
	fCloseNoResponse       // the connection is reset without any response
	fSlow                  // the response stalls until the client gives up
	fTruncatedJSON         // 200 with half a JSON document (consistent Content-Length)
	fNonJSON               // 200 with an HTML maintenance page
	fExpire                // the credential expires just before this request
	fEcho400               // 400 whose body and headers echo every credential
	fHuge                  // a body beyond connection.maxBodyBytes
	fForeignNext           // the next-page URL points to another host
	fForeignRel            // the next-page URL is protocol-relative to another host
	fRedirectForeign       // 302 to another host (with the credential in the query)
	fLoop                  // the cursor sent is returned as the next one
	fLoopFirst             // the next-page URL is the URL just requested
)

// faultVendor is the fault-injecting server. Configure the fields before the
// first request; the counters are guarded by mu.
type faultVendor struct {
	t        *testing.T
	srv      *httptest.Server
	foreign  *foreignHost
	scheme   string // cursor, offset, scim, link, nextURL
	auth     string // bearer, oauth2, session
	users    int
	pageSize int
	maxBody  int
	latency  time.Duration // every list request waits this long before its credential is checked

	mu          sync.Mutex
	listFaults  map[int]fault // by list request number, from 1
	writeFaults map[int]fault // by write request number, from 1
	tokenFaults map[int]fault // by token or login request number, from 1
	listReqs    int
	writeReqs   int
	applied     []string // IDs of the accounts the server created
	tokenHits   int
	logins      int
	valid       map[string]bool // current OAuth2 tokens and session IDs
	issued      []string        // every token and session ID ever issued
	revoked     bool            // bearer: the token was revoked
	times       []time.Time     // arrival of every list request
	echoed      int             // responses that echoed credentials
}

// foreignHost is another host. Nothing may ever reach it.
type foreignHost struct {
	srv      *httptest.Server
	hits     atomic.Int32
	withCred atomic.Int32
}

func newForeignHost(t *testing.T) *foreignHost {
	f := &foreignHost{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		if r.Header.Get("Authorization") != "" || r.URL.Query().Get("SessionID") != "" {
			f.withCred.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"data":[{"id":"evil"}],"items":[{"id":"evil"}],"Resources":[{"id":"evil"}],"results":[{"id":"evil"}],"totalResults":1,"total":1}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func newFaultVendor(t *testing.T, scheme, auth string, users int) *faultVendor {
	v := &faultVendor{
		t: t, scheme: scheme, auth: auth, users: users, pageSize: 3, maxBody: 1 << 20,
		listFaults: map[int]fault{}, writeFaults: map[int]fault{}, tokenFaults: map[int]fault{}, valid: map[string]bool{},
		foreign: newForeignHost(t),
	}
	v.srv = httptest.NewServer(v)
	t.Cleanup(v.srv.Close)
	return v
}

func (v *faultVendor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/oauth/token" && r.Method == http.MethodPost:
		v.token(w, r)
	case r.URL.Path == "/api/session" && r.Method == http.MethodPost:
		v.login(w, r)
	case r.URL.Path == "/api/users" && r.Method == http.MethodGet:
		v.list(w, r)
	case r.URL.Path == "/api/users" && r.Method == http.MethodPost:
		v.create(w, r)
	default:
		http.NotFound(w, r)
	}
}

func fvWriteJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

func (v *faultVendor) issue(prefix string) string {
	tok := fmt.Sprintf("%s-SECRET-%d-%08x", prefix, len(v.issued)+1, rand.Uint32())
	v.valid[tok] = true
	v.issued = append(v.issued, tok)
	return tok
}

func (v *faultVendor) token(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	v.mu.Lock()
	v.tokenHits++
	f := v.tokenFaults[v.tokenHits]
	v.mu.Unlock()
	if v.refuse(w, r, f) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if id != fvClientID || secret != fvClientSecret || r.PostForm.Get("grant_type") != "client_credentials" {
		fvWriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_client", "error_description": "client secret " + secret + " is wrong"})
		return
	}
	fvWriteJSON(w, http.StatusOK, map[string]any{"access_token": v.issue("at"), "token_type": "Bearer", "expires_in": 3600})
}

func (v *faultVendor) login(w http.ResponseWriter, r *http.Request) {
	var in struct{ UserLogin, Password string }
	_ = json.NewDecoder(r.Body).Decode(&in)
	v.mu.Lock()
	v.logins++
	f := v.tokenFaults[v.logins]
	v.mu.Unlock()
	if v.refuse(w, r, f) {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if in.UserLogin != "agent" || in.Password != fvAgentPassword {
		fvWriteJSON(w, http.StatusOK, map[string]any{"Error": map[string]any{"ErrorCode": "SessionCreate.AuthFail", "ErrorMessage": "SessionCreate: Authorization failing!"}})
		return
	}
	fvWriteJSON(w, http.StatusOK, map[string]any{"SessionID": v.issue("sess")})
}

// credential returns what the request authenticates with.
func (v *faultVendor) credential(r *http.Request) string {
	if v.auth == "session" {
		return r.URL.Query().Get("SessionID")
	}
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
}

// expire makes every credential issued so far invalid.
func (v *faultVendor) expire() {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.valid = map[string]bool{}
	v.revoked = true
}

// authorize answers for an invalid credential (echoing it, as many APIs do)
// and reports whether the request may proceed.
func (v *faultVendor) authorize(w http.ResponseWriter, r *http.Request) bool {
	cred := v.credential(r)
	v.mu.Lock()
	ok := v.valid[cred] || v.auth == "bearer" && cred == fvBearerToken && !v.revoked
	v.mu.Unlock()
	if ok {
		return true
	}
	if v.auth == "session" {
		fvWriteJSON(w, http.StatusOK, map[string]any{"Error": map[string]any{"ErrorCode": "Auth.SessionInvalid", "ErrorMessage": "SessionID " + cred + " is invalid or expired"}})
		return false
	}
	w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	fvWriteJSON(w, http.StatusUnauthorized, map[string]any{"error": "invalid_token", "message": "token " + cred + " is expired or revoked"})
	return false
}

func fvHijack(t *testing.T, w http.ResponseWriter, raw string) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	_, _ = buf.WriteString(raw)
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // close with a TCP reset
	}
	_ = conn.Close()
}

// refuse answers the faults that happen before the application looks at a
// request. It reports whether it answered.
func (v *faultVendor) refuse(w http.ResponseWriter, r *http.Request, f fault) bool {
	now := time.Now()
	rl := func(k, val string) bool {
		if k != "" {
			w.Header().Set(k, val)
		}
		fvWriteJSON(w, http.StatusTooManyRequests, map[string]any{"error": "rate_limited", "message": "slow down"})
		return true
	}
	switch f {
	case f429:
		return rl("Retry-After", "0")
	case f429One:
		return rl("Retry-After", "1")
	case f429Date:
		return rl("Retry-After", now.UTC().Format(http.TimeFormat))
	case f429Reset:
		return rl("X-RateLimit-Reset", strconv.FormatInt(now.Unix()-1, 10))
	case f429ResetDelay:
		return rl("X-RateLimit-Reset", "0")
	case f429Bare:
		return rl("", "")
	case f429Far:
		return rl("Retry-After", "3600")
	case f429FarDate:
		return rl("Retry-After", now.Add(time.Hour).UTC().Format(http.TimeFormat))
	case f429FarReset:
		return rl("X-RateLimit-Reset", strconv.FormatInt(now.Add(time.Hour).Unix(), 10))
	case f503:
		fvWriteJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "unavailable", "message": "try again later"})
		return true
	case f502HTML:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>")
		return true
	case fResetHeaders:
		fvHijack(v.t, w, "HTTP/1.1 200 OK\r\nContent-Type: appli")
		return true
	case fRedirectForeign:
		http.Redirect(w, r, v.foreign.srv.URL+r.URL.RequestURI(), http.StatusFound)
		return true
	case fExpire:
		v.expire()
	}
	return false
}

// stall holds the response until the client gives up (or 3 s pass). It
// reports whether the client is still there.
func fvStall(r *http.Request) bool {
	select {
	case <-r.Context().Done():
		return false
	case <-time.After(3 * time.Second):
		return true
	}
}

func fvUser(i int) map[string]any {
	return map[string]any{"id": fmt.Sprintf("u%03d", i+1), "userName": fmt.Sprintf("user%d", i+1), "active": true}
}

func fvIDs(n int) []string {
	ids := []string{}
	for i := 0; i < n; i++ {
		ids = append(ids, fmt.Sprintf("u%03d", i+1))
	}
	return ids
}

func fvIntParam(q url.Values, name string, def int) int {
	if n, err := strconv.Atoi(q.Get(name)); err == nil {
		return n
	}
	return def
}

func (v *faultVendor) window(off, limit int) []any {
	recs := []any{}
	for i := off; i < off+limit && i < v.users; i++ {
		recs = append(recs, fvUser(i))
	}
	return recs
}

func fvCursor(off int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("off:" + strconv.Itoa(off)))
}

func fvDecodeCursor(c string) int {
	b, _ := base64.RawURLEncoding.DecodeString(c)
	n, _ := strconv.Atoi(strings.TrimPrefix(string(b), "off:"))
	return n
}

// page builds the response for a list request under the vendor's paging
// scheme, applying the faults that live in the page itself.
func (v *faultVendor) page(r *http.Request, f fault) (http.Header, any) {
	q := r.URL.Query()
	h := http.Header{}
	nextURL := func(query string) string {
		if sid := q.Get("SessionID"); sid != "" {
			query += "&SessionID=" + url.QueryEscape(sid) // echoed, as servers building links from the request do
		}
		switch f {
		case fForeignNext:
			return v.foreign.srv.URL + "/api/users?" + query
		case fForeignRel:
			return "//" + v.foreign.srv.Listener.Addr().String() + "/api/users?" + query
		case fLoopFirst:
			return r.URL.RequestURI()
		}
		return v.srv.URL + "/api/users?" + query
	}
	limit := fvIntParam(q, "limit", v.pageSize)
	switch v.scheme {
	case "cursor":
		off := 0
		if c := q.Get("cursor"); c != "" {
			off = fvDecodeCursor(c)
		}
		recs := v.window(off, limit)
		var next any
		if off+len(recs) < v.users {
			next = fvCursor(off + len(recs))
		}
		if f == fLoop {
			next = q.Get("cursor")
		}
		return h, map[string]any{"data": recs, "meta": map[string]any{"next_cursor": next}}
	case "offset":
		off := fvIntParam(q, "offset", 0)
		return h, map[string]any{"items": v.window(off, limit), "total": v.users}
	case "scim":
		start, count := fvIntParam(q, "startIndex", 1), fvIntParam(q, "count", v.pageSize)
		if count > v.pageSize {
			count = v.pageSize // servers cap the page size
		}
		recs := v.window(start-1, count)
		return h, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:ListResponse"},
			"totalResults": v.users, "itemsPerPage": len(recs), "startIndex": start, "Resources": recs}
	case "link":
		per := fvIntParam(q, "per_page", v.pageSize)
		pg := fvIntParam(q, "page", 1)
		recs := v.window((pg-1)*per, per)
		last := (v.users + per - 1) / per
		links := []string{fmt.Sprintf(`<%s/api/users?page=1&per_page=%d>; rel="first"`, v.srv.URL, per)}
		if pg < last || f == fForeignNext || f == fForeignRel || f == fLoopFirst {
			links = append(links, fmt.Sprintf(`<%s>; rel="next"`, nextURL(fmt.Sprintf("page=%d&per_page=%d", pg+1, per))))
		}
		links = append(links, fmt.Sprintf(`<%s/api/users?page=%d&per_page=%d>; rel="last"`, v.srv.URL, last, per))
		h.Set("Link", strings.Join(links, ", "))
		return h, recs
	case "nextURL":
		from := fvIntParam(q, "from", 0)
		recs := v.window(from, limit)
		var next any
		if from+len(recs) < v.users || f == fForeignNext || f == fForeignRel || f == fLoopFirst {
			next = nextURL(fmt.Sprintf("from=%d&limit=%d", from+len(recs), limit))
		}
		return h, map[string]any{"results": recs, "paging": map[string]any{"next": next}}
	}
	v.t.Fatalf("unknown scheme %q", v.scheme)
	return nil, nil
}

func (v *faultVendor) list(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	v.listReqs++
	f := v.listFaults[v.listReqs]
	v.times = append(v.times, time.Now())
	v.mu.Unlock()
	if v.refuse(w, r, f) {
		return
	}
	if f == fCloseNoResponse {
		fvHijack(v.t, w, "")
		return
	}
	if f == fSlow && !fvStall(r) {
		return
	}
	if v.latency > 0 {
		time.Sleep(v.latency)
	}
	if !v.authorize(w, r) {
		return
	}
	if f == fEcho400 {
		v.echo(w, r)
		return
	}
	h, body := v.page(r, f)
	data, err := json.Marshal(body)
	require.NoError(v.t, err)
	ct := "application/json"
	switch f {
	case fTruncatedJSON:
		data = data[:len(data)/2]
	case fNonJSON:
		ct, data = "text/html; charset=utf-8", []byte("<!DOCTYPE html><html><body><h1>Down for maintenance</h1></body></html>")
	case fHuge:
		data = append(data[:len(data)-1], []byte(`,"padding":"`+strings.Repeat("x", v.maxBody)+`"}`)...)
	case fResetMidBody:
		fvHijack(v.t, w, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", ct, len(data), data[:len(data)/2]))
		return
	}
	for k, vals := range h {
		w.Header()[k] = vals
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	_, _ = w.Write(data)
}

// echo answers 400 with every credential of the request in the body, a
// header and a URL, the way careless APIs report errors.
func (v *faultVendor) echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	v.mu.Lock()
	v.echoed++
	v.mu.Unlock()
	cred := v.credential(r)
	w.Header().Set("X-Debug-Credential", cred)
	w.Header().Set("Location", v.srv.URL+"/api/errors/1?SessionID="+url.QueryEscape(cred)+"&access_token="+url.QueryEscape(cred))
	fvWriteJSON(w, http.StatusBadRequest, map[string]any{
		"error": "invalid_request",
		"message": fmt.Sprintf("request %s %s with credential %s (Authorization: %s) and body %s was rejected",
			r.Method, r.URL.String(), cred, r.Header.Get("Authorization"), b),
	})
}

func (v *faultVendor) create(w http.ResponseWriter, r *http.Request) {
	v.mu.Lock()
	v.writeReqs++
	f := v.writeFaults[v.writeReqs]
	v.mu.Unlock()
	if v.refuse(w, r, f) {
		return
	}
	if !v.authorize(w, r) {
		return
	}
	if f == fEcho400 {
		v.echo(w, r)
		return
	}
	var in struct{ UserName, Password string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.UserName == "" || in.Password != fvUserPassword {
		fvWriteJSON(w, http.StatusBadRequest, map[string]any{"error": "invalid_request", "message": "userName and password required"})
		return
	}
	v.mu.Lock()
	id := fmt.Sprintf("acct-%d", len(v.applied)+1)
	v.applied = append(v.applied, id)
	v.mu.Unlock()
	// The write is applied; now the response goes wrong.
	switch f {
	case fCloseNoResponse:
		fvHijack(v.t, w, "")
		return
	case fResetMidBody:
		fvHijack(v.t, w, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 40\r\n\r\n{\"id\":\"ac")
		return
	case fSlow:
		if !fvStall(r) {
			return
		}
	}
	fvWriteJSON(w, http.StatusCreated, map[string]any{"id": id, "userName": in.UserName})
}

func (v *faultVendor) counts() (listReqs, writeReqs, applied, tokenHits, logins int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.listReqs, v.writeReqs, len(v.applied), v.tokenHits, v.logins
}

// specCfg tunes the spec the vendor hands out.
type fvSpecCfg struct {
	maxAttempts int    // connection.retry.maxAttempts; 0: 4
	maxWait     string // connection.retry.maxWait; "": 2s
	maxWaits    int
	timeout     string // timeout of the list and create calls
	maxBody     int64  // connection.maxBodyBytes
	idempotent  bool   // the create call is marked idempotent
	rateLimit   float64
	tokenURL    string // oauth2 token URL template
}

func (v *faultVendor) spec(t *testing.T, c fvSpecCfg) *connector.Spec {
	t.Helper()
	var authBlock map[string]any
	secrets := map[string]any{}
	conn := map[string]any{}
	switch v.auth {
	case "bearer":
		authBlock = map[string]any{"type": "bearer", "token": "{{ .secrets.token }}"}
		secrets["token"] = map[string]any{"required": true}
	case "oauth2":
		tokenURL := "{{ .params.baseURL }}/oauth/token"
		if c.tokenURL != "" {
			tokenURL = c.tokenURL
			secrets["tenantKey"] = map[string]any{"required": true}
		}
		authBlock = map[string]any{"type": "oauth2", "tokenURL": tokenURL, "clientID": fvClientID, "clientSecret": "{{ .secrets.clientSecret }}", "authStyle": "header"}
		secrets["clientSecret"] = map[string]any{"required": true}
	case "session":
		authBlock = map[string]any{
			"type":   "session",
			"login":  map[string]any{"name": "login", "auth": "none", "method": "POST", "path": "/session", "body": map[string]any{"UserLogin": "agent", "Password": "{{ .secrets.password }}"}},
			"token":  "{{ .responses.login.body.SessionID }}",
			"inject": map[string]any{"in": "query", "name": "SessionID"},
			"expiry": []any{map[string]any{"status": []int{200}, "when": []any{map[string]any{"path": "Error.ErrorCode", "matches": `^Auth\.`}}}},
		}
		secrets["password"] = map[string]any{"required": true}
		conn["failure"] = []any{map[string]any{"path": "Error", "exists": true}}
	default:
		t.Fatalf("unknown auth %q", v.auth)
	}
	retry := map[string]any{"maxAttempts": 4, "minBackoff": "1ms", "maxBackoff": "5ms", "maxWait": "2s"}
	if c.maxAttempts != 0 {
		retry["maxAttempts"] = c.maxAttempts
	}
	if c.maxWait != "" {
		retry["maxWait"] = c.maxWait
	}
	if c.maxWaits != 0 {
		retry["maxWaits"] = c.maxWaits
	}
	conn["baseURL"] = "{{ .params.baseURL }}/api"
	conn["auth"] = map[string]any{"api": authBlock}
	conn["retry"] = retry
	conn["errors"] = map[string]any{"code": []string{"Error.ErrorCode", "error"}, "message": []string{"Error.ErrorMessage", "message"}}
	if c.maxBody != 0 {
		conn["maxBodyBytes"] = c.maxBody
	}
	if c.rateLimit != 0 {
		conn["rateLimit"] = map[string]any{"requestsPerSecond": c.rateLimit, "burst": 1}
	}
	ps := v.pageSize
	list := map[string]any{"name": "listUsers", "path": "/users"}
	switch v.scheme {
	case "cursor":
		list["records"] = "data"
		list["paging"] = map[string]any{"type": "cursor", "path": "meta.next_cursor", "param": "cursor", "sizeParam": "limit", "size": ps}
	case "offset":
		list["records"] = "items"
		list["paging"] = map[string]any{"type": "offset", "param": "offset", "sizeParam": "limit", "size": ps, "total": "total"}
	case "scim":
		list["records"] = "Resources"
		list["paging"] = map[string]any{"type": "scim", "size": 100}
	case "link":
		list["records"] = "$"
		list["paging"] = map[string]any{"type": "link", "sizeParam": "per_page", "size": ps}
	case "nextURL":
		list["records"] = "results"
		list["paging"] = map[string]any{"type": "nextURL", "path": "paging.next", "sizeParam": "limit", "size": ps}
	}
	create := map[string]any{"name": "create", "method": "POST", "path": "/users",
		"body": map[string]any{"userName": "{{ .user.userName }}", "password": "{{ .password }}"}}
	if c.timeout != "" {
		list["timeout"] = c.timeout
		create["timeout"] = c.timeout
	}
	if c.idempotent {
		create["idempotent"] = true
	}
	doc := map[string]any{
		"name":       "faulty-" + v.scheme + "-" + v.auth,
		"params":     map[string]any{"baseURL": map[string]any{"required": true}},
		"secrets":    secrets,
		"connection": conn,
		"import":     map[string]any{"accounts": map[string]any{"sources": []any{list}, "id": "id", "name": "userName"}},
		"provision": map[string]any{"createAccount": map[string]any{
			"calls": []any{create}, "accountID": "{{ .responses.create.body.id }}"}},
	}
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	spec, err := connector.Parse(b)
	require.NoError(t, err, "%s", b)
	return spec
}

func (v *faultVendor) engine(t *testing.T, c fvSpecCfg, opts ...connector.Option) *connector.Engine {
	t.Helper()
	opts = append([]connector.Option{
		connector.WithParams(map[string]any{"baseURL": v.srv.URL}),
		connector.WithSecrets(map[string]string{"token": fvBearerToken, "clientSecret": fvClientSecret, "password": fvAgentPassword, "tenantKey": "tk-SECRET-0d0d"}),
	}, opts...)
	e, err := connector.New(v.spec(t, c), opts...)
	require.NoError(t, err)
	return e
}

// importIDs runs a full import and returns the IDs in order and the error.
func fvImport(ctx context.Context, e *connector.Engine) ([]string, error) {
	ids := []string{}
	for a, err := range e.ImportAccounts(ctx, connector.ImportOptions{}) {
		if err != nil {
			return ids, err
		}
		ids = append(ids, a.ID)
	}
	return ids, nil
}

func fvConnError(t *testing.T, err error) *connector.Error {
	t.Helper()
	require.Error(t, err)
	var ce *connector.Error
	require.True(t, errors.As(err, &ce), "error %T is not a *connector.Error: %v", err, err)
	return ce
}

// wantError checks the sentinel (nil: none of the engine's sentinels), the
// call, the HTTP status and a text in the message.
func fvWantError(sentinel error, call string, status int, text string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		t.Helper()
		ce := fvConnError(t, err)
		if sentinel != nil {
			assert.ErrorIs(t, err, sentinel)
		} else {
			for _, s := range []error{connector.ErrRateLimited, connector.ErrAuth, connector.ErrNotFound, connector.ErrConflict, connector.ErrInvalidSpec} {
				assert.NotErrorIs(t, err, s)
			}
		}
		assert.Equal(t, call, ce.Call, "Error.Call")
		assert.Equal(t, status, ce.StatusCode, "Error.StatusCode")
		assert.Contains(t, err.Error(), text)
	}
}

// secretsOf lists every secret of the scenario, including the tokens and
// session IDs the server issued at run time.
func (v *faultVendor) secretsOf() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	s := []string{fvBearerToken, fvClientSecret, fvAgentPassword, fvUserPassword, "tk-SECRET-0d0d",
		base64.StdEncoding.EncodeToString([]byte(fvClientID + ":" + fvClientSecret))}
	return append(s, v.issued...)
}
