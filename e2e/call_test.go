package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	joinTimeout  = 30 * time.Second
	mediaTimeout = 20 * time.Second
)

func TestTwoPeopleWithTheSameSecretSeeEachOther(t *testing.T) {
	srv := startServer(t)
	ada, grace := twoInACall(t, srv, "same-secret")
	for _, p := range []*person{ada, grace} {
		assert.True(t, mustEvaluate[bool](p.page, `__e2e.sees('End-to-end encrypted') && __e2e.sees('same-secret')`),
			"%s sees the encryption indicator with the room", p.name)
	}
}

func TestChangingTheSecretShowsMismatchThenMatchOnBothSides(t *testing.T) {
	srv := startServer(t)
	ada, grace := twoInACall(t, srv, "mismatch")

	grace.changeSecret("a different secret")

	ada.waitFor(`__e2e.banner('Grace', 'decrypt')`, 10*time.Second, "Ada is told Grace's media can't be decrypted")
	grace.waitFor(`__e2e.banner('Ada', 'decrypt')`, 10*time.Second, "Grace is told Ada's media can't be decrypted")
	assert.Contains(t, mustEvaluate[string](ada.page, `__e2e.banner('Grace', 'decrypt')`), "secret", "the banner says the secrets differ")
	assert.Empty(t, mustEvaluate[string](ada.page, `__e2e.banner('Ada', 'decrypt')`), "Ada's page names Grace, not Ada")

	// Across the mismatch no frame decodes: the count stays where it is.
	adaSeen, graceSeen := ada.framesOf("Grace"), grace.framesOf("Ada")
	time.Sleep(1500 * time.Millisecond) // an observation window, not a wait for a condition
	assert.Equal(t, adaSeen, ada.framesOf("Grace"), "no frame of Grace decodes at Ada's")
	assert.Equal(t, graceSeen, grace.framesOf("Ada"), "no frame of Ada decodes at Grace's")

	grace.changeSecret("correct horse battery")
	ada.waitFor(`__e2e.banner('Grace', 'decrypted with your secret')`, 10*time.Second, "Ada is told Grace's media decrypts again")
	grace.waitFor(`__e2e.banner('Ada', 'decrypted with your secret')`, 10*time.Second, "Grace is told Ada's media decrypts again")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
}

func TestSecretsOfTheWrongLengthAreRefusedAtTheField(t *testing.T) {
	srv := startServer(t)
	p := newBrowser(t).newPage(t)
	p.open(srv.URL)
	p.waitFor(appReady, joinTimeout)
	p.fill("Your name", "Ada")

	tests := []struct {
		secret string
		ok     bool
	}{
		{"1234567", false},
		{"12345678", true},
		{strings.Repeat("s", 256), true},
		{strings.Repeat("s", 257), false},
		{"🔑🔑🔑🔑", true},                    // 4 characters outside the BMP are 8 JavaScript characters
		{"🔑🔑🔑", false},                    // 6
		{strings.Repeat("🔑", 128), true},  // 256
		{strings.Repeat("🔑", 129), false}, // 258
	}
	for _, tt := range tests {
		p.fill("Encryption secret", tt.secret)
		if tt.ok {
			p.waitFor(`!__e2e.button('Join call').disabled && __e2e.field('Encryption secret').getAttribute('aria-invalid') !== 'true'`, 5*time.Second, "secret of %d runes is fine", len([]rune(tt.secret)))
			continue
		}
		p.waitFor(`__e2e.button('Join call').disabled && __e2e.field('Encryption secret').getAttribute('aria-invalid') === 'true'`, 5*time.Second, "secret of %d runes is refused", len([]rune(tt.secret)))
		described := mustEvaluate[string](p, `(() => { const f = __e2e.field('Encryption secret'); return (f.getAttribute('aria-describedby') || '').split(' ').map((id) => document.getElementById(id)?.innerText || '').join(' '); })()`)
		assert.Regexp(t, `Use at (least 8|most 256) characters \(this one has \d+\)`, described, "the problem, tied to the field, says the rule and the count")
	}
}

