package saviynt_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/saviynt"
)

// construct is one Saviynt construct: a connection written from the format
// description, the API it talks to, what to do with the converted spec,
// and the exact requests the API must see.
type construct struct {
	name    string
	conn    string // attributes as a JSON object; each is handed over as JSON text
	params  map[string]any
	secrets map[string]string
	serve   func(w http.ResponseWriter, r *http.Request, body string)
	run     func(t *testing.T, eng *connector.Engine)
	want    []string
	warns   []string // each must be part of some warning
	spec    func(t *testing.T, s *connector.Spec)
}

// textConnection hands every attribute over as JSON text, as the platform
// exports it.
func textConnection(t *testing.T, src string) saviynt.Connection {
	t.Helper()
	var attrs map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(src), &attrs), "test connection")
	c := saviynt.Connection{}
	for k, v := range attrs {
		var s string
		if json.Unmarshal(v, &s) == nil {
			c[k] = s // already text (e.g. a deliberately broken attribute)
			continue
		}
		c[k] = string(v)
	}
	return c
}

func (tc construct) test(t *testing.T) {
	spec, warns, err := saviynt.Convert(textConnection(t, tc.conn))
	require.NoError(t, err)
	var all []string
	for _, w := range warns {
		all = append(all, w.String())
	}
	for _, w := range tc.warns {
		found := false
		for _, a := range all {
			found = found || strings.Contains(a, w)
		}
		assert.True(t, found, "no warning contains %q; warnings:\n%s", w, strings.Join(all, "\n"))
	}
	if tc.spec != nil {
		tc.spec(t, spec)
	}
	if tc.run == nil {
		return
	}
	b, err := json.Marshal(spec)
	require.NoError(t, err)
	parsed, err := connector.Parse(b)
	require.NoError(t, err, "%s", b)

	var mu sync.Mutex
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := record(r)
		mu.Lock()
		got = append(got, rec.String())
		mu.Unlock()
		tc.serve(w, r, rec.Body)
	}))
	defer srv.Close()
	params := map[string]any{"baseURL": srv.URL}
	for k, v := range tc.params {
		if s, ok := v.(string); ok {
			v = strings.ReplaceAll(s, "{srv}", srv.URL)
		}
		params[k] = v
	}
	eng, err := connector.New(parsed, connector.WithParams(params), connector.WithSecrets(tc.secrets),
		connector.WithHTTPClient(srv.Client()), connector.WithBackoff(func(min, max time.Duration, n int) time.Duration { return time.Millisecond }))
	require.NoError(t, err)
	tc.run(t, eng)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, tc.want, got)
}

func provisionOK(req connector.Request, want connector.Result) func(*testing.T, *connector.Engine) {
	return func(t *testing.T, eng *connector.Engine) {
		res, err := eng.Provision(context.Background(), req)
		require.NoError(t, err)
		if want.Attributes == nil {
			want.Attributes = map[string]any{}
		}
		assert.Equal(t, want, res)
	}
}

func accounts(want ...connector.Account) func(*testing.T, *connector.Engine) {
	return func(t *testing.T, eng *connector.Engine) {
		var got []connector.Account
		for a, err := range eng.ImportAccounts(context.Background(), connector.ImportOptions{}) {
			require.NoError(t, err)
			got = append(got, a)
		}
		assert.Equal(t, want, got)
	}
}

func ids(t *testing.T, eng *connector.Engine) []string {
	var out []string
	for a, err := range eng.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		require.NoError(t, err)
		out = append(out, a.ID)
	}
	return out
}

var create = connector.Request{Op: connector.CreateAccount, User: map[string]any{"username": "ann", "email": "ann@x.example"}}

func ok(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprint(w, body)
}

