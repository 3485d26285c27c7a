package oktatest

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"
	"unicode/utf8"
)

// defaultTypeID is the ID of the org's default user type, which every user
// has.
const defaultTypeID = "oty1oktatest0default0g4"

// rawJSON is a response body the fake has encoded itself; handle sends it
// as it is.
type rawJSON []byte

// User objects are written by hand rather than through encoding/json: a
// member list of a large group is most of what the fake sends, and this
// keeps paging through 100,000 members about as cheap as the client's
// decoding of them.

// appendUser appends Okta's User object for u. full adds every lifecycle
// link the user's status allows, as for a single user; lists have only
// self, as the description says (credential and factor operations, which
// the fake does not serve, are never linked).
func (s *Server) appendUser(b []byte, u *user, full bool) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, u.id)
	b = append(b, `,"status":`...)
	b = appendString(b, string(u.status))
	b = append(b, `,"created":`...)
	b = appendTime(b, u.created.time())
	b = append(b, `,"activated":`...)
	b = appendTime(b, u.activated.time())
	b = append(b, `,"statusChanged":`...)
	b = appendTime(b, u.statusChanged.time())
	b = append(b, `,"lastLogin":`...)
	b = appendTime(b, u.lastLogin.time())
	b = append(b, `,"lastUpdated":`...)
	b = appendTime(b, u.lastUpdated.time())
	b = append(b, `,"passwordChanged":`...)
	b = appendTime(b, u.passwordChanged.time())
	b = append(b, `,"type":{"id":"`+defaultTypeID+`"},"profile":`...)
	b = appendProfile(b, u.prof())
	b = append(b, `,"credentials":{`...)
	if u.hasPassword {
		b = append(b, `"password":{},`...)
	}
	if u.recovery != "" {
		b = append(b, `"recovery_question":{"question":`...)
		b = appendString(b, u.recovery)
		b = append(b, "},"...)
	}
	b = append(b, `"provider":{"type":"OKTA","name":"OKTA"}},"_links":{"self":{"href":`...)
	self := s.URL + "/api/v1/users/" + u.id
	b = appendString(b, self)
	b = append(b, '}')
	if full {
		for _, rel := range lifecycleLinks(u) {
			b = append(b, ',')
			b = appendString(b, rel.name)
			b = append(b, `:{"href":`...)
			b = appendString(b, self+"/lifecycle/"+rel.op)
			b = append(b, '}')
		}
	}
	return append(b, "}}"...)
}

type linkRel struct{ name, op string }

// lifecycleLinks are the lifecycle operations u's status allows.
func lifecycleLinks(u *user) []linkRel {
	var rels []linkRel
	add := func(name, op string) { rels = append(rels, linkRel{name, op}) }
	switch u.status {
	case StatusStaged, StatusDeprovisioned:
		add("activate", "activate")
	case StatusProvisioned, StatusRecovery:
		add("reactivate", "reactivate")
		add("resetPassword", "reset_password")
	case StatusActive, StatusPasswordExpired:
		if u.status == StatusActive {
			add("suspend", "suspend")
		}
		add("resetPassword", "reset_password")
		add("expirePassword", "expire_password")
	case StatusLockedOut:
		add("unlock", "unlock")
		add("resetPassword", "reset_password")
	case StatusSuspended:
		add("unsuspend", "unsuspend")
	}
	if u.status != StatusDeprovisioned {
		add("deactivate", "deactivate")
	}
	return rels
}

func (s *Server) renderUser(u *user) rawJSON { return s.appendUser(nil, u, true) }

// renderUsers writes a list of users.
func (s *Server) renderUsers(users []*user) rawJSON {
	b := make([]byte, 0, 64+len(users)*900)
	b = append(b, '[')
	for i, u := range users {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.appendUser(b, u, false)
	}
	return append(b, ']')
}

// appendProfile writes a profile in Okta's form: the set base properties,
// mobilePhone and secondEmail as null when unset, then the other
// properties in name order.
func appendProfile(b []byte, p *Profile) []byte {
	b = append(b, '{')
	first := true
	key := func(name string) {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, name)
		b = append(b, ':')
	}
	str := func(name, v string) {
		if v != "" {
			key(name)
			b = appendString(b, v)
		}
	}
	nullable := func(name, v string) {
		key(name)
		if v == "" {
			b = append(b, "null"...)
		} else {
			b = appendString(b, v)
		}
	}
	str("login", p.Login)
	str("email", p.Email)
	nullable("secondEmail", p.SecondEmail)
	str("firstName", p.FirstName)
	str("lastName", p.LastName)
	str("displayName", p.DisplayName)
	str("title", p.Title)
	str("department", p.Department)
	str("employeeNumber", p.EmployeeNumber)
	str("manager", p.Manager)
	str("managerId", p.ManagerID)
	nullable("mobilePhone", p.MobilePhone)
	for _, k := range slices.Sorted(maps.Keys(p.Extra)) {
		v, err := json.Marshal(p.Extra[k])
		if err != nil {
			// Extra holds decoded JSON or values a test chose; only a
			// test's mistake (a channel, say) gets here.
			panic(fmt.Sprintf("oktatest: profile property %s: %v", k, err))
		}
		key(k)
		b = append(b, v...)
	}
	return append(b, '}')
}

