// The standalone sid-aware balancer: a request naming a sid goes to the upstream whose node tag
// starts the sid; anything else is placed by least-connections or consistent hashing. Stateless:
// replicas share nothing, so any number can run side by side.
import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { readSidTag } from "@switchyard/server";
import { appendForwardedFor, clientAddress, forwardedProto } from "../front/forwarded.js";
import { FrontDoor, type Refusal } from "../front/front-door.js";
import type { FrontStats } from "../front/front-server.js";
import { pickByHash, pickLeastLoaded, RecentPlacements } from "../front/pick.js";
import { readRouteKey } from "../front/route-key.js";
import {
  type BalancerOptions,
  type ResolvedBalancerOptions,
  type ResolvedUpstream,
  resolveBalancerOptions,
} from "./balancer-options.js";
import { HealthChecker } from "./health-check.js";
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

type Route = { upstream: Upstream; by: "sid" | "cookie" | "new" } | Refusal;

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
  readonly #front: FrontDoor;
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
    this.#front = new FrontDoor(
      options,
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
    return this.#front.address;
  }

  async listen(): Promise<{ port: number }> {
    await this.#front.listen();
    this.#health?.start();
    return { port: this.address?.port ?? this.#options.port };
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
    const upstream = this.#front.admitRequest(route, res, "No upstream available")?.upstream;
    if (upstream === undefined) return;
    upstream.inFlight++;
    this.#front.proxy(req, res, {
      target: { agent: upstream.agent, host: upstream.host, port: upstream.port },
      forwardedProto: forwardedProto(
        req.headers["x-forwarded-proto"],
        this.#options.trustForwardedFor,
      ),
      onDone: () => {
        upstream.inFlight--;
      },
      onUnreachable: () => this.#onUnreachable(upstream),
    });
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const route = this.#route(req);
    this.#count(route);
    const upstream = this.#front.admitUpgrade(route, socket)?.upstream;
    if (upstream === undefined) return;
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
    this.#health?.stop();
    await this.#front.drain();
    for (const tunnel of this.#tunnels) tunnel.destroy();
    for (const upstream of this.#upstreams) upstream.agent.destroy();
    // Straggling upgrades still in their handshake cannot hold close() forever.
    await this.#front.closed();
  }
}