func TestAuthConstructs(t *testing.T) {
	for _, tc := range []construct{
		{
			name: "Basic from properties",
			conn: `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "Basic", "properties": {"userName": "svc", "password": "example"}, "httpParams": {}}}},
			        "CreateAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/users", "httpMethod": "POST",
			          "httpParams": "{\"name\": \"${user.username}\"}", "httpHeaders": {"Authorization": "${access_token}"}, "httpContentType": "application/json"}]}}`,
			secrets: map[string]string{"acctAuth_password": "pw"},
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run:     provisionOK(create, connector.Result{}),
			want:    []string{`POST /api/users [Authorization: Basic c3ZjOnB3] [Content-Type: application/json] {"name":"ann"}`},
			warns:   []string{`credential moved to secret "acctAuth_password"`},
		},
		{
			name: "maskInLogs becomes connection.mask",
			conn: `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "Basic", "properties": {"userName": "svc", "password": "example"}, "httpParams": {}, "maskInLogs": ["ssn", "ssn", "taxId"]}}},
			        "CreateAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/users", "httpMethod": "POST",
			          "httpParams": "{\"name\": \"${user.username}\", \"ssn\": \"${user.customproperty9}\"}", "httpContentType": "application/json"}]}}`,
			secrets: map[string]string{"acctAuth_password": "pw"},
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run: func(t *testing.T, eng *connector.Engine) {
				req := create
				req.User = map[string]any{"username": "ann", "customproperty9": "078-05-1120"}
				_, err := eng.Provision(context.Background(), req)
				require.NoError(t, err)
			},
			want: []string{`POST /api/users [Authorization: Basic c3ZjOnB3] [Content-Type: application/json] {"name":"ann","ssn":"078-05-1120"}`},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, []string{"ssn", "taxId"}, s.Connection.Mask)
			},
		},
		{
			name: "static access token with its prefix",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "oauth2", "accessToken": "Bearer example-token", "tokenType": "Bearer", "retryFailureStatusCode": [401]}}},
			        "CreateAccountJSON": {"call": [{"name": "c", "connection": "api", "url": "https://app.example.com/api/users", "httpMethod": "POST",
			          "httpParams": {"name": "${user.username}"}, "httpHeaders": {"Authorization": "${access_token}"}}]}}`,
			secrets: map[string]string{"api_accessToken": "t0k"},
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run:     provisionOK(create, connector.Result{}),
			want:    []string{`POST /api/users [Authorization: Bearer t0k] [Content-Type: application/x-www-form-urlencoded] name=ann`},
			warns:   []string{`pass the token without its "Bearer" prefix`},
		},
		{
			name: "token in a custom header",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "oauth2", "accessToken": "example", "tokenType": ""}}},
			        "EnableAccountJSON": {"call": [{"name": "c", "connection": "api", "url": "https://app.example.com/api/users/${account.accountID}/enable", "httpMethod": "PUT",
			          "httpHeaders": {"X-API-TOKEN": "${access_token}", "Accept": "application/json"}}]}}`,
			secrets: map[string]string{"api_accessToken": "k3y"},
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { w.WriteHeader(204) },
			run:     provisionOK(connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "a/1"}}, connector.Result{}),
			want:    []string{`PUT /api/users/a%2F1/enable [X-Api-Token: k3y]`},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, &connector.TokenPlacement{In: "header", Name: "X-API-TOKEN"}, s.Connection.Auth["api"].Inject)
			},
		},
		{
			name: "OAuth2 client credentials, renewed on 401",
			conn: `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "url": "https://login.example.com/token", "httpMethod": "POST",
			          "httpParams": {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "example", "audience": "api"},
			          "httpHeaders": {"Content-Type": "application/x-www-form-urlencoded"}, "tokenResponsePath": "access_token", "tokenType": "Bearer", "retryFailureStatusCode": [401]}}},
			        "DisableAccountJSON": {"call": [{"name": "c", "connection": "acctAuth", "url": "https://app.example.com/api/users/${account.accountID}/disable", "httpMethod": "POST",
			          "httpHeaders": {"Authorization": "${access_token}"}}]}}`,
			params:  map[string]any{"acctAuth_tokenURL": "{srv}/token"},
			secrets: map[string]string{"acctAuth_clientSecret": "cs"},
			serve: func() func(w http.ResponseWriter, r *http.Request, body string) {
				n := 0
				return func(w http.ResponseWriter, r *http.Request, body string) {
					if r.URL.Path == "/token" {
						n++
						ok(w, fmt.Sprintf(`{"access_token":"t%d","token_type":"Bearer","expires_in":3600}`, n))
						return
					}
					if r.Header.Get("Authorization") != "Bearer t2" {
						w.WriteHeader(401)
						return
					}
					w.WriteHeader(204)
				}
			}(),
			run: provisionOK(connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": "7"}}, connector.Result{}),
			want: []string{
				`POST /token [Content-Type: application/x-www-form-urlencoded] audience=api&client_id=cid&client_secret=cs&grant_type=client_credentials`,
				`POST /api/users/7/disable [Authorization: Bearer t1]`,
				`POST /token [Content-Type: application/x-www-form-urlencoded] audience=api&client_id=cid&client_secret=cs&grant_type=client_credentials`,
				`POST /api/users/7/disable [Authorization: Bearer t2]`,
			},
		},
		{
			name: "session from a JSON token call; an error text in a 200 renews it",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "oauth2", "url": "https://app.example.com/auth/login", "httpMethod": "POST",
			          "httpParams": "{\"user\": \"${userName}\", \"secret\": \"${password}\", \"realm\": \"main\"}", "httpContentType": "application/json",
			          "properties": {"userName": "svc", "password": "example"}, "tokenResponsePath": "data.sessionId", "tokenType": "",
			          "expiryError": "Session expired", "errorPath": "status.message"}}},
			        "RemoveAccountJSON": {"call": [{"name": "c", "connection": "api", "url": "https://app.example.com/api/users/${account.accountID}?session=${access_token}", "httpMethod": "DELETE",
			          "httpHeaders": {"Authorization": "${access_token}"}, "unsuccessResponses": {"status.message": "Session expired"}}]}}`,
			secrets: map[string]string{"api_password": "pw"},
			serve: func() func(w http.ResponseWriter, r *http.Request, body string) {
				n := 0
				return func(w http.ResponseWriter, r *http.Request, body string) {
					if r.URL.Path == "/auth/login" {
						n++
						ok(w, fmt.Sprintf(`{"data":{"sessionId":"s%d"}}`, n))
						return
					}
					if r.Header.Get("Authorization") != "s2" {
						ok(w, `{"status":{"message":"Session expired"}}`)
						return
					}
					ok(w, `{"status":{"message":"deleted"}}`)
				}
			}(),
			run: provisionOK(connector.Request{Op: connector.RemoveAccount, Account: map[string]any{"id": "9"}}, connector.Result{}),
			want: []string{
				`POST /auth/login [Content-Type: application/json] {"realm":"main","secret":"pw","user":"svc"}`,
				`DELETE /api/users/9?session=s1 [Authorization: s1]`,
				`POST /auth/login [Content-Type: application/json] {"realm":"main","secret":"pw","user":"svc"}`,
				`DELETE /api/users/9?session=s2 [Authorization: s2]`,
			},
		},
		{
			name: "BasicWithAccessToken: a token from a header, fetched with Basic credentials",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "BasicWithAccessToken", "url": "https://app.example.com/auth/token", "httpMethod": "GET",
			          "properties": {"userName": "svc", "password": "example"}, "tokenResponsePath": "#HEADERS#X-Auth-Token", "tokenType": "Token"}}},
			        "EnableAccountJSON": {"call": [{"name": "c", "connection": "api", "url": "https://app.example.com/api/users/${account.accountID}/on", "httpMethod": "POST",
			          "httpHeaders": {"Authorization": "${access_token}"}, "successResponses": {"statusCode": 202}}]}}`,
			secrets: map[string]string{"api_password": "pw"},
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/auth/token" {
					w.Header().Set("X-Auth-Token", "tk-1")
					w.WriteHeader(200)
					return
				}
				w.WriteHeader(202)
			},
			run: provisionOK(connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "3"}}, connector.Result{}),
			want: []string{
				`GET /auth/token [Authorization: Basic c3ZjOnB3]`,
				`POST /api/users/3/on [Authorization: Token tk-1]`,
			},
		},
		{
			name: "an auth type restconn lacks leaves its calls out",
			conn: `{"ConnectionJSON": {"authentications": {"hmac": {"authType": "BasicWithHmac", "properties": {"IKEY": "i", "SKEY": "s"}}, "api": {"authType": "Basic", "properties": {"userName": "u", "password": "p"}}}},
			        "CreateAccountJSON": {"call": [{"name": "c", "connection": "hmac", "url": "https://app.example.com/api/users", "httpMethod": "POST"}]},
			        "EnableAccountJSON": {"call": [{"name": "c", "connection": "api", "url": "https://app.example.com/api/users/${account.accountID}/on", "httpMethod": "POST"}]}}`,
			secrets: map[string]string{"api_password": "p"},
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { w.WriteHeader(204) },
			run: func(t *testing.T, eng *connector.Engine) {
				_, err := eng.Provision(context.Background(), create)
				assert.ErrorIs(t, err, connector.ErrUnsupported)
			},
			want:  nil,
			warns: []string{"restconn has no BasicWithHmac auth", `CreateAccountJSON call[0].connection: operation left out: auth block "hmac" cannot be converted`},
		},
		{
			name: "rate limit and test connection",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "oauth2", "accessToken": "Bearer example", "tokenType": "Bearer",
			          "apiRateLimitConfig": {"retryAfterCalls": 100, "retryWaitSeconds": 60},
			          "testConnectionParams": {"http": {"url": "https://app.example.com/api/ping", "httpMethod": "GET", "httpHeaders": {"Authorization": "${access_token}"}},
			            "successResponse": ["pong"], "successResponsePath": "reply"}}}}}`,
			secrets: map[string]string{"api_accessToken": "t"},
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{"reply":"pong"}`) },
			run:     func(t *testing.T, eng *connector.Engine) { require.NoError(t, eng.Connect(context.Background())) },
			want:    []string{`GET /api/ping [Authorization: Bearer t]`},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, &connector.RateLimit{RequestsPerSecond: 100.0 / 60, Burst: 100}, s.Connection.RateLimit)
			},
		},
	} {
		t.Run(tc.name, tc.test)
	}
}

