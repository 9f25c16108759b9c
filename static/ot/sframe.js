// SFrame (RFC 9605) with cipher suite AES_128_GCM_SHA256_128, and the key
// derivation OpenTok.js uses for a shared secret. Pure: bytes in, bytes out,
// with WebCrypto from globalThis, so it runs in the encryption worker and
// under node's test runner alike.

const subtle = globalThis.crypto.subtle;
const encoder = new TextEncoder();

/** The cipher suite: AES_128_GCM_SHA256_128. */
export const SUITE = 0x0004;
const KEY_BYTES = 16;
const NONCE_BYTES = 12;

/**
 * The base key for a session: PBKDF2 with SHA-256 and 100 000 iterations over
 * the secret, salted with the session id, as OpenTok.js derives its key.
 * @param {string} secret
 * @param {string} sessionId
 * @returns {Promise<Uint8Array>} 32 bytes
 */
export async function deriveBaseKey(secret, sessionId) {
  const material = await subtle.importKey('raw', encoder.encode(secret), 'PBKDF2', false, ['deriveBits']);
  const bits = await subtle.deriveBits(
    { name: 'PBKDF2', salt: encoder.encode(sessionId), iterations: 100000, hash: 'SHA-256' }, material, 256);
  return new Uint8Array(bits);
}

/**
 * The HKDF-Expand labels of RFC 9605 section 4.4.2 for a key id.
 * @param {bigint} kid
 */
export function labels(kid) {
  const tail = new Uint8Array(10);
  const view = new DataView(tail.buffer);
  view.setBigUint64(0, kid);
  view.setUint16(8, SUITE);
  return {
    key: concat(encoder.encode('SFrame 1.0 Secret key '), tail),
    salt: concat(encoder.encode('SFrame 1.0 Secret salt '), tail),
  };
}

/**
 * The sframe_key and sframe_salt of a key id: HKDF-Extract with an empty
 * salt over the base key, then HKDF-Expand with the labels.
 * @param {Uint8Array} baseKey
 * @param {bigint} kid
 * @returns {Promise<{key: CryptoKey, rawKey: Uint8Array, salt: Uint8Array}>}
 */
export async function deriveKeyAndSalt(baseKey, kid) {
  const ikm = await subtle.importKey('raw', baseKey, 'HKDF', false, ['deriveBits']);
  const { key: keyLabel, salt: saltLabel } = labels(kid);
  const hkdf = (info, bytes) => subtle.deriveBits({ name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info }, ikm, bytes * 8);
  const rawKey = new Uint8Array(await hkdf(keyLabel, KEY_BYTES));
  const salt = new Uint8Array(await hkdf(saltLabel, NONCE_BYTES));
  const key = await subtle.importKey('raw', rawKey, 'AES-GCM', false, ['encrypt', 'decrypt']);
  return { key, rawKey, salt };
}

/**
 * Encodes the SFrame header: a config byte |X|K|Y|C| then the key id and the
 * counter, each inline when below 8 and otherwise in as few bytes as fit.
 * @param {bigint} kid
 * @param {bigint} ctr
 * @returns {Uint8Array}
 */
export function encodeHeader(kid, ctr) {
  const k = minimalBytes(kid);
  const c = minimalBytes(ctr);
  let config = 0;
  const parts = [];
  if (kid < 8n) {
    config |= Number(kid) << 4;
  } else {
    config |= 0x80 | ((k.length - 1) << 4);
    parts.push(k);
  }
  if (ctr < 8n) {
    config |= Number(ctr);
  } else {
    config |= 0x08 | (c.length - 1);
    parts.push(c);
  }
  return concat(Uint8Array.of(config), ...parts);
}

/**
 * Decodes the SFrame header at the start of bytes.
 * @param {Uint8Array} bytes
 * @returns {{kid: bigint, ctr: bigint, length: number}}
 */
export function decodeHeader(bytes) {
  if (bytes.length < 1) throw new Error('sframe: no header');
  const config = bytes[0];
  let offset = 1;
  const read = (extended, value) => {
    if (!extended) return BigInt(value);
    const n = value + 1;
    if (bytes.length < offset + n) throw new Error('sframe: header truncated');
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(bytes[offset + i]);
    offset += n;
    return v;
  };
  const kid = read(config & 0x80, (config >> 4) & 0x07);
  const ctr = read(config & 0x08, config & 0x07);
  return { kid, ctr, length: offset };
}

