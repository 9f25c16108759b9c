// The mismatch and match rule of OpenTok.js: one "mismatch" after a few
// consecutive frames fail to decrypt, then one "match" on the first frame
// that decrypts after that; never a "match" on a first success. The worker
// applies it to each track, and the subscriber to its tracks together, so
// that it fires one of each per change. Pure, for node's tests.

/** Consecutive failures that make a mismatch: about 100 ms of audio. */
export const FAILURES_FOR_MISMATCH = 5;

export class DecryptMonitor {
  #failures = 0;
  #mismatched = false;
  #threshold;

  /** @param {number} [threshold] */
  constructor(threshold = FAILURES_FOR_MISMATCH) {
    this.#threshold = threshold;
  }

  /**
   * Records one frame's outcome.
   * @param {boolean} ok whether the frame decrypted
   * @returns {'mismatch'|'match'|null} the event to fire, if any
   */
  record(ok) {
    if (ok) {
      this.#failures = 0;
      if (this.#mismatched) {
        this.#mismatched = false;
        return 'match';
      }
      return null;
    }
    this.#failures++;
    if (!this.#mismatched && this.#failures >= this.#threshold) {
      this.#mismatched = true;
      return 'mismatch';
    }
    return null;
  }

  /** Whether the subscriber is in a mismatch now. */
  get mismatched() {
    return this.#mismatched;
  }
}

/**
 * A subscriber's decryption over its tracks, each with its own monitor: it
 * is mismatched while any track is. So it fires one mismatch when the first
 * track fails and one match when the last one recovers, as OpenTok's
 * Subscriber fires each once per change, however many tracks it has.
 */
export class SubscriberDecryption {
  /** @type {Set<string>} the tracks that are mismatched */
  #mismatched = new Set();

  /**
   * Records what one track's monitor fired.
   * @param {string} track
   * @param {'mismatch'|'match'} event
   * @returns {'mismatch'|'match'|null} the event the subscriber fires, if any
   */
  record(track, event) {
    const was = this.#mismatched.size > 0;
    if (event === 'mismatch') this.#mismatched.add(track);
    else this.#mismatched.delete(track);
    const is = this.#mismatched.size > 0;
    if (is === was) return null;
    return is ? 'mismatch' : 'match';
  }
}
