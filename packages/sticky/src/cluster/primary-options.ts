// Options of the node:cluster primary, their defaults and validation (programmer errors throw).
import { availableParallelism, hostname, tmpdir } from "node:os";
import type { AddressLimitOptions, ResolvedAddressLimits } from "@switchyard/server";
import { InvalidArgumentError } from "../errors.js";
import {
  type ResolvedLimits,
  requirePort,
  requirePositiveInteger,
  resolveFrontAddressLimits,
  resolveLimits,
  type StickyLimits,
} from "../front/limits.js";
import { resolveCookieName } from "../front/route-key.js";

/** How the primary places requests that name no live session. */
export type LoadBalancingMethod = "least-connection" | "round-robin" | "random";

/** Options of {@link setupPrimary}. */
export interface PrimaryOptions {
  /** Port to listen on; 0 picks a free one. @default 0 */
  port?: number;
  /** Address to listen on. @default every interface */
  host?: string;
  /** Workers to fork. @default os.availableParallelism() */
  workers?: number;
  /** Placement of new sessions. @default "least-connection" */
  loadBalancingMethod?: LoadBalancingMethod;
  /** Worker N gets the node id `<nodeIdPrefix>-w<N>` (in `SWITCHYARD_NODE_ID`). @default os.hostname() */
  nodeIdPrefix?: string;
  /** Script the workers run (`cluster.setupPrimary({ exec })`). @default the current script */
  exec?: string;
  /** Extra environment for the workers. */
  env?: Readonly<Record<string, string>>;
  /** Cookie holding the sid, read when the query has none (`true` = `"io"`). @default false */
  cookie?: string | boolean;
  /** Silence after which a client connection or proxied exchange is closed. @default 60000 */
  idleTimeoutMs?: number;
  /** How long `close()` waits for in-flight requests and worker exits. @default 10000 */
  drainTimeoutMs?: number;
  /** How long `setupPrimary()` waits for the first workers to call `setupWorker()`. @default 30000 */
  readyTimeoutMs?: number;
  /** Directory of the workers' private Unix sockets. @default os.tmpdir() */
  socketDir?: string;
  limits?: StickyLimits;
  /**
   * Per client address: proxied requests in flight (a WebSocket handed to a worker is counted by
   * the handshake rate only), and new sessions per second; past them → 429. `trustForwardedFor`
   * only behind a proxy you run. `false` turns them off.
   * @default { maxConnections: 10000, handshakesPerSecond: 1000, handshakeBurst: 10000 }
   */
  addressLimits?: false | AddressLimitOptions;
}

/** Primary options with every default filled in. */
export interface ResolvedPrimaryOptions {
  port: number;
  host: string | undefined;
  workers: number;
  loadBalancingMethod: LoadBalancingMethod;
  nodeIdPrefix: string;
  exec: string | undefined;
  env: Readonly<Record<string, string>>;
  cookie: string | false;
  idleTimeoutMs: number;
  drainTimeoutMs: number;
  readyTimeoutMs: number;
  socketDir: string;
  limits: ResolvedLimits;
  addressLimits: ResolvedAddressLimits | undefined;
}

const METHODS: readonly LoadBalancingMethod[] = ["least-connection", "round-robin", "random"];

/** Validates options and fills defaults; throws {@link InvalidArgumentError} on a bad one. */
export function resolvePrimaryOptions(options: PrimaryOptions): ResolvedPrimaryOptions {
  const port = requirePort(options.port ?? 0);
  const method = options.loadBalancingMethod ?? "least-connection";
  if (!METHODS.includes(method)) {
    throw new InvalidArgumentError(`unknown loadBalancingMethod: ${String(method)}`);
  }
  const nodeIdPrefix = options.nodeIdPrefix ?? hostname();
  if (nodeIdPrefix === "") throw new InvalidArgumentError("nodeIdPrefix is empty");
  return {
    port,
    host: options.host,
    workers: requirePositiveInteger("workers", options.workers ?? availableParallelism()),
    loadBalancingMethod: method,
    nodeIdPrefix,
    exec: options.exec,
    env: options.env ?? {},
    cookie: resolveCookieName(options.cookie),
    idleTimeoutMs: requirePositiveInteger("idleTimeoutMs", options.idleTimeoutMs ?? 60_000),
    drainTimeoutMs: requirePositiveInteger("drainTimeoutMs", options.drainTimeoutMs ?? 10_000),
    readyTimeoutMs: requirePositiveInteger("readyTimeoutMs", options.readyTimeoutMs ?? 30_000),
    socketDir: options.socketDir ?? tmpdir(),
    limits: resolveLimits(options.limits),
    addressLimits: resolveFrontAddressLimits(options.addressLimits),
  };
}
