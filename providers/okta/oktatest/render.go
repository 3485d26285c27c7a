package oktatest

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
)

// defaultTypeID is the ID of the org's default user type, which every user
// has.
const defaultTypeID = "oty1oktatest0default0g4"

// userJSON is Okta's User schema as the fake sends it.
type userJSON struct {
	ID              string          `json:"id"`
	Status          Status          `json:"status"`
	Created         string          `json:"created"`
	Activated       *string         `json:"activated"`
	StatusChanged   *string         `json:"statusChanged"`
	LastLogin       *string         `json:"lastLogin"`
	LastUpdated     string          `json:"lastUpdated"`
	PasswordChanged *string         `json:"passwordChanged"`
	Type            typeJSON        `json:"type"`
	Profile         profileJSON     `json:"profile"`
	Credentials     credentialsJSON `json:"credentials"`
	Links           *userLinks      `json:"_links"`
}

type typeJSON struct {
	ID string `json:"id"`
}

type credentialsJSON struct {
	Password         *struct{}         `json:"password,omitempty"` // {} when the user has one
	RecoveryQuestion *recoveryQuestion `json:"recovery_question,omitempty"`
	Provider         providerJSON      `json:"provider"`
}

type recoveryQuestion struct {
	Question string `json:"question"`
}

type providerJSON struct {
	Type string `json:"type"`
	Name string `json:"name"`
}

// userLinks are the HAL links of a user: for a single user, the lifecycle
// operations its status allows (credential and factor operations, which the
// fake does not serve, are left out); in lists only self, as the
// description says.
type userLinks struct {
	Self           link  `json:"self"`
	Activate       *link `json:"activate,omitempty"`
	Reactivate     *link `json:"reactivate,omitempty"`
	Deactivate     *link `json:"deactivate,omitempty"`
	Suspend        *link `json:"suspend,omitempty"`
	Unsuspend      *link `json:"unsuspend,omitempty"`
	Unlock         *link `json:"unlock,omitempty"`
	ResetPassword  *link `json:"resetPassword,omitempty"`
	ExpirePassword *link `json:"expirePassword,omitempty"`
}

// profileJSON writes a profile in Okta's form: the set base properties,
// mobilePhone and secondEmail as null when unset, then the other
// properties in name order.
type profileJSON struct{ p *Profile }

func (pj profileJSON) MarshalJSON() ([]byte, error) {
	p := pj.p
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	put := func(name string, v any) error {
		if !first {
			b.WriteByte(',')
		}
		first = false
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		val, err := json.Marshal(v)
		b.Write(val)
		return err
	}
	str := func(name, v string) {
		if v != "" {
			_ = put(name, v)
		}
	}
	nullable := func(name, v string) {
		if v == "" {
			_ = put(name, nil)
		} else {
			_ = put(name, v)
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
		if err := put(k, p.Extra[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// renderUser builds the user object; full adds every link the user's
// status allows, as for a single user.
func (s *Server) renderUser(u *user, full bool) userJSON {
	self := s.URL + "/api/v1/users/" + u.id
	j := userJSON{
		ID:              u.id,
		Status:          u.status,
		Created:         formatTime(u.created),
		Activated:       nullTime(u.activated),
		StatusChanged:   nullTime(u.statusChanged),
		LastLogin:       nullTime(u.lastLogin),
		LastUpdated:     formatTime(u.lastUpdated),
		PasswordChanged: nullTime(u.passwordChanged),
		Type:            typeJSON{ID: defaultTypeID},
		Profile:         profileJSON{&u.profile},
		Credentials:     credentialsJSON{Provider: providerJSON{Type: "OKTA", Name: "OKTA"}},
		Links:           &userLinks{Self: link{Href: self}},
	}
	if u.hasPassword {
		j.Credentials.Password = &struct{}{}
	}
	if u.recovery != "" {
		j.Credentials.RecoveryQuestion = &recoveryQuestion{Question: u.recovery}
	}
	if !full {
		return j
	}
	l := j.Links
	op := func(name string) *link { return &link{Href: self + "/lifecycle/" + name} }
	switch u.status {
	case StatusStaged:
		l.Activate = op("activate")
	case StatusProvisioned:
		l.Reactivate = op("reactivate")
		l.ResetPassword = op("reset_password")
	case StatusRecovery:
		l.Reactivate = op("reactivate")
		l.ResetPassword = op("reset_password")
	case StatusActive, StatusPasswordExpired:
		if u.status == StatusActive {
			l.Suspend = op("suspend")
		}
		l.ResetPassword = op("reset_password")
		l.ExpirePassword = op("expire_password")
	case StatusLockedOut:
		l.Unlock = op("unlock")
		l.ResetPassword = op("reset_password")
	case StatusSuspended:
		l.Unsuspend = op("unsuspend")
	case StatusDeprovisioned:
		l.Activate = op("activate")
	}
	if u.status != StatusDeprovisioned {
		l.Deactivate = op("deactivate")
	}
	return j
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
	for k, v := range g.extra {
		profile[k] = v
	}
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
		n := len(g.members)
		if g.typ == BuiltIn {
			n = len(s.users)
		}
		j.Embedded = &groupEmbedded{Stats: groupStats{UsersCount: n}}
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
		Created:        formatTime(r.created),
		LastUpdated:    formatTime(r.created),
		AssignmentType: "USER",
		Links:          roleLinks{Assignee: link{Href: s.URL + "/api/v1/users/" + u.id}},
	}
}
