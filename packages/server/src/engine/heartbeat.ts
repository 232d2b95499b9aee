// Server-driven heartbeat (protocol.md §1.7): ping every pingInterval, and expect a pong within
// pingTimeout of each ping. A pong restarts the interval.

/** The two timers of one session's heartbeat. */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #onPing: () => void;
  readonly #onTimeout: () => void;
  #intervalTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;

  constructor(intervalMs: number, timeoutMs: number, onPing: () => void, onTimeout: () => void) {
    this.#intervalMs = intervalMs;
    this.#timeoutMs = timeoutMs;
    this.#onPing = onPing;
    this.#onTimeout = onTimeout;
  }

  /** Schedules the next ping. */
  start(): void {
    clearTimeout(this.#intervalTimer);
    this.#intervalTimer = setTimeout(() => {
      this.#intervalTimer = undefined;
      this.#onPing();
      clearTimeout(this.#timeoutTimer);
      this.#timeoutTimer = setTimeout(() => {
        this.#timeoutTimer = undefined;
        this.#onTimeout();
      }, this.#timeoutMs);
    }, this.#intervalMs);
  }

  /** A pong arrived: the peer is alive, wait for the next interval. */
  onPong(): void {
    clearTimeout(this.#timeoutTimer);
    this.#timeoutTimer = undefined;
    this.start();
  }

  /** Clears both timers. */
  stop(): void {
    clearTimeout(this.#intervalTimer);
    clearTimeout(this.#timeoutTimer);
    this.#intervalTimer = undefined;
    this.#timeoutTimer = undefined;
  }
}
