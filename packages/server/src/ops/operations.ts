// The operations layer of one Server (issue 9): health/readiness and metrics endpoints on the
// attached HTTP server, the counters behind the metrics, and graceful shutdown.
import type { EventEmitter } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import type {
  AdapterContract,
  AdapterNamespace,
  BroadcastOptions,
  SocketId,
} from "../adapter/adapter.js";
import type { EngineConnectionError, EngineServer } from "../engine/server.js";
import type { EngineSession } from "../engine/session.js";
import type { EventRateLimiter } from "../limits/event-rate-limit.js";
import type { Namespace } from "../namespace/namespace.js";
import type { Socket } from "../socket/socket.js";
import { WebSocketProtocolError } from "../transport/websocket-native/errors.js";
import {
  adapterConnected,
  checksPass,
  type HealthOptions,
  type ResolvedHealthOptions,
  resolveHealthOptions,
  respondText,
} from "./health.js";
import {
  type MetricsOptions,
  type ResolvedMetricsOptions,
  resolveMetricsOptions,
  ServerMetrics,
  ServerStats,
  sumBusCounters,
} from "./metrics.js";
import {
  onShutdownSignal,
  runShutdown,
  type ShutdownOnSignalOptions,
  type ShutdownOptions,
} from "./shutdown.js";

/** The switchyard operations options of `new Server(…)`. */
export interface OperationsOptions {
  /** `/healthz` and `/readyz` on the attached HTTP server. @default false */
  health?: boolean | HealthOptions;
  /** `/metrics` (Prometheus text) on the attached HTTP server. @default false */
  metrics?: boolean | MetricsOptions;
  /** Graceful shutdown then exit on SIGTERM (see ShutdownOnSignalOptions). @default false */
  shutdownOnSignal?: boolean | ShutdownOnSignalOptions;
}

/** What the operations need from the server. */
export interface OperationsHost {
  /** Every namespace of the server, now. */
  namespaces(): Iterable<Namespace>;
  /** `io.close()`: sockets, adapters (ADAPTER_CLOSE), engine sessions, HTTP server. */
  close(): Promise<void>;
  /** The `eventRateLimit` (undefined when off). */
  eventLimiter?(): EventRateLimiter | undefined;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** Health, metrics and shutdown of one server. */
export class Operations {
  readonly stats: ServerStats = new ServerStats();
  readonly metrics: ServerMetrics | undefined;
  readonly #host: OperationsHost;
  readonly #health: ResolvedHealthOptions | undefined;
  readonly #metricsOptions: ResolvedMetricsOptions | undefined;
  readonly #instrumented: WeakSet<object> = new WeakSet();
  #accepting = true;
  #engine: EngineServer | undefined;
  #httpServer: EventEmitter | undefined;
  #shutdown: Promise<boolean> | undefined;
  readonly #signal: ShutdownOnSignalOptions | undefined;
  #removeSignalHandlers: (() => void) | undefined;
  /** Set by `dispose()` (io.close()); a later `attach()` (a restart in place) opens again. */
  #disposed = false;

  constructor(host: OperationsHost, options: OperationsOptions) {
    this.#host = host;
    this.#health = resolveHealthOptions(options.health);
    this.#metricsOptions = resolveMetricsOptions(options.metrics);
    if (this.#metricsOptions !== undefined) {
      this.metrics = new ServerMetrics(
        {
          stats: this.stats,
          sockets: () => this.#socketCount(),
          engineClients: () => this.#engine?.clientsCount ?? 0,
          namespaces: () => [...host.namespaces()].length,
          bus: () => sumBusCounters(this.#adapters()),
          ready: () => this.ready,
          limits: () => ({
            events: host.eventLimiter?.()?.counters ?? { dropped: 0, disconnected: 0 },
            handshakes: this.#engine?.addressLimiter?.counters ?? {
              connections: 0,
              "handshake-rate": 0,
            },
          }),
        },
        this.#metricsOptions,
      );
    }
    const signal = options.shutdownOnSignal;
    this.#signal =
      signal === undefined || signal === false ? undefined : signal === true ? {} : signal;
    this.#installSignalHandlers();
  }

