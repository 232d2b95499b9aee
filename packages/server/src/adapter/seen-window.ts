// Which of a publisher's recent event numbers a node has delivered from one log (the copy check of
// cluster-history-adapter.ts). A retried publish whose first attempt had gone through arrives as a
// second copy of a number already seen: dropped. An original that arrives after a later number of
// the same log — its append was retried after a broker restart, behind appends sent after it — was
// never seen: delivered, late rather than lost. A sliding window of the last 32 numbers, as in
// anti-replay windows; a number older than the window counts as seen.

/** Numbers kept below the highest one seen. */
export const SEEN_WINDOW = 32;

/** The numbers seen from one publisher on one log: the highest, and a bit per number below it. */
export class SeenWindow {
  #last = 0;
  /** Bit d set: number `last − d` was seen (bit 0: `last` itself). */
  #mask = 0;

  /** Notes `n` and returns true when it was new; false for a copy (or older than the window). */
  take(n: number): boolean {
    if (n > this.#last) {
      const shift = n - this.#last;
      this.#mask = shift >= SEEN_WINDOW ? 1 : ((this.#mask << shift) | 1) >>> 0;
      this.#last = n;
      return true;
    }
    const d = this.#last - n;
    if (d >= SEEN_WINDOW) return false;
    const bit = (1 << d) >>> 0;
    if ((this.#mask & bit) !== 0) return false;
    this.#mask = (this.#mask | bit) >>> 0;
    return true;
  }
}
