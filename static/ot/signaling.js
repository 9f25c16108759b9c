// The WebSocket client of the embedded backend's signaling protocol
// (server/local/protocol.go describes every message).
import { codes, otError } from './errors.js';

export class Signaling {
  /** @param {(message: object) => void} onMessage @param {(info: {code: number, reason: string}) => void} onClose */
  constructor(onMessage, onClose) {
    this.onMessage = onMessage;
    this.onClose = onClose;
    this.waiters = new Set();
    this.socket = null;
    this.closedByUs = false;
  }

  /** Opens the socket to this page's own origin. */
  open() {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/signal`;
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      this.socket = socket;
      socket.onopen = () => resolve();
      socket.onmessage = (e) => this.#receive(e.data);
      socket.onclose = (e) => {
        const info = { code: e.code, reason: e.reason };
        reject(otError('OT_CONNECT_FAILED', codes.CONNECT_FAILED, 'Could not connect to the session: the server could not be reached'));
        for (const w of this.waiters) w.closed(info);
        this.waiters.clear();
        if (!this.closedByUs) this.onClose(info);
      };
    });
  }

  send(message) {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  /**
   * Sends message and waits for its reply.
   * @param {object} message
   * @param {(m: object) => boolean} isReply
   * @param {(m: object) => boolean} isError an "error" message that answers this request
   */
  request(message, isReply, isError) {
    return new Promise((resolve, reject) => {
      const waiter = {
        receive: (m) => {
          if (isReply(m)) {
            this.waiters.delete(waiter);
            resolve(m);
            return true;
          }
          if (m.type === 'error' && isError(m)) {
            this.waiters.delete(waiter);
            const err = otError(m.name, m.code, m.message);
            err.refused = true; // the server said no, as opposed to the socket closing
            reject(err);
            return true;
          }
          return false;
        },
        closed: (info) => reject(otError('OT_CONNECT_FAILED', codes.CONNECT_FAILED,
          `The connection to the session closed${info.reason ? `: ${info.reason}` : ''}`)),
      };
      if (this.socket?.readyState !== WebSocket.OPEN) {
        waiter.closed({ reason: 'it is reconnecting' });
        return;
      }
      this.waiters.add(waiter);
      this.send(message);
    });
  }

  close() {
    this.closedByUs = true;
    this.socket?.close(1000, 'disconnected');
  }

  #receive(data) {
    let message;
    try {
      message = JSON.parse(data);
    } catch {
      return;
    }
    for (const w of [...this.waiters]) {
      if (w.receive(message)) return;
    }
    this.onMessage(message);
  }
}
