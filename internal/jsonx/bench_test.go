package jsonx

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
)

// The benchmark documents: a SCIM ListResponse page shaped like Genesys
// Cloud's /api/v2/scim/v2/users, and a small API error body.

const (
	schemaUser       = "urn:ietf:params:scim:schemas:core:2.0:User"
	schemaEnterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	schemaGenesys    = "urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"
	schemaList       = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	apiBase          = "https://api.mypurecloud.com/api/v2/scim/v2/"
)

const errorBody = `{"message":"The requested user could not be found.","code":"not.found","status":404,` +
	`"messageParams":{},"contextId":"0c2a4f5e-9a47-4b3e-8c1d-6f0e2b7a9d31","details":[],"errors":[]}`

type apiError struct {
	Message       string            `json:"message"`
	Code          string            `json:"code"`
	Status        int               `json:"status"`
	MessageParams map[string]string `json:"messageParams"`
	ContextID     string            `json:"contextId"`
	Details       []any             `json:"details"`
	Errors        []any             `json:"errors"`
}

type scimList struct {
	Schemas      []string   `json:"schemas"`
	TotalResults int        `json:"totalResults"`
	ItemsPerPage int        `json:"itemsPerPage"`
	StartIndex   int        `json:"startIndex"`
	Resources    []scimUser `json:"Resources"`
}

type scimUser struct {
	Schemas      []string       `json:"schemas"`
	ID           string         `json:"id"`
	Active       bool           `json:"active"`
	UserName     string         `json:"userName"`
	DisplayName  string         `json:"displayName"`
	Title        string         `json:"title,omitempty"`
	PhoneNumbers []scimMultiVal `json:"phoneNumbers,omitempty"`
	Emails       []scimMultiVal `json:"emails"`
	ExternalID   string         `json:"externalId,omitempty"`
	Groups       []scimGroupRef `json:"groups"`
	Roles        []scimValue    `json:"roles"`
	Enterprise   scimEnterprise `json:"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"`
	Genesys      scimGenesys    `json:"urn:ietf:params:scim:schemas:extension:genesys:purecloud:2.0:User"`
	Meta         scimMeta       `json:"meta"`
}

type scimMultiVal struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary,omitempty"`
}

type scimGroupRef struct {
	Value   string `json:"value"`
	Display string `json:"display"`
	Ref     string `json:"$ref"`
}

type scimValue struct {
	Value string `json:"value"`
}

type scimEnterprise struct {
	Division       string    `json:"division"`
	Department     string    `json:"department"`
	Manager        scimValue `json:"manager"`
	EmployeeNumber string    `json:"employeeNumber"`
}

type scimGenesys struct {
	RoutingSkills    []scimProficiency `json:"routingSkills"`
	RoutingLanguages []scimProficiency `json:"routingLanguages"`
}

type scimProficiency struct {
	Name        string  `json:"name"`
	Proficiency float64 `json:"proficiency"`
}

type scimMeta struct {
	ResourceType string `json:"resourceType"`
	LastModified string `json:"lastModified"`
	Location     string `json:"location"`
	Version      string `json:"version"`
}

