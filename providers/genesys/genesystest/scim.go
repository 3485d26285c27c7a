package genesystest

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// scimPrefixes are the SCIM roots on the API host, current first: the
// legacy root is a prefix of the current one.
var scimPrefixes = []string{"/api/v2/scim/v2", "/api/v2/scim"}

// scimPath splits a request path into its SCIM root and the segments after
// it, matching the root case-insensitively.
func scimPath(p string) (root string, segs []string, ok bool) {
	lower := strings.ToLower(p)
	for _, pre := range scimPrefixes {
		if lower == pre || strings.HasPrefix(lower, pre+"/") {
			if rest := strings.Trim(p[len(pre):], "/"); rest != "" {
				segs = strings.Split(rest, "/")
			}
			return pre, segs, true
		}
	}
	return "", nil, false
}

func (s *Server) routeSCIM(w http.ResponseWriter, r *http.Request, body []byte, corr string) {
	root, segs, ok := scimPath(r.URL.Path)
	if !ok {
		writePlatformError(w, http.StatusNotFound, "not.found",
			"The requested resource was not found: "+r.URL.Path, corr)
		return
	}
	if len(segs) == 0 || len(segs) > 2 {
		writeSCIMError(w, &scimError{status: http.StatusNotFound, detail: "no SCIM endpoint at " + r.URL.Path})
		return
	}
	base := s.APIURL + root
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	id := ""
	if len(segs) == 2 {
		id = segs[1]
	}
	switch resource := strings.ToLower(segs[0]); resource {
	case "users", "groups":
		if !s.authorized(w, r, corr) {
			return
		}
		allowed := map[string]map[bool]string{
			"users":  {false: "GET, POST", true: "GET, PUT, PATCH, DELETE"},
			"groups": {false: "GET", true: "GET, PUT, PATCH"},
		}[resource][id != ""]
		if !methodAllowed(w, r, method, allowed) {
			return
		}
		if method != http.MethodGet && method != http.MethodDelete && !scimContentType(r) {
			writeSCIMError(w, &scimError{status: http.StatusUnsupportedMediaType,
				detail: "Content-Type must be application/scim+json or application/json"})
			return
		}
		s.serveResource(w, r, method, resource, id, base, body)
	case "serviceproviderconfig", "serviceproviderconfigs":
		if id != "" {
			writeSCIMError(w, &scimError{status: http.StatusNotFound, detail: "no SCIM endpoint at " + r.URL.Path})
			return
		}
		if methodAllowed(w, r, method, "GET") {
			s.serviceProviderConfig(w, r, base)
		}
	case "resourcetypes", "schemas":
		if !methodAllowed(w, r, method, "GET") {
			return
		}
		if r.URL.Query().Has("filter") {
			writeSCIMError(w, &scimError{status: http.StatusForbidden, detail: "filtering " + resource + " is not supported"})
			return
		}
		if resource == "resourcetypes" {
			s.resourceTypes(w, base, id)
		} else {
			s.schemas(w, base, id)
		}
	default:
		writeSCIMError(w, &scimError{status: http.StatusNotFound, detail: "no SCIM endpoint at " + r.URL.Path})
	}
}

func (s *Server) serveResource(w http.ResponseWriter, r *http.Request, method, resource, id, base string, body []byte) {
	switch {
	case resource == "users" && id == "" && method == http.MethodGet:
		s.listUsers(w, r, base)
	case resource == "users" && id == "":
		s.createUser(w, r, base, body)
	case resource == "users" && method == http.MethodGet:
		s.getUser(w, r, base, id)
	case resource == "users" && method == http.MethodDelete:
		s.deleteUser(w, r, id)
	case resource == "users":
		s.updateUser(w, r, method, base, id, body)
	case id == "":
		s.listGroups(w, r, base)
	case method == http.MethodGet:
		s.getGroup(w, r, base, id)
	default:
		s.updateGroup(w, r, method, base, id, body)
	}
}

