package jsonx_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/restconn/restconn/internal/jsonx"
)

func ExampleDecodeLimits() {
	page := []byte(`{"Resources":[` + strings.TrimSuffix(strings.Repeat(`{},`, 5), ",") + `]}`)
	_, err := jsonx.DecodeLimits(page, jsonx.Limits{MaxArrayLen: 3})
	var le *jsonx.LimitError
	if errors.As(err, &le) {
		fmt.Println(le.Limit, le.Path, le.Offset)
	}
	fmt.Println(err)
	// Output:
	// MaxArrayLen $.Resources 13
	// jsonx: array at $.Resources (offset 13) has more than 3 elements (MaxArrayLen)
}
