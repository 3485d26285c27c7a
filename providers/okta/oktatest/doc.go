// Package oktatest provides a fake of Okta's Management API for tests: an
// httptest server that behaves like an Okta org (https://{yourOktaDomain})
// for the users, groups, memberships and admin roles an identity-governance
// connector reads and writes, so that code talking to Okta can be tested
// offline, the way net/http/httptest lets code talking HTTP be tested.
//
//	srv := oktatest.NewServer()
//	defer srv.Close()
//
//	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/users?limit=200", nil)
//	req.Header.Set("Authorization", "SSWS "+srv.Token)
//	res, err := srv.Client().Do(req)
//	// follow the rel="next" Link header until there is none
//
// A new server holds a seeded org, example.com: the admin Jordan Rivera
// (jordan.rivera@example.com, AdminID, SUPER_ADMIN), who owns the token and
// is present whatever the options say; eleven people in every user
// status (ACTIVE, SUSPENDED, DEPROVISIONED, STAGED, PROVISIONED,
// LOCKED_OUT, PASSWORD_EXPIRED, RECOVERY), some with admin roles; the
// OKTA_GROUPs Engineering, Finance, Sales, IT Admins and Contractors
// (empty); the APP_GROUP "Engineering users (AD)", imported from Active
// Directory; and the BUILT_IN group Everyone, which always holds every
// user. Empty, WithUsers and WithGroups replace the seed; AddUser,
// AddGroup, AddMembers and SeedUsers add to it (SeedUsers and AddMembers
// fill a group of 100,000 members in well under a second, keeping about
// 230 bytes a user, membership included); Users, User, Groups, Group,
// Members and Requests show the
// state behind the API; SetStatus and SetProfile change it behind the API's
// back.
//
// # Endpoints
//
// All under /api/v1, JSON in and out:
//
//	GET    /users                            users; limit (default and max 200), after, filter, search, q
//	POST   /users?activate=true|false        create; 200 with the user
//	GET    /users/{id}                       by ID, login or login short name; "me" is the admin
//	POST   /users/{id}                       partial update of profile and credentials
//	PUT    /users/{id}                       replace the profile
//	DELETE /users/{id}                       deactivate, or, when DEPROVISIONED, delete (204)
//	GET    /users/{id}/groups                the user's groups, Everyone included
//	POST   /users/{id}/lifecycle/{op}        activate, reactivate, deactivate, suspend, unsuspend,
//	                                         unlock, expire_password, reset_password
//	GET    /users/{id}/roles                 role assignments (standard roles)
//	POST   /users/{id}/roles                 {"type": "READ_ONLY_ADMIN"}; 201
//	GET    /users/{id}/roles/{roleId}
//	DELETE /users/{id}/roles/{roleId}        204
//	GET    /groups                           groups; limit (default and max 10000), after, filter, search, q, expand=stats
//	GET    /groups/{groupId}                 expand=stats
//	GET    /groups/{groupId}/users           members; limit (default 1000, max 10000), after
//	PUT    /groups/{groupId}/users/{userId}  add a member (204)
//	DELETE /groups/{groupId}/users/{userId}  remove a member (204)
//
// Field names, types, status codes and error bodies follow Okta's official
// Management API description (okta/okta-management-openapi-spec,
// dist/current/management-minimal.yaml, 2026.06.3), and the package's tests
// validate every exchange they make against it. Users carry id ("00u" and
// 17 characters), status, created, activated, statusChanged, lastLogin,
// lastUpdated, passwordChanged (null when not set), type, profile,
// credentials (password as {} when set, never its value; the provider
// OKTA) and _links: self only in lists, and the lifecycle operations the
// status allows for a single user. Profiles carry the properties that are
// set, and mobilePhone and secondEmail as null when not, as Okta's own
// examples do. Groups carry id ("00g..."), created, lastUpdated,
// lastMembershipUpdated, objectClass, type, profile {name, description, ...}
// and _links. Timestamps are UTC with milliseconds,
// 2026-01-01T00:00:00.000Z; every change to a user sets its lastUpdated
// (and statusChanged or passwordChanged when those change); membership
// changes set the group's lastMembershipUpdated and not the user's
// lastUpdated, as in Okta.
//
// # Paging
//
// Lists are bare JSON arrays. Every list response has a Link header with
// rel="self" and, while more remain, one with rel="next": absolute URLs on
// the server's own host (srv.URL), whatever host the request named, with
// after set to an opaque cursor and the other parameters kept. A client
// should follow next as given. Lists are in ID order, and the cursor is the
// last ID of the page, so users created or deleted while a client pages
// are neither repeated nor skipped; only the last page lacks a next link
// (no empty trailing page). limit above the maximum is lowered to it; a
// limit that is not a positive integer gets 400 E0000001. q lists are not
// paged.
//
// # Filters and searches
//
// GET /users without a query lists every user except DEPROVISIONED ones;
// filter and search include them. filter supports status, id,
// profile.login, profile.email, profile.firstName and profile.lastName with
// eq, and lastUpdated with eq, gt, ge, lt and le, joined by and and or,
// with parentheses; property names and values are case-sensitive. search
// supports id, status, type.id, the timestamps and any profile.* property
// with eq, sw, gt, ge, lt, le and pr, and co on profile.firstName,
// lastName, email and login; values compare case-insensitively and an
// array property matches when an element does. For groups, filter supports
// id and type (eq) and lastUpdated and lastMembershipUpdated (eq, gt, ge,
// lt, le); search supports id, type, source.id, the timestamps and
// profile.* (co on profile.name and profile.description). Dates must be
// written yyyy-MM-ddTHH:mm:ss.SSSZ (or with an offset), as Okta demands:
// other forms get 400 E0000030. Anything else the fake cannot parse or Okta
// does not support (ne, not, other properties) gets 400 E0000031 "Invalid
// search criteria.", with the reason in errorCauses; filter and search (or
// q) together get 400 E0000033. q on users is a prefix match on first
// name, last name and email (default limit 10, no DEPROVISIONED users); on
// groups a prefix match on the name (default limit 300).
//
// # Users
//
// POST /users needs a profile with login, email, firstName and lastName
// (400 E0000001 "Api validation failed: login" with errorCauses such as
// "login: The field cannot be left blank"); login and the emails must look
// like email addresses; a login in use, compared regardless of case, gets
// 400 E0000001 with the cause "login: An object with this field already
// exists in the current organization". credentials.password.value must meet
// Okta's default policy (8 characters, a lowercase and an uppercase letter
// and a number). activate=false creates a STAGED user; activate=true (the
// default) an ACTIVE one with a password and a PROVISIONED one without, as
// Okta's user creation scenarios say; nextLogin=changePassword makes it
// PASSWORD_EXPIRED (400 E0000124 without a password, E0000125 with
// activate=false). groupIds adds the user to OKTA_GROUPs. POST
// /users/{id} changes only the profile properties given (null clears one);
// PUT replaces the whole profile; both can set
// credentials.password.value, and both refuse DEPROVISIONED users with 403
// E0000038.
//
// Lifecycle operations follow the description's state rules:
//
//	activate         STAGED, DEPROVISIONED -> ACTIVE with a password, else PROVISIONED;
//	                 others 403 E0000016; sendEmail=false returns an activation token and URL
//	reactivate       PROVISIONED, RECOVERY -> PROVISIONED; others 403 E0000038
//	deactivate       any but DEPROVISIONED -> DEPROVISIONED; DEPROVISIONED 403 E0000038
//	suspend          ACTIVE -> SUSPENDED; others 400 E0000001
//	unsuspend        SUSPENDED -> ACTIVE; others 400 E0000001
//	unlock           LOCKED_OUT -> ACTIVE; ACTIVE unchanged; others 403 E0000032
//	expire_password  ACTIVE, PASSWORD_EXPIRED with a password -> PASSWORD_EXPIRED; others 403 E0000038
//	reset_password   ACTIVE, PASSWORD_EXPIRED, LOCKED_OUT, RECOVERY, PROVISIONED -> RECOVERY;
//	                 others 403 E0000038; sendEmail=false returns a resetPasswordUrl
//
// They answer 200 with {} (expire_password with the user). DELETE
// /users/{id} deactivates a user that is not DEPROVISIONED and deletes one
// that is (204 both times); the deleted user leaves every group, its login
// becomes free, and it is then 404 E0000007 "Not found: Resource not found:
// {id} (User)". A DEPROVISIONED user stays a member of its groups until it
// is deleted.
//
// # Groups
//
// PUT and DELETE /groups/{groupId}/users/{userId} are idempotent (204
// whether or not the membership changes) and need the user's ID. Only
// OKTA_GROUP memberships can change: APP_GROUP and BUILT_IN groups get 403
// E0000006. Unknown groups get 404 E0000007 "... (UserGroup)", unknown
// users "... (User)". Member lists include members of every status.
//
// # Behaviour common to all endpoints
//
// Every call needs "Authorization: SSWS <Server.Token>" (the scheme
// spelled SSWS); otherwise, after RevokeToken, and once the admin who owns
// the token is suspended, deactivated or deleted, the answer is 401
// E0000011 "Invalid token provided". Errors always have Okta's shape,
//
//	{"errorCode":"E0000007","errorSummary":"Not found: Resource not found: 00u... (User)",
//	 "errorLink":"E0000007","errorId":"oae...","errorCauses":[]}
//
// with errorCauses always an array. Every response carries
// X-Rate-Limit-Limit, X-Rate-Limit-Remaining, X-Rate-Limit-Reset (Unix
// seconds, rounded up, when the window ends) and X-Okta-Request-Id. The
// limit (WithRateLimit; DefaultRateLimit calls per DefaultRateWindow)
// counts every authorized call; calls beyond it get 429 E0000047 "API call
// exceeded rate limit due to too many requests." until the window ends.
// RateLimitNext refuses the next calls with 429 whatever the budget, and
// FailNext fails them with a 5xx, both before the token is checked.
// WithClock replaces the clock behind timestamps and windows, so tests need
// not sleep; WithLatency delays responses for benchmarks; WithListener
// serves on a listener of the caller's, at a known address.
//
// Request bodies must be JSON objects with Content-Type application/json
// (415 E0000019 otherwise; 400 E0000003 when not well-formed; 413 above
// 1 MiB). Unknown paths get 404 E0000008, and known paths with another
// method 405 E0000022 with an Allow header. A Server is safe for
// concurrent use.
//
// # Validation against the OpenAPI description
//
// WithMiddleware wraps the server's handler, so that a test can validate
// every exchange the code under test makes. Within this module,
// internal/openapitest does that:
//
//	v := openapitest.FromEnv(t, "RESTCONN_OKTA_OPENAPI")
//	srv := oktatest.NewServer(oktatest.WithMiddleware(func(h http.Handler) http.Handler {
//		return v.Middleware(h, func(err error) { t.Error(err) })
//	}))
//
// RESTCONN_OKTA_OPENAPI names okta-management-minimal.yaml.gz; .ci/run sets
// it, and tests skip without it.
//
// # Inferred behaviour
//
// Okta's description and documentation leave these open; the fake's
// choices may differ from a real org:
//
//   - Error codes the description does not tie to the operation: 403
//     E0000016 for activating an active user, 400 E0000001 "Cannot suspend
//     a user that is not active" and "Cannot unsuspend a user that is not
//     suspended", 403 E0000032 for unlock, 403 E0000038 for other wrong
//     states, 403 E0000006 for memberships of APP_GROUP and BUILT_IN groups,
//     409 E0000090 for assigning a role twice, 404 E0000008 and 405 E0000022
//     for unknown paths and methods, 415 E0000019 for a wrong Content-Type;
//     FailNext's bodies use E0000009.
//   - Page sizes: the member list's maximum (10000; the description names
//     only the default, 1000) and GET /users/{id}/groups, which the
//     description does not page: the fake honours limit and after there
//     and otherwise returns up to 10000 groups.
//   - Order: lists are in ID order, and generated IDs increase, so lists
//     are in creation order. Okta does not document an order.
//   - Lifecycle: activation and deactivation complete at once (no
//     transitioningToStatus, Prefer: respond-async is ignored); a
//     reactivated or activated user without a password is PROVISIONED;
//     reset_password without sendEmail behaves as sendEmail=true (the
//     description marks it required); setting a password does not change
//     the status; a DEPROVISIONED user keeps its memberships until deleted.
//   - Lifecycle answers are {} (the description documents no body).
//   - Profile checks: login, email, firstName and lastName required, email
//     form checked loosely, logins unique regardless of case (not of
//     diacritics); the password policy does not check parts of the username.
//   - One rate-limit bucket for all endpoints; Okta keeps one per endpoint
//     family, with limits that depend on the org.
//
// # Not modelled
//
// OAuth 2.0 tokens and scopes; creating, changing and deleting groups
// through the API (use AddGroup); group rules, owners and apps; custom and
// IAM-based admin roles, role targets and group-assigned roles;
// credentials endpoints (change_password, forgot_password, factors);
// user types and schemas (every user has the default type); imported
// password hashes; sortBy and sortOrder (lists stay in ID order); fields
// and expand on users; ETags and If-Match; per-endpoint rate limits,
// concurrency limits and the X-Rate-Limit headers' per-family values.
package oktatest
