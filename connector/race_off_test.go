//go:build !race

package connector_test

// memRecords is the record count of the small import in
// TestImportMemoryBounded (the large one is ten times as many); the race
// build uses fewer (race_on_test.go).
const memRecords = 20000

// raceSlowdown scales the time bounds of tests (see race_on_test.go).
const raceSlowdown = 1

// raceEnabled reports a race build.
const raceEnabled = false
