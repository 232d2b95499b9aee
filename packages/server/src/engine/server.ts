// The Engine.IO server (the official engine.io `Server`): verifies requests, runs the handshake
// (the sid: handshake.ts), keeps the session table and routes plain requests and upgrades to
// their transports, which it opens through the transport registry (transport/registry.ts); what
// a refused request or upgrade is answered is in refusal.ts.
import { EventEmitter } from "node:events";
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type AttachableServer, attachToServer } from "../http/attach.js";
import { serializeSessionCookie } from "../http/cookie.js";
import { createCorsMiddleware } from "../http/cors.js";
import { type EngineMiddleware, runMiddlewares } from "../http/middleware.js";
import { forgetQuery, queryOf } from "../http/request-query.js";
import {
  createUpgradeResponse,
  headerLines,
  releaseUpgradeResponse,
  upgradeResponseHeaders,
} from "../http/upgrade-response.js";
import { AddressLimiter, refuseHandshake } from "../limits/address-limits.js";
import { engineLog, transportLog } from "../log.js";
import type {
  RequestTransportOpener,
  TransportEngine,
  UpgradeTransportOpener,
} from "../transport/kind.js";
import { TRANSPORTS, upgradesOf } from "../transport/registry.js";
import type { Transport } from "../transport/transport.js";
import { createBase64Id } from "./base64-id.js";
import {
  EngineErrorMessage,
  type EngineErrorNumber,
  HandshakeError,
  type HandshakeErrorContext,
} from "./errors.js";
import { prepareHandshake } from "./handshake.js";
import {
  type AttachOptions,
  type EngineServerOptions,
  type ResolvedEngineOptions,
  resolveEngineOptions,
} from "./options.js";
import { answerRefusedRequest, answerRefusedUpgrade, middlewareFailure } from "./refusal.js";
import { EngineSession } from "./session.js";
import type { SessionContext, SessionPacket } from "./session-types.js";
import { verifyRequest } from "./verify.js";

/** The `connection_error` payload: `message` is the generic text, details are in `context`. */
export interface EngineConnectionError {
  req: IncomingMessage;
  code: EngineErrorNumber;
  message: string;
  context: HandshakeErrorContext;
}

/** Events of the engine, as in the official engine.io `Server`. */
export interface EngineServerEvents {
  connection: [session: EngineSession];
  connection_error: [error: EngineConnectionError];
  initial_headers: [headers: OutgoingHttpHeaders, req: IncomingMessage];
  headers: [headers: OutgoingHttpHeaders, req: IncomingMessage];
  flush: [session: EngineSession, packets: SessionPacket[]];
  drain: [session: EngineSession];
}

/**
 * The Engine.IO v4 server.
 * @example
 * const engine = new EngineServer({ pingInterval: 10_000 });
 * engine.attach(httpServer);
 * engine.on("connection", (session) => session.on("message", (data) => session.send(data)));
 */
export class EngineServer extends EventEmitter<EngineServerEvents> {
  /** Live sessions keyed by sid (a prototype-less object). */
  readonly clients: Record<string, EngineSession> = Object.create(null);
  readonly options: ResolvedEngineOptions;
  readonly #attachOptions: AttachOptions;
  readonly #middlewares: EngineMiddleware[] = [];
  readonly #requestOpeners = new Map<string, RequestTransportOpener>();
  readonly #upgradeOpeners = new Map<string, UpgradeTransportOpener>();
  /** The session context of each enabled transport (its open packet's `upgrades`). */
  readonly #sessionContexts = new Map<string, SessionContext>();
  #clientsCount = 0;
  #httpServer: AttachableServer | undefined;
  /** The `addressLimits` of handshakes (undefined when off): counts and refusals by reason. */
  readonly addressLimiter: AddressLimiter | undefined;

  constructor(options: EngineServerOptions & AttachOptions = {}) {
    super();
    this.options = resolveEngineOptions(options);
    this.#attachOptions = options;
    const { cors, transports, allowUpgrades, addressLimits } = this.options;
    this.addressLimiter = addressLimits && new AddressLimiter(addressLimits);
    if (cors !== false) this.#middlewares.push(createCorsMiddleware(cors));
    const hooks = {
      wantsFlush: () => this.listenerCount("flush") > 0,
      onFlush: (session: EngineSession, packets: SessionPacket[]) =>
        this.emit("flush", session, packets),
      onDrain: (session: EngineSession) => this.emit("drain", session),
      onClose: (session: EngineSession) => this.#unregister(session),
    };
    const heartbeats = EngineSession.createHeartbeats(this.options);
    const transportEngine: TransportEngine = {
      options: this.options,
      decorateHeaders: (headers, req, sid) => this.#decorateHeaders(headers, req, sid),
      upgradeHeaders: (req) => this.#upgradeHeaders(req),
    };
    for (const name of transports) {
      const kind = TRANSPORTS[name];
      if (kind.handlesUpgrade) this.#upgradeOpeners.set(name, kind.create(transportEngine));
      else this.#requestOpeners.set(name, kind.create(transportEngine));
      const upgrades = allowUpgrades ? upgradesOf(name, transports) : [];
      this.#sessionContexts.set(name, { options: this.options, upgrades, heartbeats, ...hooks });
    }
  }

