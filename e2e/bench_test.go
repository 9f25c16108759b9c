package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The browser benchmarks: make bench runs each once per -count and prints
// their medians in one table (tools/benchtable). They measure; they never
// pass or fail on time.

func BenchmarkColdLoadToInteractiveJoinForm(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		p := newBrowser(b).newPage(b) // a fresh profile: nothing cached
		p.open(srv.URL)
		ms := mustEvaluate[float64](p, `__e2e.until(() => !document.getElementById('app-wasm-loader')).then(() => performance.now())`)
		b.ReportMetric(ms, "ms-cold-load")
	}
}

func BenchmarkJoinToFirstRemoteFrame(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		br := newBrowser(b)
		ada, grace := newPerson(b, br, "Ada"), newPerson(b, br, "Grace")
		room := fmt.Sprintf("join-%d", i)
		ada.join(srv.URL, room, "correct horse battery")
		grace.open(srv.URL + "/?room=" + room)
		grace.waitFor(`!document.getElementById('app-wasm-loader')`, joinTimeout)
		grace.fill("Your name", "Grace")
		grace.fill("Encryption secret", "correct horse battery")
		grace.waitFor(`!__e2e.button('Join call').disabled`, 10*time.Second)
		ms := mustEvaluate[float64](grace.page, `(() => { const t0 = Date.now(); __e2e.button('Join call').click();
			return __e2e.until(() => __e2e.framesOf('Ada') > 0).then((t) => t - t0); })()`)
		b.ReportMetric(ms, "ms-join-to-frame")
	}
}

func BenchmarkSecretChangeAndRestore(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		ada, grace := twoInACall(b, srv, fmt.Sprintf("change-%d", i))
		grace.fill("New encryption secret", "a different secret")
		grace.waitFor(`!__e2e.button('Change secret').disabled`, 5*time.Second)
		t0 := mustEvaluate[float64](grace.page, `(() => { const t = Date.now(); __e2e.button('Change secret').click(); return t; })()`)
		mismatch := mustEvaluate[float64](ada.page, `__e2e.until(() => __e2e.banner('Grace', 'decrypt'))`)
		b.ReportMetric(mismatch-t0, "ms-change-to-mismatch")

		frames := ada.framesOf("Grace")
		grace.fill("New encryption secret", "correct horse battery")
		grace.waitFor(`!__e2e.button('Change secret').disabled`, 5*time.Second)
		t1 := mustEvaluate[float64](grace.page, `(() => { const t = Date.now(); __e2e.button('Change secret').click(); return t; })()`)
		match := mustEvaluate[float64](ada.page, `__e2e.until(() => __e2e.banner('Grace', 'decrypted with your secret'))`)
		frame := mustEvaluate[float64](ada.page, `__e2e.until(() => __e2e.framesOf('Grace') > `+strconv.Itoa(frames)+`)`)
		b.ReportMetric(match-t1, "ms-restore-to-match")
		b.ReportMetric(frame-t1, "ms-restore-to-frame")
	}
}

// rawCallJS is a call through the same SFU with no encryption at all: a
// publisher and a subscriber in one page, straight RTCPeerConnections with
// no frame transform, the baseline for the cost of encryption.
const rawCallJS = `(async (room) => {
  const join = async (name) => {
    const s = await (await fetch('/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ room, name }) })).json();
    const ws = new WebSocket('ws://' + location.host + '/api/signal');
    await new Promise((r) => { ws.onopen = r; });
    const waiting = {};
    ws.onmessage = (e) => { const m = JSON.parse(e.data); if (waiting[m.type]) waiting[m.type](m); };
    const next = (type) => new Promise((r) => { waiting[type] = r; });
    ws.send(JSON.stringify({ type: 'connect', token: s.token, sessionId: s.sessionId, encrypted: true }));
    await next('connected');
    return { ws, next };
  };
  const pub = await join('PlainPub');
  const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
  const ppc = new RTCPeerConnection();
  media.getTracks().forEach((t) => ppc.addTransceiver(t, { direction: 'sendonly', streams: [media] }));
  ppc.onicecandidate = ({ candidate }) => candidate && pub.ws.send(JSON.stringify({ type: 'candidate', pc: 'p', candidate: candidate.toJSON() }));
  await ppc.setLocalDescription(await ppc.createOffer());
  pub.ws.send(JSON.stringify({ type: 'publish', pc: 'p', sdp: ppc.localDescription.sdp, encrypted: true, stream: { name: 'PlainPub', hasAudio: true, hasVideo: true } }));
  const published = await pub.next('published');
  await ppc.setRemoteDescription({ type: 'answer', sdp: published.sdp });
  const sub = await join('PlainSub');
  const spc = new RTCPeerConnection();
  const video = document.createElement('video');
  video.autoplay = true; video.muted = true; video.playsInline = true;
  document.body.append(video);
  const media2 = new MediaStream();
  spc.ontrack = ({ track }) => { media2.addTrack(track); video.srcObject = media2; };
  window.__plainFrames = 0;
  const count = () => { window.__plainFrames++; video.requestVideoFrameCallback(count); };
  video.requestVideoFrameCallback(count);
  spc.onicecandidate = ({ candidate }) => candidate && sub.ws.send(JSON.stringify({ type: 'candidate', pc: 's', candidate: candidate.toJSON() }));
  sub.ws.send(JSON.stringify({ type: 'subscribe', pc: 's', streamId: published.streamId, encrypted: true }));
  const offer = await sub.next('subscribed');
  await spc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
  await spc.setLocalDescription(await spc.createAnswer());
  sub.ws.send(JSON.stringify({ type: 'answer', pc: 's', sdp: spc.localDescription.sdp }));
  window.__plain = spc;
  return true;
})`

