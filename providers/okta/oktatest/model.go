package oktatest

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Status is a user's lifecycle status, as in the status property of Okta's
// user object.
type Status string

// The statuses of Okta's UserStatus schema.
const (
	StatusStaged          Status = "STAGED"
	StatusProvisioned     Status = "PROVISIONED"
	StatusActive          Status = "ACTIVE"
	StatusRecovery        Status = "RECOVERY"
	StatusPasswordExpired Status = "PASSWORD_EXPIRED"
	StatusLockedOut       Status = "LOCKED_OUT"
	StatusSuspended       Status = "SUSPENDED"
	StatusDeprovisioned   Status = "DEPROVISIONED"
)

var statuses = []Status{StatusStaged, StatusProvisioned, StatusActive, StatusRecovery,
	StatusPasswordExpired, StatusLockedOut, StatusSuspended, StatusDeprovisioned}

func (st Status) valid() bool { return slices.Contains(statuses, st) }

// GroupType is the type of a group: who manages its profile and members.
type GroupType string

// The types of Okta's GroupType schema. Only OKTA_GROUP memberships can be
// changed through the API.
const (
	OktaGroup GroupType = "OKTA_GROUP"
	AppGroup  GroupType = "APP_GROUP"
	BuiltIn   GroupType = "BUILT_IN"
)

// Profile is a user's profile. The named fields are the base properties a
// connector usually maps; Extra holds every other property, base (city,
// costCenter, ...) or custom, under its name in the profile, with a JSON
// value (string, bool, json.Number or float64, nil, []any).
//
// An empty string means the property is not set: it is left out of
// responses, except mobilePhone and secondEmail, which Okta sends as null.
type Profile struct {
	Login, Email, SecondEmail        string
	FirstName, LastName, DisplayName string
	Title, Department                string
	EmployeeNumber                   string
	Manager, ManagerID               string
	MobilePhone                      string
	Extra                            map[string]any
}

func (p Profile) clone() Profile {
	p.Extra = maps.Clone(p.Extra)
	return p
}

// User is a user of the fake org. Zero times are sent as null (or, for
// Created and LastUpdated, replaced by the time the user is added).
type User struct {
	ID      string // "00u" and 17 letters and digits; empty means generate one
	Status  Status // empty means ACTIVE
	Profile Profile

	// HasPassword says whether the user has a password. The fake never
	// keeps or returns a password's value: Requests shows what was sent.
	HasPassword      bool
	RecoveryQuestion string

	Created, Activated, StatusChanged, LastLogin, LastUpdated, PasswordChanged time.Time

	// Roles are the admin roles assigned to the user directly, by type
	// (SUPER_ADMIN, ORG_ADMIN, READ_ONLY_ADMIN, ...).
	Roles []string
}

// Group is a group of the fake org. Members are user IDs; AddGroup and
// WithGroups also accept logins. The BUILT_IN group Everyone always exists
// and always holds every user; it cannot be added.
type Group struct {
	ID          string    // "00g" and 17 letters and digits; empty means generate one
	Type        GroupType // empty means OKTA_GROUP
	Name        string
	Description string
	// Extra holds other profile properties, such as the samAccountName, dn
	// and windowsDomainQualifiedName of a group imported from Active
	// Directory.
	Extra   map[string]any
	Members []string

	// SourceAppID is the app an APP_GROUP comes from ("0oa..."); it is
	// linked as _links.source.
	SourceAppID string

	Created, LastUpdated, LastMembershipUpdated time.Time
}

// user is the stored form of a user. It is kept small, because a test may
// hold 100,000 of them: timestamps are stamps, and a user from SeedUsers
// has no profile until it changes (see prof).
type user struct {
	id          string
	status      Status
	seq         int32    // the SeedUsers number of a generated user, else 0
	hasPassword bool     //
	profile     *Profile // nil for a generated user whose profile is unchanged
	recovery    string

	created, activated, statusChanged, lastLogin, lastUpdated, passwordChanged stamp

	roles []*role
}

// prof returns u's profile. A generated user's is derived from its number
// (a fresh copy each time, which callers may keep but need not).
func (u *user) prof() *Profile {
	if u.profile != nil {
		return u.profile
	}
	return seededProfile(int(u.seq))
}

// stamp is a timestamp in Unix milliseconds, the precision of Okta's; zero
// means null. It takes a third of the room of a time.Time.
type stamp int64

func stampOf(t time.Time) stamp {
	if t.IsZero() {
		return 0
	}
	return stamp(t.UnixMilli())
}

func (s stamp) time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(s)).UTC()
}

// role is a standard admin role assigned to a user.
type role struct {
	id      string
	typ     string
	created stamp
}

