package connector_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restconn/restconn/connector"
	"github.com/restconn/restconn/connector/connectortest"
)

// Resumable imports: a worker that stops after any record and resumes
// with the last checkpoint token loses nothing, and sees again only the
// records of the page it was in.

// interrupted runs an import that stops after stopAt records (0: runs to
// the end) and returns the IDs it saw and the last checkpoint token.
func interrupted(t *testing.T, seq func(connector.ImportOptions) func(func(string, error) bool), resume string, stopAt int) (ids []string, last string, tokens int) {
	t.Helper()
	opts := connector.ImportOptions{Resume: resume, Checkpoint: func(tok string) { last = tok; tokens++ }}
	for id, err := range seq(opts) {
		require.NoError(t, err)
		ids = append(ids, id)
		if len(ids) == stopAt {
			break
		}
	}
	return ids, last, tokens
}

func accountIDs(e *connector.Engine) func(connector.ImportOptions) func(func(string, error) bool) {
	return func(opts connector.ImportOptions) func(func(string, error) bool) {
		return func(yield func(string, error) bool) {
			for a, err := range e.ImportAccounts(context.Background(), opts) {
				if !yield(a.ID, err) {
					return
				}
			}
		}
	}
}

func accessIDs(e *connector.Engine) func(connector.ImportOptions) func(func(string, error) bool) {
	return func(opts connector.ImportOptions) func(func(string, error) bool) {
		return func(yield func(string, error) bool) {
			for ent, err := range e.ImportAccess(context.Background(), opts) {
				if !yield(ent.Type+"/"+ent.ID, err) {
					return
				}
			}
		}
	}
}

var tokenShape = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// checkResumeEverywhere stops an import after every record, resumes it
// with the last token and checks the union: every record, and the records
// seen twice are exactly those of the page in progress (pageStart gives
// the index where the page of record i starts).
func checkResumeEverywhere(t *testing.T, seq func(connector.ImportOptions) func(func(string, error) bool), pageStart func(done int) int) {
	t.Helper()
	full, final, tokens := interrupted(t, seq, "", 0)
	require.NotEmpty(t, full)
	require.NotZero(t, tokens)
	assert.Regexp(t, tokenShape, final, "printable")
	assert.Less(t, len(final), 200, "small: no records in a token")
	rest, _, _ := interrupted(t, seq, final, 0)
	assert.Empty(t, rest, "the last token resumes after the end")

	for stop := 1; stop <= len(full); stop++ {
		seen, last, _ := interrupted(t, seq, "", stop)
		require.Len(t, seen, stop)
		resumed, _, _ := interrupted(t, seq, last, 0)
		from := pageStart(stop)
		require.Equal(t, full[from:], resumed, "stopped after record %d: the import resumes at record %d", stop, from)
		assert.Equal(t, full, append(seen[:from:from], resumed...), "nothing lost")
	}
}

func TestResumeEveryKindAtEveryRecord(t *testing.T) {
	t.Parallel()
	for _, kind := range listKinds {
		for _, k := range []int{1, 0} {
			t.Run(fmt.Sprintf("%s/k=%d", kind, k), func(t *testing.T) {
				t.Parallel()
				v := newListVendor(t, kind, 10, 3)
				e := v.engine(t, connector.WithImportConcurrency(k))
				// A checkpoint comes after the loop body has taken the last
				// record of a page: a stop at record 6 is inside page 2,
				// which is read again.
				checkResumeEverywhere(t, accountIDs(e), func(stop int) int { return (stop - 1) / 3 * 3 })
			})
		}
	}
}

// Pages of another size than asked for (a server cap, a short page that is
// refilled) resume where the records stopped.
func TestResumeWithShortPages(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"offset", "scim"} {
		for _, k := range []int{1, 0} {
			t.Run(fmt.Sprintf("%s/k=%d", kind, k), func(t *testing.T) {
				t.Parallel()
				v := newListVendor(t, kind, 11, 10)
				sizes := map[int]int{0: 4, 4: 4, 8: 2, 10: 4} // pages of 4, then 2 (refilled by 2)
				v.maxSize = func(start int) int { return sizes[start] + map[bool]int{true: 2}[sizes[start] == 0] }
				e := v.engine(t, connector.WithImportConcurrency(k))
				full, _, _ := interrupted(t, accountIDs(e), "", 0)
				require.Equal(t, lvIDs(0, 11), full)
				for stop := 1; stop <= 11; stop++ {
					seen, last, _ := interrupted(t, accountIDs(e), "", stop)
					resumed, _, _ := interrupted(t, accountIDs(e), last, 0)
					require.Subset(t, resumed, full[stop:], "stopped after %d", stop)
					require.Equal(t, full, union(seen, resumed), "stopped after %d", stop)
					require.LessOrEqual(t, len(seen)+len(resumed)-len(full), 4, "seen twice: at most the page in progress")
				}
			})
		}
	}
}

