package connector_test

// Benchmarks of the import path against a hand-written net/http +
// encoding/json loop, and of body rendering against a hand-written map
// literal. BENCHMARKS.md at the module root says how to run them and
// records measured figures.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/binding"
	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
	"github.com/restconn/restconn/internal/vars"
	"github.com/restconn/restconn/template"
)

// SCIM schema URNs of the Genesys Cloud user shape.
const (
	benchSchemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	benchSchemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	benchSchemaGenesys    = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"
	benchSchemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
)

// The wire types of the fake directory. The server encodes them and the
// baseline decodes into them: a hand-written client would declare the same
// structs.
type (
	scimListResponse struct {
		Schemas      []string   `json:"schemas"`
		TotalResults int        `json:"totalResults"`
		StartIndex   int        `json:"startIndex"`
		ItemsPerPage int        `json:"itemsPerPage"`
		Resources    []scimUser `json:"Resources"`
		NextCursor   string     `json:"nextCursor,omitempty"` // the next startIndex, for cursor clients (BenchmarkImportLatency)
	}
	scimUser struct {
		Schemas      []string        `json:"schemas"`
		ID           string          `json:"id"`
		UserName     string          `json:"userName"`
		DisplayName  string          `json:"displayName,omitempty"`
		Active       bool            `json:"active"`
		Title        string          `json:"title,omitempty"`
		Emails       []scimContact   `json:"emails,omitempty"`
		PhoneNumbers []scimContact   `json:"phoneNumbers,omitempty"`
		ExternalID   string          `json:"externalId,omitempty"`
		Groups       []scimGroupRef  `json:"groups"`
		Roles        []scimRole      `json:"roles"`
		Enterprise   *scimEnterprise `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,omitempty"`
		Genesys      *scimGenesys    `json:"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User,omitempty"`
		Meta         scimMeta        `json:"meta"`
	}
	scimContact struct {
		Value   string `json:"value"`
		Type    string `json:"type"`
		Primary bool   `json:"primary"`
	}
	scimGroupRef struct {
		Value   string `json:"value"`
		Display string `json:"display"`
		Ref     string `json:"$ref"`
	}
	scimRole struct {
		Value string `json:"value"`
	}
	scimEnterprise struct {
		Division       string       `json:"division,omitempty"`
		Department     string       `json:"department,omitempty"`
		Manager        *scimUserRef `json:"manager,omitempty"`
		EmployeeNumber string       `json:"employeeNumber,omitempty"`
	}
	scimUserRef struct {
		Value string `json:"value"`
		Ref   string `json:"$ref"`
	}
	scimGenesys struct {
		RoutingSkills    []scimProficiency `json:"routingSkills,omitempty"`
		RoutingLanguages []scimProficiency `json:"routingLanguages,omitempty"`
		ExternalIDs      []scimExternalID  `json:"externalIds,omitempty"`
	}
	scimProficiency struct {
		Name        string  `json:"name"`
		Proficiency float64 `json:"proficiency"`
	}
	scimExternalID struct {
		Authority string `json:"authority"`
		Value     string `json:"value"`
	}
	scimMeta struct {
		ResourceType string `json:"resourceType"`
		LastModified string `json:"lastModified"`
		Location     string `json:"location"`
		Version      string `json:"version"`
	}
)

// benchUUID is a deterministic UUID-shaped ID for entity n of a kind.
func benchUUID(kind, n int) string {
	h := uint64(n)*0x9e3779b97f4a7c15 + uint64(kind)*0xbf58476d1ce4e5b9
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", uint32(h>>32), uint16(h>>16), uint16(h)&0xfff, uint16(h>>4)&0xfff, (h^uint64(n))&0xffffffffffff)
}

var (
	benchDepartments = []string{"Sales", "Support", "Billing", "Engineering", "Operations", "Marketing", "Human Resources"}
	benchTitles      = []string{"Agent", "Senior Agent", "Team Lead", "Supervisor", "Quality Analyst", "Workforce Planner"}
	benchRoles       = []string{"employee", "agent", "supervisor", "admin", "Quality Evaluator"}
	benchSkills      = []string{"Billing", "Returns", "Technical L1", "Technical L2", "Spanish Queue", "VIP", "Chat", "Email"}
)

