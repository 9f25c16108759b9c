//go:build js && wasm

package ot

import (
	"errors"
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// devicesFixture adds OpenTok.js's device calls and a publisher to the
// fixture, with its conventions: promises, OTError objects, events.
const devicesFixture = `
const devices = [
  { kind: 'audioInput', deviceId: 'mic1', label: 'Mic' },
  { kind: 'videoInput', deviceId: 'cam1', label: 'Front' },
  { kind: 'videoInput', deviceId: 'cam2', label: '' },
];
OT.getDevices = () => Promise.resolve(devices);
OT.getAudioOutputDevices = () => Promise.resolve([{ deviceId: 'spk1', label: 'Speakers' }]);
OT.setAudioOutputDevice = (id) => id === 'spk1' ? Promise.resolve() : Promise.reject(otError('OT_INVALID_AUDIO_OUTPUT_SOURCE', 0, 'The requested device is not valid.'));
OT.getActiveAudioOutputDevice = () => Promise.resolve({ deviceId: 'spk1', label: 'Speakers' });
OT.initPublisher = (target, props, cb) => {
  const p = emitter();
  p.props = props;
  p.camera = props.videoSource === null ? null : (props.videoSource || 'cam1');
  p.element = {};
  p.getVideoSource = () => ({ deviceId: p.camera, type: p.camera ? 'camera' : null, track: null });
  p.getAudioSource = () => ({ kind: 'audio', getSettings: () => ({ deviceId: 'mic1' }) });
  p.setVideoSource = (id) => !p.camera
    ? Promise.reject(otError('OT_SET_VIDEO_SOURCE_FAILURE', 1040, 'You cannot reset the video source on a publisher that does not currently use a camera source.'))
    : devices.some((d) => d.deviceId === id) ? Promise.resolve(p.camera = id).then(() => undefined)
    : Promise.reject(otError('OT_INVALID_VIDEO_SOURCE', 1041, 'Invalid video source. Video source must be a valid video input deviceId'));
  p.destroy = () => {};
  globalThis.lastPublisher = p;
  setTimeout(() => cb(), 1);
  return p;
};
`

func installDevicesFixture(t *testing.T) {
	t.Helper()
	installFixture(t)
	js.Global().Get("Function").New(`const otError = (name, code, message) => { const e = new Error(message); e.name = name; if (code) e.code = code; return e; };
function emitter() {
  const handlers = {};
  return {
    on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    off(type, fn) { handlers[type] = (handlers[type] || []).filter((h) => h !== fn); },
    emit(type, ev) { for (const h of handlers[type] || []) h({ type, target: this, ...ev }); },
    count() { return Object.values(handlers).reduce((n, l) => n + l.length, 0); },
  };
}` + devicesFixture).Invoke()
}

func TestGetDevicesAndTheSpeaker(t *testing.T) {
	installDevicesFixture(t)
	devices, err := GetDevices()
	require.NoError(t, err)
	assert.Equal(t, []Device{
		{Kind: AudioInput, DeviceID: "mic1", Label: "Mic"},
		{Kind: VideoInput, DeviceID: "cam1", Label: "Front"},
		{Kind: VideoInput, DeviceID: "cam2", Label: ""},
	}, devices)

	outputs, err := GetAudioOutputDevices()
	require.NoError(t, err)
	assert.Equal(t, []Device{{Kind: AudioOutput, DeviceID: "spk1", Label: "Speakers"}}, outputs)
	require.NoError(t, SetAudioOutputDevice("spk1"))
	active, err := ActiveAudioOutputDevice()
	require.NoError(t, err)
	assert.Equal(t, "spk1", active.DeviceID)

	err = SetAudioOutputDevice("gone")
	var otErr *Error
	require.True(t, errors.As(err, &otErr), "got %v", err)
	assert.Equal(t, "OT_INVALID_AUDIO_OUTPUT_SOURCE", otErr.Name)
}

func TestPublisherSourcesSwitchingAndEvents(t *testing.T) {
	installDevicesFixture(t)
	p, err := InitPublisher("preview", PublisherOptions{PublishAudio: true, PublishVideo: false, VideoSource: "cam2", NoAudio: false})
	require.NoError(t, err)
	props := js.Global().Get("lastPublisher").Get("props")
	assert.Equal(t, "cam2", props.Get("videoSource").String(), "a device id is passed as the source")
	assert.True(t, props.Get("audioSource").IsUndefined(), "no id: the default device")
	assert.False(t, props.Get("publishVideo").Bool())

	id, ok := p.VideoSource()
	assert.True(t, ok)
	assert.Equal(t, "cam2", id)
	mic, ok := p.AudioSource()
	assert.True(t, ok)
	assert.Equal(t, "mic1", mic)

	require.NoError(t, p.SetVideoSource("cam1"))
	id, _ = p.VideoSource()
	assert.Equal(t, "cam1", id)
	err = p.SetVideoSource("nope")
	var otErr *Error
	require.True(t, errors.As(err, &otErr))
	assert.Equal(t, "OT_INVALID_VIDEO_SOURCE", otErr.Name)
	assert.Equal(t, 1041, otErr.Code)

	levels := make(chan float64, 1)
	stopped := make(chan string, 1)
	require.NoError(t, p.On(PublisherEvents{
		AudioLevelUpdated: func(l float64) { levels <- l },
		MediaStopped:      func(kind string) { stopped <- kind },
	}))
	pub := js.Global().Get("lastPublisher")
	pub.Call("emit", "audioLevelUpdated", map[string]any{"audioLevel": 0.25})
	pub.Call("emit", "mediaStopped", map[string]any{"track": map[string]any{"kind": "video"}})
	assert.Equal(t, 0.25, <-levels)
	assert.Equal(t, "video", <-stopped)
	p.Off()
	assert.Equal(t, 0, handlerCount(pub), "Off removes the handlers")

	audioOnly, err := InitPublisher("preview", PublisherOptions{NoVideo: true})
	require.NoError(t, err)
	assert.True(t, js.Global().Get("lastPublisher").Get("props").Get("videoSource").IsNull(), "no video: videoSource null")
	_, ok = audioOnly.VideoSource()
	assert.False(t, ok, "an audio-only publisher has no camera")
	err = audioOnly.SetVideoSource("cam1")
	require.True(t, errors.As(err, &otErr))
	assert.Equal(t, "OT_SET_VIDEO_SOURCE_FAILURE", otErr.Name)
}