/** The nonce: the salt XOR the counter, big-endian. */
export function nonce(salt, ctr) {
  const out = salt.slice();
  for (let i = NONCE_BYTES - 1, c = ctr; i >= 0 && c > 0n; i--, c >>= 8n) {
    out[i] ^= Number(c & 0xffn);
  }
  return out;
}

/**
 * Encrypts one frame: the header, then the ciphertext and its tag. The
 * metadata (the codec's clear bytes) is authenticated with the header.
 * @param {{key: CryptoKey, salt: Uint8Array}} sender the sender's key and salt, from deriveKeyAndSalt
 * @param {bigint} kid
 * @param {bigint} ctr
 * @param {Uint8Array} metadata
 * @param {Uint8Array} plaintext
 * @returns {Promise<Uint8Array>}
 */
export async function encrypt(sender, kid, ctr, metadata, plaintext) {
  const header = encodeHeader(kid, ctr);
  const ct = await subtle.encrypt(
    { name: 'AES-GCM', iv: nonce(sender.salt, ctr), additionalData: concat(header, metadata), tagLength: 128 },
    sender.key, plaintext);
  return concat(header, new Uint8Array(ct));
}

/**
 * Decrypts what encrypt made. It rejects when the key is wrong or anything
 * (header, metadata, ciphertext) was changed.
 * @param {(kid: bigint) => Promise<{key: CryptoKey, salt: Uint8Array}>} keyFor
 * @param {Uint8Array} metadata
 * @param {Uint8Array} sframe header and ciphertext
 * @returns {Promise<Uint8Array>}
 */
export async function decrypt(keyFor, metadata, sframe) {
  const { kid, ctr, length } = decodeHeader(sframe);
  const sender = await keyFor(kid);
  const pt = await subtle.decrypt(
    { name: 'AES-GCM', iv: nonce(sender.salt, ctr), additionalData: concat(sframe.subarray(0, length), metadata), tagLength: 128 },
    sender.key, sframe.subarray(length));
  return new Uint8Array(pt);
}

/**
 * How many bytes of a frame stay in the clear, as LiveKit and Jitsi leave
 * them, so that the SFU and the depacketizer still see the codec's header:
 * VP8 key frames 10 (frame tag, start code, size), other VP8 frames 3, Opus 1
 * (the TOC byte).
 * @param {'video'|'audio'} kind
 * @param {boolean} keyFrame
 */
export function clearBytes(kind, keyFrame) {
  if (kind === 'audio') return 1;
  return keyFrame ? 10 : 3;
}

/** VP8's frame tag: 3 bytes, of which all but the low 5 bits are the first partition's size. */
const VP8_TAG = 3;

/**
 * Hides a VP8 frame's first partition size in the clear bytes: every size
 * bit set, more than any frame holds, so that a decoder without the key
 * refuses the frame instead of painting the ciphertext as a picture. The
 * frame type, version and show-frame bits (and on key frames the start code
 * and size) stay as they were, for the SFU and the depacketizer.
 */
export function maskVP8Size(clear) {
  const out = clear.slice();
  out[0] |= 0xe0;
  out[1] = 0xff;
  out[2] = 0xff;
  return out;
}

/**
 * Encrypts a whole encoded frame into our layout: the codec's clear bytes,
 * then the SFrame header and ciphertext. For VP8 the clear frame tag has its
 * size masked and the real tag travels encrypted in front of the payload.
 * Frames too short to carry anything besides their clear bytes pass unchanged.
 * @param {'video'|'audio'} kind
 */
export async function sealFrame(sender, kid, ctr, data, clear, kind = 'audio') {
  if (data.length <= clear) return data;
  let metadata = data.subarray(0, clear);
  let plaintext = data.subarray(clear);
  if (kind === 'video') {
    plaintext = concat(data.subarray(0, VP8_TAG), plaintext);
    metadata = maskVP8Size(metadata);
  }
  return concat(metadata, await encrypt(sender, kid, ctr, metadata, plaintext));
}

/** Reverses sealFrame. */
export async function openFrame(keyFor, data, clear, kind = 'audio') {
  if (data.length <= clear) return data;
  const metadata = data.subarray(0, clear);
  const plaintext = await decrypt(keyFor, metadata, data.subarray(clear));
  if (kind !== 'video') return concat(metadata, plaintext);
  return concat(plaintext.subarray(0, VP8_TAG), metadata.subarray(VP8_TAG), plaintext.subarray(VP8_TAG));
}

function minimalBytes(v) {
  const out = [];
  do {
    out.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return Uint8Array.from(out);
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
