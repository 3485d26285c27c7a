package otrstest

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults used when no option overrides them.
const (
	DefaultWebservice    = "GenericTicketConnectorREST"
	DefaultAgentLogin    = "restconn"
	DefaultAgentPassword = "otrstest-password"
	// CustomerPassword is the password of every customer user; customer
	// users exist mainly as Ticket.CustomerUser values.
	CustomerPassword = "otrstest-customer-password"
	// DefaultSessionMaxIdle is the SessionMaxIdleTime sysconfig default.
	DefaultSessionMaxIdle = 7200 * time.Second
	// DefaultMaxLength is MaxLength in both sample web service definitions.
	DefaultMaxLength = 100000000
	// ScriptPath is where Apache serves the GenericInterface handler.
	ScriptPath = "/otrs/nph-genericinterface.pl"
)

// sessionMaxTime is SessionMaxTime (16 h). It only matters when a test sets
// a larger idle time, because GI sessions never refresh UserLastRequest.
const sessionMaxTime = 57600 * time.Second

// Server is a fake OTRS/Znuny GenericInterface REST endpoint.
type Server struct {
	// URL is the web service base URL, e.g.
	// http://127.0.0.1:1234/otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST
	URL string

	srv *httptest.Server
	cfg config

	mu        sync.Mutex
	sessions  map[string]*session
	created   int // successful SessionCreate calls
	tickets   map[int]*ticket
	byTN      map[string]int
	nextTID   int
	nextAID   int
	tnDay     string
	tnCounter int
	requests  []Request
	failN     int
	failWith  Fault
}

// Option configures a Server.
type Option func(*config)

type config struct {
	webservice string
	agents     []*agent // index = UserID-1; UserID 1 is root@localhost
	customers  []*customer
	dynFields  []string
	maxIdle    time.Duration
	maxLength  int64
	now        func() time.Time
	numericIDs bool
	listener   net.Listener
}

type agent struct {
	id              int
	login, password string
	first, last     string
	queues          map[int]bool // nil: every queue
}

func (a *agent) fullname() string { return a.first + " " + a.last }

func (a *agent) canQueue(queueID int) bool { return a.queues == nil || a.queues[queueID] }

type customer struct {
	login, customerID string
	emails            []string
	first, last       string
}

func (c *customer) email() string {
	if len(c.emails) == 0 {
		return ""
	}
	return c.emails[0]
}

// WithAgent adds an agent (or changes the password of an existing one) with
// permission on every queue. The default agent DefaultAgentLogin /
// DefaultAgentPassword always exists.
func WithAgent(login, password string) Option {
	return func(c *config) { c.addAgent(login, password, nil) }
}

// WithAgentQueues adds an agent whose group permissions cover only the named
// queues, so tickets elsewhere are invisible (TicketSearch), denied
// (TicketGet/TicketUpdate AccessDenied) or not creatable (TicketCreate
// AccessDenied). Real permissions are per group; all four reference queues
// share the group "users", so this is a simplification.
func WithAgentQueues(login, password string, queueNames ...string) Option {
	return func(c *config) {
		allowed := map[int]bool{}
		for _, q := range queueNames {
			if id := queues.byName(q); id > 0 {
				allowed[id] = true
			}
		}
		c.addAgent(login, password, allowed)
	}
}

func (c *config) addAgent(login, password string, allowed map[int]bool) {
	for _, a := range c.agents {
		if a.login == login {
			a.password, a.queues = password, allowed
			return
		}
	}
	first, last := nameParts(login)
	c.agents = append(c.agents, &agent{id: len(c.agents) + 1, login: login, password: password, first: first, last: last, queues: allowed})
}

// WithCustomerUser adds a customer user. Ticket.CustomerUser accepts its
// login, or any of its e-mail addresses (resolved to the login). The
// CustomerID of an added customer user is its login. Seeded by default:
// "jane.doe" (jane.doe@example.com, CustomerID "ACME") and "john.smith"
// (john.smith@example.com, CustomerID "Globex").
func WithCustomerUser(login string, emails ...string) Option {
	return func(c *config) {
		for _, cu := range c.customers {
			if cu.login == login {
				cu.emails = append([]string(nil), emails...)
				return
			}
		}
		first, last := nameParts(login)
		c.customers = append(c.customers, &customer{login: login, customerID: login, emails: append([]string(nil), emails...), first: first, last: last})
	}
}

// WithDynamicField declares ticket dynamic fields (text). Setting an
// undeclared field is TicketCreate/TicketUpdate InvalidParameter, as on a
// real system. "ExternalRef" is declared by default.
func WithDynamicField(names ...string) Option {
	return func(c *config) {
		for _, n := range names {
			if !contains(c.dynFields, n) {
				c.dynFields = append(c.dynFields, n)
			}
		}
	}
}

