// The Session's view of who is away, over a fake signaling socket: the
// server's "connected" lists who is away (server/local/protocol.go), and
// subscribers of their streams are 'disconnected' until they resume.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../ot/session.js';

// FakeSocket is the server's end of the signaling socket: connect and
// subscribe are answered by the test's server function; anything else the
// test delivers with receive.
class FakeSocket {
  static OPEN = 1;
  static server = null; // (socket, message) => void, set by each test
  static last = null;

  constructor() {
    this.readyState = 0;
    FakeSocket.last = this;
    setTimeout(() => { this.readyState = FakeSocket.OPEN; this.onopen(); }, 0);
  }

  send(data) { FakeSocket.server(this, JSON.parse(data)); }

  receive(message) { this.onmessage({ data: JSON.stringify(message) }); }

  /** The network takes the socket away: no close frame. */
  drop() {
    this.readyState = 3;
    this.onclose({ code: 1006, reason: '' });
  }

  close() { this.readyState = 3; }
}

// The little of a page that a Subscriber's element and tracks need.
const element = () => ({ append() {}, remove() {} });
Object.assign(globalThis, {
  WebSocket: FakeSocket,
  location: { protocol: 'http:', host: 'test' },
  document: { createElement: element, body: element(), getElementById: () => null },
  MediaStream: class { getTracks() { return []; } },
});

const connection = (id) => ({ connectionId: id, creationTime: 1, data: id });
const stream = (id, connectionId) => ({ streamId: id, connectionId, name: id, hasAudio: true, hasVideo: true, videoType: 'camera', creationTime: 1 });
const others = { connections: [connection('ada'), connection('alan')], streams: [stream('ada-cam', 'ada'), stream('alan-cam', 'alan')] };

/** Serves connect with "connected" plus fields, and answers every subscribe. */
function serve(fields) {
  FakeSocket.server = (socket, m) => {
    if (m.type === 'connect') socket.receive({ type: 'connected', connectionId: 'me', connection: connection('me'), resumeKey: 'k', resumeWithin: 5000, ...others, ...fields(m) });
    if (m.type === 'subscribe') socket.receive({ type: 'subscribed', id: m.id, streamId: m.streamId });
  };
}

function connect(session) {
  return new Promise((resolve, reject) => session.connect('token', (err) => (err ? reject(err) : resolve())));
}

/** Subscribes to each stream and records the 'connected' and 'disconnected' each subscriber emits. */
function subscribeAll(session) {
  const heard = {};
  for (const s of session._streams.values()) {
    heard[s.streamId] = [];
    const sub = session.subscribe(s, () => {});
    sub.on('connected disconnected', (e) => heard[s.streamId].push(e.type));
  }
  return heard;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 10));

test('a joiner subscribing to someone who is away starts disconnected, until they resume', async () => {
  serve(() => ({ interrupted: ['alan'] }));
  const session = new Session('key', 'room');
  await connect(session);
  const heard = subscribeAll(session);
  await tick();
  assert.deepEqual(heard, { 'ada-cam': [], 'alan-cam': ['disconnected'] });

  FakeSocket.last.receive({ type: 'connectionResumed', connectionId: 'alan' });
  assert.deepEqual(heard['alan-cam'], ['disconnected', 'connected']);
  const later = subscribeAll(session);
  await tick();
  assert.deepEqual(later, { 'ada-cam': [], 'alan-cam': [] }, 'nobody is away any more');
  session.disconnect();
});

test('after our own resume, only those still away are disconnected', async () => {
  serve((m) => (m.resumeKey ? { resumed: true, interrupted: ['alan'] } : {}));
  const session = new Session('key', 'room');
  await connect(session);
  const heard = subscribeAll(session);
  await tick();
  FakeSocket.last.receive({ type: 'connectionInterrupted', connectionId: 'ada' });
  FakeSocket.last.receive({ type: 'connectionInterrupted', connectionId: 'alan' });
  assert.deepEqual(heard, { 'ada-cam': ['disconnected'], 'alan-cam': ['disconnected'] });

  // We drop too; meanwhile Ada comes back, which we cannot hear.
  const reconnected = new Promise((resolve) => session.once('sessionReconnected', resolve));
  FakeSocket.last.drop();
  await reconnected;
  assert.deepEqual(heard, { 'ada-cam': ['disconnected', 'connected'], 'alan-cam': ['disconnected', 'disconnected'] });

  FakeSocket.last.receive({ type: 'connectionResumed', connectionId: 'alan' });
  assert.deepEqual(heard['alan-cam'], ['disconnected', 'disconnected', 'connected']);
  session.disconnect();
});
