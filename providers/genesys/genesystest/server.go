package genesystest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Defaults for a new Server.
const (
	DefaultClientID     = "genesystest-client"
	DefaultClientSecret = "genesystest-secret"
	DefaultTokenTTL     = 86399 * time.Second
	DefaultMaxCount     = 100
)

// maxBodyBytes bounds request bodies so a runaway client cannot exhaust
// memory in a test.
const maxBodyBytes = 1 << 20

// Server is a fake Genesys Cloud organisation: a login host and an API host,
// both httptest servers, sharing one in-memory directory of users and groups.
// Its methods are safe for concurrent use.
type Server struct {
	APIURL       string // e.g. http://127.0.0.1:1234, stands in for https://api.<region>
	LoginURL     string // a second listener, stands in for https://login.<region>
	ClientID     string
	ClientSecret string

	api   *httptest.Server
	login *httptest.Server
	cfg   config
	start time.Time

	mu         sync.Mutex
	users      map[string]*User
	userOrder  []string
	groups     map[string]*Group
	groupOrder []string
	tokens     map[string]*issuedToken
	tokenSeq   int
	requests   []Request
	seedSeq    int

	// Pending fault injection; see ExpireTokensAfter, RateLimitNext, FailNext.
	expireArmed     bool
	expireRemaining int
	expireCutoff    int
	rateLimitLeft   int
	retryAfter      time.Duration
	failLeft        int
	failStatus      int
}

type issuedToken struct {
	seq     int
	expires time.Time
	revoked bool
}

// Request is one request as the fake received it, for assertions such as
// "the connector sent If-Match" or "it retried the same page".
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	Host     string // "api" or "login"
}

type config struct {
	clientID      string
	clientSecret  string
	tokenTTL      time.Duration
	staticTokens  []string
	now           func() time.Time
	users         []User
	usersSet      bool
	groups        []Group
	groupsSet     bool
	maxCount      int
	apiListener   net.Listener
	loginListener net.Listener
}

// Option configures a Server.
type Option func(*config)

// WithClient sets the OAuth client credentials the login host accepts.
// The defaults are DefaultClientID and DefaultClientSecret.
func WithClient(id, secret string) Option {
	return func(c *config) { c.clientID, c.clientSecret = id, secret }
}

// WithTokenTTL sets the lifetime (and expires_in) of issued access tokens.
// The default, DefaultTokenTTL, is what Genesys reports for a 24-hour token.
func WithTokenTTL(d time.Duration) Option {
	return func(c *config) { c.tokenTTL = d }
}

// WithStaticToken makes the API host also accept token as a bearer token,
// like a pre-issued SCIM token. It never expires, and ExpireTokens and
// ExpireTokensAfter do not affect it.
func WithStaticToken(token string) Option {
	return func(c *config) { c.staticTokens = append(c.staticTokens, token) }
}

// WithClock replaces time.Now for token expiry and meta.lastModified, so
// tests can move time forward without sleeping.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithUsers replaces the seeded users. Users are added as by AddUser, in
// order. Note that User.Active is false unless set. Unless WithGroups is
// also given, the seeded groups then start without members.
func WithUsers(users ...User) Option {
	return func(c *config) { c.users, c.usersSet = append([]User(nil), users...), true }
}

// WithGroups replaces the seeded groups. Groups are added as by AddGroup,
// after the users, so members may name users from WithUsers.
func WithGroups(groups ...Group) Option {
	return func(c *config) { c.groups, c.groupsSet = append([]Group(nil), groups...), true }
}

// WithMaxCount sets ServiceProviderConfig filter.maxResults, which is also
// the most resources a list returns per page. n <= 0 keeps DefaultMaxCount.
func WithMaxCount(n int) Option {
	return func(c *config) {
		if n > 0 {
			c.maxCount = n
		}
	}
}

// WithListener makes the API host accept connections on l instead of on a
// new listener at 127.0.0.1 and a random port, for a fake at a known
// address (as "restconn fake genesys --addr" starts). Close closes l.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.apiListener = l }
}

// WithLoginListener does for the login host what WithListener does for the
// API host.
func WithLoginListener(l net.Listener) Option {
	return func(c *config) { c.loginListener = l }
}

