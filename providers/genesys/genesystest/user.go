package genesystest

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Schema and message URNs used by Genesys SCIM.
const (
	schemaUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaGroup        = "urn:ietf:params:scim:schemas:core:2.0:Group"
	schemaEnterprise   = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaGenesys      = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"
	schemaListResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	schemaError        = "urn:ietf:params:scim:api:messages:2.0:Error"
	schemaPatchOp      = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	schemaSPC          = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	schemaResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	schemaSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// scimAuthority is the immutable externalIds authority under which Genesys
// shows the SCIM externalId.
const scimAuthority = "x-pc:scimv2:v1"

const defaultDivision = "Home"

// lastModifiedLayout is the documented yyyy-MM-ddTHH:mm:ss.SSSZ.
const lastModifiedLayout = "2006-01-02T15:04:05.000Z"

// User is a Genesys Cloud user as SCIM shows it. Groups are not a field:
// membership lives on Group and is rendered into the user's groups[].
type User struct {
	ID, UserName, DisplayName, Title, ExternalID string
	Active                                       bool
	Emails                                       []Email
	PhoneNumbers                                 []Phone
	Roles                                        []string // role names
	// Enterprise extension.
	Division, Department, ManagerID, EmployeeNumber string
	DateHire                                        string // YYYY-MM-DD
	// Genesys extension.
	RoutingSkills, RoutingLanguages []Proficiency
	// ExternalIDs are extra Genesys externalIds; the x-pc:scimv2:v1 entry is
	// derived from ExternalID and never stored here.
	ExternalIDs []ExternalID
	// Version backs the ETag and meta.version.
	Version      int
	LastModified time.Time
}

// Email is an entry of emails[]; Type is "work" or "other".
type Email struct {
	Value, Type string
	Primary     bool
}

// Phone is an entry of phoneNumbers[]; Value is E.164 or "tel:+n;ext=x".
type Phone struct {
	Value, Type string
	Primary     bool
}

// Proficiency is a routing skill or language; Proficiency ranges 0 to 5.
type Proficiency struct {
	Name        string
	Proficiency float64
}

// ExternalID is an entry of the Genesys extension's externalIds[].
type ExternalID struct {
	Authority, Value string
}

func (u User) clone() User {
	u.Emails = slices.Clone(u.Emails)
	u.PhoneNumbers = slices.Clone(u.PhoneNumbers)
	u.Roles = slices.Clone(u.Roles)
	u.RoutingSkills = slices.Clone(u.RoutingSkills)
	u.RoutingLanguages = slices.Clone(u.RoutingLanguages)
	u.ExternalIDs = slices.Clone(u.ExternalIDs)
	return u
}

func (u *User) allExternalIDs() []ExternalID {
	var out []ExternalID
	if u.ExternalID != "" {
		out = append(out, ExternalID{Authority: scimAuthority, Value: u.ExternalID})
	}
	return append(out, u.ExternalIDs...)
}

// contact is the shared shape of Email and Phone, so list operations are
// written once.
type contact struct {
	Value, Type string
	Primary     bool
}

func emailsToContacts(in []Email) []contact {
	out := make([]contact, len(in))
	for i, e := range in {
		out[i] = contact(e)
	}
	return out
}

func phonesToContacts(in []Phone) []contact {
	out := make([]contact, len(in))
	for i, p := range in {
		out[i] = contact(p)
	}
	return out
}

func contactsToEmails(in []contact) []Email {
	if len(in) == 0 {
		return nil
	}
	out := make([]Email, len(in))
	for i, c := range in {
		out[i] = Email(c)
	}
	return out
}

func contactsToPhones(in []contact) []Phone {
	if len(in) == 0 {
		return nil
	}
	out := make([]Phone, len(in))
	for i, c := range in {
		out[i] = Phone(c)
	}
	return out
}

func contactElems(cs []contact) []elem {
	out := make([]elem, len(cs))
	for i, c := range cs {
		out[i] = elem{"value": c.Value, "type": c.Type, "primary": strconv.FormatBool(c.Primary)}
	}
	return out
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// JSON shapes. Field order follows the Genesys models.

type metaJSON struct {
	ResourceType string `json:"resourceType"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location"`
	Version      string `json:"version,omitempty"`
}

type contactJSON struct {
	Value   string `json:"value"`
	Type    string `json:"type,omitempty"`
	Primary bool   `json:"primary"`
}

type refJSON struct {
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
	Ref   string `json:"$ref,omitempty"`
}

type roleJSON struct {
	Value string `json:"value"`
}

type proficiencyJSON struct {
	Name        string  `json:"name"`
	Proficiency float64 `json:"proficiency"`
}

type externalIDJSON struct {
	Authority string `json:"authority"`
	Value     string `json:"value"`
}

type enterpriseJSON struct {
	Division       string   `json:"division,omitempty"`
	Department     string   `json:"department,omitempty"`
	Manager        *refJSON `json:"manager,omitempty"`
	EmployeeNumber string   `json:"employeeNumber,omitempty"`
	DateHire       string   `json:"dateHire,omitempty"`
}

type genesysJSON struct {
	RoutingSkills    []proficiencyJSON `json:"routingSkills,omitempty"`
	RoutingLanguages []proficiencyJSON `json:"routingLanguages,omitempty"`
	ExternalIDs      []externalIDJSON  `json:"externalIds,omitempty"`
}

type userJSON struct {
	Schemas      []string        `json:"schemas"`
	ID           string          `json:"id"`
	Active       bool            `json:"active"`
	UserName     string          `json:"userName"`
	DisplayName  string          `json:"displayName,omitempty"`
	Title        string          `json:"title,omitempty"`
	PhoneNumbers []contactJSON   `json:"phoneNumbers,omitempty"`
	Emails       []contactJSON   `json:"emails,omitempty"`
	ExternalID   string          `json:"externalId,omitempty"`
	Groups       []refJSON       `json:"groups"`
	Roles        []roleJSON      `json:"roles"`
	Enterprise   *enterpriseJSON `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
	Genesys      *genesysJSON    `json:"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User,omitempty"`
	Meta         metaJSON        `json:"meta"`
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// renderUser builds the SCIM representation; base is the SCIM root URL the
// request used. Call with s.mu held.
func (s *Server) renderUser(u *User, base string) userJSON {
	j := userJSON{
		Schemas:     []string{schemaUser, schemaEnterprise, schemaGenesys},
		ID:          u.ID,
		Active:      u.Active,
		UserName:    u.UserName,
		DisplayName: u.DisplayName,
		Title:       u.Title,
		ExternalID:  u.ExternalID,
		Groups:      []refJSON{},
		Roles:       []roleJSON{},
		Meta: metaJSON{
			ResourceType: "User",
			LastModified: u.LastModified.UTC().Format(lastModifiedLayout),
			Location:     base + "/users/" + u.ID,
			Version:      etag(u.Version),
		},
	}
	for _, p := range u.PhoneNumbers {
		j.PhoneNumbers = append(j.PhoneNumbers, contactJSON(p))
	}
	for _, e := range u.Emails {
		j.Emails = append(j.Emails, contactJSON(e))
	}
	for _, gid := range s.groupOrder {
		if g := s.groups[gid]; containsString(g.Members, u.ID) {
			j.Groups = append(j.Groups, refJSON{Value: g.ID, Type: "Group", Ref: base + "/groups/" + g.ID})
		}
	}
	for _, r := range u.Roles {
		j.Roles = append(j.Roles, roleJSON{Value: r})
	}
	ent := enterpriseJSON{
		Division:       u.Division,
		Department:     u.Department,
		EmployeeNumber: u.EmployeeNumber,
		DateHire:       u.DateHire,
	}
	if u.ManagerID != "" {
		ent.Manager = &refJSON{Value: u.ManagerID, Ref: base + "/users/" + u.ManagerID}
	}
	if ent != (enterpriseJSON{}) {
		j.Enterprise = &ent
	}
	var gen genesysJSON
	for _, p := range u.RoutingSkills {
		gen.RoutingSkills = append(gen.RoutingSkills, proficiencyJSON(p))
	}
	for _, p := range u.RoutingLanguages {
		gen.RoutingLanguages = append(gen.RoutingLanguages, proficiencyJSON(p))
	}
	for _, x := range u.allExternalIDs() {
		gen.ExternalIDs = append(gen.ExternalIDs, externalIDJSON(x))
	}
	if gen.RoutingSkills != nil || gen.RoutingLanguages != nil || gen.ExternalIDs != nil {
		j.Genesys = &gen
	}
	return j
}

// userByNameLocked finds a user by userName, case-insensitively, ignoring
// the user with id except.
func (s *Server) userByNameLocked(name, except string) *User {
	for _, id := range s.userOrder {
		if u := s.users[id]; id != except && strings.EqualFold(u.UserName, name) {
			return u
		}
	}
	return nil
}
