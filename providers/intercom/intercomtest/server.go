package intercomtest

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a fake Intercom API. Create one with NewServer.
type Server struct {
	URL   string // base URL to use instead of https://api.intercom.io, without a trailing slash
	Token string // the access token the server accepts

	srv *httptest.Server
	now func() time.Time

	mu sync.Mutex
	// Everything below is guarded by mu.
	revoked     bool
	limit       int
	windowEnd   time.Time // end of the current rate-limit window
	used        int       // calls counted in the current window
	forced      int       // calls still to fail with 429 (RateLimitNext)
	forcedReset time.Time
	requests    []Request

	app         app
	admins      []Admin
	teams       []Team
	ticketTypes []ticketType
	contacts    []Contact
	tickets     []*ticket
	lastTicket  int // numbers handed out so far, for ids
	lastPart    int
	lastContact int
}

// Request is a request the server received, kept for assertions.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	Version  string // the Intercom-Version header; "" when absent
}

type config struct {
	token       string
	admins      []Admin
	teams       []Team
	ticketTypes []TicketType
	contacts    []Contact
	limit       int
	now         func() time.Time
	listener    net.Listener
}

// An Option configures a Server.
type Option func(*config)

// WithToken sets the access token the server accepts. The default is
// "intercomtest-token".
func WithToken(token string) Option {
	return func(c *config) { c.token = token }
}

// WithAdmins replaces the seeded admins. The first admin is the one the token
// belongs to, whom GET /me returns; at least one is needed. IDs must be
// numeric, because teams refer to admins by integer.
func WithAdmins(admins ...Admin) Option {
	return func(c *config) { c.admins = nonNil(admins) }
}

// WithTeams replaces the seeded teams. IDs must be numeric, because admins
// refer to teams by integer. Keeping Team.AdminIDs and Admin.TeamIDs in
// agreement is the caller's business.
func WithTeams(teams ...Team) Option {
	return func(c *config) { c.teams = nonNil(teams) }
}

// WithTicketTypes replaces the seeded ticket type. IDs must be numeric.
func WithTicketTypes(types ...TicketType) Option {
	return func(c *config) { c.ticketTypes = nonNil(types) }
}

// WithContacts replaces the seeded contacts, which tickets can name by id,
// external_id or email.
func WithContacts(contacts ...Contact) Option {
	return func(c *config) { c.contacts = nonNil(contacts) }
}

// WithRateLimit sets X-RateLimit-Limit, the calls allowed per minute. The
// default is 10,000, Intercom's default for an app.
func WithRateLimit(limit int) Option {
	return func(c *config) { c.limit = limit }
}

// WithClock sets the source of the current time, used for created_at and
// updated_at and for the rate-limit window. The default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(c *config) { c.now = now }
}

// WithListener makes the server accept connections on l instead of on a new
// listener at 127.0.0.1 and a random port, for a fake at a known address
// (as "restconn fake intercom --addr" starts). Close closes l.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// NewServer starts and returns a new fake. The caller should call Close when
// finished, to shut it down. Like httptest.NewServer, it panics on invalid
// options.
func NewServer(opts ...Option) *Server {
	c := config{token: "intercomtest-token", limit: 10000, now: time.Now}
	for _, opt := range opts {
		opt(&c)
	}
	if c.admins == nil {
		c.admins = defaultAdmins()
	}
	if c.teams == nil {
		c.teams = defaultTeams()
	}
	if c.ticketTypes == nil {
		c.ticketTypes = defaultTicketTypes()
	}
	if c.contacts == nil {
		c.contacts = defaultContacts()
	}
	if err := c.check(); err != nil {
		panic("intercomtest: " + err.Error())
	}

	s := &Server{
		Token: c.token,
		now:   c.now,
		limit: c.limit,
		app:   defaultApp(c.now()),
	}
	for _, a := range c.admins {
		s.admins = append(s.admins, a.clone())
	}
	for _, t := range c.teams {
		s.teams = append(s.teams, t.clone())
	}
	for i, tt := range c.ticketTypes {
		s.ticketTypes = append(s.ticketTypes, newTicketType(tt, s.app, 2*i+1))
	}
	s.contacts = append(s.contacts, c.contacts...)
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if c.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = c.listener
	}
	s.srv.Start()
	s.URL = s.srv.URL
	return s
}

func (c *config) check() error {
	if c.token == "" {
		return errors.New("WithToken: empty token")
	}
	if c.limit < 1 {
		return fmt.Errorf("WithRateLimit(%d): the limit must be positive", c.limit)
	}
	if c.now == nil {
		return errors.New("WithClock: nil clock")
	}
	if len(c.admins) == 0 {
		return errors.New("WithAdmins: at least one admin is needed, the token's owner")
	}
	ids := map[string]bool{}
	for _, a := range c.admins {
		if err := checkID("admin", a.ID, ids); err != nil {
			return err
		}
	}
	ids = map[string]bool{}
	for _, t := range c.teams {
		if err := checkID("team", t.ID, ids); err != nil {
			return err
		}
	}
	ids = map[string]bool{}
	for _, tt := range c.ticketTypes {
		if err := checkID("ticket type", tt.ID, ids); err != nil {
			return err
		}
		switch tt.Category {
		case "", "Customer", "Back-office", "Tracker":
		default:
			return fmt.Errorf("ticket type %s: category %q is not Customer, Back-office or Tracker", tt.ID, tt.Category)
		}
	}
	ids = map[string]bool{}
	for _, ct := range c.contacts {
		if ct.ID == "" || ids[ct.ID] {
			return fmt.Errorf("contact id %q is empty or repeated", ct.ID)
		}
		ids[ct.ID] = true
	}
	return nil
}

