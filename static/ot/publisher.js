// OpenTok's Publisher: the camera and microphone, shown on the page, and
// once published, sent encrypted to the session.
import { Emitter } from './events.js';
import { codes, otError } from './errors.js';
import { mediaElement, randomId } from './media.js';
import {
  audioConstraints, getDevices, isNoSource, LevelMeter, userMediaError, videoConstraints,
} from './devices.js';

export class Publisher extends Emitter {
  /**
   * @param {HTMLElement|string} target
   * @param {{name?: string, publishAudio?: boolean, publishVideo?: boolean, insertMode?: string,
   *   audioSource?: string|boolean|null|MediaStreamTrack, videoSource?: string|boolean|null|MediaStreamTrack}} properties
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
    this._senders = []; // on the session's peer connection, once published
    this._pcId = '';
    this._meter = null;
    this._ready = this.#getMedia(properties);
    this._ready.then(() => callback?.(), (err) => callback?.(err));
  }

  /**
   * The camera and microphone asked for; a ScreenPublisher (screen.js)
   * captures a screen instead.
   */
  async _openMedia({ audioSource, videoSource }) {
    const wantAudio = !isNoSource(audioSource);
    const wantVideo = !isNoSource(videoSource);
    if (!wantAudio && !wantVideo) {
      throw otError('OT_INVALID_PARAMETER', codes.INVALID_PARAMETER, 'You cannot specify both audioSource and videoSource as null or false');
    }
    const given = [audioSource, videoSource].filter((source) => source instanceof MediaStreamTrack);
    const audio = wantAudio && !(audioSource instanceof MediaStreamTrack) && audioConstraints(audioSource);
    const video = wantVideo && !(videoSource instanceof MediaStreamTrack) && videoConstraints(videoSource);
    const asked = audio || video ? await navigator.mediaDevices.getUserMedia({ audio, video }) : new MediaStream();
    return new MediaStream([...asked.getTracks(), ...given]);
  }

  async #getMedia(properties) {
    try {
      this._media = await this._openMedia(properties);
    } catch (e) {
      if (e.name?.startsWith('OT_')) throw e;
      const err = userMediaError(e);
      if (err.name === 'OT_USER_MEDIA_ACCESS_DENIED') this.emit('accessDenied', { message: err.message });
      throw err;
    }
    // A stream has only what was captured: an audio-only publisher has no video.
    this._audio &&= this._media.getAudioTracks().length > 0;
    this._video &&= this._media.getVideoTracks().length > 0;
    this.accessAllowed = true;
    this.emit('accessAllowed');
    this._media.getAudioTracks().forEach((t) => { t.enabled = this._audio; });
    this._media.getVideoTracks().forEach((t) => { t.enabled = this._video; });
    this._media.getTracks().forEach((t) => this.#watch(t));
    this.#meter();
    this._videoElement.srcObject = this._media;
    this.emit('videoElementCreated', { element: this._videoElement });
  }

