package strictjson

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type request struct {
	Room  string `json:"room"`
	Count int    `json:"count"`
	Inner *struct {
		On bool `json:"on"`
	} `json:"inner"`
}

func TestDecodeExplainsWithoutGoTypes(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "empty: a JSON object is expected"},
		{`{"room":`, "not valid JSON: it ends too early"},
		{`{nope`, "not valid JSON (at byte 2)"},
		{`[1]`, "a JSON object is expected, not array"},
		{`{"room":5}`, `"room" must be a string, not number`},
		{`{"count":"x"}`, `"count" must be a number, not string`},
		{`{"inner":{"on":"yes"}}`, `"inner.on" must be a boolean, not string`},
		{`{"inner":[]}`, `"inner" must be an object, not array`},
		{`{"bomb":1}`, `unknown field "bomb"`},
		{`{} {}`, "more than one JSON value"},
	}
	for _, tt := range tests {
		var r request
		err := Decode([]byte(tt.in), &r)
		require.Error(t, err, tt.in)
		assert.Equal(t, tt.want, err.Error(), tt.in)
		assert.NotContains(t, err.Error(), "request", "no Go type name")
		assert.NotContains(t, err.Error(), "Go ", "no Go wording")
	}
	var r request
	require.NoError(t, Decode([]byte(`{"room":"r1","count":2,"inner":{"on":true}}`), &r))
	assert.Equal(t, "r1", r.Room)
	assert.True(t, r.Inner.On)
}
