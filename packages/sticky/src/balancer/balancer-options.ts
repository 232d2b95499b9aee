// Options of the standalone balancer, their defaults and validation (programmer errors throw).
import { type AddressLimitOptions, nodeTag, type ResolvedAddressLimits } from "@switchyard/server";
import { InvalidArgumentError, StickyError, StickyErrorCode } from "../errors.js";
import {
  type ResolvedLimits,
  requirePort,
  requirePositiveInteger,
  resolveFrontAddressLimits,
  resolveLimits,
  type StickyLimits,
} from "../front/limits.js";
import { resolveCookieName } from "../front/route-key.js";
import {
  DEFAULT_HEALTH_CHECK,
  type HealthCheckOptions,
  type ResolvedHealthCheck,
} from "./health-check.js";

/** One Socket.IO node behind the balancer: its `nodeId` and its plain-HTTP address. */
export interface BalancerUpstream {
  /** The node's `nodeId` (its sids start with `nodeTag(id)`). */
  id: string;
  /** `http://host:port` of the node. */
  url: string;
}

/** How requests that name no live session are placed. */
export type NewSessionPolicy = "least-connections" | "consistent-hash";

/** Options of {@link createBalancer}. */
export interface BalancerOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to listen on. @default every interface */
  host?: string;
  upstreams: readonly BalancerUpstream[];
  /** Cookie holding the sid, read when the query has none (`true` = `"io"`). @default false */
  cookie?: string | boolean;
  /** Active health checks; `false` turns them off (every upstream counts as healthy). */
  healthCheck?: HealthCheckOptions | false;
  /** Placement of new sessions. @default "least-connections" */
  newSessions?: NewSessionPolicy;
  /** Silence after which a client or upstream connection is closed; keep it above
   * `pingInterval + pingTimeout` (45 s by default). @default 60000 */
  idleTimeoutMs?: number;
  /** How long `close()` waits for in-flight requests before cutting them. @default 10000 */
  drainTimeoutMs?: number;
  /** Trust the incoming `X-Forwarded-For`/`-Proto` (set only behind a proxy you run). @default false */
  trustForwardedFor?: boolean;
  /** Idle keep-alive connections kept per upstream. @default 64 */
  maxFreeSocketsPerUpstream?: number;
  limits?: StickyLimits;
  /**
   * Per client address (the balancer's `trustForwardedFor` decides where it is read): requests in
   * flight plus open WebSocket tunnels, and new sessions per second; past them → 429. `false`
   * turns them off. @default { maxConnections: 10000, handshakesPerSecond: 1000, handshakeBurst: 10000 }
   */
  addressLimits?: false | Omit<AddressLimitOptions, "trustForwardedFor">;
}

/** One upstream as the balancer tracks it. */
export interface ResolvedUpstream {
  readonly id: string;
  readonly tag: string;
  readonly host: string;
  readonly port: number;
}

/** Balancer options with every default filled in. */
export interface ResolvedBalancerOptions {
  port: number;
  host: string | undefined;
  upstreams: ResolvedUpstream[];
  cookie: string | false;
  healthCheck: ResolvedHealthCheck | false;
  newSessions: NewSessionPolicy;
  idleTimeoutMs: number;
  drainTimeoutMs: number;
  trustForwardedFor: boolean;
  maxFreeSocketsPerUpstream: number;
  limits: ResolvedLimits;
  addressLimits: ResolvedAddressLimits | undefined;
}

/** Validates options and fills defaults; throws {@link InvalidArgumentError} or a tag collision. */
export function resolveBalancerOptions(options: BalancerOptions): ResolvedBalancerOptions {
  const port = requirePort(options.port ?? 0);
  if (options.upstreams.length === 0) throw new InvalidArgumentError("upstreams is empty");
  const newSessions = options.newSessions ?? "least-connections";
  if (newSessions !== "least-connections" && newSessions !== "consistent-hash") {
    throw new InvalidArgumentError(`unknown newSessions policy: ${String(newSessions)}`);
  }
  return {
    port,
    host: options.host,
    upstreams: resolveUpstreams(options.upstreams),
    cookie: resolveCookieName(options.cookie),
    healthCheck: resolveHealthCheck(options.healthCheck),
    newSessions,
    idleTimeoutMs: requirePositiveInteger("idleTimeoutMs", options.idleTimeoutMs ?? 60_000),
    drainTimeoutMs: requirePositiveInteger("drainTimeoutMs", options.drainTimeoutMs ?? 10_000),
    trustForwardedFor: options.trustForwardedFor ?? false,
    maxFreeSocketsPerUpstream: requirePositiveInteger(
      "maxFreeSocketsPerUpstream",
      options.maxFreeSocketsPerUpstream ?? 64,
    ),
    limits: resolveLimits(options.limits),
    addressLimits: resolveFrontAddressLimits(
      options.addressLimits,
      options.trustForwardedFor ?? false,
    ),
  };
}

function resolveHealthCheck(
  option: HealthCheckOptions | false | undefined,
): ResolvedHealthCheck | false {
  if (option === false) return false;
  const resolved = { ...DEFAULT_HEALTH_CHECK, ...option };
  if (!resolved.path.startsWith("/")) {
    throw new InvalidArgumentError(`healthCheck.path must start with "/", got ${resolved.path}`);
  }
  for (const name of ["intervalMs", "timeoutMs", "fall", "rise"] as const) {
    requirePositiveInteger(`healthCheck.${name}`, resolved[name]);
  }
  return resolved;
}

function resolveUpstreams(upstreams: readonly BalancerUpstream[]): ResolvedUpstream[] {
  const byTag = new Map<string, string>();
  return upstreams.map(({ id, url }) => {
    if (typeof id !== "string" || id === "") throw new InvalidArgumentError("upstream id is empty");
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new InvalidArgumentError(`upstream ${id}: invalid url ${String(url)}`);
    }
    if (parsed.protocol !== "http:") {
      throw new InvalidArgumentError(`upstream ${id}: only http:// upstreams are supported`);
    }
    const tag = nodeTag(id);
    const other = byTag.get(tag);
    if (other === id) throw new InvalidArgumentError(`duplicate upstream id ${id}`);
    if (other !== undefined) {
      throw new StickyError(
        StickyErrorCode.TAG_COLLISION,
        `upstreams ${other} and ${id} share the sid tag ${tag}; rename one node`,
      );
    }
    byTag.set(tag, id);
    const host = parsed.hostname.replace(/^\[(.*)\]$/, "$1");
    return { id, tag, host, port: parsed.port === "" ? 80 : Number(parsed.port) };
  });
}
