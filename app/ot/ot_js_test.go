//go:build js && wasm

package ot

import (
	"errors"
	"syscall/js"
	"testing"
	"time"

	"github.com/hack-pad/safejs"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture is a small stand-in for OpenTok.js with its conventions: async
// callbacks with OTError objects, promises, on/off, events with targets. It
// counts the handlers registered, so the tests see that Off releases them.
const fixture = `
const otError = (name, code, message) => { const e = new Error(message); e.name = name; if (code) e.code = code; return e; };
function emitter() {
  const handlers = {};
  return {
    on(type, fn) { (handlers[type] = handlers[type] || []).push(fn); },
    off(type, fn) { handlers[type] = (handlers[type] || []).filter((h) => h !== fn); },
    emit(type, ev) { for (const h of handlers[type] || []) h({ type, target: this, ...ev }); },
    count() { return Object.values(handlers).reduce((n, l) => n + l.length, 0); },
  };
}
globalThis.OT = {
  hasEndToEndEncryptionSupport: () => true,
  initSession(apiKey, sessionId, options) {
    if (!sessionId) throw otError('OT_INVALID_SESSION_ID', 1005, 'no session id');
    const s = emitter();
    s.secret = options.encryptionSecret;
    s.connect = (token, cb) => setTimeout(() => token === 'bad'
      ? cb(otError('OT_AUTHENTICATION_ERROR', 1004, 'Invalid token'))
      : cb(), 1);
    s.setEncryptionSecret = (secret) => secret.length < 8
      ? Promise.reject(otError('OT_INVALID_ENCRYPTION_SECRET', 0, 'setEncryptionSecret: secret must have at least 8 characters'))
      : new Promise((resolve) => setTimeout(() => { s.secret = secret; resolve(); }, 1));
    s.subscribe = (stream, target, props, cb) => {
      const sub = emitter();
      s.lastSubscriber = sub;
      setTimeout(() => stream.streamId === 'gone' ? cb(otError('OT_UNABLE_TO_SUBSCRIBE', 1501, 'Tried to subscribe to an encrypted stream without enabling encryption')) : cb(), 1);
      return sub;
    };
    s.unsubscribe = () => {};
    s.disconnect = () => s.emit('sessionDisconnected', { reason: 'clientDisconnected' });
    globalThis.lastSession = s;
    return s;
  },
};
`

func installFixture(t *testing.T) {
	t.Helper()
	js.Global().Get("Function").New(fixture).Invoke()
	t.Cleanup(func() { js.Global().Delete("OT") })
}

func handlerCount(v js.Value) int { return v.Call("count").Int() }

func safeOf(v js.Value) safejs.Value { return safejs.Safe(v) }

func TestConnectErrorsKeepOpenTokNameAndCode(t *testing.T) {
	installFixture(t)
	require.NoError(t, WaitReady(time.Second))
	s, err := InitSession("key", "2_session", "correct horse")
	require.NoError(t, err)

	err = s.Connect("bad")
	var otErr *Error
	require.True(t, errors.As(err, &otErr), "errors.As finds the OpenTok error in %v", err)
	assert.Equal(t, "OT_AUTHENTICATION_ERROR", otErr.Name)
	assert.Equal(t, 1004, otErr.Code)
	assert.Equal(t, "Invalid token", otErr.Message)

	assert.NoError(t, s.Connect("good"))
}

func TestThrownErrorsKeepTheirNameToo(t *testing.T) {
	installFixture(t)
	_, err := InitSession("key", "", "correct horse")
	var otErr *Error
	require.True(t, errors.As(err, &otErr), "got %v", err)
	assert.Equal(t, "OT_INVALID_SESSION_ID", otErr.Name)
	assert.Equal(t, 1005, otErr.Code)
}

func TestSetEncryptionSecretResolvesAndRejects(t *testing.T) {
	installFixture(t)
	s, err := InitSession("key", "2_session", "correct horse")
	require.NoError(t, err)

	require.NoError(t, s.SetEncryptionSecret("a new secret"))
	assert.Equal(t, "a new secret", js.Global().Get("lastSession").Get("secret").String())

	err = s.SetEncryptionSecret("short")
	var otErr *Error
	require.True(t, errors.As(err, &otErr))
	assert.Equal(t, "OT_INVALID_ENCRYPTION_SECRET", otErr.Name)
	assert.Zero(t, otErr.Code, "setEncryptionSecret's error has no code")
}

func TestSessionEventsReachGoAndOffReleasesThem(t *testing.T) {
	installFixture(t)
	s, err := InitSession("key", "2_session", "correct horse")
	require.NoError(t, err)
	created := make(chan Stream, 1)
	changed := make(chan string, 1)
	disconnected := make(chan string, 1)
	require.NoError(t, s.On(SessionEvents{
		StreamCreated: func(st Stream) { created <- st },
		StreamPropertyChanged: func(id, prop string, v bool) {
			changed <- id + " " + prop + " " + map[bool]string{true: "on", false: "off"}[v]
		},
		SessionDisconnected: func(reason string) { disconnected <- reason },
	}))
	session := js.Global().Get("lastSession")
	assert.Equal(t, 3, handlerCount(session))

	stream := js.ValueOf(map[string]any{"streamId": "st1", "name": "Grace", "hasAudio": true, "hasVideo": false,
		"connection": map[string]any{"connectionId": "c1"}})
	session.Call("emit", "streamCreated", map[string]any{"stream": stream})
	got := <-created
	assert.Equal(t, "st1", got.ID)
	assert.Equal(t, "Grace", got.Name)
	assert.Equal(t, "c1", got.ConnectionID)
	assert.True(t, got.HasAudio)
	assert.False(t, got.HasVideo)

	session.Call("emit", "streamPropertyChanged", map[string]any{"stream": stream, "changedProperty": "hasAudio", "newValue": false})
	assert.Equal(t, "st1 hasAudio off", <-changed)

	s.Disconnect()
	assert.Equal(t, "clientDisconnected", <-disconnected)

	s.Off()
	assert.Equal(t, 0, handlerCount(session), "Off removes every handler it registered")
}

func TestSubscribeReportsMismatchMatchAndErrors(t *testing.T) {
	installFixture(t)
	s, err := InitSession("key", "2_session", "correct horse")
	require.NoError(t, err)
	events := make(chan string, 2)
	stream := Stream{ID: "st1", ref: safeOf(js.ValueOf(map[string]any{"streamId": "st1"}))}
	sub, err := s.Subscribe(stream, "tiles", SubscriberEvents{
		EncryptionSecretMismatch: func() { events <- "mismatch" },
		EncryptionSecretMatch:    func() { events <- "match" },
	})
	require.NoError(t, err)
	js.Global().Get("lastSession").Get("lastSubscriber").Call("emit", "encryptionSecretMismatch", map[string]any{})
	js.Global().Get("lastSession").Get("lastSubscriber").Call("emit", "encryptionSecretMatch", map[string]any{})
	assert.Equal(t, "mismatch", <-events)
	assert.Equal(t, "match", <-events)

	sub.Release()
	assert.Equal(t, 0, handlerCount(js.Global().Get("lastSession").Get("lastSubscriber")), "Release frees the handlers")

	_, err = s.Subscribe(Stream{ID: "gone", ref: safeOf(js.ValueOf(map[string]any{"streamId": "gone"}))}, "tiles", SubscriberEvents{
		EncryptionSecretMismatch: func() {},
	})
	var otErr *Error
	require.True(t, errors.As(err, &otErr))
	assert.Equal(t, "OT_UNABLE_TO_SUBSCRIBE", otErr.Name)
	assert.Equal(t, 1501, otErr.Code)
	assert.Equal(t, 0, handlerCount(js.Global().Get("lastSession").Get("lastSubscriber")), "a failed subscribe releases its handlers")
}

func TestWaitReadyGivesUpWithoutOT(t *testing.T) {
	js.Global().Delete("OT")
	err := WaitReady(100 * time.Millisecond)
	var otErr *Error
	require.True(t, errors.As(err, &otErr))
	assert.Equal(t, "OT_NOT_LOADED", otErr.Name)
}