// benchMakeUser builds directory user i (1-based) the way Genesys Cloud
// shows it over SCIM. Every 9th user has no title, every 10th no manager and
// every 7th is inactive, so the mapping's absent-value paths run too.
func benchMakeUser(i int, base string) scimUser {
	id := benchUUID(1, i)
	first, last := "User"+strconv.Itoa(i), "Tester"
	email := fmt.Sprintf("user%d@example.com", i)
	u := scimUser{
		Schemas:     []string{benchSchemaUser, benchSchemaEnterprise, benchSchemaGenesys},
		ID:          id,
		UserName:    email,
		DisplayName: first + " " + last,
		Active:      i%7 != 0,
		Title:       benchTitles[i%len(benchTitles)],
		Emails: []scimContact{
			{Value: email, Type: "work", Primary: true},
			{Value: fmt.Sprintf("u%d.alt@example.org", i), Type: "other", Primary: false},
		},
		PhoneNumbers: []scimContact{{Value: fmt.Sprintf("+1317555%04d", i%10000), Type: "work", Primary: true}},
		ExternalID:   "HR-" + strconv.Itoa(100000+i),
		Groups:       []scimGroupRef{},
		Roles:        []scimRole{},
		Enterprise: &scimEnterprise{
			Division:       benchUUID(2, i%3),
			Department:     benchDepartments[i%len(benchDepartments)],
			EmployeeNumber: strconv.Itoa(5000 + i),
		},
		Genesys: &scimGenesys{
			RoutingLanguages: []scimProficiency{{Name: "English", Proficiency: 5}},
			ExternalIDs:      []scimExternalID{{Authority: "x-pc:scimv2:v1", Value: "HR-" + strconv.Itoa(100000+i)}},
		},
		Meta: scimMeta{
			ResourceType: "User",
			LastModified: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 97 * time.Second).Add(time.Duration(i%1000) * time.Millisecond).Format("2006-01-02T15:04:05.000Z"),
			Location:     base + "/Users/" + id,
			Version:      `W/"` + strconv.Itoa(1+i%5) + `"`,
		},
	}
	if i%9 == 0 {
		u.Title = ""
	}
	if i%10 != 0 {
		m := benchUUID(1, i-i%10)
		u.Enterprise.Manager = &scimUserRef{Value: m, Ref: base + "/Users/" + m}
	}
	for g := 0; g < 1+i%3; g++ {
		gid := benchUUID(3, (i+g)%20)
		u.Groups = append(u.Groups, scimGroupRef{Value: gid, Display: "Group " + strconv.Itoa((i+g)%20), Ref: base + "/Groups/" + gid})
	}
	for r := 0; r < 1+i%2; r++ {
		u.Roles = append(u.Roles, scimRole{Value: benchRoles[(i+r)%len(benchRoles)]})
	}
	for s := 0; s < 2+i%3; s++ {
		u.Genesys.RoutingSkills = append(u.Genesys.RoutingSkills, scimProficiency{
			Name:        benchSkills[(i+s)%len(benchSkills)],
			Proficiency: float64((i+s)%5) + float64((i+s)%2)*0.5, // whole and fractional values
		})
	}
	return u
}

// scimDirectory serves GET /Users as a SCIM ListResponse with
// startIndex/count paging over total users. With cache set, each page is
// rendered once and then served from memory, so that the server's share of
// a benchmark is small and the same for the engine and the baseline; without
// it, pages are generated on the fly and the server keeps nothing that grows
// with the number of users (the memory test, whose heap samples must not
// include a cache of every page).
type scimDirectory struct {
	*httptest.Server
	total    int
	cache    bool
	latency  atomic.Int64 // nanoseconds added to every page (BenchmarkImportLatency)
	requests atomic.Int64

	mu    sync.Mutex
	pages map[[2]int][]byte // {startIndex, count} -> body
	ring  [][][]byte        // stream mode: users 1..1000 split around their ID
}

