package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.temporal.io/sdk/activity"

	"github.com/restconn/restconn/connector"
)

// fileSink writes the records of each import as JSON lines, one file per
// workflow and kind: <dir>/<workflow ID>.accounts.jsonl and
// .access.jsonl. It keeps the lines of the page in progress in memory and
// appends them, with an fsync, when the activity flushes before a
// checkpoint, so a checkpoint never covers a line that is not on disk.
//
// A file is an append-only log, so the sink "upserts" on reading: an
// account may appear twice (the page an import resumed at), and the last
// line of an ID wins. With several workers the directory must be shared,
// or the sink a database table keyed by ID.
type fileSink struct {
	dir string
	mu  sync.Mutex
	buf map[importRun]*pending
}

// importRun is what the records of one file come from: a workflow's import
// activity (see file).
type importRun struct{ workflowID, activity string }

func runOf(info activity.Info) importRun {
	return importRun{info.WorkflowExecution.ID, info.ActivityType.Name}
}

// pending holds the lines of one attempt that are not on disk yet.
type pending struct {
	attempt int32
	lines   []byte
}

func newFileSink(dir string) (*fileSink, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	return &fileSink{dir: dir, buf: map[importRun]*pending{}}, nil
}

func (s *fileSink) PutAccount(ctx context.Context, a connector.Account) error { return s.put(ctx, a) }

func (s *fileSink) PutEntitlement(ctx context.Context, e connector.Entitlement) error {
	return s.put(ctx, e)
}

func (s *fileSink) put(ctx context.Context, rec any) error {
	line, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	info := activity.GetInfo(ctx)
	key := runOf(info)
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.buf[key]
	if p == nil || p.attempt != info.Attempt {
		// A new attempt: what a failed one left unflushed was never
		// checkpointed, and the new attempt reads it again.
		p = &pending{attempt: info.Attempt}
		s.buf[key] = p
	}
	p.lines = append(append(p.lines, line...), '\n')
	return nil
}

// Flush appends the pending lines of the calling activity's file.
func (s *fileSink) Flush(ctx context.Context) error {
	info := activity.GetInfo(ctx)
	key := runOf(info)
	s.mu.Lock()
	p := s.buf[key]
	delete(s.buf, key)
	s.mu.Unlock()
	if p == nil || len(p.lines) == 0 {
		return nil
	}
	f, err := os.OpenFile(s.file(info), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return err
	}
	if _, err := f.Write(p.lines); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// file is the file of the calling activity's records: its workflow's ID,
// made safe (workflow IDs may hold any character), and the kind of import.
func (s *fileSink) file(info activity.Info) string {
	kind := "accounts"
	if info.ActivityType.Name == "ImportAccess" {
		kind = "access"
	}
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '_'
	}, info.WorkflowExecution.ID)
	return filepath.Join(s.dir, fmt.Sprintf("%s.%s.jsonl", strings.TrimLeft(id, "."), kind))
}
