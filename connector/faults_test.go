package connector_test

// Fault injection: a configurable vendor server (faultVendor) serves N users
// over one of several paging schemes, behind bearer, OAuth2 or OTRS-style
// session auth, and injects per request the failures real APIs and the
// networks in front of them produce. The tests drive the engine only
// through its public API and assert exact outcomes: the records imported
// (no loss, no duplicates), the error and its fields, and the number of
// requests the server saw.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
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

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
)

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

const allIDs = -1

type fvImportCase struct {
	name       string
	scheme     string // default cursor
	auth       string // default bearer
	faults     map[int]fault
	cfg        fvSpecCfg
	ids        int // leading IDs imported; allIDs: every user
	wantErr    func(*testing.T, error)
	reqs       int // list requests the server saw (0: not checked)
	tokenHits  int
	logins     int
	maxElapsed time.Duration
}

const faultUsers = 10 // 4 pages of 3, 3, 3, 1

func fvImportCases() []fvImportCase {
	cases := []fvImportCase{
		{name: "429 Retry-After 0", faults: map[int]fault{2: f429}, ids: allIDs, reqs: 5},
		{name: "429 Retry-After HTTP-date", scheme: "offset", auth: "oauth2", faults: map[int]fault{1: f429Date, 3: f429Date}, ids: allIDs, reqs: 6, tokenHits: 1},
		{name: "429 X-RateLimit-Reset timestamp", scheme: "scim", auth: "session", faults: map[int]fault{2: f429Reset}, ids: allIDs, reqs: 5, logins: 1},
		{name: "429 X-RateLimit-Reset delay", scheme: "link", faults: map[int]fault{4: f429ResetDelay}, ids: allIDs, reqs: 5},
		{name: "429 without headers backs off", scheme: "nextURL", faults: map[int]fault{1: f429Bare, 2: f429Bare}, ids: allIDs, reqs: 6},
		{name: "429 waits do not use the retry budget", scheme: "offset", faults: map[int]fault{2: f429, 3: f429, 4: f429}, cfg: fvSpecCfg{maxAttempts: 2}, ids: allIDs, reqs: 7},
		{
			name: "429 Retry-After beyond maxWait fails fast", faults: map[int]fault{2: f429Far}, cfg: fvSpecCfg{maxWait: "1s"},
			ids: 3, reqs: 2, maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "wait"),
		},
		{
			name: "429 HTTP-date beyond maxWait fails fast", scheme: "scim", auth: "oauth2", faults: map[int]fault{1: f429FarDate}, cfg: fvSpecCfg{maxWait: "1s"},
			ids: 0, reqs: 1, tokenHits: 1, maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "rate_limited"),
		},
		{
			name: "429 X-RateLimit-Reset beyond maxWait fails fast", scheme: "link", auth: "session", faults: map[int]fault{3: f429FarReset}, cfg: fvSpecCfg{maxWait: "1s"},
			ids: 6, reqs: 3, logins: 1, maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "slow down"),
		},
		{
			name: "429 more often than maxWaits", faults: map[int]fault{2: f429, 3: f429, 4: f429}, cfg: fvSpecCfg{maxWaits: 2},
			ids: 3, reqs: 4, wantErr: fvWantError(connector.ErrRateLimited, "listUsers", 429, "2 waits so far"),
		},
		{name: "503 burst within the retry budget", scheme: "offset", auth: "oauth2", faults: map[int]fault{2: f503, 3: f503, 4: f503}, ids: allIDs, reqs: 7, tokenHits: 1},
		{
			name: "503 burst beyond the retry budget", scheme: "scim", faults: map[int]fault{2: f503, 3: f503, 4: f503, 5: f503},
			ids: 3, reqs: 5, wantErr: fvWantError(nil, "listUsers", 503, "try again later"),
		},
		{name: "502 HTML from a proxy", scheme: "scim", faults: map[int]fault{3: f502HTML}, ids: allIDs, reqs: 5},
		{name: "connection reset mid-body", auth: "session", faults: map[int]fault{2: fResetMidBody}, ids: allIDs, reqs: 5, logins: 1},
		{name: "connection reset in the headers", scheme: "link", auth: "oauth2", faults: map[int]fault{3: fResetHeaders}, ids: allIDs, reqs: 5, tokenHits: 1},
		{name: "connection closed without a response", scheme: "nextURL", faults: map[int]fault{1: fCloseNoResponse, 2: fCloseNoResponse}, ids: allIDs, reqs: 6},
		{name: "response slower than the call timeout", scheme: "offset", faults: map[int]fault{2: fSlow}, cfg: fvSpecCfg{timeout: "100ms"}, ids: allIDs, reqs: 5},
		{
			name: "every attempt slower than the call timeout", faults: map[int]fault{2: fSlow, 3: fSlow}, cfg: fvSpecCfg{timeout: "100ms", maxAttempts: 2},
			ids: 3, reqs: 3, wantErr: fvWantError(nil, "listUsers", 0, "deadline exceeded"),
		},
		{
			name: "truncated JSON", faults: map[int]fault{2: fTruncatedJSON},
			ids: 3, reqs: 2, wantErr: fvWantError(nil, "listUsers", 200, "not valid JSON"),
		},
		{
			name: "HTML instead of JSON", scheme: "offset", auth: "session", faults: map[int]fault{3: fNonJSON},
			ids: 6, reqs: 3, logins: 1, wantErr: fvWantError(nil, "listUsers", 200, "not JSON"),
		},
		{
			name: "bearer token revoked mid-import", faults: map[int]fault{2: fExpire},
			ids: 3, reqs: 2, wantErr: fvWantError(connector.ErrAuth, "listUsers", 401, "invalid_token"),
		},
		{
			name: "session expires again right after re-login: one re-login per call", auth: "session", faults: map[int]fault{2: fExpire, 3: fExpire, 4: fExpire, 5: fExpire},
			ids: 3, reqs: 3, logins: 2, wantErr: fvWantError(connector.ErrAuth, "listUsers", 200, "Auth.SessionInvalid"),
		},
		{name: "session expires after a next URL that carries the old session", scheme: "nextURL", auth: "session", faults: map[int]fault{3: fExpire}, ids: allIDs, reqs: 5, logins: 2},
		{name: "session expires after a Link that carries the old session", scheme: "link", auth: "session", faults: map[int]fault{2: fExpire}, ids: allIDs, reqs: 5, logins: 2},
		{
			name: "next URL on another host", scheme: "nextURL", faults: map[int]fault{2: fForeignNext},
			ids: 6, reqs: 2, wantErr: fvWantError(nil, "listUsers", 200, "different host"),
		},
		{
			name: "Link next on another host", scheme: "link", auth: "oauth2", faults: map[int]fault{1: fForeignNext},
			ids: 3, reqs: 1, tokenHits: 1, wantErr: fvWantError(nil, "listUsers", 200, "different host"),
		},
		{
			name: "protocol-relative next URL on another host", scheme: "nextURL", auth: "session", faults: map[int]fault{3: fForeignRel},
			ids: 9, reqs: 3, logins: 1, wantErr: fvWantError(nil, "listUsers", 200, "different host"),
		},
		{
			name: "redirect to another host", auth: "session", faults: map[int]fault{2: fRedirectForeign},
			ids: 3, reqs: 2, logins: 1, wantErr: fvWantError(nil, "listUsers", 0, "redirect to a different host refused"),
		},
		{
			name: "cursor loop", faults: map[int]fault{3: fLoop},
			ids: 9, reqs: 3, wantErr: fvWantError(nil, "listUsers", 200, "paging loop"),
		},
		{
			name: "body over maxBodyBytes", scheme: "offset", faults: map[int]fault{2: fHuge}, cfg: fvSpecCfg{maxBody: 4096},
			ids: 3, reqs: 2, wantErr: fvWantError(nil, "listUsers", 0, "exceeds the limit of 4096 bytes"),
		},
	}
	// Credentials that expire at random pages (fixed seeds, so a failure
	// reproduces): OAuth2 answers 401, the session answers 200 with an
	// error in the body that the spec's expiry rule recognises.
	schemes := []string{"cursor", "offset", "scim", "link", "nextURL"}
	for seed := uint64(1); seed <= 5; seed++ {
		r := rand.New(rand.NewPCG(seed, 42))
		for _, auth := range []string{"oauth2", "session"} {
			// Two of the four pages; a page's retry after re-authentication
			// is one more request. (Expiring again on that retry is the
			// bounded case below.)
			p1 := 1 + r.IntN(3)
			p2 := p1 + 1 + r.IntN(4-p1)
			faults := map[int]fault{p1: fExpire, p2 + 1: fExpire}
			c := fvImportCase{
				name:   fmt.Sprintf("%s expires at random pages (seed %d)", auth, seed),
				scheme: schemes[r.IntN(len(schemes))], auth: auth, faults: faults, ids: allIDs, reqs: 6,
			}
			if auth == "oauth2" {
				c.tokenHits = 3
			} else {
				c.logins = 3
			}
			cases = append(cases, c)
		}
	}
	return cases
}

