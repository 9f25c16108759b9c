// The page's one peer connection: it sends every stream the page publishes
// and brings every stream it subscribes to. The server makes each change
// and offers it; the page answers (server/local/protocol.go). An offer names
// the transceivers (by mid) that each publication is sent on; each
// subscription's tracks carry its stream id as their MediaStream id, which
// is how they find their Subscriber.

export class Peer {
  /**
   * @param {import('./signaling.js').Signaling} signaling
   * @param {import('./encryption.js').Encryption|null} encryption
   */
  constructor(signaling, encryption) {
    this.signaling = signaling;
    this.encryption = encryption;
    this.pc = null;
    /** @type {Map<string, import('./subscriber.js').Subscriber>} by stream id */
    this.subscribers = new Map();
    /**
     * By pc id: the publisher, its senders by kind once an offer named them,
     * and whether the server has published it.
     * @type {Map<string, {publisher: import('./publisher.js').Publisher, senders: Map<string, RTCRtpSender>, live: boolean}>}
     */
    this.publications = new Map();
    /** @type {WeakSet<RTCRtpSender>} senders a publication has had, with the encrypting transform attached */
    this.used = new WeakSet();
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

  /** Sends publisher's media on the transceivers that the server's offers name for pcId, once it is live (start). */
  publish(pcId, publisher) {
    this.publications.set(pcId, { publisher, senders: new Map(), live: false });
  }

  /**
   * Starts sending a publication that the server published: it has the
   * answer, so it knows the SSRCs. Media that came before would be dropped
   * for good.
   * @returns {Promise<RTCRtpSender[]>} its senders
   */
  async start(pcId) {
    const publication = this.publications.get(pcId);
    if (!publication) return [];
    publication.live = true;
    for (const [kind, sender] of publication.senders) await sendTrack(sender, kind, publication.publisher);
    return [...publication.senders.values()];
  }

  /** Stops sending a publication at once; the server's next offer frees its transceivers. */
  unpublish(pcId) {
    for (const sender of this.publications.get(pcId)?.senders.values() ?? []) sender.replaceTrack(null).catch(() => {});
    this.publications.delete(pcId);
  }

  /** Answers the server's offer. The server sends the next one only after this answer. */
  async answer({ sdp, publications = [] }) {
    const pc = this.#connection();
    await pc.setRemoteDescription({ type: 'offer', sdp });
    const sending = new Set();
    for (const { pc: pcId, audioMid, videoMid } of publications) {
      const publication = this.publications.get(pcId);
      if (!publication) continue; // unpublished meanwhile: its transceivers stay silent
      for (const [kind, mid] of [['audio', audioMid], ['video', videoMid]]) {
        const transceiver = pc.getTransceivers().find((t) => t.mid === mid);
        if (!transceiver) continue;
        await this.#send(transceiver, kind, publication);
        sending.add(transceiver);
      }
    }
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.direction === 'sendonly' && !sending.has(transceiver)) {
        transceiver.direction = 'inactive'; // its publication ended
        await transceiver.sender.replaceTrack(null);
      }
    }
    await pc.setLocalDescription(await pc.createAnswer());
    this.signaling.send({ type: 'answer', sdp: pc.localDescription.sdp });
  }

  close() {
    this.pc?.close();
    this.pc = null;
    this.subscribers.clear();
    this.publications.clear();
  }

  /** Makes transceiver send the publication's track of kind, encrypted: at once if it is live. */
  async #send(transceiver, kind, publication) {
    const { sender } = transceiver;
    const reused = this.used.has(sender);
    if (!reused) {
      this.used.add(sender);
      this.encryption?.encrypt(sender, kind);
    }
    if (publication.senders.get(kind) !== sender) {
      publication.senders.set(kind, sender);
      // A sender an ended publication used keeps its limits (a screen's frame rate)
      // otherwise. Not on a new one: done before its first negotiation, the others
      // could not decrypt what it sent (seen in the e2e tests, Chromium).
      if (reused) await sender.setParameters(freshSendParameters(sender.getParameters())).catch(() => {});
    }
    sender.setStreams(publication.publisher._media);
    transceiver.direction = 'sendonly';
    if (publication.live) await sendTrack(sender, kind, publication.publisher);
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

/** Puts the publisher's track of kind, if it has one, on sender. */
async function sendTrack(sender, kind, publisher) {
  const track = publisher._media.getTracks().find((t) => t.kind === kind) ?? null;
  if (sender.track !== track) await sender.replaceTrack(track);
}

/** A sender's parameters without a publication's limits: as a new sender's. */
export function freshSendParameters(params) {
  return {
    ...params,
    degradationPreference: 'balanced',
    encodings: (params.encodings ?? []).map(({ maxFramerate, maxBitrate, ...encoding }) => encoding),
  };
}