// union returns a then the elements of b not in a, keeping order: what a
// consumer that upserts by ID ends up with.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}

// A multi-source import resumes in the source it stopped in, at every page
// boundary, the sources after it from their start.
func TestResumeMultiSource(t *testing.T) {
	t.Parallel()
	for _, k := range []int{1, 0} {
		t.Run(fmt.Sprint("k=", k), func(t *testing.T) {
			t.Parallel()
			a := newListVendor(t, "scim", 7, 3)
			b := newListVendor(t, "cursor", 5, 2)
			b.prefix = "b"
			c := newListVendor(t, "nextURL", 4, 3)
			c.prefix = "c"
			e, err := connector.New(spec(t, `{"name":"multi","connection":{"baseURL":"$URL"},
				"import":{"accounts":{"sources":[`+a.listCall("a", "")+`,`+b.absCall("b", "")+`,`+c.absCall("c", "")+`],"id":"id"}}}`, a.URL),
				connector.WithImportConcurrency(k))
			require.NoError(t, err)
			// Page starts: a 0,3,6; b 7,9,11; c 12,15.
			starts := []int{0, 3, 6, 7, 9, 11, 12, 15}
			checkResumeEverywhere(t, accountIDs(e), func(stop int) int {
				from := 0
				for _, s := range starts {
					if s < stop {
						from = s
					}
				}
				return from
			})
			full, _, _ := interrupted(t, accountIDs(e), "", 0)
			assert.Equal(t, append(append(a.ids(0, 7), b.ids(0, 5)...), c.ids(0, 4)...), full)
		})
	}
}

// ImportAccess resumes in the type and source it stopped in; a type
// derived from accounts has no pages of its own and starts again.
func TestResumeImportAccess(t *testing.T) {
	t.Parallel()
	dir := directoryServer(t) // accounts, with the roles they hold
	groups := newListVendor(t, "scim", 7, 3)
	groups.prefix = "g"
	teams := newListVendor(t, "offset", 5, 2)
	teams.prefix = "t"
	e, err := connector.New(spec(t, `{"name":"dir","connection":{"baseURL":"$URL"},
	 "import":{
	  "accounts":{"sources":[{"path":"/Users","records":"Resources","paging":{"type":"scim","size":50}},
	    {"path":"/Users","query":{"filter":"active eq false"},"records":"Resources","paging":{"type":"scim","size":50}}],
	   "id":"id","entitlements":{"role":"roles[].value"}},
	  "entitlements":{
	   "group":{"sources":[`+groups.absCall("groups", "")+`],"id":"id"},
	   "role":{"fromAccounts":true},
	   "team":{"sources":[`+teams.absCall("teams", "")+`],"id":"id"}}}}`, dir.URL))
	require.NoError(t, err)
	full, _, _ := interrupted(t, accessIDs(e), "", 0)
	require.Equal(t, []string{"group/g001", "group/g002", "group/g003", "group/g004", "group/g005", "group/g006", "group/g007",
		"role/admin", "role/employee", "team/t001", "team/t002", "team/t003", "team/t004", "team/t005"}, full)
	// Page starts: groups 0,3,6; roles 7 (the whole type); teams 9,11,13.
	starts := []int{0, 3, 6, 7, 9, 11, 13}
	checkResumeEverywhere(t, accessIDs(e), func(stop int) int {
		from := 0
		for _, s := range starts {
			if s < stop {
				from = s
			}
		}
		return from
	})

	// Types given in the options: their order, and tokens bound to them.
	seq := func(opts connector.ImportOptions) func(func(string, error) bool) {
		opts.Types = []string{"team", "group"}
		return accessIDs(e)(opts)
	}
	checkResumeEverywhere(t, seq, func(stop int) int {
		from := 0
		for _, s := range []int{0, 2, 4, 5, 8, 11} {
			if s < stop {
				from = s
			}
		}
		return from
	})
	_, tok, _ := interrupted(t, seq, "", 3)
	_, err = connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{Resume: tok}))
	assert.ErrorIs(t, err, connector.ErrInvalidToken, "a token of other Types")
}

// Incremental imports resume too; the token is bound to Since.
func TestResumeIncremental(t *testing.T) {
	t.Parallel()
	v := newListVendor(t, "scim", 10, 3)
	e, err := connector.New(spec(t, `{"name":"inc","connection":{"baseURL":"$URL"},
		"import":{"accounts":{"sources":[{"path":"/none","records":"x"}],
		"incremental":[`+strings.Replace(v.listCall("changed", ""), `"path":"/users"`, `"path":"/users","query":{"since":"{{ unix .since }}"}`, 1)+`],"id":"id"}}}`, v.URL))
	require.NoError(t, err)
	since := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	seq := func(opts connector.ImportOptions) func(func(string, error) bool) {
		opts.Since = since
		return accountIDs(e)(opts)
	}
	checkResumeEverywhere(t, seq, func(stop int) int { return (stop - 1) / 3 * 3 })

	_, tok, _ := interrupted(t, seq, "", 4)
	for _, other := range []time.Time{{}, since.Add(time.Second)} {
		_, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Since: other, Resume: tok}))
		require.ErrorIs(t, err, connector.ErrInvalidToken)
		assert.ErrorContains(t, err, "since")
	}
}