func TestImportConstructs(t *testing.T) {
	conn := `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "accessToken": "Bearer example", "tokenType": "Bearer"}}}, `
	secrets := map[string]string{"acctAuth_accessToken": "t"}
	for _, tc := range []construct{
		{
			name: "offset paging with a total, constants, indexes and ~dot# keys",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"connection": "acctAuth", "call": {"call1": {"callOrder": 0,
			    "http": {"url": "https://app.example.com/api/users?fields=all", "httpMethod": "GET", "httpHeaders": {"Authorization": "${access_token}"}},
			    "listField": "data.items", "keyField": "accountID",
			    "colsToPropsMap": {"accountID": "uid~#~char", "name": "login", "customproperty1": "#CONST#Contractor~#~char", "customproperty2": "phones[1]~#~char",
			      "customproperty3": "attrs.odata~dot#type~#~char", "customproperty4": "#CONST#true~#~bool"},
			    "pagination": {"offset": {"offsetParam": "start", "batchParam": "limit", "batchSize": 2, "totalCountPath": "completeResponseMap.data.total"}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				switch r.URL.Query().Get("start") {
				case "0":
					ok(w, `{"data":{"total":3,"items":[{"uid":1,"login":"a","phones":["x","y"],"attrs":{"odata.type":"user"}},{"uid":2,"login":"b"}]}}`)
				default:
					ok(w, `{"data":{"total":3,"items":[{"uid":3,"login":"c"}]}}`)
				}
			},
			run: accounts(
				connector.Account{ID: "1", Name: "a", Active: true, Attributes: map[string]any{"customproperty1": "Contractor", "customproperty2": "y", "customproperty3": "user", "customproperty4": true}},
				connector.Account{ID: "2", Name: "b", Active: true, Attributes: map[string]any{"customproperty1": "Contractor", "customproperty4": true}},
				connector.Account{ID: "3", Name: "c", Active: true, Attributes: map[string]any{"customproperty1": "Contractor", "customproperty4": true}},
			),
			want: []string{
				`GET /api/users?fields=all&limit=2&start=0 [Authorization: Bearer t]`,
				`GET /api/users?fields=all&limit=2&start=2 [Authorization: Bearer t]`,
			},
		},
		{
			name: "page paging counted in records ends on an empty page",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {
			    "http": {"url": "https://app.example.com/api/users", "httpHeaders": {"Authorization": "${access_token}"}}, "listField": "",
			    "colsToPropsMap": {"accountID": "id", "name": "name"},
			    "pagination": {"page": {"pageSizeParam": "size", "pageSize": 2, "pageNumberParam": "p", "totalCountPath": "completeResponseMap.meta.total", "firstPageNumber": 0}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				switch r.URL.Query().Get("p") {
				case "0":
					ok(w, `[{"id":"1","name":"a"}]`) // the server gives fewer than asked
				case "1":
					ok(w, `[{"id":"2","name":"b"}]`)
				default:
					ok(w, `[]`)
				}
			},
			run: func(t *testing.T, eng *connector.Engine) { assert.Equal(t, []string{"1", "2"}, ids(t, eng)) },
			want: []string{
				`GET /api/users?p=0&size=2 [Authorization: Bearer t]`,
				`GET /api/users?p=1&size=2 [Authorization: Bearer t]`,
				`GET /api/users?p=2&size=2 [Authorization: Bearer t]`,
			},
			warns: []string{"totalCountPath: not used: it counts records"},
		},
		{
			name: "OData next link",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {
			    "http": {"url": "https://app.example.com/v1.0/users?$select=id,mail&$top=1", "httpHeaders": {"Authorization": "${access_token}"}}, "listField": "value",
			    "colsToPropsMap": {"accountID": "id", "name": "mail"},
			    "pagination": {"nextUrl": {"nextUrlPath": "${(response?.completeResponseMap?.get('@odata.nextLink')==null)? null : response?.completeResponseMap?.get('@odata.nextLink')}"}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Query().Get("$skiptoken") == "" {
					ok(w, `{"value":[{"id":"1","mail":"a@x"}],"@odata.nextLink":"http://`+r.Host+`/v1.0/users?$skiptoken=X1"}`)
					return
				}
				ok(w, `{"value":[{"id":"2","mail":"b@x"}]}`)
			},
			run: func(t *testing.T, eng *connector.Engine) { assert.Equal(t, []string{"1", "2"}, ids(t, eng)) },
			want: []string{
				`GET /v1.0/users?%24select=id%2Cmail&%24top=1 [Authorization: Bearer t]`,
				`GET /v1.0/users?%24skiptoken=X1 [Authorization: Bearer t]`,
			},
		},
		{
			name: "Link header",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {
			    "http": {"url": "https://app.example.com/api/employees?per_page=1", "httpHeaders": {"Authorization": "${access_token}"}}, "listField": "",
			    "colsToPropsMap": {"accountID": "id~#~char", "name": "email"},
			    "pagination": {"nextUrl": {"nextUrlPath": "${headers?.toString().contains('link')?headers?.link?.replace('<', '')?.replace('>; rel=\"next\"','')?.trim():null}"}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Query().Get("page") == "" {
					w.Header().Set("Link", `<http://`+r.Host+`/api/employees?per_page=1&page=2>; rel="next"`)
					ok(w, `[{"id":1,"email":"a@x"}]`)
					return
				}
				ok(w, `[{"id":2,"email":"b@x"}]`)
			},
			run: func(t *testing.T, eng *connector.Engine) { assert.Equal(t, []string{"1", "2"}, ids(t, eng)) },
			want: []string{
				`GET /api/employees?per_page=1 [Authorization: Bearer t]`,
				`GET /api/employees?page=2&per_page=1 [Authorization: Bearer t]`,
			},
		},
		{
			name: "SCIM startIndex computed with Math.addExact",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {
			    "http": {"url": "https://app.example.com/scim/Users?startIndex=1&count=2", "httpHeaders": {"Authorization": "${access_token}"}}, "listField": "Resources",
			    "colsToPropsMap": {"accountID": "id", "name": "userName", "status": "active~#~bool"}, "statusConfig": {"active": [true], "inactive": [false]},
			    "pagination": {"nextUrl": {"nextUrlPath": "${response?.objectList?.size()>0?'https://app.example.com/scim/Users?startIndex='+Math.addExact(response.completeResponseMap.itemsPerPage,response.completeResponseMap.startIndex)+'&count='+response.completeResponseMap.itemsPerPage:null}"}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Query().Get("startIndex") == "1" {
					ok(w, `{"totalResults":3,"itemsPerPage":2,"startIndex":1,"Resources":[{"id":"1","userName":"a","active":true},{"id":"2","userName":"b","active":false}]}`)
					return
				}
				ok(w, `{"totalResults":3,"itemsPerPage":1,"startIndex":3,"Resources":[{"id":"3","userName":"c"}]}`)
			},
			run: accounts(
				connector.Account{ID: "1", Name: "a", Active: true, Attributes: map[string]any{"status": true}},
				connector.Account{ID: "2", Name: "b", Active: false, Attributes: map[string]any{"status": false}},
				connector.Account{ID: "3", Name: "c", Active: true, Attributes: map[string]any{}},
			),
			want: []string{
				`GET /scim/Users?count=2&startIndex=1 [Authorization: Bearer t]`,
				`GET /scim/Users?count=2&startIndex=3 [Authorization: Bearer t]`,
			},
		},
		{
			name: "a next URL restconn cannot compute leaves the import out",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {
			    "http": {"url": "https://app.example.com/api/users"}, "listField": "",
			    "colsToPropsMap": {"accountID": "id"},
			    "pagination": {"nextUrl": {"nextUrlPath": "${headers?.X-Current-Page==null?null:'https://app.example.com/api/users?page='+Math.addExact(headers?.X-Current-Page,1)}"}}}}}},
			    "EnableAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/users/${account.accountID}/on", "httpMethod": "POST"}]}}`,
			warns: []string{"ImportAccountEntJSON accountParams.call.call1.pagination.nextUrl.nextUrlPath: account import left out"},
			spec:  func(t *testing.T, s *connector.Spec) { assert.Nil(t, s.Import) },
		},
		{
			name: "links in the account payload; members in the entitlement payload",
			conn: conn + `"ImportAccountEntJSON": {
			    "accountParams": {"call": {"call1": {"http": {"url": "https://app.example.com/api/users"}, "listField": "users",
			      "colsToPropsMap": {"accountID": "id", "name": "login", "customproperty31": "STORE#ACC#ENT#MAPPINGINFO~#~char"}}},
			      "acctEntMappings": {"Team": {"listPath": "teams", "idPath": "", "keyField": "entitlementID", "importAsEntitlement": true}}},
			    "entitlementParams": {"entTypes": {"Team": {"call": {}},
			      "Project": {"call": {"call1": {"http": {"url": "https://app.example.com/api/projects"}, "listField": "projects",
			        "colsToPropsMap": {"entitlementID": "key", "entitlement_value": "title", "acctEntMappingInfoColumnFromEnt": "STORE#ACC#ENT#MAPPINGINFO~#~char"}}},
			        "acctEntMappings": {"listField": "people", "idPath": "ref.id", "keyField": "accountID"}}}},
			    "acctEntParams": {"processingType": "acctToEntMapping"}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/api/users" {
					ok(w, `{"users":[{"id":"u1","login":"a","teams":["t1","t2"]},{"id":"u2","login":"b","teams":"t2"}]}`)
					return
				}
				ok(w, `{"projects":[{"key":"P1","title":"Apollo","people":[{"ref":{"id":"u1"}},{"ref":{}}]}]}`)
			},
			run: func(t *testing.T, eng *connector.Engine) {
				var got []connector.Entitlement
				for e, err := range eng.ImportAccess(context.Background(), connector.ImportOptions{}) {
					require.NoError(t, err)
					got = append(got, e)
				}
				assert.Equal(t, []connector.Entitlement{
					{Type: "Project", ID: "P1", Name: "Apollo", Attributes: map[string]any{}, Members: []string{"u1"}},
					{Type: "Team", ID: "t1", Name: "t1", Attributes: map[string]any{}, Members: []string{"u1"}},
					{Type: "Team", ID: "t2", Name: "t2", Attributes: map[string]any{}, Members: []string{"u1", "u2"}},
				}, got)
			},
			want: []string{`GET /api/projects [Authorization: Bearer t]`, `GET /api/users [Authorization: Bearer t]`},
		},
		{
			name: "two list calls (active and disabled users) are two sources",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {
			    "call1": {"callOrder": 0, "http": {"url": "https://app.example.com/api/users?state=active"}, "listField": "", "colsToPropsMap": {"accountID": "id", "name": "login"}},
			    "call2": {"callOrder": 1, "http": {"url": "https://app.example.com/api/users?state=disabled"}, "listField": "", "colsToPropsMap": {"accountID": "id", "name": "login"}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Query().Get("state") == "active" {
					ok(w, `[{"id":"1","login":"a"},{"id":"2","login":"b"}]`)
					return
				}
				ok(w, `[{"id":"2","login":"b"},{"id":"3","login":"c"}]`)
			},
			run:  func(t *testing.T, eng *connector.Engine) { assert.Equal(t, []string{"1", "2", "3"}, ids(t, eng)) },
			want: []string{`GET /api/users?state=active [Authorization: Bearer t]`, `GET /api/users?state=disabled [Authorization: Bearer t]`},
		},
		{
			name: "list calls that map columns differently leave the import out",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {
			    "call1": {"callOrder": 0, "http": {"url": "https://app.example.com/api/users"}, "listField": "", "colsToPropsMap": {"accountID": "id", "name": "login"}},
			    "call2": {"callOrder": 1, "http": {"url": "https://app.example.com/api/bots"}, "listField": "", "colsToPropsMap": {"accountID": "botId", "name": "label"}}}}},
			    "EnableAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/on", "httpMethod": "POST"}]}}`,
			warns: []string{"accountParams.call.call2.colsToPropsMap: account import left out: it maps columns unlike the first call"},
			spec:  func(t *testing.T, s *connector.Spec) { assert.Nil(t, s.Import) },
		},
		{
			name: "a dependent call that reads each record in full becomes a detail call",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {
			    "call1": {"callOrder": 0, "http": {"url": "https://app.example.com/api/users"}, "listField": "ids", "colsToPropsMap": {"accountID": "id~#~char"}},
			    "call2": {"callOrder": 1, "stageNumber": 3, "inputParams": {"dependentCall": true}, "nextApiKeyField": "accountID",
			      "http": {"url": "https://app.example.com/api/users/${accountID}", "httpHeaders": {"Authorization": "${access_token}"}}, "listField": "user",
			      "colsToPropsMap": {"accountID": "id~#~char", "name": "login", "customproperty1": "dept"}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/api/users" {
					ok(w, `{"ids":[{"id":7}]}`)
					return
				}
				ok(w, `{"user":{"id":7,"login":"g","dept":"R&D"}}`)
			},
			run:  accounts(connector.Account{ID: "7", Name: "g", Active: true, Attributes: map[string]any{"customproperty1": "R&D"}}),
			want: []string{`GET /api/users [Authorization: Bearer t]`, `GET /api/users/7 [Authorization: Bearer t]`},
		},
	} {
		t.Run(tc.name, tc.test)
	}
}

func TestProvisionConstructs(t *testing.T) {
	conn := `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "accessToken": "Bearer example", "tokenType": "Bearer"}}}, `
	secrets := map[string]string{"acctAuth_accessToken": "t"}
	for _, tc := range []construct{
		{
			name: "a form body written as a string; the query is split into parameters",
			conn: conn + `"UpdateAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/users/${account.accountID}?notify=${user?.email != null}&note=a%26b",
			    "httpMethod": "POST", "httpParams": "title=${account.title}&dept=${user.department.toUpperCase()}&flag=1", "httpContentType": "application/x-www-form-urlencoded"}]}}`,
			secrets: secrets,
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run: provisionOK(connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "5", "title": "Q&A lead"}, User: map[string]any{"department": "sales & ops"}},
				connector.Result{}),
			want: []string{`POST /api/users/5?note=a%26b&notify=false [Authorization: Bearer t] [Content-Type: application/x-www-form-urlencoded] dept=SALES+%26+OPS&flag=1&title=Q%26A+lead`},
		},
		{
			name: "an httpParams object sent as JSON, GETWITHBODY, a literal API key",
			conn: conn + `"UpdateAccountJSON": {"call": [{"name": "find", "url": "https://app.example.com/api/search", "httpMethod": "GETWITHBODY",
			    "httpParams": {"filter": {"id": "${account.accountID}"}, "limit": 1}, "httpContentType": "application/json", "httpHeaders": {"x-api-key": "literal-key"}},
			    {"name": "set", "url": "https://app.example.com/api/users/${response.find.message.hits[0].uuid}", "httpMethod": "PUT",
			    "httpParams": "{\"title\": \"${account.title}\", \"seen\": ${response.find.message.hits[0].seen}, \"count\": \"${response.find.message.total}\"}",
			    "httpContentType": "application/json"}]}}`,
			secrets: map[string]string{"acctAuth_accessToken": "t", "find_x_api_key": "k"},
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/api/search" {
					ok(w, `{"total":1,"hits":[{"uuid":"U-1","seen":true}]}`)
					return
				}
				ok(w, `{}`)
			},
			run: provisionOK(connector.Request{Op: connector.UpdateAccount, Account: map[string]any{"id": "5", "title": "Lead"}}, connector.Result{}),
			want: []string{
				`GET /api/search [Authorization: Bearer t] [Content-Type: application/json] [X-Api-Key: k] {"filter":{"id":"5"},"limit":1}`,
				`PUT /api/users/U-1 [Authorization: Bearer t] [Content-Type: application/json] {"count":"1","seen":true,"title":"Lead"}`,
			},
			warns: []string{`credential moved to secret "find_x_api_key"`},
		},
		{
			name: "an error inside a 200 fails the call",
			conn: conn + `"DisableAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/users/${account.accountID}/disable", "httpMethod": "POST",
			    "successResponses": {"statusCode": [200]}, "unsuccessResponses": {"odata~dot#error.code": ["Request_BadRequest", "Request_ResourceNotFound"]}}]}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				ok(w, `{"odata.error":{"code":"Request_ResourceNotFound"}}`)
			},
			run: func(t *testing.T, eng *connector.Engine) {
				_, err := eng.Provision(context.Background(), connector.Request{Op: connector.DisableAccount, Account: map[string]any{"id": "5"}})
				var ce *connector.Error
				require.True(t, errors.As(err, &ce), "%v", err)
				assert.Equal(t, 200, ce.StatusCode)
			},
			want: []string{`POST /api/users/5/disable [Authorization: Bearer t]`},
		},
		{
			name: "a success that needs a body value",
			conn: conn + `"EnableAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/process", "httpMethod": "POST",
			    "httpParams": "{\"user\": \"${account.accountID}\"}", "httpContentType": "application/json",
			    "successResponses": [{"ProcessExecuteStatusCode": ["CompletedSuccessfully"]}]}]}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				ok(w, `{"ProcessExecuteStatusCode":"Failed"}`)
			},
			run: func(t *testing.T, eng *connector.Engine) {
				_, err := eng.Provision(context.Background(), connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "5"}})
				assert.Error(t, err)
			},
			want: []string{`POST /api/process [Authorization: Bearer t] [Content-Type: application/json] {"user":"5"}`},
		},
		{
			name: "account ID and attributes from the response",
			conn: conn + `"CreateAccountJSON": {"accountIdPath": "call1.message.result.sys_id",
			    "responseColsToPropsMap": {"customproperty1": "call1.message.result.number~#~char", "customproperty2": "call1.message.result.seq~#~int", "customproperty3": "call1.message.result.none~#~char"},
			    "call": [{"name": "call1", "url": "https://app.example.com/api/now/table/sys_user", "httpMethod": "POST",
			      "httpParams": "{\"user_name\": \"${user.username}\", \"email\": \"${user.email}\"}", "httpContentType": "application/json", "successResponses": {"statusCode": [201]}}]}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				w.WriteHeader(201)
				ok(w, `{"result":{"sys_id":"abc123","number":42,"seq":"7"}}`)
			},
			run: provisionOK(create, connector.Result{AccountID: "abc123", Attributes: map[string]any{"customproperty1": "42", "customproperty2": "7"}}),
			want: []string{
				`POST /api/now/table/sys_user [Authorization: Bearer t] [Content-Type: application/json] {"email":"ann@x.example","user_name":"ann"}`,
			},
		},
		{
			name: "a closure is never sent: the operation is left out",
			conn: conn + `"RemoveAccessJSON": {"call": [{"name": "Role", "url": "https://app.example.com/api/users/${account.accountID}", "httpMethod": "PUT",
			    "httpParams": "{\"Roles\":[${List l = response.get.message.Roles.collect{it.toString()}; return l;}]}", "httpContentType": "application/json"}]},
			    "EnableAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/on", "httpMethod": "POST"}]}}`,
			secrets: secrets,
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run: func(t *testing.T, eng *connector.Engine) {
				_, err := eng.Provision(context.Background(), connector.Request{Op: connector.RemoveAccess, Account: map[string]any{"id": "1"}, Entitlement: &connector.Entitlement{Type: "Role", ID: "r"}})
				assert.ErrorIs(t, err, connector.ErrUnsupported)
			},
			warns: []string{"RemoveAccessJSON call[0].httpParams.Roles[0]: operation left out: cannot translate the expression: a declaration"},
		},
		{
			name: "a computed HTTP method leaves the operation out",
			conn: conn + `"AddAccessJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/x", "httpMethod": "${requestAccessAttributes.op==null?'PUT':'POST'}"}]},
			    "EnableAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/on", "httpMethod": "POST"}]}}`,
			warns: []string{"AddAccessJSON call[0].httpMethod: operation left out: a computed HTTP method"},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.NotContains(t, s.Provision, connector.AddAccess)
			},
		},
		{
			name: "operations without a JSON are fulfilled by a ticket",
			conn: conn + `"CreateTicketJSON": {"ticketidPath": "result.number", "call": [{"name": "call1", "url": "https://app.example.com/api/now/table/incident", "httpMethod": "POST",
			      "httpParams": "{\"short_description\": \"Please ${task.source == 'REQUEST' ? 'create' : 'handle'} ${user.username}\"}", "httpContentType": "application/json"}]},
			    "TicketStatusJSON": {"ticketStatusPath": "call1.message.result.state", "ticketStatusValue": ["Closed Complete", "Resolved"],
			      "call": [{"name": "call1", "url": "https://app.example.com/api/now/table/incident?number=${ticketID}", "httpMethod": "GET"}]}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.Method == "POST" {
					ok(w, `{"result":{"number":"INC001"}}`)
					return
				}
				ok(w, `{"result":{"state":"In Progress"}}`)
			},
			run: func(t *testing.T, eng *connector.Engine) {
				res, err := eng.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"username": "ann"}, Task: map[string]any{"source": "REQUEST"}})
				require.NoError(t, err)
				assert.Equal(t, &connector.Ticket{ID: "INC001", State: connector.TicketPending}, res.Ticket)
				tk, err := eng.TicketStatus(context.Background(), "INC001")
				require.NoError(t, err)
				assert.Equal(t, connector.Ticket{ID: "INC001", State: connector.TicketOpen, Status: "In Progress"}, tk)
			},
			want: []string{
				`POST /api/now/table/incident [Authorization: Bearer t] [Content-Type: application/json] {"short_description":"Please create ann"}`,
				`GET /api/now/table/incident?number=INC001 [Authorization: Bearer t]`,
			},
			warns: []string{
				"CreateAccountJSON: absent: createAccount is fulfilled by a ticket",
				"read as the statuses of a finished ticket (Closed Complete, Resolved)",
				"task.source reads .task.source: the caller must pass it in Request.Task",
			},
		},
	} {
		t.Run(tc.name, tc.test)
	}
}

func TestDecodeTolerance(t *testing.T) {
	t.Run("trailing commas, contentType, scalar statusCode", func(t *testing.T) {
		c := saviynt.Connection{
			"ConnectionJSON": `{"authentications": {"a": {"authType": "Basic", "properties": {"userName": "u", "password": "p",},},},}`,
			"EnableAccountJSON": map[string]any{"call": []any{map[string]any{"name": "c", "url": "https://app.example.com/on/${account.accountID}", "httpMethod": "POST",
				"httpParams": `{"x": "${account.name}"}`, "httpHeaders": map[string]any{"contentType": "application/json"}, "successResponses": map[string]any{"statusCode": 204}}}},
		}
		spec, warns, err := saviynt.Convert(c)
		require.NoError(t, err)
		call := spec.Provision[connector.EnableAccount].Calls[0]
		assert.Equal(t, map[string]any{"x": "{{ .account.name }}"}, call.Body)
		assert.Nil(t, call.Headers, "application/json is the engine's default for a JSON body")
		assert.Equal(t, &connector.Rule{Status: []int{204}}, call.Success)
		assert.Contains(t, fmt.Sprint(warns), "read after removing trailing commas")
	})
	t.Run("an attribute that does not parse is left out", func(t *testing.T) {
		c := saviynt.Connection{
			"ConnectionJSON":    `{"authentications": {"a": {"authType": "Basic", "properties": {"userName": "u"}}}}`,
			"CreateAccountJSON": `{"call": [ {"name": `,
			"EnableAccountJSON": `{"call": [{"url": "https://app.example.com/on", "httpMethod": "POST"}]}`,
			"MyCustomJSON":      `{}`,
		}
		spec, warns, err := saviynt.Convert(c)
		require.NoError(t, err)
		assert.Contains(t, spec.Provision, connector.EnableAccount)
		assert.NotContains(t, spec.Provision, connector.CreateAccount)
		assert.Contains(t, fmt.Sprint(warns), "CreateAccountJSON: left out: not valid JSON")
		assert.Contains(t, fmt.Sprint(warns), "MyCustomJSON: not converted")
	})
	t.Run("nothing usable is an error", func(t *testing.T) {
		for _, c := range []saviynt.Connection{
			{},
			{"ConnectionJSON": "not json"},
			{"ConnectionJSON": `{"authentications": {"a": {"authType": "Basic", "properties": {"userName": "u"}}}}`},
			{"CreateAccountJSON": `{"call": [{"httpMethod": "POST"}]}`},
		} {
			_, _, err := saviynt.Convert(c)
			assert.ErrorIs(t, err, saviynt.ErrNothingUsable, "%v", c)
		}
	})
}

// The ticket attributes read their calls as the operations do: a call
// that is not an object leaves the part out rather than half convert it,
// and ticketIdPath is read as ticketidPath, not warned about.
func TestTicketCallList(t *testing.T) {
	spec, warns, err := saviynt.Convert(saviynt.Connection{
		"CreateTicketJSON": `{"ticketIdPath": "result.number", "call": [{"name": "call1", "url": "https://app.example.com/api/incident", "httpMethod": "POST"}]}`,
		"TicketStatusJSON": `{"ticketStatusPath": "result.state", "ticketStatusValue": ["Open"],
		  "call": [{"name": "call1", "url": "https://app.example.com/api/incident/${ticketID}", "httpMethod": "GET"}, "call2"]}`,
	})
	require.NoError(t, err)
	require.NotNil(t, spec.Tickets)
	require.NotNil(t, spec.Tickets.Create)
	assert.Equal(t, `{{ opt .responses "call1" "body" "result" "number" }}`, spec.Tickets.Create.ID)
	assert.Nil(t, spec.Tickets.Status)
	var ticketWarns []saviynt.Warning // the others say which operations a ticket fulfils
	for _, w := range warns {
		if w.Attribute == "CreateTicketJSON" || w.Attribute == "TicketStatusJSON" {
			ticketWarns = append(ticketWarns, w)
		}
	}
	assert.Equal(t, []saviynt.Warning{
		{Attribute: "TicketStatusJSON", Path: "call[1]", Message: "ticket status left out: a call must be an object"},
	}, ticketWarns)
}

// Saviynt's own ticket connector packages write ticketidPath,
// ticketStatusPath, ticketStatusValue and disContinueStatusValue inside
// the call rather than beside "call". A path written in a call reads that
// call's response (not the chain's last), and discontinued statuses reject
// the ticket.
func TestTicketMembersInCall(t *testing.T) {
	conn := `{"ConnectionJSON": {"authentications": {"deskAuth": {"authType": "oauth2", "accessToken": "Bearer example", "tokenType": "Bearer"}}},
	  "CreateTicketJSON": {"call": [
	    {"name": "open", "connection": "deskAuth", "url": "https://desk.example.com/v2/cases", "httpMethod": "POST",
	      "httpParams": "{\"subject\": \"Access for ${user.username}\"}", "httpHeaders": {"Authorization": "${access_token}"},
	      "httpContentType": "application/json", "ticketidPath": "case.ref", "successResponses": {"statusCode": [201]}},
	    {"name": "note", "connection": "deskAuth", "url": "https://desk.example.com/v2/cases/${response.open.message.case.ref}/notes", "httpMethod": "POST",
	      "httpParams": "{\"text\": \"filed by IGA\"}", "httpHeaders": {"Authorization": "${access_token}"}, "httpContentType": "application/json"}]},
	  "TicketStatusJSON": {"call": [{"name": "read", "connection": "deskAuth", "url": "https://desk.example.com/v2/cases/${ticketID}", "httpMethod": "GET",
	      "httpHeaders": {"Authorization": "${access_token}"}, "ticketStatusPath": "case.phase",
	      "ticketStatusValue": ["Done", "Closed"], "disContinueStatusValue": ["Withdrawn"]}]}}`
	phases := map[string]string{"C-1": "Done", "C-2": "Withdrawn", "C-3": "Triage"}
	construct{
		conn:    conn,
		secrets: map[string]string{"deskAuth_accessToken": "t"},
		serve: func(w http.ResponseWriter, r *http.Request, body string) {
			switch {
			case r.URL.Path == "/v2/cases":
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(201)
				fmt.Fprint(w, `{"case":{"ref":"C-1"}}`)
			case strings.HasSuffix(r.URL.Path, "/notes"):
				ok(w, `{"note":{"ref":"N-9"}}`)
			default:
				ok(w, `{"case":{"phase":"`+phases[strings.TrimPrefix(r.URL.Path, "/v2/cases/")]+`"}}`)
			}
		},
		run: func(t *testing.T, eng *connector.Engine) {
			res, err := eng.Provision(context.Background(), connector.Request{Op: connector.CreateAccount, User: map[string]any{"username": "ann"}})
			require.NoError(t, err)
			require.NotNil(t, res.Ticket)
			assert.Equal(t, "C-1", res.Ticket.ID)
			for _, c := range []struct {
				id   string
				want connector.TicketState
			}{{"C-1", connector.TicketCompleted}, {"C-2", connector.TicketRejected}, {"C-3", connector.TicketOpen}} {
				tk, err := eng.TicketStatus(context.Background(), c.id)
				require.NoError(t, err, c.id)
				assert.Equal(t, c.want, tk.State, c.id)
			}
		},
		want: []string{
			`POST /v2/cases [Authorization: Bearer t] [Content-Type: application/json] {"subject":"Access for ann"}`,
			`POST /v2/cases/C-1/notes [Authorization: Bearer t] [Content-Type: application/json] {"text":"filed by IGA"}`,
			`GET /v2/cases/C-1 [Authorization: Bearer t]`,
			`GET /v2/cases/C-2 [Authorization: Bearer t]`,
			`GET /v2/cases/C-3 [Authorization: Bearer t]`,
		},
		warns: []string{"TicketStatusJSON call[0].ticketStatusValue: read as the statuses of a finished ticket (Done, Closed)"},
		spec: func(t *testing.T, s *connector.Spec) {
			require.NotNil(t, s.Tickets)
			require.NotNil(t, s.Tickets.Create)
			require.NotNil(t, s.Tickets.Status)
		},
	}.test(t)
}

// URLs as Saviynt's published connector packages write them: the host a
// package-import placeholder (@HOSTURL@/..., @URL@v1/...), placeholders in
// the path or query, or a path only. None of it may reach the target as
// text: each placeholder is a required parameter, and a path only is
// relative to the base URL.
func TestPackageURLs(t *testing.T) {
	auth := `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "accessToken": "Bearer example", "tokenType": "Bearer"}}}, `
	secrets := map[string]string{"acctAuth_accessToken": "t"}
	enable := connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "u7"}}
	for _, tc := range []construct{
		{
			name: "placeholder host, placeholders in path and query",
			conn: auth + `"EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": " @HOSTURL@/orgs/@ORG_ID@/members/${account.accountID}?realm=@REALM@&x=1",
			    "httpMethod": "POST", "httpHeaders": {"Authorization": "${access_token}"}}]},
			  "DisableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "@HOSTURL@/orgs/@ORG_ID@/members/${account.accountID}/off", "httpMethod": "POST"}]}}`,
			params:  map[string]any{"HOSTURL": "{srv}", "ORG_ID": "o1", "REALM": "main"},
			secrets: secrets,
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run:     provisionOK(enable, connector.Result{}),
			want:    []string{`POST /orgs/o1/members/u7?realm=main&x=1 [Authorization: Bearer t]`},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, "{{ .params.HOSTURL }}", s.Connection.BaseURL)
				for _, n := range []string{"HOSTURL", "ORG_ID", "REALM"} {
					assert.True(t, s.Params[n].Required, n)
				}
			},
		},
		{
			name: "a second placeholder host is a parameter of its own",
			conn: auth + `"EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "@URL@v1/members/${account.accountID}", "httpMethod": "POST"}]},
			  "DisableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "@HOSTURL@/a", "httpMethod": "POST"}]},
			  "RemoveAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "@HOSTURL@/b", "httpMethod": "DELETE"}]}}`,
			params:  map[string]any{"HOSTURL": "{srv}/base", "URL": "{srv}/"},
			secrets: secrets,
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run:     provisionOK(enable, connector.Result{}),
			want:    []string{`POST /v1/members/u7 [Authorization: Bearer t]`},
		},
		{
			name: "paths only: the base URL is a required parameter",
			conn: auth + `"EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "/api/v4/members/${account.accountID}/on", "httpMethod": "PUT",
			    "httpHeaders": {"Authorization": "${access_token}"}}]}}`,
			secrets: secrets,
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run:     provisionOK(enable, connector.Result{}),
			want:    []string{`PUT /api/v4/members/u7/on [Authorization: Bearer t]`},
			warns:   []string{"EnableAccountJSON call[0].url: the URL is a path only, as are the connection's others: give the scheme and host as the baseURL parameter"},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.True(t, s.Params["baseURL"].Required)
				assert.Nil(t, s.Params["baseURL"].Default)
			},
		},
		{
			name: "a placeholder as a parameter's value is a required parameter without default",
			conn: `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "Basic", "properties": {"userName": "@@USERNAME@@", "password": "@PASSWORD@"}}}},
			  "EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/members/${account.accountID}/on", "httpMethod": "POST",
			    "httpHeaders": {"Authorization": "${access_token}"}}]}}`,
			params:  map[string]any{"acctAuth_username": "svc"},
			secrets: map[string]string{"acctAuth_password": "pw"},
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run:     provisionOK(enable, connector.Result{}),
			want:    []string{`POST /api/members/u7/on [Authorization: Basic c3ZjOnB3]`},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.True(t, s.Params["acctAuth_username"].Required)
				assert.Nil(t, s.Params["acctAuth_username"].Default)
			},
		},
		{
			name: "placeholders in a token call's form, a header and a JSON body",
			conn: `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "url": "@@HOST_URL@@/connect/token", "httpMethod": "POST",
			    "httpParams": {"grant_type": "password", "client_id": "@@CLIENT_ID@@", "scope": "@@SCOPE@@", "username": "svc", "password": "@@PASSWORD@@"},
			    "httpContentType": "application/x-www-form-urlencoded", "tokenResponsePath": "access_token", "tokenType": "Bearer"}}},
			  "EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "@@HOST_URL@@/v1/members/${account.accountID}", "httpMethod": "PATCH",
			    "httpHeaders": {"Authorization": "${access_token}", "X-Tenant": "@TENANT@"}, "httpContentType": "application/json",
			    "httpParams": "{\"active\": true, \"org\": \"@ORG@\"}"}]}}`,
			params:  map[string]any{"HOST_URL": "{srv}", "CLIENT_ID": "cid", "SCOPE": "users.write", "TENANT": "t9", "ORG": "o2"},
			secrets: map[string]string{"acctAuth_password": "pw"},
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/connect/token" {
					ok(w, `{"access_token":"tk"}`)
					return
				}
				ok(w, `{}`)
			},
			run: provisionOK(enable, connector.Result{}),
			want: []string{
				`POST /connect/token [Content-Type: application/x-www-form-urlencoded] client_id=cid&grant_type=password&password=pw&scope=users.write&username=svc`,
				`PATCH /v1/members/u7 [Authorization: Bearer tk] [Content-Type: application/json] [X-Tenant: t9] {"active":true,"org":"o2"}`,
			},
		},
		{
			name: "a placeholder scope of a client-credentials block is named in a warning",
			conn: `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "url": "https://id.example.com/token", "httpMethod": "POST",
			    "httpParams": {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "cs", "scope": "@SCOPE@"},
			    "httpContentType": "application/x-www-form-urlencoded", "tokenResponsePath": "access_token", "tokenType": "Bearer"}}},
			  "EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/v1/on", "httpMethod": "POST"}]}}`,
			warns: []string{`ConnectionJSON authentications.acctAuth.httpParams.scope: the scope "@SCOPE@" is a package-import placeholder`},
		},
		{
			name: "a path only among full URLs is relative to the base URL",
			conn: auth + `"EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "/api/members/${account.accountID}/on", "httpMethod": "POST"}]},
			  "DisableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/members/${account.accountID}/off", "httpMethod": "POST"}]}}`,
			secrets: secrets,
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `{}`) },
			run:     provisionOK(enable, connector.Result{}),
			want:    []string{`POST /api/members/u7/on [Authorization: Bearer t]`},
		},
	} {
		t.Run(tc.name, tc.test)
	}
}

