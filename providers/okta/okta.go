// Package okta is the restconn preset for Okta's Management API: users,
// groups and their members, the user lifecycle and group membership, with
// an API token.
//
// The preset is data plus a constructor: the JSON spec okta.json, embedded
// in the package and returned by Spec, and New, which checks a Config and
// fills the spec's params and secret. Nothing in the engine knows Okta.
//
//	eng, err := okta.New(okta.Config{OrgURL: "https://acme.okta.com", Token: os.Getenv("OKTA_API_TOKEN")})
//
// Every call is signed "Authorization: SSWS <token>" (an apiKey header whose
// value is SSWS and the token, so the token is masked in every error, log
// line and trace). Use the org's own domain, not its -admin domain. The
// token's admin needs the rights of the operations it runs (read users and
// groups; manage users and group membership).
//
// # What it calls
//
//	Connect         GET  /api/v1/users/me
//	ImportAccounts  GET  /api/v1/users?limit=                                  every user but DEPROVISIONED ones
//	                GET  /api/v1/users?filter=status eq "DEPROVISIONED"&limit= the ones the default list leaves out
//	  incremental   GET  /api/v1/users?filter=lastUpdated gt "<since>"&limit=   (every status)
//	ImportAccess    GET  /api/v1/groups?limit=                                 type "group"
//	                GET  /api/v1/groups/{id}/users?limit=                      its members, per group
//	CreateAccount   POST /api/v1/users?activate=true
//	UpdateAccount   POST /api/v1/users/{id}                                    a partial profile update
//	DisableAccount  GET  /api/v1/users/{id}, then POST .../lifecycle/suspend (or .../deactivate)
//	EnableAccount   GET  /api/v1/users/{id}, then POST .../lifecycle/unsuspend or .../activate, then GET again
//	RemoveAccount   GET  /api/v1/users/{id}, POST .../lifecycle/deactivate unless DEPROVISIONED, DELETE /api/v1/users/{id}
//	ChangePassword  POST /api/v1/users/{id}                                    credentials.password.value
//	AddAccess       PUT    /api/v1/groups/{groupId}/users/{userId}             type "group"
//	RemoveAccess    DELETE /api/v1/groups/{groupId}/users/{userId}             type "group"
//
// Lists follow the Link header's rel="next" URL as Okta gives it, limit
// (Config.PageSize, default 200) records a page. Every request the preset
// sends is valid against Okta's Management API description (a test checks
// them all against okta-management-minimal.yaml).
//
// # Accounts
//
// Account.ID is the user's id ("00u..."), Account.Name its profile.login.
// Account.Active follows the status: ACTIVE, PROVISIONED (activated, the
// user has not set a password yet), PASSWORD_EXPIRED, LOCKED_OUT (a lockout
// after failed sign-ins, not an admin's decision) and RECOVERY (a password
// reset under way) are active, as the account is enabled in each; STAGED
// (never activated), SUSPENDED and DEPROVISIONED are not. Attributes carry
// Okta's own names:
//
//	id, status                                     strings
//	created, activated, statusChanged, lastLogin,
//	lastUpdated, passwordChanged                   time.Time (absent when null)
//	login, email, secondEmail, firstName, lastName, middleName, honorificPrefix,
//	honorificSuffix, displayName, nickName, profileUrl, title, department,
//	division, organization, costCenter, employeeNumber, userType, manager,
//	managerId, mobilePhone, primaryPhone, streetAddress, city, state, zipCode,
//	postalAddress, countryCode, preferredLanguage, locale, timezone
//	                                               the profile's standard properties, as Okta
//	                                               sends them (absent when null or unset)
//
// Custom profile properties are not imported; add them to
// Spec().Import.Accounts.Attributes ("profile.myProperty").
//
// The second source lists the DEPROVISIONED users, which GET /api/v1/users
// leaves out; a user that changes status between the two lists is yielded
// once. An incremental import (ImportOptions.Since) lists the users whose
// lastUpdated is after Since, written as Okta demands
// (2026-01-01T00:00:00.000Z), whatever their status.
//
// Account.Entitlements is not set by the default spec: a user's groups cost
// one call per user (GET /api/v1/users/{id}/groups), while ImportAccess
// lists every group's members in one paged call per group. A caller who
// wants them anyway adds the call to the spec (see the example of Spec),
// which fills Account.Entitlements["group"] with every group of the user,
// Everyone and application groups included.
//
// # Entitlements
//
// ImportAccess yields type "group": every group of the org (OKTA_GROUP,
// APP_GROUP and the BUILT_IN Everyone), Entitlement.Name its profile.name,
// attributes id, name, description, type, objectClass ([]any of strings)
// and created, lastUpdated, lastMembershipUpdated (time.Time). Members are
// the IDs of the group's users of every status, read page by page from
// GET /api/v1/groups/{id}/users: a group with more than 1000 members is
// yielded several times, 1000 members each time, with the same ID, name
// and attributes, and callers merge them by type and ID (see
// connector.Entitlement). Okta's admin role assignments are not imported:
// Okta lists them only per user or per group, a call each.
//
// # Provisioning
//
// CreateAccount creates an active user (POST /api/v1/users?activate=true)
// from Request.User:
//
//	username (else email)  profile.login, which Okta wants in the form of an email address; required
//	email                  profile.email; required
//	firstname, lastname    profile.firstName, profile.lastName; required
//	displayname, title, department, employeeid (employeeNumber),
//	manager, phone (mobilePhone)  optional; absent ones are left out
//
// and Request.Password, when set, as the user's password (it must meet the
// org's password policy). With a password the user is ACTIVE; without one
// Okta makes it PROVISIONED and emails the user an activation link.
// Result.AccountID is the new user's id; Result.Attributes holds status and
// login. A login already in use fails with Okta's E0000001 (HTTP 400,
// "Api validation failed: login").
//
// UpdateAccount changes only the profile properties present in
// Request.Account, under the names the import uses (the list above; other
// keys such as id, status or lastLogin are ignored); a property given as
// nil is cleared. Result.Attributes holds status and lastUpdated.
//
// DisableAccount reads the user first. A SUSPENDED, DEPROVISIONED or STAGED
// user is left as it is; otherwise it is suspended, or, with
// Config.DeactivateOnDisable, deactivated (DEPROVISIONED, which also
// unassigns its applications). Okta suspends only ACTIVE users: without
// DeactivateOnDisable, a PROVISIONED, PASSWORD_EXPIRED, LOCKED_OUT or
// RECOVERY user fails with Okta's E0000001 ("Cannot suspend a user that is
// not active"). EnableAccount reads the user too: a SUSPENDED user is
// unsuspended, a STAGED or DEPROVISIONED one activated (Okta then sends its
// activation email: asking for no email would make Okta return an
// activation token, which traces would show); any other status is left as
// it is. Both set Result.Attributes status (the user's status afterwards)
// and changed (whether a lifecycle call was made).
//
// RemoveAccount deactivates the user unless it is DEPROVISIONED already,
// then deletes it for good. A user that does not exist (already deleted)
// counts as removed: Result.Attributes["alreadyGone"] is true.
//
// ChangePassword sets Request.Password as the user's password, as an admin
// does (POST /api/v1/users/{id}); a password the policy refuses fails with
// E0000001.
//
// AddAccess and RemoveAccess take Request.Account["id"] and an Entitlement
// of type "group". Okta answers 204 whether or not the membership changed,
// so both are idempotent; only OKTA_GROUP memberships can change (others
// fail with E0000006, connector.ErrAuth).
//
// # Errors and limits
//
// Failures are *connector.Error values with Okta's errorCode as Code and
// errorSummary as Message. E0000007 (not found) wraps connector.ErrNotFound,
// E0000011 (invalid token) connector.ErrAuth, E0000047 (rate limit)
// connector.ErrRateLimited, and E0000016 and E0000038 (not allowed in the
// user's status) connector.ErrConflict; other 401 and 403 answers wrap
// connector.ErrAuth. A 429 waits until the X-Rate-Limit-Reset Okta sends
// (a Unix time), when that is at most 70 seconds away, at most six times
// per call; a longer wait fails at once with connector.ErrRateLimited.
// GET, PUT and DELETE calls are retried after transport errors and 502,
// 503 and 504; POST calls only when they provably never reached Okta.
//
// # Customising
//
// Spec returns a fresh copy of the preset to change before passing it to
// connector.New with the params orgURL (required), limit (default 200) and
// deactivateOnDisable (default false), and the secret token.
package okta

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/restconn/restconn/connector"
)

