package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/restconn/restconn/connector"
)

const reconcileLong = `Reconcile runs a full import and compares it with the IDs you already hold
(--known FILE, from your last successful import), writing one JSON line per
change on stdout, a connector.Change:

  {"kind": "added", "account": {...}}       in the import, not in FILE
  {"kind": "present", "account": {...}}     in both
  {"kind": "removed", "account": {"id": ...}}  in FILE, not in the import

(reconcile access writes "entitlement" instead of "account"; an entitlement
whose members arrive in chunks, see 'restconn import --help', gives one line
per chunk, all of the same kind). Added and
present lines stream as the import runs; removed lines come at the end, and
only when the import finished without error and the number of removals is
within the thresholds: a bad token, an empty page or a wrong filter must not
look like "everyone left". Otherwise no removed line is written and the exit
status is 3 (refused by a threshold: stderr says how many would be removed, of
how many, and which limit) or 1 (the import failed).

FILE ("-" for stdin) holds one ID per line; for access, "type/id". Lines of a
previous 'restconn import' (JSON objects) are read too: their "id" (and
"type"). Blank lines are ignored.

Thresholds: --max-removed N refuses more than N removals, --max-removed-percent
P more than P% of the known IDs (for access, of each type). 0 (the default)
takes the spec's threshold (import.accounts.threshold,
import.entitlements.<type>.threshold), -1 means no limit.`

func (a *app) reconcileCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "reconcile accounts|access --known FILE",
		Short: "Import and compare with the IDs you hold: JSON lines of changes",
		Long:  reconcileLong,
		RunE:  groupRunE("accounts", "access"),
	}
	cmd.AddCommand(a.reconcileKindCmd("accounts"), a.reconcileKindCmd("access"))
	return cmd
}

func (a *app) reconcileKindCmd(kind string) *cobra.Command {
	var (
		tf         *targetFlags
		known      string
		maxRemoved int
		maxPercent float64
		types      []string
		noProgress bool
	)
	access := kind == "access"
	what, short := "accounts", "Reconcile accounts with the account IDs you hold"
	example := `  restconn import accounts --preset okta --param orgURL=https://acme.okta.com > accounts.jsonl
  # ... the next day:
  restconn reconcile accounts --preset okta --param orgURL=https://acme.okta.com --known accounts.jsonl --max-removed 10
  cut -f1 ids.txt | restconn reconcile accounts --spec myapp.json --known - | jq -c 'select(.kind == "removed")'`
	if access {
		what, short = "entitlements", "Reconcile entitlements with the type/id keys you hold"
		example = `  restconn reconcile access --preset genesys --types group --known groups.txt --max-removed-percent 5
  restconn import access --spec myapp.json > access.jsonl && restconn reconcile access --spec myapp.json --known access.jsonl`
	}
	cmd := &cobra.Command{
		Use:     kind + " --known FILE",
		Short:   short,
		Long:    reconcileLong,
		Example: example,
		Args:    exactArgs(),
		RunE: runE(func(cmd *cobra.Command, _ []string) error {
			if known == "" {
				return usageErrorf("--known FILE is required: the IDs you hold, one per line (- for stdin)")
			}
			if maxRemoved < -1 || maxPercent < -1 || maxPercent > 100 {
				return usageErrorf("--max-removed and --max-removed-percent: want 0 (the spec's), -1 (no limit) or a limit (a percentage at most 100)")
			}
			ids, err := readKnown(known, a.stdin, access)
			if err != nil {
				return err
			}
			opts := connector.ReconcileOptions{Known: slices.Values(ids), MaxRemoved: maxRemoved, MaxRemovedPercent: maxPercent, Types: trimAll(types)}
			err = streamLines(a, cmd, tf, noProgress, what, nil, func(s *session) iter.Seq2[connector.Change, error] {
				if access {
					return connector.ReconcileAccess(s.ctx, s.eng, opts)
				}
				return connector.ReconcileAccounts(s.ctx, s.eng, opts)
			})
			if errors.Is(err, connector.ErrThreshold) {
				// Name the flag that set the limit, not the library's option.
				return &exitError{code: exitRefused, err: &reworded{msg: optionFlags.Replace(err.Error()), err: err}}
			}
			return err
		}),
	}
	tf = a.addTargetFlags(cmd)
	f := cmd.Flags()
	f.StringVar(&known, "known", "", "the IDs you hold, one per line, or import's JSON lines (`FILE`; - for stdin)")
	f.IntVar(&maxRemoved, "max-removed", 0, "refuse more than `N` removals (0: the spec's threshold; -1: no limit)")
	f.Float64Var(&maxPercent, "max-removed-percent", 0, "refuse removing more than `P` percent of the known IDs (0: the spec's; -1: no limit)")
	f.BoolVar(&noProgress, "no-progress", false, "do not show the progress line on stderr")
	_ = cmd.MarkFlagFilename("known")
	if access {
		f.StringSliceVar(&types, "types", nil, "reconcile only these entitlement `TYPES` (comma-separated; default all); known keys of other types are ignored")
		registerTypesCompletion(cmd, tf.specFlags)
	}
	return cmd
}

// readKnown reads the IDs of --known: one per line ("type/id" for
// entitlements), or the JSON lines of an import. Mistakes name the line.
func readKnown(path string, stdin io.Reader, access bool) ([]string, error) {
	data, err := readInput(path, stdin)
	if err != nil {
		return nil, err
	}
	name := inputName(path)
	var ids []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 16<<20) // a JSON line with a large group's members
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "{"):
			var rec struct {
				Type *string `json:"type"`
				ID   *string `json:"id"`
			}
			if err := json.Unmarshal([]byte(line), &rec); err != nil || rec.ID == nil || *rec.ID == "" {
				return nil, badInput(fmt.Errorf("%s:%d: a JSON line needs an \"id\" (a line of 'restconn import')", name, n))
			}
			if !access {
				ids = append(ids, *rec.ID)
				continue
			}
			if rec.Type == nil || *rec.Type == "" {
				return nil, badInput(fmt.Errorf("%s:%d: an entitlement line needs a \"type\" (a line of 'restconn import access')", name, n))
			}
			ids = append(ids, *rec.Type+"/"+*rec.ID)
		case access:
			if typ, id, ok := strings.Cut(line, "/"); !ok || typ == "" || id == "" {
				return nil, badInput(fmt.Errorf("%s:%d: want type/id, e.g. group/42", name, n))
			}
			ids = append(ids, line)
		default:
			ids = append(ids, line)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, badInput(fmt.Errorf("%s: %w", name, err))
	}
	return ids, nil
}

// optionFlags says the library's option names as the command's flags.
var optionFlags = strings.NewReplacer(
	"ReconcileOptions.MaxRemovedPercent", "--max-removed-percent",
	"ReconcileOptions.MaxRemoved", "--max-removed",
)
