// The front door's life, shared by the cluster primary and the balancer: the bounded server of
// front-server.ts, listening, the refusals both give before routing (400 unknown sid, 503), the
// count of proxied requests in flight, and the drain that closes it all.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import {
  type AddressLimitCounters,
  AddressLimiter,
  type AddressRefusal,
  type ResolvedAddressLimits,
} from "@switchyard/server";
import { StickyError, StickyErrorCode } from "../errors.js";
import { stickyLog } from "../log.js";
import {
  answer,
  answerRaw,
  answerUnknownSid,
  tooManyRequestsBody,
  tooManyRequestsMessage,
} from "./answer.js";
import { appendForwardedFor } from "./forwarded.js";
import { createFrontServer, type FrontHandlers, type FrontStats } from "./front-server.js";
import type { ResolvedLimits } from "./limits.js";
import { type ProxyExchange, proxyRequest } from "./proxy.js";
import type { Routed } from "./sid-router.js";

/** The resolved options the front door reads (both the primary's and the balancer's have them). */
export interface FrontDoorOptions {
  readonly port: number;
  readonly host: string | undefined;
  readonly idleTimeoutMs: number;
  readonly drainTimeoutMs: number;
  readonly limits: ResolvedLimits;
  /** Per client address: connections through the front and new sessions per second. */
  readonly addressLimits: ResolvedAddressLimits | undefined;
}

/** A route that leads nowhere: the sid names no live node, or there is nothing to place it on. */
export type Refusal = "unknown-sid" | "unavailable";

/** What a router decides per proxied request; the front door adds the rest of the exchange. */
export type ProxyRoute = Pick<
  ProxyExchange,
  "target" | "forwardedProto" | "onDone" | "onUnreachable"
>;

/** The listening server with its in-flight count and drain state. */
export class FrontDoor {
  readonly #options: FrontDoorOptions;
  readonly #server: Server;
  readonly #limiter: AddressLimiter | undefined;
  #requests = 0;
  #draining = false;
  #closed: Promise<void> | undefined;

  constructor(options: FrontDoorOptions, handlers: FrontHandlers, stats: FrontStats) {
    this.#options = options;
    this.#limiter = options.addressLimits && new AddressLimiter(options.addressLimits);
    this.#server = createFrontServer(options.limits, options.idleTimeoutMs, handlers, stats);
  }

  /** The bound address once listening. */
  get address(): AddressInfo | undefined {
    const address = this.#server.address();
    return address !== null && typeof address === "object" ? address : undefined;
  }

  /** True once {@link drain} has begun. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Starts listening; rejects with `SY_ERR_STICKY_LISTEN_FAILED` if the server cannot. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(new StickyError(StickyErrorCode.LISTEN_FAILED, error.message, { cause: error }));
      };
      this.#server.once("error", onError);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off("error", onError);
        resolve();
      });
    });
  }

  /** Refusals of the address limits, by reason (zeros when they are off). */
  get addressRefusals(): AddressLimitCounters {
    return { ...(this.#limiter?.counters ?? { connections: 0, "handshake-rate": 0 }) };
  }

  /**
   * The target of a request, or undefined once it is answered: 400 Session ID unknown, 503, or
   * 429 past the address limits (a new session counts as a handshake).
   */
  admitRequest<T>(
    req: IncomingMessage,
    route: Routed<T>,
    res: ServerResponse,
    unavailable: string,
  ): T | undefined {
    if (route === "unknown-sid") {
      answerUnknownSid(res);
      return undefined;
    }
    if (route === "unavailable") {
      answer(res, 503, unavailable);
      return undefined;
    }
    const refusal = this.#refusal(req, route.by === "new");
    if (refusal !== undefined) {
      answer(res, 429, tooManyRequestsBody(refusal), "application/json");
      return undefined;
    }
    return route.target;
  }

  /** The target of an upgrade, or undefined once refused (no target, draining, 429). */
  admitUpgrade<T>(req: IncomingMessage, route: Routed<T>, socket: Duplex): T | undefined {
    if (route === "unknown-sid") {
      answerRaw(socket, 400, "Session ID unknown");
      return undefined;
    }
    if (route === "unavailable" || this.#draining) {
      answerRaw(socket, 503);
      return undefined;
    }
    const refusal = this.#refusal(req, route.by === "new");
    if (refusal !== undefined) {
      answerRaw(socket, 429, tooManyRequestsMessage(refusal));
      return undefined;
    }
    return route.target;
  }

  /** Counts a connection of `req`'s client address until the returned release is called. */
  trackConnection(req: IncomingMessage): () => void {
    const limiter = this.#limiter;
    if (limiter === undefined) return noop;
    const address = limiter.addressOf(req);
    limiter.opened(address);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      limiter.closed(address);
    };
  }

  #refusal(req: IncomingMessage, handshake: boolean): AddressRefusal | undefined {
    const limiter = this.#limiter;
    if (limiter === undefined) return undefined;
    const address = limiter.addressOf(req);
    const refusal = limiter.admit(address, handshake);
    if (refusal !== undefined)
      stickyLog.log("429 %s %s from %s: %s", req.method, req.url, address, refusal);
    return refusal;
  }

  /** Proxies one request, counted in flight until done; while draining its connection closes. */
  proxy(req: IncomingMessage, res: ServerResponse, route: ProxyRoute): void {
    this.#requests++;
    const release = this.trackConnection(req);
    proxyRequest(req, res, {
      target: route.target,
      forwardedFor: appendForwardedFor(req.headers["x-forwarded-for"], req.socket.remoteAddress),
      forwardedProto: route.forwardedProto,
      timeoutMs: this.#options.idleTimeoutMs,
      closeConnection: () => this.#draining,
      onDone: () => {
        route.onDone();
        release();
        this.#requests--;
        if (this.#draining && this.#requests === 0) this.#server.emit("drained");
      },
      onUnreachable: () => route.onUnreachable(),
    });
  }

  /** Stops accepting, lets in-flight requests finish (up to `drainTimeoutMs`), then cuts the rest. */
  async drain(): Promise<void> {
    this.#draining = true;
    const server = this.#server;
    this.#closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    if (this.#requests > 0) {
      await this.#atMostDrainTimeout((done) => server.once("drained", done));
    }
    server.closeAllConnections();
  }

  /** After {@link drain}: waits (up to `drainTimeoutMs`) for the server to be fully closed. */
  async closed(): Promise<void> {
    const closed = this.#closed;
    if (closed === undefined) return;
    await this.#atMostDrainTimeout((done) => void closed.then(done));
  }

  #atMostDrainTimeout(subscribe: (done: () => void) => void): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#options.drainTimeoutMs);
      subscribe(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function noop(): void {}
