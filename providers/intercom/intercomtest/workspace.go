package intercomtest

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Admin is a teammate of the workspace. The API can read admins and set
// their away mode, nothing else.
type Admin struct {
	ID               string // numeric
	Name             string
	Email            string
	JobTitle         string // sent as "" when empty; the API requires the field
	AwayModeEnabled  bool
	AwayModeReassign bool
	HasInboxSeat     bool
	TeamIDs          []int
	AvatarURL        string // "" shows Intercom's default avatar
	PrimaryTeamIDs   []int  // team_priority_level, sent when either list is set
	SecondaryTeamIDs []int
}

// Team is a group of admins.
type Team struct {
	ID                string // numeric
	Name              string
	AdminIDs          []int
	PrimaryAdminIDs   []int // admin_priority_level, sent when either list is set
	SecondaryAdminIDs []int
}

// TicketType is a kind of ticket. Every ticket type has the two built-in
// attributes _default_title_ and _default_description_.
type TicketType struct {
	ID          string // numeric
	Name        string
	Description string
	Category    string // Customer, Back-office or Tracker; "" means Customer
	Icon        string // an emoji; "" means 🎟️
}

// Contact is a user or lead that tickets can be about.
type Contact struct {
	ID         string
	ExternalID string // "" for none
	Email      string // "" for none
}

func (a Admin) clone() Admin {
	a.TeamIDs = slices.Clone(a.TeamIDs)
	a.PrimaryTeamIDs = slices.Clone(a.PrimaryTeamIDs)
	a.SecondaryTeamIDs = slices.Clone(a.SecondaryTeamIDs)
	return a
}

func (t Team) clone() Team {
	t.AdminIDs = slices.Clone(t.AdminIDs)
	t.PrimaryAdminIDs = slices.Clone(t.PrimaryAdminIDs)
	t.SecondaryAdminIDs = slices.Clone(t.SecondaryAdminIDs)
	return t
}

// The seed. Admin 991267391 is away, 991267392 has no job title (like the
// description's examples), 991267393 has no inbox seat; team membership
// agrees in both directions.
func defaultAdmins() []Admin {
	return []Admin{
		{ID: "991267390", Name: "Ciara Lee", Email: "ciara.lee@example.com", JobTitle: "Support Lead",
			HasInboxSeat: true, TeamIDs: []int{814865}, AvatarURL: "https://static.intercomassets.com/avatars/991267390/square_128/ciara.png",
			PrimaryTeamIDs: []int{814865}},
		{ID: "991267391", Name: "Tomás Byrne", Email: "tomas.byrne@example.com", JobTitle: "Support Engineer",
			AwayModeEnabled: true, AwayModeReassign: true, HasInboxSeat: true, TeamIDs: []int{814865, 814866},
			PrimaryTeamIDs: []int{814865}, SecondaryTeamIDs: []int{814866}},
		{ID: "991267392", Name: "Aoife Walsh", Email: "aoife.walsh@example.com",
			HasInboxSeat: true, TeamIDs: []int{814866}, AvatarURL: "https://static.intercomassets.com/avatars/991267392/square_128/aoife.png"},
		{ID: "991267393", Name: "Declan Kelly", Email: "declan.kelly@example.com", JobTitle: "Finance Manager",
			TeamIDs: []int{}},
	}
}

func defaultTeams() []Team {
	return []Team{
		{ID: "814865", Name: "Support", AdminIDs: []int{991267390, 991267391},
			PrimaryAdminIDs: []int{991267390, 991267391}},
		{ID: "814866", Name: "Billing", AdminIDs: []int{991267391, 991267392},
			PrimaryAdminIDs: []int{991267392}, SecondaryAdminIDs: []int{991267391}},
		{ID: "814867", Name: "Escalations", AdminIDs: []int{}},
	}
}

func defaultTicketTypes() []TicketType {
	return []TicketType{{ID: "1", Name: "Access request", Description: "A request for access to an application", Category: "Back-office", Icon: "🔑"}}
}

func defaultContacts() []Contact {
	return []Contact{
		{ID: "6650a1b2c3d4e5f607182930", ExternalID: "cust-1001", Email: "ada@example.com"},
		{ID: "6650a1b2c3d4e5f607182931", Email: "grace@example.com"},
	}
}

// defaultAvatar is the image Intercom shows for admins without one, as in the
// description's example of GET /me.
const defaultAvatar = "https://static.intercomassets.com/assets/default-avatars/admins/128.png"

type app struct {
	Type                 string `json:"type"`
	IDCode               string `json:"id_code"`
	Name                 string `json:"name"`
	CreatedAt            int64  `json:"created_at"`
	Secure               bool   `json:"secure"`
	IdentityVerification bool   `json:"identity_verification"`
	Timezone             string `json:"timezone"`
	Region               string `json:"region"`
}