// Hand-written keys carry stray spaces ("client_secret ", " password"):
// the value is still a credential and must not reach the spec.
func TestCredentialKeysWithSpaces(t *testing.T) {
	auth := `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "url": "https://id.example.com/oauth/token", "httpMethod": "POST",
	  "httpParams": {"client_id": "cid", "client_secret ": "lit-form", "grant_type": "client_credentials"}, "httpContentType": "application/x-www-form-urlencoded",
	  "tokenResponsePath": "access_token", "tokenType": "Bearer"}}}, `
	for _, tc := range []struct {
		name, call, literal, secret string
	}{
		{"token call form field", `{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/on", "httpMethod": "POST"}`, "lit-form", "acctAuth_client_secret"},
		{"header", `{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/on", "httpMethod": "POST", "httpHeaders": {"X-Api-Key ": "lit-header"}}`, "lit-header", "call1_X_Api_Key"},
		{"JSON body member", `{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/on", "httpMethod": "POST",
		  "httpParams": "{\"id\": \"${account.accountID}\", \" password\": \"lit-body\"}", "httpContentType": "application/json"}`, "lit-body", "call1__password"},
		{"query parameter", `{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/on?api_key%20=lit-query", "httpMethod": "POST"}`, "lit-query", "call1_api_key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			spec, _, err := saviynt.Convert(textConnection(t, auth+`"EnableAccountJSON": {"call": [`+tc.call+`]}}`))
			require.NoError(t, err)
			b, err := json.Marshal(spec)
			require.NoError(t, err)
			assert.NotContains(t, string(b), tc.literal)
			assert.Contains(t, spec.Secrets, tc.secret)
		})
	}
	construct{
		conn: auth + `"EnableAccountJSON": {"call": [{"name": "call1", "connection": "acctAuth", "url": "https://app.example.com/api/u/${account.accountID}/on", "httpMethod": "POST",
		  "httpParams": "{\"id\": \"${account.accountID}\", \" password\": \"lit-body\"}", "httpContentType": "application/json"}]}}`,
		params:  map[string]any{"url_id_example_com": "{srv}"},
		secrets: map[string]string{"acctAuth_client_secret": "fs", "call1__password": "pw"},
		serve: func(w http.ResponseWriter, r *http.Request, body string) {
			if r.URL.Path == "/oauth/token" {
				ok(w, `{"access_token":"tk","token_type":"Bearer","expires_in":3600}`)
				return
			}
			ok(w, `{}`)
		},
		run: provisionOK(connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "u7"}}, connector.Result{}),
		want: []string{
			`POST /oauth/token [Content-Type: application/x-www-form-urlencoded] client_id=cid&client_secret+=fs&grant_type=client_credentials`,
			`POST /api/u/u7/on [Authorization: Bearer tk] [Content-Type: application/json] {" password":"pw","id":"u7"}`,
		},
	}.test(t)
}

