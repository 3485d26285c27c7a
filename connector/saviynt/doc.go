// Package saviynt converts a Saviynt EIC REST connection into a restconn
// connector spec, so a team that switches keeps the connections it has
// already written.
//
// A Saviynt REST connection is a set of named JSON attributes
// (ConnectionJSON, ImportAccountEntJSON, CreateAccountJSON, ...,
// CreateTicketJSON, TicketStatusJSON, STATUS_THRESHOLD_CONFIG) whose
// strings hold Groovy expressions in ${...}. Convert reads them and writes
// the equivalent spec: auth blocks, import sources and field mappings,
// provisioning chains and ticket calls, with every expression translated
// into a Go template that gives the same result.
//
//	spec, warnings, err := saviynt.Convert(saviynt.Connection{
//		"ConnectionJSON":       connectionJSON, // JSON text, or an already decoded value
//		"ImportAccountEntJSON": importJSON,
//		"CreateAccountJSON":    createJSON,
//	})
//	if err != nil { ... } // nothing usable in the connection
//	for _, w := range warnings {
//		log.Print(w) // what was approximated or left out, and where
//	}
//	eng, err := connector.New(spec,
//		connector.WithParams(map[string]any{"baseURL": "https://api.example.com"}),
//		connector.WithSecrets(map[string]string{"acctAuth_clientSecret": secret}),
//	)
//
// # Secrets and parameters
//
// Credentials written in the connection (passwords, client secrets, static
// tokens, API keys in headers, query parameters and bodies) never reach the
// spec: each becomes a declared secret, named after where it was
// (acctAuth_password, acctAuth_clientSecret, call1_x_api_key), and a warning
// says which. Pass the values with connector.WithSecrets; the engine masks
// them in every error, log line and trace. User names, client IDs, token
// URLs and the base URL become parameters whose defaults are the
// connection's values: baseURL is the scheme and host most calls use, and
// calls to another host take theirs from url_<host> (url_login_example_com).
//
// # Auth
//
// Each entry of ConnectionJSON's "authentications" becomes an auth block of
// the same name (made an identifier). Basic credentials become basic auth;
// a static accessToken a bearer token; an OAuth 2.0 client-credentials
// token call an oauth2 block; any other token call (password or refresh
// grants, JSON bodies, a token in a response header, cookies) a session
// block whose login call is the token call. Where calls wrote
// "Authorization": "${access_token}" (or another header), the engine adds
// the token itself; tokenType and authHeaderName give the prefix and the
// header. expiryError, authError, errorPath and retryFailureStatusCode
// become the block's expiry rules: a matching response renews the token
// and sends the call again. A 429 among retryFailureStatusCode is left to
// the engine, which waits as the response asks (Retry-After, or the
// X-RateLimit-Reset header) and sends the call again: a new token would
// not lift a rate limit. apiRateLimitConfig ("after N calls wait S
// seconds") becomes connection.rateLimit, N/S requests a second with a
// burst of N.
//
// # Expressions
//
// The Groovy subset Saviynt connections use is translated: ${a.b},
// null-safe ${a?.b}, a.b[0], .get('k'), string concatenation with +,
// quoted strings, == and != (null checks included), <, >, &&, ||, !,
// ternaries (nested) and ?:, and the methods size, length, toString,
// toLowerCase, toUpperCase, trim, replace, replaceAll, split, contains,
// substring, equals, equalsIgnoreCase, startsWith, endsWith, isEmpty and
// join. Bindings map to restconn's variables:
//
//	user.<col>                          .user.<lower-case col>
//	account.accountID, account.name     .account.id, .account.name
//	account.<col>                       .account.<col> (the imported column names)
//	entitlementValue.entitlementID      .entitlement.id
//	entitlementValue.entitlement_value  .entitlement.name
//	entitlementValue.<col>              .entitlement.attributes.<col>
//	task.<f>, arsTasks.<f>              .task.<f>
//	requestAccessAttributes.<n>         .task.attributes.<n> (also reqAttrs)
//	password                            .password
//	response.<call>.message.<path>      .responses.<call>.body.<path>
//	childresponse.<path>                .item.<path> (in a callListPath call)
//	access_token                        the auth block's token
//	ticketID                            .ticket.id
//
// What the translation keeps from Groovy: a null-safe read of an absent
// value is null, which drops a JSON member, a header or a query parameter
// (where Groovy would write the text "null"); an expression inside a JSON
// string stays a string; a bare ${...} in a JSON body keeps its type, and a
// bare text value is written into the JSON as it is ("true" is true,
// "4711" is 4711). What it makes stricter: a plain read of an absent
// attribute (${user.email} without ?.) fails the operation before anything
// is sent, instead of sending "null". Anything outside the subset (closures,
// statements, loops, static Java calls, unknown methods and bindings) is
// never sent as literal text: a warning names it and the field, the call
// and the operation are left out, so restconn answers ErrUnsupported for
// that operation rather than running part of it.
//
// # Import
//
// accountParams and each entitlement type of entitlementParams become
// import.accounts and import.entitlements.<type> (type names keep their
// case), unique by their keyField: a record whose ID was already imported
// is dropped. The columns of colsToPropsMap keep their names: accountID
// (or entitlementID) is the record ID, name (or entitlement_value) its
// name, and the others attributes, typed by ~#~char, int, bool or date
// (Java date patterns from dateFormat become Go layouts). #CONST# values
// are constants; ~dot# is a dot inside a key. Pagination becomes nextURL,
// link or scim (the nextUrl expressions Saviynt documents), page or
// offset; a listField of "" is the body itself, a bare JSON array
// included.
//
// Dependent calls (inputParams.dependentCall) are made for each record,
// their URLs reading the list record's columns (${accountID},
// ${accountName}, ${entitlementID}, ${id}, the nextApiKeyField column).
// One that maps every column of the list call (a "get one" after a "list
// IDs") replaces the record: a detail call. The others add columns: each
// becomes a merged detail call (details) whose response is bound as
// .detail.<call>, and each column it maps a value field reading the
// record at the call's listField:
//
//	"details": [{"name": "call2", "path": "/users/{{ .record.id }}/license"}],
//	"attributes": {"customproperty8": {"value": "{{ opt .detail \"call2\" \"license\" \"plan\" }}", "type": "string"}}
//
// A column an earlier call maps too keeps the earlier value where the
// dependent call has none; the ID stays the list call's.
//
// Links between accounts and entitlements become:
//
//	acctToEntMapping: in the account payload      import.accounts.entitlements.<type>
//	entToAcctMapping: in the entitlement payload  import.entitlements.<type>.members
//	httpAcctToEnt: a call per account             import.accounts.entitlementsFrom.<type>
//	httpEntToAcct: a call per entitlement         import.entitlements.<type>.membersFrom
//
// In the calls, ${id} is the iterated record's acctKeyField (or
// entKeyField) column, accountID (entitlementID) by default; entIdPath
// (acctIdPath) is where each listed record holds the linked ID, the record
// itself without one. The calls page like any import call, and members
// arrive in chunks (SPEC.md "Members in chunks"). A type that only the
// accounts name is derived from them (fromAccounts).
//
// statusConfig, or statusAndThresholdConfig's statusColumn and
// activeStatus, become the active rule. accountThresholdValue and
// entThresholdValue.entType.<type>.ent become the spec's removal thresholds
// (threshold.maxRemoved): connector.ReconcileAccounts and ReconcileAccess
// refuse with ErrThreshold, and report nothing removed, when a full import
// would remove more, as Saviynt fails such an import. What Saviynt does to
// the records an import no longer lists (inactivate, suspend and rename
// "-Deleted on-<date>", remove links) is the caller's response to the
// removed changes a reconciliation reports; a warning names those
// settings.
//
// # Provisioning and tickets
//
// Each provisioning JSON's calls become a chain: callCondition is the
// call's if, callListPath with ${childresponse...} its forEach, and
// responses chain as .responses.<call>. Add and remove access choose calls
// by entitlement type (a call's name is the type; calls sharing a name are
// numbered Group1, Group2, as Saviynt references them). accountIdPath and
// responseColsToPropsMap become the operation's accountID and attributes.
// CreateTicketJSON and TicketStatusJSON become tickets.create and
// tickets.status, and an operation (or entitlement type) without calls is
// fulfilled by a ticket. ticketStatusValue is read as the statuses of a
// ticket still being worked on (any other status completes the task),
// unless it lists only closing words such as Closed or Resolved; a warning
// states the reading for a person to confirm.
//
// # Not converted
//
// Not converted, with a warning, because restconn has no counterpart: HMAC,
// signed-header and JWT auth, client certificates, raw text and multipart
// bodies, computed HTTP methods, calls chosen by action, paged dependent
// calls, entitlement owners and entitlement-to-entitlement maps, and the
// identity, firefighter and OTP attributes. Each is left out with a
// warning, together with what needs it.
package saviynt
