package e2e

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The device API is tested against both libraries the app runs on: ours
// (the embedded backend) and the real OpenTok.js (the Vonage backend, whose
// publisher and devices work without Vonage's servers). The same script
// runs on both, and both must answer alike.

type backendPage struct {
	name string
	open func(t *testing.T, b *browser) *page
}

var backends = []backendPage{
	{"ours", func(t *testing.T, b *browser) *page {
		return libraryPage(t, startServer(t), b)
	}},
	{"OpenTok.js", func(t *testing.T, b *browser) *page {
		srv, _ := startVonageServer(t)
		p := b.newPage(t)
		p.open(srv.URL + "/?room=library")
		p.waitFor(`window.OT && `+appReady, joinTimeout)
		require.False(t, mustEvaluate[bool](p, `String(OT.version).startsWith('e2eecall')`), "the real OpenTok.js")
		return p
	}},
}

const devicesJS = `const errorOf = (e) => e ? { name: e.name, code: e.code ?? null, message: e.message } : null;
const initPublisher = (props) => new Promise((resolve) => {
  const el = document.createElement('div');
  document.body.append(el);
  // OpenTok.js may call back before initPublisher returns: read p after it.
  const p = OT.initPublisher(el, { insertMode: 'append', width: 320, height: 240, ...props }, (e) => setTimeout(() => resolve({ p, error: errorOf(e) })));
});
`

func TestLibraryDevicesAndSwitchingAsOpenTokJS(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			p := backend.open(t, threeCameras(t))
			raw := mustEvaluate[string](p, devicesJS+`(async () => {
				const devices = await OT.getDevices();
				const viaCallback = await new Promise((resolve) => OT.getDevices((e, d) => resolve({ error: errorOf(e), count: d.length })));
				const outputs = await OT.getAudioOutputDevices();
				const cams = devices.filter((d) => d.kind === 'videoInput');
				const mics = devices.filter((d) => d.kind === 'audioInput' && d.deviceId !== 'default' && d.deviceId !== 'communications');
				const { p: pub, error } = await initPublisher({ videoSource: cams[2].deviceId, audioSource: mics[0].deviceId });
				const levels = [];
				pub.on('audioLevelUpdated', (e) => levels.push(e.audioLevel));
				const started = pub.getVideoSource();
				await pub.setVideoSource(cams[0].deviceId);
				const switched = pub.getVideoSource();
				const unknownCamera = await pub.setVideoSource('no-such-camera').then(() => null, errorOf);
				const notAString = await Promise.resolve().then(() => pub.setVideoSource(42)).then(() => null, errorOf);
				const micBefore = pub.getAudioSource().getSettings().deviceId;
				await pub.setAudioSource(mics[1].deviceId);
				const micAfter = pub.getAudioSource();
				await __e2e.until(() => levels.length >= 10 && Math.max(...levels) > 0, 15000);
				await OT.setAudioOutputDevice(outputs[1].deviceId);
				const active = await OT.getActiveAudioOutputDevice();
				const unknownSpeaker = await OT.setAudioOutputDevice('no-such-speaker').then(() => null, errorOf);
				const audioOnly = await initPublisher({ videoSource: null });
				const audioOnlyVideo = audioOnly.p.getVideoSource();
				const audioOnlySwitch = await audioOnly.p.setVideoSource(cams[0].deviceId).then(() => null, errorOf);
				const neither = await initPublisher({ videoSource: null, audioSource: null });
				pub.destroy();
				audioOnly.p.destroy();
				return JSON.stringify({
					kinds: [...new Set(devices.map((d) => d.kind))].sort(), labels: devices.map((d) => d.label), viaCallback,
					outputs: outputs.map((o) => Object.keys(o).sort().join(',') + ':' + o.label),
					error, started: { ...started, track: !!started.track, label: started.track?.label }, switched: { ...switched, track: switched.track?.label },
					cams: cams.map((c) => c.deviceId), unknownCamera, notAString, micBefore, micAfter: micAfter.getSettings().deviceId, micAfterKind: micAfter.kind,
					mics: mics.map((m) => m.deviceId), levels: levels.slice(0, 50), levelsAreNumbers: levels.every((l) => typeof l === 'number' && l >= 0 && l <= 1),
					active, speakers: outputs.map((o) => o.deviceId), unknownSpeaker,
					audioOnly: audioOnly.error, audioOnlyVideo, audioOnlySwitch, neither: neither.error,
				});
			})()`)
			var got struct {
				Kinds, Labels []string
				ViaCallback   struct {
					Error *otErr
					Count int
				}
				Outputs []string
				Error   *otErr
				Started struct {
					DeviceID, Type, Label string
					Track                 bool
				}
				Switched struct {
					DeviceID, Type, Track string
				}
				Cams, Mics, Speakers       []string
				UnknownCamera, NotAString  *otErr
				MicBefore, MicAfter        string
				MicAfterKind               string
				Levels                     []float64
				LevelsAreNumbers           bool
				Active                     struct{ DeviceID, Label string }
				UnknownSpeaker             *otErr
				AudioOnly, AudioOnlySwitch *otErr
				AudioOnlyVideo             struct{ DeviceID, Type *string }
				Neither                    *otErr
			}
			require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
			t.Logf("%s: %s", backend.name, raw)

			assert.Equal(t, []string{"audioInput", "videoInput"}, got.Kinds, "getDevices lists inputs only")
			assert.Contains(t, got.Labels, "fake_device_2", "with labels once allowed")
			assert.Nil(t, got.ViaCallback.Error)
			assert.Equal(t, len(got.Labels), got.ViaCallback.Count, "the callback form gives the same list")
			assert.Contains(t, got.Outputs, "deviceId,label:Fake Audio Output 1", "getAudioOutputDevices: {deviceId, label}")

			require.Nil(t, got.Error, "initPublisher with a camera and a microphone by id")
			assert.Equal(t, got.Cams[2], got.Started.DeviceID, "getVideoSource names the camera asked for")
			assert.Equal(t, "camera", got.Started.Type)
			assert.Equal(t, "fake_device_2", got.Started.Label)
			assert.Equal(t, got.Cams[0], got.Switched.DeviceID, "setVideoSource switches the camera")
			assert.Equal(t, "fake_device_0", got.Switched.Track)
			require.NotNil(t, got.UnknownCamera)
			assert.Equal(t, "OT_INVALID_VIDEO_SOURCE", got.UnknownCamera.Name)
			require.NotNil(t, got.UnknownCamera.Code)
			assert.Equal(t, 1041, *got.UnknownCamera.Code)
			require.NotNil(t, got.NotAString)
			assert.Equal(t, "OT_INVALID_VIDEO_SOURCE", got.NotAString.Name)

			assert.Equal(t, got.Mics[0], got.MicBefore, "the microphone asked for")
			assert.Equal(t, got.Mics[1], got.MicAfter, "setAudioSource switches the microphone")
			assert.Equal(t, "audio", got.MicAfterKind, "getAudioSource is a MediaStreamTrack")
			assert.True(t, got.LevelsAreNumbers, "audioLevelUpdated carries audioLevel, 0 to 1: %v", got.Levels)

			assert.Equal(t, got.Speakers[1], got.Active.DeviceID, "getActiveAudioOutputDevice is the one set")
			assert.Equal(t, "Fake Audio Output 1", got.Active.Label)
			require.NotNil(t, got.UnknownSpeaker)
			assert.Equal(t, "OT_INVALID_AUDIO_OUTPUT_SOURCE", got.UnknownSpeaker.Name)
			assert.Equal(t, "The requested device is not valid.", got.UnknownSpeaker.Message)

			assert.Nil(t, got.AudioOnly, "videoSource null publishes audio only")
			assert.Nil(t, got.AudioOnlyVideo.Type, "an audio-only publisher has no video source type")
			require.NotNil(t, got.AudioOnlySwitch)
			assert.Equal(t, "OT_SET_VIDEO_SOURCE_FAILURE", got.AudioOnlySwitch.Name)
			require.NotNil(t, got.AudioOnlySwitch.Code)
			assert.Equal(t, 1040, *got.AudioOnlySwitch.Code)
			assert.Equal(t, "You cannot reset the video source on a publisher that does not currently use a camera source.", got.AudioOnlySwitch.Message)
			require.NotNil(t, got.Neither)
			assert.Equal(t, "OT_INVALID_PARAMETER", got.Neither.Name, "neither audio nor video")
			require.NotNil(t, got.Neither.Code)
			assert.Equal(t, 1011, *got.Neither.Code)
			assert.Equal(t, "You cannot specify both audioSource and videoSource as null or false", got.Neither.Message)
		})
	}
}