//go:embed okta.json
var specJSON []byte

var preset = connector.Embedded(specJSON)

// Spec returns the preset spec embedded from okta.json. Each call returns
// a new copy, which the caller may change freely.
func Spec() *connector.Spec { return preset() }

// Config configures the preset.
type Config struct {
	OrgURL              string // the org's URL, e.g. https://acme.okta.com (not the -admin domain)
	Token               string // an API token (secret), sent as "Authorization: SSWS <token>"
	PageSize            int    // records per page of every list (limit); default 200, the users list's maximum
	DeactivateOnDisable bool   // DisableAccount deactivates (DEPROVISIONED) instead of suspending
}

// DefaultPageSize is the page size when Config.PageSize is zero: the most
// Okta's users list returns, and what Okta advises for group members.
const DefaultPageSize = 200

// New returns an engine for the Okta org cfg names. opts are passed to
// connector.New after the preset's own params and secret
// (connector.WithHTTPClient, WithLogger, WithRateLimit, ...).
func New(cfg Config, opts ...connector.Option) (*connector.Engine, error) {
	org, err := orgURL(cfg.OrgURL)
	if err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		return nil, errors.New("okta: Config.Token is required (an API token)")
	}
	if cfg.PageSize < 0 {
		return nil, fmt.Errorf("okta: PageSize %d is negative (0 means %d)", cfg.PageSize, DefaultPageSize)
	}
	limit := cfg.PageSize
	if limit == 0 {
		limit = DefaultPageSize
	}
	params := map[string]any{"orgURL": org, "limit": limit, "deactivateOnDisable": cfg.DeactivateOnDisable}
	all := append([]connector.Option{
		connector.WithParams(params),
		connector.WithSecrets(map[string]string{"token": cfg.Token}),
	}, opts...)
	return connector.New(Spec(), all...)
}

// orgURL checks the org URL: http(s), a host, no path, query or
// credentials, and not the admin console's domain, where the API does not
// answer.
func orgURL(raw string) (string, error) {
	if raw == "" {
		return "", errors.New("okta: Config.OrgURL is required, e.g. https://acme.okta.com")
	}
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("okta: Config.OrgURL %q is not an org URL such as https://acme.okta.com", raw)
	}
	if sub, _, _ := strings.Cut(u.Hostname(), "."); strings.HasSuffix(sub, "-admin") {
		return "", fmt.Errorf("okta: Config.OrgURL %q is the admin console's domain: use https://%s", raw, strings.Replace(u.Host, "-admin.", ".", 1))
	}
	return u.String(), nil
}
