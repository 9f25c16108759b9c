package e2e

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// udpRelay stands between browsers and the server's media port, as a port
// forward does, and can be cut: it listens on 127.0.0.1 and ::1 on one port
// (the server announces both with that port) and forwards each browser
// socket's packets to the media port from a socket of its own, the replies
// back. Only loopback sources are served, so a browser that has its own
// non-loopback path to the server (its host candidates) does not use it.
type udpRelay struct {
	Port    int
	target  *net.UDPAddr
	mu      sync.Mutex
	flows   map[string]*net.UDPConn // by browser address: the socket to the server
	packets int                     // forwarded toward the server
	cutTill time.Time
}

func newUDPRelay(t *testing.T, mediaPort int) *udpRelay {
	t.Helper()
	r := &udpRelay{target: &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: mediaPort}, flows: map[string]*net.UDPConn{}}
	v4, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	r.Port = v4.LocalAddr().(*net.UDPAddr).Port
	v6, err := net.ListenUDP("udp6", &net.UDPAddr{IP: net.IPv6loopback, Port: r.Port})
	require.NoError(t, err, "the relay's port on ::1")
	t.Cleanup(func() {
		v4.Close()
		v6.Close()
		r.mu.Lock()
		defer r.mu.Unlock()
		for _, up := range r.flows {
			up.Close()
		}
	})
	go r.serve(v4)
	go r.serve(v6)
	return r
}

// serve forwards what browsers send to listener until it closes.
func (r *udpRelay) serve(listener *net.UDPConn) {
	buf := make([]byte, 1500)
	for {
		n, from, err := listener.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if !from.IP.IsLoopback() || r.isCut() {
			continue
		}
		up, err := r.flow(listener, from)
		if err != nil {
			continue
		}
		r.mu.Lock()
		r.packets++
		r.mu.Unlock()
		_, _ = up.Write(buf[:n])
	}
}

// flow is the socket that carries from's packets to the server; the first
// packet makes it, and a goroutine sends what the server answers back.
func (r *udpRelay) flow(listener *net.UDPConn, from *net.UDPAddr) (*net.UDPConn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if up := r.flows[from.String()]; up != nil {
		return up, nil
	}
	up, err := net.DialUDP("udp4", nil, r.target)
	if err != nil {
		return nil, err
	}
	r.flows[from.String()] = up
	go func() {
		buf := make([]byte, 1500)
		for {
			n, err := up.Read(buf)
			if err != nil {
				return
			}
			if !r.isCut() {
				_, _ = listener.WriteToUDP(buf[:n], from)
			}
		}
	}()
	return up, nil
}

// cut drops every packet, both ways, for d.
func (r *udpRelay) cut(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cutTill = time.Now().Add(d)
}

func (r *udpRelay) isCut() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return time.Now().Before(r.cutTill)
}

func (r *udpRelay) forwarded() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.packets
}

