package e2e

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWaitForSaysWhatItWaitedFor(t *testing.T) {
	assert.Equal(t, "", what(nil))
	assert.Equal(t, " (the preview)", what([]any{"the preview"}))
	assert.Equal(t, " (video of Ada should decode)", what([]any{"video of %s should decode", "Ada"}))
}
