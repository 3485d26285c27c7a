package oktatest

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the methods tests use to set up and inspect the org
// behind the API. Set-up methods panic on mistakes in the test (an unknown
// member, a duplicate login), as httptest does on bad arguments.

func (s *Server) nextUserID() string { return nextID("00u", &s.userSeq, s.usersByID) }

func (s *Server) nextGroupID() string { return nextID("00g", &s.groupSeq, s.groupsByID) }

// nextID returns the next ID of the sequence *seq that taken does not hold
// (a test may have chosen it).
func nextID[V any](prefix string, seq *uint64, taken map[string]V) string {
	for {
		id := newID(prefix, *seq)
		*seq++
		if _, ok := taken[id]; !ok {
			return id
		}
	}
}

func (s *Server) newRole(typ string, now stamp) *role {
	r := &role{id: newID("ra1", s.roleSeq), typ: typ, created: now}
	s.roleSeq++
	return r
}

// insertUser stores a new user, keeping s.users sorted by ID. Generated IDs
// increase, so this appends unless a test chose a larger ID. Call with
// s.mu held.
func (s *Server) insertUser(u *user, now time.Time) {
	if n := len(s.users); n == 0 || s.users[n-1].id < u.id {
		s.users = append(s.users, u)
	} else {
		i, _ := searchUsers(s.users, u.id)
		s.users = slices.Insert(s.users, i, u)
	}
	s.usersByID[u.id] = u
	if u.profile != nil {
		s.usersByLogin[loginKey(u.profile.Login)] = u
	} else {
		for len(s.seeded) <= int(u.seq) {
			s.seeded = append(s.seeded, nil)
		}
		s.seeded[u.seq] = u
	}
	if s.everyone != nil {
		s.everyone.lastMembershipUpdated = now
	}
}

// removeUser deletes a user and its memberships. Call with s.mu held.
func (s *Server) removeUser(u *user, now time.Time) {
	if i, ok := searchUsers(s.users, u.id); ok {
		s.users = slices.Delete(s.users, i, i+1)
	}
	delete(s.usersByID, u.id)
	s.forgetLogin(u)
	for _, g := range s.groups {
		if g.removeMember(u) || g == s.everyone {
			g.lastMembershipUpdated = now
		}
	}
}

func (s *Server) insertGroup(g *group) {
	i, _ := searchGroups(s.groups, g.id)
	s.groups = slices.Insert(s.groups, i, g)
	s.groupsByID[g.id] = g
}

// stamp is the current time as the fake stores it: UTC, to the
// millisecond, as Okta writes timestamps.
func (s *Server) stamp() time.Time { return s.now().UTC().Truncate(time.Millisecond) }

// AddUser stores u as if it had been created in the Okta admin console and
// returns the stored copy. An empty ID gets a generated one, an empty
// Status becomes ACTIVE, a zero Created or LastUpdated becomes now, and a
// user that is not STAGED gets Activated and StatusChanged equal to Created
// (and PasswordChanged, with a password) unless they are set. It panics on
// a missing or duplicate login, a duplicate ID, an unknown status or role.
func (s *Server) AddUser(u User) User {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addUser(u, s.stamp()).public()
}

