package genesystest

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// Group is a Genesys Cloud group. Genesys SCIM cannot create or delete
// groups, so tests create them with AddGroup or WithGroups.
type Group struct {
	ID, DisplayName, ExternalID string
	Members                     []string // user IDs
	Version                     int
	LastModified                time.Time
}

func (g Group) clone() Group {
	g.Members = slices.Clone(g.Members)
	return g
}

type groupJSON struct {
	Schemas     []string  `json:"schemas"`
	ID          string    `json:"id"`
	DisplayName string    `json:"displayName"`
	ExternalID  string    `json:"externalId,omitempty"`
	Members     []refJSON `json:"members"`
	Meta        metaJSON  `json:"meta"`
}

// renderGroup builds ScimV2Group; members are ScimV2MemberReference
// {value, type, $ref}. Call with s.mu held.
func (s *Server) renderGroup(g *Group, base string) groupJSON {
	j := groupJSON{
		Schemas:     []string{schemaGroup},
		ID:          g.ID,
		DisplayName: g.DisplayName,
		ExternalID:  g.ExternalID,
		Members:     []refJSON{},
		Meta: metaJSON{
			ResourceType: "Group",
			LastModified: g.LastModified.UTC().Format(lastModifiedLayout),
			Location:     base + "/groups/" + g.ID,
			Version:      etag(g.Version),
		},
	}
	for _, m := range g.Members {
		j.Members = append(j.Members, refJSON{Value: m, Type: "User", Ref: base + "/users/" + m})
	}
	return j
}

// applyGroup applies one operation to g, a working copy. Call with s.mu held.
func (s *Server) applyGroup(g *Group, op string, pp patchPath, raw json.RawMessage, fromBody bool) *scimError {
	if pp.whole || pp.ns != nsCore {
		if fromBody {
			return nil
		}
		return badRequest("invalidPath", "no attribute %q on a group", pp.raw)
	}
	simple := pp.filter == nil && pp.sub == ""
	switch pp.attr {
	case "displayname", "externalid":
		if !simple {
			return badRequest("invalidPath", "%q has no sub-attributes", pp.raw)
		}
		required := pp.attr == "displayname"
		if op == "remove" {
			if required {
				return badRequest("mutability", "displayName is required and cannot be removed")
			}
			g.ExternalID = ""
			return nil
		}
		v, err := decodeString(raw)
		if err != nil {
			return badRequest("invalidValue", "%s: %v", pp.raw, err)
		}
		if required {
			if strings.TrimSpace(v) == "" {
				return badRequest("invalidValue", "displayName is required")
			}
			g.DisplayName = v
		} else {
			g.ExternalID = v
		}
		return nil
	case "members":
		list, e := s.applyMembers(g.Members, op, pp, raw)
		if e == nil {
			g.Members = list
		}
		return e
	case "id", "meta":
		if fromBody {
			return nil
		}
		return badRequest("mutability", "%s is read-only", pp.raw)
	case "schemas":
		return nil
	}
	if fromBody {
		return nil
	}
	return badRequest("invalidPath", "no attribute %q on a group", pp.raw)
}

// applyMembers changes membership. Members must be existing users: Genesys
// groups do not nest.
func (s *Server) applyMembers(list []string, op string, pp patchPath, raw json.RawMessage) ([]string, *scimError) {
	if pp.sub != "" {
		return nil, badRequest("invalidPath", "invalid path %q", pp.raw)
	}
	var ids []string
	hasValue := len(raw) > 0 && !isNull(raw)
	if op != "remove" || hasValue {
		for _, item := range asArray(raw) {
			obj, err := decodeObject(item)
			if err != nil {
				return nil, badRequest("invalidValue", "members: each value must be an object with a \"value\"")
			}
			if t, ok := lookup(obj, "type"); ok {
				if ts, _ := decodeString(t); ts != "" && !strings.EqualFold(ts, "User") {
					return nil, badRequest("invalidValue", "members: type %q is not supported; members are users", ts)
				}
			}
			v, ok := lookup(obj, "value")
			id, err := decodeString(v)
			if !ok || err != nil || id == "" {
				return nil, badRequest("invalidValue", "members: each value needs a user id in \"value\"")
			}
			if op != "remove" && s.users[id] == nil {
				return nil, badRequest("invalidValue", "members: no user with id %q", id)
			}
			ids = append(ids, id)
		}
	}
	if pp.filter != nil {
		matched := func(m string) bool { return matchElem(pp.filter, elem{"value": m, "type": "User"}, true) }
		if op == "replace" && !slices.ContainsFunc(list, matched) {
			return nil, badRequest("noTarget", "no member matches %q", pp.raw)
		}
		if op != "add" {
			list = slices.DeleteFunc(slices.Clone(list), matched)
		}
		if op == "remove" {
			return list, nil
		}
		return dedupe(append(slices.Clone(list), ids...)), nil
	}
	switch op {
	case "replace":
		return dedupe(ids), nil
	case "add":
		return dedupe(append(slices.Clone(list), ids...)), nil
	}
	if !hasValue {
		return nil, nil // remove without a value clears the membership
	}
	return slices.DeleteFunc(slices.Clone(list), func(m string) bool { return slices.Contains(ids, m) }), nil
}

// groupByNameLocked finds a group by displayName, case-insensitively,
// ignoring the group with id except.
func (s *Server) groupByNameLocked(name, except string) *Group {
	for _, id := range s.groupOrder {
		if g := s.groups[id]; id != except && strings.EqualFold(g.DisplayName, name) {
			return g
		}
	}
	return nil
}
