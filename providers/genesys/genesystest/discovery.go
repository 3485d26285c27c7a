package genesystest

import (
	"net/http"
	"strings"
)

// The discovery endpoints (RFC 7644 §4) describe what this fake implements,
// so a client that reads them at run time sees the truth.

type feature struct {
	Supported bool `json:"supported"`
}

type spcJSON struct {
	Schemas []string `json:"schemas"`
	Patch   feature  `json:"patch"`
	Filter  struct {
		Supported  bool `json:"supported"`
		MaxResults int  `json:"maxResults"`
	} `json:"filter"`
	Etag feature `json:"etag"`
	Sort feature `json:"sort"`
	Bulk struct {
		Supported      bool `json:"supported"`
		MaxOperations  int  `json:"maxOperations"`
		MaxPayloadSize int  `json:"maxPayloadSize"`
	} `json:"bulk"`
	ChangePassword        feature      `json:"changePassword"`
	AuthenticationSchemes []authScheme `json:"authenticationSchemes"`
	Meta                  metaJSON     `json:"meta"`
}

type authScheme struct {
	Name             string `json:"name"`
	Description      string `json:"description"`
	SpecURI          string `json:"specUri"`
	DocumentationURI string `json:"documentationUri,omitempty"`
	Type             string `json:"type"`
	Primary          bool   `json:"primary"`
}

// spcVersion is constant: the configuration never changes.
const spcVersion = 1

