// Acknowledgements of one socket: outgoing ack callbacks by packet id (with optional timeout),
// and single-shot reply functions for the acks a client asks for.
import { TimeoutError } from "../socket-errors.js";

/** The fewest pending broadcast acks that trigger a sweep. */
const MIN_SWEEP = 64;

/** A callback waiting for the client's ACK. */
export type AckCallback = (...args: unknown[]) => void;

/** Pending ack callbacks of one socket, keyed by packet id. */
export class PendingAcks {
  readonly #callbacks = new Map<number, AckCallback>();
  /** The `timeout()` acks: their timers, and how to fail them early (created on first use). */
  #timed: Map<number, { timer: NodeJS.Timeout; fail: () => void }> | undefined;
  /** Broadcast acks: when their broadcast stops waiting (epoch ms; created on first use). */
  #expiring: Map<number, number> | undefined;
  /** Broadcast acks are swept when this many are pending (amortised: no timer per socket). */
  #sweepAt = MIN_SWEEP;

  /** Waits forever (no timeout), as socket.io does without `timeout()`. */
  set(id: number, callback: AckCallback): void {
    this.#callbacks.set(id, callback);
  }

  /** Waits up to `timeoutMs`; the callback then gets `(err)` or `(null, ...args)`. */
  setWithTimeout(id: number, callback: AckCallback, timeoutMs: number): void {
    if (this.#timed === undefined) this.#timed = new Map();
    const timed = this.#timed;
    const fail = (): void => {
      this.#callbacks.delete(id);
      timed.delete(id);
      callback(new TimeoutError());
    };
    const timer = setTimeout(fail, timeoutMs);
    timed.set(id, { timer, fail });
    this.#callbacks.set(id, (...args) => {
      clearTimeout(timer);
      timed.delete(id);
      callback(null, ...args);
    });
  }

  /**
   * Registers a broadcast's ack. The broadcast has its own deadline; past `expiresAt` the entry is
   * useless (an answer is ignored anyway), so unanswered entries are swept instead of piling up.
   */
  setUntil(id: number, callback: AckCallback, expiresAt: number): void {
    this.#callbacks.set(id, callback);
    if (this.#expiring === undefined) this.#expiring = new Map();
    this.#expiring.set(id, expiresAt);
    if (this.#expiring.size >= this.#sweepAt) this.sweep(Date.now());
  }

  /** The number of callbacks waiting for an ACK. */
  get size(): number {
    return this.#callbacks.size;
  }

  /** Forgets the broadcast acks whose broadcast stopped waiting before `now`. */
  sweep(now: number): void {
    const expiring = this.#expiring;
    if (expiring === undefined) return;
    for (const [id, expiresAt] of expiring) {
      if (expiresAt >= now) continue;
      expiring.delete(id);
      this.#callbacks.delete(id);
    }
    this.#sweepAt = Math.max(MIN_SWEEP, expiring.size * 2);
  }

  /** Takes the callback of an incoming ACK; later ACKs with the same id find nothing. */
  take(id: number): AckCallback | undefined {
    const callback = this.#callbacks.get(id);
    if (callback !== undefined) this.#callbacks.delete(id);
    this.#expiring?.delete(id);
    return callback;
  }

  /**
   * The socket disconnected: no ACK can arrive any more. Each `timeout()` ack fails now with
   * "operation has timed out" (instead of at its deadline) and its timer is cleared; acks
   * without a timeout are dropped, as nothing would ever call them.
   */
  failAll(): void {
    const timed = [...(this.#timed?.values() ?? [])];
    this.#timed = undefined;
    this.#expiring = undefined;
    this.#callbacks.clear();
    for (const { timer, fail } of timed) {
      clearTimeout(timer);
      fail();
    }
  }
}

/** A reply function for an incoming event: only its first call sends an ACK. */
export function singleShot(send: (args: unknown[]) => void): (...args: unknown[]) => void {
  let sent = false;
  return (...args) => {
    if (sent) return;
    sent = true;
    send(args);
  };
}

/** Calls a user callback; an exception is rethrown on the next tick (B5.6). */
export function callIsolated(
  fn: (...args: never[]) => unknown,
  thisArg: unknown,
  args: unknown[],
): void {
  try {
    Reflect.apply(fn, thisArg, args);
  } catch (err) {
    process.nextTick(() => {
      throw err;
    });
  }
}
