package connector

import (
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/restconn/restconn/internal/jsonpath"
	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/record"
	"github.com/restconn/restconn/template"
)

// compiled is a spec with every template, path and rule compiled; the
// engine only ever reads it. It copies what it needs from the spec, except
// JSON values it only reads (literal parts of bodies, the values conditions
// compare with), which it shares with the engine's own copy of the spec:
// New compiles a copy that nobody else holds.
type compiled struct {
	baseURL     *template.Template
	tlsCA       *template.Template
	headers     []namedTemplate
	auths       map[string]*compiledAuth
	usedAuths   map[string]bool // auth blocks some call uses: only these are set up by New
	defaultAuth string
	errors      *compiledErrors
	failure     []*compiledCond

	connect      []*compiledCall
	accounts     *compiledAccounts
	ents         map[string]*compiledEnts
	entTypes     []string
	ops          map[Operation]*compiledOp
	ticketCreate *compiledTicketCreate
	ticketStatus *compiledTicketPoll
	ticketNote   *compiledTicketComment // tickets.comment
	ticketCancel *compiledTicketCancel
}

type namedTemplate struct {
	name string
	t    *template.Template
}

type compiledAuth struct {
	name   string
	kind   string
	static map[string]*template.Template // basic: username/password; bearer: token; apiKey: value; oauth2: tokenURL, clientID, clientSecret, endpointParams.<name>
	inject *TokenPlacement               // where the token goes; nil: the call's templates place it (.auth.token)
	body   *jsonpath.Path                // inject.Name compiled, when the token goes in the body
	login  *compiledCall
	token  *template.Template // session: token from the login response
	expiry []*compiledRule

	scopes         []string // oauth2
	endpointParams []string // oauth2: the names, sorted
	authStyle      string   // oauth2
	earlyExpiry    time.Duration
	ttl            time.Duration // session
}

type compiledErrors struct {
	code, message []*jsonpath.Path
	kinds         map[string]error
}

type compiledCond struct {
	path    *jsonpath.Path
	header  string
	value   *template.Template
	exists  *bool
	equals  any
	in      []any
	re      *regexp.Regexp
	not     bool
	hasTest bool
}

type compiledRule struct {
	status []int
	when   []*compiledCond
}

type compiledCall struct {
	name, where string // call name and spec path
	auth        string // auth block name; "" for none
	method      string
	path        *template.Template
	url         *template.Template
	query       []namedTemplate
	headers     []namedTemplate
	body        *template.Tree
	form        []namedTemplate
	success     *compiledRule
	failure     []*compiledCond
	errors      *compiledErrors
	ifT         *template.Template
	forEach     *template.Template
	idempotent  bool
	timeout     time.Duration
	restart     *compiledRestart

	// list calls
	records  *jsonpath.Path
	pager    *paging.Pager
	stop     []*compiledRule
	perPage  bool // some template reads .page: re-render on every page
	usesAuth bool // some template reads .auth: re-render after a new token

	allowMissing bool // a missing or null records value is an empty page
	concurrency  int  // page requests in flight (0: the default)
}

type compiledRestart struct {
	when compiledRule
	from int
	max  int
}

type compiledRecord struct {
	id           record.Field
	name         *record.Field
	attrs        *record.Mapper
	detail       *compiledCall
	detailRecord *jsonpath.Path
	details      []*compiledCall // merged detail calls, bound as .detail.<name>
	vars         bool            // some field renders a template: build its variables for each record
}

// compiledSubList is a list call made per record of an import (membersFrom,
// entitlementsFrom) and where the related ID is in each of its records.
type compiledSubList struct {
	call *compiledCall
	id   record.Field
}

type compiledAccounts struct {
	compiledRecord
	sources, incremental []*compiledCall
	unique               bool // drop IDs already yielded (a set of their digests)
	active               *compiledActive
	ents                 []entPath
	entsFrom             []entFrom // by type, sorted
	threshold            Threshold
}

type entFrom struct {
	typ string
	sub *compiledSubList
}

type entPath struct {
	typ  string
	path *jsonpath.Path
}

type compiledActive struct {
	cond compiledCond
	def  bool
}

type compiledEnts struct {
	compiledRecord
	typ          string
	sources      []*compiledCall
	fromAccounts bool
	members      *jsonpath.Path
	membersFrom  *compiledSubList
	chunk        int // members per yield with membersFrom
	unique       bool
	threshold    Threshold
}

type compiledOp struct {
	calls      []*compiledCall
	accountID  *template.Template
	attributes []namedTemplate
	ticket     *compiledTicketTemplate
	types      map[string]*compiledOp
}

type compiledTicketTemplate struct {
	title, description *template.Template
}

type compiledTicketCreate struct {
	calls []*compiledCall
	id    *template.Template
	ticketReader
}

type compiledTicketPoll struct {
	calls  []*compiledCall
	states []compiledState
	def    TicketState
	ticketReader
}

type compiledTicketComment struct {
	calls []*compiledCall
}

type compiledTicketCancel struct {
	calls []*compiledCall
	ticketReader
}

type compiledState struct {
	equals []string
	re     *regexp.Regexp
	state  TicketState
}

// usesAny reports whether any template of the call reads the binding.
func (cc *compiledCall) usesAny(name string) bool {
	for _, t := range []*template.Template{cc.path, cc.url} {
		if t != nil && t.Uses(name) {
			return true
		}
	}
	return usesName(cc.query, name) || usesName(cc.headers, name) || usesName(cc.form, name) ||
		cc.body != nil && cc.body.Uses(name)
}

// usesName reports whether any of the templates reads the binding.
func usesName(l []namedTemplate, name string) bool {
	return slices.ContainsFunc(l, func(nt namedTemplate) bool { return nt.t.Uses(name) })
}

// lists reports whether accounts list entitlements of type typ.
func (a *compiledAccounts) lists(typ string) bool {
	return slices.ContainsFunc(a.ents, func(e entPath) bool { return e.typ == typ }) ||
		slices.ContainsFunc(a.entsFrom, func(e entFrom) bool { return e.typ == typ })
}

// state maps a status key through the rules; the first match wins.
func (ts *compiledTicketPoll) state(key string) (TicketState, error) {
	for _, r := range ts.states {
		for _, s := range r.equals {
			if s == key {
				return r.state, nil
			}
		}
		if r.re != nil && r.re.MatchString(key) {
			return r.state, nil
		}
	}
	if ts.def != "" {
		return ts.def, nil
	}
	return "", fmt.Errorf("status %q matches no rule and there is no default", key)
}
