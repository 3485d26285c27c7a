package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOffline(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, offline(context.Background(), &out))
	assert.Contains(t, out.String(), "Imported 4 teammates")
	assert.Contains(t, out.String(), "restconn sees completed")
	assert.Contains(t, out.String(), "Done: request REQ-1001 is completed.")
}