// scimPage renders a deterministic page of n users, about 1.1 KB each.
func scimPage(n int) []byte {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	uuid := func() string {
		return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
			r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), 0x8000|r.IntN(1<<14), r.Uint64()&(1<<48-1))
	}
	pick := func(s ...string) string { return s[r.IntN(len(s))] }
	first := []string{"Jane", "John", "Ana", "José", "Chloé", "Wei", "Priya", "Olu", "Sven", "Zoë"}
	last := []string{"Doe", "Smith", "Müller", "García", "O'Brien", "Nakamura", "Kowalski", "Dubois"}
	type group struct{ id, name string }
	groups := make([]group, 12)
	for i := range groups {
		groups[i] = group{uuid(), fmt.Sprintf("Support Tier %d", i+1)}
	}
	managers := []string{uuid(), uuid(), uuid(), uuid()}
	skills := []string{"Billing", "Technical Support", "Returns", "Sales", "VIP", "Escalations"}

	list := scimList{Schemas: []string{schemaList}, TotalResults: 25 * n, ItemsPerPage: n, StartIndex: 1}
	for i := range n {
		id := uuid()
		fn, ln := pick(first...), pick(last...)
		login := fmt.Sprintf("%s.%s%d@example.com", fn, ln, i)
		u := scimUser{
			Schemas:      []string{schemaUser, schemaEnterprise, schemaGenesys},
			ID:           id,
			Active:       r.IntN(10) != 0,
			UserName:     login,
			DisplayName:  fn + " " + ln,
			Title:        pick("Agent", "Senior Agent", "Supervisor", "Team Lead"),
			PhoneNumbers: []scimMultiVal{{Value: fmt.Sprintf("tel:+1317555%04d", r.IntN(10000)), Type: "work", Primary: true}},
			Emails: []scimMultiVal{
				{Value: login, Type: "work", Primary: true},
				{Value: fmt.Sprintf("%s%d@home.example.org", fn, i), Type: "other"},
			},
			ExternalID: fmt.Sprintf("EXT-%06d", i),
			Roles:      []scimValue{{"employee"}, {pick("Agent", "Supervisor", "Communicate - User")}},
			Enterprise: scimEnterprise{
				Division:       pick("Home", "EMEA", "Americas"),
				Department:     pick("Support", "Sales", "Billing"),
				Manager:        scimValue{pick(managers...)},
				EmployeeNumber: fmt.Sprintf("E%05d", 10000+i),
			},
			Genesys: scimGenesys{
				RoutingSkills: []scimProficiency{
					{pick(skills...), float64(1 + r.IntN(5))},
					{pick(skills...), float64(1+r.IntN(9)) / 2},
				},
				RoutingLanguages: []scimProficiency{{"English", 5}},
			},
			Meta: scimMeta{
				ResourceType: "User",
				LastModified: fmt.Sprintf("2024-%02d-%02dT%02d:%02d:%02d.%03dZ", 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000)),
				Location:     apiBase + "users/" + id,
				Version:      fmt.Sprintf(`W/"%d"`, 1+r.IntN(200)),
			},
		}
		for range 1 + r.IntN(3) {
			g := groups[r.IntN(len(groups))]
			u.Groups = append(u.Groups, scimGroupRef{g.id, g.name, apiBase + "groups/" + g.id})
		}
		list.Resources = append(list.Resources, u)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(list); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// TestBenchmarkDocuments checks that the benchmarks measure correct decodes.
func TestBenchmarkDocuments(t *testing.T) {
	checkStd(t, scimPage(100))
	checkStd(t, []byte(errorBody))
	var typed scimList
	if err := json.Unmarshal(scimPage(100), &typed); err != nil || len(typed.Resources) != 100 {
		t.Fatal(err)
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, doc := range []struct {
		name  string
		data  []byte
		typed func() any
	}{
		{"scim_100", scimPage(100), func() any { return new(scimList) }},
		{"scim_1000", scimPage(1000), func() any { return new(scimList) }},
		{"error_body", []byte(errorBody), func() any { return new(apiError) }},
	} {
		b.Run(doc.name+"/jsonx", func(b *testing.B) {
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(doc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(doc.name+"/jsonx_limits", func(b *testing.B) {
			// What the engine will do: the same decode with the page limits.
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			l := DefaultLimits(len(doc.data))
			for b.Loop() {
				if _, err := DecodeLimits(doc.data, l); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(doc.name+"/encoding_json", func(b *testing.B) {
			// What the engine did: a Decoder with UseNumber into any.
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				dec := json.NewDecoder(bytes.NewReader(doc.data))
				dec.UseNumber()
				var v any
				if err := dec.Decode(&v); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(doc.name+"/encoding_json_typed", func(b *testing.B) {
			// What a hand-written client does: Unmarshal into structs.
			b.SetBytes(int64(len(doc.data)))
			b.ReportAllocs()
			for b.Loop() {
				if err := json.Unmarshal(doc.data, doc.typed()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