func newSCIMDirectory(tb testing.TB, total int, cache bool) *scimDirectory {
	tb.Helper()
	d := &scimDirectory{total: total, cache: cache, pages: map[[2]int][]byte{}}
	d.Server = httptest.NewServer(http.HandlerFunc(d.serve))
	tb.Cleanup(d.Close)
	return d
}

const benchMaxCount = 1000 // the directory's page size cap

// window reads the SCIM paging parameters of a request.
func (d *scimDirectory) window(q map[string][]string) (start, count int, err error) {
	start, count = 1, 100
	if v := q["startIndex"]; len(v) > 0 {
		if start, err = strconv.Atoi(v[0]); err != nil {
			return 0, 0, err
		}
	}
	if v := q["cursor"]; len(v) > 0 { // the cursor is the startIndex
		if start, err = strconv.Atoi(v[0]); err != nil {
			return 0, 0, err
		}
	}
	if v := q["count"]; len(v) > 0 {
		if count, err = strconv.Atoi(v[0]); err != nil {
			return 0, 0, err
		}
	}
	return max(start, 1), min(max(count, 0), benchMaxCount), nil
}

func (d *scimDirectory) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.Path != "/Users" {
		http.NotFound(w, r)
		return
	}
	d.requests.Add(1)
	start, count, err := d.window(r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/scim+json")
	if lat := time.Duration(d.latency.Load()); lat > 0 {
		time.Sleep(lat)
	}
	if !d.cache {
		d.stream(w, start, count)
		return
	}
	_, _ = w.Write(d.page(start, count))
}

// pageUsers returns how many users the page at start with count shows.
func (d *scimDirectory) pageUsers(start, count int) int {
	return max(0, min(count, d.total-start+1))
}

// page returns the cached body of a page, rendering it on first use.
func (d *scimDirectory) page(start, count int) []byte {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := [2]int{start, count}
	if b, ok := d.pages[key]; ok {
		return b
	}
	n := d.pageUsers(start, count)
	lr := scimListResponse{Schemas: []string{benchSchemaList}, TotalResults: d.total, StartIndex: start, ItemsPerPage: n, Resources: make([]scimUser, 0, n)}
	if start+n <= d.total {
		lr.NextCursor = strconv.Itoa(start + n)
	}
	for i := start; i < start+n; i++ {
		lr.Resources = append(lr.Resources, benchMakeUser(i, d.URL))
	}
	b, err := json.Marshal(lr)
	if err != nil {
		panic(err)
	}
	d.pages[key] = b
	return b
}

// prerender renders every page an import with this page size requests.
func (d *scimDirectory) prerender(count int) {
	for start := 1; start <= d.total; start += count {
		d.page(start, count)
	}
}

// stream writes a page user by user without keeping it. To keep the
// server's share of the memory test small, user i is user (i-1)%1000+1
// encoded once, with its own ID spliced in: the server holds about 1.6 MB
// whatever the record count.
func (d *scimDirectory) stream(w io.Writer, start, count int) {
	n := d.pageUsers(start, count)
	fmt.Fprintf(w, `{"schemas":[%q],"totalResults":%d,"startIndex":%d,"itemsPerPage":%d,"Resources":[`, benchSchemaList, d.total, start, n)
	for i := start; i < start+n; i++ {
		if i > start {
			_, _ = io.WriteString(w, ",")
		}
		parts := d.ringUser(i)
		id := benchUUID(1, i)
		for j, p := range parts {
			if j > 0 {
				_, _ = io.WriteString(w, id)
			}
			_, _ = w.Write(p)
		}
	}
	_, _ = io.WriteString(w, "]}")
}

const benchRing = 1000

