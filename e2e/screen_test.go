package e2e

import (
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// screenEventsJS records the events of every screen publisher the page
// makes, in window.__screenEvents, by wrapping OT.initPublisher as the
// library defines OT.
const screenEventsJS = `(() => {
  let ot;
  window.__screenEvents = [];
  Object.defineProperty(window, 'OT', {
    configurable: true,
    get() { return ot; },
    set(value) {
      ot = value;
      const init = value.initPublisher;
      value.initPublisher = function (...args) {
        const publisher = init.apply(this, args);
        if (args[1]?.videoSource === 'screen') {
          for (const type of ['mediaStopped', 'streamDestroyed']) {
            publisher.on(type, (e) => window.__screenEvents.push(type + (e.reason ? ':' + e.reason : '')));
          }
        }
        return publisher;
      };
    },
  });
})();`

// screenStatsJS is a function that reads, from getStats, the video the
// screen tile shows: frames decoded and their size.
const screenStatsJS = `async () => {
  const track = document.querySelector('.tile.screen video')?.srcObject?.getVideoTracks()[0];
  const out = { frames: -1, width: 0, height: 0 };
  if (!track) return out;
  for (const pc of window.__pcs) {
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && r.trackIdentifier === track.id) {
        out.frames = r.framesDecoded ?? 0; out.width = r.frameWidth ?? 0; out.height = r.frameHeight ?? 0;
      }
    });
  }
  return out;
}`

type screenStats struct{ Frames, Width, Height int }

func (p *person) screenStats() screenStats {
	p.t.Helper()
	var s screenStats
	require.NoError(p.t, json.Unmarshal([]byte(mustEvaluate[string](p.page, `(async () => JSON.stringify(await (`+screenStatsJS+`)()))()`)), &s))
	return s
}

// seesScreenMoving waits until the screen tile's video decodes frames, and
// then 5 more: it keeps moving, it is not a last picture left on screen.
func (p *person) seesScreenMoving(timeout time.Duration) {
	p.t.Helper()
	ok, err := evaluate[bool](p.page, `(async () => {
	  const stats = `+screenStatsJS+`;
	  const deadline = Date.now() + `+strconv.Itoa(int(timeout.Milliseconds()))+`;
	  let first = 0;
	  while (Date.now() < deadline) {
	    const { frames } = await stats();
	    if (first === 0 && frames > 0) first = frames;
	    if (first > 0 && frames > first + 5) return true;
	    await new Promise((resolve) => setTimeout(resolve, 100));
	  }
	  return false;
	})()`)
	require.NoError(p.t, err)
	require.True(p.t, ok, "the shared screen should keep decoding: %+v; console: %s", p.screenStats(), p.consoleText())
}

// TestAScreenIsSharedEncryptedAndStopsFromTheBrowser shares Ada's screen
// (Chromium's fake capture): Grace sees it large with Ada's name, decoding,
// which means decrypted; a different secret on Ada's side makes it a
// mismatch there as on her camera; when the browser's own Stop sharing
// ends the track, the stream ends cleanly at both; and sharing again works.
func TestAScreenIsSharedEncryptedAndStopsFromTheBrowser(t *testing.T) {
	srv := startServer(t)
	ada, grace := twoInACall(t, srv, "screen", peerConnectionsJS, screenEventsJS)

	ada.click("Share screen")
	ada.waitFor(`__e2e.button('Stop sharing')`, 10*time.Second, "Ada shares her screen")
	grace.waitFor(`document.querySelector('.tile.screen')?.innerText.includes('Ada (screen)')`, 10*time.Second, "Grace gets a screen tile with Ada's name")
	grace.seesScreenMoving(mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout) // the camera goes on beside it

	large := mustEvaluate[bool](grace.page, `(() => {
	  const screen = document.querySelector('.tile.screen').getBoundingClientRect();
	  const camera = [...document.querySelectorAll('.tile:not(.screen)')].find((t) => t.innerText.includes('Ada')).getBoundingClientRect();
	  return screen.width > 1.5 * camera.width && screen.top < camera.top;
	})()`)
	assert.True(t, large, "the screen is shown large, above the cameras")
	grace.screenshot("call-screen-desktop")
	s := grace.screenStats()
	assert.LessOrEqual(t, s.Width, 1920, "at most 1920x1080")
	assert.LessOrEqual(t, s.Height, 1080, "at most 1920x1080")
	assert.Greater(t, s.Width, 0)
	t.Logf("Grace decodes Ada's screen at %dx%d (%d frames so far)", s.Width, s.Height, s.Frames)

	sender := mustEvaluate[string](ada.page, `(async () => {
	  const track = document.querySelector('#screen-video video').srcObject.getVideoTracks()[0];
	  for (const pc of window.__pcs) {
	    for (const s of pc.getSenders()) {
	      if (s.track !== track) continue;
	      const p = s.getParameters();
	      return JSON.stringify({ hint: track.contentHint, fps: p.encodings[0].maxFramerate, pref: p.degradationPreference ?? '', transform: !!s.transform });
	    }
	  }
	  return 'no sender';
	})()`)
	assert.JSONEq(t, `{"hint":"text","fps":15,"pref":"maintain-resolution","transform":true}`, sender, "the text policy, and the frames go through the encryption transform")

	ada.changeSecret("a different secret")
	grace.waitFor(`document.querySelector('.tile.screen')?.innerText.includes("Can't decrypt")`, 10*time.Second, "Grace can't decrypt Ada's screen")
	ada.changeSecret("correct horse battery")
	grace.waitFor(`document.querySelector('.tile.screen')?.innerText.includes('Decrypting again')`, 10*time.Second, "and then can again")
	grace.seesScreenMoving(mediaTimeout)

	// The browser's own "Stop sharing" stops the track, which then ends.
	mustEvaluate[bool](ada.page, `(() => {
	  const track = document.querySelector('#screen-video video').srcObject.getVideoTracks()[0];
	  track.stop();
	  return track.dispatchEvent(new Event('ended'));
	})()`)
	ada.waitFor(`__e2e.button('Share screen') && !document.querySelector('#screen-video')`, 5*time.Second, "Ada can share again; her preview is gone")
	grace.waitFor(`!document.querySelector('.tile.screen')`, 5*time.Second, "the screen tile goes at Grace's")
	assert.Equal(t, []any{"mediaStopped", "streamDestroyed:mediaStopped"}, mustEvaluate[[]any](ada.page, `window.__screenEvents`), "as OpenTok.js: mediaStopped, then streamDestroyed")
	grace.seesVideoOf("Ada", mediaTimeout)
	assert.Empty(t, mustEvaluate[string](ada.page, `__e2e.banner('screen')`), "no error about the screen")

	// Sharing again reuses the first share's transceivers on Ada's one peer
	// connection: encrypted, with the screen's frame rate, and nothing added.
	transceivers := `window.__pcs.reduce((n, pc) => n + pc.getTransceivers().length, 0)`
	before := mustEvaluate[int](ada.page, transceivers)
	ada.click("Share screen")
	ada.waitFor(`__e2e.button('Stop sharing')`, 10*time.Second, "Ada shares her screen again")
	grace.waitFor(`document.querySelector('.tile.screen')?.innerText.includes('Ada (screen)')`, 10*time.Second, "Grace gets the screen tile again")
	grace.seesScreenMoving(mediaTimeout)
	assert.Equal(t, before, mustEvaluate[int](ada.page, transceivers), "the second share's transceivers are the first's")
}

// TestWithoutScreenCaptureThereIsNoShareScreen is a browser without
// getDisplayMedia, as on a phone: the control is absent and the call works,
// while the other person's browser offers it.
func TestWithoutScreenCaptureThereIsNoShareScreen(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	ada.addScriptBeforeLoad(`delete MediaDevices.prototype.getDisplayMedia;`)
	ada.join(srv.URL, "no-screen", "correct horse battery")
	grace.join(srv.URL, "no-screen", "correct horse battery")
	ada.seesVideoOf("Grace", mediaTimeout)
	grace.seesVideoOf("Ada", mediaTimeout)
	grace.waitFor(`__e2e.button('Share screen')`, 5*time.Second, "Grace's browser can share")
	assert.False(t, mustEvaluate[bool](ada.page, `(async () => (await OT.checkScreenSharingCapability()).supported)()`))
	assert.False(t, mustEvaluate[bool](ada.page, `__e2e.all('button', 'Share screen').length > 0`), "Ada has no Share screen")
	assert.Equal(t, 0, mustEvaluate[int](ada.page, `__e2e.violations.length`))
}
