// Package connector defines the Connector interface, the types it trades in,
// the JSON connector spec and the Engine that executes any spec.
//
// A spec describes one target application: how to reach and authenticate to
// it, how to import its accounts and entitlements page by page, which calls
// carry out each provisioning operation, and how to file, poll, comment on
// and cancel tickets.
// The Engine is generic: nothing in it knows a vendor. Presets for real
// applications live in the providers packages as embedded specs.
// Engine.Plan shows what an operation would send, without sending it.
//
//	spec, err := connector.LoadFile("myapp.json")
//	if err != nil { ... }
//	eng, err := connector.New(spec,
//		connector.WithParams(map[string]any{"baseURL": "https://myapp.example.com"}),
//		connector.WithSecrets(map[string]string{"token": os.Getenv("MYAPP_TOKEN")}),
//	)
//	if err != nil { ... }
//	for acct, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
//		if err != nil { ... }
//		fmt.Println(acct.ID, acct.Name)
//	}
//
// Imports stream records in order while the next pages are already on
// their way (up to DefaultImportConcurrency requests at once where the
// paging scheme knows later pages in advance; see WithImportConcurrency),
// and can resume after a crash from a token (ImportOptions.Checkpoint and
// Resume).
//
// Parse (and LoadFile) checks a spec and compiles its templates; New copies
// the spec and compiles the copy once, reusing the templates Parse compiled,
// so a spec changed after New changes nothing in the engine. The spec
// format is documented field by field in SPEC.md beside this file, with a
// JSON Schema (spec.schema.json) for editors.
package connector

import (
	"context"
	"fmt"
	"iter"
	"log/slog"
	"time"
)

// Connector is what a Go service programs against. Every method honours
// ctx's cancellation and deadline. Implementations must be safe for
// concurrent use.
type Connector interface {
	// Connect authenticates and proves the target is reachable.
	Connect(ctx context.Context) error
	// ImportAccounts yields every account. Iteration stops at the first
	// error, which is yielded once; breaking out of the loop cancels the
	// requests in flight (the next pages may already have been asked for)
	// and starts no new one.
	ImportAccounts(ctx context.Context, opts ImportOptions) iter.Seq2[Account, error]
	// ImportAccess yields every entitlement of the requested types, with
	// the same iteration rules as ImportAccounts. An entitlement with
	// many members may be yielded several times, one chunk of members
	// each (see Entitlement): callers merge by Type and ID.
	ImportAccess(ctx context.Context, opts ImportOptions) iter.Seq2[Entitlement, error]
	// Provision carries out one request.
	Provision(ctx context.Context, req Request) (Result, error)
	// TicketStatus polls a ticket filed by Provision.
	TicketStatus(ctx context.Context, ticketID string) (Ticket, error)
}

// ImportOptions narrow an import and make it resumable.
//
// An import that is interrupted (a crashed worker, a cancelled context, a
// failed page) can continue where it stopped: Checkpoint receives a token
// after the last record of each page has been yielded (and the loop body
// has returned), and an import of the same spec with the same options
// given that token as Resume starts with the page after it. Delivery across
// a resume is at-least-once at page granularity: records of the page in
// progress when the import stopped come again, and a multi-source import
// resumed in a later source no longer knows which IDs the earlier sources
// yielded, so consumers upsert by ID. SPEC.md ("How import runs") says what
// the token holds.
type ImportOptions struct {
	Since      time.Time          // zero: full import; otherwise incremental where the spec defines it, else ErrUnsupported
	Types      []string           // entitlement types for ImportAccess; empty means all
	Resume     string             // a token from Checkpoint of an earlier import of the same spec and options; "" = from the start
	Checkpoint func(token string) // called after the last record of each page was yielded; the token resumes after that page
}

// Account is an account of the target application.
//
// In JSON its fields are "id", "name", "active", "attributes"
// and "entitlements"; the last two are left out when nil, so an empty map
// and no map stay apart.
type Account struct {
	ID           string              `json:"id"`
	Name         string              `json:"name"`
	Active       bool                `json:"active"`
	Attributes   map[string]any      `json:"attributes,omitzero"`
	Entitlements map[string][]string `json:"entitlements,omitzero"` // entitlement type -> entitlement IDs, when the account record lists them
}

// Entitlement is a group, role, team or other grantable access.
//
// Members may arrive in chunks. When the spec lists an entitlement's
// members with a call of its own (membersFrom), a group of any size is
// never held in memory whole: an entitlement whose members fill more than
// one chunk (1000 by default, the spec's membersChunk) is yielded several
// times, one right after another, with the same Type, ID, Name and
// Attributes and the next chunk of Members each time. The union of the
// chunks is the exact member list, with no ID twice. Callers merge the
// yields by Type and ID (connectortest.MergeEntitlements does), or handle
// each chunk as it comes.
//
// In JSON its fields are "type", "id", "name", "attributes" and "members";
// the last two are left out when nil, so "members": [] (no members) and no
// "members" (the record does not list them) stay apart.
type Entitlement struct {
	Type       string         `json:"type"`
	ID         string         `json:"id"`
	Name       string         `json:"name"`
	Attributes map[string]any `json:"attributes,omitzero"`
	Members    []string       `json:"members,omitzero"` // account IDs, when the entitlement record lists them
}

// Operation names a provisioning operation. Its value is the key of the
// operation in a spec's "provision" object.
type Operation string

