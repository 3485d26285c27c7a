package oktatest

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"unicode"
)

// lookupUser finds a user by ID, login (regardless of case) or login short
// name (the part before "@", when only one user has it), as the {id} of
// /api/v1/users/{id} allows; "me" is the token's owner.
func (s *Server) lookupUser(key string) *user {
	if key == "me" {
		return s.usersByID[s.AdminID]
	}
	if u := s.usersByID[key]; u != nil {
		return u
	}
	if u := s.userByLogin(key); u != nil {
		return u
	}
	if strings.Contains(key, "@") {
		return nil
	}
	var found *user
	for _, u := range s.users {
		if short, _, ok := strings.Cut(u.login(), "@"); ok && strings.EqualFold(short, key) {
			if found != nil {
				return nil // ambiguous
			}
			found = u
		}
	}
	return found
}

// attr returns a property of u for filters and searches.
func (u *user) attr(name string) (any, bool) {
	switch name {
	case "id":
		return u.id, true
	case "status":
		return string(u.status), true
	case "type.id":
		return defaultTypeID, true
	case "created":
		return u.created.time(), true
	case "activated":
		return u.activated.time(), true
	case "statusChanged":
		return u.statusChanged.time(), true
	case "lastLogin":
		return u.lastLogin.time(), true
	case "lastUpdated":
		return u.lastUpdated.time(), true
	case "passwordChanged":
		return u.passwordChanged.time(), true
	}
	if p, ok := strings.CutPrefix(name, "profile."); ok {
		if u.profile == nil {
			// One property of a generated profile, without building
			// all of it for each of 100,000 users.
			return seededProperty(int(u.seq), p)
		}
		return u.profile.get(p)
	}
	return nil, false
}

// login is u's login.
func (u *user) login() string {
	if u.profile != nil {
		return u.profile.Login
	}
	return seededLogin(int(u.seq))
}

// field returns a pointer to the named base property of p, or nil.
func (p *Profile) field(name string) *string {
	switch name {
	case "login":
		return &p.Login
	case "email":
		return &p.Email
	case "secondEmail":
		return &p.SecondEmail
	case "firstName":
		return &p.FirstName
	case "lastName":
		return &p.LastName
	case "displayName":
		return &p.DisplayName
	case "title":
		return &p.Title
	case "department":
		return &p.Department
	case "employeeNumber":
		return &p.EmployeeNumber
	case "manager":
		return &p.Manager
	case "managerId":
		return &p.ManagerID
	case "mobilePhone":
		return &p.MobilePhone
	}
	return nil
}

func (p *Profile) get(name string) (any, bool) {
	if f := p.field(name); f != nil {
		return *f, *f != ""
	}
	v, ok := p.Extra[name]
	return v, ok
}

// apply writes the properties of raw into p. A null clears a property.
func (p *Profile) apply(raw map[string]any) *apiError {
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v := raw[k]
		if f := p.field(k); f != nil {
			switch v := v.(type) {
			case string:
				*f = v
			case nil:
				*f = ""
			default:
				return validationFailed(k, k+": Does not match required type: string")
			}
			continue
		}
		if v == nil {
			delete(p.Extra, k)
			continue
		}
		if p.Extra == nil {
			p.Extra = map[string]any{}
		}
		p.Extra[k] = v
	}
	return nil
}

// checkProfile applies the rules of Okta's default user profile: login,
// email, firstName and lastName are required, login and the emails must
// look like email addresses, and no other user may have the login (u is
// the user being changed, nil for a new one).
func (s *Server) checkProfile(p *Profile, u *user) *apiError {
	var causes []string
	field := ""
	fail := func(name, cause string) {
		if field == "" {
			field = name
		}
		causes = append(causes, name+": "+cause)
	}
	for _, name := range []string{"login", "email", "firstName", "lastName"} {
		if strings.TrimSpace(*p.field(name)) == "" {
			fail(name, "The field cannot be left blank")
		}
	}
	if p.Login != "" && !looksLikeEmail(p.Login) {
		fail("login", "Username must be in the form of an email address")
	}
	if p.Email != "" && !looksLikeEmail(p.Email) {
		fail("email", "Does not match required pattern")
	}
	if p.SecondEmail != "" && !looksLikeEmail(p.SecondEmail) {
		fail("secondEmail", "Does not match required pattern")
	}
	if other := s.userByLogin(p.Login); p.Login != "" && other != nil && other != u {
		fail("login", "An object with this field already exists in the current organization")
	}
	if causes != nil {
		return validationFailed(field, causes...)
	}
	return nil
}

func looksLikeEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\r\n") && !strings.Contains(domain, "@")
}

