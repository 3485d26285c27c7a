package okta_test

import (
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/providers/okta"
	"github.com/restconn/restconn/providers/okta/oktatest"
)

func TestConformance(t *testing.T) {
	srv := oktatest.NewServer()
	defer srv.Close()
	// A group of 2,500 members is yielded in three chunks.
	big := srv.AddGroup(oktatest.Group{Name: "Big"})
	srv.AddMembers(big.ID, srv.SeedUsers(2500)...)
	connectortest.Run(t, func(t *testing.T) connector.Connector {
		return newEngine(t, srv, okta.Config{})
	})
}

// With each user's groups listed too, both sides of every membership
// agree.
func TestConformanceUserGroups(t *testing.T) {
	srv := oktatest.NewServer()
	defer srv.Close()
	connectortest.Run(t, func(t *testing.T) connector.Connector {
		return userGroupsEngine(t, srv)
	}, connectortest.CheckMembership())
}
