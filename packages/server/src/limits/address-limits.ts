// Per client address limits of handshakes (the engine) and of connections through a front (the
// sticky balancer and primary): concurrent connections and handshakes per second, each address
// with its own token bucket. Refused handshakes are answered 429 by their callers.
import type { IncomingMessage } from "node:http";
import { InvalidArgumentError, TooManyRequestsError } from "../engine/errors.js";
import { clientAddressOf, MAX_HOPS } from "./client-address.js";
import { requirePositive } from "./event-rate-limit.js";
import { type BucketRate, TokenBucket } from "./token-bucket.js";

/** The `addressLimits` option (`false` turns the limits off). */
export interface AddressLimitOptions {
  /**
   * Concurrent connections per client address: live Engine.IO sessions on a server; requests in
   * flight plus open WebSocket tunnels on the balancer. @default 10000
   */
  maxConnections?: number;
  /** Sustained handshakes (new sessions) per second per client address. @default 1000 */
  handshakesPerSecond?: number;
  /** Handshakes an address may make at once (after a quiet spell) before the rate applies. @default 10000 */
  handshakeBurst?: number;
  /**
   * Read the client address from `X-Forwarded-For` instead of the TCP peer: `true` (or `1`) takes
   * its right-most entry, the one the proxy in front appended; a number `n` (up to 32) trusts `n`
   * proxies in a row that each append (a TLS proxy, then `switchyard-balancer`: `2`) and takes the
   * `n`-th entry from the right (the left-most when the chain is shorter). Only behind proxies you
   * run, with the server reachable through them alone: otherwise any client picks its own address
   * (and escapes the limits, or exhausts another address's). @default false
   */
  trustForwardedFor?: boolean | number;
}

/** Address limits with the defaults filled in (`trustForwardedFor` as a hop count, 0 = off). */
export type ResolvedAddressLimits = Readonly<
  Required<Omit<AddressLimitOptions, "trustForwardedFor">> & { trustForwardedFor: number }
>;

/** The defaults of {@link AddressLimitOptions}. */
export const ADDRESS_LIMIT_DEFAULTS: ResolvedAddressLimits = {
  maxConnections: 10_000,
  handshakesPerSecond: 1000,
  handshakeBurst: 10_000,
  trustForwardedFor: 0,
};

/** Why a handshake was refused. */
export type AddressRefusal = "connections" | "handshake-rate";

/** Counts of refusals, by reason. */
export type AddressLimitCounters = Record<AddressRefusal, number>;

/** Fills defaults and checks values; undefined when the option is `false`. */
export function resolveAddressLimits(
  option: false | AddressLimitOptions | undefined,
): ResolvedAddressLimits | undefined {
  if (option === false) return undefined;
  const resolved = {
    ...ADDRESS_LIMIT_DEFAULTS,
    ...option,
    trustForwardedFor: forwardedHops(option?.trustForwardedFor),
  };
  requirePositive("addressLimits.maxConnections", resolved.maxConnections);
  requirePositive("addressLimits.handshakesPerSecond", resolved.handshakesPerSecond);
  requirePositive("addressLimits.handshakeBurst", resolved.handshakeBurst);
  if (resolved.handshakeBurst < 1) {
    throw new InvalidArgumentError("option addressLimits.handshakeBurst must be >= 1");
  }
  return resolved;
}

/** The hop count of the `trustForwardedFor` option (`false`/absent → 0, `true` → 1). */
function forwardedHops(option: boolean | number | undefined): number {
  if (option === undefined || option === false) return 0;
  if (option === true) return 1;
  if (typeof option !== "number" || !Number.isInteger(option) || option < 0 || option > MAX_HOPS) {
    throw new InvalidArgumentError(
      `option addressLimits.trustForwardedFor must be a boolean or an integer from 0 to ${MAX_HOPS}, got ${String(option)}`,
    );
  }
  return option;
}

/** How often full buckets of quiet addresses are forgotten. */
const SWEEP_MS = 10_000;

/** The live counts and buckets of every client address. */
export class AddressLimiter {
  readonly limits: ResolvedAddressLimits;
  readonly counters: AddressLimitCounters = { connections: 0, "handshake-rate": 0 };
  readonly #rate: BucketRate;
  readonly #open = new Map<string, number>();
  readonly #buckets = new Map<string, TokenBucket>();
  #swept = performance.now();

  constructor(limits: ResolvedAddressLimits) {
    this.limits = limits;
    this.#rate = { perSecond: limits.handshakesPerSecond, burst: limits.handshakeBurst };
  }

  /** The client address of a request (see `trustForwardedFor`). */
  addressOf(req: IncomingMessage): string {
    return clientAddressOf(req, this.limits.trustForwardedFor);
  }

  /** Live connections of `address`. */
  connectionsOf(address: string): number {
    return this.#open.get(address) ?? 0;
  }

  /**
   * Whether `address` may open one more connection now; with `handshake`, it also takes one
   * token of its handshake bucket. A refusal is counted and named.
   */
  admit(address: string, handshake: boolean): AddressRefusal | undefined {
    // No peer address (a Unix socket, as behind the sticky primary): nothing to key a limit on.
    if (address === "") return undefined;
    if (this.connectionsOf(address) >= this.limits.maxConnections) {
      this.counters.connections++;
      return "connections";
    }
    if (!handshake) return undefined;
    const now = performance.now();
    if (now - this.#swept > SWEEP_MS) this.#sweep(now);
    let bucket = this.#buckets.get(address);
    if (bucket === undefined) {
      bucket = new TokenBucket(this.#rate, now);
      this.#buckets.set(address, bucket);
    }
    if (bucket.take(this.#rate, now)) return undefined;
    this.counters["handshake-rate"]++;
    return "handshake-rate";
  }

  /** A connection of `address` opened. */
  opened(address: string): void {
    if (address === "") return;
    this.#open.set(address, this.connectionsOf(address) + 1);
  }

  /** A connection of `address` closed. */
  closed(address: string): void {
    if (address === "") return;
    const count = this.connectionsOf(address) - 1;
    if (count > 0) this.#open.set(address, count);
    else this.#open.delete(address);
  }

  /** Addresses tracked (open connections or a bucket not yet full again): bounded by the sweep. */
  get trackedAddresses(): number {
    return new Set([...this.#open.keys(), ...this.#buckets.keys()]).size;
  }

  #sweep(now: number): void {
    this.#swept = now;
    for (const [address, bucket] of this.#buckets) {
      if (bucket.full(this.#rate, now)) this.#buckets.delete(address);
    }
  }
}

/** The limiter of the option, or undefined when it is `false`. */
export function createAddressLimiter(
  option: false | AddressLimitOptions | undefined,
): AddressLimiter | undefined {
  const limits = resolveAddressLimits(option);
  return limits === undefined ? undefined : new AddressLimiter(limits);
}

/** The 429 refusal of a handshake from `req` over the limits, or undefined when admitted. */
export function refuseHandshake(
  limiter: AddressLimiter,
  req: IncomingMessage,
): TooManyRequestsError | undefined {
  const address = limiter.addressOf(req);
  const refusal = limiter.admit(address, true);
  return refusal === undefined ? undefined : new TooManyRequestsError(refusal, address);
}
