package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// TestAServerRestartIsRejoinedWithOneClickEach restarts the server during a
// call: each person presses Rejoin once and they see each other again, with
// the secret they used in the call (Ada changed hers after joining, so the
// one she typed would not decrypt Grace), which no storage or URL holds.
func TestAServerRestartIsRejoinedWithOneClickEach(t *testing.T) {
	addr := freeAddr(t)
	srv := startServer(t, "-addr", addr)
	b := newBrowser(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	ada.join(srv.URL, "rejoin-restart", "the secret Ada typed")
	grace.join(srv.URL, "rejoin-restart", "correct horse battery")
	ada.changeSecret("correct horse battery")
	ada.waitFor(`__e2e.sees('Secret changed')`, 10*time.Second)
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)

	srv.stop()
	for _, p := range []*person{ada, grace} {
		p.waitFor(`__e2e.banner("You were disconnected", "Rejoin")`, 10*time.Second, "%s is told, and offered Rejoin", p.name)
		p.waitFor(`__e2e.button("Rejoin")`, 5*time.Second, "%s can rejoin", p.name)
	}

	srv = startServer(t, "-addr", addr)
	for _, p := range []*person{ada, grace} {
		p.click("Rejoin")
	}
	for _, p := range []*person{ada, grace} {
		p.waitForText("End-to-end encrypted", joinTimeout)
		p.waitFor(`__e2e.sees('rejoin-restart')`, time.Second, "%s is back in the same room", p.name)
	}
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	for _, p := range []*person{ada, grace} {
		assert.Empty(t, mustEvaluate[string](p.page, `__e2e.banner("decrypt")`), "%s decrypts with the secret of the call", p.name)
		assert.False(t, mustEvaluate[bool](p.page, `__e2e.button("Rejoin") !== null`), "the offer is gone once back")
		kept := mustEvaluate[string](p.page, `location.href + ' ' + document.cookie + ' ' + JSON.stringify(localStorage) + ' ' + JSON.stringify(sessionStorage)`)
		assert.NotContains(t, kept, "correct horse", "%s's secret is in no URL, cookie or storage", p.name)
		assert.NotContains(t, kept, "Ada typed", "%s's secret is in no URL, cookie or storage", p.name)
	}
	assert.Equal(t, 2, strings.Count(srv.Logs(), "participant joined"), "one join each on the restarted server")
}