// WithSessionMaxIdle sets SessionMaxIdleTime. A GenericInterface session
// dies d after its creation however often it is used, because the GI
// authentication does not refresh UserLastRequest.
func WithSessionMaxIdle(d time.Duration) Option { return func(c *config) { c.maxIdle = d } }

// WithClock replaces time.Now for session expiry, timestamps and ticket
// numbers.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithNumericIDs makes the server send database integers (TicketID,
// ArticleID, StateID, …) as JSON numbers, as some database drivers and
// OTOBO do. TicketNumber stays a string.
func WithNumericIDs() Option { return func(c *config) { c.numericIDs = true } }

// WithWebservice sets the web service name in the URL. Requests for any
// other name get Apache's generic 500 page.
func WithWebservice(name string) Option { return func(c *config) { c.webservice = name } }

// WithMaxLength sets the transport's MaxLength; a request whose
// Content-Length exceeds it gets HTTP 413.
func WithMaxLength(n int64) Option { return func(c *config) { c.maxLength = n } }

// WithListener makes the server accept connections on l instead of on a new
// listener at 127.0.0.1 and a random port, for a fake at a known address
// (as "restconn fake otrs --addr" starts). Close closes l.
func WithListener(l net.Listener) Option { return func(c *config) { c.listener = l } }

// NewServer starts a fake GenericTicketConnectorREST. Close it when done.
func NewServer(opts ...Option) *Server {
	cfg := config{
		webservice: DefaultWebservice,
		maxIdle:    DefaultSessionMaxIdle,
		maxLength:  DefaultMaxLength,
		now:        time.Now,
		dynFields:  []string{"ExternalRef"},
		agents:     []*agent{{id: 1, login: "root@localhost", first: "Admin", last: "OTRS"}},
		customers: []*customer{
			{login: "jane.doe", customerID: "ACME", emails: []string{"jane.doe@example.com"}, first: "Jane", last: "Doe"},
			{login: "john.smith", customerID: "Globex", emails: []string{"john.smith@example.com"}, first: "John", last: "Smith"},
		},
	}
	cfg.addAgent(DefaultAgentLogin, DefaultAgentPassword, nil)
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		cfg:      cfg,
		sessions: map[string]*session{},
		tickets:  map[int]*ticket{},
		byTN:     map[string]int{},
		nextTID:  1,
		nextAID:  1,
	}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	if cfg.listener != nil {
		s.srv.Listener.Close()
		s.srv.Listener = cfg.listener
	}
	s.srv.Start()
	s.URL = s.srv.URL + ScriptPath + "/Webservice/" + url.PathEscape(cfg.webservice)
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// now is the clock truncated to seconds: Znuny stores whole seconds.
func (s *Server) now() time.Time { return s.cfg.now().UTC().Truncate(time.Second) }

// Ticket and Article are read-only snapshots of the server state.
type Ticket struct {
	TicketID, TicketNumber, Title, Queue, State, StateType, Priority, Type, CustomerUser, Owner string
	// Lock is "unlock", "lock" or "tmp_lock"; CustomerID comes from the
	// customer user record ("" for an unknown e-mail address).
	Lock, CustomerID, Responsible string
	Articles                      []Article
	DynamicFields                 map[string]string
	Created, Changed              time.Time
}

// Article is one article of a Ticket.
type Article struct {
	ArticleID, Subject, Body, ContentType, CommunicationChannel, SenderType string
	From, To                                                                string
	IsVisibleForCustomer                                                    bool
	Created                                                                 time.Time
}

// Request is a request as the server received it.
type Request struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// Ticket returns a snapshot of the ticket with the given TicketID.
func (s *Server) Ticket(id string) (Ticket, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[posInt(id)]
	if !ok {
		return Ticket{}, false
	}
	return s.snapshot(t), true
}

// Tickets returns snapshots of all tickets in TicketID order.
func (s *Server) Tickets() []Ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]int, 0, len(s.tickets))
	for id := range s.tickets {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	out := make([]Ticket, 0, len(ids))
	for _, id := range ids {
		out = append(out, s.snapshot(s.tickets[id]))
	}
	return out
}

func (s *Server) snapshot(t *ticket) Ticket {
	st, _ := stateByID(t.stateID)
	out := Ticket{
		TicketID: strconv.Itoa(t.id), TicketNumber: t.tn, Title: t.title,
		Queue: queues.name(t.queueID), State: st.name, StateType: st.typeName,
		Priority: priorities.name(t.priorityID), Type: ticketTypes.name(t.typeID),
		CustomerUser: t.customerUser, CustomerID: t.customerID,
		Owner: s.agentByID(t.ownerID).login, Responsible: s.agentByID(t.responsible).login,
		Lock: locks.name(t.lockID), DynamicFields: map[string]string{},
		Created: t.created, Changed: t.changed,
	}
	for k, v := range t.dynamic {
		out.DynamicFields[k] = v
	}
	for _, a := range t.articles {
		out.Articles = append(out.Articles, Article{
			ArticleID: strconv.Itoa(a.id), Subject: a.subject, Body: a.body, ContentType: a.contentType,
			CommunicationChannel: channels.name(a.channelID), SenderType: senderTypes.name(a.senderTypeID),
			From: a.from, To: a.to, IsVisibleForCustomer: a.visible, Created: a.created,
		})
	}
	return out
}

