package ui

import (
	"testing"

	"github.com/maxence-charriere/go-app/v10/pkg/app"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// On the host, go-app's test engine runs the server's prerender path.
func TestJoinScreenRendersWithLabelsAndJoinDisabled(t *testing.T) {
	p := &Page{}
	e := app.NewTestEngine()
	require.NoError(t, e.Load(p))
	e.ConsumeAll()
	html := app.HTMLString(p)
	for _, want := range []string{
		`<label for="name">Your name</label>`,
		`<label for="room">Room</label>`,
		`<label for="secret">Encryption secret</label>`,
		`aria-describedby="secret-error secret-count secret-hint"`,
		`It never leaves this device`,
		`0 / 256`,
	} {
		assert.Contains(t, html, want)
	}
	assert.Regexp(t, `<button[^>]*disabled[^>]*>Join call</button>`, html, "Join is unusable until the app runs and the form is valid")
	assert.NotContains(t, html, "style=", "no inline styles: the CSP forbids them")
}

func TestCallScreenRendersTilesStatusAndBanners(t *testing.T) {
	p := &Page{}
	p.model.Joining("blue-lake", "Ada")
	p.model.Joined()
	p.model.StreamCreated("s1", "Grace", false, true)
	p.model.Mismatch("s1")
	p.model.PreviewStarted(true, true, nil)
	p.model.TogglePanel("secret")
	html := app.HTMLString(p.Render())
	for _, want := range []string{
		"End-to-end encrypted", "blue-lake", "Ada (you)", `id="self-video"`, `id="video-s1"`,
		"Grace", "Can&#39;t decrypt: secret mismatch", "Mic off", `aria-live="polite"`, `role="alert"`,
		"Mute microphone", "Turn camera off", "Copy invite link", "Leave", `<label for="new-secret">New encryption secret</label>`, "Change secret",
		`class="tiles tiles-2 remotes-1"`, `aria-label="Encryption secret"`, `id="secret-panel"`, `aria-label="Call controls"`,
	} {
		assert.Contains(t, html, want)
	}
	assert.NotContains(t, html, "style=")
	assert.NotContains(t, html, `disabled="false"`, "a usable control has no disabled attribute at all")
}
