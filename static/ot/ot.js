// window.OT for the embedded backend: the part of OpenTok.js 2.35 that
// e2eecall uses, with OpenTok's names, arguments, events and errors, and
// real end-to-end encryption (SFrame, RFC 9605) of every frame.
import { hasEndToEndEncryptionSupport } from './encryption.js';
import { getActiveAudioOutputDevice, getAudioOutputDevices, getDevices, setAudioOutputDevice } from './devices.js';
import { Publisher } from './publisher.js';
import { ScreenPublisher, checkScreenSharingCapability } from './screen.js';
import { Session } from './session.js';

const sessions = new Map();

globalThis.OT = {
  version: 'e2eecall-local',

  hasEndToEndEncryptionSupport,
  getDevices,
  getAudioOutputDevices,
  setAudioOutputDevice,
  getActiveAudioOutputDevice,

  /**
   * Returns the Session for sessionId. As OpenTok.js does, it keeps one per
   * session id, and a second call ignores its options: change the secret
   * with session.setEncryptionSecret.
   */
  initSession(apiKey, sessionId, options) {
    if (!sessions.has(sessionId)) sessions.set(sessionId, new Session(apiKey, sessionId, options));
    return sessions.get(sessionId);
  },

  /**
   * initPublisher(target, properties, callback); target and properties are
   * optional. properties.videoSource 'screen' shares a screen (screen.js).
   */
  initPublisher(target, properties, callback) {
    if (typeof target === 'function') [target, properties, callback] = [undefined, undefined, target];
    if (typeof properties === 'function') [properties, callback] = [undefined, properties];
    if (properties?.videoSource === 'screen') return new ScreenPublisher(target, properties, callback);
    return new Publisher(target, properties, callback);
  },

  checkScreenSharingCapability,

  /** Frames encrypted and decrypted, and the microseconds spent, in every session: for benchmarks. */
  async _encryptionStats() {
    const all = await Promise.all([...sessions.values()].map((s) => s._encryptionStats()));
    return all.filter(Boolean);
  },
};
