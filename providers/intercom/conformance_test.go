package intercom_test

import (
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/providers/intercom"
	"github.com/restconn/restconn/providers/intercom/intercomtest"
)

func TestConformance(t *testing.T) {
	srv := intercomtest.NewServer()
	defer srv.Close()
	connectortest.Run(t, func(t *testing.T) connector.Connector {
		eng, err := intercom.New(intercom.Config{Token: srv.Token, BaseURL: srv.URL, TicketTypeID: "1"},
			connector.WithHTTPClient(srv.Client()))
		if err != nil {
			t.Fatal(err)
		}
		return eng
	}, connectortest.CheckMembership())
}