func TestFaultsImport(t *testing.T) {
	t.Parallel()
	for _, tc := range fvImportCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.scheme == "" {
				tc.scheme = "cursor"
			}
			if tc.auth == "" {
				tc.auth = "bearer"
			}
			v := newFaultVendor(t, tc.scheme, tc.auth, faultUsers)
			v.listFaults = tc.faults
			if tc.cfg.maxBody != 0 {
				v.maxBody = int(tc.cfg.maxBody)
			}
			e := v.engine(t, tc.cfg)
			start := time.Now()
			ids, err := fvImport(context.Background(), e)
			elapsed := time.Since(start)
			n := tc.ids
			if n == allIDs {
				n = faultUsers
			}
			assert.Equal(t, fvIDs(n), ids, "imported IDs (scheme %s, faults %v)", tc.scheme, tc.faults)
			if tc.wantErr == nil {
				assert.NoError(t, err)
			} else {
				tc.wantErr(t, err)
			}
			listReqs, _, _, tokenHits, logins := v.counts()
			if tc.reqs != 0 {
				assert.Equal(t, tc.reqs, listReqs, "list requests the server saw")
			}
			assert.Equal(t, tc.tokenHits, tokenHits, "token requests")
			assert.Equal(t, tc.logins, logins, "logins")
			assert.Zero(t, v.foreign.hits.Load(), "requests that reached the other host")
			assert.Zero(t, v.foreign.withCred.Load(), "credentials that reached the other host")
			if tc.maxElapsed != 0 {
				assert.Less(t, elapsed, tc.maxElapsed)
			}
		})
	}
}