  /** The HTTP server given to the last `attach()` (or created by `listen()`). */
  get httpServer(): AttachableServer | undefined {
    return this.#httpServer;
  }

  /** Number of live sessions. */
  get clientsCount(): number {
    return this.#clientsCount;
  }

  /** Adds an express-style middleware, run before verification for requests and upgrades. */
  use(middleware: EngineMiddleware): this {
    this.#middlewares.push(middleware);
    return this;
  }

  /** The sid of a new session; override it (it may return a Promise). Default: base64id. */
  generateId(_req: IncomingMessage): string | Promise<string> {
    return createBase64Id();
  }

  /** Handles one HTTP request of the engine (from `attach` or another framework). */
  handleRequest(req: IncomingMessage, res: ServerResponse): void {
    runMiddlewares(this.#middlewares, req, res, (err) => {
      if (err !== undefined) {
        this.#abortRequest(req, res, middlewareFailure(err));
        return;
      }
      const query = queryOf(req);
      verifyRequest(req, query, false, this.options, this.#lookup, (error) => {
        if (error !== undefined) {
          this.#abortRequest(req, res, error);
          return;
        }
        const sid = query.get("sid");
        const transport = sid === null ? undefined : this.clients[sid]?.transport;
        const refused = sid === null ? this.#refuseByAddress(req) : undefined;
        if (refused !== undefined) this.#abortRequest(req, res, refused);
        else if (sid === null) this.#handshakeRequest(req, res, query);
        else if (transport?.onRequest !== undefined) transport.onRequest(req, res);
        else {
          // transport=websocket with a live websocket sid but no Upgrade header.
          const name = "TRANSPORT_HANDSHAKE_ERROR";
          this.#abortRequest(req, res, new HandshakeError(3, { name }));
        }
      });
    });
  }

  /** Handles one WebSocket upgrade of the engine (from `attach` or another framework). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, upgradeHead: Buffer): void {
    // Errors of a socket we may never adopt must not crash the process (ws handles them once it
    // adopts the socket).
    socket.on("error", ignoreSocketError);
    const head = Buffer.from(upgradeHead);
    // Without middlewares, nobody sees the fake response: do not build one.
    const res = this.#middlewares.length > 0 ? createUpgradeResponse(req, socket) : undefined;
    const adopt = (transport: Transport): Transport => {
      // Nothing of the handshake stays attached to the connection but the request itself.
      socket.removeListener("error", ignoreSocketError);
      releaseUpgradeResponse(req, socket);
      forgetQuery(req);
      return transport;
    };
    const proceed = (err?: unknown): void => {
      if (err !== undefined) {
        this.#abortUpgrade(req, socket, middlewareFailure(err));
        return;
      }
      const query = queryOf(req);
      verifyRequest(req, query, true, this.options, this.#lookup, (error) => {
        if (error !== undefined) {
          this.#abortUpgrade(req, socket, error);
          return;
        }
        const name = query.get("transport") ?? "";
        const open = this.#upgradeOpeners.get(name);
        const context = this.#sessionContexts.get(name);
        // Unreachable: verification accepts only enabled transports served by an upgrade.
        if (open === undefined || context === undefined) {
          this.#abortUpgrade(req, socket, new HandshakeError(0, { transport: name }));
          return;
        }
        // Middlewares that set headers when the response starts (express-session via
        // on-headers) hook writeHead(): call it so their headers reach the 101.
        res?.writeHead(101);
        const sid = query.get("sid");
        if (sid !== null) {
          open(req, socket, head, query, (transport) => {
            this.#onUpgradeSocket(sid, adopt(transport));
          });
          return;
        }
        const refused = this.#refuseByAddress(req);
        if (refused !== undefined) {
          this.#abortUpgrade(req, socket, refused);
          return;
        }
        prepareHandshake(
          query,
          () => this.generateId(req),
          this.#isTaken,
          (id) => {
            open(req, socket, head, query, (transport) => {
              this.#register(id, adopt(transport), req, context);
            });
          },
          (error) => this.#abortUpgrade(req, socket, error),
        );
      });
    };
    if (res === undefined) proceed();
    else runMiddlewares(this.#middlewares, req, res, proceed);
  }

  /** Attaches to an HTTP server: `path` (default "/engine.io/") goes to this engine. */
  attach(server: AttachableServer, options: AttachOptions = {}): this {
    this.#httpServer = server;
    attachToServer(server, this, { ...this.#attachOptions, ...options });
    return this;
  }

  /** Closes every session (discarding buffered packets). Idempotent. */
  close(): Promise<void> {
    for (const sid of Object.keys(this.clients)) this.clients[sid]?.close(true);
    return Promise.resolve();
  }

  readonly #lookup = {
    transportOf: (sid: string): string | undefined =>
      Object.hasOwn(this.clients, sid) ? this.clients[sid]?.transport.name : undefined,
  };

  /** The handshake of a transport served by plain requests (polling). */
  #handshakeRequest(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const name = query.get("transport") ?? "";
    const open = this.#requestOpeners.get(name);
    const context = this.#sessionContexts.get(name);
    // Unreachable: verification refuses a handshake of an upgrade transport without upgrade.
    if (open === undefined || context === undefined) {
      this.#abortRequest(req, res, new HandshakeError(3, { name: "TRANSPORT_HANDSHAKE_ERROR" }));
      return;
    }
    prepareHandshake(
      query,
      () => this.generateId(req),
      this.#isTaken,
      (id) => {
        if (res.destroyed) return;
        const transport = open(id);
        this.#register(id, transport, req, context, () => transport.onRequest(req, res));
      },
      (error) => this.#abortRequest(req, res, error),
    );
  }

  /** Whether a live session has sid `id` (a generated sid must be new). */
  readonly #isTaken = (id: string): boolean => Object.hasOwn(this.clients, id);

  #register(
    id: string,
    transport: Transport,
    req: IncomingMessage,
    context: SessionContext,
    start?: () => void,
  ): void {
    const session = new EngineSession(id, context, transport, req);
    engineLog.log(
      "handshake: session %s opened over %s (from %s)",
      id,
      transport.name,
      req.socket?.remoteAddress,
    );
    this.clients[id] = session;
    this.#clientsCount++;
    this.addressLimiter?.opened(this.addressLimiter.addressOf(req));
    start?.();
    this.emit("connection", session);
  }

  /** A session closed (called by the session itself, before its `close` event). */
  #unregister(session: EngineSession): void {
    if (this.clients[session.id] === session) {
      delete this.clients[session.id];
      this.#clientsCount--;
      this.addressLimiter?.closed(this.addressLimiter.addressOf(session.request));
    }
  }

  #onUpgradeSocket(sid: string, transport: Transport): void {
    const session = Object.hasOwn(this.clients, sid) ? this.clients[sid] : undefined;
    // The WebSocket is accepted, then closed, when the session cannot take it (docs/protocol.md §1.5):
    // its transport's `upgrades` (empty without allowUpgrades) do not list the new one.
    if (
      session === undefined ||
      session.readyState !== "open" ||
      session.upgrading ||
      session.upgraded ||
      !this.#sessionContexts.get(session.transport.name)?.upgrades.includes(transport.name)
    ) {
      transport.close();
      return;
    }
    transportLog.log("session %s: %s opened, probing", sid, transport.name);
    session.maybeUpgrade(transport);
  }

  #decorateHeaders(headers: OutgoingHttpHeaders, req: IncomingMessage, sid: string): void {
    if (!queryOf(req).has("sid")) {
      const cookie = this.options.cookie;
      if (cookie !== false) headers["Set-Cookie"] = [serializeSessionCookie(sid, cookie)];
      this.emit("initial_headers", headers, req);
    }
    this.emit("headers", headers, req);
  }

  #upgradeHeaders(req: IncomingMessage): string[] {
    const headers = upgradeResponseHeaders(req);
    if (!queryOf(req).has("sid")) this.emit("initial_headers", headers, req);
    this.emit("headers", headers, req);
    return headerLines(headers);
  }

  /** A handshake over the `addressLimits` (answered 429), else undefined. */
  #refuseByAddress(req: IncomingMessage): HandshakeError | undefined {
    return this.addressLimiter && refuseHandshake(this.addressLimiter, req);
  }

  #abortRequest(req: IncomingMessage, res: ServerResponse, error: HandshakeError): void {
    this.#emitConnectionError(req, error);
    answerRefusedRequest(res, error);
  }

  #abortUpgrade(req: IncomingMessage, socket: Duplex, error: HandshakeError): void {
    this.#emitConnectionError(req, error);
    answerRefusedUpgrade(socket, error);
  }

  #emitConnectionError(req: IncomingMessage, error: HandshakeError): void {
    engineLog.log(
      "refused %s %s: code %d %s",
      req.method,
      req.url,
      error.engineCode,
      error.context.name ?? error.message,
    );
    this.emit("connection_error", {
      req,
      code: error.engineCode,
      message: EngineErrorMessage[error.engineCode],
      context: error.context,
    });
  }
}

function ignoreSocketError(): void {}
