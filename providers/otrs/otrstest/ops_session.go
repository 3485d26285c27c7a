package otrstest

import (
	"net"
	"net/http"
	"sort"
	"strconv"
)

// sessionCreate is Session::SessionCreate.
func (s *Server) sessionCreate(data any, r *http.Request) opResult {
	d, ok := data.(map[string]any)
	if !ok || len(d) == 0 {
		return opError("SessionCreate.MissingParameter", "SessionCreate: The request is empty!")
	}
	if !truthy(d["Password"]) {
		return opError("SessionCreate.MissingParameter", "SessionCreate: Password parameter is missing!")
	}
	p, ok := s.login(d)
	if !ok {
		return opError("SessionCreate.AuthFail", "SessionCreate: Authorization failing!")
	}
	remote, _, _ := net.SplitHostPort(r.RemoteAddr)
	ses := &session{id: randomString(32), userType: p.userType, agent: p.agent, customer: p.customer, start: s.now(), remote: remote, ua: r.UserAgent()}
	s.sessions[ses.id] = ses
	s.created++
	return success(map[string]any{"SessionID": ses.id})
}

// login checks UserLogin or (failing that) CustomerUserLogin with Password.
func (s *Server) login(d map[string]any) (principal, bool) {
	pw := field(d, "Password")
	switch {
	case truthy(d["UserLogin"]):
		a := s.agentByLogin(field(d, "UserLogin"))
		if a == nil || a.password == "" || a.password != pw {
			return principal{}, false
		}
		return principal{userType: "User", agent: a}, true
	case truthy(d["CustomerUserLogin"]):
		c := s.customerByLogin(field(d, "CustomerUserLogin"))
		if c == nil || pw != CustomerPassword {
			return principal{}, false
		}
		return principal{userType: "Customer", customer: c}, true
	}
	return principal{}, false
}

// auth is Operation::Common::Auth: a SessionID, when present, is the only
// credential considered; otherwise UserLogin, then CustomerUserLogin.
func (s *Server) auth(d map[string]any) (principal, bool) {
	if truthy(d["SessionID"]) {
		ses := s.checkSession(field(d, "SessionID"))
		if ses == nil {
			return principal{}, false
		}
		return principal{userType: ses.userType, agent: ses.agent, customer: ses.customer}, true
	}
	return s.login(d)
}

// checkSession is CheckSessionID: an expired session is deleted. GI
// requests never refresh UserLastRequest, so idle time counts from creation.
func (s *Server) checkSession(id string) *session {
	ses, ok := s.sessions[id]
	if !ok {
		return nil
	}
	age := s.now().Sub(ses.start)
	if age >= s.cfg.maxIdle || age >= sessionMaxTime {
		delete(s.sessions, id)
		return nil
	}
	return ses
}

// sessionGet is Session::SessionGet (Znuny).
func (s *Server) sessionGet(data any) opResult {
	d := data.(map[string]any)
	if !truthy(d["SessionID"]) {
		return opError("SessionGet.MissingParameter", "SessionGet: SessionID is missing!")
	}
	ses := s.checkSession(field(d, "SessionID"))
	if ses == nil {
		return opError("SessionGet.SessionInvalid", "SessionGet: SessionID is Invalid!")
	}
	start := strconv.FormatInt(ses.start.Unix(), 10)
	kv := map[string]string{
		"SessionSource":       "GenericInterface",
		"UserLastRequest":     start,
		"UserSessionStart":    start,
		"UserRemoteAddr":      ses.remote,
		"UserRemoteUserAgent": ses.ua,
		"UserType":            ses.userType,
	}
	if ses.agent != nil {
		a := ses.agent
		kv["UserID"] = strconv.Itoa(a.id)
		kv["UserLogin"] = a.login
		kv["UserFirstname"] = a.first
		kv["UserLastname"] = a.last
		kv["UserFullname"] = a.fullname()
	} else {
		c := ses.customer
		kv["UserID"] = c.login
		kv["UserLogin"] = c.login
		kv["UserCustomerID"] = c.customerID
		kv["UserEmail"] = c.email()
		kv["UserFirstname"] = c.first
		kv["UserLastname"] = c.last
		kv["UserFullname"] = c.first + " " + c.last
	}
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	list := make([]any, 0, len(keys))
	for _, k := range keys {
		list = append(list, map[string]any{"Key": k, "Value": kv[k]})
	}
	return success(map[string]any{"SessionData": list})
}
