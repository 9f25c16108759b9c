// The one peer connection that brings the page every stream it subscribes
// to. The server adds and removes tracks and offers each change; the page
// answers (server/local/protocol.go). Each subscription's tracks carry its
// stream id as their MediaStream id, which is how they find their Subscriber.

export class Downlink {
  /** @param {import('./signaling.js').Signaling} signaling */
  constructor(signaling) {
    this.signaling = signaling;
    this.pc = null;
    /** @type {Map<string, import('./subscriber.js').Subscriber>} by stream id */
    this.subscribers = new Map();
  }

  /** Routes the tracks of subscriber's stream to it from the next offer on. */
  add(subscriber) {
    this.subscribers.set(subscriber.stream.streamId, subscriber);
  }

  remove(subscriber) {
    if (this.subscribers.get(subscriber.stream.streamId) === subscriber) {
      this.subscribers.delete(subscriber.stream.streamId);
    }
  }

  /** Answers the server's offer. The server sends the next one only after this answer. */
  async answer(sdp) {
    const pc = this.#connection();
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    this.signaling.send({ type: 'answer', sdp: pc.localDescription.sdp });
  }

  close() {
    this.pc?.close();
    this.pc = null;
    this.subscribers.clear();
  }

  #connection() {
    if (this.pc) return this.pc;
    const pc = new RTCPeerConnection({});
    pc.ontrack = ({ track, receiver, transceiver, streams }) => {
      this.subscribers.get(streams[0]?.id)?._addTrack(track, receiver, transceiver.mid);
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) this.signaling.send({ type: 'candidate', candidate: candidate.toJSON() });
    };
    this.pc = pc;
    return pc;
  }
}
