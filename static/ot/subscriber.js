// OpenTok's Subscriber: one remote stream, decrypted and shown on the page.
// Its tracks arrive on the session's peer connection (peer.js).
import { Emitter } from './events.js';
import { unwatchAudioLevel, watchAudioLevel } from './levels.js';
import { mediaElement, randomId } from './media.js';
import { SubscriberDecryption } from './monitor.js';

export class Subscriber extends Emitter {
  constructor(session, stream, target, properties = {}) {
    super();
    this.id = `OT_${randomId()}`;
    this.session = session;
    this.stream = stream;
    const { container, video } = mediaElement('OT_subscriber', target, properties.insertMode, true);
    // The audio plays from an element of its own: a <video> whose stream has
    // a video track that never brings a frame (a publisher without a camera)
    // never starts playing, and its audio, which WebRTC only decodes while
    // something plays it, would be silent.
    const audio = document.createElement('audio');
    audio.autoplay = true;
    container.append(audio);
    this.element = container;
    this._videoElement = video;
    this._audioElement = audio;
    this._media = new MediaStream();
    this._audio = properties.subscribeToAudio ?? true;
    this._video = properties.subscribeToVideo ?? true;
    this._id = '';
    this._encryption = null;
    this._decryption = new SubscriberDecryption();
    /** @type {Map<string, {receiver: RTCRtpReceiver, key: string}>} by kind */
    this._receivers = new Map();
    this._arrival = null;
    this._destroyed = false;
  }

  subscribeToAudio(value) {
    this._audio = !!value;
    this._audioElement.muted = !this._audio;
    return this;
  }

  subscribeToVideo(value) {
    this._video = !!value;
    this._media.getVideoTracks().forEach((t) => { t.enabled = this._video; });
    return this;
  }

  /**
   * Asks the server for the stream; its tracks arrive on the session's peer connection.
   * @param {import('./signaling.js').Signaling} signaling
   * @param {import('./peer.js').Peer} peer
   * @param {import('./encryption.js').Encryption|null} encryption
   * @param {string} id the subscription's id in the protocol
   */
  async _start(signaling, peer, encryption, id) {
    this._id = id;
    this._peer = peer;
    this._encryption = encryption;
    watchAudioLevel(this);
    const arrived = new Promise((resolve, reject) => { this._arrival = { resolve, reject }; });
    peer.add(this);
    await signaling.request(
      { type: 'subscribe', id, streamId: this.stream.streamId, encrypted: !!encryption },
      (m) => m.type === 'subscribed' && m.id === id,
      (m) => m.id === id);
    await arrived;
    this._audioElement.muted = !this._audio;
    this.emit('videoElementCreated', { element: this._videoElement });
  }

  /** Takes one of the stream's tracks from the peer connection; a reused receiver brings a track again. */
  _addTrack(track, receiver, mid) {
    if (this._destroyed) return;
    const key = `r${mid}`;
    this._receivers.set(track.kind, { receiver, key });
    this._encryption?.decrypt(receiver, track.kind, key, (event) => this.#encryptionEvent(track.kind, event));
    if (track.kind === 'video') track.enabled = this._video;
    for (const old of this._media.getTracks()) {
      if (old.kind === track.kind) this._media.removeTrack(old);
    }
    this._media.addTrack(track);
    const element = track.kind === 'audio' ? this._audioElement : this._videoElement;
    element.srcObject = new MediaStream([track]);
    if (this._receivers.has('audio') && this._receivers.has('video')) this._arrival?.resolve();
  }

  /** The receiver of the stream's decrypted audio, or null before it arrives. */
  _audioReceiver() {
    return this._receivers.get('audio')?.receiver ?? null;
  }

  /** A track's monitor fired trackEvent; the subscriber fires an event only when its own state changes. */
  #encryptionEvent(kind, trackEvent) {
    const event = this._decryption.record(kind, trackEvent);
    if (event === 'mismatch') {
      console.warn('Media cannot be decrypted due to an encryption secret mismatch.');
      this.emit('encryptionSecretMismatch');
    } else if (event === 'match') {
      this.emit('encryptionSecretMatch');
    }
  }

  /**
   * Removes the subscriber. The tracks belong to the peer connection, which reuses
   * their receivers for later subscriptions, so they are not stopped.
   */
  _destroy(reason) {
    if (this._destroyed) return;
    this._destroyed = true;
    unwatchAudioLevel(this);
    this._arrival?.reject(new Error('the subscriber was destroyed'));
    for (const { key } of this._receivers.values()) this._encryption?.forget(key);
    this._videoElement.srcObject = null;
    this._audioElement.srcObject = null;
    this.element.remove();
    this.emit('destroyed', { reason });
    this.off();
  }
}
