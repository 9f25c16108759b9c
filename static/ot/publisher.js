// OpenTok's Publisher: the camera and microphone, shown on the page, and
// once published, sent encrypted to the session.
import { Emitter } from './events.js';
import { codes, otError } from './errors.js';
import { mediaElement, randomId } from './media.js';

export class Publisher extends Emitter {
  /**
   * @param {HTMLElement|string} target
   * @param {{name?: string, publishAudio?: boolean, publishVideo?: boolean, insertMode?: string}} properties
   * @param {(error?: Error) => void} [callback]
   */
  constructor(target, properties = {}, callback = undefined) {
    super();
    this.id = `OT_${randomId()}`;
    this.name = properties.name ?? '';
    this.stream = null;
    this.session = null;
    this.accessAllowed = false;
    this._audio = properties.publishAudio ?? true;
    this._video = properties.publishVideo ?? true;
    const { container, video } = mediaElement('OT_publisher', target, properties.insertMode, true);
    this.element = container;
    this._videoElement = video;
    this._media = null;
    this._pc = null;
    this._pcId = '';
    this._ready = this.#getMedia();
    this._ready.then(() => callback?.(), (err) => callback?.(err));
  }

  /** The camera and microphone; a ScreenPublisher (screen.js) captures a screen instead. */
  _openMedia() {
    return navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
  }

  async #getMedia() {
    try {
      this._media = await this._openMedia();
    } catch (e) {
      if (e.name?.startsWith('OT_')) throw e;
      this.emit('accessDenied', { message: e.message });
      throw otError('OT_USER_MEDIA_ACCESS_DENIED', codes.UNABLE_TO_PUBLISH,
        `Publisher Access Denied: Permission Denied: ${e.message || 'the camera or microphone could not be used'}`);
    }
    this.accessAllowed = true;
    this.emit('accessAllowed');
    this._media.getAudioTracks().forEach((t) => { t.enabled = this._audio; });
    this._media.getVideoTracks().forEach((t) => { t.enabled = this._video; });
    this._videoElement.srcObject = this._media;
    this.emit('videoElementCreated', { element: this._videoElement });
  }

  /** Turns the microphone on or off; the others learn it from streamPropertyChanged. */
  publishAudio(value) {
    this._audio = !!value;
    this._media?.getAudioTracks().forEach((t) => { t.enabled = this._audio; });
    this.session?._streamProperty(this, 'hasAudio', this._audio);
    return this;
  }

  /** Turns the camera on or off. */
  publishVideo(value) {
    this._video = !!value;
    this._media?.getVideoTracks().forEach((t) => { t.enabled = this._video; });
    this.session?._streamProperty(this, 'hasVideo', this._video);
    return this;
  }

  /** The microphone's MediaStreamTrack, or null, as OpenTok's getAudioSource. */
  getAudioSource() {
    return this._media?.getAudioTracks()[0] ?? null;
  }

  /** Stops the camera and microphone and removes the element. */
  destroy() {
    this.session?.unpublish(this);
    this._media?.getTracks().forEach((t) => t.stop());
    this.element.remove();
    this.emit('destroyed', { reason: 'unpublished' });
    this.off();
    return this;
  }

  _published(session, pcId, pc, stream) {
    this.session = session;
    this._pcId = pcId;
    this._pc = pc;
    this.stream = stream;
    this.emit('streamCreated', { stream });
  }

  _unpublished(reason) {
    const stream = this.stream;
    this._pc?.close();
    this._pc = null;
    this.stream = null;
    this.session = null;
    if (stream) this.emit('streamDestroyed', { stream, reason });
  }
}