// The provisioning operations.
const (
	CreateAccount  Operation = "createAccount"
	UpdateAccount  Operation = "updateAccount"
	EnableAccount  Operation = "enableAccount"
	DisableAccount Operation = "disableAccount"
	RemoveAccount  Operation = "removeAccount"
	AddAccess      Operation = "addAccess"
	RemoveAccess   Operation = "removeAccess"
	ChangePassword Operation = "changePassword"
)

// Operations lists every operation, in a stable order.
var Operations = []Operation{CreateAccount, UpdateAccount, EnableAccount, DisableAccount, RemoveAccount, AddAccess, RemoveAccess, ChangePassword}

// Request is one provisioning request.
//
// Request redacts Password in fmt and log/slog output; the password reaches
// templates only as .password.
//
// In JSON its fields are "op", "user", "account", "entitlement", "task" and
// "password". The password is read from JSON but never written: MarshalJSON
// leaves it out, so a request can be logged or saved as JSON without it.
// UnmarshalJSON is strict, because a request file is written by hand: an
// unknown key or a value of the wrong kind is an *Error naming its JSON path.
type Request struct {
	Op          Operation      `json:"op,omitempty"`
	User        map[string]any `json:"user,omitzero"`        // the identity; templates see it as .user
	Account     map[string]any `json:"account,omitzero"`     // the target account ("id", "name", ...); .account
	Entitlement *Entitlement   `json:"entitlement,omitzero"` // for AddAccess/RemoveAccess; .entitlement
	Task        map[string]any `json:"task,omitzero"`        // request metadata (id, requestor, comments); .task
	Password    string         `json:"password,omitempty"`   // for CreateAccount/ChangePassword; a secret, never logged or marshalled
}

// String prints the request without its password.
func (r Request) String() string {
	ent := "<nil>"
	if r.Entitlement != nil {
		ent = fmt.Sprintf("%s/%s", r.Entitlement.Type, r.Entitlement.ID)
	}
	pw := ""
	if r.Password != "" {
		pw = " Password:[REDACTED]"
	}
	return fmt.Sprintf("{Op:%s User:%v Account:%v Entitlement:%s Task:%v%s}", r.Op, r.User, r.Account, ent, r.Task, pw)
}

// GoString implements fmt.GoStringer (%#v) without the password.
func (r Request) GoString() string { return "connector.Request" + r.String() }

// Format implements fmt.Formatter so that no verb prints the password.
func (r Request) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(r.GoString()))
		return
	}
	_, _ = f.Write([]byte(r.String()))
}

// LogValue implements slog.LogValuer without the password.
func (r Request) LogValue() slog.Value {
	attrs := []slog.Attr{slog.String("op", string(r.Op))}
	if id, ok := r.Account["id"]; ok {
		attrs = append(attrs, slog.Any("account", id))
	}
	if r.Entitlement != nil {
		attrs = append(attrs, slog.String("entitlement", r.Entitlement.Type+"/"+r.Entitlement.ID))
	}
	if id, ok := r.Task["id"]; ok {
		attrs = append(attrs, slog.Any("task", id))
	}
	if r.Password != "" {
		attrs = append(attrs, slog.String("password", "[REDACTED]"))
	}
	return slog.GroupValue(attrs...)
}

// Result is the outcome of a provisioning request.
//
// In JSON its fields are "accountID" (left out when empty), "attributes"
// (left out when nil), "ticket" (left out when nil) and "unchanged" (left
// out when false).
type Result struct {
	AccountID  string         `json:"accountID,omitempty"` // the target's ID for the account (CreateAccount)
	Attributes map[string]any `json:"attributes,omitzero"` // attributes mapped from responses
	Ticket     *Ticket        `json:"ticket,omitempty"`    // set when the operation is fulfilled through a ticket

	// Unchanged reports that the target already matched the request, so
	// nothing was written: the operation's chain has writing calls (POST,
	// PUT, PATCH, DELETE) and every one of them was skipped by its "if"
	// (or ran its "forEach" over an empty list). An update that sends no
	// write is a success, not an error.
	Unchanged bool `json:"unchanged,omitempty"`
}

// TicketState is the restconn-wide state of a ticket.
type TicketState string

// Ticket states. Completed and Rejected are final.
const (
	TicketOpen      TicketState = "open"
	TicketPending   TicketState = "pending"
	TicketCompleted TicketState = "completed"
	TicketRejected  TicketState = "rejected"
)

func (s TicketState) valid() bool {
	switch s {
	case TicketOpen, TicketPending, TicketCompleted, TicketRejected:
		return true
	}
	return false
}

// Final reports whether no further change is expected.
func (s TicketState) Final() bool { return s == TicketCompleted || s == TicketRejected }

// Ticket is a ticket in the target's ticketing system.
//
// In JSON its fields are "id", "number", "state", "status", "updatedAt"
// (RFC 3339) and "url"; all but id and state are left out when empty or
// zero.
type Ticket struct {
	ID        string      `json:"id"`                 // the ID to poll with
	Number    string      `json:"number,omitempty"`   // a human-facing number, where the target has one
	State     TicketState `json:"state"`              // mapped by the spec's status rules
	Status    string      `json:"status,omitempty"`   // the target's own status text
	UpdatedAt time.Time   `json:"updatedAt,omitzero"` // when the target last changed the ticket, in UTC; zero when unknown
	URL       string      `json:"url,omitempty"`      // where people open the ticket, where the target gives or the spec builds one
}

var _ Connector = (*Engine)(nil)
