// Package genesys is the restconn preset for Genesys Cloud (formerly
// PureCloud): users, groups and roles through the Genesys SCIM 2.0 API at
// https://api.<region>/api/v2/scim/v2.
//
// The preset is data plus a constructor. The connector itself is the JSON
// spec genesys.json beside this file, embedded in the package and returned
// by Spec; New checks a Config, fills the spec's params and secrets, picks
// its auth block, sets the page size of its lists and returns a generic
// connector.Engine. Nothing in the engine knows Genesys.
//
//	eng, err := genesys.New(genesys.Config{
//		Region:       "mypurecloud.ie",
//		ClientID:     os.Getenv("GENESYS_CLIENT_ID"),
//		ClientSecret: os.Getenv("GENESYS_CLIENT_SECRET"),
//	})
//
// # Authentication
//
// With ClientID and ClientSecret the engine fetches a token from
// https://login.<region>/oauth/token (client credentials grant, the client
// authenticated with HTTP Basic) and reuses it until five minutes before
// its expires_in; a 401 from the API fetches a new one and repeats the
// request, so a token that expires in the middle of an import loses and
// repeats no record. With AccessToken the token is sent as it is and a 401
// is an error wrapping connector.ErrAuth. The OAuth client needs the
// permissions of the operations it runs (directory:user:add/edit/delete,
// authorization:grant:add/delete for roles, routing:skill:assign and
// routing:language:assign for routing attributes).
//
// Region is the host suffix of the organisation's region: mypurecloud.com,
// mypurecloud.ie, mypurecloud.de, mypurecloud.com.au, mypurecloud.jp,
// usw2.pure.cloud, cac1.pure.cloud, euw2.pure.cloud, euc2.pure.cloud,
// aps1.pure.cloud, apne2.pure.cloud, apne3.pure.cloud, sae1.pure.cloud,
// mec1.pure.cloud, use2.us-gov-pure.cloud, or any other suffix. The AWS
// region names of these (us-east-1, eu-west-1, eu-central-1,
// ap-southeast-2, ap-northeast-1, us-west-2, ca-central-1, eu-west-2,
// eu-central-2, ap-south-1, ap-northeast-2, ap-northeast-3, sa-east-1,
// me-central-1, us-east-2) are accepted too. APIBaseURL and LoginBaseURL
// override the hosts (proxies, tests); without a region and a
// LoginBaseURL, the login host is derived from an APIBaseURL whose host
// starts with "api.", as the Genesys SDKs do.
//
// # Connect
//
// Connect obtains a token, reads /serviceproviderconfig and lists zero
// users (GET /users?count=0), which proves that the token is accepted:
// the discovery endpoints need no token.
//
// # Accounts
//
// ImportAccounts lists /users page by page (startIndex and count, Config.PageSize
// per page, 25 by default as Genesys advises) until totalResults. Genesys
// lists only active users unless the filter says otherwise, so the spec has
// a second source with the filter "active eq false"; the engine drops an
// ID it has already yielded, so a user who changes state between the two
// lists appears once.
//
// Account.ID is the Genesys user ID, Account.Name the userName (the
// Genesys email) and Account.Active the SCIM active flag. Attributes use
// the API's own field names; attributes of the SCIM extensions use their
// short names:
//
//	userName, displayName, active, title, externalId  strings (active a bool)
//	emails, phoneNumbers                              lists of {value, type, primary}
//	division, department, employeeNumber, dateHire    enterprise extension
//	manager                                           enterprise extension: the manager's user ID
//	routingSkills, routingLanguages                   Genesys extension: lists of {name, proficiency}
//	version                                           meta.version, the ETag (e.g. "\"3\"")
//	lastModified                                      meta.lastModified as a time.Time
//
// Account.Entitlements lists the user's "group" IDs (groups[].value) and
// "role" names (roles[].value). Absent attributes are absent from the map.
//
// Incremental import (ImportOptions.Since) is not supported and returns an
// error wrapping connector.ErrUnsupported: Genesys SCIM filters support
// only "eq" on a fixed list of attributes, so "meta.lastModified gt ..."
// cannot be asked for.
//
// # Entitlements
//
// ImportAccess yields type "group" from /groups (ID, name displayName,
// attributes displayName, externalId and version, members the user IDs)
// and type "role": the role names found on users, each with its holders as
// members. Genesys SCIM cannot list roles, so roles come from reading every
// user. Groups cannot be created or deleted over SCIM.
//
// # Provisioning
//
// CreateAccount looks the user up first, by userName among active users
// and then among inactive ones (filter userName eq "..." and active eq
// false), and adopts a user it finds: Result.AccountID is that user's ID,
// Result.Attributes["adopted"] is true and the user is left as it is
// (Result.Attributes["active"] tells whether it is active; run
// EnableAccount to reactivate it). Otherwise it creates the user (POST
// /users). Request.User supplies:
//
//	email (or, without it, username)  userName, and a work email; required
//	displayname                       displayName; without it "firstname lastname"; required
//	title, externalid                 title, externalId
//	department, division, employeeid  enterprise department, division, employeeNumber
//	manager                           the manager's Genesys user ID
//	phone                             a work phone number (E.164)
//
// and Request.Password, when set, the initial password (Genesys generates
// one otherwise). Absent optional values are left out of the request. The
// new user is created with "active": true, said explicitly because SCIM
// leaves the default to the server. Result.Attributes holds adopted,
// active and version; an adopted user was not written to, so
// Result.Unchanged is true for it.
//
// UpdateAccount reads Request.Account["id"] and the user (GET
// /users/{id}), works out the value of each attribute below, and PATCHes
// the user with If-Match set to the version it read, only when some value
// differs from what the GET returned. A value comes from Request.Account
// under the attribute's import name when that key is present and not
// null (so "" clears, and a list replaces the whole list); otherwise from
// the identity column of Request.User mapped to it, when that column is
// present and not empty (it is sent as text); otherwise the attribute is
// left as it is:
//
//	attribute         Request.Account key   Request.User column
//	userName          userName              -
//	displayName       displayName           displayname
//	title             title                 title
//	externalId        externalId            externalid
//	emails            emails (the list)     email: the work email's value only
//	phoneNumbers      phoneNumbers (list)   phone: the work number's value only
//	division          division              division
//	department        department            department
//	employeeNumber    employeeNumber        employeeid
//	dateHire          dateHire              -
//	manager           manager (user ID)     manager (user ID)
//	routingSkills     routingSkills         -
//	routingLanguages  routingLanguages      -
//
// Other keys (id, active, version, ...) are ignored: activation is
// EnableAccount's and DisableAccount's. A work email or phone number from
// Request.User is set with a PATCH path such as emails[type eq
// "work"].value, so the other entries of the list are kept. Values
// compare as JSON, with "", null, [] and an absent value alike, so an
// account as ImportAccounts returned it (or an identity the user already
// matches) sends no PATCH at all: the Result says Unchanged, and
// Result.Attributes["version"] is the version read. When another writer
// changed the user between the GET and the PATCH, Genesys answers 400
// invalidVers; the spec then reads the user again, compares again and
// repeats the PATCH once, and a second conflict is an error wrapping
// connector.ErrConflict. Result.Attributes["version"] is the new version.
//
// EnableAccount and DisableAccount read Request.Account["id"] and set
// active (Result.Attributes active and version). RemoveAccount reads
// Request.Account["id"] and deletes the user; a user that is already gone
// (404) counts as removed and sets Result.Attributes["alreadyGone"].
// ChangePassword reads Request.Account["id"] and sets Request.Password.
// No operation reads Request.Task.
//
// AddAccess and RemoveAccess take Request.Account["id"] and an
// Entitlement of type "group" (PATCH /groups/{id}, members add and
// members[value eq "<user>"] remove) or "role" (PATCH /users/{id}, roles
// add and roles[value eq "<role>"] remove; the role ID is its name).
//
// Genesys is provisioned through its API, not through tickets: the spec
// has no tickets, so TicketStatus, CommentTicket and CancelTicket return
// errors wrapping connector.ErrUnsupported.
//
// # Errors
//
// Failures are *connector.Error values. Code and Message come from the SCIM
// error (scimType, detail) or the Platform API error (code, message) that
// Genesys uses for 401 and 429. A userName in use (409 uniqueness) wraps
// connector.ErrConflict, an unknown ID (404) connector.ErrNotFound, a
// rejected token connector.ErrAuth. A 429 is retried after its Retry-After
// when that is at most a minute (connection.retry.maxWait), at most five
// times per call; otherwise the error wraps connector.ErrRateLimited.
// Secrets (the client secret, tokens, passwords) are masked in every error,
// log line and trace.
//
// # Customising
//
// Spec returns a fresh copy of the preset to change before passing it to
// connector.New (with the params and secrets documented in genesys.json),
// for example to import more attributes or to drop operations.
package genesys

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/restconn/restconn/connector"
)

