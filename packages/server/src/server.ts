// Server: the socket.io 4.8 entry point. Options, attach()/listen()/bind(), of(), close(); it wires
// the engine to connections and namespaces and delegates the rest to the main namespace `/`
// (main-namespace-delegate.ts).
import { createServer, type Server as HttpServer } from "node:http";
import type { AdapterConstructor, AdapterContract, AdapterNamespace } from "./adapter/adapter.js";
import { Adapter } from "./adapter/in-memory.js";
import { SessionAwareAdapter } from "./adapter/session-aware.js";
import { type OfficialServerOptions, officialServerOptions } from "./compat/official-adapter.js";
import { Connection, type ConnectionHost } from "./connection/connection.js";
import type { EngineLike, EngineSessionLike } from "./connection/engine-session.js";
import {
  defaultParser,
  type PacketDecoder,
  type PacketEncoder,
  type Parser,
} from "./connection/parser.js";
import { InvalidArgumentError } from "./engine/errors.js";
import { EngineServer } from "./engine/server.js";
import { createEventRateLimiter, type EventRateLimiter } from "./limits/event-rate-limit.js";
import { MainNamespaceDelegate } from "./main-namespace-delegate.js";
import type { Namespace } from "./namespace/namespace.js";
import type { NamespaceContext } from "./namespace/namespace-context.js";
import { NamespaceRegistry, type ParentNspNameMatchFn } from "./namespace/registry.js";
import { createSidGenerator, defaultNodeId } from "./node-id.js";
import type { ServerMetrics } from "./ops/metrics.js";
import { Operations } from "./ops/operations.js";
import type { ShutdownOptions } from "./ops/shutdown.js";
import { resolveRecovery } from "./recovery/recovery-options.js";
import { findClientPackage, serveClientFiles } from "./serve-client.js";
import { SERVER_DEFAULTS, type ServerOptions } from "./server-options.js";
import type { Socket } from "./socket/socket.js";
import { SocketError, SocketErrorCode } from "./socket-errors.js";
import type { DefaultEventsMap, EventsMap } from "./typed-events.js";
import { emitIsolated } from "./typed-events.js";

export type { ServerReservedEventsMap } from "./main-namespace-delegate.js";

/** Anything with `listen` and the Node `request`/`upgrade` events (http, https, http2). */
export type AttachTarget =
  | HttpServer
  | { listen: (...args: never[]) => unknown; on: HttpServer["on"] };

const EXPRESS_MESSAGE =
  "You are trying to attach socket.io to an express request handler function. Please pass a http.Server instance.";

/**
 * A Socket.IO server (drop-in for socket.io 4.8's `Server`).
 * @example
 * const io = new Server(3000);
 * io.on("connection", (socket) => socket.emit("hello", "world"));
 */
export class Server<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  // biome-ignore lint/suspicious/noExplicitAny: socket.io's default SocketData is any
  SocketData = any,
