// Limits of the HTTP front door shared by the cluster primary and the balancer. Every limit is an
// option with a safe default; a request beyond one is answered (400/408/431), never buffered.
import {
  type AddressLimitOptions,
  type ResolvedAddressLimits,
  resolveAddressLimits,
} from "@switchyard/server";
import { InvalidArgumentError } from "../errors.js";

/** Bounds on what one client may send before it is routed. */
export interface StickyLimits {
  /** Request line plus headers, in bytes; beyond → 431. @default 16384 */
  maxHeaderBytes?: number;
  /** Header fields per request; beyond → 431. @default 100 */
  maxHeaderCount?: number;
  /** Time to receive a complete request head (slowloris guard); beyond → 408. @default 10000 */
  headersTimeoutMs?: number;
  /** Time to receive a complete request, body included; beyond → 408. @default 60000 */
  requestTimeoutMs?: number;
  /** Idle time of a keep-alive client connection between requests. @default 5000 */
  keepAliveTimeoutMs?: number;
  /** Requests one connection may have in flight (pipelined) before it is closed. @default 16 */
  maxPipelinedRequests?: number;
}

/** Limits with every default filled in. */
export type ResolvedLimits = Required<StickyLimits>;

/** The defaults of {@link StickyLimits}. */
export const DEFAULT_LIMITS: Readonly<ResolvedLimits> = {
  maxHeaderBytes: 16_384,
  maxHeaderCount: 100,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  maxPipelinedRequests: 16,
};

/** Fills defaults and checks values; throws {@link InvalidArgumentError} on a bad one. */
export function resolveLimits(limits: StickyLimits | undefined): ResolvedLimits {
  const resolved: ResolvedLimits = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    requirePositiveInteger(`limits.${name}`, value);
  }
  if (resolved.requestTimeoutMs < resolved.headersTimeoutMs) {
    throw new InvalidArgumentError("limits.requestTimeoutMs must be >= limits.headersTimeoutMs");
  }
  return resolved;
}

/** Throws {@link InvalidArgumentError} unless `value` is a positive safe integer. */
export function requirePositiveInteger(name: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/** Throws {@link InvalidArgumentError} unless `port` is a port to listen on (0 picks a free one). */
export function requirePort(port: number): number {
  if (!Number.isSafeInteger(port) || port < 0 || port > 65_535) {
    throw new InvalidArgumentError(`port must be 0–65535, got ${String(port)}`);
  }
  return port;
}

/**
 * The front's `addressLimits` (defaults of @switchyard/server, `false` → off); `trustForwardedFor`
 * given here wins over the one inside the option (the balancer has one setting for both).
 */
export function resolveFrontAddressLimits(
  option: false | AddressLimitOptions | undefined,
  trustForwardedFor?: boolean,
): ResolvedAddressLimits | undefined {
  if (option === false) return undefined;
  const given = trustForwardedFor === undefined ? option : { ...option, trustForwardedFor };
  try {
    return resolveAddressLimits(given);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}