func TestABrowserWithoutEncodedTransformsIsToldItCannotJoin(t *testing.T) {
	srv := startServer(t)
	p := newBrowser(t).newPage(t)
	p.addScriptBeforeLoad(`delete window.RTCRtpScriptTransform; delete RTCRtpSender.prototype.createEncodedStreams; delete RTCRtpReceiver.prototype.createEncodedStreams;`)
	p.open(srv.URL)
	p.waitFor(appReady, joinTimeout)
	p.waitForText("end-to-end encrypted video", 10*time.Second)
	p.fill("Your name", "Ada")
	p.fill("Encryption secret", "correct horse battery")
	assert.True(t, mustEvaluate[bool](p, `__e2e.button('Join call').disabled`), "Join stays unusable")
	assert.False(t, mustEvaluate[bool](p, `OT.hasEndToEndEncryptionSupport()`))
}

func TestLeaveThenRejoinWithANewSecret(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	ada.join(srv.URL, "rejoin", "first secret!")
	grace.join(srv.URL, "rejoin", "first secret!")
	ada.seesVideoOf("Grace", mediaTimeout)

	grace.click("Leave")
	grace.waitFor(`__e2e.button('Join call')`, 10*time.Second, "Grace is back at the join screen")
	ada.waitFor(`__e2e.framesOf('Grace') === -1`, 10*time.Second, "Grace's tile goes away at Ada's")

	// Both move to a new secret: Ada in the call, Grace as she joins again.
	ada.changeSecret("second secret!")
	grace.fill("Your name", "Grace")
	grace.fill("Encryption secret", "second secret!")
	grace.click("Join call")
	grace.waitForText("End-to-end encrypted", joinTimeout)
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	require.Empty(t, mustEvaluate[string](ada.page, `__e2e.banner('Grace', 'decrypt')`), "no mismatch with the same new secret")
}

func TestScreenshots(t *testing.T) {
	srv := startServer(t)
	for _, size := range []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 800}, {"phone", 390, 844}, {"phone-landscape", 844, 390}} {
		t.Run(size.name, func(t *testing.T) {
			b := newBrowser(t)
			room := "screenshots-" + size.name
			ada, grace, linus := newPerson(t, b, "Ada"), newPerson(t, b, "Grace"), newPerson(t, b, "Linus")
			ada.setViewport(size.width, size.height)
			ada.open(srv.URL + "/?room=" + room)
			ada.waitFor(appReady, joinTimeout)
			ada.previewMoves()
			ada.screenshot("join-" + size.name)
			joinInSight := mustEvaluate[bool](ada.page, `__e2e.button('Join call').getBoundingClientRect().bottom <= innerHeight`)
			assert.True(t, joinInSight, "Join call is in sight without scrolling")

			ada.joinFromHere("correct horse battery")
			grace.join(srv.URL, room, "correct horse battery")
			linus.join(srv.URL, room, "correct horse battery")
			ada.seesVideoOf("Grace", mediaTimeout)
			ada.seesVideoOf("Linus", mediaTimeout)
			ada.screenshot("call-" + size.name)
			fits := mustEvaluate[bool](ada.page, `document.documentElement.scrollHeight <= innerHeight && document.documentElement.scrollWidth <= innerWidth`)
			assert.True(t, fits, "the call fits the screen without scrolling")
			small := mustEvaluate[[]string](ada.page, `[...document.querySelectorAll('.toolbar button')].filter((b) => { const r = b.getBoundingClientRect(); return r.width < 44 || r.height < 44; }).map((b) => b.getAttribute('aria-label'))`)
			assert.Empty(t, small, "every control is at least 44 px square")

			ada.click("Devices")
			ada.waitFor(`__e2e.field('Camera')`, 5*time.Second)
			ada.screenshot("call-devices-" + size.name)
			ada.click("Encryption secret")
			ada.waitFor(`__e2e.field('New encryption secret')`, 5*time.Second)
			ada.screenshot("call-secret-" + size.name)
		})
	}
}
