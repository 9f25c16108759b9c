package ratelog

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestAFloodOfOneMessageIsCutAndCounted(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(New(slog.NewTextHandler(&buf, nil), 0.0001, 3)).With("backend", "local")
	for range 1000 {
		log.Warn("connection closed", "status", 4002)
	}
	log.Info("participant joined")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	assert.Len(t, lines, 4, "three of the flood, then the other message")
	assert.Equal(t, 3, strings.Count(buf.String(), "connection closed"))
	assert.Contains(t, lines[3], "participant joined", "another message is not held back by the flood")
	assert.Contains(t, lines[0], "backend=local", "attributes pass through")
}

func TestTheNextLineThatPassesSaysHowManyWereLeftOut(t *testing.T) {
	var buf bytes.Buffer
	h := New(slog.NewTextHandler(&buf, nil), 1e9, 1)
	h.shared.buckets["refused"] = nil
	log := slog.New(h)
	log.Warn("refused")
	b := h.shared.buckets["refused"]
	b.dropped = 41
	log.Warn("refused")
	assert.Contains(t, buf.String(), "suppressed=41")
}
