import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  clearBytes, decodeHeader, decrypt, deriveBaseKey, deriveKeyAndSalt, encodeHeader, encrypt, labels, nonce, openFrame, sealFrame,
} from '../ot/sframe.js';

const vectors = JSON.parse(readFileSync(new URL('./rfc9605-vectors.json', import.meta.url)));
const hex = (b) => Buffer.from(b).toString('hex');
const bytes = (h) => Uint8Array.from(Buffer.from(h, 'hex'));

test('header encoding follows RFC 9605', () => {
  for (const v of vectors.header) {
    const kid = BigInt(v.kid);
    const ctr = BigInt(v.ctr);
    assert.equal(hex(encodeHeader(kid, ctr)), v.encoded, `kid ${v.kid} ctr ${v.ctr}`);
    const decoded = decodeHeader(bytes(v.encoded + 'abcdef'));
    assert.deepEqual(decoded, { kid, ctr, length: v.encoded.length / 2 }, `decode ${v.encoded}`);
  }
});

test('a truncated header is refused', () => {
  assert.throws(() => decodeHeader(bytes('0affff')), /truncated/);
  assert.throws(() => decodeHeader(new Uint8Array(0)), /no header/);
});

test('key and salt derivation follow RFC 9605 for AES_128_GCM_SHA256_128', async () => {
  const v = vectors.sframe;
  const kid = BigInt(v.kid);
  assert.equal(hex(labels(kid).key), v.sframe_key_label);
  assert.equal(hex(labels(kid).salt), v.sframe_salt_label);
  const secret = await deriveKeyAndSalt(bytes(v.base_key), kid);
  assert.equal(hex(secret.rawKey), v.sframe_key);
  assert.equal(hex(secret.salt), v.sframe_salt);
  assert.equal(hex(nonce(secret.salt, BigInt(v.ctr))), v.nonce);
});

test('encryption matches the RFC 9605 vector, and decrypts back', async () => {
  const v = vectors.sframe;
  const kid = BigInt(v.kid);
  const secret = await deriveKeyAndSalt(bytes(v.base_key), kid);
  const ct = await encrypt(secret, kid, BigInt(v.ctr), bytes(v.metadata), bytes(v.pt));
  assert.equal(hex(ct), v.ct);
  const pt = await decrypt(async () => secret, bytes(v.metadata), bytes(v.ct));
  assert.equal(hex(pt), v.pt);
});

const frames = {
  'VP8 key frame': { kind: 'video', key: true, data: Uint8Array.from({ length: 900 }, (_, i) => (i * 7) & 0xff) },
  'VP8 delta frame': { kind: 'video', key: false, data: Uint8Array.from({ length: 300 }, (_, i) => (i * 13) & 0xff) },
  'Opus frame': { kind: 'audio', key: false, data: Uint8Array.from({ length: 80 }, (_, i) => (i * 3) & 0xff) },
};

async function session(secret) {
  const base = await deriveBaseKey(secret, '2_session');
  const cache = new Map();
  return async (kid) => {
    if (!cache.has(kid)) cache.set(kid, await deriveKeyAndSalt(base, kid));
    return cache.get(kid);
  };
}

test('frames round-trip with the codec header in the clear', async () => {
  const keyFor = await session('correct horse battery');
  const kid = 0x5eedn;
  for (const [name, f] of Object.entries(frames)) {
    const clear = clearBytes(f.kind, f.key);
    assert.equal(clear, f.kind === 'audio' ? 1 : f.key ? 10 : 3, name);
    const sealed = await sealFrame(await keyFor(kid), kid, 42n, f.data, clear, f.kind);
    if (f.kind === 'video') {
      assert.equal(sealed[0] & 0x1f, f.data[0] & 0x1f, `${name}: frame type, version and show-frame stay clear`);
      assert.deepEqual(sealed.subarray(3, clear), f.data.subarray(3, clear), `${name}: the start code and size stay clear`);
      assert.equal(sealed.length, f.data.length + 3 + encodeHeader(kid, 42n).length + 16, `${name}: the real tag, header and GCM tag are added`);
    } else {
      assert.deepEqual(sealed.subarray(0, clear), f.data.subarray(0, clear), `${name}: the clear bytes stay as they were`);
      assert.equal(sealed.length, f.data.length + encodeHeader(kid, 42n).length + 16, `${name}: header and tag are added`);
    }
    assert.notDeepEqual(sealed.subarray(clear + 8, clear + 24), f.data.subarray(clear + 8, clear + 24), `${name}: the rest is encrypted`);
    assert.deepEqual(await openFrame(keyFor, sealed, clear, f.kind), f.data, `${name}: decrypts to the frame`);
  }
});

test('a sealed VP8 frame announces a first partition larger than itself, so no decoder without the key takes it', async () => {
  const keyFor = await session('correct horse battery');
  for (const key of [true, false]) {
    const f = frames[key ? 'VP8 key frame' : 'VP8 delta frame'];
    const sealed = await sealFrame(await keyFor(7n), 7n, 1n, f.data, clearBytes('video', key), 'video');
    const firstPartitionSize = (sealed[0] | (sealed[1] << 8) | (sealed[2] << 16)) >>> 5;
    assert.equal(firstPartitionSize, 0x7ffff);
    assert.ok(firstPartitionSize > sealed.length);
    assert.equal(sealed[0] & 1, f.data[0] & 1, 'the key frame bit stays as it was');
  }
});

test('frames no longer than their clear bytes pass unchanged', async () => {
  const keyFor = await session('correct horse battery');
  const tiny = Uint8Array.of(0xfc);
  assert.deepEqual(await sealFrame(await keyFor(1n), 1n, 0n, tiny, 1), tiny);
  assert.deepEqual(await openFrame(keyFor, tiny, 1), tiny);
});

test('tampered frames are rejected', async () => {
  const keyFor = await session('correct horse battery');
  const f = frames['VP8 key frame'];
  const sealed = await sealFrame(await keyFor(9n), 9n, 1n, f.data, 10, 'video');
  const flip = (index) => { const b = sealed.slice(); b[index] ^= 0x01; return b; };
  for (const [what, index] of [['a clear codec byte', 5], ['the frame tag', 0], ['the header', 10], ['the ciphertext', 40], ['the tag', sealed.length - 1]]) {
    await assert.rejects(openFrame(keyFor, flip(index), 10, 'video'), undefined, `changing ${what} is detected`);
  }
});

test('a frame sealed with another secret does not decrypt', async () => {
  const alice = await session('correct horse battery');
  const mallory = await session('correct horse battery!');
  const f = frames['Opus frame'];
  const sealed = await sealFrame(await alice(3n), 3n, 5n, f.data, 1);
  await assert.rejects(openFrame(mallory, sealed, 1));
});

test('the base key is PBKDF2-SHA-256 with 100 000 iterations salted with the session id', async () => {
  const { subtle } = globalThis.crypto;
  const material = await subtle.importKey('raw', new TextEncoder().encode('s3cret!!'), 'PBKDF2', false, ['deriveBits']);
  const want = await subtle.deriveBits({ name: 'PBKDF2', salt: new TextEncoder().encode('2_abc'), iterations: 100000, hash: 'SHA-256' }, material, 256);
  assert.equal(hex(await deriveBaseKey('s3cret!!', '2_abc')), hex(new Uint8Array(want)));
  assert.notEqual(hex(await deriveBaseKey('s3cret!!', '2_abd')), hex(new Uint8Array(want)), 'another session, another key');
});
