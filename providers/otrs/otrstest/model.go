package otrstest

import (
	"fmt"
	"strconv"
	"time"
)

type session struct {
	id       string
	userType string // "User" or "Customer"
	agent    *agent
	customer *customer
	start    time.Time
	remote   string
	ua       string
}

// principal is who a request authenticated as.
type principal struct {
	userType string // "User" or "Customer"
	agent    *agent
	customer *customer
}

// actingUserID is the UserID changes are recorded under: the agent, or
// CustomerPanelUserID (1) for customer users.
func (p principal) actingUserID() int {
	if p.agent != nil {
		return p.agent.id
	}
	return 1
}

type ticket struct {
	id                   int
	tn                   string
	title                string
	queueID, stateID     int
	priorityID, typeID   int
	lockID               int
	ownerID, responsible int
	customerUser         string
	customerID           string
	created, changed     time.Time
	createBy, changeBy   int
	untilTime            int64 // pending time, epoch seconds; 0 = none
	unlockTimeout        int64
	dynamic              map[string]string
	articles             []*article
}

type article struct {
	id, number        int
	from, to, cc, bcc string
	subject, body     string
	contentType       string
	channelID         int
	senderTypeID      int
	visible           bool
	created           time.Time
	createBy          int
	timeUnit          float64
}

// nextTicketNumber implements the default DateChecksum generator:
// YYYYMMDD + SystemID (10) + a daily counter of at least five digits + a
// check digit (weights 1,2,1,2,… over the preceding digits; 10 - sum%10,
// where 10 becomes 1).
func (s *Server) nextTicketNumber(now time.Time) string {
	day := now.Format("20060102")
	if day != s.tnDay {
		s.tnDay, s.tnCounter = day, 0
	}
	s.tnCounter++
	base := fmt.Sprintf("%s10%05d", day, s.tnCounter)
	sum := 0
	for i, c := range base {
		w := 1
		if i%2 == 1 {
			w = 2
		}
		sum += w * int(c-'0')
	}
	check := 10 - sum%10
	if check == 10 {
		check = 1
	}
	return base + strconv.Itoa(check)
}

func (s *Server) touch(t *ticket, userID int) {
	t.changed = s.now()
	t.changeBy = userID
}

// setState is TicketStateSet: leaving pending states clears the pending time.
func (s *Server) setState(t *ticket, st stateDef, userID int) {
	if t.stateID != st.id {
		t.stateID = st.id
		s.touch(t, userID)
	}
	if st.typeName != "pending reminder" && st.typeName != "pending auto" {
		t.untilTime = 0
	}
}

// setLock is TicketLockSet; locking starts the unlock timeout.
func (s *Server) setLock(t *ticket, lockID, userID int) {
	if t.lockID == lockID {
		return
	}
	t.lockID = lockID
	if lockID == 2 {
		t.unlockTimeout = s.now().Unix()
	}
	s.touch(t, userID)
}

func (s *Server) addArticle(t *ticket, a *article) {
	a.id = s.nextAID
	s.nextAID++
	a.number = len(t.articles) + 1
	a.created = s.now()
	t.articles = append(t.articles, a)
	s.touch(t, a.createBy)
}