func checkID(what, id string, seen map[string]bool) error {
	if _, err := strconv.ParseInt(id, 10, 64); err != nil {
		return fmt.Errorf("%s id %q is not numeric", what, id)
	}
	if seen[id] {
		return fmt.Errorf("%s id %q is repeated", what, id)
	}
	seen[id] = true
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

// RevokeToken makes every later call fail with 401, as if the token had been
// revoked in the Developer Hub.
func (s *Server) RevokeToken() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.revoked = true
}

// RateLimitNext makes the next n calls fail with 429 rate_limit_exceeded,
// with X-RateLimit-Remaining 0 and X-RateLimit-Reset set to now+reset. The
// refused calls are recorded by Requests, like any others.
func (s *Server) RateLimitNext(n int, reset time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.forced = n
	s.forcedReset = s.now().Add(reset)
}

// maxBody bounds request bodies; the API's own limit is not documented.
const maxBody = 1 << 20

// intercomVersions are the values the 2.11 description allows for the
// Intercom-Version header.
var intercomVersions = map[string]bool{
	"1.0": true, "1.1": true, "1.2": true, "1.3": true, "1.4": true,
	"2.0": true, "2.1": true, "2.2": true, "2.3": true, "2.4": true, "2.5": true,
	"2.6": true, "2.7": true, "2.8": true, "2.9": true, "2.10": true, "2.11": true,
	"Preview": true,
}

// apiError is an error response: a status and one error.list item.
type apiError struct {
	status  int
	code    string
	message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.status, e.code, e.message) }

func errorf(status int, code, format string, args ...any) *apiError {
	return &apiError{status: status, code: code, message: fmt.Sprintf(format, args...)}
}

var (
	errUnauthorized = &apiError{http.StatusUnauthorized, "unauthorized", "Access Token Invalid"}
	errRateLimited  = &apiError{http.StatusTooManyRequests, "rate_limit_exceeded", "Exceeded rate limit"}
	errNotFound     = &apiError{http.StatusNotFound, "not_found", "Resource Not Found"}
)

// call is one API call as the handlers see it.
type call struct {
	method string
	path   []string // segments, without empty ones
	query  url.Values
	body   []byte
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, readErr := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))

	status, out, header := s.handle(r, body, readErr)

	for k, vs := range header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// handle does the work of a call and encodes the response under the lock, so
// that no state escapes it; the caller writes the response after the lock is
// released.
func (s *Server) handle(r *http.Request, body []byte, readErr error) (int, []byte, http.Header) {
	s.mu.Lock()
	defer s.mu.Unlock()
	status, v, header := s.dispatch(r, body, readErr)
	out, err := json.Marshal(v)
	if err != nil {
		// Only a bug in the fake can get here.
		panic("intercomtest: encoding response: " + err.Error())
	}
	return status, out, header
}

// dispatch runs the checks every call goes through and then the handler.
func (s *Server) dispatch(r *http.Request, body []byte, readErr error) (int, any, http.Header) {
	now := s.now()
	s.requests = append(s.requests, Request{
		Method:   r.Method,
		Path:     r.URL.Path,
		RawQuery: r.URL.RawQuery,
		Header:   r.Header.Clone(),
		Body:     bytes.Clone(body),
		Version:  r.Header.Get("Intercom-Version"),
	})

	if !now.Before(s.windowEnd) {
		s.windowEnd = now.Add(time.Minute)
		s.used = 0
	}
	header := http.Header{}
	setLimit := func(remaining int, reset time.Time) {
		header.Set("X-RateLimit-Limit", strconv.Itoa(s.limit))
		header.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
		header.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	}

	if s.forced > 0 {
		s.forced--
		setLimit(0, s.forcedReset)
		return errorBody(errRateLimited, header)
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		setLimit(s.limit-s.used, s.windowEnd)
		return errorBody(errUnauthorized, header)
	}
	if s.used >= s.limit {
		setLimit(0, s.windowEnd)
		return errorBody(errRateLimited, header)
	}
	s.used++
	setLimit(s.limit-s.used, s.windowEnd)

	if vs, ok := r.Header["Intercom-Version"]; ok && (len(vs) != 1 || !intercomVersions[vs[0]]) {
		return errorBody(errorf(http.StatusBadRequest, "intercom_version_invalid",
			"Intercom-Version %q is not a valid API version", strings.Join(vs, ", ")), header)
	}
	if readErr != nil {
		var tooBig *http.MaxBytesError
		if errors.As(readErr, &tooBig) {
			return errorBody(errorf(http.StatusRequestEntityTooLarge, "bad_request", "Request body is larger than %d bytes", maxBody), header)
		}
		return errorBody(errorf(http.StatusBadRequest, "bad_request", "Request body could not be read"), header)
	}

	c := &call{method: r.Method, query: r.URL.Query(), body: body}
	for _, seg := range strings.Split(r.URL.Path, "/") {
		if seg != "" {
			c.path = append(c.path, seg)
		}
	}
	v, err := s.route(c, now)
	if err != nil {
		return errorBody(err, header)
	}
	return http.StatusOK, v, header
}

