package oktatest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultToken is the API token a Server accepts unless WithToken says
// otherwise.
const DefaultToken = "00oktatest-ssws-token-0000000000000000000"

// Defaults for the rate limit: Okta's limits are per minute, and this one is
// high enough that a test paging through 100,000 users does not meet it
// unless it asks to.
const (
	DefaultRateLimit  = 10000
	DefaultRateWindow = time.Minute
)

// Page sizes: the default and largest limit of each list. Users: default
// 200 (description), at most 200 (okta.md); 10 with q (description).
// Groups: default and at most 10000 (okta.md); 300 with q (description).
// Members: default 1000 (description); the maximum is inferred, as is the
// paging of a user's groups, which the description does not document.
const (
	usersDefaultLimit   = 200
	usersMaxLimit       = 200
	usersQDefaultLimit  = 10
	groupsDefaultLimit  = 10000
	groupsMaxLimit      = 10000
	groupsQDefaultLimit = 300
	membersDefaultLimit = 1000
	membersMaxLimit     = 10000
	userGroupsMaxLimit  = 10000
)

// idStart is the first number newID encodes.
const idStart = 1 << 20

// maxBody bounds request bodies, so that a runaway client cannot exhaust
// memory in a test; Okta documents no limit.
const maxBody = 1 << 20

// timeLayout is how Okta writes timestamps: UTC with milliseconds.
const timeLayout = "2006-01-02T15:04:05.000Z"

// Server is a fake Okta org. Create one with NewServer. Its methods are safe
// for concurrent use.
type Server struct {
	URL     string // the org URL to use instead of https://{yourOktaDomain}, without a trailing slash
	Token   string // the API token the server accepts: "Authorization: SSWS " + Token
	AdminID string // the ID of the user the token belongs to, whom GET /api/v1/users/me returns

	srv     *httptest.Server
	now     func() time.Time
	latency time.Duration

	mu sync.Mutex
	// Everything below is guarded by mu.
	revoked     bool
	limit       int
	window      time.Duration
	windowEnd   time.Time
	used        int
	forced      int // calls still to refuse with 429 (RateLimitNext)
	forcedReset time.Time
	failLeft    int // calls still to fail (FailNext)
	failStatus  int
	requests    []Request

	users        []*user // sorted by ID
	usersByID    map[string]*user
	usersByLogin map[string]*user // by loginKey; see userByLogin
	seeded       []*user          // SeedUsers' users by number, while their profile is unchanged
	groups       []*group         // sorted by ID
	groupsByID   map[string]*group
	everyone     *group
	userSeq      uint64
	groupSeq     uint64
	roleSeq      uint64
	seedSeq      int // SeedUsers numbers users from 1
}

// Request is a request the server received, kept for assertions.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

// Query returns the parsed query of the request.
func (r Request) Query() url.Values {
	q, _ := url.ParseQuery(r.RawQuery)
	return q
}

type config struct {
	token       string
	now         func() time.Time
	limit       int
	window      time.Duration
	latency     time.Duration
	users       []User
	usersSet    bool
	groups      []Group
	groupsSet   bool
	empty       bool
	middlewares []func(http.Handler) http.Handler
	listener    net.Listener
}

// An Option configures a Server.
type Option func(*config)

// WithToken sets the API token the server accepts. The default is
// DefaultToken.
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithClock sets the source of the current time, used for every timestamp
// and for the rate-limit window, so that tests need not sleep. The default
// is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithRateLimit sets the calls allowed per window: X-Rate-Limit-Limit. Calls
// beyond it get 429 E0000047 until the window ends. The defaults are
// DefaultRateLimit and DefaultRateWindow.
func WithRateLimit(n int, window time.Duration) Option {
	return func(c *config) { c.limit, c.window = n, window }
}

// WithLatency delays every response by d (in real time, whatever the
// clock), for benchmarks that need a network-like round trip.
func WithLatency(d time.Duration) Option {
	return func(c *config) { c.latency = d }
}

// WithUsers replaces the seeded users (all but the admin, who owns the
// token). Users are added as by AddUser, in order. Unless WithGroups is
// also given, the seeded groups then start without members.
func WithUsers(users ...User) Option {
	return func(c *config) { c.users, c.usersSet = append([]User(nil), users...), true }
}

// WithGroups replaces the seeded groups (all but Everyone). Groups are
// added as by AddGroup, after the users, so members may name users of
// WithUsers by login.
func WithGroups(groups ...Group) Option {
	return func(c *config) { c.groups, c.groupsSet = append([]Group(nil), groups...), true }
}

