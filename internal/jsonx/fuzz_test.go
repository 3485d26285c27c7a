package jsonx

import "testing"

// FuzzDecode checks Decode against encoding/json on arbitrary input: both
// must accept it with equal values, or both reject it, and Decode must
// never panic. DecodeLimits must agree with Decode within its limits and
// stop at them (diffLimits). The seed corpus in testdata/fuzz/FuzzDecode adds realistic
// bodies and past findings to the table cases added here.
func FuzzDecode(f *testing.F) {
	for _, c := range valid {
		f.Add([]byte(c.in))
	}
	for _, c := range invalid {
		f.Add([]byte(c.in))
	}
	for _, doc := range handWritten {
		f.Add([]byte(doc))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if d := diffStd(data); d != "" {
			t.Fatalf("input %q: %s", data, d)
		}
		if d := diffLimits(data); d != "" {
			t.Fatalf("input %q: %s", data, d)
		}
	})
}
