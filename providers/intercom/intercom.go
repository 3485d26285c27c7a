// Package intercom is the restconn preset for the Intercom REST API 2.11:
// teammates (admins) and teams, and access requests fulfilled through
// Intercom tickets.
//
// The preset is the JSON spec intercom.json, embedded in the package; read
// it to see exactly what is called, or copy it to make your own. New only
// fills in parameters and secrets.
//
// # What it does
//
//	Connect         GET /me (proves the token)
//	ImportAccounts  GET /admins?display_avatar=true (one call: the list is not paginated)
//	ImportAccess    GET /teams: entitlements of type "team", members from admin_ids
//	UpdateAccount   GET /admins/{id}, then PUT /admins/{id}/away when away mode changes
//	other requests  POST /tickets: a ticket that tells a workspace owner what to do,
//	                then PUT /tickets/{id} to assign it (Config.TeamAssigneeID, AdminAssigneeID)
//	TicketStatus    GET /tickets/{id}
//	CommentTicket   POST /tickets/{id}/reply: a note by Config.AdminID
//	CancelTicket    a note giving the reason, then PUT /tickets/{id} {"open": false}
//
// Intercom's API cannot create or delete admins or change team membership,
// so CreateAccount, RemoveAccount, EnableAccount, DisableAccount, AddAccess
// and RemoveAccess (type "team") each file a ticket of Config.TicketTypeID
// for Config.ContactEmail, with _default_title_ saying what to do for whom
// and _default_description_ listing the request (user, account, team, task).
// Result.Ticket carries the ticket; poll it with TicketStatus.
//
// # Accounts
//
// Account.ID is the admin id, Account.Name the admin name, Active is always
// true (the API has no disabled admins) and Entitlements["team"] lists the
// admin's team_ids as strings. Attributes use the API's own field names:
//
//	id, type, name, email, job_title                 strings
//	away_mode_enabled, away_mode_reassign,
//	has_inbox_seat                                   bools
//	team_ids, primary_team_ids, secondary_team_ids   []any of int64
//	avatar_image_url                                 string (avatar.image_url)
//
// and two that describe the import rather than the admin, as the
// SaaS-management integrations restconn replaces record them:
//
//	intercom_version  string: the Intercom-Version the import sent (Config.Version, default "2.11")
//	synced_at         string: when the import started, RFC 3339 in UTC ("2026-03-01T12:00:00Z"),
//	                  the same on every admin of one import
//
// Team entitlements carry id, type, name, admin_ids, primary_admin_ids and
// secondary_admin_ids.
//
// # What each operation reads
//
// UpdateAccount reads Request.Account["id"] and away_mode_enabled and
// away_mode_reassign from Request.Account (bools, or "true"/"false" in any
// case); an absent or null one keeps its current value. These are admin settings, not
// identity columns, so nothing is read from Request.User. The admin is
// read first, and when neither value differs from it no PUT is sent and
// Result.Unchanged is true. Result.AccountID and Result.Attributes
// (away_mode_enabled, away_mode_reassign) describe the admin afterwards.
//
// The ticket operations read the request only to describe it: the title
// names Request.User["email"] (CreateAccount) or Request.Account's email,
// name or id (the others) and, for AddAccess and RemoveAccess,
// Request.Entitlement's name or id; the description lists Request.User,
// Request.Account, Request.Entitlement and Request.Task. The ticket's
// contact is Request.Task["requestor"] when that is an e-mail address,
// else Request.User["email"] (required then), unless Config.ContactEmail
// says otherwise. Request.Password is never read.
//
// # Ticket states
//
// Intercom's ticket_state and open flag map to restconn's TicketState as
// follows; change it with Config.States or by editing
// Spec().Tickets.Status.States:
//
//	submitted, in_progress, waiting_on_customer  pending
//	resolved                                     completed
//	closed (open: false) but not resolved        rejected
//
// A teammate who closes a ticket without resolving it (or CancelTicket)
// leaves ticket_state as it was and sets open to false: the preset matches
// "closed/<ticket_state>" for such tickets, so they read rejected instead
// of pending for ever. Config.States entries match the plain ticket_state
// of open or resolved tickets only.
//
// Tickets fill ID (the API id), Number (ticket_id, the number the Inbox
// shows), State, Status (ticket_state) and UpdatedAt (updated_at). URL
// stays empty: the 2.11 description documents no link to a ticket in the
// Inbox, and the preset does not guess one.
//
// # Comments, cancellation and assignment
//
// CommentTicket adds a note (message_type note, type admin) by
// Config.AdminID with the text as body; Intercom renders notes as HTML, so
// the text may use simple HTML. CancelTicket adds a note "Request
// cancelled: <reason>" and then closes the ticket without resolving it
// (PUT {"open": false}); the returned ticket, read from the PUT's answer,
// reads rejected. The note comes first so that the reason is never lost:
// a cancel whose close failed can be repeated (at worst the note appears
// twice), while a ticket already closed is not written to again. Both
// need Config.AdminID and change nothing without it. A ticket that is
// already resolved is left alone (connector.ErrConflict), one that is
// already closed is returned as it is.
//
// With Config.TeamAssigneeID or Config.AdminAssigneeID, a new ticket is
// assigned right after it is filed (PUT /tickets/{id} with assignment;
// the 2.11 create request has no assignee), by Config.AdminID when set.
// An assignee that does not exist fails the operation with Intercom's 404
// assignee_not_found after the ticket was filed: check the IDs with GET
// /teams and GET /admins.
//
// # Errors and limits
//
// Intercom's error.list gives Error.Code and Error.Message. 401 is
// connector.ErrAuth, 404 (admin_not_found, team_not_found, ticket_not_found)
// is connector.ErrNotFound. A 429 waits until X-RateLimit-Reset, up to 70
// seconds (Intercom's windows are a minute long), then retries; a longer
// wait fails with connector.ErrRateLimited.
package intercom