// Secrets and params named alike get numbered names, unless they stand for
// the same thing: the same credential place, the same default.
func TestNameCollisions(t *testing.T) {
	spec, _, err := saviynt.Convert(saviynt.Connection{
		"EnableAccountJSON":  `{"call": [{"name": "call1", "url": "https://app.example.com/on?api_key=k1", "httpMethod": "POST"}]}`,
		"DisableAccountJSON": `{"call": [{"name": "call1", "url": "https://app.example.com/off?api_key=k2", "httpMethod": "POST"}]}`,
		"RemoveAccountJSON": `{"call": [{"name": "call1", "url": "https://login.example.com/a", "httpMethod": "DELETE"},
		  {"name": "call2", "url": "https://login-example.com/b", "httpMethod": "DELETE"},
		  {"name": "call3", "url": "https://login.example.com/c", "httpMethod": "DELETE"}]}`,
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"call1_api_key", "call1_api_key2"}, slices.Sorted(maps.Keys(spec.Secrets)))
	assert.Equal(t, "{{ .secrets.call1_api_key2 }}", spec.Provision[connector.DisableAccount].Calls[0].Query["api_key"])
	assert.Equal(t, []string{"baseURL", "url_login_example_com", "url_login_example_com2"}, slices.Sorted(maps.Keys(spec.Params)))
	var urls []string
	for _, c := range spec.Provision[connector.RemoveAccount].Calls {
		urls = append(urls, c.URL)
	}
	assert.Equal(t, []string{"{{ .params.url_login_example_com }}/a", "{{ .params.url_login_example_com2 }}/b", "{{ .params.url_login_example_com }}/c"}, urls)
}