// SetState moves a ticket to any state of the reference data ("new",
// "open", "closed successful", "pending reminder", "removed", "merged", …),
// as an agent in the web UI would. StateType follows from the state; a
// closed state unlocks the ticket; leaving a pending state clears the
// pending time.
func (s *Server) SetState(ticketID, state string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[posInt(ticketID)]
	if !ok {
		return fmt.Errorf("otrstest: no ticket %q", ticketID)
	}
	st, ok := stateByName(state)
	if !ok {
		return fmt.Errorf("otrstest: unknown state %q", state)
	}
	s.setState(t, st, 1)
	if st.typeName == "closed" {
		s.setLock(t, 1, 1)
	}
	return nil
}

// CloseTicket sets a closed-type state ("closed successful" when state is
// empty, or "closed unsuccessful").
func (s *Server) CloseTicket(ticketID, state string) error {
	if state == "" {
		state = "closed successful"
	}
	st, ok := stateByName(state)
	if !ok || st.typeName != "closed" {
		return fmt.Errorf("otrstest: %q is not a closed state", state)
	}
	return s.SetState(ticketID, state)
}

// ExpireSessions invalidates every session now.
func (s *Server) ExpireSessions() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sessions = map[string]*session{}
}

// Sessions reports how many SessionCreate calls succeeded.
func (s *Server) Sessions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.created
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Request, len(s.requests))
	for i, r := range s.requests {
		out[i] = Request{Method: r.Method, Path: r.Path, RawQuery: r.RawQuery, Header: r.Header.Clone(), Body: append([]byte(nil), r.Body...)}
	}
	return out
}

// Fault is a failure FailNext injects.
type Fault int

const (
	// FaultServer is an operation returning Success => 0: HTTP 500 with
	// {"faultcode":"Server","faultstring":"…"}. The REST transport labels
	// every non-200 response text/plain, this one included.
	FaultServer Fault = iota
	// FaultPlainText is a transport error: HTTP 500, text/plain body
	// "Error while encoding return JSON structure.".
	FaultPlainText
	// FaultApache is Perl dying inside the handler: Apache's HTML 500 page.
	FaultApache
	// FaultUnavailable is a reverse proxy answering 503 with Retry-After: 1.
	FaultUnavailable
	// FaultDropConnection closes the connection without any response.
	FaultDropConnection
)

func (f Fault) String() string {
	switch f {
	case FaultServer:
		return "FaultServer"
	case FaultPlainText:
		return "FaultPlainText"
	case FaultApache:
		return "FaultApache"
	case FaultUnavailable:
		return "FaultUnavailable"
	case FaultDropConnection:
		return "FaultDropConnection"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// FailNext makes the next n requests routed to a ticket operation
// (TicketCreate, TicketGet, TicketGetList, TicketSearch, TicketUpdate) fail
// with fault before the operation runs, so they have no effect. Session
// requests are not affected.
func (s *Server) FailNext(n int, fault Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failN, s.failWith = n, fault
}

func (s *Server) agentByID(id int) *agent {
	if id >= 1 && id <= len(s.cfg.agents) {
		return s.cfg.agents[id-1]
	}
	return &agent{}
}

func (s *Server) agentByLogin(login string) *agent {
	for _, a := range s.cfg.agents {
		if a.login == login {
			return a
		}
	}
	return nil
}

func (s *Server) customerByLogin(login string) *customer {
	for _, c := range s.cfg.customers {
		if c.login == login {
			return c
		}
	}
	return nil
}

// customerByEmail is CustomerSearch(PostMasterSearch => …): case-insensitive.
func (s *Server) customerByEmail(email string) *customer {
	for _, c := range s.cfg.customers {
		for _, e := range c.emails {
			if strings.EqualFold(e, email) {
				return c
			}
		}
	}
	return nil
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// randomString is GenerateRandomString(Length => n): alphanumeric.
func randomString(n int) string {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alnum)))
	for i := range b {
		r, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic(err)
		}
		b[i] = alnum[r.Int64()]
	}
	return string(b)
}

// nameParts derives a first and last name from a login ("jane.doe" ->
// "Jane", "Doe"); the fake has no other source for them.
func nameParts(login string) (string, string) {
	if i := strings.IndexByte(login, '@'); i > 0 {
		login = login[:i]
	}
	parts := strings.FieldsFunc(login, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	switch len(parts) {
	case 0:
		return login, login
	case 1:
		return parts[0], parts[0]
	}
	return parts[0], strings.Join(parts[1:], " ")
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
