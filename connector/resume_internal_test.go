package connector

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tokens changed on purpose, with a valid checksum: the rules every
// position keeps still apply.
func TestCraftedTokens(t *testing.T) {
	var foreign atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		foreign.Add(1)
		fmt.Fprint(w, `{"results":[{"id":"evil"}]}`)
	}))
	defer evil.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"results":[{"id":"1"}],"next":null}`)
	}))
	defer srv.Close()
	spec, err := Parse([]byte(strings.ReplaceAll(`{"name":"t","connection":{"baseURL":"$URL","auth":{"b":{"type":"bearer","token":"{{ .secrets.t }}"}}},
		"import":{"accounts":{"sources":[{"name":"users","path":"/users","records":"results","paging":{"type":"nextURL","path":"next"}}],"id":"id"}}}`, "$URL", srv.URL)))
	require.NoError(t, err)
	e, err := New(spec, WithSecrets(map[string]string{"t": "tok-SECRET"}))
	require.NoError(t, err)
	ip, err := e.planImport(opImportAccounts, ImportOptions{Checkpoint: func(string) {}}, nil)
	require.NoError(t, err)

	run := func(d tokenData) error {
		var err error
		for _, ierr := range e.ImportAccounts(context.Background(), ImportOptions{Resume: encodeToken(d)}) {
			if ierr != nil {
				err = ierr
			}
		}
		return err
	}
	ok := tokenData{Import: ip.print, Page: 1, URL: srv.URL + "/users?page=2"}
	require.NoError(t, run(ok))

	for name, d := range map[string]tokenData{
		"next URL on another host":  {Import: ip.print, Page: 1, URL: evil.URL + "/users?page=2"},
		"protocol-relative":         {Import: ip.print, Page: 1, URL: "//" + strings.TrimPrefix(evil.URL, "http://") + "/users"},
		"not a URL":                 {Import: ip.print, Page: 1, URL: "::"},
		"source out of range":       {Import: ip.print, Source: 2},
		"negative page":             {Import: ip.print, Page: -1, URL: srv.URL + "/users"},
		"no URL after page 1":       {Import: ip.print, Page: 1},
		"fingerprint of another":    {Import: "AAAAAAAAAAAAAAAA", Page: 1, URL: srv.URL + "/users?page=2"},
		"an entitlement type":       {Import: ip.print, Type: "group"},
		"since, for a full import":  {Import: ip.print, Since: "2026-01-01T00:00:00Z"},
		"a finished source, moving": {Import: ip.print, Source: 1, Page: 3},
	} {
		err := run(d)
		require.ErrorIs(t, err, ErrInvalidToken, name)
		assert.NotContains(t, err.Error(), "tok-SECRET", name)
	}
	assert.Zero(t, foreign.Load(), "nothing reached the other host")

	// Another version of the format, with a valid checksum.
	b, err := base64.RawURLEncoding.DecodeString(encodeToken(ok))
	require.NoError(t, err)
	b = b[:len(b)-4]
	b[0] = 2
	b = binary.BigEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
	_, err = decodeToken(base64.RawURLEncoding.EncodeToString(b))
	assert.ErrorContains(t, err, "token version 2")
}