// Every scheme with every auth, without faults: the baseline the fault
// cases are measured against.
func TestFaultsBaseline(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"cursor", "offset", "scim", "link", "nextURL"} {
		for _, auth := range []string{"bearer", "oauth2", "session"} {
			for _, n := range []int{0, 1, 3, 10} {
				t.Run(fmt.Sprintf("%s/%s/%d", scheme, auth, n), func(t *testing.T) {
					t.Parallel()
					v := newFaultVendor(t, scheme, auth, n)
					ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
					require.NoError(t, err)
					assert.Equal(t, fvIDs(n), ids)
					listReqs, _, _, tokenHits, logins := v.counts()
					pages := max(1, (n+2)/3) // an empty list is one empty page
					assert.Equal(t, pages, listReqs, "list requests")
					assert.Equal(t, map[string]int{"oauth2": 1}[auth], tokenHits)
					assert.Equal(t, map[string]int{"session": 1}[auth], logins)
				})
			}
		}
	}
}

type fvWriteCase struct {
	name       string
	auth       string
	faults     map[int]fault
	cfg        fvSpecCfg
	wantErr    func(*testing.T, error)
	attempts   int // write requests the server saw
	applied    int // writes the server carried out
	tokenHits  int
	logins     int
	maxElapsed time.Duration
}

