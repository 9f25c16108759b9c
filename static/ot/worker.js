// The encryption worker: it encrypts every frame a publisher sends and
// decrypts every frame a subscriber receives, with RTCRtpScriptTransform or,
// as the fallback, streams from createEncodedStreams. It holds the derived
// base key, never the secret. Per subscriber it reports "mismatch" and
// "match" to the page as OpenTok.js's Subscriber events. Its messages are
// described in worker-protocol.js.
import { clearBytes, deriveKeyAndSalt, openFrame, sealFrame } from './sframe.js';
import { DecryptMonitor } from './monitor.js';
import { FORGET, KEY, MATCH, STATS, STREAM } from './worker-protocol.js';

const MAX_CACHED_KEYS = 64;

/** @type {Uint8Array|null} */
let baseKey = null;
/** @type {Map<bigint, Promise<{key: CryptoKey, salt: Uint8Array}>>} each sender's key and nonce salt, by key id */
let keys = new Map();
/** @type {Map<string, DecryptMonitor>} by receiver key, for its current subscriber */
const monitors = new Map();
/** @type {Map<string, {sendKeyFrameRequest(): Promise<void>}>} video receivers by receiver key */
const videoReceivers = new Map();
/** @type {import('./worker-protocol.js').Counters} */
const stats = {
  encrypt: { frames: 0, micros: 0 },
  decrypt: { frames: 0, micros: 0, failed: 0 },
};

function keyFor(kid) {
  if (!keys.has(kid)) {
    if (keys.size >= MAX_CACHED_KEYS) keys = new Map();
    keys.set(kid, deriveKeyAndSalt(baseKey, kid));
  }
  return keys.get(kid);
}

/** @param {{data: import('./worker-protocol.js').PageMessage}} event */
self.onmessage = ({ data }) => {
  switch (data.type) {
    case KEY:
      baseKey = data.baseKey;
      keys = new Map();
      requestKeyFrames(); // the new key may decrypt what the old one could not
      break;
    case STREAM:
      pipe(data.readable, data.writable, data.options, null);
      break;
    case FORGET:
      monitors.delete(data.id);
      break;
    case STATS:
      self.postMessage({ type: STATS, stats });
      break;
  }
};

self.onrtctransform = ({ transformer }) => {
  pipe(transformer.readable, transformer.writable, transformer.options, transformer);
};

function pipe(readable, writable, options, transformer) {
  const transform = options.operation === 'encode' ? encoder(options.kind) : decoder(options.kind, options.id, transformer);
  readable.pipeThrough(new TransformStream({ transform })).pipeTo(writable).catch(() => {
    // the peer connection closed
  });
}

function encoder(kind) {
  // Everyone shares the secret, so each sender uses its own key id: its
  // (key, nonce) pairs never repeat another sender's.
  const kid = BigInt(self.crypto.getRandomValues(new Uint32Array(1))[0]) + 8n;
  let ctr = 0n;
  return async (frame, controller) => {
    if (!baseKey) return; // never send media in the clear
    const start = performance.now();
    const data = new Uint8Array(frame.data);
    const sealed = await sealFrame(await keyFor(kid), kid, ctr++, data, clearBytes(kind, frame.type === 'key'), kind);
    frame.data = sealed.buffer;
    stats.encrypt.frames++;
    stats.encrypt.micros += (performance.now() - start) * 1000;
    controller.enqueue(frame);
  };
}

function decoder(kind, id, transformer) {
  if (kind === 'video' && transformer) videoReceivers.set(id, transformer);
  return async (frame, controller) => {
    const data = new Uint8Array(frame.data);
    const clear = clearBytes(kind, frame.type === 'key');
    if (data.length <= clear) {
      controller.enqueue(frame); // too short to carry media: sent as it is
      return;
    }
    const start = performance.now();
    let opened = null;
    if (baseKey) {
      try {
        opened = await openFrame(keyFor, data, clear, kind);
      } catch {
        opened = null; // wrong key, or not encrypted with ours: drop it
      }
    }
    if (!monitors.has(id)) monitors.set(id, new DecryptMonitor());
    const event = monitors.get(id).record(opened !== null);
    if (event) {
      self.postMessage({ type: event, id });
      if (event === MATCH) requestKeyFrame(id);
    }
    if (opened === null) {
      stats.decrypt.failed++;
      return;
    }
    frame.data = opened.buffer;
    stats.decrypt.frames++;
    stats.decrypt.micros += (performance.now() - start) * 1000;
    controller.enqueue(frame);
  };
}

function requestKeyFrame(id) {
  videoReceivers.get(id)?.sendKeyFrameRequest?.().catch(() => {});
}

function requestKeyFrames() {
  for (const id of videoReceivers.keys()) requestKeyFrame(id);
}
