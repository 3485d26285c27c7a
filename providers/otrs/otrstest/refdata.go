package otrstest

import (
	"regexp"
	"strings"
)

// Reference data of a fresh install (vendor-apis.md §3.9). IDs are the
// database IDs a client sees in StateID, QueueID and friends.

type stateDef struct {
	id       int
	name     string
	typeID   int
	typeName string
}

var stateTypes = map[int]string{
	1: "new",
	2: "open",
	3: "closed",
	4: "pending reminder",
	5: "pending auto",
	6: "removed",
	7: "merged",
}

var states = []stateDef{
	{1, "new", 1, "new"},
	{2, "closed successful", 3, "closed"},
	{3, "closed unsuccessful", 3, "closed"},
	{4, "open", 2, "open"},
	{5, "removed", 6, "removed"},
	{6, "pending reminder", 4, "pending reminder"},
	{7, "pending auto close+", 5, "pending auto"},
	{8, "pending auto close-", 5, "pending auto"},
	{9, "merged", 7, "merged"},
}

// idName is a small ID/name lookup table, matched case-sensitively: the
// server-side caches Znuny consults are Perl hashes, so "raw" is not "Raw".
type idName []string // index 0 unused

func (t idName) byName(name string) int {
	for id := 1; id < len(t); id++ {
		if t[id] == name {
			return id
		}
	}
	return 0
}

func (t idName) name(id int) string {
	if id < 1 || id >= len(t) {
		return ""
	}
	return t[id]
}

var (
	queues      = idName{"", "Postmaster", "Raw", "Junk", "Misc"}
	priorities  = idName{"", "1 very low", "2 low", "3 normal", "4 high", "5 very high"}
	ticketTypes = idName{"", "Unclassified"}
	locks       = idName{"", "unlock", "lock", "tmp_lock"}
	senderTypes = idName{"", "agent", "system", "customer"}
	channels    = idName{"", "Email", "Phone", "Internal", "Chat"}
)

func stateByName(name string) (stateDef, bool) {
	for _, s := range states {
		if s.name == name {
			return s, true
		}
	}
	return stateDef{}, false
}

func stateByID(id int) (stateDef, bool) {
	for _, s := range states {
		if s.id == id {
			return s, true
		}
	}
	return stateDef{}, false
}

var autoResponseTypes = map[string]bool{
	"auto reply":            true,
	"auto reject":           true,
	"auto follow up":        true,
	"auto reply/new ticket": true,
	"auto remove":           true,
}

var historyTypes = map[string]bool{}

func init() {
	for _, h := range strings.Fields(`NewTicket FollowUp SendAutoReject SendAutoReply
		SendAutoFollowUp Forward Bounce SendAnswer SendAgentNotification
		SendCustomerNotification EmailAgent EmailCustomer PhoneCallAgent
		PhoneCallCustomer AddNote Move Lock Unlock Remove TimeAccounting
		CustomerUpdate PriorityUpdate OwnerUpdate LoopProtection Misc
		SetPendingTime StateUpdate TicketDynamicFieldUpdate WebRequestCustomer
		TicketLinkAdd TicketLinkDelete SystemRequest Merged ResponsibleUpdate
		Subscribe Unsubscribe TypeUpdate ServiceUpdate SLAUpdate
		ArchiveFlagUpdate EscalationSolutionTimeStop EscalationResponseTimeStart
		EscalationUpdateTimeStart EscalationSolutionTimeStart
		EscalationResponseTimeNotifyBefore EscalationUpdateTimeNotifyBefore
		EscalationSolutionTimeNotifyBefore EscalationResponseTimeStop
		EscalationUpdateTimeStop TitleUpdate EmailResend`) {
		historyTypes[h] = true
	}
}

// charsetRe approximates Perl's Encode::resolve_alias for the charsets a
// REST client plausibly sends.
var charsetRe = regexp.MustCompile(`^(?i:utf-?8(-strict)?|utf-?(16|32)(-?[lb]e)?|ucs-?2|(us-)?ascii|iso-?8859-([1-9]|1[0-6])|latin-?([1-9]|10)|(windows|cp)-?125[0-8]|koi8-?[ru]|shift_jis|sjis|euc-?(jp|kr|cn)|iso-2022-jp|gb2312|gbk|big5)$`)

func validCharset(cs string) bool { return cs != "" && charsetRe.MatchString(cs) }

var mimeTypeRe = regexp.MustCompile(`^\w+/\w+$`)

// emailRe is a pragmatic stand-in for the syntax part of
// Kernel::System::CheckItem::CheckEmail.
var emailRe = regexp.MustCompile(`^[^\s@<>()",;:\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}$`)

// validFrom mirrors ValidateFrom: the first address of a From-style string
// must be a valid e-mail address.
func validFrom(from string) bool {
	if from == "" {
		return false
	}
	addr := strings.TrimSpace(from)
	if i := strings.IndexByte(addr, ','); i >= 0 && !strings.Contains(addr[:i], "<") {
		addr = strings.TrimSpace(addr[:i])
	}
	if i := strings.IndexByte(addr, '<'); i >= 0 {
		if j := strings.IndexByte(addr[i:], '>'); j > 0 {
			addr = addr[i+1 : i+j]
		}
	}
	return validEmail(addr)
}

// validEmail is CheckEmail with its default MX check approximated without
// DNS: addresses in the reserved top-level domains (RFC 2606/6761), which
// never resolve, are refused; any other well-formed address passes.
func validEmail(addr string) bool {
	if !emailRe.MatchString(addr) {
		return false
	}
	tld := strings.ToLower(addr[strings.LastIndexByte(addr, '.')+1:])
	switch tld {
	case "test", "invalid", "localhost", "example", "local":
		return false
	}
	return true
}
