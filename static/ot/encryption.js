// The page's side of end-to-end encryption: it derives the session's base
// key from the secret and hands it to the encryption worker, and attaches
// the worker to every sender and receiver.
// Its messages to and from the worker are described in worker-protocol.js.
import { deriveBaseKey } from './sframe.js';
import { FORGET, KEY, STATS, STREAM } from './worker-protocol.js';

/** Whether this browser can transform encoded frames (and is not Firefox, which OpenTok.js excludes). */
export function hasEndToEndEncryptionSupport() {
  if (/firefox/i.test(globalThis.navigator?.userAgent ?? '')) return false;
  return typeof globalThis.RTCRtpScriptTransform !== 'undefined' ||
    (typeof globalThis.RTCRtpSender !== 'undefined' && 'createEncodedStreams' in RTCRtpSender.prototype);
}

export class Encryption {
  /** @param {string} sessionId the PBKDF2 salt */
  constructor(sessionId) {
    this.sessionId = sessionId;
    this.worker = null;
    /** @type {Map<string, (event: 'mismatch'|'match') => void>} by receiver key */
    this.listeners = new Map();
    /** @type {WeakSet<RTCRtpReceiver>} receivers with the decrypting transform attached */
    this.decrypting = new WeakSet();
    this.pendingStats = [];
  }

  #start() {
    if (this.worker) return;
    this.worker = new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'encryption-engine' });
    this.worker.onmessage = ({ data }) => {
      if (data.type === STATS) {
        this.pendingStats.splice(0).forEach((resolve) => resolve(data.stats));
        return;
      }
      this.listeners.get(data.id)?.(data.type);
    };
  }

  /** Derives the key for secret and makes it the one used, for sending and receiving, at once. */
  async setSecret(secret) {
    this.#start();
    const baseKey = await deriveBaseKey(secret, this.sessionId);
    this.worker.postMessage({ type: KEY, baseKey }, [baseKey.buffer]);
  }

  /** Encrypts what sender sends. */
  encrypt(sender, kind) {
    this.#attach(sender, { operation: 'encode', kind });
  }

  /**
   * Decrypts what receiver receives, reporting mismatch and match to
   * listener. The transform is attached once; a receiver the peer connection
   * reuses for another subscription only gets the new listener.
   * @param {string} key names the receiver for its whole life
   */
  decrypt(receiver, kind, key, listener) {
    this.listeners.set(key, listener);
    if (this.decrypting.has(receiver)) return;
    this.decrypting.add(receiver);
    this.#attach(receiver, { operation: 'decode', kind, id: key });
  }

  /** The receiver's subscriber is gone: its next frames start a fresh mismatch count for the next one. */
  forget(key) {
    this.listeners.delete(key);
    this.worker?.postMessage({ type: FORGET, id: key });
  }

  /** Frames processed and microseconds spent, per direction. */
  stats() {
    if (!this.worker) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.pendingStats.push(resolve);
      this.worker.postMessage({ type: STATS });
    });
  }

  #attach(endpoint, options) {
    this.#start();
    if (typeof RTCRtpScriptTransform !== 'undefined') {
      endpoint.transform = new RTCRtpScriptTransform(this.worker, options);
      return;
    }
    const { readable, writable } = endpoint.createEncodedStreams();
    this.worker.postMessage({ type: STREAM, readable, writable, options }, [readable, writable]);
  }
}
