package genesys_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/providers/genesys"
)

// The memory of the Genesys preset's import: two sources (active users,
// then inactive ones), de-duplicated by ID. The engine keeps a 128-bit
// digest per account yielded; the rest of what it holds is a few pages.
// TestImportMemoryPerAccount imports 200,000 users (set
// RESTCONN_MEMORY_USERS=1000000 for the 1M figure in BENCHMARKS.md) from a
// SCIM directory that generates its pages on the fly, and measures the
// peak live heap: HeapAlloc right after a forced collection, every 10,000
// accounts, less the live heap before the import.

// streamDirectory serves /api/v2/scim/v2/Users for total users the way
// Genesys pages them: active users by default, inactive ones with the
// filter "active eq false"; every 7th user is inactive. Users are cut from
// one template with their own ID and names spliced in, so the server holds
// nothing that grows with the count.
type streamDirectory struct {
	*httptest.Server
	total    int
	template []string // a user split around its varying parts
}

func newStreamDirectory(t *testing.T, total int) *streamDirectory {
	d := &streamDirectory{total: total}
	const user = `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User","urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"],` +
		`"id":"@ID@","userName":"user@N@@example.com","displayName":"User @N@","active":@ACTIVE@,"title":"Agent",` +
		`"emails":[{"value":"user@N@@example.com","type":"work","primary":true}],"phoneNumbers":[{"value":"+13175550100","type":"work","primary":true}],` +
		`"externalId":"HR-@N@","groups":[{"value":"5f4bc742-a019-4e52-9c1a-3c1d4f1e2a10","display":"Support"}],"roles":[{"value":"employee"}],` +
		`"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"division":"Home","department":"Support","employeeNumber":"@N@"},` +
		`"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User":{"routingSkills":[{"name":"Billing","proficiency":3}],"routingLanguages":[{"name":"English","proficiency":5}]},` +
		`"meta":{"resourceType":"User","lastModified":"2025-01-01T00:00:00.000Z","version":"W/\"1\""}}`
	d.template = strings.SplitAfter(user, "@")
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	t.Cleanup(d.Close)
	return d
}

// id is a UUID-shaped ID for user i.
func streamID(i int) string {
	h := uint64(i)*0x9e3779b97f4a7c15 + 0xbf58476d1ce4e5b9
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(h>>4)&0xfff, (h^uint64(i))&0xffffffffffff)
}

func (d *streamDirectory) serve(w http.ResponseWriter, r *http.Request) {
	if !strings.EqualFold(r.URL.Path, "/api/v2/scim/v2/Users") {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	inactive := q.Get("filter") == "active eq false"
	start, _ := strconv.Atoi(q.Get("startIndex"))
	count, _ := strconv.Atoi(q.Get("count"))
	start, count = max(start, 1), min(max(count, 0), 100)
	total := d.total - d.total/7
	if inactive {
		total = d.total / 7
	}
	n := max(0, min(count, total-start+1))
	w.Header().Set("Content-Type", "application/scim+json")
	fmt.Fprintf(w, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":%d,"startIndex":%d,"itemsPerPage":%d,"Resources":[`, total, start, n)
	for j := start; j < start+n; j++ {
		i := j + (j-1)/6 // the j-th active user
		if inactive {
			i = 7 * j
		}
		if j > start {
			io.WriteString(w, ",")
		}
		d.writeUser(w, i)
	}
	io.WriteString(w, "]}")
}

func (d *streamDirectory) writeUser(w io.Writer, i int) {
	for _, part := range d.template {
		text, marker := part, ""
		if strings.HasSuffix(part, "@") {
			text = part[:len(part)-1]
		}
		switch text {
		case "ID":
			marker = streamID(i)
		case "N":
			marker = strconv.Itoa(i)
		case "ACTIVE":
			marker = strconv.FormatBool(i%7 != 0)
		default:
			io.WriteString(w, text)
			continue
		}
		io.WriteString(w, marker)
	}
}

func TestImportMemoryPerAccount(t *testing.T) {
	users := 200_000
	if v := os.Getenv("RESTCONN_MEMORY_USERS"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		users = n
	}
	if testing.Short() || raceEnabled {
		users = 20_000 // the figure is not the point there
	}
	d := newStreamDirectory(t, users)
	tr := http.DefaultTransport.(*http.Transport).Clone()
	t.Cleanup(tr.CloseIdleConnections)
	e, err := genesys.New(genesys.Config{APIBaseURL: d.URL, AccessToken: "memory-test-token"}, connector.WithHTTPClient(&http.Client{Transport: tr}))
	require.NoError(t, err)

	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.HeapAlloc
	var peak uint64
	start := time.Now()
	n, inactive := 0, 0
	for a, err := range e.ImportAccounts(context.Background(), connector.ImportOptions{}) {
		require.NoError(t, err)
		n++
		if !a.Active {
			inactive++
		}
		if n%10_000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
	}
	took := time.Since(start)
	require.Equal(t, users, n, "every user once")
	require.Equal(t, users/7, inactive)
	live := float64(peak) - float64(before)
	t.Logf("%d users in %v: peak live heap %.1f MiB above the %.1f MiB before the import: %.1f bytes per account",
		users, took.Round(time.Millisecond), live/(1<<20), float64(before)/(1<<20), live/float64(users))
	if users >= 200_000 {
		assert.LessOrEqual(t, live/float64(users), 32.0, "bytes per account")
	}
}