// NewServer starts a fake with both listeners running. Unless WithUsers and
// WithGroups say otherwise it is seeded with three users (two active, one
// inactive) and two groups:
//
//	ada.lovelace@example.com  active    Supervisor, groups Support
//	grace.hopper@example.com  active    Agent, manager Ada, groups Support and Sales
//	alan.turing@example.com   inactive  Agent
//
// The caller must call Close.
func NewServer(opts ...Option) *Server {
	cfg := config{
		clientID:     DefaultClientID,
		clientSecret: DefaultClientSecret,
		tokenTTL:     DefaultTokenTTL,
		now:          time.Now,
		maxCount:     DefaultMaxCount,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		ClientID:     cfg.clientID,
		ClientSecret: cfg.clientSecret,
		cfg:          cfg,
		users:        map[string]*User{},
		groups:       map[string]*Group{},
		tokens:       map[string]*issuedToken{},
	}
	s.start = s.now()
	s.seed()
	s.api = startServer(http.HandlerFunc(s.serveAPI), cfg.apiListener)
	s.login = startServer(http.HandlerFunc(s.serveLogin), cfg.loginListener)
	s.APIURL = s.api.URL
	s.LoginURL = s.login.URL
	return s
}

// startServer starts an httptest server on l, or on its own listener when
// l is nil.
func startServer(h http.Handler, l net.Listener) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	if l != nil {
		srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	return srv
}

func (s *Server) seed() {
	if s.cfg.usersSet {
		for _, u := range s.cfg.users {
			s.AddUser(u)
		}
	} else {
		ada := s.AddUser(User{
			UserName: "ada.lovelace@example.com", DisplayName: "Ada Lovelace", Title: "Supervisor",
			ExternalID: "1001", Active: true,
			Emails:       []Email{{Value: "ada.lovelace@example.com", Type: "work", Primary: true}},
			PhoneNumbers: []Phone{{Value: "tel:+13175550100", Type: "work", Primary: true}},
			Roles:        []string{"employee", "Supervisor"},
			Division:     "Home", Department: "Support", EmployeeNumber: "1001",
			RoutingLanguages: []Proficiency{{Name: "English", Proficiency: 5}},
		})
		s.AddUser(User{
			UserName: "grace.hopper@example.com", DisplayName: "Grace Hopper", Title: "Agent",
			ExternalID: "1002", Active: true,
			Emails:   []Email{{Value: "grace.hopper@example.com", Type: "work", Primary: true}},
			Roles:    []string{"employee"},
			Division: "Home", Department: "Support", ManagerID: ada.ID, EmployeeNumber: "1002",
			RoutingSkills: []Proficiency{{Name: "Billing", Proficiency: 3}},
			RoutingLanguages: []Proficiency{
				{Name: "English", Proficiency: 5}, {Name: "French", Proficiency: 2.5},
			},
		})
		s.AddUser(User{
			UserName: "alan.turing@example.com", DisplayName: "Alan Turing", Title: "Agent",
			ExternalID: "1003", Roles: []string{"employee"}, Division: "Home", EmployeeNumber: "1003",
		})
	}
	if s.cfg.groupsSet {
		for _, g := range s.cfg.groups {
			s.AddGroup(g)
		}
		return
	}
	var support, sales []string
	if !s.cfg.usersSet {
		support = []string{s.userOrder[0], s.userOrder[1]}
		sales = []string{s.userOrder[1]}
	}
	s.AddGroup(Group{DisplayName: "Support", Members: support})
	s.AddGroup(Group{DisplayName: "Sales", ExternalID: "sales", Members: sales})
}

// Close shuts down both listeners.
func (s *Server) Close() {
	s.api.Close()
	s.login.Close()
}

func (s *Server) now() time.Time { return s.cfg.now() }

