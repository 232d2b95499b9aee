// Acknowledgements of one socket: outgoing ack callbacks by packet id (with optional timeout),
// and single-shot reply functions for the acks a client asks for.
import { TimeoutError } from "../socket-errors.js";

/** A callback waiting for the client's ACK. */
export type AckCallback = (...args: unknown[]) => void;

/** Pending ack callbacks of one socket, keyed by packet id. */
export class PendingAcks {
  readonly #callbacks = new Map<number, AckCallback>();

  /** Waits forever (no timeout), as socket.io does without `timeout()`. */
  set(id: number, callback: AckCallback): void {
    this.#callbacks.set(id, callback);
  }

  /** Waits up to `timeoutMs`; the callback then gets `(err)` or `(null, ...args)`. */
  setWithTimeout(id: number, callback: AckCallback, timeoutMs: number): void {
    const timer = setTimeout(() => {
      this.#callbacks.delete(id);
      callback(new TimeoutError());
    }, timeoutMs);
    this.#callbacks.set(id, (...args) => {
      clearTimeout(timer);
      callback(null, ...args);
    });
  }

  /** Takes the callback of an incoming ACK; later ACKs with the same id find nothing. */
  take(id: number): AckCallback | undefined {
    const callback = this.#callbacks.get(id);
    if (callback !== undefined) this.#callbacks.delete(id);
    return callback;
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