// checkPassword applies Okta's default password policy: at least 8
// characters, a lowercase letter, an uppercase letter and a number.
func checkPassword(pw string) *apiError {
	var lower, upper, digit bool
	for _, r := range pw {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
	}
	if len([]rune(pw)) < 8 || !lower || !upper || !digit {
		return validationFailed("password", "password: Password requirements were not met. Password requirements: at least 8 characters, a lowercase letter, an uppercase letter, a number.")
	}
	return nil
}

// credentials are the writable parts of a credentials object.
type credentials struct {
	password *string
	question *string
}

func parseCredentials(raw any) (credentials, *apiError) {
	var c credentials
	if raw == nil {
		return c, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return c, validationFailed("credentials", "credentials: Does not match required type: object")
	}
	if pw, ok := m["password"]; ok && pw != nil {
		pm, ok := pw.(map[string]any)
		if !ok {
			return c, validationFailed("password", "password: Does not match required type: object")
		}
		if _, ok := pm["hash"]; ok {
			return c, validationFailed("password", "password: imported password hashes are not modelled by oktatest")
		}
		if v, ok := pm["value"]; ok {
			s, ok := v.(string)
			if !ok {
				return c, validationFailed("password", "password: Does not match required type: string")
			}
			c.password = &s
		}
	}
	if rq, ok := m["recovery_question"]; ok && rq != nil {
		rm, ok := rq.(map[string]any)
		q, _ := rm["question"].(string)
		a, _ := rm["answer"].(string)
		if !ok || q == "" || a == "" {
			return c, validationFailed("recovery_question", "recovery_question: The question and the answer cannot be left blank")
		}
		c.question = &q
	}
	return c, nil
}

func (s *Server) getUser(_ *call, id string) response {
	u := s.lookupUser(id)
	if u == nil {
		return notFound(id, "User").response()
	}
	return ok(s.renderUser(u))
}

// listUsers serves GET /api/v1/users: without a query every user but the
// DEPROVISIONED ones; with filter or search the matching users of every
// status; with q a prefix search on first name, last name and email,
// without DEPROVISIONED users and without paging.
func (s *Server) listUsers(c *call) response {
	if countParams(c, "q", "filter", "search") > 1 {
		return errSearchAndFilter.response()
	}
	match := func(u *user) bool { return u.status != StatusDeprovisioned }
	def, paged := usersDefaultLimit, true
	switch {
	case c.query.Has("q"):
		def, paged = usersQDefaultLimit, false
		prefix := strings.ToLower(c.query.Get("q"))
		match = func(u *user) bool {
			if u.status == StatusDeprovisioned {
				return false
			}
			p := u.prof()
			return hasPrefixFold(p.FirstName, prefix) || hasPrefixFold(p.LastName, prefix) || hasPrefixFold(p.Email, prefix)
		}
	case c.query.Has("filter"), c.query.Has("search"):
		d, param := userFilter, "filter"
		if c.query.Has("search") {
			d, param = userSearch, "search"
		}
		e, err := parseExpr(c.query.Get(param), d)
		if err != nil {
			return err.response()
		}
		match = func(u *user) bool { return e.match(u.attr) }
	}
	pg, err := readPaging(c, def, usersMaxLimit)
	if err != nil {
		return err.response()
	}
	from := s.users
	if paged {
		from = usersAfter(s.users, pg.after)
	}
	page, next := pageOf(from, match, pg.limit, func(u *user) string { return u.id })
	if !paged {
		next = ""
	}
	return s.userList(c, page, pg.limit, next)
}

// userList renders a page of users with its Link header.
func (s *Server) userList(c *call, page []*user, limit int, next string) response {
	return response{status: http.StatusOK, v: s.renderUsers(page), header: s.linkHeader(c, limit, next)}
}

func hasPrefixFold(s, lowerPrefix string) bool {
	return len(s) >= len(lowerPrefix) && strings.ToLower(s[:len(lowerPrefix)]) == lowerPrefix
}

func countParams(c *call, names ...string) int {
	n := 0
	for _, name := range names {
		if c.query.Has(name) {
			n++
		}
	}
	return n
}

// pageOf returns up to limit items of from that match, and the cursor of
// the next page: the key of the last item returned when more matching
// items follow, else "".
func pageOf[T any](from []T, match func(T) bool, limit int, key func(T) string) ([]T, string) {
	var page []T
	for _, x := range from {
		if !match(x) {
			continue
		}
		if len(page) == limit {
			return page, key(page[len(page)-1])
		}
		page = append(page, x)
	}
	return page, ""
}

