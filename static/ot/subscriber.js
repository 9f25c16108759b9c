// OpenTok's Subscriber: one remote stream, decrypted and shown on the page.
import { Emitter } from './events.js';
import { unwatchAudioLevel, watchAudioLevel } from './levels.js';
import { mediaElement, randomId } from './media.js';

export class Subscriber extends Emitter {
  constructor(session, stream, target, properties = {}) {
    super();
    this.id = `OT_${randomId()}`;
    this.session = session;
    this.stream = stream;
    const { container, video } = mediaElement('OT_subscriber', target, properties.insertMode, false);
    this.element = container;
    this._videoElement = video;
    this._media = new MediaStream();
    this._audio = properties.subscribeToAudio ?? true;
    this._video = properties.subscribeToVideo ?? true;
    this._pc = null;
    this._pcId = '';
    this._destroyed = false;
  }

  subscribeToAudio(value) {
    this._audio = !!value;
    this._videoElement.muted = !this._audio;
    return this;
  }

  subscribeToVideo(value) {
    this._video = !!value;
    this._media.getVideoTracks().forEach((t) => { t.enabled = this._video; });
    return this;
  }

  /** Connects the subscriber's peer connection through the session. */
  async _start(signaling, encryption, pcId) {
    this._pcId = pcId;
    const pc = new RTCPeerConnection({});
    this._pc = pc;
    watchAudioLevel(this);
    pc.ontrack = ({ track, receiver }) => {
      if (encryption) {
        encryption.decrypt(receiver, track.kind, this.id, (event) => this.#encryptionEvent(event));
      }
      if (track.kind === 'video') track.enabled = this._video;
      this._media.addTrack(track);
      this._videoElement.srcObject = this._media;
    };
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) signaling.send({ type: 'candidate', pc: pcId, candidate: candidate.toJSON() });
    };
    const offer = await signaling.request(
      { type: 'subscribe', pc: pcId, streamId: this.stream.streamId, encrypted: !!encryption },
      (m) => m.type === 'subscribed' && m.pc === pcId,
      (m) => m.pc === pcId);
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    signaling.send({ type: 'answer', pc: pcId, sdp: pc.localDescription.sdp });
    this._videoElement.muted = !this._audio;
    this.emit('videoElementCreated', { element: this._videoElement });
  }

  /** The receiver of this subscriber's audio, or null: what levels.js measures. */
  _audioReceiver() {
    return this._pc?.getReceivers().find((r) => r.track.kind === 'audio') ?? null;
  }

  #encryptionEvent(event) {
    if (event === 'mismatch') {
      console.warn('Media cannot be decrypted due to an encryption secret mismatch.');
      this.emit('encryptionSecretMismatch');
    } else if (event === 'match') {
      this.emit('encryptionSecretMatch');
    }
  }

  /** Stops and removes the subscriber. */
  _destroy(reason) {
    if (this._destroyed) return;
    this._destroyed = true;
    unwatchAudioLevel(this);
    this._pc?.close();
    this._media.getTracks().forEach((t) => t.stop());
    this.element.remove();
    this.emit('destroyed', { reason });
    this.off();
  }
}
