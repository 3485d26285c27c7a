package mutate

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

type node struct {
	S  string
	N  int
	L  []any
	M  map[string]any
	P  *node
	F  float64
	B  bool
	Nl any
}

func TestAllChangesEverythingInPlace(t *testing.T) {
	shared := map[string]any{"k": "v", "n": json.Number("1"), "l": []any{"a", true}}
	list := []any{"x", map[string]any{"y": 1.5}}
	leaf := &node{S: "leaf"}
	v := &node{S: "s", N: 1, L: list, M: shared, P: leaf, F: 2, B: true}
	All(v)
	assert.Equal(t, "s"+Mark, v.S)
	assert.Equal(t, 2, v.N)
	assert.Equal(t, 3.0, v.F)
	assert.False(t, v.B)
	assert.Equal(t, Mark, v.Nl)
	assert.Equal(t, "leaf"+Mark, leaf.S, "through the pointer")
	assert.Equal(t, "v"+Mark, shared["k"], "through the map")
	assert.Equal(t, json.Number("2"), shared["n"], "a json.Number stays a number")
	assert.Equal(t, []any{"a" + Mark, false}, shared["l"], "through a list in the map")
	assert.Contains(t, shared, Mark)
	assert.Equal(t, "x"+Mark, list[0], "through the slice")
	assert.Equal(t, 2.5, list[1].(map[string]any)["y"])
}

func TestNumbersStayNumbers(t *testing.T) {
	for in, want := range map[json.Number]json.Number{"1": "2", "-7": "-6", "1.5": "2.5", "1e3": "1001", "12345678901234567890": "1.2345678901234567e+19"} {
		v := map[string]any{"n": in}
		All(&v)
		assert.Equal(t, want, v["n"], in)
		_, err := json.Marshal(v)
		assert.NoError(t, err, in)
	}
}