// Empty starts the org with only the admin, who owns the token, and the
// Everyone group; it overrides the seed but not WithUsers and WithGroups.
func Empty() Option {
	return func(c *config) { c.empty = true }
}

// WithMiddleware wraps the server's handler, for example to validate every
// exchange against Okta's OpenAPI description (within this module,
// internal/openapitest's Validator.Middleware does that). The first
// middleware given is the outermost. Middleware sees every request,
// including those the fake refuses.
func WithMiddleware(mw ...func(http.Handler) http.Handler) Option {
	return func(c *config) { c.middlewares = append(c.middlewares, mw...) }
}

// WithListener makes the server accept connections on l instead of on a new
// listener at 127.0.0.1 and a random port, for a fake at a known address
// (as a command that starts a fake with --addr needs). The org URL is then
// http:// and l's address. Close closes l.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// NewServer starts and returns a new fake org. The caller should call Close
// when finished. Like httptest.NewServer, it panics on invalid options.
func NewServer(opts ...Option) *Server {
	c := config{token: DefaultToken, now: time.Now, limit: DefaultRateLimit, window: DefaultRateWindow}
	for _, opt := range opts {
		opt(&c)
	}
	if err := c.check(); err != nil {
		panic("oktatest: " + err.Error())
	}
	s := &Server{
		Token:        c.token,
		now:          c.now,
		latency:      c.latency,
		limit:        c.limit,
		window:       c.window,
		usersByID:    map[string]*user{},
		usersByLogin: map[string]*user{},
		groupsByID:   map[string]*group{},
		// IDs start from a number whose encoding has no run of zeros.
		userSeq:  idStart,
		groupSeq: idStart,
		roleSeq:  idStart,
	}
	s.seed(&c)

	var h http.Handler = http.HandlerFunc(s.serveHTTP)
	for i := len(c.middlewares) - 1; i >= 0; i-- {
		h = c.middlewares[i](h)
	}
	// The URL is needed for Link headers and _links before the first
	// request, so the listener is started here, as httptest.NewServer does.
	s.srv = httptest.NewUnstartedServer(h)
	if c.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = c.listener
	}
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

func (c *config) check() error {
	switch {
	case c.token == "":
		return errors.New("WithToken: empty token")
	case c.now == nil:
		return errors.New("WithClock: nil clock")
	case c.limit < 1:
		return fmt.Errorf("WithRateLimit(%d, %v): the limit must be positive", c.limit, c.window)
	case c.window <= 0:
		return fmt.Errorf("WithRateLimit(%d, %v): the window must be positive", c.limit, c.window)
	case c.latency < 0:
		return fmt.Errorf("WithLatency(%v): negative", c.latency)
	}
	for _, mw := range c.middlewares {
		if mw == nil {
			return errors.New("WithMiddleware: nil middleware")
		}
	}
	return nil
}

// Close shuts the server down and blocks until all its requests are done.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client configured for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Requests returns every request received so far, in order, including those
// that were refused.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// RevokeToken makes every later call fail with 401 E0000011, as if an admin
// had revoked the token.
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

// RateLimitNext makes the next n calls fail with 429 E0000047, with
// X-Rate-Limit-Remaining 0 and X-Rate-Limit-Reset at now+reset (rounded up
// to a second). It replaces any pending count. The refused calls are
// recorded like any others and do not use the window's budget.
func (s *Server) RateLimitNext(n int, reset time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = max(n, 0)
	s.forcedReset = s.now().Add(reset)
}

// FailNext makes the next n calls fail with the given status (500, 502,
// 503, 504, ...) and an Okta error body, before the token is checked; only
// calls that RateLimitNext refuses come first. It replaces any pending
// count. The failed calls change nothing.
func (s *Server) FailNext(n int, status int) {
	if status < 400 || status > 599 {
		panic(fmt.Sprintf("oktatest: FailNext(%d, %d): the status must be an error status", n, status))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft = max(n, 0)
	s.failStatus = status
}

// call is one API call as the handlers see it.
type call struct {
	method string
	path   []string // segments after /api/v1, without empty ones
	url    string   // the absolute URL of the path on the org's host, for links
	query  url.Values
	body   []byte
	now    time.Time
}

// response is what a handler answers: a value to encode as JSON (nil for
// 204) and extra headers, such as Link.
type response struct {
	status int
	v      any
	header http.Header
}

func ok(v any) response { return response{status: http.StatusOK, v: v} }

func noContent() response { return response{status: http.StatusNoContent} }

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	status, header, out := s.handle(r, body, readErr)
	maps.Copy(w.Header(), header)
	w.Header().Set("X-Okta-Request-Id", randomString(27))
	if out != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	}
	w.WriteHeader(status)
	if out != nil {
		_, _ = w.Write(out)
	}
}