//go:embed genesys.json
var specJSON []byte

// The names of the spec's auth blocks.
const (
	authOAuth = "oauth"
	authToken = "token"
)

var preset = connector.Embedded(specJSON)

// Spec returns the preset spec embedded from genesys.json. Each call
// returns a new copy, which the caller may change freely.
func Spec() *connector.Spec { return preset() }

// Config configures the preset. Give a region (or base URLs) and either
// client credentials or an access token.
type Config struct {
	Region       string // e.g. "mypurecloud.com", "mypurecloud.ie", "usw2.pure.cloud"; sets both hosts
	APIBaseURL   string // overrides https://api.<region>
	LoginBaseURL string // overrides https://login.<region>
	ClientID     string // OAuth client credentials (secret: ClientSecret)
	ClientSecret string
	AccessToken  string // alternative to client credentials: a SCIM access token
	PageSize     int    // SCIM count per page; default 25 (the vendor's advice)
}

// DefaultPageSize is the page size when Config.PageSize is zero: Genesys
// warns that larger pages may be rate limited.
const DefaultPageSize = 25

// New returns an engine for the Genesys Cloud organisation cfg describes.
// opts are passed to connector.New after the preset's own params and
// secrets (connector.WithHTTPClient, WithLogger, WithRateLimit, ...).
func New(cfg Config, opts ...connector.Option) (*connector.Engine, error) {
	r, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	spec := Spec()
	if r.useToken {
		spec.Connection.DefaultAuth = authToken
		delete(spec.Connection.Auth, authOAuth)
	} else {
		spec.Connection.DefaultAuth = authOAuth
		delete(spec.Connection.Auth, authToken)
	}
	if cfg.PageSize > 0 {
		setPageSize(spec, cfg.PageSize)
	}
	params := map[string]any{"region": r.region, "apiBaseURL": r.apiBase, "loginBaseURL": r.loginBase}
	secrets := map[string]string{}
	if r.useToken {
		secrets["accessToken"] = cfg.AccessToken
	} else {
		params["clientID"] = cfg.ClientID
		secrets["clientSecret"] = cfg.ClientSecret
	}
	all := append([]connector.Option{connector.WithParams(params), connector.WithSecrets(secrets)}, opts...)
	return connector.New(spec, all...)
}