> extends MainNamespaceDelegate<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  /** The main namespace `/`. */
  readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  /** This node's id; the tag of every Engine.IO sid minted by attach()'s engine. */
  readonly nodeId: string;
  /** The shared Socket.IO encoder. */
  readonly encoder: PacketEncoder;
  readonly #opts: ServerOptions;
  readonly #parser: Parser;
  /** Decodes text packets without attachments for every connection (our parser only). */
  readonly #sharedDecoder: PacketDecoder | undefined;
  readonly #registry: NamespaceRegistry<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly #recovery: ReturnType<typeof resolveRecovery>;
  readonly #ops: Operations;
  readonly #eventLimiter: EventRateLimiter | undefined;
  #path = SERVER_DEFAULTS.path;
  #serveClient = SERVER_DEFAULTS.serveClient;
  #connectTimeout = SERVER_DEFAULTS.connectTimeout;
  #adapter: AdapterConstructor = Adapter;
  #engine: EngineServer | undefined;
  /** Our engine made by a read of `engine` before attach(): attach() attaches that one. */
  #unattached: EngineServer | undefined;
  #httpServer: AttachTarget | undefined;
  #officialOpts: OfficialServerOptions | undefined;

  constructor(opts?: ServerOptions);
  constructor(srv: AttachTarget | number | string | undefined, opts?: ServerOptions);
  constructor(srv?: AttachTarget | number | string | ServerOptions, opts: ServerOptions = {}) {
    super();
    let target = srv;
    if (typeof srv === "object" && srv !== null && !("listen" in srv)) {
      opts = srv;
      target = undefined;
    }
    this.#opts = opts;
    if (opts.nodeId !== undefined && (typeof opts.nodeId !== "string" || opts.nodeId === "")) {
      throw new InvalidArgumentError("option nodeId must be a non-empty string");
    }
    this.nodeId = opts.nodeId ?? defaultNodeId();
    this.path(opts.path ?? SERVER_DEFAULTS.path);
    this.connectTimeout(opts.connectTimeout ?? SERVER_DEFAULTS.connectTimeout);
    this.serveClient(opts.serveClient !== false);
    this.#parser = opts.parser ?? defaultParser;
    this.encoder = new this.#parser.Encoder();
    this.#sharedDecoder = this.#parser === defaultParser ? new defaultParser.Decoder() : undefined;
    this.#recovery = resolveRecovery(opts.connectionStateRecovery);
    this.#eventLimiter = createEventRateLimiter(opts.eventRateLimit);
    this.#adapter = opts.adapter ?? (this.#recovery === undefined ? Adapter : SessionAwareAdapter);
    this.#ops = new Operations(
      {
        namespaces: () => this.#registry.all() as Iterable<Namespace>,
        close: () => this.close(),
        eventLimiter: () => this.#eventLimiter,
      },
      opts,
    );
    this.#registry = new NamespaceRegistry(this, this.#namespaceContext(), (nsp) => {
      this.#ops.instrument(nsp as Namespace);
      emitIsolated(this.sockets, "new_namespace", [nsp]);
    });
    this.sockets = this.#registry.of("/");
    this.#ops.instrument(this.sockets as Namespace);
    if (target !== undefined && typeof target !== "object") this.attach(target, opts);
    else if (target !== undefined) this.attach(target as AttachTarget, opts);
  }

  /** The HTTP path (no trailing slash). */
  path(): string;
  path(v: string): this;
  path(v?: string): string | this {
    if (v === undefined) return this.#path;
    this.#path = v.replace(/\/$/, "");
    return this;
  }

  /**
   * The Engine.IO server: the one attach()/listen() attached, or the one given to bind(). Read
   * before either, it is created then (from the constructor's options) and attach() attaches
   * it: never undefined.
   */
  get engine(): EngineServer {
    if (this.#engine === undefined) {
      const engine = this.#newEngine({});
      this.#unattached = engine;
      this.bind(engine);
    }
    return this.#engine as EngineServer;
  }

  set engine(engine: EngineServer) {
    this.#engine = engine;
  }

  /**
   * The HTTP server given to (or created by) attach(), or by the constructor.
   * @throws SocketError (`SY_ERR_SOCKET_NOT_ATTACHED`) before attach()/listen(): there is none.
   */
  get httpServer(): AttachTarget {
    if (this.#httpServer === undefined) {
      throw new SocketError(
        SocketErrorCode.NOT_ATTACHED,
        "io.httpServer was read before attach()/listen(): this Server has no HTTP server yet",
      );
    }
    return this.#httpServer;
  }

  set httpServer(server: AttachTarget) {
    this.#httpServer = server;
  }

  /**
   * @internal socket.io's private `_nsps` (namespaces by name, dynamic children included), read by
   * @socket.io/admin-ui. Not used by switchyard itself (compat/official-adapter.ts).
   */
  get _nsps(): ReadonlyMap<
    string,
    Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  > {
    return this.#registry.nsps;
  }

  /**
   * @internal socket.io's `opts`, read by socket.io-adapter subclasses (recovery settings). Not
   * used by switchyard itself (compat/official-adapter.ts).
   */
  get opts(): OfficialServerOptions {
    this.#officialOpts ??= officialServerOptions(this.#opts, this.#recovery);
    return this.#officialOpts;
  }

  /** Whether the client bundles are served. */
  serveClient(): boolean;
  serveClient(v: boolean): this;
  serveClient(v?: boolean): boolean | this {
    if (v === undefined) return this.#serveClient;
    this.#serveClient = v;
    return this;
  }

  /** The adapter constructor; setting it re-creates the adapters of existing namespaces. */
  adapter(): AdapterConstructor;
  adapter(v: AdapterConstructor): this;
  adapter(v?: AdapterConstructor): AdapterConstructor | this {
    if (v === undefined) return this.#adapter;
    this.#adapter = v;
    if (this.#registry !== undefined) for (const nsp of this.#registry.all()) nsp.createAdapter();
    return this;
  }

  /** Milliseconds a client may stay in no namespace before it is closed. */
  connectTimeout(): number;
  connectTimeout(v: number): this;
  connectTimeout(v?: number): number | this {
    if (v === undefined) return this.#connectTimeout;
    if (typeof v !== "number" || Number.isNaN(v) || v < 0) {
      throw new InvalidArgumentError("option connectTimeout must be a non-negative number");
    }
    this.#connectTimeout = v;
    return this;
  }

  /**
   * Attaches to an HTTP server (or creates one listening on `port`) with a new Engine.IO server.
   * @throws SocketError (`SY_ERR_SOCKET_EXPRESS_HANDLER`) when given a request handler function.
   */
  attach(srv: AttachTarget | number | string, opts: ServerOptions = {}): this {
    if (typeof srv === "function") {
      throw new SocketError(SocketErrorCode.EXPRESS_HANDLER, EXPRESS_MESSAGE);
    }
    let server: AttachTarget;
    if (typeof srv === "number" || typeof srv === "string") {
      const created = createServer((_req, res) => {
        res.writeHead(404);
        res.end();
      });
      created.listen(Number(srv));
      server = created;
    } else {
      server = srv;
    }
    const merged = this.#engineOptions(opts);
    // The engine a read of `io.engine` created (and bound) waits for this attach.
    const pending = this.#unattached !== undefined && this.#unattached === this.#engine;
    const engine = pending ? (this.#unattached as EngineServer) : this.#newEngine(opts);
    this.#unattached = undefined;
    engine.attach(server as HttpServer, merged);
    const client = this.#serveClient ? findClientPackage() : undefined;
    if (client !== undefined) {
      serveClientFiles(server as HttpServer, this.#path, client, merged.cors ?? false);
    }
    this.#httpServer = server;
    if (!pending) this.bind(engine);
    this.#ops.attach(server as HttpServer, engine);
    return this;
  }

  /** Constructor options win over attach options, as in socket.io; the engine gets our path. */
  #engineOptions(opts: ServerOptions): ServerOptions {
    return { ...opts, ...this.#opts, path: this.#path };
  }

  /** Our engine, minting sids tagged with this node's id. */
  #newEngine(opts: ServerOptions): EngineServer {
    const engine = new EngineServer(this.#engineOptions(opts));
    const nextSid = createSidGenerator(this.nodeId);
    engine.generateId = () => nextSid();
    return engine;
  }

  /** Alias of `attach()`. */
  listen(srv: AttachTarget | number | string, opts: ServerOptions = {}): this {
    return this.attach(srv, opts);
  }

  /** Uses an existing Engine.IO server (ours, the official engine.io, or any that emits `connection`). */
  bind(engine: EngineLike): this {
    this.#engine = engine as EngineServer;
    engine.on("connection", (session: EngineSessionLike) => {
      new Connection(this.#connectionHost, session);
    });
    return this;
  }

  /** The namespace `name` (created on first use); a RegExp or function makes a dynamic parent. */
  of(
    name: string | RegExp | ParentNspNameMatchFn,
    fn?: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const nsp = this.#registry.of(name);
    if (fn !== undefined) nsp.on("connect", fn);
    return nsp;
  }

  /** Whether `/readyz` would answer 200 (accepting, bus adapters connected, checks passing). */
  get ready(): boolean {
    return this.#ops.ready;
  }

  /** The per-server Prometheus registry and counters (`metrics` option), else undefined. */
  get metrics(): ServerMetrics | undefined {
    return this.#ops.metrics;
  }

  /**
   * Graceful shutdown: not-ready and no new handshakes at once, then after `drainMs` close()
   * (adapters announce ADAPTER_CLOSE; clients see a transport close and reconnect elsewhere),
   * bounded by `timeoutMs`. Resolves true when it completed within the bound.
   */
  shutdown(options?: ShutdownOptions): Promise<boolean> {
    return this.#ops.shutdown(options);
  }

  /** Closes every socket (`server shutting down`), the adapters, the engine and the HTTP server. */
  async close(fn?: (err?: Error) => void): Promise<void> {
    this.#ops.dispose();
    const namespaces = [...this.#registry.all()];
    for (const nsp of namespaces) {
      for (const socket of [...nsp.sockets.values()]) socket.onClose("server shutting down");
    }
    await Promise.allSettled(namespaces.map((nsp) => nsp.adapter.close()));
    await this.#engine?.close();
    const httpServer = this.#httpServer as HttpServer | undefined;
    if (httpServer === undefined || typeof httpServer.close !== "function") {
      fn?.();
      return;
    }
    await new Promise<void>((resolve) => {
      httpServer.close((err) => {
        fn?.(err);
        resolve();
      });
    });
  }

  readonly #connectionHost: ConnectionHost = {
    encoder: { encode: (packet) => this.encoder.encode(packet) },
    createDecoder: () => new this.#parser.Decoder(),
    sharedDecoder: () => this.#sharedDecoder,
    connectTimeoutMs: () => this.#connectTimeout,
    eventLimiter: () => this.#eventLimiter,
    resolveNamespace: (name, auth, done) => this.#registry.resolve(name, auth, done),
  };

  #namespaceContext(): NamespaceContext {
    return {
      encoder: {
        encode: (packet) => this.encoder.encode(packet),
        defaultWireFormat: this.#parser === defaultParser,
      },
      recovery: () => this.#recovery,
      cleanupEmptyChildNamespaces: () => this.#opts.cleanupEmptyChildNamespaces === true,
      createAdapter: (nsp: AdapterNamespace): AdapterContract =>
        this.#ops.instrumentAdapter(nsp, instantiate(this.#adapter, nsp)),
    };
  }
}

/** Calls an adapter class with `new`, or a factory (arrow functions have no prototype) directly. */
function instantiate(ctor: AdapterConstructor, nsp: AdapterNamespace): AdapterContract {
  if (ctor.prototype === undefined)
    return (ctor as (nsp: AdapterNamespace) => AdapterContract)(nsp);
  return Reflect.construct(ctor, [nsp]) as AdapterContract;
}