func defaultApp(now time.Time) app {
	return app{Type: "app", IDCode: "ictest01", Name: "intercomtest", CreatedAt: now.Unix(),
		Timezone: "America/Los_Angeles", Region: "US"}
}

// Admin returns the admin with the given id.
func (s *Server) Admin(id string) (Admin, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.admin(id); a != nil {
		return a.clone(), true
	}
	return Admin{}, false
}

// Contacts returns the workspace's contacts, including those that tickets
// created by email.
func (s *Server) Contacts() []Contact {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.contacts)
}

func (s *Server) admin(id string) *Admin {
	for i := range s.admins {
		if s.admins[i].ID == id {
			return &s.admins[i]
		}
	}
	return nil
}

func (s *Server) team(id string) *Team {
	for i := range s.teams {
		if s.teams[i].ID == id {
			return &s.teams[i]
		}
	}
	return nil
}

type avatar struct {
	Type     string `json:"type,omitempty"`
	ImageURL string `json:"image_url"`
}

type teamPriority struct {
	Primary   []int `json:"primary_team_ids"`
	Secondary []int `json:"secondary_team_ids"`
}

type adminJSON struct {
	Type              string        `json:"type"`
	ID                string        `json:"id"`
	Name              string        `json:"name"`
	Email             string        `json:"email"`
	JobTitle          string        `json:"job_title"`
	AwayModeEnabled   bool          `json:"away_mode_enabled"`
	AwayModeReassign  bool          `json:"away_mode_reassign"`
	HasInboxSeat      bool          `json:"has_inbox_seat"`
	TeamIDs           []int         `json:"team_ids"`
	Avatar            *avatar       `json:"avatar,omitempty"`
	TeamPriorityLevel *teamPriority `json:"team_priority_level,omitempty"`
}

func (a *Admin) avatarURL() string {
	if a.AvatarURL == "" {
		return defaultAvatar
	}
	return a.AvatarURL
}

func (a *Admin) json(withAvatar bool) adminJSON {
	out := adminJSON{
		Type:             "admin",
		ID:               a.ID,
		Name:             a.Name,
		Email:            a.Email,
		JobTitle:         a.JobTitle,
		AwayModeEnabled:  a.AwayModeEnabled,
		AwayModeReassign: a.AwayModeReassign,
		HasInboxSeat:     a.HasInboxSeat,
		TeamIDs:          nonNil(a.TeamIDs),
	}
	if withAvatar {
		out.Avatar = &avatar{ImageURL: a.avatarURL()}
	}
	if a.PrimaryTeamIDs != nil || a.SecondaryTeamIDs != nil {
		out.TeamPriorityLevel = &teamPriority{Primary: a.PrimaryTeamIDs, Secondary: a.SecondaryTeamIDs}
	}
	return out
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// me is the admin_with_app view of the token's admin.
func (s *Server) me() any {
	a := s.admins[0].json(false)
	a.Avatar = &avatar{Type: "avatar", ImageURL: s.admins[0].avatarURL()}
	return struct {
		adminJSON
		EmailVerified bool `json:"email_verified"`
		App           app  `json:"app"`
	}{a, true, s.app}
}

func (s *Server) listAdmins(c *call) (any, *apiError) {
	// Anything but "true" counts as the default, false (inferred).
	withAvatar := strings.EqualFold(first(c.query["display_avatar"]), "true")
	list := make([]adminJSON, 0, len(s.admins))
	for i := range s.admins {
		list = append(list, s.admins[i].json(withAvatar))
	}
	return struct {
		Type   string      `json:"type"`
		Admins []adminJSON `json:"admins"`
	}{"admin.list", list}, nil
}

func first(vs []string) string {
	if len(vs) == 0 {
		return ""
	}
	return vs[0]
}

func (s *Server) getAdmin(id string) (any, *apiError) {
	a := s.admin(id)
	if a == nil {
		return nil, errorf(http.StatusNotFound, "admin_not_found", "Admin not found")
	}
	return a.json(false), nil
}

func (s *Server) setAway(id string, c *call) (any, *apiError) {
	a := s.admin(id)
	if a == nil {
		return nil, errorf(http.StatusNotFound, "admin_not_found", "Admin for admin_id not found")
	}
	m, err := decodeObject(c.body)
	if err != nil {
		return nil, err
	}
	var values [2]bool
	for i, field := range []string{"away_mode_enabled", "away_mode_reassign"} {
		v, ok, err := optBool(m, field)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, missing(field)
		}
		values[i] = v
	}
	a.AwayModeEnabled, a.AwayModeReassign = values[0], values[1]
	return a.json(false), nil
}

type adminPriority struct {
	Primary   []int `json:"primary_admin_ids"`
	Secondary []int `json:"secondary_admin_ids"`
}