  #installSignalHandlers(): void {
    if (this.#signal === undefined || this.#removeSignalHandlers !== undefined) return;
    this.#removeSignalHandlers = onShutdownSignal((opts) => this.shutdown(opts), this.#signal);
  }

  /** Whether `/readyz` answers 200: accepting, bus adapters connected, user checks passing. */
  get ready(): boolean {
    if (!this.#accepting) return false;
    for (const adapter of this.#adapters()) if (!adapterConnected(adapter)) return false;
    return this.#health === undefined || checksPass(this.#health.checks);
  }

  /** Whether new connections are accepted (false once shutdown started). */
  get accepting(): boolean {
    return this.#accepting;
  }

  /** Counts connections and recoveries of a namespace (once per namespace). */
  instrument(nsp: Namespace): void {
    if (this.metrics === undefined || this.#instrumented.has(nsp)) return;
    this.#instrumented.add(nsp);
    const stats = this.stats;
    nsp.on("connection", (socket: Socket) => {
      stats.connections++;
      if (socket.recovered) stats.recoveryHits++;
      else if (nsp.recovery !== undefined && attemptedRecovery(socket.handshake.auth)) {
        stats.recoveryMisses++;
      }
      socket.once("disconnect", () => {
        stats.disconnections++;
      });
    });
  }

  /**
   * Hooks the engine (counters, handshake refusal) and the HTTP endpoints. After `io.close()`,
   * this is a restart in place (`io.listen(port)` again): new handshakes are accepted again.
   */
  attach(httpServer: EventEmitter, engine: EngineServer): void {
    if (this.#disposed) {
      this.#disposed = false;
      this.#accepting = true;
      this.#shutdown = undefined;
      this.#installSignalHandlers();
    }
    this.#engine = engine;
    const stats = this.stats;
    engine.on("connection_error", (error: EngineConnectionError) => {
      stats.connectionErrors++;
      if (error.code === 1) stats.unknownSid++;
    });
    if (this.metrics !== undefined) {
      engine.on("connection", (session: EngineSession) => {
        session.on("message", () => {
          stats.messagesIn++;
        });
        session.once("close", (_reason, description) => {
          if (description instanceof Error && description.cause instanceof WebSocketProtocolError) {
            stats.websocketProtocolErrors++;
          }
        });
      });
      engine.on("flush", (_session, packets) => {
        for (const packet of packets) if (packet.type === "message") stats.messagesOut++;
      });
    }
    // Refuse new handshakes once shutdown started; requests of existing sessions go through.
    engine.use((req, _res, next) => {
      if (this.#accepting || new URL(req.url ?? "/", "http://x").searchParams.has("sid")) next();
      else next(new Error("the server is shutting down"));
    });
    if (this.#health === undefined && this.#metricsOptions === undefined) return;
    this.#httpServer = httpServer;
    const previous = httpServer.listeners("request") as RequestListener[];
    httpServer.removeAllListeners("request");
    httpServer.on("request", (req: IncomingMessage, res: ServerResponse) => {
      if (!this.#serve(req, res))
        for (const listener of previous) listener.call(httpServer, req, res);
    });
  }

  /**
   * Graceful shutdown: not-ready and no new handshakes at once, then (after `drainMs`)
   * `io.close()` within `timeoutMs`. Resolves true when it completed within the bound.
   * Idempotent: later calls share the first one.
   */
  shutdown(options: ShutdownOptions = {}): Promise<boolean> {
    this.#shutdown ??= runShutdown(
      {
        stopAccepting: () => {
          this.#accepting = false;
        },
        close: () => this.#host.close(),
        forceClose: () => {
          const server = this.#httpServer ?? this.#engine?.httpServer;
          const closeAll: unknown =
            server === undefined ? undefined : Reflect.get(server, "closeAllConnections");
          if (typeof closeAll === "function") Reflect.apply(closeAll, server, []);
        },
      },
      options,
    );
    return this.#shutdown;
  }

  /** Marks not-ready and removes the signal handlers (called by `io.close()`). */
  dispose(): void {
    this.#disposed = true;
    this.#accepting = false;
    this.#removeSignalHandlers?.();
    this.#removeSignalHandlers = undefined;
  }

  /** Answers an operations request; false when the request is not one. */
  #serve(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const url = req.url ?? "";
    const query = url.indexOf("?");
    const pathname = query === -1 ? url : url.slice(0, query);
    const health = this.#health;
    if (health !== undefined && pathname === health.healthPath) {
      respondText(req, res, 200, "ok\n");
      return true;
    }
    if (health !== undefined && pathname === health.readyPath) {
      const ready = this.ready;
      respondText(req, res, ready ? 200 : 503, ready ? "ready\n" : "not ready\n");
      return true;
    }
    const metrics = this.metrics;
    if (metrics !== undefined && pathname === this.#metricsOptions?.path) {
      metrics.metrics().then(
        (text) => respondText(req, res, 200, text, metrics.contentType),
        () => respondText(req, res, 500, "metrics collection failed\n"),
      );
      return true;
    }
    return false;
  }

  #socketCount(): number {
    let count = 0;
    for (const nsp of this.#host.namespaces()) count += nsp.sockets.size;
    return count;
  }

  *#adapters(): Iterable<unknown> {
    for (const nsp of this.#host.namespaces()) yield nsp.adapter;
  }

  /**
   * Wraps an adapter's broadcast methods to count broadcasts and sockets reached, and returns it.
   * Called on every adapter a namespace creates, `io.adapter(…)`'s replacements included (the
   * counters used to stay on the first, discarded adapter).
   */
  instrumentAdapter(nsp: AdapterNamespace, adapter: AdapterContract): AdapterContract {
    if (this.metrics === undefined || this.#instrumented.has(adapter)) return adapter;
    this.#instrumented.add(adapter);
    const stats = this.stats;
    const target = { adapter, sockets: nsp.sockets };
    const isDirect = (opts: BroadcastOptions): boolean => {
      if (opts.rooms.size !== 1) return false;
      for (const room of opts.rooms) return nsp.sockets.has(room);
      return false;
    };
    const broadcast = adapter.broadcast;
    adapter.broadcast = function (this: typeof adapter, packet, opts) {
      if (isDirect(opts)) return broadcast.call(this, packet, opts);
      stats.broadcasts++;
      stats.fanOut += countSockets(target, opts);
      return broadcast.call(this, packet, opts);
    };
    const broadcastWithAck = adapter.broadcastWithAck;
    adapter.broadcastWithAck = function (this: typeof adapter, packet, opts, onCount, ack) {
      stats.broadcasts++;
      stats.fanOut += countSockets(target, opts);
      return broadcastWithAck.call(this, packet, opts, onCount, ack);
    };
    return adapter;
  }
}

/**
 * Local sockets targeted by a broadcast (rooms ∪, minus except): O(1) without `except` and with
 * at most one room, else one pass over the members.
 */
export function countSockets(
  nsp: {
    readonly adapter: Pick<AdapterContract, "rooms">;
    readonly sockets: ReadonlyMap<SocketId, unknown>;
  },
  opts: BroadcastOptions,
): number {
  const except = opts.except ?? new Set<string>();
  const rooms = nsp.adapter.rooms;
  if (except.size === 0 && opts.rooms.size === 0) return nsp.sockets.size;
  if (except.size === 0 && opts.rooms.size === 1) {
    for (const room of opts.rooms) return rooms.get(room)?.size ?? 0;
  }
  const candidates: Iterable<string>[] =
    opts.rooms.size === 0 ? [nsp.sockets.keys()] : [...opts.rooms].map((r) => rooms.get(r) ?? []);
  const seen = new Set<string>();
  for (const ids of candidates) {
    for (const id of ids) if (!inAny(rooms, except, id)) seen.add(id);
  }
  return seen.size;
}

function inAny(rooms: Map<string, Set<string>>, names: Set<string>, id: string): boolean {
  for (const name of names) if (rooms.get(name)?.has(id) === true) return true;
  return false;
}

function attemptedRecovery(auth: unknown): boolean {
  if (typeof auth !== "object" || auth === null) return false;
  return (
    typeof Reflect.get(auth, "pid") === "string" && typeof Reflect.get(auth, "offset") === "string"
  );
}