func TestFaultsWrite(t *testing.T) {
	t.Parallel()
	cases := []fvWriteCase{
		{name: "clean", attempts: 1, applied: 1},
		{name: "503 is not retried", faults: map[int]fault{1: f503}, attempts: 1, wantErr: fvWantError(nil, "create", 503, "try again later")},
		{name: "502 is not retried", faults: map[int]fault{1: f502HTML}, attempts: 1, wantErr: fvWantError(nil, "create", 502, "Bad Gateway")},
		{name: "reset mid-body is not retried", faults: map[int]fault{1: fResetMidBody}, attempts: 1, applied: 1, wantErr: fvWantError(nil, "create", 0, "request failed")},
		{name: "reset without response is not retried", auth: "oauth2", faults: map[int]fault{1: fCloseNoResponse}, attempts: 1, applied: 1, tokenHits: 1, wantErr: fvWantError(nil, "create", 0, "request failed")},
		{name: "timeout is not retried", faults: map[int]fault{1: fSlow}, cfg: fvSpecCfg{timeout: "100ms"}, attempts: 1, applied: 1, wantErr: fvWantError(nil, "create", 0, "deadline exceeded")},
		{name: "429 is retried after the wait", faults: map[int]fault{1: f429}, attempts: 2, applied: 1},
		{name: "429 with HTTP-date and reset headers", auth: "session", faults: map[int]fault{1: f429Date, 2: f429Reset}, attempts: 3, applied: 1, logins: 1},
		{name: "429 waits do not use the retry budget", faults: map[int]fault{1: f429, 2: f429, 3: f429}, cfg: fvSpecCfg{maxAttempts: 2}, attempts: 4, applied: 1},
		{
			name: "429 beyond maxWait fails fast", faults: map[int]fault{1: f429Far}, cfg: fvSpecCfg{maxWait: "1s"}, attempts: 1,
			maxElapsed: 500 * time.Millisecond, wantErr: fvWantError(connector.ErrRateLimited, "create", 429, "slow down"),
		},
		{name: "expired OAuth2 token: refused, re-sent with a new one", auth: "oauth2", faults: map[int]fault{1: fExpire}, attempts: 2, applied: 1, tokenHits: 2},
		{name: "expired session: refused, re-sent after login", auth: "session", faults: map[int]fault{1: fExpire}, attempts: 2, applied: 1, logins: 2},
		{name: "idempotent: 503 is retried", faults: map[int]fault{1: f503, 2: f503}, cfg: fvSpecCfg{idempotent: true}, attempts: 3, applied: 1},
		{name: "idempotent: reset is retried", faults: map[int]fault{1: fResetMidBody}, cfg: fvSpecCfg{idempotent: true}, attempts: 2, applied: 2},
		{name: "idempotent: timeout is retried", faults: map[int]fault{1: fSlow}, cfg: fvSpecCfg{idempotent: true, timeout: "100ms"}, attempts: 2, applied: 2},
		{
			name: "idempotent: 503 beyond the retry budget", faults: map[int]fault{1: f503, 2: f503}, cfg: fvSpecCfg{idempotent: true, maxAttempts: 2},
			attempts: 2, wantErr: fvWantError(nil, "create", 503, "unavailable"),
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.auth == "" {
				tc.auth = "bearer"
			}
			v := newFaultVendor(t, "cursor", tc.auth, 0)
			v.writeFaults = tc.faults
			e := v.engine(t, tc.cfg)
			start := time.Now()
			res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
			elapsed := time.Since(start)
			_, attempts, applied, tokenHits, logins := v.counts()
			if tc.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, fmt.Sprintf("acct-%d", applied), res.AccountID)
			} else {
				tc.wantErr(t, err)
			}
			assert.Equal(t, tc.attempts, attempts, "write requests the server saw")
			assert.Equal(t, tc.applied, applied, "writes the server carried out")
			assert.Equal(t, tc.tokenHits, tokenHits, "token requests")
			assert.Equal(t, tc.logins, logins, "logins")
			if tc.maxElapsed != 0 {
				assert.Less(t, elapsed, tc.maxElapsed)
			}
		})
	}
}

// A request that never reached the server (the dial failed) may be sent
// again whatever its method; the first dial here goes to a closed listener.
func TestFaultsWriteDialFailure(t *testing.T) {
	t.Parallel()
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	deadAddr := dead.Addr().String()
	require.NoError(t, dead.Close())

	t.Run("first dial fails", func(t *testing.T) {
		v := newFaultVendor(t, "cursor", "bearer", 0)
		var dials atomic.Int32
		tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) == 1 {
				addr = deadAddr
			}
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		}}
		defer tr.CloseIdleConnections()
		e := v.engine(t, fvSpecCfg{}, connector.WithHTTPClient(&http.Client{Transport: tr}))
		res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
		require.NoError(t, err)
		assert.Equal(t, "acct-1", res.AccountID)
		_, attempts, applied, _, _ := v.counts()
		assert.Equal(t, 1, attempts)
		assert.Equal(t, 1, applied)
		assert.Equal(t, int32(2), dials.Load())
	})
	t.Run("server down", func(t *testing.T) {
		v := newFaultVendor(t, "cursor", "bearer", 0)
		var dials atomic.Int32
		tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			dials.Add(1)
			return (&net.Dialer{}).DialContext(ctx, network, deadAddr)
		}}
		e := v.engine(t, fvSpecCfg{maxAttempts: 3}, connector.WithHTTPClient(&http.Client{Transport: tr}))
		_, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
		fvWantError(nil, "create", 0, "connection refused")(t, err)
		var op *net.OpError
		require.True(t, errors.As(err, &op), "the dial error stays reachable with errors.As")
		assert.Equal(t, "dial", op.Op)
		assert.Equal(t, int32(3), dials.Load(), "dials: one per attempt")
	})
}

