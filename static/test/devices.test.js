// getUserMedia's errors as OpenTok.js names them (its vendorToOTErrorDetails).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { userMediaError, videoConstraints, audioConstraints, isNoSource } from '../ot/devices.js';

test('getUserMedia errors become OpenTok errors with code 1500', () => {
  const cases = [
    ['NotAllowedError', 'OT_USER_MEDIA_ACCESS_DENIED', 'OT.Publisher Access Denied: Permission Denied: End-user denied permission to hardware devices (getUserMedia error: NotAllowedError)'],
    ['NotFoundError', 'OT_NO_DEVICES_FOUND', 'No voice or video input devices are available on this machine. (getUserMedia error: NotFoundError)'],
    ['NotReadableError', 'OT_HARDWARE_UNAVAILABLE', 'The selected voice or video devices are unavailable. Verify that the chosen devices are not in use by another application. (getUserMedia error: NotReadableError)'],
    ['OverconstrainedError', 'OT_CONSTRAINTS_NOT_SATISFIED', "It's not possible to satisfy one or more constraints passed into the getUserMedia function (getUserMedia error: OverconstrainedError)"],
    ['AbortError', 'OT_UNABLE_TO_CAPTURE_MEDIA', 'Unable to capture media. Unknown error occurred (getUserMedia error: AbortError)'],
  ];
  for (const [browser, name, message] of cases) {
    const err = userMediaError({ name: browser, message: 'whatever the browser says' });
    assert.equal(err.name, name, browser);
    assert.equal(err.code, 1500, browser);
    assert.equal(err.message, message, browser);
  }
});

test('a device id becomes an exact constraint; true, undefined and empty mean the default device', () => {
  assert.deepEqual(videoConstraints('cam2'), { width: 640, height: 480, deviceId: { exact: 'cam2' } });
  assert.deepEqual(videoConstraints(undefined), { width: 640, height: 480 });
  assert.deepEqual(videoConstraints(true), { width: 640, height: 480 });
  assert.deepEqual(audioConstraints('mic2'), { deviceId: { exact: 'mic2' } });
  assert.equal(audioConstraints(''), true);
  assert.ok(isNoSource(null) && isNoSource(false));
  assert.ok(!isNoSource(undefined) && !isNoSource(true) && !isNoSource('cam'));
});
