import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Peer, freshSendParameters } from '../ot/peer.js';
import { screenSendParameters } from '../ot/screen.js';

// A stand-in for the browser's RTCPeerConnection: an offer's SDP here is
// just its mids, and each mid gets a transceiver the first time.
class FakeSender {
  constructor() {
    this.track = null;
    this.params = { transactionId: 't', encodings: [{ active: true }] };
  }

  async replaceTrack(track) { this.track = track; }

  setStreams() {}

  getParameters() { return structuredClone(this.params); }

  async setParameters(params) { this.params = params; }
}

class FakePeerConnection {
  constructor() { this.transceivers = []; }

  async setRemoteDescription({ sdp }) {
    for (const mid of sdp.split(' ')) {
      if (!this.transceivers.some((t) => t.mid === mid)) this.transceivers.push({ mid, direction: 'recvonly', sender: new FakeSender() });
    }
  }

  getTransceivers() { return this.transceivers; }

  async createAnswer() { return { type: 'answer', sdp: this.transceivers.map((t) => `${t.mid}:${t.direction}`).join(' ') }; }

  async setLocalDescription(description) { this.localDescription = description; }

  close() {}
}
globalThis.RTCPeerConnection = FakePeerConnection;

const publisherOf = (...kinds) => {
  const tracks = kinds.map((kind) => ({ kind }));
  return { tracks, _media: { getTracks: () => tracks } };
};

function newPeer() {
  const sent = [];
  return { peer: new Peer({ send: (m) => sent.push(m) }, null), sent };
}

test('a publication sends on the transceivers its offer names, and only once it is published', async () => {
  const { peer, sent } = newPeer();
  const camera = publisherOf('audio', 'video');
  peer.publish('p1', camera);
  await peer.answer({ sdp: '0 1 2', publications: [{ pc: 'p1', audioMid: '1', videoMid: '2' }] });
  const [other, audio, video] = peer.pc.getTransceivers();
  assert.equal(sent.at(-1).sdp, '0:recvonly 1:sendonly 2:sendonly', 'the answer sends on mids 1 and 2 only');
  assert.equal(audio.sender.track, null, 'no media before "published": the server would drop it for good');
  assert.equal(video.sender.track, null);

  const senders = await peer.start('p1');
  assert.deepEqual(senders, [audio.sender, video.sender]);
  assert.equal(audio.sender.track, camera.tracks[0]);
  assert.equal(video.sender.track, camera.tracks[1]);
  assert.equal(other.sender.track, null);
});

test('an ended publication stops, and its transceivers go to the next without its limits', async () => {
  const { peer, sent } = newPeer();
  const screen = publisherOf('video');
  peer.publish('p1', screen);
  await peer.answer({ sdp: '0 1', publications: [{ pc: 'p1', audioMid: '0', videoMid: '1' }] });
  await peer.start('p1');
  const video = peer.pc.getTransceivers()[1];
  video.sender.params = screenSendParameters(video.sender.params);

  peer.unpublish('p1');
  assert.equal(video.sender.track, null, 'it stops at once');
  await peer.answer({ sdp: '0 1', publications: [] });
  assert.equal(sent.at(-1).sdp, '0:inactive 1:inactive');

  const camera = publisherOf('audio', 'video');
  peer.publish('p2', camera);
  await peer.answer({ sdp: '0 1', publications: [{ pc: 'p2', audioMid: '0', videoMid: '1' }] });
  await peer.start('p2');
  assert.equal(video.sender.track, camera.tracks[1]);
  assert.equal(video.sender.params.degradationPreference, 'balanced');
  assert.equal(video.sender.params.encodings[0].maxFramerate, undefined, "not the screen's frame rate");
  assert.equal(video.sender.params.encodings[0].maxBitrate, undefined);
});

test('fresh send parameters keep what the browser set', () => {
  const p = freshSendParameters({ transactionId: 't1', degradationPreference: 'maintain-resolution', encodings: [{ active: true, maxFramerate: 15 }] });
  assert.deepEqual(p, { transactionId: 't1', degradationPreference: 'balanced', encodings: [{ active: true }] });
});