// When the token expires under many concurrent requests, exactly one of
// them fetches a new one; the others wait for it.
func TestFaultsTokenRefreshConcurrency(t *testing.T) {
	t.Parallel()
	const n = 24
	for _, auth := range []string{"oauth2", "session"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", auth, 0)
			e := v.engine(t, fvSpecCfg{})
			require.NoError(t, e.Connect(context.Background()))
			v.expire()
			start := make(chan struct{})
			var wg sync.WaitGroup
			results := make([]string, n)
			errs := make([]error, n)
			for i := 0; i < n; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					res, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": fmt.Sprint("user", i)}, Password: fvUserPassword})
					results[i], errs[i] = res.AccountID, err
				}()
			}
			close(start)
			wg.Wait()
			seen := map[string]bool{}
			for i := range results {
				require.NoError(t, errs[i])
				assert.False(t, seen[results[i]], "account %s returned twice", results[i])
				seen[results[i]] = true
			}
			_, attempts, applied, tokenHits, logins := v.counts()
			assert.Equal(t, n, applied)
			assert.LessOrEqual(t, attempts, 2*n)
			if auth == "oauth2" {
				assert.Equal(t, 2, tokenHits, "token requests: the first and exactly one refresh")
			} else {
				assert.Equal(t, 2, logins, "logins: the first and exactly one re-login")
			}
		})
	}
}

// Cancelling the context stops the import promptly, wherever it waits, and
// no request follows.
func TestFaultsCancel(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		faults map[int]fault
		opts   []connector.Option
		cfg    fvSpecCfg
		reqs   int
	}{
		{name: "during a stalled response", faults: map[int]fault{2: fSlow}, reqs: 2},
		{name: "during a Retry-After wait", faults: map[int]fault{2: f429Far}, cfg: fvSpecCfg{maxWait: "2h"}, reqs: 2},
		{name: "during a retry backoff", faults: map[int]fault{2: f503}, cfg: fvSpecCfg{}, reqs: 2},
		{name: "during a client-side rate-limit wait", opts: []connector.Option{connector.WithRateLimit(0.5, 1)}, reqs: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", "bearer", faultUsers)
			v.listFaults = tc.faults
			opts := tc.opts
			if tc.name == "during a retry backoff" {
				opts = append(opts, connector.WithBackoff(func(time.Duration, time.Duration, int) time.Duration { return time.Hour }))
			}
			e := v.engine(t, tc.cfg, opts...)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var ids []string
			var err error
			var canceledAt atomic.Int64
			for a, ierr := range e.ImportAccounts(ctx, connector.ImportOptions{}) {
				if ierr != nil {
					err = ierr
					break
				}
				ids = append(ids, a.ID)
				if len(ids) == 3 {
					time.AfterFunc(50*time.Millisecond, func() { canceledAt.Store(time.Now().UnixNano()); cancel() })
				}
			}
			ended := time.Now()
			require.Error(t, err)
			assert.ErrorIs(t, err, context.Canceled)
			fvConnError(t, err)
			assert.Equal(t, fvIDs(3), ids)
			require.NotZero(t, canceledAt.Load(), "the import ended before the cancel")
			assert.Less(t, ended.Sub(time.Unix(0, canceledAt.Load())), 300*time.Millisecond, "the import must end promptly after cancel")
			time.Sleep(50 * time.Millisecond)
			listReqs, _, _, _, _ := v.counts()
			assert.Equal(t, tc.reqs, listReqs, "list requests")
		})
	}
	t.Run("canceled before the import", func(t *testing.T) {
		t.Parallel()
		v := newFaultVendor(t, "cursor", "oauth2", faultUsers)
		e := v.engine(t, fvSpecCfg{})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ids, err := fvImport(ctx, e)
		assert.Empty(t, ids)
		assert.ErrorIs(t, err, context.Canceled)
		listReqs, _, _, tokenHits, _ := v.counts()
		assert.Zero(t, listReqs)
		assert.Zero(t, tokenHits)
	})
}

