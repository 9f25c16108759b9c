// The mismatch and match rule of OpenTok.js, per subscriber: one
// "mismatch" after a few consecutive frames fail to decrypt, then one
// "match" on the first frame that decrypts after that; never a "match" on a
// first success. Audio and video frames both count. Pure, for node's tests.

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