func (s *Server) addUser(in User, now time.Time) *user {
	if in.Status == "" {
		in.Status = StatusActive
	}
	switch {
	case in.Profile.Login == "":
		panic("oktatest: AddUser: the profile has no login")
	case s.userByLogin(in.Profile.Login) != nil:
		panic(fmt.Sprintf("oktatest: AddUser: login %q is taken", in.Profile.Login))
	case in.ID != "" && s.usersByID[in.ID] != nil:
		panic(fmt.Sprintf("oktatest: AddUser: duplicate id %q", in.ID))
	case strings.ContainsAny(in.ID, "/?#"):
		panic(fmt.Sprintf("oktatest: AddUser: id %q cannot be a path segment", in.ID))
	case !in.Status.valid():
		panic(fmt.Sprintf("oktatest: AddUser: unknown status %q", in.Status))
	}
	p := in.Profile.clone()
	u := &user{
		id: in.ID, status: in.Status, profile: &p,
		hasPassword: in.HasPassword, recovery: in.RecoveryQuestion,
		created: stampOf(in.Created), activated: stampOf(in.Activated), statusChanged: stampOf(in.StatusChanged),
		lastLogin: stampOf(in.LastLogin), lastUpdated: stampOf(in.LastUpdated), passwordChanged: stampOf(in.PasswordChanged),
	}
	if u.id == "" {
		u.id = s.nextUserID()
	}
	if u.created == 0 {
		u.created = stampOf(now)
	}
	if u.lastUpdated == 0 {
		u.lastUpdated = stampOf(now)
	}
	if u.status != StatusStaged {
		if u.activated == 0 {
			u.activated = u.created
		}
		if u.statusChanged == 0 {
			u.statusChanged = u.created
		}
	}
	if u.hasPassword && u.passwordChanged == 0 {
		u.passwordChanged = u.created
	}
	for _, typ := range in.Roles {
		if roleLabels[typ] == "" {
			panic(fmt.Sprintf("oktatest: AddUser: %q is not a standard role type", typ))
		}
		u.roles = append(u.roles, s.newRole(typ, u.created))
	}
	s.insertUser(u, now)
	return u
}

// SeedUsers adds n generated ACTIVE users with passwords, for paging and
// volume tests, and returns their IDs in order. They are named
// user000001@example.com, user000002@example.com, ... (first name Test,
// last name User000001, ...), spread over four departments. Seeding
// 100,000 users takes well under a second.
func (s *Server) SeedUsers(n int) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.stamp()
	at := stampOf(now)
	ids := make([]string, 0, n)
	for len(ids) < n {
		s.seedSeq++
		seq := s.seedSeq
		if seq > math.MaxInt32 {
			panic("oktatest: SeedUsers: too many users")
		}
		if s.userByLogin(seededLogin(seq)) != nil {
			continue
		}
		u := &user{
			id:          s.nextUserID(),
			status:      StatusActive,
			seq:         int32(seq),
			hasPassword: true,
			created:     at, activated: at, statusChanged: at, lastUpdated: at, passwordChanged: at,
		}
		s.insertUser(u, now)
		ids = append(ids, u.id)
	}
	return ids
}

// seededLogin is the login of the seq-th user of SeedUsers.
func seededLogin(seq int) string { return fmt.Sprintf("user%06d@example.com", seq) }

// seededProfile is the profile of the seq-th user of SeedUsers.
func seededProfile(seq int) *Profile {
	login := seededLogin(seq)
	last := "User" + login[4:len(login)-len("@example.com")]
	return &Profile{
		Login: login, Email: login, FirstName: "Test", LastName: last, DisplayName: "Test " + last,
		Department: seededDepartments[seq%len(seededDepartments)], EmployeeNumber: strconv.Itoa(100000 + seq),
	}
}

var seededDepartments = [...]string{"Engineering", "Sales", "Finance", "Support"}

// seededProperty is one property of seededProfile(seq), as Profile.get
// returns it.
func seededProperty(seq int, name string) (any, bool) {
	switch name {
	case "login", "email":
		return seededLogin(seq), true
	case "firstName":
		return "Test", true
	case "lastName":
		return fmt.Sprintf("User%06d", seq), true
	case "displayName":
		return fmt.Sprintf("Test User%06d", seq), true
	case "department":
		return seededDepartments[seq%len(seededDepartments)], true
	case "employeeNumber":
		return strconv.Itoa(100000 + seq), true
	}
	return seededProfile(seq).get(name)
}

