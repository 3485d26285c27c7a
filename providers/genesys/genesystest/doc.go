// Package genesystest provides an in-process fake of Genesys Cloud (formerly
// PureCloud) for testing code that provisions users and groups through its
// SCIM 2.0 API, in the spirit of net/http/httptest.
//
// A Server runs two listeners, because Genesys Cloud uses two hosts:
//
//   - LoginURL stands in for https://login.<region> and serves the OAuth
//     client-credentials token endpoint, POST /oauth/token.
//   - APIURL stands in for https://api.<region> and serves SCIM 2.0 under
//     /api/v2/scim/v2 (and the legacy /api/v2/scim prefix, which Genesys
//     documents with the same operations).
//
// Typical use:
//
//	srv := genesystest.NewServer()
//	defer srv.Close()
//	// Point the code under test at srv.LoginURL and srv.APIURL with
//	// srv.ClientID and srv.ClientSecret, run it, then inspect
//	// srv.Users(), srv.Groups() and srv.Requests().
//
// # What is modelled
//
// OAuth. POST {LoginURL}/oauth/token with "Authorization: Basic
// base64(id:secret)", "Content-Type: application/x-www-form-urlencoded" and
// the body grant_type=client_credentials returns 200 with
// {"access_token","token_type":"bearer","expires_in"}. Tokens are random
// and opaque. A wrong or missing client gives 401 {"error":"invalid_client",
// "description","error_description"}; another grant type gives 400
// unsupported_grant_type; a missing grant type or a body that is not
// form-encoded gives 400 invalid_request. Client credentials are read only
// from the Basic header, as the Genesys SDKs send them.
//
// Bearer tokens. Users and Groups endpoints need "Authorization: Bearer
// <token>" with a token that was issued and has not expired (WithTokenTTL,
// WithClock), been expired (ExpireTokens, ExpireTokensAfter), or a token
// given to WithStaticToken. Failures are 401 in the Genesys Platform API
// shape, not the SCIM error shape, because the platform gateway rejects the
// request before SCIM sees it:
//
//	{"message":"Invalid login credentials.","code":"bad.credentials","status":401,...}
//
// (code "authentication.required" when no bearer token is sent).
// ServiceProviderConfig, ResourceTypes and Schemas need no token: Genesys
// documents them as requiring no permission.
//
// Paths are matched case-insensitively, so both the lowercase paths of the
// Genesys swagger (users, groups, serviceproviderconfig, resourcetypes,
// schemas) and the capitalised forms IdPs append (Users, Groups,
// ServiceProviderConfig) work.
//
// Users. GET /users lists with startIndex (1-based, default 1), count
// (default 25, capped at the ServiceProviderConfig filter.maxResults, 100
// unless WithMaxCount says otherwise; 0 returns only totalResults) and filter.
// Without a filter only active users are listed; "active eq false" lists the
// inactive ones. The next page is at startIndex+itemsPerPage. POST creates
// (201, Location header; userName and displayName required; a userName
// already in use, compared case-insensitively, gives 409 uniqueness). GET,
// PUT (replace), PATCH (RFC 7644 add/replace/remove, including value filters
// such as roles[value eq "x"] and path-less operations whose value is an
// object) and DELETE (204) work on /users/{id}. The group list on a user is
// derived from group membership and is read-only (400 mutability when a
// PATCH tries to change it; ignored in PUT and POST bodies).
//
// Groups. GET /groups (filter optional), GET, PUT and PATCH on
// /groups/{id}. Membership changes with PATCH path "members" (add, replace,
// remove with a value list, and remove with members[value eq "<id>"]);
// PUT replaces displayName, externalId and members together. Members must
// be existing users (400 invalidValue otherwise), and displayName is
// unique (409 uniqueness). There is no POST and no
// DELETE for groups in Genesys SCIM; both give 405 with an Allow header.
// Groups are created by the test with AddGroup or WithGroups.
//
// Filters. Only the eq operator is supported, optionally joined with "and",
// as in the Genesys examples (id, userName, displayName, title, externalId,
// active, email, manager, division, department, employeeNumber, the
// multi-valued emails, phoneNumbers, roles and groups, and the complex
// form externalIds[authority eq "a" and value eq "v"]; for groups id,
// displayName, externalId and members). Attribute names are case-insensitive
// and may carry their schema URN. Values may be quoted JSON strings (with
// \" escapes and \u escapes) or bare tokens such as "userName eq
// search@sample.org" or "displayname eq Sales". Other operators, "or",
// "not" and parentheses give 400 invalidFilter. id, externalId, manager and
// externalIds values compare case-exactly; other strings case-insensitively.
//
// attributes and excludedAttributes (comma-separated or repeated) are
// honoured on every user and group response, including sub-attributes such
// as emails.value and extension attributes named by URN; id, userName,
// active, meta and schemas are always returned for users, and id, meta and
// schemas for groups.
//
// Versions. Every user and group has an integer version starting at 1 that
// each change increments. Responses carry it as the ETag header "\"<n>\""
// (a strong, quoted ETag) and meta.version holds exactly the same string.
// If-Match on PUT, PATCH and DELETE is optional; when present it may be
// "\"3\"", W/"3" or a bare 3 (or *), and a mismatch gives 400 with scimType
// invalidVers, as Genesys documents (not RFC 7644's 412). If-None-Match on
// GET gives 304 when current. meta.lastModified uses the layout
// 2006-01-02T15:04:05.000Z in UTC, taken from WithClock.
//
// Errors use the SCIM shape with status as a string:
//
//	{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"409","scimType":"uniqueness","detail":"..."}
//
// Every response carries an ININ-Correlation-Id header. Rate limiting
// (RateLimitNext) uses the normalised Platform API 429: a Retry-After header
// in seconds and {"message","code":"too.many.requests.retry.after",
// "status":429,"contextId","details":[],"errors":[]}.
//
// Content types. Request bodies may be application/scim+json or
// application/json (or carry no Content-Type); other types give 415.
// SCIM responses are application/scim+json; Platform-shaped errors (401,
// 404 outside SCIM, 429) and OAuth responses are application/json.
// Request bodies over 1 MiB give 413.
//
// # What is inferred
//
// Genesys documents the operations, parameters and models but not every
// status code or edge case. These choices follow RFC 7643/7644 or the
// vendor's SDK text, and are marked here so they can be revisited:
//
//   - 201 for POST and 204 for DELETE (the SDKs say "successful operation").
//   - The Platform error shape for 401 (the gateway answers before SCIM),
//     and a SCIM-shaped 405 for group POST and DELETE.
//   - filter.maxResults of 100. Genesys warns that pages over 25 may be
//     rate limited but documents no cap; read maxResults at run time.
//   - A filter that does not mention active still lists only active users,
//     matching "If nothing is specified, returns all active users".
//   - "email eq x" matches userName (the Genesys main email) or any emails
//     value.
//   - A user's groups[] entries are {"value","type":"Group","$ref"}, using
//     the SDK's resource-type enum; group members are
//     {"value","type":"User","$ref"}.
//   - The Genesys extension's externalIds always holds
//     {"authority":"x-pc:scimv2:v1","value":<externalId>} when externalId is
//     set; entries with that authority cannot be written.
//   - New users are active unless the body says otherwise, and are put in
//     the "Home" division when none is given. PUT keeps active as it is
//     when the body omits it, and clears other omitted attributes.
//   - PATCH add or replace with a filter on type (for example
//     emails[type eq "work"].value, as Microsoft Entra ID sends) creates the
//     element when none matches; other filters that match nothing give
//     400 noTarget for replace. Genesys keeps one email or phone number per
//     type, so adding one of an existing type replaces it. Booleans sent as
//     the strings "True"/"False" are accepted.
//   - Group membership changes bump the group's version but not the
//     member's (Genesys versions the user profile, not its groups).
//   - DELETE removes the user: Genesys calls it a soft delete, but deleted
//     users are not returned by SCIM. Their userName becomes free again and
//     they leave every group.
//   - Discovery endpoints accept requests with or without a token; a filter
//     on resourcetypes or schemas gives 403, as the SDK text says.
//
// # What is not modelled
//
// Permissions and OAuth scopes; regions; passwords (accepted and
// discarded); the 429 that large pages without excludedAttributes may
// trigger (use RateLimitNext); validation of roles, divisions, skills or
// languages against the organisation (any name is accepted; proficiencies
// must be 0 to 5 and lists at most 50 long); the read-only "other" email
// that mirrors userName; the employee role Genesys grants to new users;
// sorting; bulk; /Me; and the rest of the Platform API.
//
// Tests can inject faults: RateLimitNext, FailNext, ExpireTokens,
// ExpireTokensAfter and BumpVersion. Each applies to requests to APIURL
// only, in arrival order; injected failures are checked before
// authentication, so "the next n requests" means exactly that.
package genesystest