// Breaking out of the range loop makes no further requests.
func TestFaultsBreakEarly(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"cursor", "offset", "scim", "link", "nextURL"} {
		for _, after := range []int{1, 3, 4, 9} {
			t.Run(fmt.Sprintf("%s/after %d", scheme, after), func(t *testing.T) {
				t.Parallel()
				v := newFaultVendor(t, scheme, "bearer", faultUsers)
				e := v.engine(t, fvSpecCfg{})
				n := 0
				for _, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
					require.NoError(t, err)
					n++
					if n == after {
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
				listReqs, _, _, _, _ := v.counts()
				assert.Equal(t, (after+2)/3, listReqs, "list requests: only the pages the loop consumed")
			})
		}
	}
}

// The client-side rate limit spaces requests, from the option or the spec.
func TestFaultsClientRateLimit(t *testing.T) {
	t.Parallel()
	for _, viaSpec := range []bool{false, true} {
		t.Run(fmt.Sprintf("spec=%v", viaSpec), func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", "bearer", 5)
			v.pageSize = 1
			var e *connector.Engine
			if viaSpec {
				e = v.engine(t, fvSpecCfg{rateLimit: 20})
			} else {
				e = v.engine(t, fvSpecCfg{}, connector.WithRateLimit(20, 1))
			}
			ids, err := fvImport(context.Background(), e)
			require.NoError(t, err)
			assert.Equal(t, fvIDs(5), ids)
			v.mu.Lock()
			times := append([]time.Time(nil), v.times...)
			v.mu.Unlock()
			require.Len(t, times, 5)
			assert.GreaterOrEqual(t, times[4].Sub(times[0]), 150*time.Millisecond, "5 requests at 20/s span at least 4 intervals of 50ms")
		})
	}
}

// A Retry-After of one second is honoured as given.
func TestFaultsRetryAfterHonoured(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "bearer", faultUsers)
	v.listFaults = map[int]fault{2: f429One}
	e := v.engine(t, fvSpecCfg{})
	start := time.Now()
	ids, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	assert.Equal(t, fvIDs(faultUsers), ids)
	assert.GreaterOrEqual(t, time.Since(start), 950*time.Millisecond)
	v.mu.Lock()
	gap := v.times[2].Sub(v.times[1])
	v.mu.Unlock()
	assert.GreaterOrEqual(t, gap, 950*time.Millisecond, "the retry came %v after the 429", gap)
}

// syncBuffer is a bytes.Buffer safe for the engine's concurrent logging.
type fvLogBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *fvLogBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *fvLogBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// observed captures everything the engine prints: log lines and traces.
type fvObserved struct {
	log    fvLogBuffer
	mu     sync.Mutex
	traces []connector.Trace
}

