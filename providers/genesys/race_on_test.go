//go:build race

package genesys_test

// raceEnabled: the race detector slows the import about tenfold.
const raceEnabled = true