func (s *Server) serviceProviderConfig(w http.ResponseWriter, r *http.Request, base string) {
	if etagMatches(r.Header.Values("If-None-Match"), spcVersion) {
		w.Header().Set("ETag", etag(spcVersion))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var c spcJSON
	c.Schemas = []string{schemaSPC}
	c.Patch.Supported = true
	c.Filter.Supported = true
	c.Filter.MaxResults = s.cfg.maxCount
	c.Etag.Supported = true
	c.ChangePassword.Supported = true
	c.AuthenticationSchemes = []authScheme{{
		Name:        "OAuth Bearer Token",
		Description: "Authentication with an OAuth 2.0 bearer token from the client credentials grant.",
		SpecURI:     "https://www.rfc-editor.org/info/rfc6750",
		Type:        "oauthbearertoken",
		Primary:     true,
	}}
	c.Meta = metaJSON{
		ResourceType: "ServiceProviderConfig",
		LastModified: s.start.UTC().Format(lastModifiedLayout),
		Location:     base + "/serviceproviderconfig",
		Version:      etag(spcVersion),
	}
	writeSCIM(w, http.StatusOK, etag(spcVersion), c)
}

type resourceTypeJSON struct {
	Schemas          []string          `json:"schemas"`
	ID               string            `json:"id"`
	Name             string            `json:"name"`
	Description      string            `json:"description"`
	Endpoint         string            `json:"endpoint"`
	Schema           string            `json:"schema"`
	SchemaExtensions []schemaExtension `json:"schemaExtensions,omitempty"`
	Meta             metaJSON          `json:"meta"`
}

type schemaExtension struct {
	Schema   string `json:"schema"`
	Required bool   `json:"required"`
}

func resourceTypeList(base string) []resourceTypeJSON {
	meta := func(id string) metaJSON {
		return metaJSON{ResourceType: "ResourceType", Location: base + "/resourcetypes/" + id}
	}
	return []resourceTypeJSON{
		{
			Schemas: []string{schemaResourceType}, ID: "User", Name: "User",
			Description: "Genesys Cloud user", Endpoint: "/Users", Schema: schemaUser,
			SchemaExtensions: []schemaExtension{{schemaEnterprise, false}, {schemaGenesys, false}},
			Meta:             meta("User"),
		},
		{
			Schemas: []string{schemaResourceType}, ID: "Group", Name: "Group",
			Description: "Genesys Cloud group", Endpoint: "/Groups", Schema: schemaGroup,
			Meta: meta("Group"),
		},
	}
}

func (s *Server) resourceTypes(w http.ResponseWriter, base, id string) {
	list := resourceTypeList(base)
	if id == "" {
		writeDiscoveryList(w, list)
		return
	}
	for _, rt := range list {
		if strings.EqualFold(rt.ID, id) {
			writeSCIM(w, http.StatusOK, "", rt)
			return
		}
	}
	writeSCIMError(w, notFound("ResourceType", id))
}

func (s *Server) schemas(w http.ResponseWriter, base, id string) {
	list := schemaList(base)
	if id == "" {
		writeDiscoveryList(w, list)
		return
	}
	for _, sc := range list {
		if strings.EqualFold(sc.ID, id) {
			writeSCIM(w, http.StatusOK, "", sc)
			return
		}
	}
	writeSCIMError(w, notFound("Schema", id))
}

func writeDiscoveryList[T any](w http.ResponseWriter, items []T) {
	resources := make([]any, len(items))
	for i, it := range items {
		resources[i] = it
	}
	writeSCIM(w, http.StatusOK, "", listResponse{
		Schemas:      []string{schemaListResponse},
		TotalResults: len(items),
		StartIndex:   1,
		ItemsPerPage: len(items),
		Resources:    resources,
	})
}

type schemaJSON struct {
	Schemas     []string     `json:"schemas"`
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Description string       `json:"description"`
	Attributes  []schemaAttr `json:"attributes"`
	Meta        metaJSON     `json:"meta"`
}

// schemaAttr is an RFC 7643 §7 attribute definition.
type schemaAttr struct {
	Name            string       `json:"name"`
	Type            string       `json:"type"`
	MultiValued     bool         `json:"multiValued"`
	Description     string       `json:"description"`
	Required        bool         `json:"required"`
	CaseExact       bool         `json:"caseExact"`
	Mutability      string       `json:"mutability"`
	Returned        string       `json:"returned"`
	Uniqueness      string       `json:"uniqueness"`
	CanonicalValues []string     `json:"canonicalValues,omitempty"`
	ReferenceTypes  []string     `json:"referenceTypes,omitempty"`
	SubAttributes   []schemaAttr `json:"subAttributes,omitempty"`
}

func attr(name, typ, desc string) schemaAttr {
	return schemaAttr{Name: name, Type: typ, Description: desc,
		Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
}

func (a schemaAttr) multi() schemaAttr    { a.MultiValued = true; return a }
func (a schemaAttr) required() schemaAttr { a.Required = true; return a }
func (a schemaAttr) exact() schemaAttr    { a.CaseExact = true; return a }
func (a schemaAttr) readOnly() schemaAttr { a.Mutability = "readOnly"; return a }
func (a schemaAttr) returned(r string) schemaAttr {
	a.Returned = r
	return a
}
func (a schemaAttr) canonical(v ...string) schemaAttr { a.CanonicalValues = v; return a }
func (a schemaAttr) refs(v ...string) schemaAttr      { a.ReferenceTypes = v; return a }
func (a schemaAttr) subs(v ...schemaAttr) schemaAttr  { a.SubAttributes = v; return a }

func schemaList(base string) []schemaJSON {
	meta := func(id string) metaJSON {
		return metaJSON{ResourceType: "Schema", Location: base + "/schemas/" + id}
	}
	contact := func(name, desc string, types ...string) schemaAttr {
		return attr(name, "complex", desc).multi().subs(
			attr("value", "string", "The value."),
			attr("type", "string", "The type of value.").canonical(types...),
			attr("primary", "boolean", "Whether this is the primary value."),
		)
	}
	prof := func(name, desc string) schemaAttr {
		return attr(name, "complex", desc).multi().subs(
			attr("name", "string", "The case-sensitive name.").required().exact(),
			attr("proficiency", "decimal", "Proficiency from 0 to 5."),
		)
	}
	return []schemaJSON{
		{
			Schemas: []string{schemaSchema}, ID: schemaUser, Name: "User", Description: "User Account",
			Attributes: []schemaAttr{
				attr("userName", "string", "The user's Genesys Cloud email address.").required().returned("always").uniqueness("server"),
				attr("displayName", "string", "The display name of the user.").required(),
				attr("active", "boolean", "Whether the user is active.").returned("always"),
				attr("title", "string", "The user's title."),
				attr("password", "string", "The user's password; never returned.").returned("never").writeOnly(),
				attr("externalId", "string", "Identifier set by the provisioning client.").exact(),
				contact("emails", "Email addresses.", "work", "other"),
				contact("phoneNumbers", "Phone numbers.", "work", "work2", "work3", "work4", "home", "mobile",
					"other", "microsoftteams", "zoomphone", "eightbyeight"),
				attr("groups", "complex", "Groups the user belongs to; change through /Groups.").multi().readOnly().subs(
					attr("value", "string", "The group id.").readOnly().exact(),
					attr("$ref", "reference", "The group URI.").readOnly().refs("Group"),
					attr("type", "string", "The resource type.").readOnly().canonical("Group"),
				),
				attr("roles", "complex", "Roles assigned to the user, by name.").multi().subs(
					attr("value", "string", "The role name."),
				),
			},
			Meta: meta(schemaUser),
		},
		{
			Schemas: []string{schemaSchema}, ID: schemaEnterprise, Name: "EnterpriseUser", Description: "Enterprise User",
			Attributes: []schemaAttr{
				attr("division", "string", "The name of the user's division."),
				attr("department", "string", "The user's department."),
				attr("manager", "complex", "The user's manager.").subs(
					attr("value", "string", "The manager's user id.").exact(),
					attr("$ref", "reference", "The manager's URI.").readOnly().refs("User"),
				),
				attr("employeeNumber", "string", "The user's employee number."),
				attr("dateHire", "string", "The hire date, YYYY-MM-DD."),
			},
			Meta: meta(schemaEnterprise),
		},
		{
			Schemas: []string{schemaSchema}, ID: schemaGenesys, Name: "GenesysUser", Description: "Genesys Cloud user extensions",
			Attributes: []schemaAttr{
				prof("routingSkills", "Routing skills, at most 50."),
				prof("routingLanguages", "Routing languages, at most 50."),
				attr("externalIds", "complex", "External identifiers; the "+scimAuthority+" authority is immutable.").multi().subs(
					attr("authority", "string", "The authority.").exact(),
					attr("value", "string", "The identifier.").exact(),
				),
			},
			Meta: meta(schemaGenesys),
		},
		{
			Schemas: []string{schemaSchema}, ID: schemaGroup, Name: "Group", Description: "Group",
			Attributes: []schemaAttr{
				attr("displayName", "string", "The group's name.").required(),
				attr("externalId", "string", "Identifier set by the provisioning client.").exact(),
				attr("members", "complex", "The users in the group.").multi().subs(
					attr("value", "string", "The user id.").exact(),
					attr("$ref", "reference", "The user URI.").readOnly().refs("User"),
					attr("type", "string", "The member type.").canonical("User"),
				),
			},
			Meta: meta(schemaGroup),
		},
	}
}

func (a schemaAttr) uniqueness(u string) schemaAttr { a.Uniqueness = u; return a }
func (a schemaAttr) writeOnly() schemaAttr          { a.Mutability = "writeOnly"; return a }
