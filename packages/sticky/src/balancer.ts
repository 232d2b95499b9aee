// The standalone sid-aware balancer: a request naming a sid goes to the upstream whose node tag
// starts the sid; anything else is placed by least-connections or consistent hashing. Stateless:
// replicas share nothing, so any number can run side by side.
import { Agent, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { readSidTag } from "@switchyard/server";
import { answer, answerRaw, answerUnknownSid } from "./answer.js";
import {
  type BalancerOptions,
  type ResolvedBalancerOptions,
  type ResolvedUpstream,
  resolveBalancerOptions,
} from "./balancer-options.js";
import { StickyError, StickyErrorCode } from "./errors.js";
import { appendForwardedFor, clientAddress, forwardedProto } from "./forwarded.js";
import { createFrontServer, type FrontStats } from "./front-server.js";
import { HealthChecker } from "./health-check.js";
import { pickByHash, pickLeastLoaded, RecentPlacements } from "./pick.js";
import { proxyRequest } from "./proxy.js";
import { readRouteKey } from "./route-key.js";
import { tunnelUpgrade } from "./tunnel.js";

/** One upstream's live state, as reported by {@link Balancer.stats}. */
export interface UpstreamStats {
  id: string;
  tag: string;
  healthy: boolean;
  inFlight: number;
}

/** Counters of a running balancer. */
export interface BalancerStats extends FrontStats {
  routedBySid: number;
  routedByCookie: number;
  newSessions: number;
  unknownSid: number;
  upstreamErrors: number;
  upstreams: UpstreamStats[];
}

/** A running (or ready to run) balancer. */
export interface Balancer {
  /** Starts listening and health checking; resolves with the bound port. */
  listen(): Promise<{ port: number }>;
  /** Stops accepting, lets in-flight requests finish (up to `drainTimeoutMs`), then cuts the rest. */
  close(): Promise<void>;
  /** The bound address once listening. */
  readonly address: AddressInfo | undefined;
  stats(): BalancerStats;
}

interface Upstream extends ResolvedUpstream {
  agent: Agent;
  healthy: boolean;
  streak: number;
  inFlight: number;
}

type Route = { upstream: Upstream; by: "sid" | "cookie" | "new" } | "unknown-sid" | "unavailable";

/**
 * Creates a sid-aware balancer in front of Socket.IO nodes whose sids carry their node tag.
 * @example
 * const balancer = createBalancer({ port: 8080, upstreams: [{ id: "node-a", url: "http://10.0.0.5:3000" }] });
 * await balancer.listen();
 */
export function createBalancer(options: BalancerOptions): Balancer {
  return new BalancerImpl(resolveBalancerOptions(options));
}

class BalancerImpl implements Balancer {
  readonly #options: ResolvedBalancerOptions;
  readonly #upstreams: Upstream[];
  readonly #byTag = new Map<string, Upstream>();
  readonly #server: Server;
  readonly #health: HealthChecker | undefined;
  readonly #tunnels = new Set<Duplex>();
  readonly #counters = {
    clientErrors: 0,
    tooManyHeaders: 0,
    tooManyPipelined: 0,
    routedBySid: 0,
    routedByCookie: 0,
    newSessions: 0,
    unknownSid: 0,
    upstreamErrors: 0,
  };
  readonly #recent = new RecentPlacements(1_000);
  #cursor = 0;
  #requests = 0;
  #draining = false;
  #closing: Promise<void> | undefined;

  constructor(options: ResolvedBalancerOptions) {
    this.#options = options;
    this.#upstreams = options.upstreams.map((upstream) => ({
      ...upstream,
      agent: new Agent({
        keepAlive: true,
        timeout: options.idleTimeoutMs,
        maxFreeSockets: options.maxFreeSocketsPerUpstream,
      }),
      healthy: true,
      streak: 0,
      inFlight: 0,
    }));
    for (const upstream of this.#upstreams) this.#byTag.set(upstream.tag, upstream);
    this.#server = createFrontServer(
      options.limits,
      options.idleTimeoutMs,
      {
        onRequest: (req, res) => this.#onRequest(req, res),
        onUpgrade: (req, socket, head) => this.#onUpgrade(req, socket, head),
      },
      this.#counters,
    );
    this.#health =
      options.healthCheck === false
        ? undefined
        : new HealthChecker(options.healthCheck, this.#upstreams, () => undefined);
  }

  get address(): AddressInfo | undefined {
    const address = this.#server.address();
    return address !== null && typeof address === "object" ? address : undefined;
  }

  listen(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        reject(new StickyError(StickyErrorCode.LISTEN_FAILED, error.message, { cause: error }));
      };
      this.#server.once("error", onError);
      this.#server.listen(this.#options.port, this.#options.host, () => {
        this.#server.off("error", onError);
        this.#health?.start();
        resolve({ port: this.address?.port ?? this.#options.port });
      });
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#drain();
    return this.#closing;
  }

  stats(): BalancerStats {
    return {
      ...this.#counters,
      upstreams: this.#upstreams.map(({ id, tag, healthy, inFlight }) => ({
        id,
        tag,
        healthy,
        inFlight,
      })),
    };
  }

  #route(req: IncomingMessage): Route {
    const key = readRouteKey(req.url, req.headers.cookie, this.#options.cookie);
    if (key !== undefined) {
      const upstream = this.#byTag.get(readSidTag(key.sid) ?? "");
      // A query sid names its owner: route there even if checks flap (a dead owner answers 502).
      if (key.source === "query")
        return upstream === undefined ? "unknown-sid" : { upstream, by: "sid" };
      // A cookie is only a hint (it may be stale): use it while its node is healthy.
      if (upstream?.healthy === true) return { upstream, by: "cookie" };
    }
    const healthy = this.#upstreams.filter((upstream) => upstream.healthy);
    if (healthy.length === 0) return "unavailable";
    if (this.#options.newSessions === "consistent-hash") {
      const upstream = healthy[pickByHash(healthy, this.#clientAddress(req))];
      return upstream === undefined ? "unavailable" : { upstream, by: "new" };
    }
    const loads = healthy.map(({ id, inFlight }) => ({
      id,
      inFlight: inFlight + this.#recent.get(id),
    }));
    const upstream = healthy[pickLeastLoaded(loads, this.#cursor++)];
    if (upstream === undefined) return "unavailable";
    this.#recent.add(upstream.id);
    return { upstream, by: "new" };
  }

  #count(route: Route): void {
    if (route === "unknown-sid") this.#counters.unknownSid++;
    else if (route === "unavailable") this.#counters.upstreamErrors++;
    else if (route.by === "sid") this.#counters.routedBySid++;
    else if (route.by === "cookie") this.#counters.routedByCookie++;
    else this.#counters.newSessions++;
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const route = this.#route(req);
    this.#count(route);
    if (route === "unknown-sid") {
      answerUnknownSid(res);
      return;
    }
    if (route === "unavailable") {
      answer(res, 503, "No upstream available");
      return;
    }
    const { upstream } = route;
    upstream.inFlight++;
    this.#requests++;
    proxyRequest(req, res, {
      target: { agent: upstream.agent, host: upstream.host, port: upstream.port },
      forwardedFor: appendForwardedFor(req.headers["x-forwarded-for"], req.socket.remoteAddress),
      forwardedProto: forwardedProto(
        req.headers["x-forwarded-proto"],
        this.#options.trustForwardedFor,
      ),
      timeoutMs: this.#options.idleTimeoutMs,
      closeConnection: () => this.#draining,
      onDone: () => {
        upstream.inFlight--;
        this.#requests--;
        if (this.#draining && this.#requests === 0) this.#server.emit("drained");
      },
      onUnreachable: () => this.#onUnreachable(upstream),
    });
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const route = this.#route(req);
    this.#count(route);
    if (route === "unknown-sid") {
      answerRaw(socket, 400, "Session ID unknown");
      return;
    }
    if (route === "unavailable" || this.#draining) {
      answerRaw(socket, 503);
      return;
    }
    const { upstream } = route;
    upstream.inFlight++;
    tunnelUpgrade(req, socket, head, {
      host: upstream.host,
      port: upstream.port,
      forwardedFor: appendForwardedFor(req.headers["x-forwarded-for"], req.socket.remoteAddress),
      forwardedProto: forwardedProto(
        req.headers["x-forwarded-proto"],
        this.#options.trustForwardedFor,
      ),
      idleTimeoutMs: this.#options.idleTimeoutMs,
      onOpen: (client) => {
        this.#tunnels.add(client);
        client.once("close", () => this.#tunnels.delete(client));
      },
      onDone: () => {
        upstream.inFlight--;
      },
      onUnreachable: () => this.#onUnreachable(upstream),
    });
  }

  #onUnreachable(upstream: Upstream): void {
    this.#counters.upstreamErrors++;
    this.#health?.reportFailure(upstream);
  }

  #clientAddress(req: IncomingMessage): string {
    return clientAddress(
      req.headers["x-forwarded-for"],
      req.socket.remoteAddress,
      this.#options.trustForwardedFor,
    );
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    this.#health?.stop();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeIdleConnections();
    if (this.#requests > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#options.drainTimeoutMs);
        this.#server.once("drained", () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.#server.closeAllConnections();
    for (const tunnel of this.#tunnels) tunnel.destroy();
    for (const upstream of this.#upstreams) upstream.agent.destroy();
    // Straggling upgrades still in their handshake cannot hold close() forever.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#options.drainTimeoutMs);
      void closed.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