// createUser serves POST /api/v1/users. activate (default true) activates
// the user: ACTIVE with a password, PROVISIONED without one, as Okta's user
// creation scenarios say; activate=false leaves it STAGED.
func (s *Server) createUser(c *call) response {
	activate, aerr := boolParam(c, "activate", true)
	if aerr != nil {
		return aerr.response()
	}
	body, aerr := decodeObject(c.body)
	if aerr != nil {
		return aerr.response()
	}
	rawProfile, isObject := body["profile"].(map[string]any)
	if !isObject {
		return validationFailed("profile", "profile: The field cannot be left blank").response()
	}
	var p Profile
	if err := p.apply(rawProfile); err != nil {
		return err.response()
	}
	creds, aerr := parseCredentials(body["credentials"])
	if aerr != nil {
		return aerr.response()
	}
	if err := s.checkProfile(&p, nil); err != nil {
		return err.response()
	}
	if creds.password != nil {
		if err := checkPassword(*creds.password); err != nil {
			return err.response()
		}
	}
	expire := c.query.Get("nextLogin") == "changePassword"
	switch {
	case expire && !activate:
		return (&apiError{status: http.StatusBadRequest, code: "E0000125",
			summary: "Could not create user. To create a user and expire their password immediately, `activate` must be true."}).response()
	case expire && creds.password == nil:
		return (&apiError{status: http.StatusBadRequest, code: "E0000124",
			summary: "Could not create user. To create a user and expire their password immediately, a password must be specified."}).response()
	}
	var groups []*group
	if raw := body["groupIds"]; raw != nil {
		ids, _ := raw.([]any)
		if ids == nil {
			return validationFailed("groupIds", "groupIds: Does not match required type: array").response()
		}
		for _, id := range ids {
			gid, _ := id.(string)
			g := s.groupsByID[gid]
			if g == nil || g.typ != OktaGroup {
				return validationFailed("groupIds", fmt.Sprintf("groupIds: %v is not the ID of a group of type OKTA_GROUP", id)).response()
			}
			groups = append(groups, g)
		}
	}

	now := stampOf(c.now)
	u := &user{id: s.nextUserID(), status: StatusStaged, profile: &p, created: now, lastUpdated: now}
	if creds.password != nil {
		u.hasPassword, u.passwordChanged = true, now
	}
	if creds.question != nil {
		u.recovery = *creds.question
	}
	if activate {
		u.status, u.activated, u.statusChanged = StatusProvisioned, now, now
		if u.hasPassword {
			u.status = StatusActive
		}
		if expire {
			u.status = StatusPasswordExpired
		}
	}
	s.insertUser(u, c.now)
	for _, g := range groups {
		if g.addMember(u) {
			g.lastMembershipUpdated = c.now
		}
	}
	return ok(s.renderUser(u))
}

// updateUser serves POST /api/v1/users/{id} (partial: only the profile
// properties given change) and PUT (replace: the profile given replaces the
// whole profile). Both can set a password.
func (s *Server) updateUser(c *call, id string, replace bool) response {
	u := s.lookupUser(id)
	if u == nil {
		return notFound(id, "User").response()
	}
	if u.status == StatusDeprovisioned {
		return errWrongStatus.response()
	}
	body, err := decodeObject(c.body)
	if err != nil {
		return err.response()
	}
	p := u.prof().clone()
	if raw, present := body["profile"]; present {
		m, ok := raw.(map[string]any)
		if !ok {
			return validationFailed("profile", "profile: Does not match required type: object").response()
		}
		if replace {
			p = Profile{}
		}
		if err := p.apply(m); err != nil {
			return err.response()
		}
	}
	creds, err := parseCredentials(body["credentials"])
	if err != nil {
		return err.response()
	}
	if err := s.checkProfile(&p, u); err != nil {
		return err.response()
	}
	if creds.password != nil {
		if err := checkPassword(*creds.password); err != nil {
			return err.response()
		}
	}

	s.setProfile(u, p)
	now := stampOf(c.now)
	if creds.password != nil {
		u.hasPassword, u.passwordChanged = true, now
	}
	if creds.question != nil {
		u.recovery = *creds.question
	}
	u.lastUpdated = now
	return ok(s.renderUser(u))
}

// deleteUser serves DELETE /api/v1/users/{id}: a user that is not
// DEPROVISIONED is deactivated; a DEPROVISIONED one is deleted for good.
func (s *Server) deleteUser(c *call, id string) response {
	u := s.lookupUser(id)
	if u == nil {
		return notFound(id, "User").response()
	}
	if u.status != StatusDeprovisioned {
		s.setStatus(u, StatusDeprovisioned, stampOf(c.now))
		return noContent()
	}
	s.removeUser(u, c.now)
	return noContent()
}

