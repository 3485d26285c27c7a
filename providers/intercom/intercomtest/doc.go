// Package intercomtest provides a fake of the Intercom REST API, version 2.11,
// for tests: an httptest server that behaves like api.intercom.io for the
// endpoints a connector needs, so code that talks to Intercom can be tested
// offline, the way net/http/httptest lets code that talks HTTP be tested.
//
//	srv := intercomtest.NewServer()
//	defer srv.Close()
//
//	req, _ := http.NewRequest("GET", srv.URL+"/admins", nil)
//	req.Header.Set("Authorization", "Bearer "+srv.Token)
//	res, err := srv.Client().Do(req)
//
// A new server holds a seeded workspace: four admins (one away, one without an
// inbox seat, one without a job title), three teams whose members agree with
// the admins' team_ids, two contacts and one Back-office ticket type, "Access
// request" (id "1"). Options replace any part of the seed. Methods such as
// Ticket, Requests, SetTicketState and CloseTicket let a test inspect and
// change the state behind the API.
//
// # Endpoints
//
//	GET  /me                  the token's admin (the first admin) with its app
//	GET  /admins              admin.list, not paginated; ?display_avatar=true adds avatars
//	GET  /admins/{id}         404 admin_not_found "Admin not found"
//	PUT  /admins/{id}/away    {"away_mode_enabled", "away_mode_reassign"}, both required booleans
//	GET  /teams               team.list, not paginated
//	GET  /teams/{id}          404 team_not_found "Team not found"
//	GET  /ticket_types        {"type": "list", "data": [...]}
//	GET  /ticket_types/{id}
//	POST /tickets             200 with the ticket, in state submitted
//	GET  /tickets/{id}        404 ticket_not_found "Ticket not found"
//	PUT  /tickets/{id}        state, open, is_shared, snoozed_until, ticket_attributes, assignment
//	POST /tickets/{id}/reply  a note, comment or quick_reply by an admin; a comment by a contact
//	POST /tickets/search      ticket.list with total_count and cursor pages
//
// Field names, types, status codes and error bodies follow the official
// OpenAPI description of 2.11 (intercom/Intercom-OpenAPI,
// descriptions/2.11/api.intercom.io.yaml), and the package's tests validate
// every documented exchange against it. Where the description's schema and its
// own examples disagree, the fake follows the examples, which record what the
// API sends: ticket type lists are {"type": "list", "data": [...]}. Where the
// examples omit a field the schema requires (an admin's job_title, a ticket
// part's body), the fake sends it (as "" or null).
//
// # Behaviour common to all endpoints
//
// Every call needs "Authorization: Bearer <Server.Token>"; otherwise, and for
// every call after RevokeToken, the answer is 401 with
// {"type":"error.list","request_id":"…","errors":[{"code":"unauthorized","message":"Access Token Invalid"}]}.
//
// The optional Intercom-Version header must be one of the values the 2.11
// description allows (1.0 to 2.11, and Preview); without it the app's version
// applies. Responses always have the 2.11 shapes whatever the header says. An
// invalid value gets 400 intercom_version_invalid.
//
// Every response carries X-RateLimit-Limit, X-RateLimit-Remaining and
// X-RateLimit-Reset (unix seconds). The limit (WithRateLimit, default 10,000)
// applies per one-minute window, and calls beyond it get 429
// rate_limit_exceeded until the window ends; calls refused with 401 do not
// count. RateLimitNext makes the next calls fail with 429 whatever the
// budget, to test retries.
//
// Paths the fake does not serve, and methods a path does not have, get 404
// not_found "Resource Not Found". Request bodies are limited to 1 MiB (413).
// Responses are JSON (application/json; charset=utf-8). A Server is safe for
// concurrent use.
//
// # Tickets
//
// POST /tickets needs ticket_type_id (a string, or a number as in the
// description's own example) and contacts, a list of exactly one object with
// exactly one of id, external_id or email. An email without a contact creates
// one (see Contacts). company_id is accepted and ignored; created_at (unix
// seconds) sets the creation time. The ticket's id and its Inbox ticket_id
// are different numbers, so a client that confuses them fails.
//
// PUT /tickets/{id} validates the whole body before changing anything. state
// may be in_progress, waiting_on_customer or resolved, never submitted;
// resolved closes the ticket and another state reopens it. open: false closes
// and unsnoozes the ticket. open is applied after state. assignment.admin_id
// must name an admin and assignment.assignee_id an admin, a team or "0"
// (unassign); otherwise 404 assignee_not_found. Each change adds a ticket part.
//
// A ticket closed without being resolved (PUT with open: false, or
// CloseTicket, as a teammate closing it in the Inbox) keeps its
// ticket_state, so GET shows open: false with ticket_state submitted,
// in_progress or waiting_on_customer.
//
// POST /tickets/{id}/reply takes message_type and type. An admin reply
// (type admin) needs admin_id naming an admin (a string, or a number as in
// the description's own example) and, for comment and note, a non-empty
// body; quick_reply needs reply_options. A contact reply (type user,
// message_type comment, one of intercom_user_id, user_id or email, and a
// body) on a Back-office ticket gets 400 parameter_mismatch "User replies
// are not allowed on Backoffice tickets", as documented. The answer is the
// new ticket_part (part_type note, comment or quick_reply, with its body
// and author); the ticket's parts list it with its body, and its
// updated_at moves to the reply's created_at (default now).
//
// POST /tickets/search supports filters combined with AND and OR on id,
// state (also accepted as ticket_state), ticket_type_id, category, title,
// description, contact_ids, admin_assignee_id, team_assignee_id (strings: =,
// !=, IN, NIN, ~, !~, ^, $), created_at, updated_at, snoozed_until (dates: =,
// >, <, >=, <=) and open (=, !=). As the description's operator table says,
// > and < include the value itself. Results come in creation order, 20 a page
// by default and at most 150, with an opaque starting_after cursor in
// pages.next while more remain.
//
// # Inferred behaviour
//
// The description does not document everything. These choices are inferred
// from the error codes it does document and may differ from the real API:
//
//   - GET and PUT /tickets/{id} with an unknown id: 404 ticket_not_found
//     "Ticket not found" (the code Intercom's SDKs use; 2.11 documents no 404).
//   - GET /ticket_types/{id} with an unknown id: 404 not_found "Resource Not Found".
//   - POST /tickets with an unknown ticket type: 404 not_found "Ticket type not
//     found"; with an unknown contact id or external_id: 404 not_found "User Not
//     Found" (the pattern of POST /tags).
//   - Missing fields get 400 parameter_not_found and fields of the wrong type
//     or value 400 parameter_invalid; a body that is not JSON gets 400
//     bad_request.
//   - An invalid Intercom-Version: 400 intercom_version_invalid.
//   - 429 bodies: error.list with rate_limit_exceeded. No Retry-After header
//     is sent; clients should use X-RateLimit-Reset.
//   - An admin without an avatar shows Intercom's default avatar image.
//   - POST /tickets/{id}/reply with an unknown ticket: 404 ticket_not_found;
//     with an unknown admin or contact: 404 not_found "Resource Not Found"
//     (the reply endpoint's documented 404). Replies change neither
//     ticket_state nor open.
//   - Resolving a ticket closes it and any other state reopens it; search
//     accepts ticket_state besides the documented state; per_page above 150
//     is lowered to 150; the part types open, close and snoozed, and an
//     unassignment's assigned_to {"type": "nobody_admin", "id": null}.
//
// # Not modeled
//
// Other endpoints (contacts, conversations, companies, ticket tags,
// creating or changing ticket types); OAuth and token scopes; regional hosts;
// differences between API versions; the 25,000 per workspace limit and the
// spreading of the limit over ten-second periods; validation of ticket
// attributes against the ticket type's attribute definitions (any names are
// accepted); search limits on nesting and filter counts.
package intercomtest
