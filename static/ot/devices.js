// Cameras, microphones and speakers, as OpenTok.js exposes them:
// OT.getDevices, OT.getAudioOutputDevices, OT.setAudioOutputDevice,
// OT.getActiveAudioOutputDevice, the getUserMedia errors OpenTok maps
// browsers' errors to, and the microphone level behind a publisher's
// audioLevelUpdated event.
import { codes, otError } from './errors.js';

const kinds = { audioinput: 'audioInput', videoinput: 'videoInput', audiooutput: 'audioOutput' };

async function mediaDevices() {
  if (typeof navigator.mediaDevices?.enumerateDevices !== 'function') {
    throw new Error('This browser does not support enumerateDevices APIs');
  }
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices.map((d) => ({ deviceId: d.deviceId, label: d.label, kind: kinds[d.kind] }));
}

/**
 * The cameras and microphones: [{kind: 'audioInput'|'videoInput', deviceId, label}].
 * Labels are empty until the person has allowed a camera or microphone.
 * @param {(error?: Error, devices?: object[]) => void} [callback]
 * @returns {Promise<object[]>}
 */
export function getDevices(callback) {
  const promise = mediaDevices().then((all) => all.filter((d) => d.kind === 'audioInput' || d.kind === 'videoInput'));
  if (typeof callback === 'function') {
    promise.then((devices) => callback(undefined, devices), (err) => callback(err));
    promise.catch(() => {});
  }
  return promise;
}

/** The speakers and headphones: [{deviceId, label}]. */
export async function getAudioOutputDevices() {
  return (await mediaDevices()).filter((d) => d.kind === 'audioOutput').map(({ deviceId, label }) => ({ deviceId, label }));
}

const hasAudioOutputSupport = () => typeof HTMLMediaElement !== 'undefined' &&
  'setSinkId' in HTMLMediaElement.prototype && navigator.mediaDevices && 'ondevicechange' in navigator.mediaDevices;

let audioOutput = '';
let observer = null;

/** Plays every subscriber's audio, now and later, on the device. */
export async function setAudioOutputDevice(deviceId) {
  if (!hasAudioOutputSupport()) {
    throw otError('OT_UNSUPPORTED_BROWSER', undefined, 'setAudioOutputDevice is not supported in your browser.');
  }
  const devices = await getAudioOutputDevices();
  if (!devices.some((d) => d.deviceId === deviceId)) {
    throw otError('OT_INVALID_AUDIO_OUTPUT_SOURCE', undefined, 'The requested device is not valid.');
  }
  try {
    await Promise.all([...document.querySelectorAll('.OT_subscriber audio')].map((a) => a.setSinkId(deviceId)));
  } catch {
    throw otError('OT_REQUESTED_DEVICE_PERMISSION_DENIED', undefined, 'No permission to use the requested device.');
  }
  audioOutput = deviceId;
  // Subscribers that come later play on it too.
  observer ??= new MutationObserver((records) => {
    for (const r of records) {
      for (const node of r.addedNodes) {
        if (!(node instanceof Element)) continue;
        const players = node.matches('.OT_subscriber audio') ? [node] : node.querySelectorAll('.OT_subscriber audio');
        for (const a of players) a.setSinkId(audioOutput).catch(() => {});
      }
    }
  });
  observer.observe(document.body, { childList: true, subtree: true });
}

/** The speaker setAudioOutputDevice chose, or the browser's default: {deviceId, label}. */
export async function getActiveAudioOutputDevice() {
  const devices = await getAudioOutputDevices();
  const active = devices.find((d) => d.deviceId === (audioOutput || 'default')) ?? devices[0];
  return active ?? { deviceId: null, label: null };
}

const gumErrors = {
  NotAllowedError: ['OT_USER_MEDIA_ACCESS_DENIED', 'End-user denied permission to hardware devices'],
  SecurityError: ['OT_USER_MEDIA_ACCESS_DENIED', 'End-user denied permission to hardware devices or user media support may be disabled on this page'],
  NotFoundError: ['OT_NO_DEVICES_FOUND', 'No voice or video input devices are available on this machine.'],
  NotReadableError: ['OT_HARDWARE_UNAVAILABLE', 'The selected voice or video devices are unavailable. Verify that the chosen devices are not in use by another application.'],
  OverconstrainedError: ['OT_CONSTRAINTS_NOT_SATISFIED', "It's not possible to satisfy one or more constraints passed into the getUserMedia function"],
  TypeError: ['OT_CONSTRAINTS_NOT_SATISFIED', "It's not possible to satisfy one or more constraints passed into the getUserMedia function"],
  AbortError: ['OT_UNABLE_TO_CAPTURE_MEDIA', 'Unable to capture media. Unknown error occurred'],
};

/**
 * getUserMedia's error as OpenTok's initPublisher gives it: its name, code
 * 1500, and OpenTok's message (with "OT.Publisher Access Denied: Permission
 * Denied:" in front when the person or the browser said no).
 */
export function userMediaError(err) {
  const [name, message] = gumErrors[err?.name] ?? ['OT_MEDIA_ERR_ABORTED', `Unknown error while getting user media: ${err?.name}`];
  const text = `${message} (getUserMedia error: ${err?.name})`;
  if (name === 'OT_USER_MEDIA_ACCESS_DENIED') {
    return otError(name, codes.UNABLE_TO_PUBLISH, `OT.Publisher Access Denied: Permission Denied: ${text}`);
  }
  return otError(name, codes.UNABLE_TO_PUBLISH, text);
}

/** The camera's constraints: 640x480, on a chosen device if any. */
export function videoConstraints(deviceId) {
  const c = { width: 640, height: 480 };
  if (typeof deviceId === 'string' && deviceId) c.deviceId = { exact: deviceId };
  return c;
}

export function audioConstraints(deviceId) {
  return typeof deviceId === 'string' && deviceId ? { deviceId: { exact: deviceId } } : true;
}

/** Whether a source property asks for no device: null or false (OpenTok's audio- or video-only). */
export function isNoSource(source) {
  return source === null || source === false;
}

/**
 * The level of a microphone track, 0 to 1 (the peak amplitude of the last
 * samples, linear as OpenTok's audioLevel), read every interval ms from a
 * WebAudio AnalyserNode and passed to onLevel.
 */
export class LevelMeter {
  #context = null;
  #timer = 0;
  #resume = null;

  /**
   * @param {MediaStreamTrack} track
   * @param {(level: number) => void} onLevel
   * @param {number} [interval]
   */
  constructor(track, onLevel, interval = 80) {
    const AudioContextClass = globalThis.AudioContext ?? globalThis.webkitAudioContext;
    if (!AudioContextClass) return;
    const context = new AudioContextClass();
    this.#context = context;
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    this.#timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      let peak = 0;
      for (const s of samples) peak = Math.max(peak, Math.abs(s));
      // Linear, as OpenTok's audioLevel: the UI puts it on a log scale.
      onLevel(Math.min(1, peak));
    }, interval);
    // A page may not start audio before the person interacts with it.
    if (context.state === 'suspended') {
      this.#resume = () => context.resume();
      context.resume().catch(() => {});
      document.addEventListener('pointerdown', this.#resume, { once: true });
      document.addEventListener('keydown', this.#resume, { once: true });
    }
  }

  stop() {
    clearInterval(this.#timer);
    if (this.#resume) {
      document.removeEventListener('pointerdown', this.#resume);
      document.removeEventListener('keydown', this.#resume);
    }
    this.#context?.close().catch(() => {});
    this.#context = null;
  }
}
