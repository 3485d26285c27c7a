package connector_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/restconn/restconn/connector"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGetWithBodySendsIt(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = string(b)
		fmt.Fprint(w, `{"items":[]}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},"connect":{"calls":[{"path":"/x","body":{"q":"x"}}]}}`, srv.URL))
	require.NoError(t, err)
	require.NoError(t, e.Connect(context.Background()))
	assert.Equal(t, `{"q":"x"}`, got)
}
