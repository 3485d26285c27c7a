package connector

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/restconn/restconn/binding"
)

// Spec is a parsed connector spec. SPEC.md documents every field. A Spec is
// plain data: callers may build or modify one in Go before passing it to New
// (presets hand out fresh copies for this).
type Spec struct {
	Name        string                     `json:"name"`
	Description string                     `json:"description,omitempty"`
	Params      map[string]ParamSpec       `json:"params,omitempty"`
	Secrets     map[string]SecretSpec      `json:"secrets,omitempty"`
	Connection  Connection                 `json:"connection"`
	Connect     *Chain                     `json:"connect,omitempty"`
	Import      *Import                    `json:"import,omitempty"`
	Provision   map[Operation]*ProvisionOp `json:"provision,omitempty"`
	Tickets     *Tickets                   `json:"tickets,omitempty"`
}

// ParamSpec declares a non-secret parameter (.params.<name>).
type ParamSpec struct {
	Description string `json:"description,omitempty"`
	Default     any    `json:"default,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// SecretSpec declares a secret parameter (.secrets.<name>).
type SecretSpec struct {
	Description string `json:"description,omitempty"`
	Required    bool   `json:"required,omitempty"`
}

// Connection says how to reach the target.
type Connection struct {
	BaseURL      string            `json:"baseURL"`
	Headers      map[string]string `json:"headers,omitempty"`
	Timeout      Duration          `json:"timeout,omitempty"`
	TLS          *TLS              `json:"tls,omitempty"`
	Auth         map[string]*Auth  `json:"auth,omitempty"`
	DefaultAuth  string            `json:"defaultAuth,omitempty"`
	Retry        *Retry            `json:"retry,omitempty"`
	RateLimit    *RateLimit        `json:"rateLimit,omitempty"`
	MaxBodyBytes int64             `json:"maxBodyBytes,omitempty"`
	Errors       *ErrorRules       `json:"errors,omitempty"`
	Failure      []Condition       `json:"failure,omitempty"`

	// Limits that hostile input (a shared spec, a hostile server) must
	// not get past; see SPEC.md "Limits". Zero: the default.
	MaxListLength  int   `json:"maxListLength,omitempty"`  // elements of any one list in a response (default 100000)
	MaxDecodeBytes int64 `json:"maxDecodeBytes,omitempty"` // memory to decode one response (default 4× its size, at least 64 MiB)
	MaxRenderBytes int64 `json:"maxRenderBytes,omitempty"` // text one template or body renders (default 1 MiB)
	MaxRenderSteps int64 `json:"maxRenderSteps,omitempty"` // work of one template or body (default 1000000)

	// Mask names fields (JSON keys at any depth, form fields, query
	// parameters; case ignored) whose values are secret whatever they
	// hold, such as "ssn": masked in traces, logs and errors.
	Mask []string `json:"mask,omitempty"`
}

// TLS options for the default HTTP client.
type TLS struct {
	InsecureSkipVerify bool   `json:"insecureSkipVerify,omitempty"`
	ServerName         string `json:"serverName,omitempty"`
	CAPEM              string `json:"caPEM,omitempty"` // template over .params
	MinVersion         string `json:"minVersion,omitempty"`
}

// Retry tunes retries of failed attempts.
type Retry struct {
	MaxAttempts int      `json:"maxAttempts,omitempty"`
	MinBackoff  Duration `json:"minBackoff,omitempty"`
	MaxBackoff  Duration `json:"maxBackoff,omitempty"`
	MaxWait     Duration `json:"maxWait,omitempty"`
	MaxWaits    int      `json:"maxWaits,omitempty"`

	// The headers a 429 is read from (see SPEC.md): ResetHeader carries
	// when the server accepts requests again, in ResetFormat ("unix",
	// "seconds", "httpDate" or "auto", the default); RemainingHeader the
	// requests left in the window (default X-RateLimit-Remaining).
	ResetHeader     string `json:"resetHeader,omitempty"`
	ResetFormat     string `json:"resetFormat,omitempty"`
	RemainingHeader string `json:"remainingHeader,omitempty"`
}

// RateLimit is a client-side request rate.
type RateLimit struct {
	RequestsPerSecond float64 `json:"requestsPerSecond"`
	Burst             int     `json:"burst,omitempty"`
}

// Auth is one named auth block.
type Auth struct {
	Type string `json:"type"` // none, basic, bearer, apiKey, oauth2, session

	Username string `json:"username,omitempty"` // basic
	Password string `json:"password,omitempty"` // basic
	Token    string `json:"token,omitempty"`    // bearer: the token; session: where the token is in the login response

	In    string `json:"in,omitempty"`    // apiKey: header or query
	Name  string `json:"name,omitempty"`  // apiKey: header or parameter name
	Value string `json:"value,omitempty"` // apiKey: the key

	TokenURL       string            `json:"tokenURL,omitempty"` // oauth2
	ClientID       string            `json:"clientID,omitempty"`
	ClientSecret   string            `json:"clientSecret,omitempty"`
	Scopes         []string          `json:"scopes,omitempty"`
	AuthStyle      string            `json:"authStyle,omitempty"` // header, params, auto
	EndpointParams map[string]string `json:"endpointParams,omitempty"`
	EarlyExpiry    Duration          `json:"earlyExpiry,omitempty"`

	Login  *Call           `json:"login,omitempty"`  // session
	TTL    Duration        `json:"ttl,omitempty"`    // session: how long a session lasts; zero: until an expiry rule matches
	Inject *TokenPlacement `json:"inject,omitempty"` // bearer, oauth2, session: where the token goes

	Expiry []Rule `json:"expiry,omitempty"`
}

// TokenPlacement says where an auth block places its token in each
// request (the spec key "inject").
type TokenPlacement struct {
	In     string `json:"in"`               // header, query or body
	Name   string `json:"name"`             // header name, parameter name or body path
	Prefix string `json:"prefix,omitempty"` // e.g. "Bearer "
}

// Rule matches a response: every listed status (any of) and every condition
// (all of) must hold. An empty rule matches nothing.
type Rule struct {
	Status []int       `json:"status,omitempty"`
	When   []Condition `json:"when,omitempty"`
}

// Condition tests one value of a response or of a template.
type Condition struct {
	Path    string `json:"path,omitempty"`    // a path into the response body
	Header  string `json:"header,omitempty"`  // a response header
	Value   string `json:"value,omitempty"`   // a template
	Exists  *bool  `json:"exists,omitempty"`  // the value is present (true) or absent (false)
	Equals  any    `json:"equals,omitempty"`  // equal to this JSON value (numbers and strings compare by text)
	In      []any  `json:"in,omitempty"`      // equal to one of these
	Matches string `json:"matches,omitempty"` // a regular expression on the text of the value
	Not     bool   `json:"not,omitempty"`     // negate the test
}

// ErrorRules read the vendor's error code and message from a failed
// response and map codes to restconn sentinels.
type ErrorRules struct {
	Code    Paths             `json:"code,omitempty"`
	Message Paths             `json:"message,omitempty"`
	Map     map[string]string `json:"map,omitempty"` // vendor code -> auth, notFound, conflict, rateLimited, unsupported
}

// Paths is one path or a list of paths tried in order.
type Paths []string

// UnmarshalJSON accepts a string or a list of strings.
func (p *Paths) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		*p = Paths{s}
		return nil
	}
	var l []string
	if err := json.Unmarshal(b, &l); err != nil {
		return fmt.Errorf("want a path or a list of paths")
	}
	*p = l
	return nil
}

// Call is one HTTP call.
type Call struct {
	Name       string            `json:"name,omitempty"`
	Auth       string            `json:"auth,omitempty"`
	Method     string            `json:"method,omitempty"`
	Path       string            `json:"path,omitempty"`
	URL        string            `json:"url,omitempty"`
	Query      map[string]string `json:"query,omitempty"`
	Headers    map[string]string `json:"headers,omitempty"`
	Body       any               `json:"body,omitempty"`
	Form       map[string]string `json:"form,omitempty"`
	Success    *Rule             `json:"success,omitempty"`
	Failure    []Condition       `json:"failure,omitempty"`
	Errors     *ErrorRules       `json:"errors,omitempty"`
	If         string            `json:"if,omitempty"`
	ForEach    string            `json:"forEach,omitempty"`
	Idempotent bool              `json:"idempotent,omitempty"`
	Timeout    Duration          `json:"timeout,omitempty"`
	Restart    *Restart          `json:"restart,omitempty"`
}

// Restart re-runs a chain from an earlier call when this call's response
// matches a rule: the optimistic-concurrency pattern of "re-read, then
// write again" (e.g. SCIM 400 invalidVers).
type Restart struct {
	When Rule   `json:"when"`
	From string `json:"from"`
	Max  int    `json:"max,omitempty"`
}

// Chain is a list of calls run in order.
type Chain struct {
	Calls []*Call `json:"calls"`
}

// ListCall is a call that returns a list of records, page by page.
type ListCall struct {
	Call
	Records string  `json:"records,omitempty"`
	Paging  *Paging `json:"paging,omitempty"`
	Stop    []Rule  `json:"stop,omitempty"`
	// AllowMissingRecords reads a response without anything at Records (or
	// with null there, or a 2xx without a body) as an empty page rather
	// than an error: for APIs that answer "no match" that way.
	AllowMissingRecords bool `json:"allowMissingRecords,omitempty"`
}

// Paging configures how a ListCall walks its pages.
type Paging struct {
	Type      string `json:"type"`
	Path      string `json:"path,omitempty"`
	Param     string `json:"param,omitempty"`
	In        string `json:"in,omitempty"`
	SizeParam string `json:"sizeParam,omitempty"`
	Size      int    `json:"size,omitempty"`
	Start     int    `json:"start,omitempty"`
	Total     string `json:"total,omitempty"`
	MaxPages  int    `json:"maxPages,omitempty"`
	// Concurrency is how many page requests may be in flight at once where
	// later pages are known in advance (offset, page and scim with a
	// total); 0 means DefaultImportConcurrency, 1 strictly one page after
	// the other. WithImportConcurrency overrides it.
	Concurrency int `json:"concurrency,omitempty"`
}

// SubList is a paged list call made once per record of an import, whose
// records each name one related ID: the members of an entitlement
// (membersFrom), or the entitlements of an account (entitlementsFrom). Its
// templates see the parent record as .record; ID reads the related ID in
// each of its own records.
type SubList struct {
	ListCall
	ID binding.Field `json:"id"`
}

// Import describes the import of accounts and entitlements.
type Import struct {
	Accounts     *AccountImport                `json:"accounts,omitempty"`
	Entitlements map[string]*EntitlementImport `json:"entitlements,omitempty"`
}

// AccountImport maps a list of records to accounts.
type AccountImport struct {
	Sources      []*ListCall              `json:"sources"`
	Incremental  []*ListCall              `json:"incremental,omitempty"`
	Detail       *Call                    `json:"detail,omitempty"`
	DetailRecord string                   `json:"detailRecord,omitempty"`
	Details      []*Call                  `json:"details,omitempty"` // named calls per record, bound as .detail.<name>; the record is kept
	Unique       bool                     `json:"unique,omitempty"`
	Disjoint     bool                     `json:"disjoint,omitempty"` // the sources never list the same account: no de-duplication across them
	ID           binding.Field            `json:"id"`
	Name         *binding.Field           `json:"name,omitempty"`
	Active       *ActiveRule              `json:"active,omitempty"`
	Attributes   map[string]binding.Field `json:"attributes,omitempty"`
	Entitlements map[string]string        `json:"entitlements,omitempty"`
	// EntitlementsFrom lists an account's entitlements of a type with a
	// call per account, e.g. GET /users/{id}/groups.
	EntitlementsFrom map[string]*SubList `json:"entitlementsFrom,omitempty"`
	Threshold        *Threshold          `json:"threshold,omitempty"` // default removal limits of ReconcileAccounts
}

// ActiveRule decides whether an account is active. Without conditions the value
// at Path is read as a boolean; with them, the account is active when they
// hold. A missing value means Default (true when unset).
type ActiveRule struct {
	Path    string `json:"path"`
	Equals  any    `json:"equals,omitempty"`
	In      []any  `json:"in,omitempty"`
	Matches string `json:"matches,omitempty"`
	Not     bool   `json:"not,omitempty"`
	Default *bool  `json:"default,omitempty"`
}

// EntitlementImport maps records to entitlements of one type.
type EntitlementImport struct {
	Sources      []*ListCall              `json:"sources,omitempty"`
	FromAccounts bool                     `json:"fromAccounts,omitempty"`
	Detail       *Call                    `json:"detail,omitempty"`
	DetailRecord string                   `json:"detailRecord,omitempty"`
	Details      []*Call                  `json:"details,omitempty"` // named calls per record, bound as .detail.<name>; the record is kept
	Unique       bool                     `json:"unique,omitempty"`
	ID           binding.Field            `json:"id"`
	Name         *binding.Field           `json:"name,omitempty"`
	Attributes   map[string]binding.Field `json:"attributes,omitempty"`
	Members      string                   `json:"members,omitempty"`
	// MembersFrom lists each entitlement's members with a paged call per
	// entitlement, e.g. GET /groups/{id}/users; they arrive in chunks of
	// MembersChunk (default DefaultMembersChunk).
	MembersFrom  *SubList   `json:"membersFrom,omitempty"`
	MembersChunk int        `json:"membersChunk,omitempty"`
	Threshold    *Threshold `json:"threshold,omitempty"` // default removal limits of ReconcileAccess for this type
}

// ProvisionOp is how one provisioning operation is carried out: a chain of
// calls, or a ticket. AddAccess and RemoveAccess may give one per
// entitlement type in Types.
type ProvisionOp struct {
	Calls      []*Call                 `json:"calls,omitempty"`
	AccountID  string                  `json:"accountID,omitempty"`
	Attributes map[string]string       `json:"attributes,omitempty"`
	Ticket     *TicketTemplate         `json:"ticket,omitempty"`
	Types      map[string]*ProvisionOp `json:"types,omitempty"`
}

// TicketTemplate fulfils an operation through tickets.create; Title and
// Description are templates exposed to the ticket calls as .ticket.title
// and .ticket.description (defaults describe the request).
type TicketTemplate struct {
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// Tickets describes how tickets are created, polled, commented on and
// cancelled.
type Tickets struct {
	Create  *TicketCreate  `json:"create,omitempty"`
	Status  *TicketPoll    `json:"status,omitempty"`
	Comment *TicketComment `json:"comment,omitempty"`
	Cancel  *TicketCancel  `json:"cancel,omitempty"`
}

// TicketCreate files a ticket.
type TicketCreate struct {
	Calls     []*Call `json:"calls"`
	ID        string  `json:"id"`
	Number    string  `json:"number,omitempty"`
	Status    string  `json:"status,omitempty"`
	Key       string  `json:"key,omitempty"`
	UpdatedAt string  `json:"updatedAt,omitempty"` // RFC 3339 or Unix seconds: Ticket.UpdatedAt
	URL       string  `json:"url,omitempty"`       // a link for people: Ticket.URL
}

// TicketPoll says how Engine.TicketStatus reads a ticket's state: the
// calls that fetch the ticket (.ticket.id) and the rules that map its
// status to a TicketState.
type TicketPoll struct {
	Calls     []*Call     `json:"calls"`
	Status    string      `json:"status"`
	Key       string      `json:"key,omitempty"`
	Number    string      `json:"number,omitempty"`
	States    []StateRule `json:"states"`
	Default   TicketState `json:"default,omitempty"`
	UpdatedAt string      `json:"updatedAt,omitempty"` // RFC 3339 or Unix seconds: Ticket.UpdatedAt
	URL       string      `json:"url,omitempty"`       // a link for people: Ticket.URL
}

// TicketComment says how Engine.CommentTicket adds text to a ticket: the
// calls see .ticket.id and .ticket.text.
type TicketComment struct {
	Calls []*Call `json:"calls"`
}

// TicketCancel says how Engine.CancelTicket withdraws a ticket: the calls
// see .ticket.id and .ticket.reason. With Status, the state after the
// cancel is read from the calls' responses (mapped through
// tickets.status.states); without it, the engine polls tickets.status.
type TicketCancel struct {
	Calls     []*Call `json:"calls"`
	Status    string  `json:"status,omitempty"`
	Key       string  `json:"key,omitempty"`
	Number    string  `json:"number,omitempty"`
	UpdatedAt string  `json:"updatedAt,omitempty"`
	URL       string  `json:"url,omitempty"`
}

// StateRule maps a status key to a TicketState.
type StateRule struct {
	Equals  string      `json:"equals,omitempty"`
	In      []string    `json:"in,omitempty"`
	Matches string      `json:"matches,omitempty"`
	State   TicketState `json:"state"`
}

// Duration is a time.Duration written in JSON as a Go duration string
// ("30s", "1m30s") or a number of seconds.
type Duration time.Duration

// UnmarshalJSON implements json.Unmarshaler.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		v, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("bad duration %q: want e.g. \"30s\" or a number of seconds", s)
		}
		*d = Duration(v)
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("bad duration %s: want e.g. \"30s\" or a number of seconds", b)
	}
	*d = Duration(f * float64(time.Second))
	return nil
}

// MarshalJSON writes the duration string form.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }
