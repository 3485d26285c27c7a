package saviynt

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJavaLayout(t *testing.T) {
	tests := []struct {
		pattern, layout, input string
		want                   time.Time
	}{
		{"yyyy-MM-dd'T'HH:mm:ss'Z'", "2006-01-02T15:04:05Z", "2023-05-06T07:08:09Z", time.Date(2023, 5, 6, 7, 8, 9, 0, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ssXXX", "2006-01-02T15:04:05Z07:00", "2021-03-04T05:06:07+02:00", time.Date(2021, 3, 4, 3, 6, 7, 0, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ssXXX", "2006-01-02T15:04:05Z07:00", "2021-03-04T05:06:07Z", time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ssX", "2006-01-02T15:04:05Z07", "2021-03-04T05:06:07-03", time.Date(2021, 3, 4, 8, 6, 7, 0, time.UTC)},
		{"yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2006-01-02T15:04:05-0700", "2021-03-04T05:06:07.123+0100", time.Date(2021, 3, 4, 4, 6, 7, 123e6, time.UTC)},
		{"yyyy-MM-dd HH:mm:ss.SSS", "2006-01-02 15:04:05", "2021-03-04 05:06:07.5", time.Date(2021, 3, 4, 5, 6, 7, 5e8, time.UTC)},
		{"yyyy-MM-dd HH:mm:ss,SSS", "2006-01-02 15:04:05", "2021-03-04 05:06:07,25", time.Date(2021, 3, 4, 5, 6, 7, 25e7, time.UTC)},
		{"dd/MM/yyyy", "02/01/2006", "04/03/2021", time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"M/d/yy h:mm a", "1/2/06 3:04 PM", "3/4/21 5:06 PM", time.Date(2021, 3, 4, 17, 6, 0, 0, time.UTC)},
		{"EEE, dd MMM yyyy HH:mm:ss z", "Mon, 02 Jan 2006 15:04:05 MST", "Thu, 04 Mar 2021 05:06:07 UTC", time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)},
		{"EEEE d MMMM yyyy", "Monday 2 January 2006", "Thursday 4 March 2021", time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"yyyyMMddHHmmss", "20060102150405", "20210304050607", time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)},
		{"yyyy.DDD", "2006.002", "2021.063", time.Date(2021, 3, 4, 0, 0, 0, 0, time.UTC)},
		{"''yy'' MM", "'06' 01", "'21' 03", time.Date(2021, 3, 1, 0, 0, 0, 0, time.UTC)},
		{"yyyy-MM-dd 'at' HH:mm", "2006-01-02 at 15:04", "2021-03-04 at 05:06", time.Date(2021, 3, 4, 5, 6, 0, 0, time.UTC)},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			layout, err := javaLayout(tc.pattern)
			require.NoError(t, err)
			assert.Equal(t, tc.layout, layout)
			got, err := time.Parse(layout, tc.input)
			require.NoError(t, err)
			assert.True(t, tc.want.Equal(got), "got %v", got.UTC())
		})
	}
}

func TestJavaLayoutErrors(t *testing.T) {
	for pattern, want := range map[string]string{
		"yyyy-MM-dd'T'HH:mm:ss'Z":   "unterminated quote",
		"YYYY-ww":                   "ww has no Go layout",
		"kk:mm":                     "kk has no Go layout",
		"yyyy-MM-dd SSS":            "fractions of a second",
		"yyyy'1'":                   "holds digits",
		"yyyy 'Mon'":                "would be read as a Go layout element",
		"yyyy-MM-dd HH:mm:ss.SSS Z": "", // valid
		"dd-MM-yyyy 1":              "a digit outside quotes",
	} {
		_, err := javaLayout(pattern)
		if want == "" {
			assert.NoError(t, err, pattern)
			continue
		}
		assert.ErrorContains(t, err, want, pattern)
	}
}
