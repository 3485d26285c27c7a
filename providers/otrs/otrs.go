// Package otrs is the restconn preset for OTRS, Znuny and OTOBO through the
// GenericInterface REST web service GenericTicketConnectorREST: access
// requests fulfilled through help-desk tickets.
//
// The preset is the JSON spec otrs.json, embedded in the package; read it to
// see exactly what is called, or copy it to make your own. New only fills in
// parameters and secrets.
//
// # What it does
//
//	Connect         POST /Session {UserLogin, Password}: an agent session
//	every request   POST /Ticket: a ticket that tells an agent what to do
//	TicketStatus    GET /Ticket/{id}?SessionID=…
//	CommentTicket   PATCH /Ticket/{id}: TicketUpdate with an article
//	CancelTicket    PATCH /Ticket/{id}: TicketUpdate to Config.CancelState with an article
//	ImportAccounts, ImportAccess
//	                connector.ErrUnsupported (a help desk has no accounts to import)
//
// Every operation (CreateAccount, UpdateAccount, EnableAccount,
// DisableAccount, RemoveAccount, AddAccess and RemoveAccess of any
// entitlement type, ChangePassword) files one ticket in Config.Queue with
// Config.State, Config.Priority and, when set, Config.Type. Its title says
// what to do for whom (e.g. `Grant group "Admins" for ann`); its one
// article (communication channel Internal, text/plain) has the title as
// subject and lists the operation, the user, the account, the entitlement
// and the task (id, requestor, comments) as body. The password of
// ChangePassword and CreateAccount is never written to the ticket: agents
// set passwords through their own channel. Result.Ticket carries the
// TicketID as ID, the TicketNumber as Number, the state pending and the
// agent interface's link as URL; poll it with TicketStatus, or wait for it
// with connector.AwaitTicket.
//
// What each operation reads from the Request: every operation reads
// Request.User, Request.Account, Request.Entitlement (for AddAccess and
// RemoveAccess) and Request.Task only to write them into the ticket's
// title and article, plus the customer user (below) and, when
// Config.RequestIDField is set, Task["id"]. Request.Password is never
// read. UpdateAccount files a ticket listing whatever Request.User and
// Request.Account hold: an agent compares and changes what needs
// changing, so an update is never Unchanged.
//
// Config.RequestIDField names a ticket dynamic field (a text field that
// must exist in OTRS) that receives Request.Task["id"] on create, the way
// the IGA products restconn replaces correlate tickets with requests; a
// request without a task ID sets no field.
//
// # Customer user
//
// OTRS files every ticket for a customer user (Ticket.CustomerUser: a
// customer user login, or an e-mail address). Unless Config.CustomerUser is
// set, it is the first non-empty of
//
//	Request.Task["requestor"]   the person who asked for the access
//	Request.User["email"]       the person the access is for
//	Request.User["username"]
//
// Config.CustomerUser replaces that rule. It is a template over the request
// (the variables of a spec template: .user, .account, .entitlement, .task,
// .op), e.g. "it-desk@example.com" or `{{ .user.manager_email }}`. OTRS
// refuses values that are neither a known login nor a deliverable e-mail
// address (TicketCreate.InvalidParameter).
//
// # Ticket states
//
// TicketStatus maps the ticket's StateType and State; Ticket.Status is the
// OTRS state name and Ticket.Number the TicketNumber:
//
//	new, open                                  open
//	pending reminder, pending auto             pending
//	closed, state "closed successful"          completed
//	closed (any other state), removed, merged  rejected
//
// Change the mapping by editing Spec().Tickets.Status.States; rules match
// "<StateType>/<State>", and the first match wins.
//
// TicketStatus also fills Ticket.UpdatedAt from the ticket's Changed time
// and Ticket.URL with the agent interface's link to the ticket,
// <ScriptAlias>index.pl?Action=AgentTicketZoom;TicketID=<id>, the link
// OTRS's own notifications send; the ScriptAlias is the directory of
// nph-genericinterface.pl in Config.BaseURL. OTRS reports Changed as
// "YYYY-MM-DD HH:MM:SS" in the system time zone (OTRSTimeZone) without an
// offset; the preset reads it as UTC, which OTRS 6 and Znuny use unless
// an administrator changed it (inferred from their configuration
// defaults: check yours). For a system in another zone, replace
// Spec().Tickets.Status.UpdatedAt or set it to "" (UpdatedAt then stays
// zero).
//
// # Comments and cancellation
//
// CommentTicket adds an article to the ticket (TicketUpdate): channel
// Internal, sender agent, visible for the customer as OTRS's own default
// is, text/plain, the first line of the text (up to 100 characters) as
// subject and the text as body. CancelTicket sets the ticket to
// Config.CancelState ("closed unsuccessful" by default) and adds an article
// "Request cancelled" whose body is the reason (or a sentence saying no
// work is needed when there is none); the ticket then reads rejected. A
// ticket that is already closed successfully is left alone (the engine
// returns connector.ErrConflict) and one that is already rejected is
// returned as it is. An unknown ticket is connector.ErrNotFound
// (TicketUpdate.AccessDenied, which OTRS also answers for a ticket the
// agent may not see).
//
// # Sessions and errors
//
// The SessionID is a secret: it is masked in errors, logs and traces like
// the password, including the connector.WithTrace record of the
// SessionCreate response that returns it (the engine traces a login
// response once it knows the new SessionID).
//
// OTRS reports failures inside HTTP 200 responses
// ({"Error":{"ErrorCode","ErrorMessage"}}); any response with Error fails,
// with Error.Code and Error.Message taken from it. A ticket call answered
// with *.AuthFail means the session has expired (sessions die
// SessionMaxIdleTime after their creation, 2 hours by default): the engine
// logs in again and sends the same request again, which is safe because
// OTRS refused it before doing anything. Concurrent requests share one new
// session; sessions that keep being refused end in connector.ErrAuth. Other
// failures:
//
//	SessionCreate.AuthFail                connector.ErrAuth (wrong login or password)
//	TicketGet.AccessDenied,
//	TicketGet.WrongStructure              connector.ErrNotFound (no such ticket, or not visible to the agent)
//	HTTP 500 {"faultcode","faultstring"}  Error.Code "Server", Error.Message the faultstring
//	HTTP 500 text/plain, HTML             Error.Message the text (the start of it)
//
// A POST /Ticket that failed with HTTP 500 or 503, or lost its connection,
// is not sent again, so no ticket is filed twice; a GET /Ticket/{id} is
// retried after a lost connection, 502, 503 or 504.
package otrs

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/restconn/restconn/connector"
)

