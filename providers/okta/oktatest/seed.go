package oktatest

import "time"

// The seeded org, example.com: an admin who owns the token, eleven people
// across every user status, four OKTA_GROUPs (one empty), one APP_GROUP
// imported from Active Directory, and Everyone.

// seed builds the org. It runs before the server starts, so it takes no
// lock.
func (s *Server) seed(c *config) {
	start := s.stamp()
	day := 24 * time.Hour
	ago := func(days int) time.Time { return start.Add(-time.Duration(days) * day) }

	s.everyone = &group{
		id: s.nextGroupID(), typ: BuiltIn, name: "Everyone", description: "All users in your organization",
		created: ago(1200), lastUpdated: ago(1200), lastMembershipUpdated: start,
	}
	s.insertGroup(s.everyone)

	admin := s.addUser(User{
		Profile: Profile{Login: "jordan.rivera@example.com", Email: "jordan.rivera@example.com",
			FirstName: "Jordan", LastName: "Rivera", DisplayName: "Jordan Rivera",
			Title: "IT Administrator", Department: "IT", EmployeeNumber: "1001"},
		HasPassword: true, RecoveryQuestion: "What was the name of your first pet?",
		Created: ago(1200), LastLogin: ago(0).Add(-2 * time.Hour), LastUpdated: ago(30),
		Roles: []string{"SUPER_ADMIN"},
	}, start)
	s.AdminID = admin.id

	var users []User
	switch {
	case c.usersSet:
		users = c.users
	case !c.empty:
		users = defaultUsers(ago)
	}
	for _, u := range users {
		s.addUser(u, start)
	}
	if !c.usersSet && !c.empty {
		// Okta's managerId holds the manager's user ID.
		s.userByLogin("grace.hopper@example.com").profile.ManagerID = s.userByLogin("isaac.brock@example.com").id
	}

	var groups []Group
	switch {
	case c.groupsSet:
		groups = c.groups
	case !c.empty:
		groups = defaultGroups(ago)
		if c.usersSet {
			for i := range groups {
				groups[i].Members = nil
			}
		}
	}
	for _, g := range groups {
		s.addGroup(g, start)
	}
}

