// The cluster scenarios' runner: for each stack, N node processes on one bus plus a clients
// process; two rooms (small and large, ROOM_LOADS) span every node and node 0 broadcasts to one
// at a time. Each round of a room is a burst (flow-controlled: CPU per delivery, throughput),
// then a paced load (latency, and CPU at that rate). A latency row is the median of the
// per-round p99s.
import { Redis } from "ioredis";
import { resolveService, type TestService } from "../../../test/support/services.js";
import type { ProbeSample } from "../../lib/ipc.js";
import { IMPLS, type Impl, type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type ScenarioContext } from "../../lib/scenario.js";
import { burstMetrics, measureBurst, type RowFactory, recordBurst } from "./burst.js";
import { CLUSTER_NODES, type RoomLoad, selectedLoads } from "./rooms.js";
import { formCluster, type Stack, sleep, startStack, stopStack } from "./stack.js";
import type { Bus, ClientStats, NodeConfig } from "./wire.js";

export interface ClusterBenchOptions {
  /** switchyard's bus (the official stack always uses @socket.io/redis-adapter on Redis). */
  bus: Bus;
  /**
   * Targets of the ratios (cluster-redis): CPU per delivery on the burst row, p99 on the paced
   * row; none for cluster-nats.
   */
  targets?: { cpuPerDelivery: number; p99: number };
  /** Label of the official column when it is not the same bus. */
  baseline?: string;
  /**
   * Connection state recovery on both stacks (the official one on
   * @socket.io/redis-streams-adapter): every broadcast is written to a history.
   */
  recovery?: boolean;
  /**
   * Target of the publisher-local latency rows (p50, and a p99 row is added); without it the
   * p50 row is shown without a target and there is no p99 row.
   */
  localTarget?: number;
  /** A further phase, run with both stacks up after the rooms' rounds; its rows follow theirs. */
  afterLoads?: (ctx: ScenarioContext, stacks: ReadonlyMap<Impl, Stack>) => Promise<Metric[]>;
}

/** Length of each stack's warm-up paced round (at scale 1). */
const WARMUP_MS = 1_000;

interface PacedSample {
  cpuUs: number[];
  /** System (kernel) CPU of all nodes, µs. */
  systemUs: number;
  sent: number;
  stats: ClientStats;
  /** Redis CPU over the window, µs (undefined when the stack does not use Redis). */
  redisUs: number | undefined;
}

