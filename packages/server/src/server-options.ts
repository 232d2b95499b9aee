// Options of the Socket.IO server (docs/protocol.md §3.2): the Engine.IO options plus the Socket.IO
// ones, with the official defaults, and switchyard's `nodeId` and operations options (ops/).
import type { AdapterConstructor } from "./adapter/adapter.js";
import type { Parser } from "./connection/parser.js";
import type { AttachOptions, EngineServerOptions } from "./engine/options.js";
import type { EventRateLimitOptions } from "./limits/event-rate-limit.js";
import type { OperationsOptions } from "./ops/operations.js";
import type { ConnectionStateRecoveryOptions } from "./recovery/recovery-options.js";

/** Options of `new Server(…)`, `attach()` and `listen()`. */
export interface ServerOptions extends EngineServerOptions, AttachOptions, OperationsOptions {
  /** The HTTP path of the server (trailing `/` stripped). @default "/socket.io" */
  path?: string;
  /** Whether to serve the client bundles at `<path>/socket.io.js` etc. @default true */
  serveClient?: boolean;
  /** The adapter class or factory, called once per namespace. @default Adapter (SessionAwareAdapter with recovery) */
  adapter?: AdapterConstructor;
  /** The Socket.IO codec. @default the @switchyard/protocol codec */
  parser?: Parser;
  /** Milliseconds a client may stay without joining any namespace before it is closed. @default 45000 */
  connectTimeout?: number;
  /** Connection state recovery; off unless given (then `{maxDisconnectionDuration: 120000, skipMiddlewares: true}`). */
  connectionStateRecovery?: ConnectionStateRecoveryOptions;
  /** Whether an empty dynamic child namespace is removed (and its adapter closed). @default false */
  cleanupEmptyChildNamespaces?: boolean;
  /**
   * switchyard: incoming events per socket per second (a token bucket); over it the socket is
   * disconnected (reason "event rate limit exceeded") or the event dropped. `false`: no limit.
   * @default { perSecond: 1000, burst: 2000, onLimit: "disconnect" }
   */
  eventRateLimit?: false | EventRateLimitOptions;
  /** This node's id, tagged into every Engine.IO sid. @default SWITCHYARD_NODE_ID, else `<hostname>-<pid>` */
  nodeId?: string;
}

/** Default values of the Socket.IO options. */
export const SERVER_DEFAULTS: {
  readonly path: string;
  readonly serveClient: boolean;
  readonly connectTimeout: number;
  readonly cleanupEmptyChildNamespaces: boolean;
} = {
  path: "/socket.io",
  serveClient: true,
  connectTimeout: 45_000,
  cleanupEmptyChildNamespaces: false,
};
