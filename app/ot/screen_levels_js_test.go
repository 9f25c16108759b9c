//go:build js && wasm

package ot

import (
	"syscall/js"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// screenFixture adds what screen sharing uses to the fixture's OT.
const screenFixture = `
OT.checkScreenSharingCapability = () => Promise.resolve({ supported: globalThis.screenSupported, supportedSources: {} });
OT.initPublisher = (target, props, cb) => {
  const handlers = {};
  const p = {
    props,
    on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    off(type, fn) { handlers[type] = (handlers[type] || []).filter((h) => h !== fn); },
    emit(type, ev) { for (const h of handlers[type] || []) h({ type, target: p, ...ev }); },
    count() { return Object.values(handlers).reduce((n, l) => n + l.length, 0); },
    destroy() { p.destroyed = true; },
  };
  globalThis.lastPublisher = p;
  setTimeout(() => cb(), 1);
  return p;
};
`

func installScreenFixture(t *testing.T) {
	t.Helper()
	installFixture(t)
	js.Global().Get("Function").New(screenFixture).Invoke()
}

func TestCheckScreenSharingCapabilityReadsSupported(t *testing.T) {
	installScreenFixture(t)
	for _, supported := range []bool{true, false} {
		js.Global().Set("screenSupported", supported)
		got, err := CheckScreenSharingCapability()
		require.NoError(t, err)
		assert.Equal(t, supported, got)
	}
}

func TestAScreenPublisherAsksForTheScreenAndReportsItsEnd(t *testing.T) {
	installScreenFixture(t)
	p, err := InitPublisher("screen-video", PublisherOptions{Name: "Ada", PublishVideo: true, VideoSource: "screen"})
	require.NoError(t, err)
	last := js.Global().Get("lastPublisher")
	assert.Equal(t, "screen", last.Get("props").Get("videoSource").String())
	assert.False(t, last.Get("props").Get("publishAudio").Bool())

	reasons := make(chan string, 1)
	require.NoError(t, p.On(PublisherEvents{StreamDestroyed: func(reason string) { reasons <- reason }}))
	last.Call("emit", "streamDestroyed", map[string]any{"reason": "mediaStopped"})
	assert.Equal(t, "mediaStopped", <-reasons)

	p.Destroy()
	assert.True(t, last.Get("destroyed").Bool())
	assert.Equal(t, 0, handlerCount(last), "Destroy releases the handlers")

	_, err = InitPublisher("self-video", PublisherOptions{Name: "Ada", PublishAudio: true, PublishVideo: true})
	require.NoError(t, err)
	assert.True(t, js.Global().Get("lastPublisher").Get("props").Get("videoSource").IsUndefined(), "the camera sets no videoSource")
}

func TestAudioLevelsAndVideoTypeReachGo(t *testing.T) {
	installFixture(t)
	s, err := InitSession("key", "2_session", "correct horse")
	require.NoError(t, err)
	created := make(chan Stream, 1)
	require.NoError(t, s.On(SessionEvents{StreamCreated: func(st Stream) { created <- st }}))
	session := js.Global().Get("lastSession")
	stream := js.ValueOf(map[string]any{"streamId": "st1", "name": "Ada", "videoType": "screen", "connection": map[string]any{"connectionId": "c1"}})
	session.Call("emit", "streamCreated", map[string]any{"stream": stream})
	assert.Equal(t, "screen", (<-created).VideoType)

	levels := make(chan float64, 2)
	sub, err := s.Subscribe(Stream{ID: "st1", ref: safeOf(stream)}, "tiles", SubscriberEvents{
		AudioLevelUpdated: func(level float64) { levels <- level },
	})
	require.NoError(t, err)
	subscriber := session.Get("lastSubscriber")
	subscriber.Call("emit", "audioLevelUpdated", map[string]any{"audioLevel": 0.25})
	subscriber.Call("emit", "audioLevelUpdated", map[string]any{})
	assert.Equal(t, 0.25, <-levels)
	assert.Equal(t, 0.0, <-levels, "no level reads as silence")
	sub.Release()
	assert.Equal(t, 0, handlerCount(subscriber))
}
