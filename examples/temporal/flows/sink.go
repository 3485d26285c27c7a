package flows

import (
	"context"

	"github.com/restconn/restconn/connector"
)

// AccountSink receives the accounts of an import. The worker provides it:
// a database table, a message queue, a file.
//
// Delivery is at-least-once per page: when Temporal retries an import
// activity, it resumes after the last page it checkpointed, so the
// records of the page it was in when it failed come again. A sink must
// therefore upsert by Account.ID (the last write wins), never append.
//
// PutAccount must have stored the account when it returns nil: the
// activity checkpoints a page once every record of it was put, and a
// retry never sees that page again. A sink that batches writes implements
// Flusher as well. ctx is the activity's context: activity.GetInfo(ctx)
// names the workflow (a run key for the sink) and the attempt. An error
// fails the activity, which Temporal retries from the last checkpoint.
type AccountSink interface {
	PutAccount(ctx context.Context, a connector.Account) error
}

// EntitlementSink receives the entitlements of an import, with the same
// contract as AccountSink: upsert by Type and ID. An entitlement whose
// members the spec lists in chunks comes once per chunk (see
// connector.Entitlement), so the sink adds the members of each put to
// those it has (a set: across a resume, a chunk may come twice).
type EntitlementSink interface {
	PutEntitlement(ctx context.Context, e connector.Entitlement) error
}

// Flusher is implemented by sinks that buffer writes. The import activity
// calls Flush after the last record of each page and before it records
// the page's checkpoint, so that a checkpoint never covers a record the
// sink could still lose. A Flush error fails the activity without that
// checkpoint.
type Flusher interface {
	Flush(ctx context.Context) error
}