import (
	_ "embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/restconn/restconn/connector"
)

// Hosts of Intercom's regions.
const (
	BaseURL   = "https://api.intercom.io"
	BaseURLEU = "https://api.eu.intercom.io"
	BaseURLAU = "https://api.au.intercom.io"
)

// Config configures the preset.
type Config struct {
	Token        string // access token (secret)
	BaseURL      string // default https://api.intercom.io; EU https://api.eu.intercom.io, AU https://api.au.intercom.io
	Version      string // Intercom-Version header, default "2.11"
	TicketTypeID string // ticket type used for access requests
	ContactEmail string // the contact the ticket is filed for (e.g. the requester); a template over the request is allowed

	AdminID         string // the admin who writes notes (CommentTicket, CancelTicket) and assigns new tickets
	TeamAssigneeID  string // the team new tickets are assigned to; optional
	AdminAssigneeID string // the admin new tickets are assigned to; optional

	// States overrides how Intercom ticket states map to restconn's:
	// each entry replaces the mapping of one ticket_state.
	States map[string]connector.TicketState
}

//go:embed intercom.json
var specJSON []byte

var preset = connector.Embedded(specJSON)

// Spec returns the embedded preset spec: a fresh copy the caller may
// customize and pass to connector.New.
func Spec() *connector.Spec { return preset() }

// New returns an engine for Intercom. Options such as
// connector.WithHTTPClient and connector.WithLogger pass through.
func New(cfg Config, opts ...connector.Option) (*connector.Engine, error) {
	if cfg.Token == "" {
		return nil, fmt.Errorf("intercom: Config.Token is required")
	}
	params := map[string]any{}
	if cfg.BaseURL != "" {
		params["baseURL"] = strings.TrimRight(cfg.BaseURL, "/")
	}
	if cfg.Version != "" {
		params["version"] = cfg.Version
	}
	if cfg.TicketTypeID != "" {
		params["ticketTypeID"] = cfg.TicketTypeID
	}
	for name, v := range map[string]string{"adminID": cfg.AdminID, "teamAssigneeID": cfg.TeamAssigneeID, "adminAssigneeID": cfg.AdminAssigneeID} {
		if v = strings.TrimSpace(v); v != "" {
			params[name] = v
		}
	}
	spec := Spec()
	if cfg.ContactEmail != "" {
		// The contact is a template over the request, so it is placed in
		// the spec itself rather than passed as a parameter.
		call := spec.Tickets.Create.Calls[0]
		body := call.Body.(map[string]any)
		body["contacts"] = []any{map[string]any{"email": cfg.ContactEmail}}
	}
	if len(cfg.States) > 0 {
		var rules []connector.StateRule
		for _, status := range slices.Sorted(maps.Keys(cfg.States)) { // a stable spec for the same Config
			rules = append(rules, connector.StateRule{Equals: status, State: cfg.States[status]})
		}
		// Overrides come first: the first matching rule wins.
		spec.Tickets.Status.States = append(rules, spec.Tickets.Status.States...)
	}
	opts = append([]connector.Option{
		connector.WithParams(params),
		connector.WithSecrets(map[string]string{"token": cfg.Token}),
	}, opts...)
	e, err := connector.New(spec, opts...)
	if err != nil && configError(err) {
		return nil, fmt.Errorf("intercom: %w", err)
	}
	return e, err
}

// configError reports whether a spec error of New comes from what Config
// placed in the spec (ContactEmail, States).
func configError(err error) bool {
	var ce *connector.Error
	return errors.As(err, &ce) && errors.Is(err, connector.ErrInvalidSpec) && strings.HasPrefix(ce.Path, "tickets.")
}