// setPageSize sets the count of every paged list in the spec.
func setPageSize(spec *connector.Spec, n int) {
	var lists []*connector.ListCall
	if im := spec.Import; im != nil {
		if im.Accounts != nil {
			lists = append(lists, im.Accounts.Sources...)
		}
		for _, e := range im.Entitlements {
			lists = append(lists, e.Sources...)
		}
	}
	for _, l := range lists {
		if l.Paging != nil {
			l.Paging.Size = n
		}
	}
}

// resolved is a checked Config.
type resolved struct {
	region, apiBase, loginBase string
	useToken                   bool
}

func (cfg Config) resolve() (resolved, error) {
	var r resolved
	if cfg.PageSize < 0 {
		return r, fmt.Errorf("genesys: PageSize %d is negative (0 means %d)", cfg.PageSize, DefaultPageSize)
	}
	hasClient := cfg.ClientID != "" || cfg.ClientSecret != ""
	r.useToken = cfg.AccessToken != ""
	switch {
	case hasClient && r.useToken:
		return r, errors.New("genesys: give either ClientID and ClientSecret or AccessToken, not both")
	case !hasClient && !r.useToken:
		return r, errors.New("genesys: no credentials: give ClientID and ClientSecret (OAuth client credentials) or AccessToken")
	case hasClient && cfg.ClientID == "":
		return r, errors.New("genesys: ClientSecret is set but ClientID is empty")
	case hasClient && cfg.ClientSecret == "":
		return r, errors.New("genesys: ClientID is set but ClientSecret is empty")
	}

	if cfg.Region != "" {
		suffix, err := regionSuffix(cfg.Region)
		if err != nil {
			return r, err
		}
		r.region = suffix
	}
	var err error
	switch {
	case cfg.APIBaseURL != "":
		if r.apiBase, err = baseURL("APIBaseURL", cfg.APIBaseURL); err != nil {
			return r, err
		}
	case r.region != "":
		r.apiBase = "https://api." + r.region
	default:
		return r, errors.New("genesys: no API host: set Region (e.g. \"mypurecloud.com\") or APIBaseURL")
	}
	switch {
	case cfg.LoginBaseURL != "":
		if r.loginBase, err = baseURL("LoginBaseURL", cfg.LoginBaseURL); err != nil {
			return r, err
		}
	case r.region != "":
		r.loginBase = "https://login." + r.region
	default:
		// The Genesys SDKs find the login host by replacing "api." with
		// "login." in the API host.
		u, _ := url.Parse(r.apiBase)
		if host, ok := strings.CutPrefix(u.Host, "api."); ok {
			u.Host = "login." + host
			u.Path = ""
			r.loginBase = u.String()
		} else if !r.useToken {
			return r, errors.New("genesys: no login host for client credentials: set Region or LoginBaseURL (APIBaseURL " + r.apiBase + " does not start with api.)")
		}
	}
	return r, nil
}