func (u *user) public() User {
	out := User{
		ID: u.id, Status: u.status, Profile: u.prof().clone(),
		HasPassword: u.hasPassword, RecoveryQuestion: u.recovery,
		Created: u.created.time(), Activated: u.activated.time(), StatusChanged: u.statusChanged.time(),
		LastLogin: u.lastLogin.time(), LastUpdated: u.lastUpdated.time(), PasswordChanged: u.passwordChanged.time(),
	}
	for _, r := range u.roles {
		out.Roles = append(out.Roles, r.typ)
	}
	return out
}

// group is the stored form of a group. members is sorted by user ID, which
// is also the order of the member list and the basis of its cursor; it is
// nil for Everyone, whose members are all users.
type group struct {
	id          string
	typ         GroupType
	name        string
	description string
	extra       map[string]any
	sourceAppID string
	members     []*user

	created, lastUpdated, lastMembershipUpdated time.Time
}

func (g *group) hasMember(u *user) bool {
	if g.typ == BuiltIn {
		return true
	}
	_, ok := searchUsers(g.members, u.id)
	return ok
}

// addMember reports whether u was not a member yet.
func (g *group) addMember(u *user) bool {
	i, ok := searchUsers(g.members, u.id)
	if ok {
		return false
	}
	g.members = slices.Insert(g.members, i, u)
	return true
}

// removeMember reports whether u was a member.
func (g *group) removeMember(u *user) bool {
	i, ok := searchUsers(g.members, u.id)
	if !ok {
		return false
	}
	g.members = slices.Delete(g.members, i, i+1)
	return true
}

// searchUsers finds id in users sorted by ID: the index of the first user
// whose ID is not less than id, and whether that user has it.
func searchUsers(users []*user, id string) (int, bool) {
	return slices.BinarySearchFunc(users, id, func(u *user, id string) int { return strings.Compare(u.id, id) })
}

func searchGroups(groups []*group, id string) (int, bool) {
	return slices.BinarySearchFunc(groups, id, func(g *group, id string) int { return strings.Compare(g.id, id) })
}

// after returns the users whose ID sorts after the cursor, which is the ID
// of the last user of the previous page; users added or removed meanwhile
// cannot make a page repeat or skip anybody else.
func usersAfter(users []*user, cursor string) []*user {
	if cursor == "" {
		return users
	}
	i, ok := searchUsers(users, cursor)
	if ok {
		i++
	}
	return users[i:]
}

func groupsAfter(groups []*group, cursor string) []*group {
	if cursor == "" {
		return groups
	}
	i, ok := searchGroups(groups, cursor)
	if ok {
		i++
	}
	return groups[i:]
}

// The admin role types of Okta's StandardRole schema and their labels.
// IAM-based roles (WORKFLOWS_ADMIN, ACCESS_CERTIFICATIONS_ADMIN,
// ACCESS_REQUESTS_ADMIN) and custom roles are not modelled.
var roleLabels = map[string]string{
	"SUPER_ADMIN":                 "Super Administrator",
	"ORG_ADMIN":                   "Organizational Administrator",
	"APP_ADMIN":                   "Application Administrator",
	"USER_ADMIN":                  "User Administrator",
	"GROUP_MEMBERSHIP_ADMIN":      "Group Membership Administrator",
	"HELP_DESK_ADMIN":             "Help Desk Administrator",
	"READ_ONLY_ADMIN":             "Read-Only Administrator",
	"REPORT_ADMIN":                "Report Administrator",
	"API_ACCESS_MANAGEMENT_ADMIN": "Access Management Administrator",
}

// idAlphabet is base62 in ASCII order, so that IDs of equal length sort
// like the numbers they encode.
const idAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newID returns the n-th ID with the given three-character prefix ("00u",
// "00g", "ra1"): twenty characters like Okta's, deterministic, and
// increasing with n, so that generated users and groups sort in creation
// order. The eleven characters after the prefix encode n; three more mix
// it so that neighbouring IDs do not look alike; the last three are a cell
// suffix as in Okta's IDs.
func newID(prefix string, n uint64) string {
	const (
		base   = 2 * 839299365868340224 // 2 * 62^10: eleven digits without a leading zero
		stride = 97000000679            // spreads consecutive n over the digits
	)
	var b [20]byte
	copy(b[:], prefix)
	v := base + n*stride
	for i := 13; i >= 3; i-- {
		b[i] = idAlphabet[v%62]
		v /= 62
	}
	h := n * 2654435761
	for i := 16; i >= 14; i-- {
		b[i] = idAlphabet[h%62]
		h /= 62
	}
	copy(b[17:], "0g4")
	return string(b[:])
}

// loginKey is the key of the login index: Okta logins are unique regardless
// of case.
func loginKey(login string) string { return strings.ToLower(login) }
