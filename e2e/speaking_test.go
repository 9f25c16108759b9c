package e2e

import (
	"testing"
	"time"
)

// speaking is the expression: the tile whose text includes name is outlined
// as speaking.
func speaking(name string) string {
	return `[...document.querySelectorAll('.tile.speaking')].some((t) => t.innerText.includes(` + jsString(name) + `))`
}

// TestTheSpeakingOutlineFollowsTheMicrophone uses Chromium's fake
// microphone, which beeps twice a second: each side outlines the other's
// tile, and its own; a muted Ada loses her outline at Grace's and is told
// "You are muted"; and with another secret her audio no longer decrypts at
// Grace's, so the outline goes there too: it follows the decrypted audio.
func TestTheSpeakingOutlineFollowsTheMicrophone(t *testing.T) {
	srv := startServer(t)
	ada, grace := twoInACall(t, srv, "speaking")

	grace.waitFor(speaking("Ada"), 10*time.Second, "Grace sees Ada speak")
	ada.waitFor(speaking("Grace"), 10*time.Second, "Ada sees Grace speak")
	ada.waitFor(speaking("Ada (you)"), 10*time.Second, "Ada sees herself speak")
	ada.waitFor(`!__e2e.sees('You are muted')`, time.Second, "nobody is muted yet")

	ada.click("Mute microphone")
	grace.waitFor("!"+speaking("Ada"), 5*time.Second, "Ada's outline goes at Grace's when she is muted")
	ada.waitFor("!"+speaking("Ada (you)"), 5*time.Second, "and at her own")
	ada.waitForText("You are muted", 5*time.Second)
	ada.waitFor(speaking("Grace"), time.Second, "Grace still speaks")

	ada.click("Unmute microphone")
	grace.waitFor(speaking("Ada"), 10*time.Second, "Ada's outline comes back")
	ada.waitFor(`!__e2e.sees('You are muted')`, 5*time.Second, "the warning goes")

	ada.changeSecret("a different secret")
	grace.waitFor(`__e2e.banner('Ada', 'decrypt')`, 10*time.Second, "Grace can't decrypt Ada")
	grace.waitFor("!"+speaking("Ada"), 5*time.Second, "audio that does not decrypt is not speech")
}
