//go:build !race

package oktatest

// bigGroup is the member count of TestHundredThousandMemberGroup; the race
// build uses fewer (race_on_test.go).
const bigGroup = 100000
