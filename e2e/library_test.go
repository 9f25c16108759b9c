package e2e

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests use our OpenTok-compatible library directly, as an app would
// through window.OT, on the page the server serves with the embedded backend.

// sessionJS gets a session for room from our server, as the app does.
const sessionJS = `async function session(room, name) {
  const r = await fetch('/api/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ room, name }) });
  return r.json();
}
const errorOf = (e) => e ? { name: e.name, code: e.code ?? null, message: e.message } : null;
`

type otErr struct {
	Name    string
	Code    *int
	Message string
}

func libraryPage(t *testing.T, srv *server, b *browser) *page {
	p := b.newPage(t)
	p.open(srv.URL + "/?room=library")
	p.waitFor(`window.OT && `+appReady, joinTimeout)
	return p
}

// adaPublishes brings Ada into room through the app, her camera on.
func adaPublishes(t *testing.T, srv *server, b *browser, room string) *person {
	ada := newPerson(t, b, "Ada")
	ada.join(srv.URL, room, "correct horse battery")
	ada.waitFor(`document.querySelector('#self-video video')?.srcObject`, 10*time.Second, "Ada publishes")
	return ada
}

func TestLibraryRefusesInvalidSecretsAsOpenTokDoes(t *testing.T) {
	srv := startServer(t)
	p := libraryPage(t, srv, newBrowser(t))
	raw := mustEvaluate[string](p, sessionJS+`(async () => {
		const s = await session('library', 'Ada');
		const connectWith = (secret, id) => new Promise((resolve) => OT.initSession(s.apiKey, id, { encryptionSecret: secret }).connect(s.token, (e) => resolve(errorOf(e))));
		const short = await connectWith('short', s.sessionId + '-a');
		const long = await connectWith('x'.repeat(257), s.sessionId + '-b');
		const emoji = await connectWith('🔑🔑🔑', s.sessionId + '-c');
		const good = OT.initSession(s.apiKey, s.sessionId, { encryptionSecret: 'correct horse battery' });
		const connected = await new Promise((resolve) => good.connect(s.token, (e) => resolve(errorOf(e))));
		const rejected = await good.setEncryptionSecret('short').then(() => null, errorOf);
		const same = OT.initSession(s.apiKey, s.sessionId, { encryptionSecret: 'ignored secret' }) === good;
		const noSecret = OT.initSession(s.apiKey, s.sessionId + '-none');
		const resolvesAnyway = await noSecret.setEncryptionSecret('a long enough secret').then(() => 'resolved', () => 'rejected');
		good.disconnect();
		return JSON.stringify({ short, long, emoji, connected, rejected, same, resolvesAnyway });
	})()`)
	var got struct {
		Short, Long, Emoji, Rejected *otErr
		Connected                    *otErr
		Same                         bool
		ResolvesAnyway               string
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
	for name, e := range map[string]*otErr{"7 characters": got.Short, "257 characters": got.Long, "3 emoji (6 JS characters)": got.Emoji} {
		require.NotNil(t, e, name)
		assert.Equal(t, "OT_INVALID_ENCRYPTION_SECRET", e.Name, name)
		require.NotNil(t, e.Code, name)
		assert.Equal(t, 1006, *e.Code, name)
	}
	assert.Equal(t, "Invalid encryptionSecret: secret must have at least 8 characters", got.Short.Message)
	assert.Equal(t, "Invalid encryptionSecret: secret must have at most 256 characters", got.Long.Message)
	assert.Nil(t, got.Connected, "a valid secret connects")
	require.NotNil(t, got.Rejected)
	assert.Equal(t, "OT_INVALID_ENCRYPTION_SECRET", got.Rejected.Name)
	assert.Equal(t, "setEncryptionSecret: secret must have at least 8 characters", got.Rejected.Message)
	assert.Nil(t, got.Rejected.Code, "setEncryptionSecret's error has no code, as OpenTok's")
	assert.True(t, got.Same, "initSession returns the Session it made for the session id")
	assert.Equal(t, "resolved", got.ResolvesAnyway, "setEncryptionSecret after initSession without a secret resolves and changes nothing")
}

func TestLibraryWithoutASecretCannotPublishOrSubscribe(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	adaPublishes(t, srv, b, "library")
	p := libraryPage(t, srv, b)
	raw := mustEvaluate[string](p, sessionJS+`(async () => {
		const s = await session('library', 'Eve');
		const plain = OT.initSession(s.apiKey, s.sessionId);
		const streams = [];
		plain.on('streamCreated', (e) => streams.push(e.stream));
		const connected = await new Promise((resolve) => plain.connect(s.token, (e) => resolve(errorOf(e))));
		await __e2e.until(() => streams.length > 0, 10000);
		const subscribed = await new Promise((resolve) => plain.subscribe(streams[0], document.body, { insertMode: 'append' }, (e) => resolve(errorOf(e))));
		const publisher = OT.initPublisher(document.body, { insertMode: 'append', name: 'Eve' });
		const published = await new Promise((resolve) => plain.publish(publisher, (e) => resolve(errorOf(e))));
		plain.disconnect();
		return JSON.stringify({ connected, subscribed, published, stream: { name: streams[0].name, hasVideo: streams[0].hasVideo } });
	})()`)
	var got struct {
		Connected, Subscribed, Published *otErr
		Stream                           struct {
			Name     string
			HasVideo bool
		}
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
	assert.Nil(t, got.Connected, "connecting without a secret succeeds, as in OpenTok.js")
	assert.Equal(t, "Ada", got.Stream.Name)
	require.NotNil(t, got.Subscribed)
	assert.Equal(t, "OT_UNABLE_TO_SUBSCRIBE", got.Subscribed.Name)
	assert.Equal(t, 1501, *got.Subscribed.Code)
	assert.Equal(t, "Tried to subscribe to an encrypted stream without enabling encryption", got.Subscribed.Message)
	require.NotNil(t, got.Published)
	assert.Equal(t, "OT_STREAM_CREATE_FAILED", got.Published.Name)
	assert.Equal(t, 1500, *got.Published.Code)
	assert.Contains(t, got.Published.Message, "IncompatibleEncryptionSettings")
}

func TestLibraryMismatchAndMatchEventsTargetTheSubscriber(t *testing.T) {
	srv := startServer(t)
	b := newBrowser(t)
	adaPublishes(t, srv, b, "library")
	p := libraryPage(t, srv, b)
	raw := mustEvaluate[string](p, sessionJS+`(async () => {
		const s = await session('library', 'Eve');
		const sess = OT.initSession(s.apiKey, s.sessionId, { encryptionSecret: 'the wrong secret' });
		const events = [];
		let subscriber;
		sess.on('streamCreated', (e) => {
			subscriber = sess.subscribe(e.stream, document.body, { insertMode: 'append' });
			for (const type of ['encryptionSecretMismatch', 'encryptionSecretMatch']) {
				subscriber.on(type, (ev) => events.push({ type: ev.type, targetIsSubscriber: ev.target === subscriber, at: Date.now() }));
			}
		});
		await new Promise((resolve) => sess.connect(s.token, resolve));
		await __e2e.until(() => events.length === 1, 10000);
		const video = () => subscriber.element.querySelector('video');
		const before = video().getVideoPlaybackQuality().totalVideoFrames;
		await sess.setEncryptionSecret('correct horse battery');
		await __e2e.until(() => events.length === 2 && video().getVideoPlaybackQuality().totalVideoFrames > before + 5 && video().videoWidth > 0, 10000);
		sess.disconnect();
		return JSON.stringify({ events, framesBeforeFix: before });
	})()`)
	var got struct {
		Events []struct {
			Type               string
			TargetIsSubscriber bool
		}
		FramesBeforeFix int
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
	require.Len(t, got.Events, 2)
	assert.Equal(t, "encryptionSecretMismatch", got.Events[0].Type)
	assert.Equal(t, "encryptionSecretMatch", got.Events[1].Type)
	assert.True(t, got.Events[0].TargetIsSubscriber && got.Events[1].TargetIsSubscriber, "the events' target is the Subscriber")
	assert.Zero(t, got.FramesBeforeFix, "with the wrong secret not one frame decoded")
}

func TestLibraryReportsAnUnsupportedBrowser(t *testing.T) {
	srv := startServer(t)
	p := newBrowser(t).newPage(t)
	p.addScriptBeforeLoad(`delete window.RTCRtpScriptTransform; delete RTCRtpSender.prototype.createEncodedStreams; delete RTCRtpReceiver.prototype.createEncodedStreams;`)
	p.open(srv.URL + "/?room=library")
	p.waitFor(`window.OT`, joinTimeout)
	raw := mustEvaluate[string](p, sessionJS+`(async () => {
		const s = await session('library', 'Ada');
		const e = await new Promise((resolve) => OT.initSession(s.apiKey, s.sessionId, { encryptionSecret: 'correct horse battery' }).connect(s.token, resolve));
		return JSON.stringify({ supported: OT.hasEndToEndEncryptionSupport(), error: errorOf(e) });
	})()`)
	var got struct {
		Supported bool
		Error     *otErr
	}
	require.NoError(t, json.Unmarshal([]byte(raw), &got), raw)
	assert.False(t, got.Supported)
	require.NotNil(t, got.Error)
	assert.Equal(t, "OT_UNSUPPORTED_BROWSER", got.Error.Name)
	assert.Equal(t, 1006, *got.Error.Code)
	assert.Equal(t, "E2E Encryption is not supported in your browser.", got.Error.Message)
}