func TestLibraryDeniedDevicesAsOpenTokJS(t *testing.T) {
	for _, backend := range backends {
		t.Run(backend.name, func(t *testing.T) {
			p := backend.open(t, newBrowser(t, chromedp.Flag("use-fake-ui-for-media-stream", false), chromedp.Flag("deny-permission-prompts", true)))
			raw := mustEvaluate[string](p, devicesJS+`(async () => {
				const events = [];
				const el = document.createElement('div');
				document.body.append(el);
				const error = await new Promise((resolve) => {
					const pub = OT.initPublisher(el, { insertMode: 'append' }, (e) => resolve(errorOf(e)));
					pub.on('accessDenied', (e) => events.push(e.type));
				});
				await __e2e.until(() => events.length > 0, 5000).catch(() => {});
				const devices = await OT.getDevices();
				return JSON.stringify({ error, events, labels: devices.map((d) => d.label) });
			})()`)
			var got struct {
				Error  *otErr
				Events []string
				Labels []string
			}
			require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
			t.Logf("%s: %s", backend.name, raw)
			require.NotNil(t, got.Error)
			assert.Equal(t, "OT_USER_MEDIA_ACCESS_DENIED", got.Error.Name)
			require.NotNil(t, got.Error.Code)
			assert.Equal(t, 1500, *got.Error.Code)
			// OpenTok.js adds "Note: Chrome requires HTTPS for camera and microphone access." on plain http.
			assert.Contains(t, got.Error.Message, "OT.Publisher Access Denied: Permission Denied: End-user denied permission to hardware devices (getUserMedia error: NotAllowedError)")
			assert.Equal(t, []string{"accessDenied"}, got.Events)
			for _, l := range got.Labels {
				assert.Empty(t, l, "no labels before access is allowed")
			}
		})
	}
}
