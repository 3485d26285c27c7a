package connector

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// specLimits is a Connector whose spec sets the thresholds of each type.
type specLimits struct {
	Connector
	byType map[string]Threshold
}

func (s specLimits) removalThreshold(entType string) Threshold { return s.byType[entType] }

// The refusal names who set the limit that applied: the spec's path of
// the type reconciled, or the option.
func TestThresholdNamesItsSource(t *testing.T) {
	c := specLimits{byType: map[string]Threshold{"": {MaxRemoved: 1}, "group": {MaxRemovedPercent: 10}}}
	tests := []struct {
		typ  string
		opts ReconcileOptions
		want string
	}{
		{"", ReconcileOptions{}, "more than the limit of 1 (maxRemoved) set by the spec's import.accounts.threshold;"},
		{"group", ReconcileOptions{}, "more than the limit of 10% (maxRemovedPercent) set by the spec's import.entitlements.group.threshold;"},
		{"group", ReconcileOptions{MaxRemovedPercent: 20}, "more than the limit of 20% (maxRemovedPercent) set by ReconcileOptions.MaxRemovedPercent;"},
		{"", ReconcileOptions{MaxRemoved: 2}, "more than the limit of 2 (maxRemoved) set by ReconcileOptions.MaxRemoved;"},
	}
	for _, tt := range tests {
		err := checkThreshold(opReconcileAccess, "things", 3, 10, limitsFor(c, tt.typ, tt.opts))
		assert.ErrorIs(t, err, ErrThreshold)
		assert.ErrorContains(t, err, tt.want)
	}
}
