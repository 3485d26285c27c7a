//go:build race

package template

// raceSlowdown scales time bounds: the race detector slows rendering down.
const raceSlowdown = 10
