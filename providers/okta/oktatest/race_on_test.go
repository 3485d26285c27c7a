//go:build race

package oktatest

// bigGroup is the member count of TestHundredThousandMemberGroup. The race
// detector slows paging about tenfold, so the race build pages a fifth of
// the group to stay fast; the normal build pages all 100,000.
const bigGroup = 20000
