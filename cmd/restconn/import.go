package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector"
)

func (a *app) importCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "import accounts|access",
		Short: "Import accounts or entitlements as JSON lines",
		Long: `Import reads every account or entitlement of the target and writes one JSON
object per line on stdout, as it arrives (memory stays bounded by one page).

Each account line is a connector.Account:
  {"id": ..., "name": ..., "active": ..., "attributes": {...}, "entitlements": {"TYPE": [IDs]}}
each entitlement line a connector.Entitlement:
  {"type": ..., "id": ..., "name": ..., "attributes": {...}, "members": [account IDs]}
"attributes", "entitlements" and "members" are left out when the records do
not carry them. When the spec lists members with a call per entitlement
(membersFrom), a large group is written on several lines, one chunk of
members each (the spec's membersChunk, 1000 by default) with the same type,
id, name and attributes: merge them by type and id, e.g.
  jq -cs 'group_by(.type + "/" + .id)[] | .[0] + {members: map(.members[]?)}'

When stderr is a terminal, a progress line there shows records, pages, the
rate and the elapsed time (--no-progress hides it; -v replaces it with a log
of the calls). If the import fails, the lines already written are complete
records but the import is not: the exit status is 1.

With --checkpoint FILE the import can survive a crash or an interrupt: after
the last record of each page is written (and stdout flushed), the resume
token is saved in FILE; run the same command again and it continues after
that page. Records of the page that was in progress come again, so load the
lines by ID (upsert). FILE is removed when the import completes. A relative
--since (24h) moves with the clock, so --checkpoint needs an absolute one.`,
		RunE: groupRunE("accounts", "access"),
	}
	cmd.AddCommand(a.importAccountsCmd(), a.importAccessCmd())
	return cmd
}

// importFlags are the flags both imports share.
type importFlags struct {
	*targetFlags
	since      string
	noProgress bool
	checkpoint string
}

func (a *app) addImportFlags(cmd *cobra.Command) *importFlags {
	f := &importFlags{targetFlags: a.addTargetFlags(cmd)}
	cmd.Flags().StringVar(&f.since, "since", "", "import only what changed since `TIME`: RFC 3339 (2024-05-01T00:00:00Z), a date (2024-05-01) or a duration back from now (24h); needs a spec with an incremental import")
	cmd.Flags().BoolVar(&f.noProgress, "no-progress", false, "do not show the progress line on stderr")
	cmd.Flags().StringVar(&f.checkpoint, "checkpoint", "", "save the resume token in `FILE` after every page, and resume after the page it names when FILE exists; removed when the import completes")
	return f
}

func (a *app) importAccountsCmd() *cobra.Command {
	var f *importFlags
	cmd := &cobra.Command{
		Use:   "accounts",
		Short: "Import accounts as JSON lines",
		Example: `  restconn import accounts --preset intercom --param baseURL=http://127.0.0.1:8080 > accounts.jsonl
  restconn import accounts --spec myapp.json --since 24h | jq -r .id`,
		Args: exactArgs(),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			return runImport(a, cmd, f, "accounts", nil, func(s *session, opts connector.ImportOptions) iter.Seq2[connector.Account, error] {
				return s.eng.ImportAccounts(s.ctx, opts)
			})
		}),
	}
	f = a.addImportFlags(cmd)
	return cmd
}

func (a *app) importAccessCmd() *cobra.Command {
	var f *importFlags
	var types []string
	cmd := &cobra.Command{
		Use:   "access",
		Short: "Import entitlements (groups, roles, teams, ...) as JSON lines",
		Example: `  restconn import access --preset genesys --types group,role
  restconn import access --spec myapp.json | jq -c '{type, id, n: (.members | length)}'`,
		Args: exactArgs(),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			return runImport(a, cmd, f, "entitlements", types, func(s *session, opts connector.ImportOptions) iter.Seq2[connector.Entitlement, error] {
				return s.eng.ImportAccess(s.ctx, opts)
			})
		}),
	}
	f = a.addImportFlags(cmd)
	cmd.Flags().StringSliceVar(&types, "types", nil, "import only these entitlement `TYPES` (comma-separated; default all)")
	registerTypesCompletion(cmd, f.specFlags)
	return cmd
}

// registerTypesCompletion completes --types with the entitlement types the
// spec of sf imports.
func registerTypesCompletion(cmd *cobra.Command, sf *specFlags) {
	_ = cmd.RegisterFlagCompletionFunc("types", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		spec, _, err := sf.load()
		if err != nil || spec.Import == nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return slices.Sorted(maps.Keys(spec.Import.Entitlements)), cobra.ShellCompDirectiveNoFileComp
	})
}

