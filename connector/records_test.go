package connector_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// A list response without its records is an error, never an empty page: a
// bad token, a proxy or a changed API must not look like "everyone left".
func TestMissingRecordsAreErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		status  int
		body    string
		list    string // extra keys of the list call
		records int    // records imported
		err     string // "" when the import succeeds
	}{
		{name: "null", status: 200, body: `{"users":null}`, err: `call "people": HTTP 200: page 1: records at "users" are null`},
		{name: "missing", status: 200, body: `{"data":[{"id":"1"}]}`, err: `call "people": HTTP 200: page 1: records at "users" are missing`},
		{name: "null body", status: 200, body: `null`, err: `page 1: the response body is null`},
		{name: "200 without a body", status: 200, body: ``, err: `call "people": HTTP 200: page 1: the response has no body`},
		{name: "empty list", status: 200, body: `{"users":[]}`},
		{name: "records", status: 200, body: `{"users":[{"id":"1"},{"id":"2"}]}`, records: 2},
		{name: "204 No Content", status: 204},
		{name: "allowed: missing", status: 200, body: `{}`, list: `,"allowMissingRecords":true`},
		{name: "allowed: null", status: 200, body: `{"users":null}`, list: `,"allowMissingRecords":true`},
		{name: "allowed: no body", status: 200, list: `,"allowMissingRecords":true`},
		{name: "allowed: still not a list", status: 200, body: `{"users":"none"}`, list: `,"allowMissingRecords":true`, err: `records at "users" are a string, not a list`},
		{name: "scim: no Resources, totalResults 0", status: 200, body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0}`,
			list: `,"paging":{"type":"scim"}`},
		{name: "scim: null Resources, totalResults 0", status: 200, body: `{"totalResults":0,"Resources":null}`, list: `,"paging":{"type":"scim"}`},
		{name: "scim: no Resources, totalResults 5", status: 200, body: `{"totalResults":5,"startIndex":1,"itemsPerPage":5}`, list: `,"paging":{"type":"scim"}`,
			err: `page 1: records at "users" are missing`},
		{name: "scim: no Resources, no totalResults", status: 200, body: `{}`, list: `,"paging":{"type":"scim"}`, err: `are missing`},
		{name: "offset: no items, total 0", status: 200, body: `{"total":0}`, list: `,"paging":{"type":"offset","total":"total"}`, err: `are missing`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.body != "" {
					w.Header().Set("Content-Type", "application/json")
				}
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			}))
			defer srv.Close()
			e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
				"import":{"accounts":{"sources":[{"name":"people","path":"/p","records":"users"`+tt.list+`}],"id":"id"}}}`, srv.URL))
			require.NoError(t, err)
			got, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			assert.Len(t, got, tt.records)
			if tt.err == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
			var ce *connector.Error
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, "people", ce.Call)
			assert.Equal(t, tt.status, ce.StatusCode)
			assert.Equal(t, connector.Operation("importAccounts"), ce.Op)
		})
	}
}

// A later page without its records ends the import with an error naming
// that page, after the records of the pages before it.
func TestMissingRecordsOnALaterPage(t *testing.T) {
	t.Parallel()
	for _, k := range []int{1, 4} {
		t.Run(fmt.Sprint("k=", k), func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.URL.Query().Get("offset") {
				case "0":
					fmt.Fprint(w, `{"items":[{"id":"1"},{"id":"2"}],"total":6}`)
				case "2":
					fmt.Fprint(w, `{"items":null,"total":6}`)
				default:
					fmt.Fprint(w, `{"items":[{"id":"x"},{"id":"y"}],"total":6}`)
				}
			}))
			defer srv.Close()
			e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
				"import":{"accounts":{"sources":[{"name":"people","path":"/p","records":"items",
				"paging":{"type":"offset","sizeParam":"limit","size":2,"total":"total"}}],"id":"id"}}}`, srv.URL),
				connector.WithImportConcurrency(k))
			require.NoError(t, err)
			got, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{}))
			require.Len(t, got, 2)
			assert.EqualError(t, err, `restconn: importAccounts: call "people": HTTP 200: page 2: records at "items" are null`+
				` (a list response without its records is not an empty page; allowMissingRecords on the list call accepts it)`)
		})
	}
}

// Entitlement imports follow the same rule.
func TestMissingRecordsInImportAccess(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"teams":null}`)
	}))
	defer srv.Close()
	e, err := connector.New(spec(t, `{"name":"t","connection":{"baseURL":"$URL"},
		"import":{"entitlements":{"team":{"sources":[{"name":"teams","path":"/teams","records":"teams"}],"id":"id"}}}}`, srv.URL))
	require.NoError(t, err)
	_, err = connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{}))
	assert.ErrorContains(t, err, `importAccess: call "teams": HTTP 200: page 1: records at "teams" are null`)
}