type teamJSON struct {
	Type               string         `json:"type"`
	ID                 string         `json:"id"`
	Name               string         `json:"name"`
	AdminIDs           []int          `json:"admin_ids"`
	AdminPriorityLevel *adminPriority `json:"admin_priority_level,omitempty"`
}

func (t *Team) json() teamJSON {
	out := teamJSON{Type: "team", ID: t.ID, Name: t.Name, AdminIDs: nonNil(t.AdminIDs)}
	if t.PrimaryAdminIDs != nil || t.SecondaryAdminIDs != nil {
		out.AdminPriorityLevel = &adminPriority{Primary: t.PrimaryAdminIDs, Secondary: t.SecondaryAdminIDs}
	}
	return out
}

func (s *Server) listTeams() any {
	list := make([]teamJSON, 0, len(s.teams))
	for i := range s.teams {
		list = append(list, s.teams[i].json())
	}
	return struct {
		Type  string     `json:"type"`
		Teams []teamJSON `json:"teams"`
	}{"team.list", list}
}

func (s *Server) getTeam(id string) (any, *apiError) {
	t := s.team(id)
	if t == nil {
		return nil, errorf(http.StatusNotFound, "team_not_found", "Team not found")
	}
	return t.json(), nil
}

// ticketType is a TicketType as the API shows it, with its built-in
// attributes.
type ticketType struct {
	Type        string     `json:"type"`
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Icon        string     `json:"icon"`
	WorkspaceID string     `json:"workspace_id"`
	Archived    bool       `json:"archived"`
	CreatedAt   int64      `json:"created_at"`
	UpdatedAt   int64      `json:"updated_at"`
	IsInternal  bool       `json:"is_internal"`
	Category    string     `json:"category"`
	Attributes  list[attr] `json:"ticket_type_attributes"`
}

// list is the {"type": "list", "data": [...]} wrapper of ticket types and
// their attributes.
type list[T any] struct {
	Type string `json:"type"`
	Data []T    `json:"data"`
}

type attr struct {
	Type                        string         `json:"type"`
	ID                          string         `json:"id"`
	WorkspaceID                 string         `json:"workspace_id"`
	Name                        string         `json:"name"`
	Description                 string         `json:"description"`
	DataType                    string         `json:"data_type"`
	InputOptions                map[string]any `json:"input_options"`
	Order                       int            `json:"order"`
	RequiredToCreate            bool           `json:"required_to_create"`
	RequiredToCreateForContacts bool           `json:"required_to_create_for_contacts"`
	VisibleOnCreate             bool           `json:"visible_on_create"`
	VisibleToContacts           bool           `json:"visible_to_contacts"`
	Default                     bool           `json:"default"`
	TicketTypeID                int64          `json:"ticket_type_id"`
	Archived                    bool           `json:"archived"`
	CreatedAt                   int64          `json:"created_at"`
	UpdatedAt                   int64          `json:"updated_at"`
}

// Names of the built-in ticket attributes.
const (
	titleAttr       = "_default_title_"
	descriptionAttr = "_default_description_"
)

// newTicketType builds the API view of t; firstAttrID numbers its attributes.
func newTicketType(t TicketType, a app, firstAttrID int) ticketType {
	if t.Category == "" {
		t.Category = "Customer"
	}
	if t.Icon == "" {
		t.Icon = "🎟️"
	}
	typeID, _ := strconv.ParseInt(t.ID, 10, 64) // checked by NewServer
	builtin := func(n int, name string, multiline bool) attr {
		return attr{
			Type: "ticket_type_attribute", ID: strconv.Itoa(firstAttrID + n), WorkspaceID: a.IDCode,
			Name: name, Description: "", DataType: "string",
			InputOptions: map[string]any{"multiline": multiline}, Order: n,
			VisibleOnCreate: true, VisibleToContacts: true, Default: true,
			TicketTypeID: typeID, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt,
		}
	}
	return ticketType{
		Type: "ticket_type", ID: t.ID, Name: t.Name, Description: t.Description, Icon: t.Icon,
		WorkspaceID: a.IDCode, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt, Category: t.Category,
		Attributes: list[attr]{Type: "list", Data: []attr{builtin(0, titleAttr, false), builtin(1, descriptionAttr, true)}},
	}
}

func (s *Server) ticketType(id string) *ticketType {
	for i := range s.ticketTypes {
		if s.ticketTypes[i].ID == id {
			return &s.ticketTypes[i]
		}
	}
	return nil
}

func (s *Server) listTicketTypes() any {
	return list[ticketType]{Type: "list", Data: nonNil(slices.Clone(s.ticketTypes))}
}

func (s *Server) getTicketType(id string) (any, *apiError) {
	t := s.ticketType(id)
	if t == nil {
		return nil, errNotFound
	}
	return t, nil
}
