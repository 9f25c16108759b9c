import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioLevels } from '../ot/levels.js';

const report = (...stats) => new Map(stats.map((s, i) => [`s${i}`, s]));

test('the levels are each audio inbound-rtp audioLevel, by track', () => {
  const r = report(
    { type: 'inbound-rtp', kind: 'video', trackIdentifier: 'v1', framesDecoded: 10 },
    { type: 'codec', mimeType: 'audio/opus' },
    { type: 'inbound-rtp', kind: 'audio', trackIdentifier: 'a1', audioLevel: 0.25 },
    { type: 'inbound-rtp', kind: 'audio', trackIdentifier: 'a2', audioLevel: 0.5 },
  );
  assert.deepEqual(audioLevels(r), new Map([['a1', 0.25], ['a2', 0.5]]));
});

test('no audio yet is silence', () => {
  assert.deepEqual(audioLevels(report()), new Map());
  assert.deepEqual(audioLevels(report({ type: 'inbound-rtp', kind: 'audio', trackIdentifier: 'a1' })), new Map([['a1', 0]]), 'before the first decoded frame');
});