// userByLogin finds a user by login, regardless of case. Generated users
// whose profile never changed are not in the login index: their number is
// in their login.
func (s *Server) userByLogin(login string) *user {
	key := loginKey(login)
	if u := s.usersByLogin[key]; u != nil {
		return u
	}
	digits, ok := strings.CutPrefix(key, "user")
	if !ok {
		return nil
	}
	if digits, ok = strings.CutSuffix(digits, "@example.com"); !ok || len(digits) < 6 {
		return nil
	}
	seq, err := strconv.Atoi(digits)
	if err != nil || seq < 1 || seq >= len(s.seeded) || seededLogin(seq) != key {
		return nil
	}
	if u := s.seeded[seq]; u != nil && u.profile == nil {
		return u
	}
	return nil
}

// setProfile gives u a new profile, keeping the login index right. Call
// with s.mu held.
func (s *Server) setProfile(u *user, p Profile) {
	s.forgetLogin(u)
	u.profile = &p
	s.usersByLogin[loginKey(p.Login)] = u
}

// forgetLogin drops u from the login index.
func (s *Server) forgetLogin(u *user) {
	if u.profile == nil {
		s.seeded[u.seq] = nil
		return
	}
	delete(s.usersByLogin, loginKey(u.profile.Login))
}

// AddGroup stores g as if it had been created in the admin console (or, for
// an APP_GROUP, imported from an app) and returns the stored copy. An empty
// ID gets a generated one, an empty Type becomes OKTA_GROUP, and zero
// timestamps become now. Members may be user IDs or logins. It panics on a
// missing name, a duplicate ID, a BUILT_IN type (Everyone is the only one)
// or an unknown member.
func (s *Server) AddGroup(g Group) Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.publicGroup(s.addGroup(g, s.stamp()))
}

func (s *Server) addGroup(in Group, now time.Time) *group {
	if in.Type == "" {
		in.Type = OktaGroup
	}
	switch {
	case in.Name == "":
		panic("oktatest: AddGroup: the group has no name")
	case in.Type == BuiltIn:
		panic("oktatest: AddGroup: the only BUILT_IN group is Everyone, which always exists")
	case in.Type != OktaGroup && in.Type != AppGroup:
		panic(fmt.Sprintf("oktatest: AddGroup: unknown type %q", in.Type))
	case in.ID != "" && s.groupsByID[in.ID] != nil:
		panic(fmt.Sprintf("oktatest: AddGroup: duplicate id %q", in.ID))
	case strings.ContainsAny(in.ID, "/?#"):
		panic(fmt.Sprintf("oktatest: AddGroup: id %q cannot be a path segment", in.ID))
	}
	ms := func(t time.Time) time.Time {
		if t.IsZero() {
			return now
		}
		return t.UTC().Truncate(time.Millisecond)
	}
	g := &group{
		id: in.ID, typ: in.Type, name: in.Name, description: in.Description,
		extra: maps.Clone(in.Extra), sourceAppID: in.SourceAppID,
		created: ms(in.Created), lastUpdated: ms(in.LastUpdated), lastMembershipUpdated: ms(in.LastMembershipUpdated),
	}
	if g.id == "" {
		g.id = s.nextGroupID()
	}
	g.members = s.resolveMembers("AddGroup", in.Members)
	s.insertGroup(g)
	return g
}

// resolveMembers turns IDs or logins into users sorted by ID, without
// duplicates.
func (s *Server) resolveMembers(caller string, keys []string) []*user {
	out := make([]*user, 0, len(keys))
	for _, k := range keys {
		u := s.usersByID[k]
		if u == nil {
			u = s.userByLogin(k)
		}
		if u == nil {
			panic(fmt.Sprintf("oktatest: %s: member %q is not a user", caller, k))
		}
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b *user) int { return strings.Compare(a.id, b.id) })
	return slices.Compact(out)
}