  /** A track that ends on its own (the device unplugged or taken) is mediaStopped. */
  #watch(track) {
    track.addEventListener('ended', () => {
      if (this._media?.getTracks().includes(track)) this._trackEnded(track);
    });
  }

  /** What a track that ended on its own does; a shared screen ends its stream (screen.js). */
  _trackEnded(track) {
    this.emit('mediaStopped', { track });
  }

  /** audioLevelUpdated every 80 ms from the microphone, while there is one. */
  #meter() {
    this._meter?.stop();
    this._meter = null;
    const track = this._media?.getAudioTracks()[0];
    if (track) this._meter = new LevelMeter(track, (audioLevel) => this.emit('audioLevelUpdated', { audioLevel }));
  }

  /** The microphone's track, or null for a publisher without one. */
  getAudioSource() {
    return this._media?.getAudioTracks()[0] ?? null;
  }

  /** The camera: {deviceId, type: 'camera' or null without video, track: null while video is off}. */
  getVideoSource() {
    const track = this._media?.getVideoTracks()[0] ?? null;
    return {
      deviceId: track?.getSettings().deviceId ?? null,
      type: track ? 'camera' : null,
      track: track && this._video ? track : null,
    };
  }

  /**
   * Switches to another camera, by device id, without leaving the session:
   * the sender keeps its encryption and sends the new camera's frames.
   * @param {string} videoSourceId
   */
  async setVideoSource(videoSourceId) {
    const invalid = () => otError('OT_INVALID_VIDEO_SOURCE', 1041, 'Invalid video source. Video source must be a valid video input deviceId');
    if (typeof videoSourceId !== 'string') throw invalid();
    await this._ready.catch(() => {});
    const old = this._media?.getVideoTracks()[0];
    if (!old) throw otError('OT_SET_VIDEO_SOURCE_FAILURE', 1040, 'You cannot reset the video source on a publisher that does not currently use a camera source.');
    const devices = await getDevices();
    if (!devices.some((d) => d.kind === 'videoInput' && d.deviceId === videoSourceId)) throw invalid();
    if (old.getSettings().deviceId === videoSourceId) return undefined;
    const media = await navigator.mediaDevices.getUserMedia({ video: videoConstraints(videoSourceId) }).catch((e) => { throw userMediaError(e); });
    await this.#replace(old, media.getVideoTracks()[0], this._video);
    return undefined;
  }

  /**
   * Switches to another microphone: a device id or a MediaStreamTrack.
   * @param {string|MediaStreamTrack} audioSource
   */
  async setAudioSource(audioSource) {
    await this._ready.catch(() => {});
    const old = this.getAudioSource();
    if (!old) throw otError('OT_NOT_SUPPORTED', undefined, 'Publisher#setAudioSource cannot add an audio source when you started without one.');
    let track;
    if (audioSource instanceof MediaStreamTrack) {
      track = audioSource;
    } else if (typeof audioSource === 'string') {
      if (old.getSettings().deviceId === audioSource) return undefined;
      const media = await navigator.mediaDevices.getUserMedia({ audio: audioConstraints(audioSource) }).catch((e) => { throw userMediaError(e); });
      track = media.getAudioTracks()[0];
    } else {
      throw otError('OT_INVALID_PARAMETER', codes.INVALID_PARAMETER, 'Invalid parameter passed to OT.Publisher.setAudioSource(). Expected string or MediaStreamTrack.');
    }
    await this.#replace(old, track, this._audio);
    this.#meter();
    const { deviceId } = track.getSettings();
    this.emit('audioInputDeviceChanged', { device: { deviceId, label: track.label } });
    return undefined;
  }

  /** Puts track where old was: in the media, on the page, and on the encrypted sender (replaceTrack keeps its transform). */
  async #replace(old, track, enabled) {
    track.enabled = enabled;
    const sender = this._senders.find((s) => s.track === old);
    if (sender) await sender.replaceTrack(track);
    this._media.removeTrack(old);
    this._media.addTrack(track);
    this.#watch(track);
    old.stop();
    this._videoElement.srcObject = this._media;
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

  /** Stops the camera and microphone and removes the element. */
  destroy() {
    this.session?.unpublish(this);
    this._meter?.stop();
    this._meter = null;
    this._media?.getTracks().forEach((t) => t.stop());
    this.element.remove();
    this.emit('destroyed', { reason: 'unpublished' });
    this.off();
    return this;
  }

  _published(session, pcId, senders, stream) {
    this.session = session;
    this._pcId = pcId;
    this._senders = senders;
    this.stream = stream;
    this.emit('streamCreated', { stream });
  }

  _unpublished(reason) {
    const stream = this.stream;
    this._senders = [];
    this.stream = null;
    this.session = null;
    if (stream) this.emit('streamDestroyed', { stream, reason });
  }
}
