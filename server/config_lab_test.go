package main

import (
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCSPLabIsOffUnlessAsked(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{args: nil, want: false},
		{args: []string{"-csp-lab"}, want: true},
		{env: map[string]string{"CSP_LAB": "true"}, want: true},
		{env: map[string]string{"CSP_LAB": "yes"}, want: false},
		{args: []string{"-csp-lab=false"}, env: map[string]string{"CSP_LAB": "true"}, want: false},
	} {
		c, err := parseConfig(append([]string{"e2eecall"}, tt.args...), envOf(tt.env), io.Discard, "store.db")
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.cspLab, "%v %v", tt.args, tt.env)
	}
}