func methodAllowed(w http.ResponseWriter, r *http.Request, method, allowed string) bool {
	if slices.Contains(strings.Split(allowed, ", "), method) {
		return true
	}
	w.Header().Set("Allow", allowed)
	writeSCIMError(w, &scimError{status: http.StatusMethodNotAllowed,
		detail: fmt.Sprintf("%s is not supported on %s; Genesys Cloud SCIM allows %s", r.Method, r.URL.Path, allowed)})
	return false
}

func scimContentType(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/scim+json" || mt == "application/json")
}

type listResponse struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

// pageParams reads startIndex and count (RFC 7644 §3.4.2.4): a startIndex
// below 1 means 1, a negative count means 0, and count is capped at max.
func pageParams(q url.Values, maxCount int) (start, count int, e *scimError) {
	start, count = 1, 25
	if v := q.Get("startIndex"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, badRequest("invalidValue", "startIndex %q is not an integer", v)
		}
		start = max(n, 1)
	}
	if v := q.Get("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, 0, badRequest("invalidValue", "count %q is not an integer", v)
		}
		count = max(n, 0)
	}
	return start, min(count, maxCount), nil
}

// page returns the 1-based window [start, start+count) of n items.
func page(n, start, count int) (from, to int) {
	from = min(start-1, n)
	return from, min(from+count, n)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, base string) {
	q := r.URL.Query()
	start, count, e := pageParams(q, s.cfg.maxCount)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	var pred userPred
	mentionsActive := false
	if f := q.Get("filter"); strings.TrimSpace(f) != "" {
		terms, err := parseFilter(f)
		if err == nil {
			pred, mentionsActive, err = s.compileUserFilter(terms)
		}
		if err != nil {
			writeSCIMError(w, badRequest("invalidFilter", "invalid filter %q: %v", f, err))
			return
		}
	}
	proj := parseProjection(q)

	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*User
	for _, id := range s.userOrder {
		u := s.users[id]
		// Without an active term Genesys lists active users only.
		if (!mentionsActive && !u.Active) || (pred != nil && !pred(u)) {
			continue
		}
		matched = append(matched, u)
	}
	writeListPage(w, matched, start, count, func(u *User) any { return proj.apply(s.renderUser(u, base), alwaysUser...) })
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request, base, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		writeSCIMError(w, notFound("User", id))
		return
	}
	if etagMatches(r.Header.Values("If-None-Match"), u.Version) {
		w.Header().Set("ETag", etag(u.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeSCIM(w, http.StatusOK, etag(u.Version), parseProjection(r.URL.Query()).apply(s.renderUser(u, base), alwaysUser...))
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, base string, body []byte) {
	obj, e := decodeResourceBody(body)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// New users are active and in the Home division unless the body says
	// otherwise.
	u := User{ID: newUUID(), Active: true, Division: defaultDivision, Version: 1}
	if e := applyBody(obj, s.userApplier(&u)); e != nil {
		writeSCIMError(w, e)
		return
	}
	if e := s.checkUserLocked(&u); e != nil {
		writeSCIMError(w, e)
		return
	}
	u.LastModified = s.now()
	s.users[u.ID] = &u
	s.userOrder = append(s.userOrder, u.ID)
	j := s.renderUser(&u, base)
	w.Header().Set("Location", j.Meta.Location)
	writeSCIM(w, http.StatusCreated, etag(u.Version), parseProjection(r.URL.Query()).apply(j, alwaysUser...))
}

// decodeUpdate reads the body of a PUT (a whole resource) or a PATCH (a
// PatchOp request).
func decodeUpdate(method string, body []byte) (map[string]json.RawMessage, patchRequest, *scimError) {
	if method == http.MethodPut {
		obj, e := decodeResourceBody(body)
		return obj, patchRequest{}, e
	}
	patch, e := decodePatch(body)
	return nil, patch, e
}

// updateUser handles PUT (replace) and PATCH (modify).
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request, method, base, id string, body []byte) {
	obj, patch, e := decodeUpdate(method, body)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.users[id]
	if cur == nil {
		writeSCIMError(w, notFound("User", id))
		return
	}
	if e := checkIfMatch(r, cur.Version); e != nil {
		writeSCIMError(w, e)
		return
	}
	var u User
	if method == http.MethodPut {
		// RFC 7644 §3.5.1: attributes the body leaves out are cleared;
		// active keeps its value so a PUT cannot deactivate by omission.
		u = User{ID: cur.ID, Active: cur.Active, Division: defaultDivision, Version: cur.Version}
		e = applyBody(obj, s.userApplier(&u))
	} else {
		u = cur.clone()
		e = applyPatch(patch, s.userApplier(&u))
	}
	if e == nil {
		e = s.checkUserLocked(&u)
	}
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	u.Version++
	u.LastModified = s.now()
	*cur = u
	writeSCIM(w, http.StatusOK, etag(u.Version), parseProjection(r.URL.Query()).apply(s.renderUser(&u, base), alwaysUser...))
}

func (s *Server) userApplier(u *User) applier {
	return func(op string, pp patchPath, raw json.RawMessage, fromBody bool) *scimError {
		return s.applyUser(u, op, pp, raw, fromBody)
	}
}

// checkUserLocked validates required attributes and userName uniqueness.
func (s *Server) checkUserLocked(u *User) *scimError {
	if strings.TrimSpace(u.UserName) == "" {
		return badRequest("invalidValue", "userName is required")
	}
	if strings.TrimSpace(u.DisplayName) == "" {
		return badRequest("invalidValue", "displayName is required")
	}
	if other := s.userByNameLocked(u.UserName, u.ID); other != nil {
		return &scimError{status: http.StatusConflict, scimType: "uniqueness",
			detail: fmt.Sprintf("userName %q is already in use by user %s", u.UserName, other.ID)}
	}
	return nil
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[id]
	if u == nil {
		writeSCIMError(w, notFound("User", id))
		return
	}
	if e := checkIfMatch(r, u.Version); e != nil {
		writeSCIMError(w, e)
		return
	}
	delete(s.users, id)
	s.userOrder = slices.DeleteFunc(s.userOrder, func(x string) bool { return x == id })
	for _, gid := range s.groupOrder {
		if g := s.groups[gid]; slices.Contains(g.Members, id) {
			g.Members = slices.DeleteFunc(g.Members, func(x string) bool { return x == id })
			g.Version++
			g.LastModified = s.now()
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, base string) {
	q := r.URL.Query()
	start, count, e := pageParams(q, s.cfg.maxCount)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	// The v2 Go SDK marks filter as required, but IdPs list groups without
	// one, so a missing filter lists every group.
	var pred groupPred
	if f := q.Get("filter"); strings.TrimSpace(f) != "" {
		terms, err := parseFilter(f)
		if err == nil {
			pred, err = compileGroupFilter(terms)
		}
		if err != nil {
			writeSCIMError(w, badRequest("invalidFilter", "invalid filter %q: %v", f, err))
			return
		}
	}
	proj := parseProjection(q)

	s.mu.Lock()
	defer s.mu.Unlock()
	var matched []*Group
	for _, id := range s.groupOrder {
		if g := s.groups[id]; pred == nil || pred(g) {
			matched = append(matched, g)
		}
	}
	writeListPage(w, matched, start, count, func(g *Group) any { return proj.apply(s.renderGroup(g, base), alwaysGroup...) })
}

// writeListPage answers one page (1-based start, count) of matched as a
// SCIM ListResponse.
func writeListPage[T any](w http.ResponseWriter, matched []T, start, count int, render func(T) any) {
	from, to := page(len(matched), start, count)
	resources := []any{}
	for _, x := range matched[from:to] {
		resources = append(resources, render(x))
	}
	writeSCIM(w, http.StatusOK, "", listResponse{
		Schemas:      []string{schemaListResponse},
		TotalResults: len(matched),
		StartIndex:   start,
		ItemsPerPage: len(resources),
		Resources:    resources,
	})
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, base, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groups[id]
	if g == nil {
		writeSCIMError(w, notFound("Group", id))
		return
	}
	if etagMatches(r.Header.Values("If-None-Match"), g.Version) {
		w.Header().Set("ETag", etag(g.Version))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeSCIM(w, http.StatusOK, etag(g.Version), parseProjection(r.URL.Query()).apply(s.renderGroup(g, base), alwaysGroup...))
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request, method, base, id string, body []byte) {
	obj, patch, e := decodeUpdate(method, body)
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.groups[id]
	if cur == nil {
		writeSCIMError(w, notFound("Group", id))
		return
	}
	if e := checkIfMatch(r, cur.Version); e != nil {
		writeSCIMError(w, e)
		return
	}
	apply := func(g *Group) applier {
		return func(op string, pp patchPath, raw json.RawMessage, fromBody bool) *scimError {
			return s.applyGroup(g, op, pp, raw, fromBody)
		}
	}
	var g Group
	if method == http.MethodPut {
		g = Group{ID: cur.ID, Version: cur.Version}
		e = applyBody(obj, apply(&g))
	} else {
		g = cur.clone()
		e = applyPatch(patch, apply(&g))
	}
	if e == nil && strings.TrimSpace(g.DisplayName) == "" {
		e = badRequest("invalidValue", "displayName is required")
	}
	if e == nil {
		if other := s.groupByNameLocked(g.DisplayName, g.ID); other != nil {
			e = &scimError{status: http.StatusConflict, scimType: "uniqueness",
				detail: fmt.Sprintf("displayName %q is already used by group %s", g.DisplayName, other.ID)}
		}
	}
	if e != nil {
		writeSCIMError(w, e)
		return
	}
	g.Version++
	g.LastModified = s.now()
	*cur = g
	writeSCIM(w, http.StatusOK, etag(g.Version), parseProjection(r.URL.Query()).apply(s.renderGroup(&g, base), alwaysGroup...))
}

func decodeResourceBody(body []byte) (map[string]json.RawMessage, *scimError) {
	obj, err := decodeObject(body)
	if err != nil {
		return nil, badRequest("invalidSyntax", "request body must be a JSON object: %v", err)
	}
	return obj, nil
}

func notFound(kind, id string) *scimError {
	return &scimError{status: http.StatusNotFound, detail: fmt.Sprintf("%s %s not found", kind, id)}
}

// etagMatches compares entity tags loosely: "3", W/"3" and a bare 3 all
// name version 3, and * matches any version.
func etagMatches(headers []string, version int) bool {
	want := strconv.Itoa(version)
	for _, h := range headers {
		for _, part := range strings.Split(h, ",") {
			p := strings.TrimSpace(part)
			if p == "*" {
				return true
			}
			if len(p) > 2 && strings.EqualFold(p[:2], "W/") {
				p = p[2:]
			}
			if strings.Trim(p, `"`) == want {
				return true
			}
		}
	}
	return false
}

// checkIfMatch implements the optional If-Match of PUT, PATCH and DELETE.
// Genesys answers a stale version with 400 invalidVers, not 412.
func checkIfMatch(r *http.Request, version int) *scimError {
	h := r.Header.Values("If-Match")
	if len(h) == 0 || etagMatches(h, version) {
		return nil
	}
	return badRequest("invalidVers", "If-Match %s does not match the current version %s",
		strings.Join(h, ", "), etag(version))
}

// writeSCIM writes a SCIM response; a non-empty tag becomes the ETag.
func writeSCIM(w http.ResponseWriter, status int, tag string, v any) {
	if tag != "" {
		w.Header().Set("ETag", tag)
	}
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func writeSCIMError(w http.ResponseWriter, e *scimError) {
	writeSCIM(w, e.status, "", struct {
		Schemas  []string `json:"schemas"`
		Status   string   `json:"status"`
		ScimType string   `json:"scimType,omitempty"`
		Detail   string   `json:"detail"`
	}{[]string{schemaError}, strconv.Itoa(e.status), e.scimType, e.detail})
}
