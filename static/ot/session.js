// OpenTok's Session over the embedded backend: connect, publish, subscribe,
// signal, change the encryption secret, disconnect.
import { Emitter } from './events.js';
import { codes, notConnected, otError, secretProblem } from './errors.js';
import { Encryption, hasEndToEndEncryptionSupport } from './encryption.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';
import { Signaling } from './signaling.js';
import { Peer } from './peer.js';

export class Session extends Emitter {
  /**
   * @param {string} apiKey
   * @param {string} sessionId
   * @param {{encryptionSecret?: string}} options
   */
  constructor(apiKey, sessionId, options = {}) {
    super();
    this.apiKey = apiKey;
    this.sessionId = sessionId;
    this.connection = null;
    this.capabilities = { publish: 1, subscribe: 1 };
    // Whether initSession had a secret decides, for the Session's whole life,
    // whether it encrypts: as in OpenTok.js, a later setEncryptionSecret
    // cannot turn encryption on.
    this._encrypted = options.encryptionSecret !== undefined;
    this._secret = options.encryptionSecret;
    this._encryption = this._encrypted ? new Encryption(sessionId) : null;
    this._signaling = null;
    this._peer = null;
    this._connected = false;
    this._connections = new Map();
    this._streams = new Map();
    this._away = new Set(); // connection ids whose socket dropped and may come back: their subscribers are 'disconnected'
    this._subscribers = new Set();
    this._publishers = new Set();
    this._pcCount = 0; // names publications and subscriptions: p1, s2, …
    this._token = '';
    this._resume = null; // {connectionId, resumeKey, within}: what resuming after a dropped socket needs
    this._reconnecting = false;
    this._orphans = []; // subscription ids whose request the drop cut off, to end once back
    this._signalCount = 0; // names signals: g1, g2, …
  }

  /**
   * Connects to the session.
   * @param {string} token
   * @param {(error?: Error) => void} [callback]
   */
  connect(token, callback) {
    const done = (err) => setTimeout(() => {
      if (err) this.emit('sessionConnectFailed', { error: err });
      callback?.(err);
    }, 0);
    if (this._encrypted) {
      const problem = secretProblem(this._secret);
      if (problem) {
        done(otError('OT_INVALID_ENCRYPTION_SECRET', codes.CONNECT_FAILED, `Invalid encryptionSecret: ${problem}`));
        return this;
      }
      if (!hasEndToEndEncryptionSupport()) {
        done(otError('OT_UNSUPPORTED_BROWSER', codes.CONNECT_FAILED, 'E2E Encryption is not supported in your browser.'));
        return this;
      }
    }
    this.#connect(token).then(() => done(), (err) => done(err));
    return this;
  }

