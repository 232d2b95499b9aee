// Reconnection delays: exponential backoff with jitter, the formula of socket.io-client
// (docs/protocol.md §4.2). Pure apart from the injected random source.

/** Backoff settings; the Manager applies its option quirks before building one. */
export interface BackoffOptions {
  min?: number;
  max?: number;
  jitter?: number;
  factor?: number;
}

/** Exponential backoff: `min * factor^attempts`, jittered, capped at `max`. */
export class Backoff {
  /** Attempts made since the last reset. */
  attempts = 0;
  min: number;
  max: number;
  jitter = 0;
  #factor: number;
  #random: () => number;

  constructor(options: BackoffOptions = {}, random: () => number = Math.random) {
    this.min = options.min ?? 100;
    this.max = options.max ?? 10000;
    this.setJitter(options.jitter ?? 0);
    this.#factor = options.factor ?? 2;
    this.#random = random;
  }

  /** The next delay in ms; each call counts one attempt. */
  duration(): number {
    let ms = this.min * this.#factor ** this.attempts++;
    if (this.jitter > 0) {
      const rand = this.#random();
      const deviation = Math.floor(rand * this.jitter * ms);
      ms = (Math.floor(rand * 10) & 1) === 0 ? ms - deviation : ms + deviation;
    }
    return Math.min(ms, this.max) | 0;
  }

  /** Starts over at `min`. */
  reset(): void {
    this.attempts = 0;
  }

  /** Sets the jitter (0 < j ≤ 1; anything else turns jitter off). */
  setJitter(jitter: number): void {
    this.jitter = jitter > 0 && jitter <= 1 ? jitter : 0;
  }
}