// plainFramesJS counts frames shown, the way __e2e.framesOf counts the encrypted call's.
const plainFramesJS = `window.__plainFrames`

func BenchmarkEncryptedCallFPSAndCryptoCost(b *testing.B) {
	srv := startServer(b)
	for i := 0; i < b.N; i++ {
		ada, grace := twoInACall(b, srv, fmt.Sprintf("fps-%d", i))
		// The plain call has the encrypted one's shape: two tabs, each sending
		// a camera and receiving one, in a browser of their own.
		plainBrowser := newBrowser(b)
		var plain *page
		for tab := 0; tab < 2; tab++ {
			p := plainBrowser.newPage(b)
			p.open(srv.URL + "/web/css/app.css")
			require.True(b, mustEvaluate[bool](p, rawCallJS+fmt.Sprintf(`("plain-%d-%d")`, i, tab)))
			p.waitFor(`window.__plain && window.__plain.connectionState === 'connected'`, mediaTimeout)
			if plain == nil {
				plain = p
			}
		}
		time.Sleep(2 * time.Second) // both calls past their start, measured side by side below

		const window = 5 * time.Second
		enc0, plain0 := grace.framesOf("Ada"), mustEvaluate[int](plain, plainFramesJS)
		time.Sleep(window)
		enc1, plain1 := grace.framesOf("Ada"), mustEvaluate[int](plain, plainFramesJS)
		encFPS := float64(enc1-enc0) / window.Seconds()
		plainFPS := float64(plain1-plain0) / window.Seconds()
		b.ReportMetric(encFPS, "fps-encrypted")
		b.ReportMetric(plainFPS, "fps-plain")
		b.ReportMetric(encFPS/plainFPS, "fps-ratio")

		raw := mustEvaluate[string](ada.page, `OT._encryptionStats().then((s) => JSON.stringify(s[0]))`)
		var stats struct {
			Encrypt struct{ Frames, Micros float64 }
			Decrypt struct{ Frames, Micros float64 }
		}
		require.NoError(b, json.Unmarshal([]byte(raw), &stats))
		b.ReportMetric(stats.Encrypt.Micros/stats.Encrypt.Frames, "µs-encrypt/frame")
		b.ReportMetric(stats.Decrypt.Micros/stats.Decrypt.Frames, "µs-decrypt/frame")
	}
}

func BenchmarkServerMemoryWithThreeParticipants(b *testing.B) {
	for i := 0; i < b.N; i++ {
		srv := startServer(b)
		ada, grace := twoInACall(b, srv, "memory")
		linus := newPerson(b, newBrowser(b), "Linus")
		linus.join(srv.URL, "memory", "correct horse battery")
		linus.seesVideoOf("Ada", mediaTimeout)
		ada.seesVideoOf("Linus", mediaTimeout)
		grace.seesVideoOf("Linus", mediaTimeout)
		b.ReportMetric(rssMiB(b, srv.cmd.Process.Pid), "MiB-rss-3-people")
		b.ReportMetric(mib(health(b, srv).HeapBytes), "MiB-heap-3-people")
	}
}

// rssMiB reads a process's resident memory from /proc.
func rssMiB(b testing.TB, pid int) float64 {
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(b, err)
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			require.NoError(b, err)
			return float64(kb) / 1024
		}
	}
	b.Fatal("no VmRSS")
	return 0
}