// ringUser returns the encoding of user i split around its ID.
func (d *scimDirectory) ringUser(i int) [][]byte {
	r := (i-1)%benchRing + 1
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.ring == nil {
		d.ring = make([][][]byte, benchRing+1)
	}
	if d.ring[r] == nil {
		u := benchMakeUser(r, d.URL)
		const placeholder = "@@ID@@"
		u.ID = placeholder
		u.Meta.Location = d.URL + "/Users/" + placeholder
		b, err := json.Marshal(u)
		if err != nil {
			panic(err)
		}
		d.ring[r] = bytes.Split(b, []byte(placeholder))
	}
	return d.ring[r]
}

// benchSpec maps the Genesys user shape much as the Genesys preset does.
const benchSpec = `{"name":"bench","connection":{"baseURL":"$URL"},
 "import":{"accounts":{
  "sources":[{"name":"users","path":"/Users","records":"Resources","paging":{"type":"scim","size":$SIZE}}],
  "id":"id","name":"userName",
  "active":{"path":"active"},
  "attributes":{
   "userName":"userName",
   "displayName":"displayName",
   "title":"title",
   "active":{"path":"active","type":"bool"},
   "externalId":"externalId",
   "emails":{"path":"emails","type":"raw"},
   "primaryEmail":"emails[0].value",
   "department":"[\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"].department",
   "division":"[\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"].division",
   "manager":"[\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"].manager.value",
   "employeeNumber":"[\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\"].employeeNumber",
   "routingSkills":{"path":"[\"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User\"].routingSkills","type":"raw"},
   "version":"meta.version",
   "lastModified":{"path":"meta.lastModified","type":"time"}},
  "entitlements":{"group":"groups[].value","role":"roles[].value"}}}}`

// benchHTTPClient is the client both sides use: a fresh transport that
// keeps enough idle connections that none is ever re-dialled.
func benchHTTPClient(tb testing.TB) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 64
	tr.MaxIdleConnsPerHost = 64
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func benchEngine(tb testing.TB, baseURL string, size int, hc *http.Client, opts ...connector.Option) *connector.Engine {
	tb.Helper()
	js := strings.ReplaceAll(benchSpec, "$SIZE", strconv.Itoa(size))
	e, err := connector.New(spec(tb, js, baseURL), append([]connector.Option{connector.WithHTTPClient(hc)}, opts...)...)
	require.NoError(tb, err)
	return e
}

// baselineImport is what a developer would write by hand for one SCIM
// directory: the same requests, decoding into typed structs, building the
// same connector.Account values the engine yields.
func baselineImport(ctx context.Context, hc *http.Client, baseURL string, size int) iter.Seq2[connector.Account, error] {
	return func(yield func(connector.Account, error) bool) {
		start := 1
		for {
			u := baseURL + "/Users?count=" + strconv.Itoa(size) + "&startIndex=" + strconv.Itoa(start)
			page, err := baselinePage(ctx, hc, u)
			if err != nil {
				yield(connector.Account{}, err)
				return
			}
			for i := range page.Resources {
				acct, err := baselineAccount(&page.Resources[i])
				if !yield(acct, err) || err != nil {
					return
				}
			}
			if len(page.Resources) == 0 {
				return
			}
			step := page.ItemsPerPage
			if step <= 0 {
				step = len(page.Resources)
			}
			start += step
			if start > page.TotalResults {
				return
			}
		}
	}
}

func baselinePage(ctx context.Context, hc *http.Client, u string) (*scimListResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	var page scimListResponse
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body) // drain, so the connection is reused
	return &page, nil
}