func (s *Server) authorized(h string) bool {
	const prefix = "Bearer "
	if s.revoked || len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return false
	}
	return strings.TrimSpace(h[len(prefix):]) == s.Token
}

// route dispatches a call to its handler. Handlers return a value to encode
// as the 200 response, or an *apiError.
func (s *Server) route(c *call, now time.Time) (any, *apiError) {
	p := c.path
	switch {
	case c.method == http.MethodGet && len(p) == 1 && p[0] == "me":
		return s.me(), nil
	case len(p) >= 1 && p[0] == "admins":
		switch {
		case c.method == http.MethodGet && len(p) == 1:
			return s.listAdmins(c)
		case c.method == http.MethodGet && len(p) == 2:
			return s.getAdmin(p[1])
		case c.method == http.MethodPut && len(p) == 3 && p[2] == "away":
			return s.setAway(p[1], c)
		}
	case len(p) >= 1 && p[0] == "teams":
		switch {
		case c.method == http.MethodGet && len(p) == 1:
			return s.listTeams(), nil
		case c.method == http.MethodGet && len(p) == 2:
			return s.getTeam(p[1])
		}
	case len(p) >= 1 && p[0] == "ticket_types":
		switch {
		case c.method == http.MethodGet && len(p) == 1:
			return s.listTicketTypes(), nil
		case c.method == http.MethodGet && len(p) == 2:
			return s.getTicketType(p[1])
		}
	case len(p) >= 1 && p[0] == "tickets":
		switch {
		case c.method == http.MethodPost && len(p) == 1:
			return s.createTicket(c, now)
		case c.method == http.MethodPost && len(p) == 2 && p[1] == "search":
			return s.searchTickets(c)
		case c.method == http.MethodGet && len(p) == 2:
			return s.getTicket(p[1])
		case c.method == http.MethodPut && len(p) == 2:
			return s.updateTicket(p[1], c, now)
		case c.method == http.MethodPost && len(p) == 3 && p[2] == "reply":
			return s.replyTicket(p[1], c, now)
		}
	}
	return nil, errNotFound
}

type errorItem struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type errorList struct {
	Type      string      `json:"type"`
	RequestID string      `json:"request_id"`
	Errors    []errorItem `json:"errors"`
}

func errorBody(e *apiError, header http.Header) (int, any, http.Header) {
	return e.status, errorList{
		Type:      "error.list",
		RequestID: newRequestID(),
		Errors:    []errorItem{{Code: e.code, Message: e.message}},
	}, header
}

// newRequestID returns a random UUID (version 4), the form of Intercom's
// request_id.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// decodeObject parses a JSON object body, keeping numbers as json.Number so
// that integers and strings can be told apart.
func decodeObject(body []byte) (map[string]any, *apiError) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil {
		return nil, errorf(http.StatusBadRequest, "bad_request", "There was a problem in the JSON you submitted: the body must be a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errorf(http.StatusBadRequest, "bad_request", "There was a problem in the JSON you submitted: data after the object")
	}
	return m, nil
}

func missing(field string) *apiError {
	return errorf(http.StatusBadRequest, "parameter_not_found", "%s is a required parameter.", field)
}

func invalid(format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "parameter_invalid", format, args...)
}

// optBool reads an optional boolean field.
func optBool(m map[string]any, field string) (v, ok bool, err *apiError) {
	raw, ok := m[field]
	if !ok {
		return false, false, nil
	}
	b, isBool := raw.(bool)
	if !isBool {
		return false, false, invalid("%s must be a boolean", field)
	}
	return b, true, nil
}

// optString reads an optional string field.
func optString(m map[string]any, field string) (v string, ok bool, err *apiError) {
	raw, ok := m[field]
	if !ok {
		return "", false, nil
	}
	str, isString := raw.(string)
	if !isString {
		return "", false, invalid("%s must be a string", field)
	}
	return str, true, nil
}

// optInt reads an optional integer field.
func optInt(m map[string]any, field string) (v int64, ok bool, err *apiError) {
	raw, ok := m[field]
	if !ok {
		return 0, false, nil
	}
	n, isNum := raw.(json.Number)
	if !isNum {
		return 0, false, invalid("%s must be an integer", field)
	}
	i, perr := n.Int64()
	if perr != nil {
		return 0, false, invalid("%s must be an integer", field)
	}
	return i, true, nil
}
