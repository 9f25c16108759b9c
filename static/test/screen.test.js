import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SCREEN_FRAME_RATE, canShareScreen, screenConstraints, screenSendParameters } from '../ot/screen.js';

const desktop = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36';
const iphone = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1';
const withDisplay = { getDisplayMedia() {} };

test('a desktop browser with getDisplayMedia can share its screen', () => {
  assert.equal(canShareScreen({ userAgent: desktop, mediaDevices: withDisplay }), true);
});

test('phones and browsers without getDisplayMedia cannot', () => {
  assert.equal(canShareScreen({ userAgent: android, mediaDevices: withDisplay }), false, 'Android has the function but refuses');
  assert.equal(canShareScreen({ userAgent: iphone, mediaDevices: {} }), false);
  assert.equal(canShareScreen({ userAgent: desktop, mediaDevices: {} }), false);
  assert.equal(canShareScreen({ userAgent: desktop }), false);
  assert.equal(canShareScreen(undefined), false);
});

test('the capture is at most 1920x1080 at the screen frame rate, without audio', () => {
  const c = screenConstraints();
  assert.deepEqual(c.video.width, { max: 1920 });
  assert.deepEqual(c.video.height, { max: 1080 });
  assert.equal(c.video.frameRate.max, SCREEN_FRAME_RATE);
  assert.ok(SCREEN_FRAME_RATE >= 5 && SCREEN_FRAME_RATE <= 15);
  assert.equal(c.audio, false);
});

test('the sender keeps the resolution and caps the frame rate, keeping the other parameters', () => {
  const p = screenSendParameters({ transactionId: 't1', encodings: [{ active: true, rid: undefined }], codecs: [] });
  assert.equal(p.transactionId, 't1');
  assert.equal(p.degradationPreference, 'maintain-resolution');
  assert.equal(p.encodings.length, 1);
  assert.equal(p.encodings[0].active, true);
  assert.equal(p.encodings[0].maxFramerate, SCREEN_FRAME_RATE);
  assert.ok(p.encodings[0].maxBitrate > 0);
  assert.equal(screenSendParameters({ transactionId: 't2', encodings: [] }).encodings.length, 1, 'one encoding when the browser lists none yet');
});
