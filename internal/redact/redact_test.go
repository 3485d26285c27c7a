package redact

import (
	"errors"
	"fmt"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedactor(t *testing.T) {
	var r Redactor
	assert.Equal(t, "no secrets yet", r.String("no secrets yet"))
	r.Add("s3cr=t/+x", "")
	r.AddPair("user", "pw")
	cases := map[string]string{
		"token s3cr=t/+x here":              "token [REDACTED] here",
		"q=" + url.QueryEscape("s3cr=t/+x"): "q=[REDACTED]",
		"p/" + url.PathEscape("s3cr=t/+x"):  "p/[REDACTED]",
		"Basic dXNlcjpwdw==":                "Basic [REDACTED]",
		"nothing to hide":                   "nothing to hide",
	}
	for in, want := range cases {
		assert.Equal(t, want, r.String(in))
	}

	d := r.With("request-password")
	assert.Equal(t, "[REDACTED] [REDACTED]", d.String("request-password s3cr=t/+x"))
	r.Add("later-token")
	assert.Equal(t, "[REDACTED]", d.String("later-token"), "derived redactors see secrets learnt later")
	assert.Equal(t, "request-password", r.String("request-password"), "the parent does not learn the child's secrets")
}

func TestErrorKeepsChain(t *testing.T) {
	var r Redactor
	r.Add("tok")
	base := errors.New("boom")
	err := r.Error(fmt.Errorf("sending tok: %w", base))
	assert.Equal(t, "sending [REDACTED]: boom", err.Error())
	assert.ErrorIs(t, err, base)
	plain := errors.New("clean")
	assert.Same(t, plain, r.Error(plain))
	assert.Nil(t, r.Error(nil))
}

func TestURL(t *testing.T) {
	var r Redactor
	r.Add("abc123")
	got := r.URL("https://x.test/Ticket/1?SessionID=zzz&Limit=5&api_key=k&q=abc123")
	u, err := url.Parse(got)
	assert.NoError(t, err)
	assert.Equal(t, "REDACTED", u.Query().Get("SessionID"))
	assert.Equal(t, "REDACTED", u.Query().Get("api_key"))
	assert.Equal(t, "5", u.Query().Get("Limit"))
	assert.NotContains(t, got, "abc123")
	assert.NotContains(t, got, "zzz")
}

func TestNestedSecretsMaskedWhole(t *testing.T) {
	var r Redactor
	r.Add("abc123")
	d := r.With("xx-abc123-yy") // a request password containing an engine secret
	assert.Equal(t, "[REDACTED]", d.String("xx-abc123-yy"))
	d2 := r.With("abc") // one contained in an engine secret
	assert.Equal(t, "[REDACTED] [REDACTED]", d2.String("abc123 abc"))
}