// appendTime writes a timestamp in Okta's form, or null for the zero time.
func appendTime(b []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(b, "null"...)
	}
	b = append(b, '"')
	b = t.UTC().AppendFormat(b, timeLayout)
	return append(b, '"')
}

// appendString writes s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does; HTML characters are not escaped, as Okta does not.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but end lines in JavaScript.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// groupJSON is Okta's Group schema as the fake sends it.
type groupJSON struct {
	ID                    string         `json:"id"`
	Created               string         `json:"created"`
	LastUpdated           string         `json:"lastUpdated"`
	LastMembershipUpdated string         `json:"lastMembershipUpdated"`
	ObjectClass           []string       `json:"objectClass"`
	Type                  GroupType      `json:"type"`
	Profile               map[string]any `json:"profile"`
	Embedded              *groupEmbedded `json:"_embedded,omitempty"`
	Links                 groupLinks     `json:"_links"`
}

type groupEmbedded struct {
	Stats groupStats `json:"stats"`
}

type groupStats struct {
	UsersCount             int  `json:"usersCount"`
	AppsCount              int  `json:"appsCount"`
	GroupPushMappingsCount int  `json:"groupPushMappingsCount"`
	HasAdminPrivilege      bool `json:"hasAdminPrivlege"` // sic: the description's spelling
}

type groupLinks struct {
	Logo   []logoLink `json:"logo"`
	Users  link       `json:"users"`
	Apps   link       `json:"apps"`
	Source *link      `json:"source,omitempty"`
}

type logoLink struct {
	Name string `json:"name"`
	Href string `json:"href"`
	Type string `json:"type"`
}

// renderGroup builds the group object; stats adds _embedded.stats, as
// expand=stats asks.
func (s *Server) renderGroup(g *group, stats bool) groupJSON {
	self := s.URL + "/api/v1/groups/" + g.id
	objectClass, logo := "okta:user_group", "okta"
	if g.typ == AppGroup {
		objectClass, logo = "okta:windows_security_principal", "active_directory"
	}
	profile := make(map[string]any, 2+len(g.extra))
	maps.Copy(profile, g.extra)
	profile["name"] = g.name
	if g.description != "" {
		profile["description"] = g.description
	}
	j := groupJSON{
		ID:                    g.id,
		Created:               formatTime(g.created),
		LastUpdated:           formatTime(g.lastUpdated),
		LastMembershipUpdated: formatTime(g.lastMembershipUpdated),
		ObjectClass:           []string{objectClass},
		Type:                  g.typ,
		Profile:               profile,
		Links: groupLinks{
			Logo: []logoLink{
				{Name: "medium", Href: s.URL + "/img/logos/groups/" + logo + "-medium.png", Type: "image/png"},
				{Name: "large", Href: s.URL + "/img/logos/groups/" + logo + "-large.png", Type: "image/png"},
			},
			Users: link{Href: self + "/users"},
			Apps:  link{Href: self + "/apps"},
		},
	}
	if g.sourceAppID != "" {
		j.Links.Source = &link{Href: s.URL + "/api/v1/apps/" + g.sourceAppID}
	}
	if stats {
		j.Embedded = &groupEmbedded{Stats: groupStats{UsersCount: len(s.groupMembers(g))}}
	}
	return j
}

// roleJSON is Okta's StandardRole schema.
type roleJSON struct {
	ID             string    `json:"id"`
	Label          string    `json:"label"`
	Type           string    `json:"type"`
	Status         string    `json:"status"`
	Created        string    `json:"created"`
	LastUpdated    string    `json:"lastUpdated"`
	AssignmentType string    `json:"assignmentType"`
	Links          roleLinks `json:"_links"`
}

type roleLinks struct {
	Assignee link `json:"assignee"`
}

func (s *Server) renderRole(u *user, r *role) roleJSON {
	return roleJSON{
		ID:             r.id,
		Label:          roleLabels[r.typ],
		Type:           r.typ,
		Status:         "ACTIVE",
		Created:        formatTime(r.created.time()),
		LastUpdated:    formatTime(r.created.time()),
		AssignmentType: "USER",
		Links:          roleLinks{Assignee: link{Href: s.URL + "/api/v1/users/" + u.id}},
	}
}