// baselineAccount maps one user to the Account the engine's spec produces,
// with the same Go types: strings, bool, time.Time (UTC), and raw JSON
// values as record.Normalize leaves them ([]any of map[string]any, whole
// numbers as int64 and others as float64).
func baselineAccount(u *scimUser) (connector.Account, error) {
	if u.ID == "" {
		return connector.Account{}, errors.New("user without id")
	}
	attrs := make(map[string]any, 14)
	attrs["userName"] = u.UserName
	attrs["active"] = u.Active
	if u.DisplayName != "" {
		attrs["displayName"] = u.DisplayName
	}
	if u.Title != "" {
		attrs["title"] = u.Title
	}
	if u.ExternalID != "" {
		attrs["externalId"] = u.ExternalID
	}
	if u.Emails != nil {
		emails := make([]any, len(u.Emails))
		for i, e := range u.Emails {
			emails[i] = map[string]any{"value": e.Value, "type": e.Type, "primary": e.Primary}
		}
		attrs["emails"] = emails
		if len(u.Emails) > 0 {
			attrs["primaryEmail"] = u.Emails[0].Value
		}
	}
	if ent := u.Enterprise; ent != nil {
		if ent.Department != "" {
			attrs["department"] = ent.Department
		}
		if ent.Division != "" {
			attrs["division"] = ent.Division
		}
		if ent.Manager != nil {
			attrs["manager"] = ent.Manager.Value
		}
		if ent.EmployeeNumber != "" {
			attrs["employeeNumber"] = ent.EmployeeNumber
		}
	}
	if g := u.Genesys; g != nil && g.RoutingSkills != nil {
		skills := make([]any, len(g.RoutingSkills))
		for i, s := range g.RoutingSkills {
			skills[i] = map[string]any{"name": s.Name, "proficiency": jsonNumber(s.Proficiency)}
		}
		attrs["routingSkills"] = skills
	}
	if u.Meta.Version != "" {
		attrs["version"] = u.Meta.Version
	}
	if u.Meta.LastModified != "" {
		t, err := time.Parse(time.RFC3339Nano, u.Meta.LastModified)
		if err != nil {
			return connector.Account{}, fmt.Errorf("user %s: lastModified: %w", u.ID, err)
		}
		attrs["lastModified"] = t.UTC()
	}
	groups := make([]string, 0, len(u.Groups))
	for _, g := range u.Groups {
		groups = append(groups, g.Value)
	}
	roles := make([]string, 0, len(u.Roles))
	for _, r := range u.Roles {
		roles = append(roles, r.Value)
	}
	return connector.Account{
		ID:           u.ID,
		Name:         u.UserName,
		Active:       u.Active,
		Attributes:   attrs,
		Entitlements: map[string][]string{"group": groups, "role": roles},
	}, nil
}

// jsonNumber is record.Normalize's form of a JSON number.
func jsonNumber(f float64) any {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}

func TestBaselineMatchesEngine(t *testing.T) {
	const users, size = 250, 100 // three pages, the last one short
	d := newSCIMDirectory(t, users, true)
	ctx := context.Background()

	e := benchEngine(t, d.URL, size, benchHTTPClient(t))
	engine, err := connectortest.Collect(e.ImportAccounts(ctx, connector.ImportOptions{}))
	require.NoError(t, err)
	engineRequests := d.requests.Swap(0)

	baseline, err := connectortest.Collect(baselineImport(ctx, benchHTTPClient(t), d.URL, size))
	require.NoError(t, err)
	baselineRequests := d.requests.Load()

	require.Len(t, engine, users)
	require.Equal(t, engine, baseline, "the baseline must produce exactly what the engine does")
	assert.EqualValues(t, 3, engineRequests)
	assert.Equal(t, engineRequests, baselineRequests, "same paging on both sides")

	// The data exercises every type the mapping produces, and absent values.
	first := engine[0].Attributes
	assert.IsType(t, time.Time{}, first["lastModified"])
	assert.IsType(t, true, first["active"])
	assert.IsType(t, []any{}, first["emails"])
	assert.Len(t, first, 14)
	var whole, frac, noTitle, noManager, inactive bool
	for _, a := range engine {
		for _, s := range a.Attributes["routingSkills"].([]any) {
			switch s.(map[string]any)["proficiency"].(type) {
			case int64:
				whole = true
			case float64:
				frac = true
			}
		}
		_, hasTitle := a.Attributes["title"]
		_, hasManager := a.Attributes["manager"]
		noTitle = noTitle || !hasTitle
		noManager = noManager || !hasManager
		inactive = inactive || !a.Active
	}
	assert.True(t, whole && frac && noTitle && noManager && inactive, "whole %v, fractional %v, no title %v, no manager %v, inactive %v", whole, frac, noTitle, noManager, inactive)
}

