// Package connector defines the Connector interface, the types it trades in,
// the JSON connector spec and the Engine that executes any spec.
//
// A spec describes one target application: how to reach and authenticate to
// it, how to import its accounts and entitlements page by page, which calls
// carry out each provisioning operation, and how to file and poll tickets.
// The Engine is generic: nothing in it knows a vendor. Presets for real
// applications live in the providers packages as embedded specs.
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
	// error, which is yielded once; breaking out of the loop stops all
	// further HTTP calls.
	ImportAccounts(ctx context.Context, opts ImportOptions) iter.Seq2[Account, error]
	// ImportAccess yields every entitlement of the requested types, with
	// the same iteration rules as ImportAccounts.
	ImportAccess(ctx context.Context, opts ImportOptions) iter.Seq2[Entitlement, error]
	// Provision carries out one request.
	Provision(ctx context.Context, req Request) (Result, error)
	// TicketStatus polls a ticket filed by Provision.
	TicketStatus(ctx context.Context, ticketID string) (Ticket, error)
}

// ImportOptions narrow an import.
type ImportOptions struct {
	Since time.Time // zero: full import; otherwise incremental where the spec defines it, else ErrUnsupported
	Types []string  // entitlement types for ImportAccess; empty means all
}

// Account is an account of the target application.
type Account struct {
	ID           string
	Name         string
	Active       bool
	Attributes   map[string]any
	Entitlements map[string][]string // entitlement type -> entitlement IDs, when the account record lists them
}

// Entitlement is a group, role, team or other grantable access.
type Entitlement struct {
	Type       string
	ID         string
	Name       string
	Attributes map[string]any
	Members    []string // account IDs, when the entitlement record lists them
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
type Request struct {
	Op          Operation
	User        map[string]any // the identity; templates see it as .user
	Account     map[string]any // the target account ("id", "name", ...); .account
	Entitlement *Entitlement   // for AddAccess/RemoveAccess; .entitlement
	Task        map[string]any // request metadata (id, requestor, comments); .task
	Password    string         // for CreateAccount/ChangePassword; a secret, never logged
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
type Result struct {
	AccountID  string         // the target's ID for the account (CreateAccount)
	Attributes map[string]any // attributes mapped from responses
	Ticket     *Ticket        // set when the operation is fulfilled through a ticket
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
type Ticket struct {
	ID     string      // the ID to poll with
	Number string      // a human-facing number, where the target has one
	State  TicketState // mapped by the spec's status rules
	Status string      // the target's own status text
}

var _ Connector = (*Engine)(nil)
