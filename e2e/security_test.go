package e2e

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// capture records everything a tab sends and receives: request bodies,
// response bodies and WebSocket frames both ways.
type capture struct {
	mu     sync.Mutex
	texts  []string
	bodies sync.WaitGroup
}

func (c *capture) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.texts = append(c.texts, s)
}

func (c *capture) all() []string {
	c.bodies.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string{}, c.texts...)
}

func captureTraffic(t *testing.T, p *person) *capture {
	t.Helper()
	c := &capture{}
	_, err := chromedp.Call(p.ctx, network.Enable, network.EnableParams{})
	require.NoError(t, err)
	require.NoError(t, chromedp.Listen(p.ctx, func(ev any) {
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			c.add(e.Request.URL)
			for _, entry := range e.Request.PostDataEntries {
				c.add(string(entry.Bytes))
			}
		case *network.EventWebSocketFrameSent:
			c.add(string(e.Response.PayloadData))
		case *network.EventWebSocketFrameReceived:
			c.add(string(e.Response.PayloadData))
		case *network.EventLoadingFinished:
			c.bodies.Add(1)
			go func() { // commands must not run inside the listener
				defer c.bodies.Done()
				res, err := chromedp.Call(p.ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: e.RequestID})
				if err == nil {
					c.add(string(res.Body))
				}
			}()
		}
	}))
	return c
}

func TestTheSecretNeverLeavesTheBrowser(t *testing.T) {
	const first, second = "correct horse battery", "a different secret"
	srv := startServer(t)
	b := newBrowser(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	captures := []*capture{captureTraffic(t, ada), captureTraffic(t, grace)}

	ada.join(srv.URL, "leaks", first)
	grace.join(srv.URL, "leaks", first)
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.changeSecret(second)
	ada.waitFor(`__e2e.banner("Grace", "decrypt")`, 10*time.Second)
	grace.changeSecret(first)
	ada.waitFor(`__e2e.banner("Grace", "decrypted with your secret")`, 10*time.Second)
	grace.click("Leave")
	ada.waitFor(`__e2e.framesOf('Grace') === -1`, 10*time.Second)
	noViolations(t, srv, ada, grace)

	var everything []string
	for _, c := range captures {
		everything = append(everything, c.all()...)
	}
	require.Greater(t, len(everything), 50, "the captures hold the call's traffic")
	assert.True(t, anyContains(everything, `"type":"publish"`), "the captures include signaling frames")
	assert.True(t, anyContains(everything, `"sessionId"`), "and the session API's answer")
	everything = append(everything, srv.Logs())
	for _, secret := range []string{first, second, strings.ReplaceAll(first, " ", "%20"), strings.ReplaceAll(first, " ", "+")} {
		assert.False(t, anyContains(everything, secret), "the secret %q appears in the traffic or the server log", secret)
	}
}

func anyContains(texts []string, s string) bool {
	for _, text := range texts {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// eavesdropJS joins the room as a client that claims to have a secret but
// has no key: it subscribes to the first stream straight through the SFU,
// with no decrypting transform, and reports what Chromium's decoder made of
// what it received.
const eavesdropJS = `(async (room) => {
  const session = await (await fetch('/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ room, name: 'Eve' }) })).json();
  const ws = new WebSocket('ws://' + location.host + '/api/signal');
  await new Promise((resolve) => { ws.onopen = resolve; });
  const pc = new RTCPeerConnection();
  const waiting = {};
  ws.onmessage = async (e) => {
    const m = JSON.parse(e.data);
    if (waiting[m.type]) waiting[m.type](m);
  };
  const next = (type) => new Promise((resolve) => { waiting[type] = resolve; });
  pc.onicecandidate = ({ candidate }) => candidate && ws.send(JSON.stringify({ type: 'candidate', candidate: candidate.toJSON() }));
  ws.send(JSON.stringify({ type: 'connect', token: session.token, sessionId: session.sessionId, encrypted: true }));
  const connected = await next('connected');
  const offered = next('offer');
  ws.send(JSON.stringify({ type: 'subscribe', id: 'eve', streamId: connected.streams[0].streamId, encrypted: true }));
  const offer = await offered;
  await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
  await pc.setLocalDescription(await pc.createAnswer());
  ws.send(JSON.stringify({ type: 'answer', sdp: pc.localDescription.sdp }));
  await new Promise((resolve) => setTimeout(resolve, 4000));
  const out = { packetsReceived: 0, framesReceived: 0, framesDecoded: 0, keyFramesDecoded: 0 };
  (await pc.getStats()).forEach((s) => {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      out.packetsReceived = s.packetsReceived; out.framesReceived = s.framesReceived;
      out.framesDecoded = s.framesDecoded; out.keyFramesDecoded = s.keyFramesDecoded;
    }
  });
  ws.close();
  pc.close();
  return JSON.stringify(out);
})`

func TestASubscriberWithoutTheKeyDecodesNothing(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	adaPublishes(t, srv, b, "eavesdrop")

	eve := b.newPage(t)
	eve.open(srv.URL + "/web/css/app.css") // same origin, without the app
	raw := mustEvaluate[string](eve, eavesdropJS+`("eavesdrop")`)
	var got struct{ PacketsReceived, FramesReceived, FramesDecoded, KeyFramesDecoded int }
	require.NoError(t, json.Unmarshal([]byte(raw), &got))
	t.Logf("a keyless subscriber: %+v", got)
	assert.Greater(t, got.PacketsReceived, 20, "the SFU forwarded Ada's video to the eavesdropper")
	assert.Zero(t, got.FramesDecoded, "none of it decodes without the key")
	assert.Zero(t, got.KeyFramesDecoded)
}

func TestTwentyJoinLeaveCycles(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	ada.join(srv.URL, "cycles", "correct horse battery")
	cycle := func(i int) {
		grace.join(srv.URL, "cycles", "correct horse battery")
		ada.seesVideoOf("Grace", mediaTimeout)
		grace.click("Leave")
		ada.waitFor(`__e2e.framesOf('Grace') === -1`, 10*time.Second, "cycle %d: Grace leaves", i)
	}
	cycle(0) // Ada's own connection settles first
	time.Sleep(DisconnectSettle)
	before := health(t, srv)
	for i := 1; i <= 20; i++ {
		cycle(i)
	}
	var after serverHealth
	assert.Eventually(t, func() bool {
		after = health(t, srv)
		return after.Goroutines <= before.Goroutines+5
	}, 10*time.Second, 200*time.Millisecond, "the server's goroutines go back down after 20 cycles")
	t.Logf("after 20 join/leave cycles: goroutines %d → %d, heap %.1f → %.1f MiB, from the OS %.1f → %.1f MiB",
		before.Goroutines, after.Goroutines, mib(before.HeapBytes), mib(after.HeapBytes), mib(before.SysBytes), mib(after.SysBytes))
}

type serverHealth struct {
	Goroutines int    `json:"goroutines"`
	HeapBytes  uint64 `json:"heapBytes"`
	SysBytes   uint64 `json:"sysBytes"`
}

func health(t testing.TB, srv *server) serverHealth {
	t.Helper()
	res, err := http.Get(srv.URL + "/api/health")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "GET /api/health")
	var h serverHealth
	require.NoError(t, json.NewDecoder(res.Body).Decode(&h))
	require.NotZero(t, h.Goroutines)
	return h
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// DisconnectSettle is how long pion takes to wind a closed peer connection
// down (its ICE and DTLS goroutines end on their own timers).
const DisconnectSettle = 3 * time.Second
