package genesys_test

import (
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

func TestConformance(t *testing.T) {
	srv := newServer(t)
	srv.SeedUsers(60, 7)
	connectortest.Run(t, func(t *testing.T) connector.Connector {
		return newEngine(t, clientConfig(srv))
	}, connectortest.CheckMembership())
}