// AddUser stores u as if it had been provisioned and returns the stored
// copy. An empty ID gets a random UUID, a zero Version becomes 1, a zero
// LastModified becomes now and an empty Division becomes "Home". It panics
// on a duplicate ID or userName, which is a mistake in the test.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	u = u.clone()
	if u.ID == "" {
		u.ID = newUUID()
	}
	if u.Version == 0 {
		u.Version = 1
	}
	if u.LastModified.IsZero() {
		u.LastModified = s.now()
	}
	if u.Division == "" {
		u.Division = defaultDivision
	}
	if _, dup := s.users[u.ID]; dup {
		panic(fmt.Sprintf("genesystest: AddUser: duplicate id %q", u.ID))
	}
	if u.UserName != "" && s.userByNameLocked(u.UserName, "") != nil {
		panic(fmt.Sprintf("genesystest: AddUser: duplicate userName %q", u.UserName))
	}
	s.users[u.ID] = &u
	s.userOrder = append(s.userOrder, u.ID)
	return u.clone()
}

// AddGroup stores g and returns the stored copy. An empty ID gets a random
// UUID and a zero Version becomes 1. It panics on a duplicate ID or on a
// member that is not a stored user.
func (s *Server) AddGroup(g Group) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	g = g.clone()
	if g.ID == "" {
		g.ID = newUUID()
	}
	if g.Version == 0 {
		g.Version = 1
	}
	if g.LastModified.IsZero() {
		g.LastModified = s.now()
	}
	if _, dup := s.groups[g.ID]; dup {
		panic(fmt.Sprintf("genesystest: AddGroup: duplicate id %q", g.ID))
	}
	for _, m := range g.Members {
		if s.users[m] == nil {
			panic(fmt.Sprintf("genesystest: AddGroup: member %q is not a user", m))
		}
	}
	g.Members = dedupe(g.Members)
	s.groups[g.ID] = &g
	s.groupOrder = append(s.groupOrder, g.ID)
	return g.clone()
}

// SeedUsers adds n generated users named userNNNN@example.com, for paging
// tests. Every inactiveEvery-th of them (the inactiveEvery-th, the
// 2*inactiveEvery-th, ...) is inactive; 0 makes all of them active.
func (s *Server) SeedUsers(n int, inactiveEvery int) {
	for i := 1; i <= n; i++ {
		s.mu.Lock()
		s.seedSeq++
		seq := s.seedSeq
		s.mu.Unlock()
		name := fmt.Sprintf("user%04d@example.com", seq)
		s.AddUser(User{
			UserName:       name,
			DisplayName:    fmt.Sprintf("Test User %04d", seq),
			Title:          "Agent",
			ExternalID:     fmt.Sprintf("seed-%04d", seq),
			Active:         inactiveEvery <= 0 || i%inactiveEvery != 0,
			Emails:         []Email{{Value: name, Type: "work", Primary: true}},
			Roles:          []string{"employee"},
			Department:     "Support",
			EmployeeNumber: strconv.Itoa(10000 + seq),
		})
	}
}

// User returns a copy of the stored user with that ID.
func (s *Server) User(id string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[id]
	if !ok {
		return User{}, false
	}
	return u.clone(), true
}

// Users returns copies of all stored users, active or not, in creation order.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, 0, len(s.userOrder))
	for _, id := range s.userOrder {
		out = append(out, s.users[id].clone())
	}
	return out
}

// Group returns a copy of the stored group with that ID.
func (s *Server) Group(id string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g, ok := s.groups[id]
	if !ok {
		return Group{}, false
	}
	return g.clone(), true
}

// Groups returns copies of all stored groups in creation order.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, 0, len(s.groupOrder))
	for _, id := range s.groupOrder {
		out = append(out, s.groups[id].clone())
	}
	return out
}

// Requests returns every request received so far by either host, oldest
// first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		r.Header = r.Header.Clone()
		r.Body = slices.Clone(r.Body)
		out[i] = r
	}
	return out
}

// ExpireTokens makes every token issued so far invalid: API requests that
// use one get 401 until the client fetches a new token.
func (s *Server) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revokeUpTo(s.tokenSeq)
}

// ExpireTokensAfter lets the next n API requests through and then expires
// every token issued before this call, simulating a token that runs out in
// the middle of an import. Tokens issued later stay valid.
func (s *Server) ExpireTokensAfter(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expireArmed = true
	s.expireRemaining = max(n, 0)
	s.expireCutoff = s.tokenSeq
}

// RateLimitNext makes the next n API requests fail with the normalised
// Platform API 429, carrying Retry-After in whole seconds (rounded up). It
// replaces any pending count.
func (s *Server) RateLimitNext(n int, retryAfter time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimitLeft = max(n, 0)
	s.retryAfter = retryAfter
}