func TestMoreConstructs(t *testing.T) {
	for _, tc := range []construct{
		{
			name: "refresh-token grant: a session whose login sends the refresh token",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "oauth2", "url": "https://app.example.com/oauth/token", "httpMethod": "POST",
			          "httpParams": {"grant_type": "refresh_token", "refresh_token": "${refresh_token}", "client_id": "cid", "client_secret": "example"},
			          "httpContentType": "application/x-www-form-urlencoded", "refreshType": "RefreshToken", "refreshToken": "example-rt",
			          "refreshTokenResponsePath": "refresh_token", "tokenResponsePath": "access_token", "tokenType": "Bearer", "retryFailureStatusCode": [401]}}},
			        "EnableAccountJSON": {"call": [{"name": "c", "connection": "api", "url": "https://app.example.com/api/users/${account.accountID}/on", "httpMethod": "POST",
			          "httpHeaders": {"Authorization": "${access_token}"}}]}}`,
			secrets: map[string]string{"api_refreshToken": "rt", "api_client_secret": "cs"},
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/oauth/token" {
					ok(w, `{"access_token":"at","refresh_token":"rt2"}`)
					return
				}
				w.WriteHeader(204)
			},
			run: provisionOK(connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "1"}}, connector.Result{}),
			want: []string{
				`POST /oauth/token [Content-Type: application/x-www-form-urlencoded] client_id=cid&client_secret=cs&grant_type=refresh_token&refresh_token=rt`,
				`POST /api/users/1/on [Authorization: Bearer at]`,
			},
			warns: []string{"refresh-token rotation is not converted"},
		},
		{
			name: "a call to another host: its scheme and host are a parameter",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "oauth2", "url": "https://login.example.com/session?tenant=t1", "httpMethod": "POST",
			          "httpParams": {"user": "svc", "password": "example"}, "tokenResponsePath": "sid", "tokenType": "Session"}}},
			        "EnableAccountJSON": {"call": [{"name": "c", "connection": "api", "url": "https://app.example.com/api/users/${account.accountID}/on", "httpMethod": "POST",
			          "httpHeaders": {"Authorization": "${access_token}"}}]}}`,
			params:  map[string]any{"url_login_example_com": "{srv}"},
			secrets: map[string]string{"api_password": "pw"},
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/session" {
					ok(w, `{"sid":"s-1"}`)
					return
				}
				w.WriteHeader(204)
			},
			run: provisionOK(connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "1"}}, connector.Result{}),
			want: []string{
				`POST /session?tenant=t1 [Content-Type: application/x-www-form-urlencoded] password=pw&user=svc`,
				`POST /api/users/1/on [Authorization: Session s-1]`,
			},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, "https://login.example.com", s.Params["url_login_example_com"].Default)
				assert.Equal(t, "{{ .params.url_login_example_com }}/session", s.Connection.Auth["api"].Login.URL)
			},
		},
		{
			name: "STATUS_THRESHOLD_CONFIG gives the active rule and the removal threshold",
			conn: `{"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {"http": {"url": "https://app.example.com/api/users"}, "listField": "",
			          "colsToPropsMap": {"accountID": "id", "customproperty11": "flags.state"}}}}},
			        "STATUS_THRESHOLD_CONFIG": {"statusColumn": "customproperty11", "activeStatus": ["1", "enabled"], "accountThresholdValue": 30,
			          "entThresholdValue": {"entType": {"Group": {"ent": 100}}}, "accountsNotInImportAction": "Suspend"}}`,
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, &connector.ActiveRule{Path: "flags.state", In: []any{"1", "enabled"}}, s.Import.Accounts.Active)
				assert.Equal(t, &connector.Threshold{MaxRemoved: 30}, s.Import.Accounts.Threshold)
			},
			warns: []string{
				`STATUS_THRESHOLD_CONFIG entThresholdValue.entType.Group: not converted: entitlement type "Group" is not imported`,
				`STATUS_THRESHOLD_CONFIG: not converted: accountsNotInImportAction: what becomes of an account a full import no longer lists`,
			},
		},
		{
			name: "STATUS_THRESHOLD_CONFIG written as {\"statusAndThresholdConfig\": {...}}, as Saviynt's own examples write it",
			conn: `{"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {"http": {"url": "https://app.example.com/api/members"}, "listField": "items",
			          "colsToPropsMap": {"accountID": "key~#~char", "customproperty4": "phase~#~char"}}}}},
			        "STATUS_THRESHOLD_CONFIG": {"statusAndThresholdConfig": {"statusColumn": "customproperty4", "activeStatus": ["live"], "accountThresholdValue": 7,
			          "accountsNotInImportAction": "Suspend"}}}`,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				ok(w, `{"items":[{"key":"m1","phase":"live"},{"key":"m2","phase":"parked"}]}`)
			},
			run: accounts(
				connector.Account{ID: "m1", Active: true, Attributes: map[string]any{"customproperty4": "live"}},
				connector.Account{ID: "m2", Active: false, Attributes: map[string]any{"customproperty4": "parked"}},
			),
			want: []string{`GET /api/members`},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, &connector.Threshold{MaxRemoved: 7}, s.Import.Accounts.Threshold)
			},
			warns: []string{
				`STATUS_THRESHOLD_CONFIG statusAndThresholdConfig: not converted: accountsNotInImportAction: what becomes of an account a full import no longer lists`,
			},
		},
		{
			name: "a literal password in a body is a secret; other fields stay",
			conn: `{"CreateAccountJSON": {"call": [{"name": "create", "url": "https://app.example.com/api/users", "httpMethod": "POST", "httpContentType": "application/json",
			          "httpParams": "{\"login\": \"${user.username}\", \"initialPassword\": \"Welcome1\", \"tokenLifetime\": \"3600\", \"sessionTimeout\": 30}"}]}}`,
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, map[string]any{"login": "{{ .user.username }}", "initialPassword": "{{ .secrets.create_initialPassword }}",
					"tokenLifetime": "3600", "sessionTimeout": json.Number("30")}, s.Provision[connector.CreateAccount].Calls[0].Body)
			},
			warns: []string{`CreateAccountJSON call[0].httpParams.initialPassword: credential moved to secret "create_initialPassword"`},
		},
		{
			name: "ConfigJSON timeouts and retries",
			conn: `{"ConfigJSON": {"showLogs": false, "provisioningLimit": {"types": {"NEWACCOUNT": 100}},
			          "connectionTimeoutConfig": {"connectionTimeout": 10, "readTimeout": 60, "retryWait": 5, "retryCount": 3}},
			        "EnableAccountJSON": {"call": [{"name": "c", "url": "https://app.example.com/api/on", "httpMethod": "POST", "connection": "${connectionName}"}]}}`,
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, connector.Duration(time.Minute), s.Connection.Timeout)
				assert.Equal(t, &connector.Retry{MaxAttempts: 4, MinBackoff: connector.Duration(5 * time.Second), MaxBackoff: connector.Duration(10 * time.Second)}, s.Connection.Retry)
			},
			warns: []string{"ConfigJSON provisioningLimit: not converted", "a computed connection (${connectionName}) uses the default auth block"},
		},
	} {
		t.Run(tc.name, tc.test)
	}
}

