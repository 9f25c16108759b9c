// The messages between the page (encryption.js) and the encryption worker
// (worker.js): the one description of that protocol, as protocol.go is for
// the signaling. The worker never receives the secret a person types, only
// the base key derived from it.
//
// page → worker, with postMessage:
//   KeyMessage      the session's base key; it replaces the one before, at once
//   StreamMessage   encoded streams to transform, when the browser has only createEncodedStreams
//   ForgetMessage   a receiver's subscriber is gone: its next frames start a fresh monitor
//   StatsMessage    ask for the counters
// worker → page:
//   MismatchMessage, MatchMessage   a subscriber's frames stopped / started decrypting
//   StatsReply      the counters
// With RTCRtpScriptTransform the worker also gets an "rtctransform" event
// whose transformer.options is a TransformOptions.

/**
 * @typedef {{operation: 'encode', kind: 'audio'|'video'} |
 *           {operation: 'decode', kind: 'audio'|'video', id: string}} TransformOptions
 *   what to do with one sender's or receiver's frames; id names the receiver
 *
 * @typedef {{type: 'key', baseKey: Uint8Array}} KeyMessage
 * @typedef {{type: 'stream', readable: ReadableStream, writable: WritableStream, options: TransformOptions}} StreamMessage
 * @typedef {{type: 'forget', id: string}} ForgetMessage
 * @typedef {{type: 'stats'}} StatsMessage
 * @typedef {KeyMessage | StreamMessage | ForgetMessage | StatsMessage} PageMessage
 *
 * @typedef {{type: 'mismatch', id: string}} MismatchMessage
 *   5 frames in a row did not decrypt (OpenTok's encryptionSecretMismatch)
 * @typedef {{type: 'match', id: string}} MatchMessage
 *   a frame decrypted after a mismatch (OpenTok's encryptionSecretMatch)
 * @typedef {{encrypt: {frames: number, micros: number}, decrypt: {frames: number, micros: number, failed: number}}} Counters
 *   frames done, and wall time spent on them (it includes awaits), per direction
 * @typedef {{type: 'stats', stats: Counters}} StatsReply
 * @typedef {MismatchMessage | MatchMessage | StatsReply} WorkerMessage
 */

export const KEY = 'key';
export const STREAM = 'stream';
export const FORGET = 'forget';
export const STATS = 'stats';
export const MISMATCH = 'mismatch';
export const MATCH = 'match';