const benchImportUsers = 10000 // records per benchmark iteration

var benchImportSizes = []int{100, 1000}

// benchSink keeps the compiler from discarding the accounts.
var benchSink connector.Account

func BenchmarkImportAccounts(b *testing.B) {
	for _, size := range benchImportSizes {
		b.Run("size="+strconv.Itoa(size), func(b *testing.B) {
			d := newSCIMDirectory(b, benchImportUsers, true)
			d.prerender(size)
			e := benchEngine(b, d.URL, size, benchHTTPClient(b))
			benchImport(b, func(ctx context.Context) iter.Seq2[connector.Account, error] {
				return e.ImportAccounts(ctx, connector.ImportOptions{})
			})
		})
	}
}

func BenchmarkImportAccountsBaseline(b *testing.B) {
	for _, size := range benchImportSizes {
		b.Run("size="+strconv.Itoa(size), func(b *testing.B) {
			d := newSCIMDirectory(b, benchImportUsers, true)
			d.prerender(size)
			hc := benchHTTPClient(b)
			benchImport(b, func(ctx context.Context) iter.Seq2[connector.Account, error] {
				return baselineImport(ctx, hc, d.URL, size)
			})
		})
	}
}

// benchImport runs one whole import per iteration and reports records/s,
// allocs/record, B/record and, where /proc/self/stat exists, cpu-ns/record:
// the CPU time of the process (all threads, user and system) per record,
// which varies far less than wall time on a machine shared with other work.
// Allocation counts and CPU time are process-wide, so they include the
// in-process server's share (the same on both sides).
func benchImport(b *testing.B, run func(context.Context) iter.Seq2[connector.Account, error]) {
	ctx := context.Background()
	importAll := func() int {
		n := 0
		for a, err := range run(ctx) {
			if err != nil {
				b.Fatal(err)
			}
			benchSink = a
			n++
		}
		return n
	}
	if n := importAll(); n != benchImportUsers { // warm up: connections, caches
		b.Fatalf("imported %d records, want %d", n, benchImportUsers)
	}
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	cpu0, cpuOK := processCPU()
	records := 0
	for b.Loop() {
		records += importAll()
	}
	cpu1, _ := processCPU()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(records)/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(records), "allocs/record")
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(records), "B/record")
	if cpuOK {
		b.ReportMetric(float64(cpu1-cpu0)/float64(records), "cpu-ns/record")
	}
}

// processCPU returns the user and system CPU time of this process from
// /proc/self/stat (Linux; clock ticks of 10 ms), and false elsewhere.
func processCPU() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, false
	}
	f := strings.Fields(string(b[i+1:])) // from field 3, state
	if len(f) < 13 {
		return 0, false
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	const tick = 10 * time.Millisecond // USER_HZ is 100 on every Linux ABI Go supports
	return time.Duration(utime+stime) * tick, true
}

// benchBody is a typical provisioning body: a SCIM create-user request
// with 14 templated leaves, typed (active), optional (opt, omitEmpty, one
// of them absent), text with two actions, and a nested emails list.
const benchBody = `{
 "schemas":["urn:ietf:params:scim:schemas:core:2.0:User","urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
 "userName":"{{ .user.email }}",
 "displayName":"{{ .user.firstname }} {{ .user.lastname }}",
 "name":{"givenName":"{{ .user.firstname }}","familyName":"{{ .user.lastname }}"},
 "active":"{{ .user.active }}",
 "title":"{{ opt .user \"title\" }}",
 "externalId":"{{ opt .user \"externalid\" }}",
 "password":"{{ omitEmpty .password }}",
 "emails":[{"value":"{{ .user.email }}","type":"work","primary":true}],
 "phoneNumbers":[{"value":"{{ opt .user \"phone\" }}","type":"work","primary":true}],
 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{
  "division":"{{ opt .user \"division\" }}",
  "department":"{{ opt .user \"department\" }}",
  "employeeNumber":"{{ .user.employeeid }}",
  "manager":{"value":"{{ opt .user \"manager\" }}"}}}`