// handle does the work of a call and encodes the response under the lock, so
// that no state escapes it; the caller writes the response after the lock
// is released.
func (s *Server) handle(r *http.Request, body []byte, readErr error) (int, http.Header, []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	res, header := s.dispatch(r, body, readErr)
	maps.Copy(header, res.header)
	if res.v == nil {
		return res.status, header, nil
	}
	if raw, ok := res.v.(rawJSON); ok {
		return res.status, header, raw
	}
	out, err := json.Marshal(res.v)
	if err != nil {
		// Only a bug in the fake can get here.
		panic("oktatest: encoding response: " + err.Error())
	}
	return res.status, header, out
}

// dispatch runs the checks every call goes through, in this order: an
// injected 429 (RateLimitNext), an injected failure (FailNext), the token,
// the rate limit, the body, and then the handler.
func (s *Server) dispatch(r *http.Request, body []byte, readErr error) (response, http.Header) {
	now := s.stamp()
	s.requests = append(s.requests, Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     bytes.Clone(body),
	})

	if !now.Before(s.windowEnd) {
		s.windowEnd = now.Add(s.window)
		s.used = 0
	}
	header := http.Header{}
	setLimit := func(remaining int, reset time.Time) {
		header.Set("X-Rate-Limit-Limit", strconv.Itoa(s.limit))
		header.Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
		header.Set("X-Rate-Limit-Reset", strconv.FormatInt(unixCeil(reset), 10))
	}

	if s.forced > 0 {
		s.forced--
		setLimit(0, s.forcedReset)
		return errRateLimited.response(), header
	}
	if s.failLeft > 0 {
		s.failLeft--
		setLimit(s.limit-s.used, s.windowEnd)
		return injectedFailure(s.failStatus).response(), header
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		setLimit(s.limit-s.used, s.windowEnd)
		return errInvalidToken.response(), header
	}
	if s.used >= s.limit {
		setLimit(0, s.windowEnd)
		return errRateLimited.response(), header
	}
	s.used++
	setLimit(s.limit-s.used, s.windowEnd)

	if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			return apiErrorf(http.StatusRequestEntityTooLarge, "E0000003", "The request body was not well-formed.",
				"The request body is larger than %d bytes.", maxBody).response(), header
		}
		return errMalformed.response(), header
	}
	if len(bytes.TrimSpace(body)) > 0 {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
			return apiErrorf(http.StatusUnsupportedMediaType, "E0000019",
				"Bad request. Accept and/or Content-Type headers likely do not match supported values.",
				"Content-Type %q is not application/json.", r.Header.Get("Content-Type")).response(), header
		}
	}

	rest, found := strings.CutPrefix(r.URL.Path, "/api/v1/")
	if !found {
		return errPathNotFound.response(), header
	}
	c := &call{method: r.Method, url: s.URL + r.URL.EscapedPath(), query: r.URL.Query(), body: body, now: now}
	for _, seg := range strings.Split(rest, "/") {
		if seg != "" {
			c.path = append(c.path, seg)
		}
	}
	return s.route(c), header
}

// authorized checks "Authorization: SSWS <token>". The token stops working
// when revoked and when its owner is suspended, deactivated or deleted, as
// Okta's do.
func (s *Server) authorized(h string) bool {
	tok, found := strings.CutPrefix(h, "SSWS ")
	if s.revoked || !found || strings.TrimSpace(tok) != s.Token {
		return false
	}
	admin := s.usersByID[s.AdminID]
	return admin != nil && admin.status != StatusSuspended && admin.status != StatusDeprovisioned
}

