// Server-driven heartbeat (protocol.md §1.7): ping every pingInterval, and expect a pong within
// pingTimeout of each ping. A pong restarts the interval; other traffic while a pong is awaited
// pushes the deadline back once per ping, as engine.io 6.6 does.

/** The two timers of one session's heartbeat. */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #onPing: () => void;
  readonly #onTimeout: () => void;
  #intervalTimer: NodeJS.Timeout | undefined;
  #timeoutTimer: NodeJS.Timeout | undefined;
  #refreshed = false;

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
      this.#refreshed = false;
      clearTimeout(this.#timeoutTimer);
      this.#timeoutTimer = setTimeout(() => {
        this.#timeoutTimer = undefined;
        this.#onTimeout();
      }, this.#timeoutMs);
      // Last: sending the ping may close the session (write buffer overflow, a listener), and
      // the stop() that follows must find the pong deadline already set so that it is cleared.
      this.#onPing();
    }, this.#intervalMs);
  }

  /** A pong arrived: the peer is alive, wait for the next interval. */
  onPong(): void {
    clearTimeout(this.#timeoutTimer);
    this.#timeoutTimer = undefined;
    this.start();
  }

  /**
   * A packet other than a pong arrived. While a pong is awaited the peer is alive, but its pong
   * may be queued behind its own data (a large upload), so the deadline restarts, once per ping.
   */
  onActivity(): void {
    if (this.#timeoutTimer === undefined || this.#refreshed) return;
    this.#refreshed = true;
    this.#timeoutTimer.refresh();
  }

  /** Clears both timers. */
  stop(): void {
    clearTimeout(this.#intervalTimer);
    clearTimeout(this.#timeoutTimer);
    this.#intervalTimer = undefined;
    this.#timeoutTimer = undefined;
  }
}
