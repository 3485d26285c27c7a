package connector

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"net/http"
	"strconv"

	"github.com/restconn/restconn/internal/paging"
)

// pageRecord is one record of a page with its position, for error messages.
type pageRecord struct {
	v     any
	page  int
	index int
}

// records yields the records of every page of a list call from its first
// page, for walks that take no checkpoints (the sub-lists of an import).
// data holds the call's variables; see pages.
func (e *Engine) records(ctx context.Context, op Operation, cc *compiledCall, data map[string]any) iter.Seq2[pageRecord, error] {
	return func(yield func(pageRecord, error) bool) {
		for pg, err := range e.pages(ctx, op, cc, data, paging.Position{}) {
			if err != nil {
				yield(pageRecord{}, err)
				return
			}
			for i, r := range pg.records {
				if !yield(pageRecord{v: r, page: pg.number, index: i}, nil) {
					return
				}
			}
		}
	}
}

// pageRecords reads the records of one page of a list call.
//
// A list response without its records is an error, not an empty page: a
// broken proxy, a changed API or an expired session must never look like
// "the list is empty" (reconciliation would then report every account
// removed). An empty list is an empty page. A list call marked
// allowMissingRecords reads a missing or null value, or a body-less 2xx,
// as an empty page, for APIs that answer "no match" that way; a 204 No
// Content is always an empty page; and a SCIM ListResponse may leave
// Resources out when totalResults is 0.
func (e *Engine) pageRecords(op Operation, cc *compiledCall, resp *response, page int) ([]any, error) {
	if resp.body == nil {
		if resp.status == http.StatusNoContent || cc.allowMissing {
			return nil, nil
		}
		what := "the response has no body"
		if len(bytes.TrimSpace(resp.raw)) > 0 {
			what = "the response body is null"
		}
		return nil, &Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: %s, so no records%s", page, what, missingHint)}
	}
	if _, isText := resp.body.(string); isText {
		return nil, e.mask(&Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: response is not JSON: %s", page, snippet(resp.raw, e.red))})
	}
	v, ok := cc.records.Get(resp.body)
	if !ok || v == nil {
		if cc.allowMissing || cc.pager != nil && cc.pager.EmptyList(resp.body) {
			return nil, nil
		}
		what := "missing"
		if ok {
			what = "null"
		}
		return nil, &Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: %s are %s%s", page, recordsWhere(cc), what, missingHint)}
	}
	switch l := v.(type) {
	case []any:
		return l, nil
	case map[string]any:
		if cc.records.IsRoot() && cc.pager == nil {
			return []any{l}, nil
		}
		if cc.records.IsRoot() {
			// A paged list's body is a list, or holds one: an object here
			// means the spec forgot where its records are.
			return nil, &Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: the body is an object, not a list of records: give records, the path of the list in each page", page)}
		}
	}
	return nil, &Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: %s are %s, not a list", page, recordsWhere(cc), jsonKind(v))}
}

const missingHint = " (a list response without its records is not an empty page; allowMissingRecords on the list call accepts it)"

func recordsWhere(cc *compiledCall) string {
	if cc.records.IsRoot() {
		return "the records (the body)"
	}
	return "records at " + strconv.Quote(cc.records.String())
}