var lifecycleOps = map[string]bool{
	"activate": true, "reactivate": true, "deactivate": true, "suspend": true, "unsuspend": true,
	"unlock": true, "expire_password": true, "reset_password": true,
}

// activationToken is Okta's UserActivationToken.
type activationToken struct {
	ActivationToken string `json:"activationToken"`
	ActivationURL   string `json:"activationUrl"`
}

// lifecycle serves POST /api/v1/users/{id}/lifecycle/{op} with the state
// rules of Okta's description.
func (s *Server) lifecycle(c *call, id, op string) response {
	u := s.lookupUser(id)
	if u == nil {
		return notFound(id, "User").response()
	}
	now := stampOf(c.now)
	switch op {
	case "activate", "reactivate":
		sendEmail, err := boolParam(c, "sendEmail", op == "activate")
		if err != nil {
			return err.response()
		}
		if op == "activate" {
			if u.status != StatusStaged && u.status != StatusDeprovisioned {
				return errAlreadyActive.response()
			}
			u.activated = now
			to := StatusProvisioned
			if u.hasPassword {
				to = StatusActive
			}
			s.setStatus(u, to, now)
		} else {
			if u.status != StatusProvisioned && u.status != StatusRecovery {
				return errWrongStatus.response()
			}
			s.setStatus(u, StatusProvisioned, now)
			u.lastUpdated = now
		}
		if sendEmail {
			return ok(struct{}{})
		}
		tok := randomString(20)
		return ok(activationToken{ActivationToken: tok, ActivationURL: s.URL + "/tokens/" + tok + "/verify"})
	case "deactivate":
		if u.status == StatusDeprovisioned {
			return errWrongStatus.response()
		}
		s.setStatus(u, StatusDeprovisioned, now)
	case "suspend":
		if u.status != StatusActive {
			return (&apiError{status: http.StatusBadRequest, code: "E0000001", summary: "Cannot suspend a user that is not active"}).response()
		}
		s.setStatus(u, StatusSuspended, now)
	case "unsuspend":
		if u.status != StatusSuspended {
			return (&apiError{status: http.StatusBadRequest, code: "E0000001", summary: "Cannot unsuspend a user that is not suspended"}).response()
		}
		s.setStatus(u, StatusActive, now)
	case "unlock":
		switch u.status {
		case StatusLockedOut:
			s.setStatus(u, StatusActive, now)
		case StatusActive:
			// Okta also unlocks active users blocked from unknown
			// devices, which the fake does not model: nothing changes.
		default:
			return errUnlockNotAllowed.response()
		}
	case "expire_password":
		if (u.status != StatusActive && u.status != StatusPasswordExpired) || !u.hasPassword {
			return errWrongStatus.response()
		}
		s.setStatus(u, StatusPasswordExpired, now)
		u.lastUpdated = now
		return ok(s.renderUser(u))
	case "reset_password":
		sendEmail, err := boolParam(c, "sendEmail", true)
		if err != nil {
			return err.response()
		}
		switch u.status {
		case StatusActive, StatusPasswordExpired, StatusLockedOut, StatusRecovery, StatusProvisioned:
		default:
			return errWrongStatus.response()
		}
		s.setStatus(u, StatusRecovery, now)
		u.lastUpdated = now
		if sendEmail {
			return ok(struct{}{})
		}
		return ok(struct {
			ResetPasswordURL string `json:"resetPasswordUrl"`
		}{s.URL + "/reset_password/" + randomString(20)})
	}
	return ok(struct{}{})
}

// setStatus changes a user's status, and statusChanged and lastUpdated with
// it. Call with s.mu held.
func (s *Server) setStatus(u *user, st Status, now stamp) {
	if u.status == st {
		return
	}
	u.status, u.statusChanged, u.lastUpdated = st, now, now
}

// listUserGroups serves GET /api/v1/users/{id}/groups: the groups the user
// is a member of, Everyone included, in ID order. The description
// documents no paging; the fake honours limit and after anyway, and sends
// Link headers like the other lists.
func (s *Server) listUserGroups(c *call, id string) response {
	u := s.lookupUser(id)
	if u == nil {
		return notFound(id, "User").response()
	}
	pg, err := readPaging(c, userGroupsMaxLimit, userGroupsMaxLimit)
	if err != nil {
		return err.response()
	}
	page, next := pageOf(groupsAfter(s.groups, pg.after), func(g *group) bool { return g.hasMember(u) },
		pg.limit, func(g *group) string { return g.id })
	out := make([]groupJSON, len(page))
	for i, g := range page {
		out[i] = s.renderGroup(g, false)
	}
	return response{status: http.StatusOK, v: out, header: s.linkHeader(c, pg.limit, next)}
}