func defaultUsers(ago func(int) time.Time) []User {
	person := func(login, first, last, title, dept, number string) Profile {
		return Profile{Login: login, Email: login, FirstName: first, LastName: last, DisplayName: first + " " + last,
			Title: title, Department: dept, EmployeeNumber: number}
	}
	isaac := person("isaac.brock@example.com", "Isaac", "Brock", "Director", "Engineering", "187")
	isaac.MobilePhone = "+1-555-415-1337"
	isaac.SecondEmail = "isaac@example.org"
	isaac.Extra = map[string]any{"city": "San Francisco", "countryCode": "US", "costCenter": "10"}
	grace := person("grace.hopper@example.com", "Grace", "Hopper", "Principal Engineer", "Engineering", "1002")
	grace.Manager = "Isaac Brock" // and managerId, once Isaac has an ID
	margaret := person("margaret.hamilton@example.com", "Margaret", "Hamilton", "Engineer", "Engineering", "1003")
	alan := person("alan.turing@example.com", "Alan", "Turing", "Engineer", "Engineering", "1004")
	ken := person("ken.thompson@example.com", "Ken", "Thompson", "Engineer", "Engineering", "1005")
	ada := person("ada.lovelace@example.com", "Ada", "Lovelace", "Analyst", "Finance", "1006")
	katherine := person("katherine.johnson@example.com", "Katherine", "Johnson", "Controller", "Finance", "1007")
	claude := person("claude.shannon@example.com", "Claude", "Shannon", "Account Executive", "Sales", "1008")
	frances := person("frances.allen@example.com", "Frances", "Allen", "Sales Manager", "Sales", "1009")
	barbara := person("barbara.liskov@example.com", "Barbara", "Liskov", "Engineer", "Engineering", "1010")
	dennis := person("dennis.ritchie@example.com", "Dennis", "Ritchie", "Engineer", "Engineering", "1011")
	return []User{
		{Profile: isaac, HasPassword: true, Created: ago(900), LastLogin: ago(1), LastUpdated: ago(20), Roles: []string{"APP_ADMIN"}},
		{Profile: grace, HasPassword: true, Created: ago(800), LastLogin: ago(2), LastUpdated: ago(15), Roles: []string{"READ_ONLY_ADMIN"}},
		{Profile: margaret, HasPassword: true, Created: ago(700), LastLogin: ago(3), LastUpdated: ago(40)},
		{Profile: alan, Status: StatusSuspended, HasPassword: true, Created: ago(600), LastLogin: ago(90), StatusChanged: ago(60), LastUpdated: ago(60)},
		{Profile: ken, Status: StatusDeprovisioned, HasPassword: true, Created: ago(1000), LastLogin: ago(200), StatusChanged: ago(180), LastUpdated: ago(180)},
		{Profile: ada, HasPassword: true, Created: ago(500), LastLogin: ago(1), LastUpdated: ago(10), Roles: []string{"REPORT_ADMIN"}},
		{Profile: katherine, Status: StatusLockedOut, HasPassword: true, Created: ago(450), LastLogin: ago(5), StatusChanged: ago(1), LastUpdated: ago(1)},
		{Profile: claude, Status: StatusPasswordExpired, HasPassword: true, Created: ago(400), LastLogin: ago(7), StatusChanged: ago(2), LastUpdated: ago(2)},
		{Profile: frances, Status: StatusRecovery, HasPassword: true, Created: ago(350), LastLogin: ago(8), StatusChanged: ago(3), LastUpdated: ago(3)},
		{Profile: barbara, Status: StatusStaged, Created: ago(2), LastUpdated: ago(2)},
		{Profile: dennis, Status: StatusProvisioned, Created: ago(4), StatusChanged: ago(4), LastUpdated: ago(4)},
	}
}

func defaultGroups(ago func(int) time.Time) []Group {
	return []Group{
		{Name: "Engineering", Description: "All engineers",
			Members: []string{"isaac.brock@example.com", "grace.hopper@example.com", "margaret.hamilton@example.com",
				"alan.turing@example.com", "ken.thompson@example.com", "barbara.liskov@example.com", "dennis.ritchie@example.com"},
			Created: ago(1100), LastUpdated: ago(1100), LastMembershipUpdated: ago(2)},
		{Name: "Finance", Description: "Finance and accounting",
			Members: []string{"ada.lovelace@example.com", "katherine.johnson@example.com"},
			Created: ago(1100), LastUpdated: ago(300), LastMembershipUpdated: ago(400)},
		{Name: "Sales", Description: "Sales team",
			Members: []string{"claude.shannon@example.com", "frances.allen@example.com"},
			Created: ago(1000), LastUpdated: ago(1000), LastMembershipUpdated: ago(300)},
		{Name: "IT Admins", Description: "Administrators of the Okta org",
			Members: []string{"jordan.rivera@example.com", "isaac.brock@example.com"},
			Created: ago(1200), LastUpdated: ago(1200), LastMembershipUpdated: ago(900)},
		{Name: "Contractors", Description: "External contractors (none at the moment)",
			Created: ago(100), LastUpdated: ago(100), LastMembershipUpdated: ago(100)},
		{Name: "Engineering users (AD)", Type: AppGroup, Description: "All users in the engineering department",
			SourceAppID: "0oa2v0el0gP90aqjJ0g7",
			Extra: map[string]any{
				"samAccountName":             "Engineering users",
				"dn":                         "CN=Engineering users,OU=Engineering,DC=corp,DC=example,DC=com",
				"windowsDomainQualifiedName": `CORP\Engineering users`,
				"externalId":                 "OZJdWdONCU6h7WjQKp+LPA==",
			},
			Members: []string{"isaac.brock@example.com", "grace.hopper@example.com", "margaret.hamilton@example.com"},
			Created: ago(900), LastUpdated: ago(900), LastMembershipUpdated: ago(30)},
	}
}