// runImport runs one import and writes its records as JSON lines.
func runImport[T any](a *app, cmd *cobra.Command, f *importFlags, what string, types []string,
	start func(*session, connector.ImportOptions) iter.Seq2[T, error]) error {
	opts, err := importOptions(f.since, types, a.now())
	if err != nil {
		return err
	}
	var ck *checkpointFile
	if f.checkpoint != "" {
		if f.since != "" {
			if _, err := time.ParseDuration(f.since); err == nil {
				return usageError(fmt.Errorf("--checkpoint needs an absolute --since (a time or a date): %q moves with the clock, so a resumed run would ask for another import", f.since))
			}
		}
		ck = &checkpointFile{path: f.checkpoint}
		if opts.Resume, err = ck.load(); err != nil {
			return usageError(err)
		}
		opts.Checkpoint = ck.save
	}
	err = streamLines(a, cmd, f.targetFlags, f.noProgress, what, ck, func(s *session) iter.Seq2[T, error] {
		return start(s, opts)
	})
	if err == nil && ck != nil {
		err = ck.done()
	}
	if ck != nil && errors.Is(err, connector.ErrInvalidToken) {
		// Say which file holds the token and how to start over: the
		// library's message knows neither.
		err = reword(err, "--checkpoint "+ck.path+": %s; remove the file to import from the beginning")
	}
	return err
}

// importOptions are the ImportOptions that --since and --types ask for.
func importOptions(since string, types []string, now time.Time) (connector.ImportOptions, error) {
	opts := connector.ImportOptions{Types: trimAll(types)}
	if since != "" {
		t, err := parseSince(since, now)
		if err != nil {
			return opts, usageError(err)
		}
		opts.Since = t
	}
	return opts, nil
}

// trimAll trims the values of a comma-separated flag ("group, role").
func trimAll(values []string) []string {
	var out []string
	for _, v := range values {
		out = append(out, strings.TrimSpace(v))
	}
	return out
}

// streamLines opens the target and writes what seq yields as JSON lines on
// stdout, as it arrives, with the progress line on a terminal (what names
// the records: "accounts"). The first error ends it; the lines already
// written stay.
//
// With ck, the checkpoint tokens the import hands over are saved once the
// lines before them are flushed.
func streamLines[T any](a *app, cmd *cobra.Command, tf *targetFlags, noProgress bool, what string, ck *checkpointFile, seq func(*session) iter.Seq2[T, error]) error {
	var prog *progress
	if !noProgress && !tf.verbose && a.isTerminal(a.stderr) {
		prog = &progress{what: what}
	}
	s, err := tf.open(cmd.Context(), prog.observer())
	if err != nil {
		return err
	}
	prog.start(a.stderr, s.spec)
	out := bufio.NewWriter(a.stdout)
	if ck != nil {
		ck.flush = out.Flush
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	var serr error
	for rec, err := range seq(s) {
		if err != nil {
			serr = err
			break
		}
		if ck != nil && ck.err != nil {
			serr = ck.err // the last token could not be saved: stop rather than run on unrecoverably
			break
		}
		if err := enc.Encode(rec); err != nil {
			serr = fmt.Errorf("writing stdout: %w", err)
			break
		}
		prog.record()
	}
	if serr == nil && ck != nil && ck.err != nil {
		serr = ck.err
	}
	prog.finish()
	if err := out.Flush(); err != nil && serr == nil {
		serr = fmt.Errorf("writing stdout: %w", err)
	}
	return s.finish(serr)
}

// parseSince reads --since: an RFC 3339 time, a date, or a duration back
// from now.
func parseSince(s string, now time.Time) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("--since %s: want a positive duration (how far back from now)", s)
		}
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want an RFC 3339 time (2024-05-01T00:00:00Z), a date (2024-05-01) or a duration back from now (24h)", s)
}

// checkpointFile keeps the resume token of an import in a file.
type checkpointFile struct {
	path  string
	flush func() error // flushes the lines written so far
	err   error        // the first failure to save a token
}

// load returns the saved token, or "" when there is none yet.
func (c *checkpointFile) load() (string, error) {
	b, err := os.ReadFile(c.path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("--checkpoint: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// save is the import's Checkpoint: the lines of the page are flushed to
// stdout before the token that skips them is saved, by rename so that a
// crash leaves the old token or the new one, never half of one.
func (c *checkpointFile) save(token string) {
	if c.err != nil {
		return
	}
	if c.flush != nil {
		if err := c.flush(); err != nil {
			c.err = fmt.Errorf("writing stdout: %w", err)
			return
		}
	}
	tmp := c.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(token+"\n"), 0o600); err != nil {
		c.err = fmt.Errorf("--checkpoint: %w", err)
		return
	}
	if err := os.Rename(tmp, c.path); err != nil {
		c.err = fmt.Errorf("--checkpoint: %w", err)
	}
}

// done removes the file of a completed import, so that the next run
// starts from the beginning.
func (c *checkpointFile) done() error {
	if err := os.Remove(c.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--checkpoint: %w", err)
	}
	return nil
}