/** Redis' own CPU time (user + sys), µs, from INFO cpu. */
async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const read = (field: string): number =>
    Number(new RegExp(`^${field}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return (read("used_cpu_user") + read("used_cpu_sys")) * 1e6;
}

async function measurePaced(
  stack: Stack,
  load: RoomLoad,
  count: number,
  redis: Redis | undefined,
): Promise<PacedSample> {
  const [publisher] = stack.nodes;
  if (publisher === undefined) throw new Error("no nodes");
  const { room, rate } = load;
  const expected = count * stack.nodes.length * load.clientsPerNode;
  await stack.clients.request("reset");
  const redisBefore = redis === undefined ? undefined : await redisCpuUs(redis);
  const cpu = (): Promise<NodeJS.CpuUsage[]> =>
    Promise.all(stack.nodes.map((node) => node.request<NodeJS.CpuUsage>("cpu")));
  await Promise.all(stack.nodes.map((node) => node.request("probe:start")));
  const cpuBefore = await cpu();
  const { sent } = await publisher.request<{ sent: number }>("publish", { room, count, rate });
  // The tail: wait until everything arrived, or nothing more arrives for a second.
  let last = -1;
  let stalledSince = Date.now();
  for (;;) {
    const got = await stack.clients.request<number>("count");
    if (got >= expected) break;
    if (got !== last) {
      last = got;
      stalledSince = Date.now();
    } else if (Date.now() - stalledSince > 1_000) break;
    await sleep(5);
  }
  const cpuAfter = await cpu();
  const probes = await Promise.all(
    stack.nodes.map((node) => node.request<ProbeSample>("probe:stop")),
  );
  const redisAfter = redis === undefined ? undefined : await redisCpuUs(redis);
  const stats = await stack.clients.request<ClientStats>("stats");
  const redisUs =
    redisBefore === undefined || redisAfter === undefined ? undefined : redisAfter - redisBefore;
  const systemUs = sum(cpuAfter.map((after, i) => after.system - (cpuBefore[i]?.system ?? 0)));
  return { cpuUs: probes.map((p) => p.cpuUs), systemUs, sent, stats, redisUs };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

type PacedMetrics = Record<
  "cpu" | "system" | "publisher" | "receiver" | "p50" | "p99" | "local" | "localP99" | "redis",
  Metric
>;

/** The rows of one room's metrics: `<room>: <name>`, with the scenario's baseline label. */
function rowFactory(load: RoomLoad, options: ClusterBenchOptions): RowFactory {
  const baseline = options.baseline === undefined ? {} : { baseline: options.baseline };
  return (name, unit, extra = {}) =>
    metric(`${load.label}: ${name}`, unit, {
      ...baseline,
      ...(extra.target === undefined ? {} : { target: extra.target }),
      ...(extra.lowerIsBetter === undefined ? {} : { lowerIsBetter: extra.lowerIsBetter }),
    });
}

/**
 * The paced rows; only the latency rows carry targets (the CPU one is on the burst row): the
 * cross-node p99's, and the publisher-local ones' when the scenario sets one.
 */
function pacedMetrics(
  row: RowFactory,
  load: RoomLoad,
  p99Target?: number,
  localTarget?: number,
): PacedMetrics {
  return {
    cpu: row(`node CPU per cluster delivery, all nodes (paced ${load.rate}/s)`, "µs"),
    system: row("… of which kernel (system) CPU (paced)", "µs"),
    publisher: row("publisher node CPU per broadcast (paced)", "µs"),
    receiver: row("receiving node CPU per delivery (paced)", "µs"),
    p50: row("cross-node latency p50 (paced)", "ms"),
    p99: row("cross-node latency p99 (paced)", "ms", { target: p99Target }),
    local: row("publisher-local latency p50 (paced)", "ms", { target: localTarget }),
    localP99: row("publisher-local latency p99 (paced)", "ms", { target: localTarget }),
    redis: row("Redis CPU per broadcast (paced)", "µs"),
  };
}

/** Records one measured paced round; returns the line for the progress log. */
function recordPaced(m: PacedMetrics, impl: Impl, s: PacedSample): string {
  const delivered = sum(s.stats.received);
  const remote = sum(s.stats.received.slice(1));
  record(m.cpu, impl, sum(s.cpuUs) / delivered);
  record(m.system, impl, s.systemUs / delivered);
  record(m.publisher, impl, (s.cpuUs[0] ?? Number.NaN) / s.sent);
  record(m.receiver, impl, sum(s.cpuUs.slice(1)) / remote);
  record(m.p50, impl, s.stats.crossNode.p50 / 1000);
  record(m.p99, impl, s.stats.crossNode.p99 / 1000);
  record(m.local, impl, s.stats.local.p50 / 1000);
  record(m.localP99, impl, s.stats.local.p99 / 1000);
  if (s.redisUs !== undefined) record(m.redis, impl, s.redisUs / s.sent);
  return (
    `paced ${(sum(s.cpuUs) / delivered).toFixed(2)} µs/delivery, ` +
    `p99 ${(s.stats.crossNode.p99 / 1000).toFixed(2)} ms over ${s.stats.crossNode.count}`
  );
}

/** Paced broadcasts of one round of `load`: its duration at the rate, scaled, at least 20. */
function pacedPerRound(ctx: ScenarioContext, load: RoomLoad, ms: number): number {
  return Math.max(20, Math.round((load.rate * ms * ctx.scale) / 1000));
}

/** Burst broadcasts of one round (a warm-up round has a quarter), scaled, at least 20. */
function burstPerRound(ctx: ScenarioContext, load: RoomLoad, measured: boolean): number {
  return Math.max(20, Math.round(load.burst.count * ctx.scale * (measured ? 1 : 0.25)));
}

/** The alternated rounds of one room: a warm-up round per stack, then ctx.rounds measured. */
async function runLoad(
  ctx: ScenarioContext,
  load: RoomLoad,
  stacks: Map<Impl, Stack>,
  options: ClusterBenchOptions,
  redisClient: Redis,
): Promise<Metric[]> {
  const row = rowFactory(load, options);
  const b = burstMetrics(row, options.targets?.cpuPerDelivery);
  const m = pacedMetrics(row, load, options.targets?.p99, options.localTarget);
  const count = pacedPerRound(ctx, load, load.durationMs);
  const n = CLUSTER_NODES;
  const perBroadcast = n * load.clientsPerNode;
  ctx.log(
    `${load.label}: ${n} nodes × ${load.clientsPerNode} clients; burst of ` +
      `${burstPerRound(ctx, load, true)} (${load.burst.perTick}/tick, ≤ ${load.burst.window} ahead), ` +
      `then ${count} paced at ${load.rate}/s; ${perBroadcast} deliveries per broadcast`,
  );
  await alternate(ctx.rounds, async (impl, index, measured) => {
    const stack = stacks.get(impl);
    if (stack === undefined) throw new Error(`no ${impl} stack`);
    const usesRedis = impl === "official" || options.bus === "redis";
    const redis = usesRedis ? redisClient : undefined;
    const burst = await measureBurst(stack, load, burstPerRound(ctx, load, measured));
    const burstLost = burst.expected - sum(burst.result.received);
    if (burstLost > 0) ctx.log(`${impl} round ${index}: burst stalled, ${burstLost} lost`);
    const warmup = pacedPerRound(ctx, load, WARMUP_MS);
    const s = await measurePaced(stack, load, measured ? count : warmup, redis);
    const lost = s.sent * perBroadcast - sum(s.stats.received);
    if (lost > 0) ctx.log(`${impl} round ${index}: ${lost} lost`);
    if (!measured) return;
    ctx.log(
      `${load.label} ${impl} round ${index}: ${recordBurst(b, impl, burst)}; ${recordPaced(m, impl, s)}`,
    );
  });
  const metrics = [b.cpu, b.receiver, b.throughput];
  metrics.push(m.cpu, m.system, m.publisher, m.receiver, m.p50, m.p99, m.local);
  if (options.localTarget !== undefined) metrics.push(m.localP99);
  if (m.redis.switchyard.length > 0 || m.redis.official.length > 0) metrics.push(m.redis);
  return metrics;
}

/** Runs the cluster scenario: both stacks up at once, each room's rounds alternated. */
export async function runClusterBench(
  ctx: ScenarioContext,
  options: ClusterBenchOptions,
): Promise<Metric[]> {
  const services: TestService[] = [];
  const stacks = new Map<Impl, Stack>();
  let redisClient: Redis | undefined;
  const metrics: Metric[] = [];
  try {
    const redis = await resolveService("redis");
    if (redis === undefined) throw new Error("Redis is required (redis-server or REDIS_URL)");
    services.push(redis);
    let busUrl = redis.url;
    if (options.bus === "nats") {
      const nats = await resolveService("nats");
      if (nats === undefined) throw new Error("NATS is required (nats-server or NATS_URL)");
      services.push(nats);
      busUrl = nats.url;
    }
    redisClient = new Redis(redis.url);
    const run = `${process.pid}-${Date.now().toString(36)}`;
    for (const impl of IMPLS) {
      const recovery = options.recovery === true;
      const config: NodeConfig =
        impl === "official"
          ? { impl, bus: "redis", url: redis.url, key: `sio-bench-${run}`, recovery }
          : { impl, bus: options.bus, url: busUrl, key: `sy-bench-${run}`, recovery };
      const stack = await startStack(impl, config, CLUSTER_NODES);
      stacks.set(impl, stack);
      await formCluster(stack);
    }
    for (const load of selectedLoads()) {
      metrics.push(...(await runLoad(ctx, load, stacks, options, redisClient)));
    }
    if (options.afterLoads !== undefined) metrics.push(...(await options.afterLoads(ctx, stacks)));
  } finally {
    await Promise.all([...stacks.values()].map(stopStack));
    redisClient?.disconnect();
    await Promise.allSettled(services.map((service) => service.close()));
  }
  return metrics;
}