// Config configures the preset.
type Config struct {
	BaseURL      string // up to and including /nph-genericinterface.pl/Webservice/<Name>
	UserLogin    string // the agent the tickets are filed as
	Password     string // the agent's password (secret)
	Queue        string // queue of new tickets, default "Raw"
	Priority     string // priority of new tickets, default "3 normal"
	State        string // state of new tickets, default "open"
	Type         string // ticket type of new tickets; optional (needs Ticket::Type on)
	CustomerUser string // customer user of new tickets; a template over the request is allowed; default the requester (see the package doc)

	// CancelState is the state CancelTicket sets, default "closed
	// unsuccessful". It must not be "closed successful" (that is how a
	// ticket reads completed); any other state is read as rejected.
	CancelState string
	// RequestIDField is the name of a ticket dynamic field that receives
	// Request.Task["id"] when a ticket is filed; empty: none.
	RequestIDField string
}

// DefaultCancelState is the state CancelTicket sets unless
// Config.CancelState says otherwise.
const DefaultCancelState = "closed unsuccessful"

//go:embed otrs.json
var specJSON []byte

var preset = connector.Embedded(specJSON)

// Spec returns the embedded preset spec: a fresh copy the caller may
// customize and pass to connector.New.
func Spec() *connector.Spec { return preset() }

