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
// listener, LEVEL_INTERVAL_MS apart, from one stats report of the session's
// peer connection, which carries every subscription: OpenTok.js samples at every animation
// frame, but five times a second is enough to see who speaks (the level is
// a peak that decays, so a sound between two samples still shows), and each
// stats collection costs WebRTC's signaling thread about 0.3 ms (the README
// has the figures), however many subscribers it serves. A stream whose
// publisher is muted is silent: it reads 0 without asking for stats.

export const LEVEL_INTERVAL_MS = 200;

/** @type {Set<{_audioReceiver(): RTCRtpReceiver|null, _peer: {pc: RTCPeerConnection|null}|null, listenerCount(type: string): number, emit(type: string, fields: object): void}>} */
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
 * Each inbound audio track's level in a peer connection's stats, by track
 * id; a track with no decoded audio yet reads 0.
 * @param {RTCStatsReport} report
 * @returns {Map<string, number>}
 */
export function audioLevels(report) {
  const levels = new Map();
  for (const s of report.values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'audio') levels.set(s.trackIdentifier, s.audioLevel ?? 0);
  }
  return levels;
}

async function sampleAll() {
  if (sampling) return; // a slow machine: skip a tick rather than pile up
  sampling = true;
  try {
    const reports = new Map(); // peer connection → its levels: one stats collection serves all its subscribers
    await Promise.all([...watched].map((s) => sample(s, reports)));
  } finally {
    sampling = false;
  }
}

async function sample(subscriber, reports) {
  if (subscriber.listenerCount('audioLevelUpdated') === 0) return;
  const receiver = subscriber.stream?.hasAudio === false ? null : subscriber._audioReceiver();
  const pc = subscriber._peer?.pc;
  let audioLevel = 0;
  if (receiver && pc) {
    if (!reports.has(pc)) reports.set(pc, pc.getStats().then(audioLevels, () => new Map())); // closed meanwhile: silence
    audioLevel = (await reports.get(pc)).get(receiver.track.id) ?? 0;
  }
  if (watched.has(subscriber)) subscriber.emit('audioLevelUpdated', { audioLevel });
}
