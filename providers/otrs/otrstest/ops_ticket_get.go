package otrstest

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// id renders a database integer: a string, as MySQL-backed systems send
// it, or a JSON number under WithNumericIDs.
func (s *Server) id(n int) any { return s.id64(int64(n)) }

func (s *Server) id64(n int64) any {
	if s.cfg.numericIDs {
		return n
	}
	return strconv.FormatInt(n, 10)
}

func timestamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05") }

var (
	ticketIDRe = regexp.MustCompile(`^[1-9]\d*$`)
	commaRe    = regexp.MustCompile(`\s*,\s*`)
)

// ticketGet is Ticket::TicketGet (also behind the TicketGetList route).
func (s *Server) ticketGet(data any) opResult {
	const op = "TicketGet"
	d := data.(map[string]any)
	p, ok := s.auth(d)
	if !ok {
		return opError(op+".AuthFail", op+": Authorization failing!")
	}
	if !truthy(d["TicketID"]) {
		return opError(op+".MissingParameter", op+": TicketID parameter is missing!")
	}
	var ids []string
	switch v := d["TicketID"]; {
	case isStringWithData(v):
		ids = commaRe.Split(str(v), -1)
		for len(ids) > 0 && ids[len(ids)-1] == "" { // Perl's split drops trailing empty fields
			ids = ids[:len(ids)-1]
		}
	case isArrayWithData(v):
		ids = list(v)
	default:
		return opError(op+".WrongStructure", op+": Structure for TicketID is not correct!")
	}
	for _, id := range ids {
		if !ticketIDRe.MatchString(id) {
			return opError(op+".WrongStructure", op+": Invalid ticket ID parameter(s) found!")
		}
	}
	for _, id := range ids {
		t := s.tickets[posInt(id)]
		// A missing ticket fails the permission check before anything else.
		if t == nil || !s.canAccess(p, t) {
			return opError(op+".AccessDenied", op+": User does not have access to the ticket!")
		}
	}

	withDF := truthy(d["DynamicFields"])
	allArticles := truthy(d["AllArticles"])
	order := field(d, "ArticleOrder")
	if !truthy(d["ArticleOrder"]) {
		order = "ASC"
	}
	limit := posInt(field(d, "ArticleLimit"))
	senderTypes := list(d["ArticleSenderType"])

	var out []any
	for _, id := range ids {
		t := s.tickets[posInt(id)]
		tm := s.ticketMap(t, withDF)
		if allArticles {
			arts := s.articlesFor(t, p, senderTypes)
			// ArticleOrder only matters together with ArticleLimit.
			if l := min(limit, len(arts)); l > 0 {
				if order == "DESC" {
					for i, j := 0, len(arts)-1; i < j; i, j = i+1, j-1 {
						arts[i], arts[j] = arts[j], arts[i]
					}
				}
				arts = arts[:l]
			}
			if len(arts) > 0 {
				var box []any
				for _, a := range arts {
					box = append(box, s.articleMap(t, a))
				}
				tm["Article"] = box
			}
		}
		out = append(out, tm)
	}
	return success(map[string]any{"Ticket": out})
}

// articlesFor lists a ticket's articles, per requested sender type in
// request order; customer users only see customer-visible articles.
func (s *Server) articlesFor(t *ticket, p principal, senderTypeNames []string) []*article {
	visible := func(a *article) bool { return p.customer == nil || a.visible }
	var out []*article
	if len(senderTypeNames) == 0 {
		for _, a := range t.articles {
			if visible(a) {
				out = append(out, a)
			}
		}
		return out
	}
	for _, st := range senderTypeNames {
		for _, a := range t.articles {
			if visible(a) && senderTypes.name(a.senderTypeID) == st {
				out = append(out, a)
			}
		}
	}
	return out
}

