// A token bucket: `burst` tokens at most, refilled at `perSecond`; each admitted unit takes one.
// Plain numbers, no timers: the refill is computed from the elapsed time when a token is asked for.

/** The rate and burst of a bucket. */
export interface BucketRate {
  /** Tokens added per second (the sustained rate). */
  readonly perSecond: number;
  /** Tokens the bucket holds at most (what may pass at once after a quiet spell). */
  readonly burst: number;
}

/** One bucket; starts full. */
export class TokenBucket {
  #tokens: number;
  #at: number;

  constructor(rate: BucketRate, now: number) {
    this.#tokens = rate.burst;
    this.#at = now;
  }

  /** Takes one token at `now` (ms); false when none is left. */
  take(rate: BucketRate, now: number): boolean {
    const elapsed = now - this.#at;
    if (elapsed > 0) {
      this.#tokens = Math.min(rate.burst, this.#tokens + (elapsed * rate.perSecond) / 1000);
      this.#at = now;
    }
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether the bucket is full again at `now` (it can be forgotten: a new one starts full). */
  full(rate: BucketRate, now: number): boolean {
    return this.#tokens + ((now - this.#at) * rate.perSecond) / 1000 >= rate.burst;
  }
}
