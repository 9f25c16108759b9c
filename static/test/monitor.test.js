import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DecryptMonitor, FAILURES_FOR_MISMATCH, SubscriberDecryption } from '../ot/monitor.js';

const run = (monitor, outcomes) => outcomes.map((ok) => monitor.record(ok)).filter(Boolean);

test('success from the start fires nothing', () => {
  assert.deepEqual(run(new DecryptMonitor(), Array(50).fill(true)), []);
});

test('a few failures in a row fire one mismatch', () => {
  const m = new DecryptMonitor();
  assert.deepEqual(run(m, Array(FAILURES_FOR_MISMATCH - 1).fill(false)), [], 'not before the threshold');
  assert.deepEqual(run(m, [false]), ['mismatch']);
  assert.deepEqual(run(m, Array(100).fill(false)), [], 'only once');
  assert.equal(m.mismatched, true);
});

test('scattered failures do not make a mismatch', () => {
  const outcomes = [];
  for (let i = 0; i < 100; i++) outcomes.push(...Array(FAILURES_FOR_MISMATCH - 1).fill(false), true);
  assert.deepEqual(run(new DecryptMonitor(), outcomes), []);
});

test('the first success after a mismatch fires one match', () => {
  const m = new DecryptMonitor();
  run(m, Array(FAILURES_FOR_MISMATCH).fill(false));
  assert.deepEqual(run(m, [true, true, true]), ['match']);
  assert.equal(m.mismatched, false);
});

test('mismatch and match alternate as the secret changes back and forth', () => {
  const m = new DecryptMonitor();
  const bad = Array(FAILURES_FOR_MISMATCH).fill(false);
  assert.deepEqual(run(m, [true, ...bad, true, ...bad, ...bad, true]), ['mismatch', 'match', 'mismatch', 'match']);
});

test('each subscriber has its own state', () => {
  const a = new DecryptMonitor();
  const b = new DecryptMonitor();
  assert.deepEqual(run(a, Array(FAILURES_FOR_MISMATCH).fill(false)), ['mismatch']);
  assert.deepEqual(run(b, [true]), [], 'b never mismatched, so no match');
});

test('a subscriber whose tracks both fail and recover fires one mismatch and one match', () => {
  const s = new SubscriberDecryption();
  const fired = [['audio', 'mismatch'], ['video', 'mismatch'], ['video', 'match'], ['audio', 'match']]
    .map(([track, event]) => s.record(track, event)).filter(Boolean);
  assert.deepEqual(fired, ['mismatch', 'match']);
});

test('a subscriber matches only once every track decrypts', () => {
  const s = new SubscriberDecryption();
  assert.equal(s.record('audio', 'mismatch'), 'mismatch');
  assert.equal(s.record('video', 'mismatch'), null);
  assert.equal(s.record('audio', 'match'), null, 'the video still cannot be decrypted');
  assert.equal(s.record('audio', 'mismatch'), null, 'still mismatched');
  assert.equal(s.record('video', 'match'), null);
  assert.equal(s.record('audio', 'match'), 'match');
  assert.equal(s.record('video', 'mismatch'), 'mismatch', 'and it can fail again');
});