// baseURL checks an absolute http(s) URL and removes a trailing slash.
func baseURL(field, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("genesys: %s %q is not an absolute http(s) URL such as https://api.mypurecloud.com", field, raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", fmt.Errorf("genesys: %s %q must not carry a query, fragment or user info", field, raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// awsRegions maps the AWS region names Genesys uses to host suffixes
// (platform-client-sdk-go configuration.go, PureCloudRegionHosts.js).
var awsRegions = map[string]string{
	"us-east-1":      "mypurecloud.com",
	"eu-west-1":      "mypurecloud.ie",
	"ap-southeast-2": "mypurecloud.com.au",
	"ap-northeast-1": "mypurecloud.jp",
	"eu-central-1":   "mypurecloud.de",
	"us-west-2":      "usw2.pure.cloud",
	"ca-central-1":   "cac1.pure.cloud",
	"ap-northeast-2": "apne2.pure.cloud",
	"eu-west-2":      "euw2.pure.cloud",
	"ap-south-1":     "aps1.pure.cloud",
	"us-east-2":      "use2.us-gov-pure.cloud",
	"sa-east-1":      "sae1.pure.cloud",
	"me-central-1":   "mec1.pure.cloud",
	"ap-northeast-3": "apne3.pure.cloud",
	"eu-central-2":   "euc2.pure.cloud",
}

// regionSuffix turns a region (host suffix or AWS region name) into the
// host suffix.
func regionSuffix(region string) (string, error) {
	r := strings.ToLower(strings.TrimSpace(region))
	if s, ok := awsRegions[r]; ok {
		return s, nil
	}
	if strings.Contains(r, "://") || strings.ContainsAny(r, "/:") {
		return "", fmt.Errorf("genesys: Region %q is a URL; give the host suffix (e.g. \"mypurecloud.com\") or set APIBaseURL", region)
	}
	// Accept the API or login host itself.
	for _, p := range []string{"api.", "login."} {
		r = strings.TrimPrefix(r, p)
	}
	valid := strings.Contains(r, ".") && !strings.HasPrefix(r, ".") && !strings.HasSuffix(r, ".") && !strings.Contains(r, "..")
	for _, c := range r {
		valid = valid && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-')
	}
	if !valid {
		return "", fmt.Errorf("genesys: Region %q is neither a host suffix such as \"mypurecloud.com\" or \"usw2.pure.cloud\" nor a Genesys AWS region name such as \"us-west-2\"", region)
	}
	return r, nil
}
