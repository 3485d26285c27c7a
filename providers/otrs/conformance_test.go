package otrs_test

import (
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/providers/otrs"
	"github.com/restconn/restconn/providers/otrs/otrstest"
)

func TestConformance(t *testing.T) {
	srv := otrstest.NewServer()
	defer srv.Close()
	connectortest.Run(t, func(t *testing.T) connector.Connector {
		return newEngine(t, srv, otrs.Config{})
	})
}
