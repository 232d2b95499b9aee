// The `eventRateLimit` option: incoming events per socket per second, a token bucket per socket.
// Over it, the socket is disconnected (reason "event rate limit exceeded") or the event dropped.
import { InvalidArgumentError } from "../engine/errors.js";
import { type BucketRate, TokenBucket } from "./token-bucket.js";

/** What happens to a socket that sends events faster than allowed. */
export type EventLimitAction = "disconnect" | "drop";

/** The `eventRateLimit` option of the server (`false` turns the limit off). */
export interface EventRateLimitOptions {
  /** Sustained incoming events per second, per socket. @default 1000 */
  perSecond?: number;
  /** Events a socket may send at once (after a quiet spell) before the rate applies. @default 2000 */
  burst?: number;
  /**
   * `"disconnect"`: the socket gets a DISCONNECT packet and leaves its namespace with reason
   * `"event rate limit exceeded"` (the client reports `io server disconnect` and does not
   * reconnect by itself). `"drop"`: the event is discarded (an ack it asked for never comes).
   * @default "disconnect"
   */
  onLimit?: EventLimitAction;
}

/** The disconnect reason of a socket over the limit. */
export const EVENT_RATE_LIMIT_REASON = "event rate limit exceeded";

/** The defaults of {@link EventRateLimitOptions}. */
export const EVENT_RATE_LIMIT_DEFAULTS: Readonly<Required<EventRateLimitOptions>> = {
  perSecond: 1000,
  burst: 2000,
  onLimit: "disconnect",
};

/** Counts of what the limit refused. */
export interface EventLimitCounters {
  /** Events discarded over the limit (with either action). */
  dropped: number;
  /** Sockets disconnected for it (`onLimit: "disconnect"`). */
  disconnected: number;
}

/** One bucket per socket, created at its first event. */
export class EventRateLimiter {
  readonly rate: BucketRate;
  readonly action: EventLimitAction;
  readonly counters: EventLimitCounters = { dropped: 0, disconnected: 0 };
  readonly #buckets = new WeakMap<object, TokenBucket>();
  readonly #disconnecting = new WeakSet<object>();

  constructor(options: Required<EventRateLimitOptions>) {
    this.rate = { perSecond: options.perSecond, burst: options.burst };
    this.action = options.onLimit;
  }

  /** Whether `socket` may send one more event now; when not, the dropped event is counted. */
  take(socket: object): boolean {
    const now = performance.now();
    let bucket = this.#buckets.get(socket);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.rate, now);
      this.#buckets.set(socket, bucket);
    }
    if (bucket.take(this.rate, now)) return true;
    this.counters.dropped++;
    return false;
  }

  /** True the first time a socket over the limit is to be disconnected (then counted). */
  claimDisconnect(socket: object): boolean {
    if (this.#disconnecting.has(socket)) return false;
    this.#disconnecting.add(socket);
    this.counters.disconnected++;
    return true;
  }
}

/** The limiter of the option (defaults filled), or undefined when it is `false`. */
export function createEventRateLimiter(
  option: false | EventRateLimitOptions | undefined,
): EventRateLimiter | undefined {
  if (option === false) return undefined;
  const given = option ?? {};
  const resolved = { ...EVENT_RATE_LIMIT_DEFAULTS, ...given };
  requirePositive("eventRateLimit.perSecond", resolved.perSecond);
  requirePositive("eventRateLimit.burst", resolved.burst);
  if (resolved.burst < 1) throw new InvalidArgumentError("eventRateLimit.burst must be >= 1");
  if (resolved.onLimit !== "disconnect" && resolved.onLimit !== "drop") {
    throw new InvalidArgumentError(
      `eventRateLimit.onLimit must be "disconnect" or "drop", got ${String(resolved.onLimit)}`,
    );
  }
  return new EventRateLimiter(resolved);
}

/** Throws {@link InvalidArgumentError} unless `value` is a finite number above 0. */
export function requirePositive(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(
      `option ${name} must be a positive number, got ${String(value)}`,
    );
  }
  return value;
}
