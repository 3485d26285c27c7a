package vars

import (
	"testing"

	"github.com/restconn/restconn/binding"
	"github.com/stretchr/testify/assert"
)

func TestVarsMap(t *testing.T) {
	v := Vars{Secrets: map[string]binding.Secret{"token": "t0k"}, Password: "pw", Op: "createAccount"}
	m := v.Map()
	for _, k := range []string{"user", "account", "entitlement", "task", "params", "secrets", "auth", "responses", "page", "ticket", "since", "now", "password", "op", "record", "detail", "item", "index", "response"} {
		assert.Contains(t, m, k)
	}
	assert.Equal(t, "t0k", m["secrets"].(map[string]any)["token"])
	assert.Equal(t, "pw", m["password"])
	assert.Nil(t, m["since"])
	assert.Equal(t, map[string]any{}, m["user"])
	assert.Equal(t, map[string]any{}, m["detail"])
}

func TestResponseLowercasesHeaders(t *testing.T) {
	r := Response(200, map[string][]string{"Etag": {`"3"`}, "X-Request-Id": {"a", "b"}}, map[string]any{"id": "1"})
	assert.Equal(t, map[string]any{"etag": `"3"`, "x-request-id": "a"}, r["headers"])
	assert.Equal(t, 200, r["status"])
}
