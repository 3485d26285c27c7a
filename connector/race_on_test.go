//go:build race

package connector_test

// memRecords is the record count of the small import in
// TestImportMemoryBounded (the large one is ten times as many). The race
// detector slows the import about tenfold, so the race build scales both
// counts down, keeping their ratio, to stay fast.
const memRecords = 2000

// raceSlowdown scales the time bounds of tests: the race detector slows
// the engine down about tenfold.
const raceSlowdown = 10

// raceEnabled reports a race build, whose heap figures include the
// detector's own bookkeeping.
const raceEnabled = true