func (o *fvObserved) options() []connector.Option {
	return []connector.Option{
		connector.WithLogger(slog.New(slog.NewTextHandler(&o.log, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		connector.WithTrace(func(_ context.Context, tr connector.Trace) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.traces = append(o.traces, tr)
		}),
	}
}

func fvTraceText(tr connector.Trace) string {
	s := fmt.Sprintf("%+v %v %v", tr, tr.RequestHeader, tr.ResponseHeader)
	if tr.Err != nil {
		s += " " + tr.Err.Error()
	}
	return s
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

func assertNoFaultSecrets(t *testing.T, where, text string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains the secret %q:\n%s", where, s, text)
		}
	}
}

// Servers echo credentials in error bodies, headers and URLs; none of it
// may reach an error, a log line or a trace.
func TestFaultsSecretsNeverLeak(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{"bearer", "oauth2", "session"} {
		for _, scheme := range []string{"cursor", "link"} {
			t.Run(auth+"/"+scheme, func(t *testing.T) {
				t.Parallel()
				v := newFaultVendor(t, scheme, auth, faultUsers)
				v.listFaults = map[int]fault{2: fSlow, 4: f503, 6: fEcho400}
				if auth != "bearer" {
					v.listFaults[3] = fExpire // a new runtime credential mid-import
				}
				v.writeFaults = map[int]fault{1: f429, 2: fEcho400}
				var o fvObserved
				e := v.engine(t, fvSpecCfg{timeout: "100ms"}, o.options()...)
				var errs []error

				_, err := fvImport(context.Background(), e)
				require.Error(t, err)
				errs = append(errs, err)
				_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
				require.Error(t, err)
				errs = append(errs, err)

				// A redirect to another host that carries the credential.
				v.mu.Lock()
				v.listReqs, v.listFaults = 0, map[int]fault{1: fRedirectForeign}
				v.mu.Unlock()
				_, err = fvImport(context.Background(), e)
				require.Error(t, err)
				errs = append(errs, err)

				v.mu.Lock()
				echoed := v.echoed
				v.mu.Unlock()
				require.Equal(t, 2, echoed, "the server echoed the credentials twice")
				assert.Zero(t, v.foreign.hits.Load(), "requests that reached the other host")
				secrets := v.secretsOf()
				for i, err := range errs {
					assertNoFaultSecrets(t, fmt.Sprintf("error %d", i), fmt.Sprintf("%v | %+v | %s", err, err, err.Error()), secrets)
					var ue *url.Error
					if errors.As(err, &ue) {
						assertNoFaultSecrets(t, "url.Error.URL", ue.URL, secrets)
					}
				}
				logs := o.log.String()
				require.Contains(t, logs, "level=DEBUG", "the engine logs every attempt at debug level")
				require.Contains(t, logs, "level=INFO", "the engine logs waits and retries")
				assertNoFaultSecrets(t, "log", logs, secrets)
				o.mu.Lock()
				defer o.mu.Unlock()
				require.NotEmpty(t, o.traces)
				for _, tr := range o.traces {
					assertNoFaultSecrets(t, "trace of "+tr.Call, fvTraceText(tr), secrets)
				}
				if auth == "session" {
					assert.Contains(t, logs, "SessionID=REDACTED", "the URL in the log masks the session")
				}
			})
		}
	}
}

// The trace of the login call shows the login response, which carries the
// new session ID: it must be masked like every other runtime credential.
func TestFaultsSecretsLoginTrace(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "session", 3)
	var o fvObserved
	e := v.engine(t, fvSpecCfg{}, o.options()...)
	_, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	secrets := v.secretsOf()
	o.mu.Lock()
	defer o.mu.Unlock()
	logins := 0
	for _, tr := range o.traces {
		if tr.Call == "login" {
			logins++
			assert.Contains(t, tr.ResponseBody, "SessionID", "the login response is traced")
		}
		assertNoFaultSecrets(t, "trace of "+tr.Call, fvTraceText(tr), secrets)
	}
	assert.Equal(t, 1, logins)
}

// Error messages quote the start of a response body; a secret that spans the
// cut must not leave its first half behind.
func TestFaultsSecretsSnippetCut(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, strings.Repeat("x", 285)+" "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+" is not allowed here")
	}))
	defer srv.Close()
	spec, err := connector.Parse([]byte(`{"name":"x","connection":{"baseURL":"` + srv.URL + `","auth":{"a":{"type":"bearer","token":"{{ .secrets.token }}"}}},
	  "import":{"accounts":{"sources":[{"path":"/users","records":"users"}],"id":"id"}}}`))
	require.NoError(t, err)
	e, err := connector.New(spec, connector.WithSecrets(map[string]string{"token": fvBearerToken}))
	require.NoError(t, err)
	_, err = fvImport(context.Background(), e)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), fvBearerToken[:10])
}

// The debug line of the OAuth2 token request shows the token URL; a secret
// placed in it by the spec must be masked like in every other URL.
func TestFaultsSecretsTokenURLLog(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "oauth2", 3)
	var o fvObserved
	e := v.engine(t, fvSpecCfg{tokenURL: "{{ .params.baseURL }}/oauth/token?tenant_key={{ .secrets.tenantKey }}"}, o.options()...)
	_, err := fvImport(context.Background(), e)
	require.NoError(t, err)
	assertNoFaultSecrets(t, "log", o.log.String(), v.secretsOf())
}

// Waiting for a 429 or re-authenticating must not use up the retry budget
// of the attempts that follow: with maxAttempts 2, one 503 after any number
// of 429s or token refreshes is still retried.
func TestFaultsRetryBudgetAfterWaits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		auth   string
		faults map[int]fault
	}{
		{"429s then 503", "bearer", map[int]fault{2: f429, 3: f429, 4: f429, 5: f503}},
		{"token refresh then 503", "oauth2", map[int]fault{2: fExpire, 3: f503}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := newFaultVendor(t, "cursor", tc.auth, faultUsers)
			v.listFaults = tc.faults
			ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{maxAttempts: 2}))
			require.NoError(t, err)
			assert.Equal(t, fvIDs(faultUsers), ids)
		})
	}
}

