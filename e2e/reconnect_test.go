package e2e

import (
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// cutProxy forwards TCP to the server until cut: then it drops every
// connection and refuses new ones for a while, as a Wi-Fi switch or a proxy
// restart does to the signaling socket. (Media goes over UDP, around it.)
type cutProxy struct {
	URL string

	mu       sync.Mutex
	conns    []net.Conn
	cutUntil time.Time
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	p := &cutProxy{URL: "http://" + ln.Addr().String()}
	t.Cleanup(func() {
		ln.Close()
		p.dropAll()
	})
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			cut := time.Now().Before(p.cutUntil)
			p.mu.Unlock()
			if cut {
				in.Close()
				continue
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				in.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); out.Close() }()
			go func() { _, _ = io.Copy(in, out); in.Close() }()
		}
	}()
	return p
}

// cut drops every connection now and refuses new ones for d.
func (p *cutProxy) cut(d time.Duration) {
	p.mu.Lock()
	p.cutUntil = time.Now().Add(d)
	p.mu.Unlock()
	p.dropAll()
}

func (p *cutProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		if tcp, ok := c.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // a reset, not a goodbye: neither end gets a close frame
		}
		c.Close()
	}
	p.conns = nil
}

// sessionEventsJS records the OpenTok session's connection events, with the
// connection id at the time, in window.__sessionEvents.
const sessionEventsJS = `(() => {
  window.__sessionEvents = [];
  __e2e.onSession((session) => {
    for (const type of ['sessionConnected', 'sessionReconnecting', 'sessionReconnected', 'sessionDisconnected']) {
      session.on(type, (e) => window.__sessionEvents.push({ type, reason: e?.reason ?? '', connectionId: session.connection?.connectionId ?? '' }));
    }
  });
})()`

type sessionEvent struct{ Type, Reason, ConnectionID string }

func (p *person) sessionEvents() []sessionEvent {
	p.t.Helper()
	return mustEvaluate[[]sessionEvent](p.page, `window.__sessionEvents`)
}

func types(events []sessionEvent) string {
	var out []string
	for _, e := range events {
		out = append(out, e.Type)
	}
	return strings.Join(out, " ")
}

// adaThroughAProxy brings Ada, whose connection to the server goes through
// a proxy that can cut it, and Grace, whose does not, into a call; Ada's page
// records its session events.
func adaThroughAProxy(t *testing.T, srv *server, room string) (ada, grace *person, proxy *cutProxy) {
	t.Helper()
	proxy = newCutProxy(t, strings.TrimPrefix(srv.URL, "http://"))
	br := newBrowser(t)
	ada, grace = newPerson(t, br, "Ada"), newPerson(t, br, "Grace")
	ada.addScriptBeforeLoad(sessionEventsJS)
	ada.join(proxy.URL, room, "correct horse battery")
	grace.join(srv.URL, room, "correct horse battery")
	return ada, grace, proxy
}

// TestADroppedConnectionComesBackByItself cuts Ada's connection to the
// server for 5 s in a call: her page says it is reconnecting, Grace sees Ada
// frozen with a mark rather than gone, and without a click Ada is back with
// the same connection, video moving at both ends.
func TestADroppedConnectionComesBackByItself(t *testing.T) {
	srv := startServer(t)
	ada, grace, proxy := adaThroughAProxy(t, srv, "hiccup")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	before := ada.sessionEvents()
	require.Equal(t, "sessionConnected", types(before))

	proxy.cut(5 * time.Second)
	ada.waitFor(`__e2e.banner("Reconnecting")`, 5*time.Second, "Ada is told her connection is coming back")
	grace.waitFor(`[...document.querySelectorAll('figure')].some((f) => f.innerText.includes('Ada') && f.innerText.includes('Reconnecting'))`,
		5*time.Second, "Grace sees Ada's tile marked, not gone")

	ada.waitFor(`__e2e.banner("Reconnected")`, 20*time.Second, "Ada is back without a click")
	events := ada.sessionEvents()
	assert.Equal(t, "sessionConnected sessionReconnecting sessionReconnected", types(events))
	for _, e := range events {
		assert.Equal(t, before[0].ConnectionID, e.ConnectionID, "the same connection throughout")
	}
	grace.waitFor(`![...document.querySelectorAll('figure')].some((f) => f.innerText.includes('Reconnecting'))`, 5*time.Second, "the mark goes")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	assert.False(t, mustEvaluate[bool](grace.page, `!!__e2e.banner("You were disconnected")`))
}

// TestAConnectionLostLongerThanTheGraceEnds cuts Ada off for longer than the
// server keeps her place: it is sessionDisconnected with networkDisconnected,
// as OpenTok does, and the others see her leave; once the network is back,
// Rejoin brings her back in one click.
func TestAConnectionLostLongerThanTheGraceEnds(t *testing.T) {
	srv := startServer(t, "-reconnect-grace", "3s")
	ada, grace, proxy := adaThroughAProxy(t, srv, "outage")
	grace.seesVideoOf("Ada", mediaTimeout)

	proxy.cut(8 * time.Second)
	cutEnds := time.Now().Add(8 * time.Second)
	ada.waitFor(`__e2e.banner("You were disconnected")`, 15*time.Second, "Ada is told the call is lost")
	events := ada.sessionEvents()
	require.Equal(t, "sessionConnected sessionReconnecting sessionDisconnected", types(events))
	assert.Equal(t, "networkDisconnected", events[2].Reason)
	grace.waitFor(`__e2e.framesOf("Ada") === -1`, 10*time.Second, "Ada's tile is gone for Grace")

	ada.waitFor(`__e2e.button("Rejoin")`, 5*time.Second, "Ada is offered Rejoin")
	time.Sleep(time.Until(cutEnds)) // the network is back
	ada.click("Rejoin")
	ada.waitForText("End-to-end encrypted", joinTimeout)
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
}
