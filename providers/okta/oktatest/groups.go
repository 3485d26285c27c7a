package oktatest

import (
	"fmt"
	"net/http"
	"strings"
)

// attr returns a property of g for filters and searches.
func (g *group) attr(name string) (any, bool) {
	switch name {
	case "id":
		return g.id, true
	case "type":
		return string(g.typ), true
	case "source.id":
		return g.sourceAppID, g.sourceAppID != ""
	case "created":
		return g.created, true
	case "lastUpdated":
		return g.lastUpdated, true
	case "lastMembershipUpdated":
		return g.lastMembershipUpdated, true
	case "profile.name":
		return g.name, true
	case "profile.description":
		return g.description, g.description != ""
	}
	if p, ok := strings.CutPrefix(name, "profile."); ok {
		v, ok := g.extra[p]
		return v, ok
	}
	return nil, false
}

// listGroups serves GET /api/v1/groups: every group, or those matching
// filter or search, in ID order; q is a name prefix search without paging.
// expand=stats adds each group's member count.
func (s *Server) listGroups(c *call) response {
	if countParams(c, "q", "filter", "search") > 1 {
		return errSearchAndFilter.response()
	}
	match := func(*group) bool { return true }
	def, paged := groupsDefaultLimit, true
	switch {
	case c.query.Has("q"):
		def, paged = groupsQDefaultLimit, false
		prefix := strings.ToLower(c.query.Get("q"))
		match = func(g *group) bool { return hasPrefixFold(g.name, prefix) }
	case c.query.Has("filter"), c.query.Has("search"):
		d, param := groupFilter, "filter"
		if c.query.Has("search") {
			d, param = groupSearch, "search"
		}
		e, err := parseExpr(c.query.Get(param), d)
		if err != nil {
			return err.response()
		}
		match = func(g *group) bool { return e.match(g.attr) }
	}
	pg, err := readPaging(c, def, groupsMaxLimit)
	if err != nil {
		return err.response()
	}
	from := s.groups
	if paged {
		from = groupsAfter(s.groups, pg.after)
	}
	page, next := pageOf(from, match, pg.limit, func(g *group) string { return g.id })
	if !paged {
		next = ""
	}
	stats := expands(c, "stats")
	out := make([]groupJSON, len(page))
	for i, g := range page {
		out[i] = s.renderGroup(g, stats)
	}
	return response{status: http.StatusOK, v: out, header: s.linkHeader(c, pg.limit, next)}
}

// expands reports whether the comma-separated expand parameter names what.
func expands(c *call, what string) bool {
	for _, e := range strings.Split(c.query.Get("expand"), ",") {
		if strings.TrimSpace(e) == what {
			return true
		}
	}
	return false
}

func (s *Server) getGroup(c *call, id string) response {
	g := s.groupsByID[id]
	if g == nil {
		return notFound(id, "UserGroup").response()
	}
	return ok(s.renderGroup(g, expands(c, "stats")))
}

// listMembers serves GET /api/v1/groups/{id}/users: the members in user ID
// order, whatever their status. A page is a slice of the sorted member
// list, so paging a group of 100,000 costs a binary search per page.
func (s *Server) listMembers(c *call, id string) response {
	g := s.groupsByID[id]
	if g == nil {
		return notFound(id, "UserGroup").response()
	}
	pg, err := readPaging(c, membersDefaultLimit, membersMaxLimit)
	if err != nil {
		return err.response()
	}
	rest := usersAfter(s.groupMembers(g), pg.after)
	page, next := rest, ""
	if len(rest) > pg.limit {
		page = rest[:pg.limit]
		next = page[len(page)-1].id
	}
	return s.userList(c, page, pg.limit, next)
}

// changeMember serves PUT and DELETE /api/v1/groups/{groupId}/users/{userId}.
// Both are idempotent. Only OKTA_GROUP memberships can change; the others
// get 403 E0000006, the error the description documents (inferred: Okta
// names no code for it). userId must be an ID, not a login.
func (s *Server) changeMember(c *call, gid, uid string, add bool) response {
	g := s.groupsByID[gid]
	if g == nil {
		return notFound(gid, "UserGroup").response()
	}
	u := s.usersByID[uid]
	if u == nil {
		return notFound(uid, "User").response()
	}
	if g.typ != OktaGroup {
		e := *errAccessDenied
		e.causes = []string{fmt.Sprintf("The memberships of the %s group %q cannot be changed through the API.", g.typ, g.name)}
		return e.response()
	}
	var changed bool
	if add {
		changed = g.addMember(u)
	} else {
		changed = g.removeMember(u)
	}
	if changed {
		g.lastMembershipUpdated = c.now
	}
	return noContent()
}

// listRoles serves GET /api/v1/users/{userId}/roles: the standard roles
// assigned to the user directly.
func (s *Server) listRoles(c *call, id string) response {
	u := s.lookupUser(id)
	if u == nil {
		return notFound(id, "User").response()
	}
	out := make([]roleJSON, len(u.roles))
	for i, r := range u.roles {
		out[i] = s.renderRole(u, r)
	}
	return response{status: http.StatusOK, v: out, header: s.linkHeader(c, 0, "")}
}

// assignRole serves POST /api/v1/users/{userId}/roles with {"type": "..."}.
func (s *Server) assignRole(c *call, id string) response {
	u := s.lookupUser(id)
	if u == nil {
		return notFound(id, "User").response()
	}
	body, err := decodeObject(c.body)
	if err != nil {
		return err.response()
	}
	typ, _ := body["type"].(string)
	switch {
	case typ == "":
		return validationFailed("type", "type: The field cannot be left blank").response()
	case roleLabels[typ] == "":
		return validationFailed("type", fmt.Sprintf("type: %q is not a standard role type the fake models", typ)).response()
	}
	for _, r := range u.roles {
		if r.typ == typ {
			return errDuplicateRole.response()
		}
	}
	r := s.newRole(typ, stampOf(c.now))
	u.roles = append(u.roles, r)
	return response{status: http.StatusCreated, v: s.renderRole(u, r)}
}

func (s *Server) findRole(uid, rid string) (*user, int, *apiError) {
	u := s.lookupUser(uid)
	if u == nil {
		return nil, 0, notFound(uid, "User")
	}
	for i, r := range u.roles {
		if r.id == rid {
			return u, i, nil
		}
	}
	return nil, 0, notFound(rid, "RoleAssignment")
}

func (s *Server) getRole(uid, rid string) response {
	u, i, err := s.findRole(uid, rid)
	if err != nil {
		return err.response()
	}
	return ok(s.renderRole(u, u.roles[i]))
}

func (s *Server) unassignRole(uid, rid string) response {
	u, i, err := s.findRole(uid, rid)
	if err != nil {
		return err.response()
	}
	u.roles = append(u.roles[:i:i], u.roles[i+1:]...)
	return noContent()
}
