package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out strings.Builder
	require.NoError(t, run(ctx, &out))
	got := out.String()
	t.Log("\n" + got)
	lines := strings.Split(strings.TrimSpace(got), "\n")
	require.Len(t, lines, 7)
	assert.Equal(t, `request REQ-42: addAccess group "Finance approvers" for alee`, lines[0])
	assert.Regexp(t, `^filed ticket \d{16} \(TicketID 1\) in queue Raw for customer user jane\.doe$`, lines[1])
	assert.Equal(t, `  title: Grant group "Finance approvers" for alee`, lines[2])
	assert.Equal(t, "  pending   (just filed)", lines[3])
	assert.Equal(t, `  open      (OTRS state "open")`, lines[4])
	assert.Equal(t, `  completed (OTRS state "closed successful")`, lines[5])
	assert.Regexp(t, `^done: request REQ-42 is completed \(ticket \d{16} "closed successful"\)$`, lines[6])
}

func TestRunCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	assert.Error(t, run(ctx, &out))
}
