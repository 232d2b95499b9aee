// The standalone sid-aware balancer: a request naming a sid goes to the upstream whose node tag
// starts the sid; anything else is placed by least-connections or consistent hashing. Stateless:
// replicas share nothing, so any number can run side by side.
import { Agent, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import type { AddressLimitCounters } from "@switchyard/server";
import { appendForwardedFor, clientAddress, forwardedProto } from "../front/forwarded.js";
import { FrontDoor } from "../front/front-door.js";
import type { FrontStats } from "../front/front-server.js";
import { pickByHash } from "../front/pick.js";
import { SidRouter } from "../front/sid-router.js";
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
  /** Requests and upgrades answered 429 by `addressLimits`, by reason. */
  addressRefusals: AddressLimitCounters;
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
  readonly #front: FrontDoor;
  readonly #health: HealthChecker | undefined;
  readonly #tunnels = new Set<Duplex>();
  readonly #counters = { clientErrors: 0, tooManyHeaders: 0, tooManyPipelined: 0 };
  readonly #router: SidRouter<Upstream>;
  /** Requests and tunnels whose upstream could not be reached. */
  #unreachable = 0;
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
    this.#router = new SidRouter(
      this.#upstreams.map((upstream) => ({ tag: upstream.tag, target: upstream })),
      options.cookie,
      {
        id: (upstream) => upstream.id,
        // A query sid names its owner: route there even if checks flap (a dead owner answers 502).
        takesSid: () => true,
        usable: (upstream) => upstream.healthy,
        load: (upstream) => upstream.inFlight,
        place: (healthy, req, placement) =>
          options.newSessions === "consistent-hash"
            ? healthy[pickByHash(healthy, this.#clientAddress(req))]
            : placement.leastLoaded(),
      },
    );
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
    const routes = this.#router.counters;
    return {
      ...this.#counters,
      routedBySid: routes.routedBySid,
      addressRefusals: this.#front.addressRefusals,
      routedByCookie: routes.routedByCookie,
      newSessions: routes.newSessions,
      unknownSid: routes.unknownSid,
      // Nothing to place a request on, or its upstream could not be reached.
      upstreamErrors: routes.unavailable + this.#unreachable,
      upstreams: this.#upstreams.map(({ id, tag, healthy, inFlight }) => ({
        id,
        tag,
        healthy,
        inFlight,
      })),
    };
  }

  #onRequest(req: IncomingMessage, res: ServerResponse): void {
    const upstream = this.#front.admitRequest(
      req,
      this.#router.route(req),
      res,
      "No upstream available",
    );
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
    const upstream = this.#front.admitUpgrade(req, this.#router.route(req), socket);
    if (upstream === undefined) return;
    upstream.inFlight++;
    // An open tunnel is a connection of its client address until it closes.
    const release = this.#front.trackConnection(req);
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
        release();
      },
      onUnreachable: () => this.#onUnreachable(upstream),
    });
  }

  #onUnreachable(upstream: Upstream): void {
    this.#unreachable++;
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
