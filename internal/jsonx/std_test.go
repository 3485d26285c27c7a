package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"testing"
)

var errTrailing = errors.New("data after top-level value")

// stdDecode is the reference Decode must agree with: encoding/json's Decoder
// with UseNumber into any, as the engine used it, plus the rejection of
// anything but white space after the value.
func stdDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if len(bytes.TrimLeft(data[dec.InputOffset():], " \t\r\n")) != 0 {
		return nil, errTrailing
	}
	return v, nil
}

// diffStd returns a description of how Decode(data) differs from
// encoding/json, or "" if it does not. On rejection it also requires a
// *SyntaxError at the same place encoding/json reports (its Offset counts the
// offending byte as read, ours is that byte's index).
func diffStd(data []byte) string {
	want, werr := stdDecode(data)
	if valid := json.Valid(data); valid != (werr == nil) {
		// The reference itself is inconsistent; the test would prove nothing.
		return "reference: json.Valid=" + boolText(valid) + " but Decoder error is " + errText(werr)
	}
	got, gerr := Decode(data)
	switch {
	case werr == nil && gerr != nil:
		return "rejected valid input: " + gerr.Error()
	case werr != nil && gerr == nil:
		return "accepted input that encoding/json rejects (" + werr.Error() + ")"
	case werr == nil:
		if got == nil && want != nil || !reflect.DeepEqual(got, want) {
			return "values differ:\n got " + show(got) + "\nwant " + show(want)
		}
		return ""
	}
	if got != nil {
		return "non-nil value with an error"
	}
	var se *SyntaxError
	if !errors.As(gerr, &se) {
		return "error is not a *SyntaxError: " + gerr.Error()
	}
	var stdSE *json.SyntaxError
	if err := json.Unmarshal(data, new(any)); errors.As(err, &stdSE) {
		wantOff := stdSE.Offset - 1
		if stdSE.Offset == int64(len(data)) && endedEarly(data) {
			wantOff = int64(len(data))
		}
		if se.Offset != wantOff {
			return "error offset " + itoa(se.Offset) + ", encoding/json's points at " + itoa(wantOff) +
				": " + gerr.Error() + " / " + err.Error()
		}
	}
	return ""
}

// endedEarly tells whether encoding/json rejects data because it ends too
// early rather than for its last byte: at the end of input encoding/json
// feeds its scanner a space, so both give Offset len(data). A byte appended
// to data moves the first kind of error, not the second.
func endedEarly(data []byte) bool {
	var se *json.SyntaxError
	err := json.Unmarshal(append(data[:len(data):len(data)], 0), new(any))
	return errors.As(err, &se) && se.Offset > int64(len(data))
}

func checkStd(t *testing.T, data []byte) {
	t.Helper()
	if d := diffStd(data); d != "" {
		t.Errorf("input %q: %s", truncate(data), d)
	}
}

func truncate(b []byte) []byte {
	if len(b) > 300 {
		return append(b[:300:300], "..."...)
	}
	return b
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(truncate(b))
}

func boolText(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func errText(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
