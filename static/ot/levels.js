// Subscriber audioLevelUpdated: how loud each subscribed stream is, from
// its DECRYPTED audio. The level is the inbound-rtp "audioLevel" statistic of
// the subscriber's audio receiver, which WebRTC measures on the decoded
// audio (the peak of the last ~100 ms, 0 to 1, decaying), so it comes after
// the encryption worker: a stream that does not decrypt is silent.
// getSynchronizationSources().audioLevel would be cheaper but is only the
// ssrc-audio-level RTP header extension, which the sender computes in the
// clear for the media server to read: the SFU does not negotiate it (it
// would tell the server who is speaking), so it is absent here.
//
// One timer samples every watched subscriber that has an audioLevelUpdated
// listener, LEVEL_INTERVAL_MS apart: OpenTok.js samples at every animation
// frame, but five times a second is enough to see who speaks (the level is
// a peak that decays, so a sound between two samples still shows), and each
// stats collection costs WebRTC's signaling thread about 0.3 ms (the README
// has the figures). A stream whose publisher is muted is silent: it reads 0
// without asking for stats.

export const LEVEL_INTERVAL_MS = 200;

/** @type {Set<{_audioReceiver(): RTCRtpReceiver|null, listenerCount(type: string): number, emit(type: string, fields: object): void}>} */
const watched = new Set();
let timer = null;
let sampling = false;

/** Starts sampling a subscriber's level, once its peer connection exists. */
export function watchAudioLevel(subscriber) {
  watched.add(subscriber);
  timer ??= setInterval(sampleAll, LEVEL_INTERVAL_MS);
}

/** Stops sampling a subscriber, when it is destroyed. */
export function unwatchAudioLevel(subscriber) {
  watched.delete(subscriber);
  if (watched.size === 0 && timer !== null) {
    clearInterval(timer);
    timer = null;
  }
}

/**
 * The audio level in a receiver's stats, 0 when there is none yet.
 * @param {RTCStatsReport} report
 */
export function audioLevelOf(report) {
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') return s.audioLevel ?? 0;
  }
  return 0;
}

async function sampleAll() {
  if (sampling) return; // a slow machine: skip a tick rather than pile up
  sampling = true;
  try {
    await Promise.all([...watched].map(sample));
  } finally {
    sampling = false;
  }
}

async function sample(subscriber) {
  if (subscriber.listenerCount('audioLevelUpdated') === 0) return;
  const receiver = subscriber.stream?.hasAudio === false ? null : subscriber._audioReceiver();
  let audioLevel = 0;
  try {
    if (receiver) audioLevel = audioLevelOf(await receiver.getStats());
  } catch {
    // the peer connection closed meanwhile
  }
  if (watched.has(subscriber)) subscriber.emit('audioLevelUpdated', { audioLevel });
}