// A token only resumes the import it came from.
func TestResumeRefusesOtherTokens(t *testing.T) {
	t.Parallel()
	v := newListVendor(t, "cursor", 10, 3)
	e := v.engine(t)
	_, tok, _ := interrupted(t, accountIDs(e), "", 4)
	require.NotEmpty(t, tok)

	other := func(change func(*connector.Spec)) *connector.Engine {
		s := v.spec(t, "")
		change(s)
		oe, err := connector.New(s)
		require.NoError(t, err)
		return oe
	}
	refuse := func(t *testing.T, e *connector.Engine, tok, text string) {
		t.Helper()
		before := v.requests()
		_, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Resume: tok}))
		require.ErrorIs(t, err, connector.ErrInvalidToken)
		var ce *connector.Error
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, connector.Operation("importAccounts"), ce.Op)
		assert.Contains(t, err.Error(), text)
		assert.Equal(t, before, v.requests(), "no request")
	}
	t.Run("another source list", func(t *testing.T) {
		refuse(t, other(func(s *connector.Spec) {
			s.Import.Accounts.Sources = append(s.Import.Accounts.Sources, &connector.ListCall{Call: connector.Call{Path: "/more"}, Records: "x"})
		}), tok, "another spec")
	})
	t.Run("another page size", func(t *testing.T) {
		refuse(t, other(func(s *connector.Spec) { s.Import.Accounts.Sources[0].Paging.Size = 4 }), tok, "another spec")
	})
	t.Run("another base URL", func(t *testing.T) {
		refuse(t, other(func(s *connector.Spec) { s.Connection.BaseURL = strings.Replace(v.URL, "127.0.0.1", "localhost", 1) }), tok, "base URL")
	})
	t.Run("from ImportAccess", func(t *testing.T) {
		s := v.spec(t, "")
		s.Import.Entitlements = map[string]*connector.EntitlementImport{"group": {Sources: s.Import.Accounts.Sources, ID: s.Import.Accounts.ID}}
		ae, err := connector.New(s)
		require.NoError(t, err)
		_, atok, _ := interrupted(t, accessIDs(ae), "", 4)
		refuse(t, ae, atok, "another spec") // an access token for an account import
	})
	t.Run("options", func(t *testing.T) {
		_, err := connectortest.Collect(e.ImportAccess(context.Background(), connector.ImportOptions{Resume: tok}))
		assert.Error(t, err, "no entitlements in this spec")
	})
	t.Run("damaged", func(t *testing.T) {
		for i := range tok {
			b := []byte(tok)
			b[i] = map[bool]byte{true: 'B', false: 'A'}[b[i] == 'A']
			_, err := connectortest.Collect(e.ImportAccounts(context.Background(), connector.ImportOptions{Resume: string(b)}))
			require.ErrorIs(t, err, connector.ErrInvalidToken, "character %d changed", i)
		}
		refuse(t, e, "hello", "not a resume token")
		refuse(t, e, tok[:len(tok)-2], "resume token")
		refuse(t, e, base64.RawURLEncoding.EncodeToString([]byte("\x01{}abcd")), "damaged")
	})
}

// A session ID that a server echoes into its next-page links never ends up
// in a token: the auth's own parameter is left out (the engine adds the
// current session when it resumes).
func TestResumeTokensCarryNoSecrets(t *testing.T) {
	t.Parallel()
	for _, scheme := range []string{"nextURL", "link"} {
		t.Run(scheme, func(t *testing.T) {
			t.Parallel()
			v := newFaultVendor(t, scheme, "session", faultUsers)
			e := v.engine(t, fvSpecCfg{})
			var toks []string
			opts := connector.ImportOptions{Checkpoint: func(tok string) { toks = append(toks, tok) }}
			_, err := connectortest.Collect(e.ImportAccounts(context.Background(), opts))
			require.NoError(t, err)
			require.Len(t, toks, 4)
			for _, tok := range toks {
				raw, err := base64.RawURLEncoding.DecodeString(tok)
				require.NoError(t, err)
				for _, s := range v.secretsOf() {
					assert.NotContains(t, string(raw), s)
				}
			}
			// A new engine (a new session) resumes with the second token.
			ids, err := connectortest.Collect(v.engine(t, fvSpecCfg{}).ImportAccounts(context.Background(), connector.ImportOptions{Resume: toks[1]}))
			require.NoError(t, err)
			var got []string
			for _, a := range ids {
				got = append(got, a.ID)
			}
			assert.Equal(t, fvIDs(faultUsers)[6:], got)
		})
	}
}
