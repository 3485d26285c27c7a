package connector

import (
	"context"
	"fmt"
	"iter"

	"github.com/restconn/restconn/internal/paging"
	"github.com/restconn/restconn/internal/vars"
)

// pageRecord is one record of a page with its position, for error messages.
type pageRecord struct {
	v     any
	page  int
	index int
}

// records walks every page of a list call and yields its records. Templates
// are rendered once per page only when they read .page; the request is
// otherwise rendered once and only its paging parameters change. in holds
// the call's variables (.params, .secrets, .now, .since, and .record for
// a sub-list).
func (e *Engine) records(ctx context.Context, op Operation, cc *compiledCall, in vars.Vars) iter.Seq2[pageRecord, error] {
	return func(yield func(pageRecord, error) bool) {
		v := in
		v.Responses = map[string]any{}
		data := v.Map()
		var st *paging.State
		if cc.pager != nil {
			st = cc.pager.Start()
		}
		lp := &listPage{st: st}
		for page := 1; ; page++ {
			if err := ctx.Err(); err != nil {
				yield(pageRecord{}, ctxError(ctx, op, cc.name, err))
				return
			}
			if st != nil {
				data["page"] = st.Vars()
			}
			resp, err := e.do(ctx, op, cc, data, e.red, lp)
			if err != nil {
				yield(pageRecord{}, err)
				return
			}
			recs, err := e.pageRecords(op, cc, resp, page)
			if err != nil {
				yield(pageRecord{}, err)
				return
			}
			for i, r := range recs {
				if !yield(pageRecord{v: r, page: page, index: i}, nil) {
					return
				}
			}
			if st == nil {
				return
			}
			stop, err := matchAny(ctx, cc.stop, resp, data)
			if err != nil {
				yield(pageRecord{}, e.renderError(e.red, op, cc.name, err))
				return
			}
			if err := cc.pager.Next(st, paging.Page{Body: resp.body, Header: resp.header, Records: len(recs), URL: resp.url, Stop: stop}); err != nil {
				yield(pageRecord{}, e.mask(&Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: %v", page, err)}))
				return
			}
			if st.Done {
				return
			}
		}
	}
}

func (e *Engine) pageRecords(op Operation, cc *compiledCall, resp *response, page int) ([]any, error) {
	if resp.body == nil {
		return nil, nil
	}
	if _, isText := resp.body.(string); isText {
		return nil, e.mask(&Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: response is not JSON: %s", page, snippet(resp.raw, e.red))})
	}
	v, ok := cc.records.Get(resp.body)
	if !ok || v == nil {
		return nil, nil // no records key: an empty page (OTRS answers {} for no match)
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
	return nil, &Error{Op: op, Call: cc.name, StatusCode: resp.status, Message: fmt.Sprintf("page %d: records at %q are %s, not a list", page, cc.records.String(), jsonKind(v))}
}