// benchRenderData is the data of one createAccount request as the engine
// binds it.
func benchRenderData() map[string]any {
	v := vars.Vars{
		User: map[string]any{
			"email": "ann.lee@example.com", "firstname": "Ann", "lastname": "Lee", "active": true,
			"title": "Team Lead", "phone": "+13175550123", "division": "Home", "department": "Support",
			"employeeid": "5012", "manager": benchUUID(1, 10),
		},
		Task:     map[string]any{"id": "T-1001", "requestor": "admin@example.com"},
		Params:   map[string]any{"baseURL": "https://api.example.com/api/v2/scim/v2"},
		Secrets:  map[string]binding.Secret{"clientSecret": "s3cr3t"},
		Now:      time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC),
		Password: "Tr0ub4dor&3",
		Op:       string(connector.CreateAccount),
	}
	return v.Map()
}

func benchCompileBody(tb testing.TB) *template.Tree {
	tb.Helper()
	var raw any
	dec := json.NewDecoder(strings.NewReader(benchBody))
	dec.UseNumber()
	require.NoError(tb, dec.Decode(&raw))
	tree, err := template.CompileTree("provision.createAccount.calls[0].body", raw)
	require.NoError(tb, err)
	return tree
}

func renderBody(tree *template.Tree, data map[string]any) ([]byte, error) {
	v, err := tree.Render(data)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// renderBodyBaseline builds the same body by hand.
func renderBodyBaseline(data map[string]any) ([]byte, error) {
	user, _ := data["user"].(map[string]any)
	str := func(k string) string { s, _ := user[k].(string); return s }
	phone := map[string]any{"type": "work", "primary": true}
	if v, ok := user["phone"]; ok && v != nil {
		phone["value"] = v
	}
	body := map[string]any{
		"schemas":      []any{benchSchemaUser, benchSchemaEnterprise},
		"userName":     user["email"],
		"displayName":  str("firstname") + " " + str("lastname"),
		"name":         map[string]any{"givenName": user["firstname"], "familyName": user["lastname"]},
		"active":       user["active"],
		"emails":       []any{map[string]any{"value": user["email"], "type": "work", "primary": true}},
		"phoneNumbers": []any{phone},
	}
	if v, ok := user["title"]; ok && v != nil {
		body["title"] = v
	}
	if v, ok := user["externalid"]; ok && v != nil {
		body["externalId"] = v
	}
	if pw, _ := data["password"].(string); pw != "" {
		body["password"] = pw
	}
	manager := map[string]any{}
	if v, ok := user["manager"]; ok && v != nil {
		manager["value"] = v
	}
	ent := map[string]any{"employeeNumber": user["employeeid"], "manager": manager}
	if v, ok := user["division"]; ok && v != nil {
		ent["division"] = v
	}
	if v, ok := user["department"]; ok && v != nil {
		ent["department"] = v
	}
	body[benchSchemaEnterprise] = ent
	return json.Marshal(body)
}

func TestRenderBaselineMatches(t *testing.T) {
	tree := benchCompileBody(t)
	data := benchRenderData()
	got, err := renderBody(tree, data)
	require.NoError(t, err)
	want, err := renderBodyBaseline(data)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got))
	assert.True(t, bytes.Contains(got, []byte(`"active":true`)), "typed leaf: %s", got)
	assert.False(t, bytes.Contains(got, []byte(`externalId`)), "absent opt leaf dropped: %s", got)
}

var benchBytes []byte

func BenchmarkRender(b *testing.B) {
	tree := benchCompileBody(b)
	data := benchRenderData()
	b.ReportAllocs()
	for b.Loop() {
		out, err := renderBody(tree, data)
		if err != nil {
			b.Fatal(err)
		}
		benchBytes = out
	}
}

func BenchmarkRenderBaseline(b *testing.B) {
	data := benchRenderData()
	b.ReportAllocs()
	for b.Loop() {
		out, err := renderBodyBaseline(data)
		if err != nil {
			b.Fatal(err)
		}
		benchBytes = out
	}
}
