package genesystest

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"strings"
)

// serveLogin is the login host: only POST /oauth/token exists.
func (s *Server) serveLogin(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("ININ-Correlation-Id", newUUID())
	body, tooLarge := s.record(r, "login")

	if r.URL.Path != "/oauth/token" {
		writeOAuthError(w, http.StatusNotFound, "not_found", "no such endpoint on the login host")
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeOAuthError(w, http.StatusMethodNotAllowed, "invalid_request", "the token endpoint accepts POST only")
		return
	}
	if tooLarge {
		writeOAuthError(w, http.StatusRequestEntityTooLarge, "invalid_request", "request body too large")
		return
	}
	// The Genesys SDKs authenticate the client with HTTP Basic only.
	id, secret, ok := r.BasicAuth()
	if !ok || !s.clientMatches(id, secret) {
		w.Header().Set("WWW-Authenticate", `Basic realm="genesystest"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed")
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request",
			"the body must be application/x-www-form-urlencoded")
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "malformed form body")
		return
	}
	switch gt := form.Get("grant_type"); gt {
	case "client_credentials":
	case "":
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "grant_type is required")
		return
	default:
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type",
			"grant type "+gt+" is not supported for this client")
		return
	}
	tok, ttl := s.issueToken()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"access_token": tok,
		"token_type":   "bearer",
		"expires_in":   int64(ttl.Seconds()),
	})
}

// clientMatches also accepts credentials form-encoded before Basic
// encoding, as RFC 6749 §2.3.1 prescribes and some clients do.
func (s *Server) clientMatches(id, secret string) bool {
	if id == s.ClientID && secret == s.ClientSecret {
		return true
	}
	uid, err1 := url.QueryUnescape(id)
	usecret, err2 := url.QueryUnescape(secret)
	return err1 == nil && err2 == nil && uid == s.ClientID && usecret == s.ClientSecret
}

// writeOAuthError writes the body the Genesys SDKs decode as
// AuthErrorResponse.
func writeOAuthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"error":             code,
		"description":       desc,
		"error_description": desc,
	})
}

// writePlatformError writes the Genesys Platform API error shape used by the
// gateway for 401, 429 and unknown routes.
func writePlatformError(w http.ResponseWriter, status int, code, message, corr string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Message   string   `json:"message"`
		Code      string   `json:"code"`
		Status    int      `json:"status"`
		ContextID string   `json:"contextId"`
		Details   []string `json:"details"`
		Errors    []string `json:"errors"`
	}{message, code, status, corr, []string{}, []string{}})
}

func cutSpace(s string) (before, after string, found bool) {
	before, after, found = strings.Cut(strings.TrimSpace(s), " ")
	return before, strings.TrimSpace(after), found
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }
