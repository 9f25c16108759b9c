package e2e

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// noViolations checks the pages and the server saw no CSP violation.
func noViolations(t *testing.T, srv *server, people ...*person) {
	t.Helper()
	for _, p := range people {
		assert.Equal(t, 0, mustEvaluate[int](p.page, `__e2e.violations.length`), "%s's page saw violations: %v", p.name, mustEvaluate[any](p.page, `__e2e.violations`))
	}
	assert.Empty(t, srv.CSPReports(t))
}

func TestThreePeopleMismatchNamesTheRightPeople(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	ada, grace, linus := newPerson(t, b, "Ada"), newPerson(t, b, "Grace"), newPerson(t, b, "Linus")
	everyone := []*person{ada, grace, linus}
	for _, p := range everyone {
		p.join(srv.URL, "three", "correct horse battery")
	}
	for _, p := range everyone {
		for _, other := range everyone {
			if other != p {
				p.seesVideoOf(other.name, mediaTimeout)
			}
		}
	}

	ada.changeSecret("ada's own secret")
	ada.waitFor(`__e2e.banner("Grace", "decrypt") && __e2e.banner("Linus", "decrypt")`, 10*time.Second, "Ada can decrypt neither")
	for _, p := range []*person{grace, linus} {
		p.waitFor(`__e2e.banner("Ada", "decrypt")`, 10*time.Second, "%s can't decrypt Ada", p.name)
	}
	assert.Empty(t, mustEvaluate[string](grace.page, `__e2e.banner("Linus", "decrypt")`), "Grace and Linus still share a secret")
	assert.Empty(t, mustEvaluate[string](linus.page, `__e2e.banner("Grace", "decrypt")`))
	grace.seesVideoOf("Linus", mediaTimeout)

	ada.changeSecret("correct horse battery")
	for _, p := range []*person{grace, linus} {
		p.waitFor(`__e2e.banner("Ada", "decrypted with your secret")`, 10*time.Second, "%s decrypts Ada again", p.name)
		p.seesVideoOf("Ada", mediaTimeout)
	}
	ada.seesVideoOf("Grace", mediaTimeout)
	ada.seesVideoOf("Linus", mediaTimeout)
	noViolations(t, srv, everyone...)
}

func TestMuteAndCameraOffReachTheOthers(t *testing.T) {
	srv := startServer(t)
	ada, grace := twoInACall(t, srv, "mute")

	ada.click("Mute microphone")
	grace.waitFor(`__e2e.sees("Ada Encrypted Mic off")`, 10*time.Second, "Grace sees Ada's microphone is off")
	ada.click("Turn camera off")
	grace.waitFor(`__e2e.sees("Mic off") && __e2e.sees("Camera off")`, 10*time.Second, "Grace sees Ada's camera is off")
	ada.click("Unmute microphone")
	grace.waitFor(`!__e2e.sees("Mic off") && __e2e.sees("Ada Encrypted Camera off")`, 10*time.Second, "and the microphone back on")
}

func TestAClosedTabLeavesTheCallWithinFiveSeconds(t *testing.T) {
	srv := startServer(t)
	ada, grace := twoInACall(t, srv, "closed")

	start := time.Now()
	require.NoError(t, chromedp.Cancel(grace.ctx)) // closes the tab: no Leave, no goodbye
	ada.waitFor(`__e2e.framesOf('Grace') === -1 && !__e2e.sees('Grace')`, 5*time.Second, "Grace's tile is gone within 5 s")
	t.Logf("Grace's tile went away %v after her tab closed", time.Since(start).Round(time.Millisecond))
}

func TestAServerRestartIsToldAndJoiningAgainWorks(t *testing.T) {
	addr := freeAddr(t)
	srv := startServer(t, "-addr", addr)
	ada, grace := twoInACall(t, srv, "restart")

	srv.stop()
	for _, p := range []*person{ada, grace} {
		p.waitFor(`__e2e.banner("You were disconnected")`, 10*time.Second, "%s is told", p.name)
		p.waitFor(`__e2e.button("Join call")`, 5*time.Second, "%s is back at the join form", p.name)
	}

	srv = startServer(t, "-addr", addr)
	for _, p := range []*person{ada, grace} {
		p.fill("Encryption secret", "correct horse battery")
		p.click("Join call")
		p.waitForText("End-to-end encrypted", joinTimeout)
	}
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
}

// freeAddr finds a loopback address whose port is free now, so a restarted
// server comes back where the pages expect it.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return fmt.Sprint(ln.Addr())
}