// route dispatches a call to its handler.
func (s *Server) route(c *call) response {
	p := c.path
	n := len(p)
	var allow []string
	switch {
	case n >= 1 && p[0] == "users":
		switch {
		case n == 1:
			allow = []string{"GET", "POST"}
			switch c.method {
			case http.MethodGet:
				return s.listUsers(c)
			case http.MethodPost:
				return s.createUser(c)
			}
		case n == 2:
			allow = []string{"GET", "POST", "PUT", "DELETE"}
			switch c.method {
			case http.MethodGet:
				return s.getUser(c, p[1])
			case http.MethodPost:
				return s.updateUser(c, p[1], false)
			case http.MethodPut:
				return s.updateUser(c, p[1], true)
			case http.MethodDelete:
				return s.deleteUser(c, p[1])
			}
		case n == 3 && p[2] == "groups":
			allow = []string{"GET"}
			if c.method == http.MethodGet {
				return s.listUserGroups(c, p[1])
			}
		case n == 4 && p[2] == "lifecycle" && lifecycleOps[p[3]]:
			allow = []string{"POST"}
			if c.method == http.MethodPost {
				return s.lifecycle(c, p[1], p[3])
			}
		case n == 3 && p[2] == "roles":
			allow = []string{"GET", "POST"}
			switch c.method {
			case http.MethodGet:
				return s.listRoles(c, p[1])
			case http.MethodPost:
				return s.assignRole(c, p[1])
			}
		case n == 4 && p[2] == "roles":
			allow = []string{"GET", "DELETE"}
			switch c.method {
			case http.MethodGet:
				return s.getRole(p[1], p[3])
			case http.MethodDelete:
				return s.unassignRole(p[1], p[3])
			}
		}
	case n >= 1 && p[0] == "groups":
		switch {
		case n == 1:
			allow = []string{"GET"}
			if c.method == http.MethodGet {
				return s.listGroups(c)
			}
		case n == 2:
			allow = []string{"GET"}
			if c.method == http.MethodGet {
				return s.getGroup(c, p[1])
			}
		case n == 3 && p[2] == "users":
			allow = []string{"GET"}
			if c.method == http.MethodGet {
				return s.listMembers(c, p[1])
			}
		case n == 4 && p[2] == "users":
			allow = []string{"PUT", "DELETE"}
			switch c.method {
			case http.MethodPut:
				return s.changeMember(c, p[1], p[3], true)
			case http.MethodDelete:
				return s.changeMember(c, p[1], p[3], false)
			}
		}
	}
	if allow == nil {
		return errPathNotFound.response()
	}
	res := errMethodNotAllowed.response()
	res.header = http.Header{"Allow": {strings.Join(allow, ", ")}}
	return res
}

// unixCeil is t in Unix seconds, rounded up: a client that waits until
// X-Rate-Limit-Reset must find the window over.
func unixCeil(t time.Time) int64 {
	sec := t.Unix()
	if t.Nanosecond() > 0 {
		sec++
	}
	return sec
}

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// randomString returns n random base62 characters, for error IDs, request
// IDs and one-time tokens.
func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// link is a HAL link object.
type link struct {
	Href string `json:"href"`
}

// paging is the limit and cursor of a list call.
type paging struct {
	limit int
	after string
}

// readPaging reads limit and after. A limit above max is lowered to max, as
// Okta does; one that is not a positive integer is refused (inferred: Okta
// documents no error for it).
func readPaging(c *call, def, maxLimit int) (paging, *apiError) {
	p := paging{limit: def, after: c.query.Get("after")}
	if raw, ok := c.query["limit"]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(raw[0]))
		if err != nil || n < 1 {
			return p, validationFailed("limit", fmt.Sprintf("limit: %q is not a positive integer", raw[0]))
		}
		p.limit = min(n, maxLimit)
	}
	return p, nil
}

// linkHeader returns the Link header of a list page: rel="self" for this
// page and, when more remain, rel="next" with the cursor set to next and
// the other parameters kept. URLs are absolute, on the org's own host, as
// Okta sends them.
func (s *Server) linkHeader(c *call, limit int, next string) http.Header {
	h := http.Header{}
	self := c.url
	if len(c.query) > 0 {
		self += "?" + c.query.Encode()
	}
	h.Add("Link", "<"+self+`>; rel="self"`)
	if next != "" {
		q := maps.Clone(c.query)
		q.Set("after", next)
		q.Set("limit", strconv.Itoa(limit))
		h.Add("Link", "<"+c.url+"?"+q.Encode()+`>; rel="next"`)
	}
	return h
}

// decodeObject parses a JSON object body, keeping numbers as json.Number.
func decodeObject(body []byte) (map[string]any, *apiError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errMalformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMalformed
	}
	return m, nil
}

// boolParam reads an optional boolean query parameter.
func boolParam(c *call, name string, def bool) (bool, *apiError) {
	raw, ok := c.query[name]
	if !ok {
		return def, nil
	}
	b, err := strconv.ParseBool(raw[0])
	if err != nil {
		return def, validationFailed(name, fmt.Sprintf("%s: %q is not true or false", name, raw[0]))
	}
	return b, nil
}