// Calls run in callOrder; calls without one keep their array order after
// those that have one, whatever the mix (the order is a consistent one).
func TestCallOrderMixed(t *testing.T) {
	for _, tt := range []struct {
		calls string
		want  []string
	}{
		{`{"name": "c", "url": "https://app.example.com/c"}, {"name": "b", "callOrder": 2, "url": "https://app.example.com/b"}, {"name": "a", "callOrder": 1, "url": "https://app.example.com/a"}`, []string{"a", "b", "c"}},
		{`{"name": "b", "callOrder": 2, "url": "https://app.example.com/b"}, {"name": "x", "url": "https://app.example.com/x"}, {"name": "a", "callOrder": 1, "url": "https://app.example.com/a"}, {"name": "y", "url": "https://app.example.com/y"}`, []string{"a", "b", "x", "y"}},
		{`{"name": "y", "url": "https://app.example.com/y"}, {"name": "x", "url": "https://app.example.com/x"}`, []string{"y", "x"}},
	} {
		spec, _, err := saviynt.Convert(saviynt.Connection{"DisableAccountJSON": `{"call": [` + tt.calls + `]}`})
		require.NoError(t, err)
		op := spec.Provision[connector.DisableAccount]
		require.NotNil(t, op)
		var got []string
		for _, c := range op.Calls {
			got = append(got, c.Name)
		}
		assert.Equal(t, tt.want, got, tt.calls)
	}
}

// A header name written with spaces around it (no header name may hold
// them) is sent without them, and said in a warning; before, the spec
// failed validation and the operation was lost.
func TestHeaderNamesWithSpaces(t *testing.T) {
	construct{
		conn: `{"EnableAccountJSON": {"call": [{"name": "call1", "url": "https://app.example.com/api/u/${account.accountID}/on", "httpMethod": "POST",
		  "httpHeaders": {"X-Tenant ": "acme", " Accept": "application/json"}}]}}`,
		serve: func(w http.ResponseWriter, r *http.Request, body string) {
			if r.Header.Get("X-Tenant") != "acme" || r.Header.Get("Accept") != "application/json" {
				http.Error(w, "missing headers", http.StatusBadRequest)
				return
			}
			ok(w, `{}`)
		},
		run:   provisionOK(connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "u7"}}, connector.Result{}),
		warns: []string{`header name "X-Tenant " has spaces around it: sent as "X-Tenant"`, `header name " Accept" has spaces around it: sent as "Accept"`},
		want:  []string{`POST /api/u/u7/on [X-Tenant: acme]`}, // Accept is checked by serve
	}.test(t)
}