// A transport timeout says so: the message names the call timeout.
func TestFaultsTimeoutMessage(t *testing.T) {
	t.Parallel()
	v := newFaultVendor(t, "cursor", "bearer", 0)
	v.writeFaults = map[int]fault{1: fSlow}
	e := v.engine(t, fvSpecCfg{timeout: "100ms"})
	_, err := e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no response within 100ms")
}

// A next link back to the first page is a loop: the import must fail
// without yielding the first page's records a second time.
func TestFaultsLoopBackToFirstPage(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"nextURL", "link"} {
		t.Run(scheme, func(t *testing.T) {
			v := newFaultVendor(t, scheme, "bearer", faultUsers)
			v.listFaults = map[int]fault{1: fLoopFirst}
			ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
			assert.Equal(t, fvIDs(3), ids, "no record twice")
			fvWantError(nil, "listUsers", 200, "paging loop")(t, err)
		})
	}
}

// A refused login or token request is an authentication failure that names
// the auth call; the server's echo of the wrong credential stays masked.
func TestFaultsCredentialsRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		auth, call string
		status     int
		code       string
		secrets    map[string]string
	}{
		{"oauth2", "auth:api", 401, "invalid_client", map[string]string{"clientSecret": "cs-SECRET-wrong-1234"}},
		{"session", "login", 200, "SessionCreate.AuthFail", map[string]string{"password": "pw-SECRET-wrong-5678"}},
	}
	for _, tc := range cases {
		t.Run(tc.auth, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", tc.auth, faultUsers)
			var o fvObserved
			e := v.engine(t, fvSpecCfg{}, append(o.options(), connector.WithSecrets(tc.secrets))...)
			ids, err := fvImport(context.Background(), e)
			assert.Empty(t, ids)
			ce := fvConnError(t, err)
			assert.ErrorIs(t, err, connector.ErrAuth)
			assert.Equal(t, tc.call, ce.Call)
			assert.Equal(t, tc.status, ce.StatusCode)
			assert.Equal(t, tc.code, ce.Code)
			listReqs, _, _, tokenHits, logins := v.counts()
			assert.Zero(t, listReqs)
			assert.Equal(t, 1, tokenHits+logins, "one refused login, not retried")
			secrets := append(v.secretsOf(), tc.secrets["clientSecret"]+tc.secrets["password"])
			assertNoFaultSecrets(t, "error", err.Error(), secrets)
			assertNoFaultSecrets(t, "log", o.log.String(), secrets)
		})
	}
}

// A login that meets a 429 waits as the server asks and logs in, like any
// other call: the token request is refused, so sending it again is safe.
func TestFaultsLoginRateLimited(t *testing.T) {
	t.Parallel()
	t.Run("session", func(t *testing.T) {
		t.Parallel()
		v := newFaultVendor(t, "cursor", "session", faultUsers)
		v.tokenFaults = map[int]fault{1: f429, 2: f429Date}
		ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
		require.NoError(t, err)
		assert.Equal(t, fvIDs(faultUsers), ids)
		_, _, _, _, logins := v.counts()
		assert.Equal(t, 3, logins)
	})
	t.Run("oauth2", func(t *testing.T) {
		t.Parallel()
		v := newFaultVendor(t, "cursor", "oauth2", faultUsers)
		v.tokenFaults = map[int]fault{1: f429, 2: f503}
		ids, err := fvImport(context.Background(), v.engine(t, fvSpecCfg{}))
		require.NoError(t, err)
		assert.Equal(t, fvIDs(faultUsers), ids)
		_, _, _, tokenHits, _ := v.counts()
		assert.Equal(t, 3, tokenHits)
	})
}

// A credential refused in the middle of an operation is reported under that
// operation, for OAuth2 as for sessions.
func TestFaultsAuthErrorOp(t *testing.T) {
	t.Parallel()
	for _, auth := range []string{"session", "oauth2"} {
		t.Run(auth, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, "cursor", auth, faultUsers)
			e := v.engine(t, fvSpecCfg{}, connector.WithSecrets(map[string]string{"clientSecret": "wrong", "password": "wrong"}))
			_, err := fvImport(context.Background(), e)
			assert.Equal(t, connector.Operation("importAccounts"), fvConnError(t, err).Op)
			_, err = e.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"userName": "jdoe"}, Password: fvUserPassword})
			assert.Equal(t, connector.CreateAccount, fvConnError(t, err).Op)
		})
	}
}