// webserviceRe is what the GenericInterface provider looks for in the
// request URI to find the web service.
var webserviceRe = regexp.MustCompile(`/nph-genericinterface\.pl/(Webservice/[^/]+|WebserviceID/[0-9]+)$`)

// New returns an engine for the web service at cfg.BaseURL. Options such as
// connector.WithHTTPClient, connector.WithLogger and connector.WithTrace
// pass through.
func New(cfg Config, opts ...connector.Option) (*connector.Engine, error) {
	base, err := checkBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.UserLogin) == "" {
		return nil, fmt.Errorf("otrs: Config.UserLogin is required (the agent login tickets are filed as)")
	}
	if cfg.Password == "" {
		return nil, fmt.Errorf("otrs: Config.Password is required (the password of agent %q)", cfg.UserLogin)
	}
	params := map[string]any{"baseURL": base, "userLogin": cfg.UserLogin}
	for name, v := range map[string]string{"queue": cfg.Queue, "priority": cfg.Priority, "state": cfg.State, "type": cfg.Type,
		"cancelState": cfg.CancelState, "requestIDField": cfg.RequestIDField} {
		if v = strings.TrimSpace(v); v != "" {
			params[name] = v
		}
	}
	spec := Spec()
	if cs := strings.TrimSpace(cfg.CancelState); cs != "" && cs != DefaultCancelState {
		if cs == "closed successful" {
			return nil, fmt.Errorf("otrs: Config.CancelState %q is how a ticket reads completed; choose a state that reads rejected, such as %q", cs, DefaultCancelState)
		}
		// Whatever its state type, a ticket in the cancel state reads
		// rejected: this rule comes first, and the first match wins.
		rule := connector.StateRule{Matches: "^[^/]*/" + regexp.QuoteMeta(cs) + "$", State: connector.TicketRejected}
		spec.Tickets.Status.States = append([]connector.StateRule{rule}, spec.Tickets.Status.States...)
	}
	if cfg.CustomerUser != "" {
		// The customer user is a template over the request, so it is
		// placed in the spec itself rather than passed as a parameter.
		body := spec.Tickets.Create.Calls[0].Body.(map[string]any)
		body["Ticket"].(map[string]any)["CustomerUser"] = cfg.CustomerUser
	}
	opts = append([]connector.Option{
		connector.WithParams(params),
		connector.WithSecrets(map[string]string{"password": cfg.Password}),
	}, opts...)
	e, err := connector.New(spec, opts...)
	var ce *connector.Error
	if errors.As(err, &ce) && ce.Path == customerUserPath {
		return nil, fmt.Errorf("otrs: Config.CustomerUser: %w", err)
	}
	return e, err
}

// customerUserPath is where Config.CustomerUser goes in the spec.
const customerUserPath = "tickets.create.calls[0].body.Ticket.CustomerUser"

// checkBaseURL returns the web service URL without a trailing slash, or an
// error that shows the expected form.
func checkBaseURL(raw string) (string, error) {
	const want = "want e.g. https://desk.example.com/otrs/nph-genericinterface.pl/Webservice/GenericTicketConnectorREST"
	if strings.TrimSpace(raw) == "" {
		return "", fmt.Errorf("otrs: Config.BaseURL is required (%s)", want)
	}
	raw = strings.TrimRight(strings.TrimSpace(raw), "/")
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("otrs: Config.BaseURL is not a URL (%s)", want)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("otrs: Config.BaseURL %q is not an http(s) URL (%s)", u.Redacted(), want)
	}
	if u.RawQuery != "" || u.Fragment != "" || !webserviceRe.MatchString(u.EscapedPath()) {
		return "", fmt.Errorf("otrs: Config.BaseURL %q does not end with /nph-genericinterface.pl/Webservice/<Name> (%s)", u.Redacted(), want)
	}
	return raw, nil
}