  async #connect(token) {
    if (this._connected) return;
    if (this._encrypted) await this._encryption.setSecret(this._secret);
    this._token = token;
    const { signaling, connected } = await this.#open({});
    this._signaling = signaling;
    this._peer = new Peer(signaling, this._encryption);
    this._connected = true;
    this.#keepResume(connected);
    this._away = new Set(connected.interrupted ?? []);
    this.connection = this.#connection(connected.connection);
    this.emit('sessionConnected', {
      connections: (connected.connections ?? []).map((c) => this.#connection(c)),
      streams: (connected.streams ?? []).map((s) => this.#stream(s)),
    });
    // Who was here already arrives as events, after the connect callback.
    setTimeout(() => {
      for (const c of connected.connections ?? []) this.emit('connectionCreated', { connection: this.#connection(c) });
      for (const s of connected.streams ?? []) this.emit('streamCreated', { stream: this.#stream(s) });
    }, 0);
  }

  /** Opens a signaling socket and connects on it, as a new participant or, with resume, as the one it was. */
  async #open(resume) {
    const signaling = new Signaling((m) => this.#receive(m), (info) => this.#lost(signaling, info));
    await signaling.open();
    try {
      const connected = await signaling.request(
        { type: 'connect', token: this._token, sessionId: this.sessionId, encrypted: this._encrypted, ...resume },
        (m) => m.type === 'connected',
        (m) => !m.pc && !m.id);
      return { signaling, connected };
    } catch (err) {
      signaling.close();
      throw err;
    }
  }

  #keepResume(connected) {
    this._resume = { connectionId: connected.connectionId, resumeKey: connected.resumeKey, within: connected.resumeWithin ?? 0 };
  }

  /** Leaves the session. */
  disconnect() {
    if (!this._connected) return this;
    this._signaling.send({ type: 'disconnect' });
    this._signaling.close();
    this.#cleanUp('clientDisconnected');
    return this;
  }

  /**
   * Changes the secret, for sending and receiving, at once.
   * @param {string} secret
   * @returns {Promise<void>}
   */
  async setEncryptionSecret(secret) {
    if (!this._encrypted) {
      console.warn('Encryption secret must first be set in initSession.');
      return;
    }
    const problem = secretProblem(secret);
    if (problem) throw otError('OT_INVALID_ENCRYPTION_SECRET', undefined, `setEncryptionSecret: ${problem}`);
    this._secret = secret;
    if (this._connected) await this._encryption.setSecret(secret);
  }

  /**
   * Publishes a publisher's camera and microphone.
   * @param {Publisher} publisher
   * @param {(error?: Error) => void} [callback]
   */
  publish(publisher, callback) {
    this.#publish(publisher).then(() => callback?.(), (err) => callback?.(err));
    return publisher;
  }

  async #publish(publisher) {
    if (!this._connected) throw notConnected();
    await publisher._ready;
    const pcId = `p${++this._pcCount}`;
    const peer = this._peer;
    // The server's offer names the transceivers to send on; "published" follows its answer.
    peer.publish(pcId, publisher);
    let reply;
    try {
      reply = await this._signaling.request({
        type: 'publish', pc: pcId, encrypted: this._encrypted,
        stream: { name: publisher.name, hasAudio: publisher._audio, hasVideo: publisher._video, videoType: publisher._videoType ?? 'camera' },
      }, (m) => m.type === 'published' && m.pc === pcId, (m) => m.pc === pcId);
    } catch (err) {
      peer.unpublish(pcId);
      throw err;
    }
    const stream = this.#stream({
      streamId: reply.streamId, connectionId: this.connection.connectionId, name: publisher.name,
      hasAudio: publisher._audio, hasVideo: publisher._video, videoType: publisher._videoType ?? 'camera', creationTime: Date.now(), encrypted: this._encrypted,
    });
    const senders = await peer.start(pcId);
    this._publishers.add(publisher);
    publisher._published(this, pcId, senders, stream);
  }

  /** Stops publishing. */
  unpublish(publisher) {
    this._unpublish(publisher, 'clientDisconnected');
  }

  /** Stops publishing, for a reason: 'mediaStopped' when a shared screen ended. */
  _unpublish(publisher, reason) {
    if (!this._publishers.delete(publisher)) return;
    this._signaling?.send({ type: 'unpublish', pc: publisher._pcId });
    this._peer?.unpublish(publisher._pcId);
    publisher._unpublished(reason);
  }

  /**
   * Subscribes to a stream: (stream, target, properties, callback), with target, properties optional.
   * @returns {Subscriber}
   */
  subscribe(stream, target, properties, callback) {
    if (typeof target === 'function') [target, properties, callback] = [undefined, undefined, target];
    if (typeof properties === 'function') [properties, callback] = [undefined, properties];
    const subscriber = new Subscriber(this, stream, target, properties);
    if (!this._connected) {
      setTimeout(() => callback?.(notConnected()), 0);
      return subscriber;
    }
    this._subscribers.add(subscriber);
    // A stream whose publisher is away starts 'disconnected': after this
    // returns, so that the caller's handlers hear it. 'connected' follows
    // when the publisher resumes.
    setTimeout(() => {
      if (this._subscribers.has(subscriber) && this._away.has(stream.connection.connectionId)) subscriber.emit('disconnected');
    }, 0);
    const peer = this._peer;
    const id = `s${++this._pcCount}`;
    subscriber._start(this._signaling, peer, this._encryption, id).then(() => callback?.(), (err) => {
      this._subscribers.delete(subscriber);
      peer.remove(subscriber);
      subscriber._destroy('subscribeFailed');
      if (!err.refused) this._orphans.push(id); // the server may have it: end it once back
      callback?.(err);
    });
    return subscriber;
  }

  /** Stops subscribing. */
  unsubscribe(subscriber) {
    if (!this._subscribers.delete(subscriber)) return;
    this._signaling?.send({ type: 'unsubscribe', id: subscriber._id });
    this._peer?.remove(subscriber);
    subscriber._destroy('unsubscribe');
  }

  /**
   * Sends a signal to everyone else, or to one connection.
   * @param {{type?: string, data?: string, to?: {connectionId: string}}} signal
   * @param {(error?: Error) => void} [callback]
   */
  signal(signal, callback) {
    if (!this._connected) {
      setTimeout(() => callback?.(notConnected()), 0);
      return;
    }
    const id = `g${++this._signalCount}`;
    this._signaling.request(
      { type: 'signal', id, signalType: signal.type ?? '', data: signal.data ?? '', to: signal.to?.connectionId },
      (m) => m.type === 'signalSent' && m.id === id, (m) => m.id === id,
    ).then(() => callback?.(), (err) => callback?.(err));
  }

  _streamProperty(publisher, property, value) {
    if (this._publishers.has(publisher)) {
      this._signaling?.send({ type: 'streamProperty', pc: publisher._pcId, [property]: value });
      publisher.stream[property] = value;
    }
  }

  /** The encryption worker's frame counts and time spent, for benchmarks (not OpenTok API). */
  _encryptionStats() {
    return this._encryption?.stats() ?? Promise.resolve(null);
  }

  #receive(m) {
    switch (m.type) {
      case 'offer':
        this._peer?.answer(m).catch((err) => console.error('The media connection could not follow the call:', err));
        break;
      case 'connectionInterrupted':
      case 'connectionResumed':
        if (m.type === 'connectionInterrupted') this._away.add(m.connectionId);
        else this._away.delete(m.connectionId);
        for (const s of this._subscribers) {
          if (s.stream.connection.connectionId === m.connectionId) s.emit(m.type === 'connectionInterrupted' ? 'disconnected' : 'connected');
        }
        break;
      case 'connectionCreated':
        this.emit('connectionCreated', { connection: this.#connection(m.connection) });
        break;
      case 'connectionDestroyed': {
        const connection = this.#connection(m.connection);
        this._connections.delete(connection.connectionId);
        this._away.delete(connection.connectionId);
        this.emit('connectionDestroyed', { connection, reason: m.reason });
        break;
      }
      case 'streamCreated':
        this.emit('streamCreated', { stream: this.#stream(m.stream) });
        break;
      case 'streamDestroyed':
        this.#streamGone(m.stream.streamId, m.reason);
        break;
      case 'streamPropertyChanged': {
        const stream = this._streams.get(m.streamId);
        if (!stream) break;
        stream[m.changedProperty] = m.newValue;
        this.emit('streamPropertyChanged', { stream, changedProperty: m.changedProperty, oldValue: m.oldValue, newValue: m.newValue });
        break;
      }
      case 'signal': {
        const fields = { data: m.data, from: this._connections.get(m.from) ?? null, signalType: m.signalType };
        this.emit('signal', fields);
        if (m.signalType) this.emit(`signal:${m.signalType}`, fields);
        break;
      }
    }
  }

  #streamGone(streamId, reason) {
    const stream = this._streams.get(streamId);
    if (!stream) return;
    const event = this.emit('streamDestroyed', { stream, reason });
    this._streams.delete(streamId);
    if (event.isDefaultPrevented()) return;
    for (const s of [...this._subscribers]) {
      if (s.stream.streamId === streamId) {
        this._subscribers.delete(s);
        this._peer?.remove(s);
        s._destroy(reason);
      }
    }
  }

  /**
   * The socket closed without us closing it. If the network dropped it, the
   * session reconnects within the server's grace, with the same connection,
   * publishers and subscribers; otherwise it is over.
   */
  #lost(signaling, info) {
    if (signaling !== this._signaling || !this._connected) return;
    if (info.code !== 1006 || !this._resume?.within) {
      this.#cleanUp('networkDisconnected');
      return;
    }
    this.#reconnect(Date.now() + this._resume.within);
  }

  async #reconnect(deadline) {
    this._reconnecting = true;
    this.emit('sessionReconnecting');
    const { connectionId, resumeKey } = this._resume;
    for (let wait = 250; this._connected && Date.now() < deadline; wait = Math.min(wait * 2, 2000)) {
      try {
        const { signaling, connected } = await this.#open({ connectionId, resumeKey });
        if (!this._connected) {
          signaling.close(); // left meanwhile
          return;
        }
        this._signaling = signaling;
        this._peer.signaling = signaling;
        this.#keepResume(connected);
        this._reconnecting = false;
        this.#catchUp(connected);
        this.emit('sessionReconnected');
        for (const id of this._orphans.splice(0)) signaling.send({ type: 'unsubscribe', id });
        return;
      } catch (err) {
        if (err.refused) break; // the server no longer has us: the grace passed, or it restarted
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
    this._reconnecting = false;
    if (this._connected) this.#cleanUp('networkDisconnected');
  }

  /** Brings the session's view up to date after a resume: what changed while the socket was away. */
  #catchUp(connected) {
    // Who dropped or came back while we were away is in the resumed "connected" only.
    this._away = new Set(connected.interrupted ?? []);
    const self = this.connection.connectionId;
    const streams = new Set((connected.streams ?? []).map((s) => s.streamId));
    for (const [id, stream] of [...this._streams]) {
      if (stream.connection.connectionId !== self && !streams.has(id)) this.#streamGone(id, 'networkDisconnected');
    }
    const connections = new Set((connected.connections ?? []).map((c) => c.connectionId));
    for (const [id, connection] of [...this._connections]) {
      if (id !== self && !connections.has(id)) {
        this._connections.delete(id);
        this.emit('connectionDestroyed', { connection, reason: 'networkDisconnected' });
      }
    }
    for (const c of connected.connections ?? []) {
      if (!this._connections.has(c.connectionId)) this.emit('connectionCreated', { connection: this.#connection(c) });
    }
    for (const s of connected.streams ?? []) {
      if (!this._streams.has(s.streamId)) this.emit('streamCreated', { stream: this.#stream(s) });
    }
    for (const s of this._subscribers) s.emit(this._away.has(s.stream.connection.connectionId) ? 'disconnected' : 'connected');
  }

  #cleanUp(reason) {
    this._connected = false;
    this._reconnecting = false;
    this._signaling = null;
    this._resume = null;
    for (const p of this._publishers) p._unpublished(reason);
    this._publishers.clear();
    for (const s of this._subscribers) s._destroy(reason);
    this._peer?.close();
    this._peer = null;
    this._subscribers.clear();
    this._streams.clear();
    this._connections.clear();
    this._away.clear();
    this.emit('sessionDisconnected', { reason });
  }

  #connection(c) {
    if (!this._connections.has(c.connectionId)) {
      this._connections.set(c.connectionId, { connectionId: c.connectionId, creationTime: c.creationTime, data: c.data });
    }
    return this._connections.get(c.connectionId);
  }

  #stream(s) {
    if (!this._streams.has(s.streamId)) {
      this._streams.set(s.streamId, {
        streamId: s.streamId, name: s.name, hasAudio: s.hasAudio, hasVideo: s.hasVideo, videoType: s.videoType,
        creationTime: s.creationTime, connection: this.#connection({ connectionId: s.connectionId, creationTime: 0, data: '' }),
      });
    }
    return this._streams.get(s.streamId);
  }
}

