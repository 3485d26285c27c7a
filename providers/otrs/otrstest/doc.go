// Package otrstest provides an in-process fake of the OTRS / Znuny
// GenericInterface REST web service "GenericTicketConnectorREST", in the
// spirit of net/http/httptest: start one with NewServer, point a client at
// Server.URL, inspect what happened with Ticket, Tickets and Requests.
//
//	srv := otrstest.NewServer()
//	defer srv.Close()
//	// POST srv.URL+"/Session" {"UserLogin":"restconn","Password":"otrstest-password"}
//
// # What is modelled
//
// The fake follows the vendor's provider stack layer by layer, because
// connectors trip over each layer differently.
//
// Web server and provider. Only paths below /otrs/nph-genericinterface.pl
// exist (anything else is Apache's 404 page). The web service is found by
// name (/Webservice/<Name>, URL-decoded, see WithWebservice) or as
// /WebserviceID/1; an unknown one gets Apache's generic HTML 500, not a
// JSON error.
//
// Transport (HTTP::REST). Routes are the Znuny sample's
// RouteOperationMapping: POST /Session (SessionCreate), GET
// /Session/:SessionID (SessionGet), POST /Ticket (TicketCreate), GET
// /Ticket/:TicketID (TicketGet), GET /TicketList (TicketGetList, a TicketGet
// taking TicketID from the query), GET /Ticket (TicketSearch), PATCH
// /Ticket/:TicketID (TicketUpdate). Any other method/path is HTTP 500
// text/plain "HTTP::REST Error while determine Operation for request URI
// '/Foo'.". Query parameters become request data (repeated keys become
// lists, "+" is a space, a first value "0" becomes ""); path parameters
// override them; for POST and PATCH the JSON body is merged with them, URI
// data winning. GET bodies are never read, so GET requests must carry their
// credentials in the query. Body errors are text/plain 500s: "Error while
// decoding request content." (not JSON, or JSON that is false in Perl:
// null, 0, "", "0", false), "Unsupported request content structure." (a
// scalar, {} or []), "Could not read input data" (fewer bytes than
// Content-Length); a Content-Length above MaxLength is 413. Every response
// says Connection: close. Successful operations and operation-level
// failures are HTTP 200 application/json; charset=UTF-8; every other status
// is labelled
// text/plain; charset=UTF-8, including the JSON fault
// {"faultcode":"Server","faultstring":…} of an operation that fails
// unexpectedly.
//
// Operations. Each check runs in the vendor's order with the vendor's error
// code and message, returned as HTTP 200
// {"Error":{"ErrorCode":"TicketCreate.MissingParameter","ErrorMessage":"TicketCreate: …"}}.
// Request values are judged with Perl truthiness ("0" is missing), JSON
// booleans become 1/0, strings in Ticket/Article are trimmed.
// Authentication takes SessionID, or UserLogin + Password, or
// CustomerUserLogin + Password; a SessionID present is the only credential
// looked at, and an unknown or expired one is the operation's AuthFail.
// Sessions are 32 random alphanumerics and die SessionMaxIdle after
// creation, because GI authentication never refreshes them.
//
// Data. The reference data of a fresh install: states and state types with
// their IDs, priorities "1 very low" … "5 very high", queues Postmaster,
// Raw, Junk, Misc (IDs 1–4), type Unclassified, locks, sender types,
// communication channels (Email, Phone, Internal allowed; Chat refused).
// Ticket numbers use the default DateChecksum generator (YYYYMMDD, system
// ID 10, a daily counter, a check digit); timestamps are
// "YYYY-MM-DD HH:MM:SS" in UTC. Closed states unlock; an Owner given on
// create locks; pending states take PendingTime ({Diff} or
// {Year,Month,Day,Hour,Minute}), and TicketUpdate refuses a pending state
// without one. IDs are strings unless WithNumericIDs.
//
// # What is inferred
//
// Reading the vendor's Perl rather than observing a server, the fake
// commits to these readings: a non-existent TicketID fails TicketGet's
// permission check (AccessDenied) before anything else; Ticket.CustomerUser
// is valid when it is a known login or any valid e-mail address (a known
// address resolves to its login, an unknown one is stored as is with an
// empty CustomerID); e-mail validation stands in for CheckEmail's default
// MX lookup by refusing the reserved domains .test, .invalid, .example,
// .localhost and .local, which never resolve; TicketSearch's StateType arrives as a
// list, so the documented "Open"/"Closed" shortcuts are bypassed and, on
// MySQL's case-insensitive collation, "Open" selects the state type "open"
// only; a POST or PATCH with an empty (Content-Length: 0) or chunked body
// is handled as if it had no body at all (the CGI handler reads nothing
// without a Content-Length), so its operation sees only URI data;
// TicketUpdate applies Title, Queue, Lock and Type before it can fail on a
// pending state. Names of queues, states, priorities and so on match
// case-sensitively. Permissions are per queue (WithAgentQueues) rather than
// per group; customer users see tickets whose CustomerUserID or CustomerID
// is theirs.
//
// # What is not modelled
//
// TicketHistoryGet (its route answers like an unknown route), services,
// SLAs, watchers, attachments (validated, not stored), article dynamic
// fields, escalations, the archive, Extended ticket attributes,
// IncludeTicketData, the Znuny 7 X-OTRS-Header-* request headers, remote-IP
// session checks, e-mail sending (ArticleSend only forces the Email
// channel), and TicketSearch on dynamic fields or article content (a GET
// query cannot carry the nested parameters those need, so the real server
// ignores them too) and on history-based times (Ticket{Change,Close,Pending}Time…,
// Created*). TicketSearch does support TicketNumber, Title, CustomerID and
// CustomerUserLogin with QueryCondition wildcards, Queues/QueueIDs,
// States/StateIDs, StateType/StateTypeIDs, Priorities, Types, Locks,
// OwnerIDs, ResponsibleIDs, TicketCreateTime* and TicketLastChangeTime*,
// SortBy/OrderBy and Limit (default 500); no match is {}.
//
// The fake is safe for concurrent use. FailNext injects transport-level
// failures; SetState and CloseTicket change tickets behind the client's back
// the way an agent in the web UI would.
package otrstest