// AddMembers adds users, by ID or login, to a group of any type but
// BUILT_IN, as an import or an admin would. It is meant for bulk set-up:
// adding 100,000 members costs one sort. It panics on an unknown group or
// user.
func (s *Server) AddMembers(groupID string, users ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupsByID[groupID]
	switch {
	case g == nil:
		panic(fmt.Sprintf("oktatest: AddMembers: no group %q", groupID))
	case g.typ == BuiltIn:
		panic("oktatest: AddMembers: Everyone always holds every user")
	}
	added := s.resolveMembers("AddMembers", users)
	if len(added) == 0 {
		return
	}
	g.members = append(g.members, added...)
	slices.SortFunc(g.members, func(a, b *user) int { return strings.Compare(a.id, b.id) })
	g.members = slices.Compact(g.members)
	g.lastMembershipUpdated = s.stamp()
}

// SetStatus changes a user's status behind the API, as a sign-in that
// locks the user out or a password that expires would, and updates
// statusChanged and lastUpdated. The user is named by ID or login.
func (s *Server) SetStatus(user string, st Status) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lookupUser(user)
	switch {
	case u == nil:
		return fmt.Errorf("oktatest: SetStatus: no user %q", user)
	case !st.valid():
		return fmt.Errorf("oktatest: SetStatus: unknown status %q", st)
	}
	now := stampOf(s.stamp())
	if u.activated == 0 && st != StatusStaged {
		u.activated = now
	}
	s.setStatus(u, st, now)
	return nil
}

// SetProfile replaces a user's profile behind the API, as an edit in the
// admin console or a profile push would, and updates lastUpdated. The user
// is named by ID or login. The new profile must pass the same checks as
// the API's.
func (s *Server) SetProfile(user string, p Profile) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.lookupUser(user)
	if u == nil {
		return fmt.Errorf("oktatest: SetProfile: no user %q", user)
	}
	p = p.clone()
	if err := s.checkProfile(&p, u); err != nil {
		return fmt.Errorf("oktatest: SetProfile: %s: %s", err.summary, strings.Join(err.causes, "; "))
	}
	s.setProfile(u, p)
	u.lastUpdated = stampOf(s.stamp())
	return nil
}

// User returns a copy of the user with that ID or login.
func (s *Server) User(idOrLogin string) (User, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.usersByID[idOrLogin]
	if u == nil {
		u = s.userByLogin(idOrLogin)
	}
	if u == nil {
		return User{}, false
	}
	return u.public(), true
}

// Users returns copies of all users, of every status, in ID order (for
// generated IDs, the order of creation). Deleted users are gone.
func (s *Server) Users() []User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]User, len(s.users))
	for i, u := range s.users {
		out[i] = u.public()
	}
	return out
}

// Group returns a copy of the group with that ID, members included.
func (s *Server) Group(id string) (Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupsByID[id]
	if g == nil {
		return Group{}, false
	}
	return s.publicGroup(g), true
}

// Groups returns copies of all groups in ID order, Everyone first.
func (s *Server) Groups() []Group {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Group, len(s.groups))
	for i, g := range s.groups {
		out[i] = s.publicGroup(g)
	}
	return out
}

// Members returns the IDs of a group's members in ID order, the order of
// GET /api/v1/groups/{id}/users; nil for an unknown group.
func (s *Server) Members(groupID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.groupsByID[groupID]
	if g == nil {
		return nil
	}
	return memberIDs(s.groupMembers(g))
}

func (s *Server) groupMembers(g *group) []*user {
	if g.typ == BuiltIn {
		return s.users
	}
	return g.members
}

func memberIDs(users []*user) []string {
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = u.id
	}
	return ids
}

func (s *Server) publicGroup(g *group) Group {
	return Group{
		ID: g.id, Type: g.typ, Name: g.name, Description: g.description,
		Extra: maps.Clone(g.extra), Members: memberIDs(s.groupMembers(g)), SourceAppID: g.sourceAppID,
		Created: g.created, LastUpdated: g.lastUpdated, LastMembershipUpdated: g.lastMembershipUpdated,
	}
}