// FailNext makes the next n API requests fail with a SCIM error of the
// given status, such as 500 or 503. Use RateLimitNext for 429. It replaces
// any pending count and runs after pending rate limits.
func (s *Server) FailNext(n int, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failLeft = max(n, 0)
	s.failStatus = status
}

// BumpVersion simulates a change made elsewhere: the user's version
// increments, so a client holding the old ETag gets invalidVers.
func (s *Server) BumpVersion(userID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userID]; ok {
		u.Version++
		u.LastModified = s.now()
	}
}

func (s *Server) revokeUpTo(seq int) {
	for _, t := range s.tokens {
		if t.seq <= seq {
			t.revoked = true
		}
	}
}

// record stores the request and returns its body. It reads at most
// maxBodyBytes+1 bytes so callers can tell an oversized body apart.
func (s *Server) record(r *http.Request, host string) (body []byte, tooLarge bool) {
	body, _ = io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	tooLarge = len(body) > maxBodyBytes
	r.Body = io.NopCloser(bytes.NewReader(body))
	s.mu.Lock()
	s.requests = append(s.requests, Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     slices.Clone(body),
		Host:     host,
	})
	s.mu.Unlock()
	return body, tooLarge
}

// serveAPI applies fault injection in a fixed order (token expiry countdown,
// rate limit, injected failure) and then routes the request.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	corr := newUUID()
	w.Header().Set("ININ-Correlation-Id", corr)
	body, tooLarge := s.record(r, "api")

	s.mu.Lock()
	if s.expireArmed {
		if s.expireRemaining == 0 {
			s.revokeUpTo(s.expireCutoff)
			s.expireArmed = false
		} else {
			s.expireRemaining--
		}
	}
	if s.rateLimitLeft > 0 {
		s.rateLimitLeft--
		ra := s.retryAfter
		s.mu.Unlock()
		secs := int(math.Ceil(ra.Seconds()))
		if secs < 0 {
			secs = 0
		}
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		writePlatformError(w, http.StatusTooManyRequests, "too.many.requests.retry.after",
			fmt.Sprintf("Rate limit exceeded the maximum. Retry the request in [%d] seconds", secs), corr)
		return
	}
	if s.failLeft > 0 {
		s.failLeft--
		status := s.failStatus
		s.mu.Unlock()
		writeSCIMError(w, &scimError{status: status, detail: "injected failure: " + http.StatusText(status)})
		return
	}
	s.mu.Unlock()

	if tooLarge {
		writeSCIMError(w, &scimError{status: http.StatusRequestEntityTooLarge,
			detail: fmt.Sprintf("request body exceeds %d bytes", maxBodyBytes)})
		return
	}
	s.routeSCIM(w, r, body, corr)
}

// authorized reports whether the request carries a live bearer token, and
// if not, writes the Platform 401.
func (s *Server) authorized(w http.ResponseWriter, r *http.Request, corr string) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, found := cutSpace(h)
	if h == "" || !found || !equalFold(scheme, "Bearer") || tok == "" {
		writePlatformError(w, http.StatusUnauthorized, "authentication.required",
			"No authentication bearer token specified in authorization header.", corr)
		return false
	}
	s.mu.Lock()
	ok := s.tokenValidLocked(tok)
	s.mu.Unlock()
	if !ok {
		writePlatformError(w, http.StatusUnauthorized, "bad.credentials", "Invalid login credentials.", corr)
		return false
	}
	return true
}

func (s *Server) tokenValidLocked(tok string) bool {
	if slices.Contains(s.cfg.staticTokens, tok) {
		return true
	}
	t, ok := s.tokens[tok]
	return ok && !t.revoked && s.now().Before(t.expires)
}

func (s *Server) issueToken() (string, time.Duration) {
	b := make([]byte, 48)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokenSeq++
	s.tokens[tok] = &issuedToken{seq: s.tokenSeq, expires: s.now().Add(s.cfg.tokenTTL)}
	return tok, s.cfg.tokenTTL
}

// newUUID returns a random RFC 4122 version 4 UUID, the shape of Genesys ids.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func dedupe(ids []string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}
