import { test } from 'node:test';
import assert from 'node:assert/strict';
import { audioLevelOf } from '../ot/levels.js';

const report = (...stats) => new Map(stats.map((s, i) => [`s${i}`, s]));

test('the level is the audio inbound-rtp audioLevel', () => {
  const r = report(
    { type: 'inbound-rtp', kind: 'video', framesDecoded: 10 },
    { type: 'codec', mimeType: 'audio/opus' },
    { type: 'inbound-rtp', kind: 'audio', audioLevel: 0.25 },
  );
  assert.equal(audioLevelOf(r), 0.25);
});

test('no audio yet is silence', () => {
  assert.equal(audioLevelOf(report()), 0);
  assert.equal(audioLevelOf(report({ type: 'inbound-rtp', kind: 'audio' })), 0, 'before the first decoded frame');
});