func (s *Server) ticketMap(t *ticket, withDF bool) map[string]any {
	now := s.now()
	st, _ := stateByID(t.stateID)
	var timeUnit float64
	for _, a := range t.articles {
		timeUnit += a.timeUnit
	}
	untilTime := int64(0)
	if t.untilTime != 0 {
		untilTime = t.untilTime - now.Unix()
	}
	var customerID any = t.customerID
	m := map[string]any{
		"Age":                    int64(now.Sub(t.created) / time.Second),
		"ArchiveFlag":            "n",
		"ChangeBy":               s.id(t.changeBy),
		"Changed":                timestamp(t.changed),
		"CreateBy":               s.id(t.createBy),
		"Created":                timestamp(t.created),
		"CustomerID":             customerID,
		"CustomerUserID":         t.customerUser,
		"EscalationResponseTime": s.id(0),
		"EscalationSolutionTime": s.id(0),
		"EscalationTime":         s.id(0),
		"EscalationUpdateTime":   s.id(0),
		"GroupID":                s.id(1),
		"Lock":                   locks.name(t.lockID),
		"LockID":                 s.id(t.lockID),
		"Owner":                  s.agentByID(t.ownerID).login,
		"OwnerID":                s.id(t.ownerID),
		"Priority":               priorities.name(t.priorityID),
		"PriorityID":             s.id(t.priorityID),
		"Queue":                  queues.name(t.queueID),
		"QueueID":                s.id(t.queueID),
		"RealTillTimeNotUsed":    s.id64(t.untilTime),
		"Responsible":            s.agentByID(t.responsible).login,
		"ResponsibleID":          s.id(t.responsible),
		"SLAID":                  "",
		"ServiceID":              "",
		"State":                  st.name,
		"StateID":                s.id(st.id),
		"StateType":              st.typeName,
		"TicketID":               s.id(t.id),
		"TicketNumber":           t.tn,
		"TimeUnit":               timeUnit,
		"Title":                  t.title,
		"Type":                   ticketTypes.name(t.typeID),
		"TypeID":                 s.id(t.typeID),
		"UnlockTimeout":          s.id64(t.unlockTimeout),
		"UntilTime":              untilTime,
	}
	if withDF && len(s.cfg.dynFields) > 0 {
		names := append([]string(nil), s.cfg.dynFields...)
		sort.Strings(names)
		var dfs []any
		for _, n := range names {
			var v any
			if val, ok := t.dynamic[n]; ok {
				v = val
			}
			dfs = append(dfs, map[string]any{"Name": n, "Value": v})
		}
		m["DynamicField"] = dfs
	}
	return m
}

func (s *Server) articleMap(t *ticket, a *article) map[string]any {
	ct := a.contentType
	mime, charset := ct, ""
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		mime = strings.TrimSpace(ct[:i])
		if j := strings.Index(strings.ToLower(ct), "charset="); j >= 0 {
			charset = strings.Trim(strings.TrimSpace(strings.SplitN(ct[j+len("charset="):], ";", 2)[0]), `"'`)
		}
	}
	visible := 0
	if a.visible {
		visible = 1
	}
	nullable := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	return map[string]any{
		"ArticleID":              s.id(a.id),
		"ArticleNumber":          s.id(a.number),
		"TicketID":               s.id(t.id),
		"CommunicationChannelID": s.id(a.channelID),
		"SenderTypeID":           s.id(a.senderTypeID),
		"SenderType":             senderTypes.name(a.senderTypeID),
		"IsVisibleForCustomer":   s.id(visible),
		"From":                   a.from,
		"To":                     nullable(a.to),
		"Cc":                     nullable(a.cc),
		"Bcc":                    nullable(a.bcc),
		"ReplyTo":                nil,
		"MessageID":              nil,
		"InReplyTo":              nil,
		"References":             nil,
		"Subject":                a.subject,
		"Body":                   a.body,
		"ContentType":            ct,
		"MimeType":               mime,
		"Charset":                charset,
		"ContentCharset":         charset,
		"IncomingTime":           s.id64(a.created.Unix()),
		"CreateTime":             timestamp(a.created),
		"ChangeTime":             timestamp(a.created),
		"CreateBy":               s.id(a.createBy),
		"ChangeBy":               s.id(a.createBy),
		"TimeUnit":               a.timeUnit,
	}
}
