// Prometheus metrics of one Server (issue 9), on a per-Server prom-client Registry (never the
// global one, so several servers in one process do not collide). Hot paths only bump plain
// numbers in ServerStats; everything is turned into metrics at scrape time.
import { Counter, collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { AddressLimitCounters } from "../limits/address-limits.js";
import type { EventLimitCounters } from "../limits/event-rate-limit.js";

/** The `metrics` option of the server. */
export interface MetricsOptions {
  /** Path of the scrape endpoint. @default "/metrics" */
  path?: string;
  /** Prefix of every metric name. @default "switchyard_" */
  prefix?: string;
  /** Also collect prom-client's default process/Node.js metrics (prefixed). @default false */
  defaultMetrics?: boolean;
  /** Labels added to every metric (e.g. `{ node: "a" }`). @default {} */
  labels?: Record<string, string>;
}

/** Metrics options with the defaults applied. */
export interface ResolvedMetricsOptions {
  path: string;
  prefix: string;
  defaultMetrics: boolean;
  labels: Record<string, string>;
}

/** `true` → defaults; an object → defaults plus the given fields; false/undefined → off. */
export function resolveMetricsOptions(
  option: boolean | MetricsOptions | undefined,
): ResolvedMetricsOptions | undefined {
  if (option === undefined || option === false) return undefined;
  const given = option === true ? {} : option;
  return {
    path: given.path ?? "/metrics",
    prefix: given.prefix ?? "switchyard_",
    defaultMetrics: given.defaultMetrics === true,
    labels: given.labels ?? {},
  };
}

/** Plain counters bumped by the server's event handlers (cheap: one increment each). */
export class ServerStats {
  connections = 0;
  disconnections = 0;
  messagesIn = 0;
  messagesOut = 0;
  broadcasts = 0;
  fanOut = 0;
  unknownSid = 0;
  connectionErrors = 0;
  /** Sessions failed because their WebSocket client broke RFC 6455 framing. */
  websocketProtocolErrors = 0;
  recoveryHits = 0;
  recoveryMisses = 0;
}

/** Bus counters summed over the live cluster adapters (see ClusterCounters). */
export interface BusTotals {
  published: number;
  publishFailed: number;
  received: number;
  dropped: number;
  requestTimeouts: number;
  /** Recovery misses counted by the adapters, by reason (`RecoveryCounters.misses`). */
  recoveryMisses: Record<string, number>;
  /** Events replayed to recovered sockets. */
  recoveryReplayed: number;
}

/** What the metrics read at scrape time. */
export interface MetricsSource {
  stats: ServerStats;
  /** Connected Socket.IO sockets (all namespaces). */
  sockets(): number;
  /** Live Engine.IO sessions. */
  engineClients(): number;
  namespaces(): number;
  bus(): BusTotals;
  ready(): boolean;
  /** What the abuse limits refused (`eventRateLimit`, `addressLimits`). */
  limits?(): { events: EventLimitCounters; handshakes: AddressLimitCounters };
}

/** Sums the `counters` (and `requestTimeouts`) of every adapter that has them. */
export function sumBusCounters(adapters: Iterable<unknown>): BusTotals {
  const totals: BusTotals = {
    published: 0,
    publishFailed: 0,
    received: 0,
    dropped: 0,
    requestTimeouts: 0,
    recoveryMisses: {},
    recoveryReplayed: 0,
  };
  for (const adapter of adapters) {
    if (typeof adapter !== "object" || adapter === null) continue;
    addRecovery(totals, Reflect.get(adapter, "recoveryCounters"));
    const counters: unknown = Reflect.get(adapter, "counters");
    if (typeof counters === "object" && counters !== null) {
      totals.published += numberOf(counters, "published");
      totals.publishFailed += numberOf(counters, "publishFailed");
      totals.received += numberOf(counters, "received");
      totals.dropped += numberOf(counters, "dropped");
    }
    totals.requestTimeouts += numberOf(adapter, "requestTimeouts");
  }
  return totals;
}

function addRecovery(totals: BusTotals, recovery: unknown): void {
  if (typeof recovery !== "object" || recovery === null) return;
  totals.recoveryReplayed += numberOf(recovery, "replayed");
  const misses: unknown = Reflect.get(recovery, "misses");
  if (typeof misses !== "object" || misses === null) return;
  for (const [reason, count] of Object.entries(misses)) {
    if (typeof count === "number") {
      totals.recoveryMisses[reason] = (totals.recoveryMisses[reason] ?? 0) + count;
    }
  }
}

function numberOf(object: object, key: string): number {
  const value: unknown = Reflect.get(object, key);
  return typeof value === "number" ? value : 0;
}

type NumericBusTotal = Exclude<keyof BusTotals, "recoveryMisses">;

/**
 * Misses by reason: the adapters' own counts, plus `unattributed` for the attempts seen at
 * connection that no adapter explained (an adapter without recovery counters).
 */
function missesByReason(attempts: number, counted: Record<string, number>): Record<string, number> {
  const misses: Record<string, number> = {};
  let explained = 0;
  for (const [reason, count] of Object.entries(counted)) {
    if (count === 0) continue;
    misses[reason] = count;
    explained += count;
  }
  if (attempts > explained) misses["unattributed"] = attempts - explained;
  return misses;
}

/** The Prometheus registry of one server. */
export class ServerMetrics {
  readonly registry: Registry;
  readonly #source: MetricsSource;

  constructor(source: MetricsSource, options: ResolvedMetricsOptions) {
    this.#source = source;
    this.registry = new Registry();
    this.registry.setDefaultLabels(options.labels);
    const p = options.prefix;
    const stats = source.stats;
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name: p + name,
        help,
        registers: [this.registry],
        collect() {
          this.set(read());
        },
      });
    };
    const counter = (name: string, help: string, read: () => number): void => {
      new Counter({
        name: p + name,
        help,
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    };
    // A pass over the namespaces' adapters per bus metric and scrape (a handful of namespaces).
    const readBus = (key: NumericBusTotal): number => source.bus()[key];
    gauge("ready", "1 while /readyz would answer 200", () => (source.ready() ? 1 : 0));
    gauge("sockets_connected", "Connected Socket.IO sockets (all namespaces)", source.sockets);
    gauge("engine_clients", "Live Engine.IO sessions", source.engineClients);
    gauge("namespaces", "Namespaces of the server", source.namespaces);
    counter("connections_total", "Sockets connected", () => stats.connections);
    counter("disconnections_total", "Sockets disconnected", () => stats.disconnections);
    counter("packets_received_total", "Engine.IO message packets received", () => stats.messagesIn);
    counter("packets_sent_total", "Engine.IO message packets sent", () => stats.messagesOut);
    counter("broadcasts_total", "Broadcasts emitted from this node", () => stats.broadcasts);
    counter("broadcast_fanout_total", "Local sockets reached by broadcasts", () => stats.fanOut);
    counter(
      "polling_unknown_sid_total",
      "Requests answered 400 for an unknown sid (engine connection_error code 1)",
      () => stats.unknownSid,
    );
    counter(
      "engine_connection_errors_total",
      "Engine.IO requests refused (connection_error, any code)",
      () => stats.connectionErrors,
    );
    counter(
      "websocket_protocol_errors_total",
      "WebSocket connections failed for breaking RFC 6455 framing (built-in engine: bad frames, invalid UTF-8, fragments or message size past the limits)",
      () => stats.websocketProtocolErrors,
    );
    counter("recovery_hits_total", "Connection state recoveries", () => stats.recoveryHits);
    new Counter({
      name: `${p}recovery_misses_total`,
      help: "Recovery attempts (pid and offset sent) that got a new session, by reason",
      labelNames: ["reason"],
      registers: [this.registry],
      collect() {
        this.reset();
        const misses = missesByReason(stats.recoveryMisses, source.bus().recoveryMisses);
        for (const [reason, count] of Object.entries(misses)) this.inc({ reason }, count);
      },
    });
    counter(
      "recovery_replayed_events_total",
      "Missed events replayed to recovered sockets",
      () => source.bus().recoveryReplayed,
    );
    counter("bus_published_total", "Messages published to the cluster bus", () =>
      readBus("published"),
    );
    counter("bus_publish_errors_total", "Publishes the bus refused", () =>
      readBus("publishFailed"),
    );
    counter("bus_received_total", "Valid messages received from peers", () => readBus("received"));
    counter("bus_dropped_total", "Bus messages dropped on receipt (malformed…)", () =>
      readBus("dropped"),
    );
    counter("cluster_request_timeouts_total", "Cluster requests that timed out", () =>
      readBus("requestTimeouts"),
    );
    const limits = source.limits;
    if (limits !== undefined) {
      new Counter({
        name: `${p}events_rate_limited_total`,
        help: "Incoming events over eventRateLimit, by action (dropped, disconnected)",
        labelNames: ["action"],
        registers: [this.registry],
        collect() {
          this.reset();
          const events = limits().events;
          this.inc({ action: "dropped" }, events.dropped);
          this.inc({ action: "disconnected" }, events.disconnected);
        },
      });
      new Counter({
        name: `${p}handshakes_rate_limited_total`,
        help: "Handshakes answered 429 by addressLimits, by reason (connections, handshake-rate)",
        labelNames: ["reason"],
        registers: [this.registry],
        collect() {
          this.reset();
          for (const [reason, count] of Object.entries(limits().handshakes)) {
            this.inc({ reason }, count);
          }
        },
      });
    }
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: p });
  }

  /** The Content-Type of the exposition. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The Prometheus text exposition. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }

  /** The source the metrics read (for tests). */
  get source(): MetricsSource {
    return this.#source;
  }
}