// freeUDPPort is a UDP port nothing listens on now.
func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{})
	require.NoError(t, err)
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// iceWatchJS keeps every RTCPeerConnection the page makes in window.__pcs,
// and each ICE connection state it goes through, with the time since the
// page started, in window.__iceStates.
const iceWatchJS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.__iceStates = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      const n = window.__pcs.push(this);
      this.addEventListener('iceconnectionstatechange', () =>
        window.__iceStates.push({ pc: n, state: this.iceConnectionState, at: Math.round(performance.now()) }));
    }
  };
})()`

// localUfragsJS is each peer connection's local ICE username fragment: it
// changes when ICE restarts.
const localUfragsJS = `window.__pcs.map((pc) => /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1] ?? '')`

type iceState struct {
	PC    int
	State string
	At    int
}

// TestMediaLostLongerThanICEWaitsComesBackWithAnICERestart cuts Ada's
// media for longer than ICE waits before declaring failure, first alone
// (her session stays connected), then with her signaling: each time her
// peer connection restarts ICE (new credentials) and video moves again
// both ways, still decrypted, and the second time her session resumes with
// the same connection. Her media goes through a relay the server
// announces as a port forward (-announce-ip 127.0.0.1:port); Grace's
// browser reaches the server directly.
func TestMediaLostLongerThanICEWaitsComesBackWithAnICERestart(t *testing.T) {
	mediaPort := freeUDPPort(t)
	relay := newUDPRelay(t, mediaPort)
	srv := startServer(t, "-udp-port", strconv.Itoa(mediaPort), "-reconnect-grace", "30s",
		"-announce-ip", fmt.Sprintf("127.0.0.1:%d,[::1]:%d", relay.Port, relay.Port))
	proxy := newCutProxy(t, strings.TrimPrefix(srv.URL, "http://"))
	// Ada's browser offers no host candidates: the server learns her address
	// from her checks, which come through the relay, as from behind a NAT.
	// Grace's offers no loopback ones: she reaches the server on the
	// machine's own address, which the relay does not serve.
	ada := newPerson(t, newBrowser(t, chromedp.Flag("webrtc-ip-handling-policy", "default_public_interface_only")), "Ada")
	grace := newPerson(t, newBrowser(t, chromedp.Flag("allow-loopback-in-peer-connection", false)), "Grace")
	ada.addScriptBeforeLoad(sessionEventsJS)
	ada.addScriptBeforeLoad(iceWatchJS)
	grace.addScriptBeforeLoad(iceWatchJS)
	ada.join(proxy.URL, "ice-restart", "correct horse battery")
	grace.join(srv.URL, "ice-restart", "correct horse battery")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	require.Positive(t, relay.forwarded(), "Ada's media goes through the relay")
	before := ada.sessionEvents()
	require.Equal(t, "sessionConnected", types(before))
	ufrags := mustEvaluate[[]string](ada.page, localUfragsJS)
	require.Len(t, ufrags, 1, "Ada's one peer connection, for what she publishes and receives")

	const outage = 8 * time.Second // pion gives up after about 4 s without a packet

	// Media alone: the signaling stays up, so only ICE notices. Chromium
	// says "disconnected" and would say "failed" only after about 30 s.
	cutAt, cutAtPage := time.Now(), mustEvaluate[int](ada.page, `Math.round(performance.now())`)
	relay.cut(outage)
	ada.waitFor(`(`+localUfragsJS+`).every((u, i) => u !== `+jsArray(ufrags)+`[i])`, outage+20*time.Second,
		"Ada's peer connection restarts ICE while her session stays connected")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	t.Logf("media alone: back %.1f s after the cut began (the cut lasted %v)", time.Since(cutAt).Seconds(), outage)
	logICEStates(t, ada.page, cutAtPage)
	require.Equal(t, "sessionConnected", types(ada.sessionEvents()), "the session never noticed")
	ufrags = mustEvaluate[[]string](ada.page, localUfragsJS)

	// Signaling and media together.
	cutAt, cutAtPage = time.Now(), mustEvaluate[int](ada.page, `Math.round(performance.now())`)
	relay.cut(outage)
	proxy.cut(outage)
	ada.waitFor(`__sessionEvents.some((e) => e.type === 'sessionReconnecting')`, 5*time.Second, "Ada's session notices")
	ada.waitFor(`__sessionEvents.some((e) => e.type === 'sessionReconnected')`, outage+15*time.Second, "Ada's session resumes")
	events := ada.sessionEvents()
	assert.Equal(t, "sessionConnected sessionReconnecting sessionReconnected", types(events))
	for _, e := range events {
		assert.Equal(t, before[0].ConnectionID, e.ConnectionID, "the same connection throughout")
	}

	ada.waitFor(`(`+localUfragsJS+`).every((u, i) => u !== `+jsArray(ufrags)+`[i])`, 20*time.Second,
		"Ada's peer connection restarts ICE with new credentials")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	t.Logf("both: media back %.1f s after the cut began (the cut lasted %v)", time.Since(cutAt).Seconds(), outage)
	logICEStates(t, ada.page, cutAtPage)
	for _, s := range mustEvaluate[[]iceState](grace.page, `window.__iceStates`) {
		assert.Contains(t, []string{"checking", "connected", "completed"}, s.State, "Grace's media does not go through the relay: it never stops")
	}
	assert.False(t, mustEvaluate[bool](ada.page, `!!__e2e.banner("Can't decrypt")`), "still decrypted: no mismatch banner")
	assert.False(t, mustEvaluate[bool](grace.page, `!!__e2e.banner("Can't decrypt")`), "still decrypted: no mismatch banner")
}

// logICEStates logs the ICE states a page's peer connections went through
// since the page time from.
func logICEStates(t *testing.T, p *page, from int) {
	t.Helper()
	for _, s := range mustEvaluate[[]iceState](p, `window.__iceStates`) {
		if s.At >= from {
			t.Logf("peer connection %d: %s %d ms after the cut began", s.PC, s.State, s.At-from)
		}
	}
}

// jsArray writes strings as a JavaScript array literal.
func jsArray(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = jsString(s)
	}
	return "[" + strings.Join(quoted, ", ") + "]"
}
