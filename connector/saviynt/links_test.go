package saviynt_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
)

func entitlements(types ...string) func(*testing.T, *connector.Engine) []connector.Entitlement {
	return func(t *testing.T, eng *connector.Engine) []connector.Entitlement {
		var got []connector.Entitlement
		for e, err := range eng.ImportAccess(context.Background(), connector.ImportOptions{Types: types}) {
			require.NoError(t, err)
			got = append(got, e)
		}
		return got
	}
}

// TestImportLinkConstructs: dependent calls that add columns (merged detail
// calls and value fields), and the membership calls of acctEntParams
// (sub-lists), each converted and run against a fake of the API it
// configures.
func TestImportLinkConstructs(t *testing.T) {
	conn := `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "accessToken": "Bearer example", "tokenType": "Bearer"}}}, `
	secrets := map[string]string{"acctAuth_accessToken": "t"}
	for _, tc := range []construct{
		{
			name: "dependent calls that add columns are merged detail calls; their columns read .detail",
			conn: conn + `"ImportAccountEntJSON": {"globalSettings": {"dateFormat": "yyyy-MM-dd"}, "accountParams": {"connection": "acctAuth", "call": {
			    "call1": {"callOrder": 0, "http": {"url": "https://app.example.com/api/users?limit=50", "httpHeaders": {"Authorization": "${access_token}"}},
			      "listField": "users", "keyField": "accountID", "statusConfig": {"active": ["active"], "inactive": ["locked"]},
			      "colsToPropsMap": {"accountID": "id~#~char", "name": "login~#~char", "displayName": "name~#~char", "status": "state~#~char"}},
			    "call2": {"callOrder": 1, "stageNumber": 3, "inputParams": {"dependentCall": true}, "nextApiKeyField": "accountID",
			      "http": {"url": "https://app.example.com/api/users/${accountID}/license", "httpHeaders": {"Authorization": "${access_token}"}}, "listField": "license",
			      "colsToPropsMap": {"accountID": "userId~#~char", "customproperty1": "plan~#~char", "customproperty2": "seats~#~int",
			        "customproperty3": "expires~#~date", "customproperty4": "features[0].code~#~char", "customproperty6": "#CONST#licensed~#~char"}},
			    "call-3": {"callOrder": 2, "stageNumber": 3, "inputParams": {"dependentCall": true}, "nextApiKeyField": "accountID",
			      "http": {"url": "https://app.example.com/api/profiles/${accountName}?fields=fullName,dept"}, "listField": "",
			      "colsToPropsMap": {"displayName": "fullName~#~char", "customproperty5": "dept.name~#~char"}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				switch r.URL.Path {
				case "/api/users":
					ok(w, `{"users":[{"id":"1","login":"ann","name":"Ann","state":"active"},{"id":"2","login":"bob","name":"Bob R","state":"locked"}]}`)
				case "/api/users/1/license":
					ok(w, `{"license":{"userId":"1","plan":"pro","seats":"3","expires":"2025-01-31","features":[{"code":"sso"},{"code":"audit"}]}}`)
				case "/api/users/2/license":
					ok(w, `{"license":{"userId":"2","plan":"free","seats":null,"features":[]}}`)
				case "/api/profiles/ann":
					ok(w, `{"fullName":"Ann Lee","dept":{"name":"R&D"}}`)
				default:
					ok(w, `{"dept":null}`)
				}
			},
			run: accounts(
				connector.Account{ID: "1", Name: "ann", Active: true, Attributes: map[string]any{"displayName": "Ann Lee", "status": "active",
					"customproperty1": "pro", "customproperty2": int64(3), "customproperty3": time.Date(2025, 1, 31, 0, 0, 0, 0, time.UTC),
					"customproperty4": "sso", "customproperty5": "R&D", "customproperty6": "licensed"}},
				connector.Account{ID: "2", Name: "bob", Active: false, Attributes: map[string]any{"displayName": "Bob R", "status": "locked",
					"customproperty1": "free", "customproperty6": "licensed"}},
			),
			want: []string{
				`GET /api/users?limit=50 [Authorization: Bearer t]`,
				`GET /api/users/1/license [Authorization: Bearer t]`,
				`GET /api/profiles/ann?fields=fullName%2Cdept [Authorization: Bearer t]`,
				`GET /api/users/2/license [Authorization: Bearer t]`,
				`GET /api/profiles/bob?fields=fullName%2Cdept [Authorization: Bearer t]`,
			},
			spec: func(t *testing.T, s *connector.Spec) {
				a := s.Import.Accounts
				require.Len(t, a.Details, 2)
				assert.Equal(t, []string{"call2", "call_3"}, []string{a.Details[0].Name, a.Details[1].Name})
				assert.Equal(t, "/api/users/{{ .record.id }}/license", a.Details[0].Path)
				assert.Equal(t, binding.Field{Value: `{{ opt .detail "call2" "license" "plan" }}`, Type: binding.String}, a.Attributes["customproperty1"])
				assert.Equal(t, binding.Field{Path: "id", Type: binding.String}, a.ID, "the key stays the list call's")
				assert.True(t, a.Unique, "keyField identifies a record")
			},
		},
		{
			name: "an entitlement type's dependent call; a record listed twice is imported once",
			conn: conn + `"ImportAccountEntJSON": {"entitlementParams": {"connection": "acctAuth", "entTypes": {"Group": {"call": {
			    "call1": {"callOrder": 0, "http": {"url": "https://app.example.com/api/groups?state=active"}, "listField": "groups",
			      "colsToPropsMap": {"entitlementID": "id~#~char", "entitlement_value": "name~#~char"}},
			    "call2": {"callOrder": 1, "http": {"url": "https://app.example.com/api/groups?state=archived"}, "listField": "groups",
			      "colsToPropsMap": {"entitlementID": "id~#~char", "entitlement_value": "name~#~char"}},
			    "call3": {"callOrder": 2, "inputParams": {"dependentCall": true, "entitlementname": "Group"},
			      "http": {"url": "https://app.example.com/api/groups/${entitlementID}/settings"}, "listField": "settings",
			      "colsToPropsMap": {"customproperty1": "visibility~#~char", "customproperty2": "limits.members~#~int"}}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				switch r.URL.Path {
				case "/api/groups":
					if r.URL.Query().Get("state") == "active" {
						ok(w, `{"groups":[{"id":"g1","name":"staff"},{"id":"g2","name":"ops"}]}`)
						return
					}
					ok(w, `{"groups":[{"id":"g2","name":"ops (old)"},{"id":"g3","name":"legacy"}]}`)
				default:
					ok(w, `{"settings":{"visibility":"`+r.URL.Path[len("/api/groups/"):len("/api/groups/")+2]+`-private","limits":{"members":"50"}}}`)
				}
			},
			run: func(t *testing.T, eng *connector.Engine) {
				assert.Equal(t, []connector.Entitlement{
					{Type: "Group", ID: "g1", Name: "staff", Attributes: map[string]any{"customproperty1": "g1-private", "customproperty2": int64(50)}},
					{Type: "Group", ID: "g2", Name: "ops", Attributes: map[string]any{"customproperty1": "g2-private", "customproperty2": int64(50)}},
					{Type: "Group", ID: "g3", Name: "legacy", Attributes: map[string]any{"customproperty1": "g3-private", "customproperty2": int64(50)}},
				}, entitlements()(t, eng))
			},
			want: []string{
				`GET /api/groups?state=active [Authorization: Bearer t]`,
				`GET /api/groups/g1/settings [Authorization: Bearer t]`,
				`GET /api/groups/g2/settings [Authorization: Bearer t]`,
				`GET /api/groups?state=archived [Authorization: Bearer t]`,
				`GET /api/groups/g2/settings [Authorization: Bearer t]`, // read before the record is known to be a repeat
				`GET /api/groups/g3/settings [Authorization: Bearer t]`,
			},
		},
		{
			name: "a dependent call restconn cannot make leaves only its columns out",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {
			    "call1": {"callOrder": 0, "http": {"url": "https://app.example.com/api/users"}, "listField": "", "colsToPropsMap": {"accountID": "id", "name": "login"}},
			    "call2": {"callOrder": 1, "inputParams": {"dependentCall": true}, "nextApiKeyField": "accountID",
			      "http": {"url": "https://app.example.com/api/users/${accountName}/licenses"}, "listField": "", "colsToPropsMap": {"customproperty9": "sku"},
			      "pagination": {"offset": {"offsetParam": "skip", "batchParam": "take", "batchSize": 10}}}}}}}`,
			secrets: secrets,
			serve:   func(w http.ResponseWriter, r *http.Request, body string) { ok(w, `[{"id":"1","login":"a"}]`) },
			run:     func(t *testing.T, eng *connector.Engine) { assert.Equal(t, []string{"1"}, ids(t, eng)) },
			want:    []string{`GET /api/users [Authorization: Bearer t]`},
			warns:   []string{`accountParams.call.call2.pagination: dependent call "call2" left out, so the columns it maps (customproperty9) are not imported: it is paged, and a detail call reads one response`},
		},
		{
			name: "httpAcctToEnt: a paged call per account fills the account's entitlements",
			conn: conn + `"ImportAccountEntJSON": {
			    "accountParams": {"connection": "acctAuth", "call": {"call1": {"http": {"url": "https://app.example.com/api/users", "httpHeaders": {"Authorization": "${access_token}"}},
			      "listField": "", "colsToPropsMap": {"accountID": "id~#~char", "name": "email~#~char"}}}},
			    "acctEntParams": {"entTypes": {"Team": {"call": {"call1": {"processingType": "httpAcctToEnt", "connection": "acctAuth",
			      "http": {"url": "https://app.example.com/api/users/${id}/teams?expand=team", "httpHeaders": {"Authorization": "${access_token}"}},
			      "listField": "teams", "entKeyField": "entitlementID", "entIdPath": "team.id", "acctKeyField": "accountID",
			      "pagination": {"page": {"pageNumberParam": "page", "firstPageNumber": 1}}}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				switch r.URL.Path + "?" + r.URL.Query().Get("page") {
				case "/api/users?":
					ok(w, `[{"id":7,"email":"a@x.example"},{"id":8,"email":"b@x.example"}]`)
				case "/api/users/7/teams?1":
					ok(w, `{"teams":[{"team":{"id":"t1","name":"Red"}},{"team":{"id":"t2"}}]}`)
				case "/api/users/7/teams?2":
					ok(w, `{"teams":[{"team":{"id":"t1"}},{"team":{"id":"t3"}}]}`) // a team seen on page 1 again
				default:
					ok(w, `{"teams":[]}`)
				}
			},
			run: func(t *testing.T, eng *connector.Engine) {
				accounts(
					connector.Account{ID: "7", Name: "a@x.example", Active: true, Attributes: map[string]any{}, Entitlements: map[string][]string{"Team": {"t1", "t2", "t3"}}},
					connector.Account{ID: "8", Name: "b@x.example", Active: true, Attributes: map[string]any{}, Entitlements: map[string][]string{"Team": {}}},
				)(t, eng)
				assert.Equal(t, []connector.Entitlement{
					{Type: "Team", ID: "t1", Name: "t1", Attributes: map[string]any{}, Members: []string{"7"}},
					{Type: "Team", ID: "t2", Name: "t2", Attributes: map[string]any{}, Members: []string{"7"}},
					{Type: "Team", ID: "t3", Name: "t3", Attributes: map[string]any{}, Members: []string{"7"}},
				}, entitlements("Team")(t, eng))
			},
			want: slices.Repeat([]string{
				`GET /api/users [Authorization: Bearer t]`,
				`GET /api/users/7/teams?expand=team&page=1 [Authorization: Bearer t]`,
				`GET /api/users/7/teams?expand=team&page=2 [Authorization: Bearer t]`,
				`GET /api/users/7/teams?expand=team&page=3 [Authorization: Bearer t]`,
				`GET /api/users/8/teams?expand=team&page=1 [Authorization: Bearer t]`,
			}, 2), // ImportAccounts, then ImportAccess of a type derived from the accounts
			spec: func(t *testing.T, s *connector.Spec) {
				sl := s.Import.Accounts.EntitlementsFrom["Team"]
				require.NotNil(t, sl)
				assert.Equal(t, "/api/users/{{ .record.id }}/teams", sl.Path)
				assert.Equal(t, binding.Field{Path: "team.id"}, sl.ID)
				assert.Equal(t, &connector.EntitlementImport{FromAccounts: true}, s.Import.Entitlements["Team"])
			},
		},
		{
			name: "httpAcctToEnt after a detail call: ${id} reads the list record",
			conn: conn + `"ImportAccountEntJSON": {
			    "accountParams": {"call": {
			      "call1": {"callOrder": 0, "http": {"url": "https://app.example.com/api/users?fields=key"}, "listField": "keys", "colsToPropsMap": {"accountID": "key~#~char"}},
			      "call2": {"callOrder": 1, "inputParams": {"dependentCall": true}, "nextApiKeyField": "accountID",
			        "http": {"url": "https://app.example.com/api/users/${accountID}"}, "listField": "user",
			        "colsToPropsMap": {"accountID": "uuid~#~char", "name": "login~#~char"}}}},
			    "acctEntParams": {"entTypes": {"Role": {"call": {"call1": {"processingType": "httpAcctToEnt",
			      "http": {"url": "https://app.example.com/api/users/${id}/roles"}, "listField": ""}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				switch r.URL.Path {
				case "/api/users":
					ok(w, `{"keys":[{"key":"k1"}]}`)
				case "/api/users/k1":
					ok(w, `{"user":{"uuid":"k1","login":"ann"}}`)
				default:
					ok(w, `["admin","viewer"]`)
				}
			},
			run: accounts(connector.Account{ID: "k1", Name: "ann", Active: true, Attributes: map[string]any{}, Entitlements: map[string][]string{"Role": {"admin", "viewer"}}}),
			want: []string{
				`GET /api/users?fields=key [Authorization: Bearer t]`,
				`GET /api/users/k1 [Authorization: Bearer t]`,
				`GET /api/users/k1/roles [Authorization: Bearer t]`,
			},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.NotNil(t, s.Import.Accounts.Detail)
				assert.Equal(t, "/api/users/{{ .record.key }}/roles", s.Import.Accounts.EntitlementsFrom["Role"].Path)
				assert.Equal(t, binding.Field{Path: "$"}, s.Import.Accounts.EntitlementsFrom["Role"].ID, "each record is the ID")
			},
		},
		{
			name: "httpEntToAcct: a call per group lists its members",
			conn: conn + `"ImportAccountEntJSON": {
			    "entitlementParams": {"connection": "acctAuth", "entTypes": {"Group": {"call": {"call1": {
			      "http": {"url": "https://app.example.com/scim/v2/Groups?excludedAttributes=members", "httpHeaders": {"Authorization": "${access_token}"}},
			      "listField": "Resources", "colsToPropsMap": {"entitlementID": "id~#~char", "entitlement_value": "displayName~#~char"}}}}}},
			    "acctEntParams": {"entTypes": {"Group": {"call": {"call1": {"processingType": "httpEntToAcct",
			      "http": {"url": "https://app.example.com/scim/v2/Groups/${id}?attributes=members", "httpHeaders": {"Authorization": "${access_token}"}},
			      "listField": "members", "acctIdPath": "value", "acctKeyField": "accountID", "entKeyField": "entitlementID"}}}}}}}`,
			secrets: secrets,
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				switch r.URL.Path {
				case "/scim/v2/Groups":
					ok(w, `{"totalResults":2,"Resources":[{"id":"g1","displayName":"Admins"},{"id":"g 2","displayName":"Empty"}]}`)
				case "/scim/v2/Groups/g1":
					ok(w, `{"id":"g1","members":[{"value":"u1","display":"ann"},{"value":"u2"}]}`)
				default:
					ok(w, `{"id":"g 2"}`)
				}
			},
			run: func(t *testing.T, eng *connector.Engine) {
				assert.Equal(t, []connector.Entitlement{
					{Type: "Group", ID: "g1", Name: "Admins", Attributes: map[string]any{}, Members: []string{"u1", "u2"}},
					{Type: "Group", ID: "g 2", Name: "Empty", Attributes: map[string]any{}, Members: []string{}},
				}, entitlements()(t, eng))
			},
			want: []string{
				`GET /scim/v2/Groups?excludedAttributes=members [Authorization: Bearer t]`,
				`GET /scim/v2/Groups/g1?attributes=members [Authorization: Bearer t]`,
				`GET /scim/v2/Groups/g%202?attributes=members [Authorization: Bearer t]`,
			},
			spec: func(t *testing.T, s *connector.Spec) {
				sl := s.Import.Entitlements["Group"].MembersFrom
				require.NotNil(t, sl)
				assert.Equal(t, "members", sl.Records)
				assert.Equal(t, binding.Field{Path: "value"}, sl.ID)
			},
		},
		{
			name: "membership calls restconn cannot make are named",
			conn: conn + `"ImportAccountEntJSON": {"accountParams": {"call": {"call1": {"http": {"url": "https://app.example.com/api/users"}, "listField": "", "colsToPropsMap": {"accountID": "id", "name": "login"}}}},
			    "acctEntParams": {"entTypes": {
			      "Team": {"call": {"call1": {"processingType": "httpAcctToEnt", "http": {"url": "https://app.example.com/api/users/${id}/teams"}, "listField": "", "acctKeyField": "customproperty4"}}},
			      "Group": {"call": {"call1": {"processingType": "httpEntToAcct", "http": {"url": "https://app.example.com/api/groups/${id}/members"}}}}}}}}`,
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Nil(t, s.Import.Accounts.EntitlementsFrom)
				assert.Nil(t, s.Import.Entitlements)
			},
			warns: []string{
				`acctEntParams.entTypes.Team.call.call1.acctKeyField: entitlement type "Team": the call listing each account's entitlements (httpAcctToEnt) left out: the list call maps no column "customproperty4" from its records to bind ${id}`,
				`acctEntParams.entTypes.Group.call.call1: entitlement type "Group": the call listing each entitlement's members (httpEntToAcct) left out: the type is not imported`,
			},
		},
	} {
		t.Run(tc.name, tc.test)
	}
}

// TestReconciliationConstructs: deletion thresholds and rate-limit
// settings, converted and run.
func TestReconciliationConstructs(t *testing.T) {
	for _, tc := range []construct{
		{
			name: "thresholds become the reconciliation defaults",
			conn: `{"ConnectionJSON": {"authentications": {"api": {"authType": "Basic", "properties": {"userName": "svc", "password": "example"}}}},
			    "ImportAccountEntJSON": {
			      "accountParams": {"call": {"call1": {"http": {"url": "https://app.example.com/api/users"}, "listField": "data",
			        "colsToPropsMap": {"accountID": "id~#~char", "name": "login~#~char", "customproperty11": "flags.state~#~char"}}}},
			      "entitlementParams": {"entTypes": {"Group": {"call": {"call1": {"http": {"url": "https://app.example.com/api/groups"}, "listField": "data",
			        "colsToPropsMap": {"entitlementID": "id~#~char", "entitlement_value": "name~#~char"}}}}}}},
			    "STATUS_THRESHOLD_CONFIG": {"statusColumn": "customproperty11", "activeStatus": ["1", "enabled"], "inactiveStatus": ["0"],
			      "accountThresholdValue": 1, "entThresholdValue": {"entType": {"Group": {"ent": 1}}},
			      "accountsNotInImportAction": "Suspend", "inactivateAccountsNotInFile": false, "deleteLinks": true, "inactivateEntsNotInFeed": false,
			      "lockedStatusColumn": "customproperty12", "lockedStatusMapping": {"Locked": ["1"], "Unlocked": ["0"]}}}`,
			secrets: map[string]string{"api_password": "pw"},
			serve: func(w http.ResponseWriter, r *http.Request, body string) {
				if r.URL.Path == "/api/users" {
					ok(w, `{"data":[{"id":"u1","login":"ann","flags":{"state":"enabled"}}]}`)
					return
				}
				ok(w, `{"data":[{"id":"g1","name":"staff"}]}`)
			},
			run: func(t *testing.T, eng *connector.Engine) {
				ctx := context.Background()
				reconcile := func(seq func(func(connector.Change, error) bool)) ([]connector.Change, error) {
					var out []connector.Change
					for c, err := range seq {
						if err != nil {
							return out, err
						}
						out = append(out, c)
					}
					return out, nil
				}
				_, err := reconcile(connector.ReconcileAccounts(ctx, eng, connector.ReconcileOptions{Known: slices.Values([]string{"u1", "u2", "u3"})}))
				assert.ErrorIs(t, err, connector.ErrThreshold, "2 removed is more than accountThresholdValue 1")
				got, err := reconcile(connector.ReconcileAccounts(ctx, eng, connector.ReconcileOptions{Known: slices.Values([]string{"u1", "u2"})}))
				require.NoError(t, err)
				assert.Equal(t, []connector.Change{
					{Kind: connector.Present, Account: connector.Account{ID: "u1", Name: "ann", Active: true, Attributes: map[string]any{"customproperty11": "enabled"}}},
					{Kind: connector.Removed, Account: connector.Account{ID: "u2"}},
				}, got)
				_, err = reconcile(connector.ReconcileAccess(ctx, eng, connector.ReconcileOptions{Known: slices.Values([]string{"Group/g1", "Group/g2", "Group/g3"})}))
				assert.ErrorIs(t, err, connector.ErrThreshold, "2 removed is more than entThresholdValue 1")
			},
			want: []string{
				`GET /api/users [Authorization: Basic c3ZjOnB3]`,
				`GET /api/users [Authorization: Basic c3ZjOnB3]`,
				`GET /api/groups [Authorization: Basic c3ZjOnB3]`,
			},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, &connector.ActiveRule{Path: "flags.state", In: []any{"1", "enabled"}}, s.Import.Accounts.Active)
				assert.Equal(t, &connector.Threshold{MaxRemoved: 1}, s.Import.Accounts.Threshold)
				assert.Equal(t, &connector.Threshold{MaxRemoved: 1}, s.Import.Entitlements["Group"].Threshold)
			},
			warns: []string{
				`STATUS_THRESHOLD_CONFIG: not converted: accountsNotInImportAction, inactivateAccountsNotInFile: what becomes of an account a full import no longer lists (inactivated, suspended, renamed "<name>-Deleted on-<date>") is the caller's decision; connector.ReconcileAccounts reports it as removed, within import.accounts.threshold`,
				`STATUS_THRESHOLD_CONFIG: not converted: deleteLinks: restconn removes no entitlement or link by itself`,
				`STATUS_THRESHOLD_CONFIG: not converted: lockedStatusColumn, lockedStatusMapping: restconn has no counterpart`,
			},
		},
		{
			name: "thresholds restconn cannot express are named",
			conn: `{"ImportAccountEntJSON": {"accountParams": {"statusAndThresholdConfig": {"accountThresholdValue": 0, "entThresholdValue": {"entType": {"Role": {"ent": 5}, "Group": {"ent": "many"}}}},
			      "call": {"call1": {"http": {"url": "https://app.example.com/api/users"}, "listField": "", "colsToPropsMap": {"accountID": "id"}}}},
			    "entitlementParams": {"entTypes": {"Group": {"call": {"call1": {"http": {"url": "https://app.example.com/api/groups"}, "listField": "", "colsToPropsMap": {"entitlementID": "id"}}}}}}}}`,
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Nil(t, s.Import.Accounts.Threshold)
				assert.Nil(t, s.Import.Entitlements["Group"].Threshold)
			},
			warns: []string{
				`ImportAccountEntJSON accountParams.statusAndThresholdConfig.accountThresholdValue: not converted: a threshold of 0 sets no limit in restconn`,
				`ImportAccountEntJSON accountParams.statusAndThresholdConfig.entThresholdValue.entType.Group.ent: not converted: want a whole number of records, not "many"`,
				`ImportAccountEntJSON accountParams.statusAndThresholdConfig.entThresholdValue.entType.Role: not converted: entitlement type "Role" is not imported`,
			},
		},
		{
			name: "429 among retryFailureStatusCode waits as the server asks instead of renewing the token",
			conn: `{"ConnectionJSON": {"authentications": {"acctAuth": {"authType": "oauth2", "url": "https://app.example.com/oauth/token", "httpMethod": "POST",
			          "httpParams": {"grant_type": "client_credentials", "client_id": "cid", "client_secret": "example"}, "retryFailureStatusCode": [401, 429], "tokenType": "Bearer"}}},
			        "EnableAccountJSON": {"call": [{"name": "c", "connection": "acctAuth", "url": "https://app.example.com/api/users/${account.accountID}/enable", "httpMethod": "POST",
			          "httpHeaders": {"Authorization": "${access_token}"}}]}}`,
			params:  map[string]any{"acctAuth_tokenURL": "{srv}/oauth/token"},
			secrets: map[string]string{"acctAuth_clientSecret": "cs"},
			serve: func() func(w http.ResponseWriter, r *http.Request, body string) {
				calls := 0
				return func(w http.ResponseWriter, r *http.Request, body string) {
					if r.URL.Path == "/oauth/token" {
						ok(w, `{"access_token":"at","token_type":"Bearer","expires_in":3600}`)
						return
					}
					if calls++; calls == 1 {
						w.Header().Set("Retry-After", "0")
						w.WriteHeader(http.StatusTooManyRequests)
						return
					}
					w.WriteHeader(http.StatusNoContent)
				}
			}(),
			run: provisionOK(connector.Request{Op: connector.EnableAccount, Account: map[string]any{"id": "5"}}, connector.Result{}),
			want: []string{
				`POST /oauth/token [Content-Type: application/x-www-form-urlencoded] client_id=cid&client_secret=cs&grant_type=client_credentials`,
				`POST /api/users/5/enable [Authorization: Bearer at]`,
				`POST /api/users/5/enable [Authorization: Bearer at]`,
			},
			spec: func(t *testing.T, s *connector.Spec) {
				assert.Equal(t, []connector.Rule{{Status: []int{401}}}, s.Connection.Auth["acctAuth"].Expiry)
			},
			warns: []string{"ConnectionJSON authentications.acctAuth.retryFailureStatusCode: 429 does not renew the token: restconn waits as the response asks"},
		},
	} {
		t.Run(tc.name, tc.test)
	}
}
