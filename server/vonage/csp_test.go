package vonage

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"e2eecall/server/csp"
)

func TestCSPAddsOnlyWhatOpenTokNeeds(t *testing.T) {
	p := CSP(csp.Strict())
	assert.Equal(t, []string{"'self'", "'wasm-unsafe-eval'"}, p.Sources("script-src"), "scripts stay our own")
	assert.Equal(t, []string{"'self'", "https://*.opentok.com", "wss://*.opentok.com", "https://*.tokbox.com", "wss://*.tokbox.com",
		"https://*.vonage.com", "wss://*.vonage.com", "data:"}, p.Sources("connect-src"))
	assert.Equal(t, []string{"'self'", "blob:"}, p.Sources("worker-src"))
	assert.Contains(t, p.Sources("img-src"), "data:")
	assert.Equal(t, []string{"'self'", openTokEmptyStyle, openTokWidgetStyle}, p.Sources("style-src"), "OpenTok's styles by hash, no 'unsafe-inline'")
	assert.NotContains(t, p.Sources("script-src"), "'unsafe-eval'", "never eval")
}
