/*
Package restconn runs declarative REST connectors: a Go service connects to
a SaaS application by loading a JSON spec, not by writing a client for it.

This package holds only documentation. The code lives in:

	connector            the Connector interface, the spec format (SPEC.md) and the Engine that runs any spec
	connector/connectortest  a conformance suite any Connector can run against its fake server, and a test kit
	template             templates inside specs: Go text/template with hermetic functions, typed values, escaping
	binding              the variables templates see (documented), Field and Type for attribute mapping, Secret
	providers/intercom   preset for Intercom 2.11 (teammates, teams, tickets), with intercomtest, a fake
	providers/genesys    preset for Genesys Cloud SCIM (users, groups, roles), with genesystest
	providers/okta       preset for Okta (users, groups and members, lifecycle, membership), with oktatest
	providers/otrs       preset for OTRS/Znuny ticket fulfilment, with otrstest
	examples/...         runnable programs; start with examples/quickstart
	examples/temporal    resumable imports and ticket waits on Temporal (a Go module of its own)

# The model

A connector spec describes one target application:

	connection   base URL, headers, timeouts, TLS, retries, rate limit, named auth blocks
	connect      calls that prove the target is reachable
	import       how to list accounts and entitlements, page by page, and map records to them
	provision    for each operation (createAccount, addAccess, ...) a chain of calls, or a ticket
	tickets      how to file a ticket, read its state, comment on it and cancel it

One Engine executes any spec. It knows HTTP, auth, paging, retries and
templates; it knows no vendor. Vendors live in presets: an embedded spec and a
small Config.

# Getting started

Use a preset:

	eng, err := intercom.New(intercom.Config{Token: os.Getenv("INTERCOM_TOKEN"), TicketTypeID: "42"})
	if err != nil {
		log.Fatal(err)
	}
	if err := eng.Connect(ctx); err != nil {
		log.Fatal(err)
	}

or load a spec of your own:

	spec, err := connector.LoadFile("myapp.json") // parses, checks and compiles every template
	if err != nil {
		log.Fatal(err) // names the JSON path of the problem, e.g. import.accounts.sources[0].paging.type
	}
	eng, err := connector.New(spec,
		connector.WithParams(map[string]any{"baseURL": "https://myapp.example.com"}),
		connector.WithSecrets(map[string]string{"token": os.Getenv("MYAPP_TOKEN")}),
		connector.WithLogger(slog.Default()),
	)

New works on its own copy of the spec, compiled once (templates Parse
compiled are reused), so changing spec afterwards changes nothing;
eng.Spec() returns a copy. Every Engine method takes a context first and
honours its cancellation and deadline. An Engine is safe for concurrent
use.

# Importing

ImportAccounts and ImportAccess return iterators. Records stream page by
page, so memory holds a few pages, however large the target:

	for acct, err := range eng.ImportAccounts(ctx, connector.ImportOptions{}) {
		if err != nil {
			return err // the first error ends the sequence
		}
		store(acct.ID, acct.Name, acct.Active, acct.Attributes, acct.Entitlements["group"])
	}

While the loop works on a page the next one is on its way; where the paging
scheme knows later pages in advance (offset and page numbers with a total,
SCIM), up to four requests run at once (connector.WithImportConcurrency),
and records still come in order. Breaking out of the loop cancels the
requests in flight. A list response without its records (a null or
missing list) is an error, never an empty import. ImportOptions.Since asks
for an incremental import; a spec without one answers
connector.ErrUnsupported. ImportOptions.Types narrows ImportAccess to some
entitlement types.

A spec can list each group's members with a paged call of its own (Okta's
GET /groups/{id}/users). Members then stream too: a group whose members fill
more than one chunk (1000 by default) is yielded once per chunk, with the same
type, ID, name and attributes; merge the yields by type and ID:

	members := map[string][]string{} // "type/id" -> member IDs
	for ent, err := range eng.ImportAccess(ctx, connector.ImportOptions{}) {
		if err != nil {
			return err
		}
		key := ent.Type + "/" + ent.ID
		members[key] = append(members[key], ent.Members...)
	}

An import can survive a crash: Checkpoint receives a small token after every
page, and an import given that token as Resume continues after that page.
Records of the page in progress come again, so store them by ID:

	opts := connector.ImportOptions{
		Resume:     loadToken(),                       // "" the first time
		Checkpoint: func(tok string) { saveToken(tok) }, // after the page's records were handled
	}
	for acct, err := range eng.ImportAccounts(ctx, opts) { ... }

# Provisioning

A Request names the operation and carries the identity (.user), the target
account (.account), the entitlement, the task and, for createAccount and
changePassword, a password:

	res, err := eng.Provision(ctx, connector.Request{
		Op:          connector.AddAccess,
		Account:     map[string]any{"id": "u-123"},
		Entitlement: &connector.Entitlement{Type: "group", ID: "g-7"},
		Task:        map[string]any{"id": "REQ-1", "requestor": "boss@example.com"},
	})

Result.AccountID is the target's ID for a new account. Result.Unchanged
says the target already matched the request, so nothing was written (an
update whose values the account already holds). An update reads each target
attribute from Request.Account under the target's own name, and otherwise
from the identity column of Request.User the spec maps to it; each preset's
package documentation lists what its operations read.

When the spec fulfils the operation through a ticket, Result.Ticket is set:
its ID, number, state, the target's status text, when it last changed and a
link for people where the target has one. Poll it once, or wait until a
person completes or rejects it:

	t, err := eng.TicketStatus(ctx, res.Ticket.ID)
	if t.State.Final() { ... } // completed or rejected

	t, err = connector.AwaitTicket(ctx, eng, res.Ticket.ID, connector.AwaitOptions{
		OnChange: func(t connector.Ticket) { log.Printf("ticket %s: %s", t.ID, t.State) },
	}) // polls at once, then after 30s, growing to every 15m; ctx bounds the wait

eng.CommentTicket adds a note to the ticket, and eng.CancelTicket withdraws
it when the request is no longer wanted (it then reads rejected); a spec
without them answers connector.ErrUnsupported.

connector.ProvisionAll runs many requests concurrently with per-request
outcomes, within the connector's rate limit; the engine also paces itself by
the X-RateLimit-Remaining and -Reset headers servers send, so that running
at the server's limit draws (almost) no 429 responses.

# Dry runs

eng.Plan renders the requests Provision would send, call by call, and sends
nothing (not even a token request); PlanImportAccounts and PlanImportAccess
do the same for the first page of an import. Secrets are masked. A call that
reads the response of an earlier one is listed as unknown, unless
PlanOptions.Responses supplies that response:

	plan, err := eng.Plan(ctx, req, connector.PlanOptions{})
	for _, c := range plan.Calls {
		fmt.Println(c.Name, c.Status, c.Method, c.URL, c.Reason) // ready, skipped, unknown or failed
	}

The restconn command (cmd/restconn) offers all of this from a shell:
validate, plan, import, reconcile, provision, tickets, and a fake server for
each preset.

# Authentication

A spec names auth blocks of kind none, basic, bearer, apiKey (header or
query), oauth2 (client credentials; the token is reused until shortly before
it expires) and session (a login call whose response yields a token that later
calls carry in a header, the query or the body). Expiry rules (status codes,
or a vendor error inside a 200 body) mark a token as expired: the engine
fetches a new one once for all concurrent callers and sends the same request
again, so an import that outlives its token loses and repeats nothing.

# Errors

Every failure is a *connector.Error with the operation, the call, the HTTP
status and the vendor's error code and message, wrapping a sentinel you can
test with errors.Is:

	var ce *connector.Error
	switch {
	case errors.Is(err, connector.ErrNotFound):     // 404, or a vendor code the spec maps to it
	case errors.Is(err, connector.ErrConflict):     // 409: e.g. the user name is taken
	case errors.Is(err, connector.ErrAuth):         // bad credentials, even after a refresh
	case errors.Is(err, connector.ErrRateLimited):  // the server asked to wait longer than allowed
	case errors.Is(err, connector.ErrInvalidSpec):  // ce.Path names the field
	case errors.Is(err, connector.ErrLimit):        // hostile input refused: a huge page, a template that would render too much
	case errors.As(err, &ce):
		log.Printf("call %s: HTTP %d %s: %s", ce.Call, ce.StatusCode, ce.Code, ce.Message)
	}

# Rate limiting and retries

429 responses wait as Retry-After or X-RateLimit-Reset ask (or the reset
header the spec names, such as Okta's X-Rate-Limit-Reset), up to the spec's
maxWait; these waits do not use the retry budget. Transport errors, 502, 503
and 504 are retried with exponential backoff and jitter, but a POST or PATCH
only when it provably never reached the server or the spec marks the call
idempotent: a write is never applied twice. connector.WithRetryPolicy and
connector.WithBackoff replace the policies (DefaultRetryPolicy,
DefaultBackoff); connector.WithRateLimit sets a client-side request rate.

# Secrets

Secrets passed with WithSecrets, passwords, OAuth tokens and session IDs are
masked in every error (at every level of its chain), log line and trace,
however a server echoes them (JSON escapes, URL encoding, HTML entities);
binding.Secret and connector.Request redact themselves when printed. A
spec's connection.mask names fields whose values are secret whatever they
hold ("ssn", "password"): they are masked too, in requests and responses.
Templates cannot read the process environment or files.

# Limits

Specs and servers are input like any other. A response list longer than
connection.maxListLength (100,000) or too costly to decode, a template that
would render more than connection.maxRenderBytes (1 MiB) or work more than
connection.maxRenderSteps, fail fast with an error wrapping
connector.ErrLimit that names the call or the template's spec path; and a
template whose text holds a "${" other than the ${a.b} shorthand is refused
by Parse, saying what to write instead.

# Testing your service

Each preset ships a fake server (intercomtest, genesystest, oktatest, otrstest) that
behaves like the vendor: auth, error shapes, paging, rate limits. Point the
preset at it with connector.WithHTTPClient(srv.Client()) and its URL, as
examples/quickstart does, and test your service offline. A preset of your
own can run connectortest.Run against its fake to check the Connector
contract (unique IDs, clean early breaks, cancellation, error types), and
use connectortest.LeakCheck to prove that no secret reaches its errors,
logs or traces.
*/
package restconn
