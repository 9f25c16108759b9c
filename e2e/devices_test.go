package e2e

import (
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redCamera makes Chromium's third fake camera (fake_device_2) paint red,
// so that a tile's colour says which camera it shows: the fake cameras
// Chromium has all paint the same green picture (fake_device_1 is a depth
// camera, which WebRTC does not send). getUserMedia for that device gives a
// canvas track that stands in for its picture, with the device's id and
// label; everything else (enumerateDevices, the exact deviceId constraint,
// the library, the encrypted sender) is the real thing.
const redCamera = `(() => {
  const real = MediaDevices.prototype.getUserMedia;
  MediaDevices.prototype.getUserMedia = async function (constraints) {
    const stream = await real.call(this, constraints);
    const video = stream.getVideoTracks()[0];
    if (!video || video.label !== 'fake_device_2') return stream;
    const settings = video.getSettings();
    const canvas = Object.assign(document.createElement('canvas'), { width: 640, height: 480 });
    const g = canvas.getContext('2d');
    let x = 0;
    const paint = () => { g.fillStyle = '#d01010'; g.fillRect(0, 0, 640, 480); g.fillStyle = '#400000'; g.fillRect(x, 0, 40, 480); x = (x + 8) % 640; };
    paint();
    const timer = setInterval(paint, 50);
    const red = canvas.captureStream(20).getVideoTracks()[0];
    Object.defineProperty(red, 'label', { value: 'fake_device_2' });
    red.getSettings = () => ({ ...red.constructor.prototype.getSettings.call(red), deviceId: settings.deviceId, groupId: settings.groupId });
    const stop = red.stop.bind(red);
    red.stop = () => { clearInterval(timer); video.stop(); stop(); };
    stream.removeTrack(video);
    stream.addTrack(red);
    return stream;
  };
})();`

// showsGreen and showsRed say whether a tile shows fake_device_0's green
// picture or redCamera's red one.
func showsGreen(name string) string {
	return `(c => !!c && c.g > c.r + 60)(__e2e.colorOf(` + jsString(name) + `))`
}

func showsRed(name string) string {
	return `(c => !!c && c.r > c.g + 60)(__e2e.colorOf(` + jsString(name) + `))`
}

// threeCameras is a browser with three fake cameras (and Chromium's three
// fake microphones and speakers).
func threeCameras(t *testing.T) *browser {
	return newBrowser(t, chromedp.Flag("use-fake-device-for-media-stream", "device-count=3"))
}

// pickDevice chooses the option whose text is label in the select
// labelled by field, as a person does with the keyboard or a click: the
// select's value changes and it fires change.
func (p *person) pickDevice(field, label string) {
	p.t.Helper()
	p.waitFor(`[...(__e2e.field(`+jsString(field)+`)?.options ?? [])].some((o) => o.text === `+jsString(label)+`)`, 10*time.Second, "%s lists %s", field, label)
	ok := mustEvaluate[bool](p.page, `(() => {
		const select = __e2e.field(`+jsString(field)+`);
		const option = [...select.options].find((o) => o.text === `+jsString(label)+`);
		select.focus();
		select.value = option.value;
		select.dispatchEvent(new Event('change', { bubbles: true }));
		return document.activeElement === select;
	})()`)
	require.True(p.t, ok, "the %s picker takes the focus", field)
}

// previewMoves waits until the preview shows frames that keep coming.
func (p *person) previewMoves() {
	p.t.Helper()
	p.seesVideoOf("Your preview", mediaTimeout)
}

func TestThePreviewMovesAndItsMicrophoneLevelMovesBeforeJoining(t *testing.T) {
	srv := startServer(t)
	ada := newPerson(t, newBrowser(t), "Ada")
	ada.open(srv.URL + "/?room=preview")
	ada.waitFor(appReady, joinTimeout)
	ada.previewMoves()
	assert.Contains(t, mustEvaluate[string](ada.page, `getComputedStyle(document.querySelector('#preview-video video')).transform`), "matrix(-1", "your own picture is mirrored")

	// The meter follows the fake microphone's beeps: many values, some loud.
	mustEvaluate[bool](ada.page, `(() => { const m = __e2e.field('Microphone level'); window.__levels = []; setInterval(() => __levels.push(m.value), 40); return true; })()`)
	ada.waitFor(`new Set(__levels).size >= 6 && Math.max(...__levels) > 0.3 && Math.min(...__levels) < Math.max(...__levels) - 0.2`, 10*time.Second, "the microphone level moves")

	// The pickers list the devices by name, now that they are allowed.
	for field, label := range map[string]string{"Camera": "fake_device_0", "Microphone": "Fake Default Audio Input", "Speaker": "Fake Default Audio Output"} {
		ada.waitFor(`[...(__e2e.field(`+jsString(field)+`)?.options ?? [])].some((o) => o.text === `+jsString(label)+`)`, 10*time.Second, "the %s picker lists %s", field, label)
	}
	assert.Equal(t, "SELECT", mustEvaluate[string](ada.page, `__e2e.field('Camera').tagName`), "the pickers are labelled selects")
}

func TestCameraOffInThePreviewJoinsWithVideoOff(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	ada.open(srv.URL + "/?room=camera-off")
	ada.waitFor(appReady, joinTimeout)
	ada.previewMoves()
	ada.click("Turn camera off")
	ada.waitForText("Your camera is off", 5*time.Second)
	ada.joinFromHere("correct horse battery")
	grace.join(srv.URL, "camera-off", "correct horse battery")

	grace.waitFor(`__e2e.sees("Ada Encrypted Camera off")`, 10*time.Second, "Grace sees that Ada's camera is off")
	assert.True(t, mustEvaluate[bool](ada.page, `__e2e.button('Turn camera on') !== null`), "Ada's call keeps the preview's choice")
	assert.Equal(t, 1, mustEvaluate[int](ada.page, `document.querySelectorAll('video').length - document.querySelectorAll('.tile:not(.tile-self) video').length`),
		"Ada's own video is the preview's, moved into her tile, not a second camera")

	ada.click("Turn camera on")
	grace.seesVideoOf("Ada", mediaTimeout)
	grace.waitFor(`!__e2e.sees("Camera off")`, 10*time.Second)
}

func TestPickingAnotherCameraBeforeAndDuringTheCallChangesWhatTheOthersSee(t *testing.T) {
	srv := startServer(t)
	b := threeCameras(t)
	ada, grace := newPerson(t, b, "Ada"), newPerson(t, b, "Grace")
	ada.addScriptBeforeLoad(redCamera)
	ada.open(srv.URL + "/?room=pick-camera")
	ada.waitFor(appReady, joinTimeout)
	ada.previewMoves()
	ada.waitFor(showsGreen("Your preview"), 10*time.Second, "the preview starts on the first camera")

	ada.pickDevice("Camera", "fake_device_2")
	ada.waitFor(showsRed("Your preview"), 10*time.Second, "the preview shows the camera picked")
	ada.previewMoves()

	ada.joinFromHere("correct horse battery")
	grace.join(srv.URL, "pick-camera", "correct horse battery")
	grace.seesVideoOf("Ada", mediaTimeout)
	grace.waitFor(showsRed("Ada"), 10*time.Second, "Grace receives the camera Ada picked before joining")

	// During the call: the Devices panel, the first camera again.
	ada.click("Devices")
	ada.pickDevice("Camera", "fake_device_0")
	grace.waitFor(showsGreen("Ada"), 10*time.Second, "Grace receives the camera Ada switched to")
	grace.seesVideoOf("Ada", mediaTimeout) // and it keeps moving: the encrypted sender decrypts at Grace's
	assert.Empty(t, mustEvaluate[string](grace.page, `__e2e.banner('Ada', 'decrypt')`), "no decryption trouble through the switch")
	assert.Equal(t, "encrypted", mustEvaluate[string](grace.page, `__e2e.sees('Ada Encrypted') ? 'encrypted' : __e2e.text()`))

	// The microphone and the speaker switch too, without a message.
	ada.pickDevice("Microphone", "Fake Audio Input 1")
	ada.pickDevice("Speaker", "Fake Audio Output 1")
	ada.waitFor(`[...document.querySelectorAll('.OT_subscriber audio')].filter((a) => a.sinkId === __e2e.field('Speaker').value).length === 1 && __e2e.field('Speaker').selectedOptions[0].text === 'Fake Audio Output 1'`,
		10*time.Second, "Grace's audio plays on the speaker Ada picked")
	ada.waitFor(`__e2e.field('Microphone').selectedOptions[0].text === 'Fake Audio Input 1'`, 10*time.Second, "the microphone picked is the one in use")
	assert.Empty(t, mustEvaluate[string](ada.page, `__e2e.banner('could not be used')`))
	grace.seesVideoOf("Ada", mediaTimeout)
}

// denyCamera makes the browser refuse the camera but allow the microphone,
// as a person who blocks only the camera does.
func denyCamera(t *testing.T, b *browser, origin string) {
	t.Helper()
	for name, setting := range map[string]cdpbrowser.PermissionSetting{"camera": cdpbrowser.PermissionSettingDenied, "microphone": cdpbrowser.PermissionSettingGranted} {
		_, err := chromedp.CallBrowser(b.ctx, cdpbrowser.SetPermission, cdpbrowser.SetPermissionParams{
			Permission: &cdpbrowser.PermissionDescriptor{Name: name}, Setting: setting, Origin: origin,
		})
		require.NoError(t, err)
	}
}

func TestABlockedCameraLeavesAMicrophoneOnlyJoin(t *testing.T) {
	srv := startServer(t)
	blocked := newBrowser(t, chromedp.Flag("use-fake-ui-for-media-stream", false)) // the permissions below answer, not a fake prompt
	denyCamera(t, blocked, srv.URL)
	ada := newPerson(t, blocked, "Ada")
	grace := newPerson(t, newBrowser(t), "Grace")
	ada.open(srv.URL + "/?room=blocked-camera")
	ada.waitFor(appReady, joinTimeout)
	ada.waitFor(`__e2e.banner('Your camera is blocked')`, 10*time.Second, "Ada is told her camera is blocked")
	text := mustEvaluate[string](ada.page, `__e2e.banner('Your camera is blocked', 'Try again')`)
	assert.Contains(t, text, "You can join with your microphone only")
	assert.Contains(t, text, "Allow the camera for this site")
	assert.True(t, mustEvaluate[bool](ada.page, `__e2e.button('Turn camera off').disabled && !__e2e.button('Mute microphone').disabled`),
		"the camera toggle is off, the microphone's works")

	ada.joinFromHere("correct horse battery")
	grace.join(srv.URL, "blocked-camera", "correct horse battery")
	grace.waitFor(`__e2e.sees("Ada Encrypted Camera off")`, 10*time.Second, "Grace sees Ada without video, with her microphone")
	ada.seesVideoOf("Grace", mediaTimeout)
	// Ada's stream has no video at all (not black frames): her audio still
	// plays at Grace's, decrypted, and its level outlines her tile.
	grace.waitFor(speaking("Ada"), 15*time.Second, "Grace hears Ada: her tile is outlined when her microphone beeps")
	assert.True(t, mustEvaluate[bool](grace.page, `[...document.querySelectorAll('.OT_subscriber audio')].some((a) => !a.paused && a.srcObject?.getAudioTracks().length === 1)`),
		"Ada's audio plays at Grace's")
}

func TestABlockedCameraAndMicrophoneLeaveAWatchOnlyJoin(t *testing.T) {
	srv := startServer(t)
	// A browser that says no to every prompt, as a person who clicks Block does.
	blocked := newBrowser(t, chromedp.Flag("use-fake-ui-for-media-stream", false), chromedp.Flag("deny-permission-prompts", true))
	ada := newPerson(t, blocked, "Ada")
	grace := newPerson(t, newBrowser(t), "Grace")
	ada.open(srv.URL + "/?room=watch-only")
	ada.waitFor(appReady, joinTimeout)
	ada.waitFor(`__e2e.banner('camera and microphone are blocked')`, 10*time.Second, "Ada is told what happened")
	text := mustEvaluate[string](ada.page, `__e2e.banner('camera and microphone are blocked', 'Try again')`)
	assert.Contains(t, text, "You can still join to watch and listen")
	assert.Contains(t, text, "Allow the camera and microphone for this site")
	assert.True(t, mustEvaluate[bool](ada.page, `!!__e2e.button('Try again')`), "and given a way to try again")

	grace.join(srv.URL, "watch-only", "correct horse battery")
	ada.joinFromHere("correct horse battery")
	ada.seesVideoOf("Grace", mediaTimeout)
	assert.False(t, mustEvaluate[bool](grace.page, `__e2e.sees('Ada')`), "Ada sends nothing, so Grace has no tile of hers")
	assert.True(t, mustEvaluate[bool](ada.page, `__e2e.sees('Ada (you)') && __e2e.sees('Mic off') && __e2e.sees('Camera off')`), "Ada's tile says she sends nothing")
}

func TestTheCallIsUsableFromTheKeyboard(t *testing.T) {
	srv := startServer(t)
	ada := newPerson(t, newBrowser(t), "Ada")
	ada.join(srv.URL, "keyboard", "correct horse battery")
	ada.waitFor(`document.querySelector('#self-video video')`, 10*time.Second, "Ada publishes")

	// Tab from the top of the page until Leave: every control comes by, each
	// with a visible focus ring.
	mustEvaluate[bool](ada.page, `(document.activeElement?.blur(), true)`)
	var seen []string
	for range 20 {
		require.NoError(t, chromedp.Do(ada.ctx, chromedp.KeyEvent(kb.Tab)))
		name := mustEvaluate[string](ada.page, `document.activeElement?.getAttribute('aria-label') || document.activeElement?.innerText || ''`)
		ring := mustEvaluate[string](ada.page, `getComputedStyle(document.activeElement).outlineStyle`)
		assert.NotEqual(t, "none", ring, "%q shows where the focus is", name)
		seen = append(seen, name)
		if name == "Leave" {
			break
		}
	}
	assert.Subset(t, seen, []string{"Mute microphone", "Turn camera off", "Devices", "Encryption secret", "Copy invite link", "Leave"}, "in this order of tabbing: %v", seen)

	// Enter on Devices opens the panel; its pickers are labelled selects.
	mustEvaluate[bool](ada.page, `(document.activeElement?.blur(), true)`)
	for range 20 {
		require.NoError(t, chromedp.Do(ada.ctx, chromedp.KeyEvent(kb.Tab)))
		if mustEvaluate[string](ada.page, `document.activeElement?.getAttribute('aria-label') || ''`) == "Devices" {
			break
		}
	}
	require.NoError(t, chromedp.Do(ada.ctx, chromedp.KeyEvent(kb.Enter)))
	ada.waitFor(`__e2e.field('Camera')?.tagName === 'SELECT' && __e2e.field('Microphone')?.tagName === 'SELECT'`, 5*time.Second, "Enter opens the Devices panel")
	assert.Equal(t, "true", mustEvaluate[string](ada.page, `__e2e.button('Devices').getAttribute('aria-expanded')`))
	ada.waitFor(`document.activeElement === __e2e.field('Camera')`, 5*time.Second, "the focus moves into the panel, on its first picker")

	// Escape closes it, and the focus is back on the button that opened it.
	require.NoError(t, chromedp.Do(ada.ctx, chromedp.KeyEvent(kb.Escape)))
	ada.waitFor(`!document.getElementById('devices-panel') && document.activeElement === __e2e.button('Devices')`, 5*time.Second, "Escape closes the panel and gives the focus back")
	assert.Equal(t, "false", mustEvaluate[string](ada.page, `__e2e.button('Devices').getAttribute('aria-expanded')`))

	// The same for the secret panel, closed with its Close button.
	require.NoError(t, chromedp.Do(ada.ctx, chromedp.KeyEvent(kb.Tab)))
	require.Equal(t, "Encryption secret", mustEvaluate[string](ada.page, `document.activeElement?.getAttribute('aria-label') || ''`))
	require.NoError(t, chromedp.Do(ada.ctx, chromedp.KeyEvent(kb.Enter)))
	ada.waitFor(`document.getElementById('secret-panel')?.contains(document.activeElement)`, 5*time.Second, "the focus moves into the secret panel")
	ada.click("Close")
	ada.waitFor(`!document.getElementById('secret-panel') && document.activeElement === __e2e.button('Encryption secret')`, 5*time.Second, "Close gives the focus back")
}
