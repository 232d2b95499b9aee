// The cluster scenarios' runner: for each stack, N node processes on one bus plus a clients
// process; two rooms (small and large, ROOM_LOADS) span every node and node 0 broadcasts to one
// at a time at a paced rate. Each round measures every node's CPU over the window and the
// clients' one-way latency; a latency row is the median of the per-round p99s.
import { join } from "node:path";
import { Redis } from "ioredis";
import { resolveService, type TestService } from "../../../test/support/services.js";
import { Child, stopAll } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import { IMPLS, type Impl, type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type ScenarioContext } from "../../lib/scenario.js";
import type { Bus, ClientStats, NodeConfig, NodeReady } from "./wire.js";

export interface ClusterBenchOptions {
  /** switchyard's bus (the official stack always uses @socket.io/redis-adapter on Redis). */
  bus: Bus;
  /** Targets of the ratios (cluster-redis); none for cluster-nats. */
  targets?: { cpuPerDelivery: number; p99: number };
  /** Label of the official column when it is not the same bus. */
  baseline?: string;
}

/** Nodes per stack. */
export const CLUSTER_NODES = 3;

/** One room shape a cluster scenario measures: its own metric rows, its own alternated rounds. */
export interface RoomLoad {
  /** Prefix of the metric rows. */
  label: string;
  /** The room's name (the clients ask for it in their handshake query). */
  room: string;
  clientsPerNode: number;
  /** Broadcasts per second from node 0: paced, not saturated, and not scaled. */
  rate: number;
  /** Length of a measured round at scale 1 (the warm-up round is {@link WARMUP_MS}). */
  durationMs: number;
}

/**
 * The two rooms of a full run. Small: few clients per node, many broadcasts, so each bus message
 * carries little work and its fixed cost (bus read, decode, wakeup) dominates. Large: a hundred
 * and fifty clients per node at a rate two shared cores sustain for both stacks, so the cost per
 * delivery dominates. Each round gives ≥ 2,000 cross-node latency samples at scale 1.
 */
export const ROOM_LOADS: readonly RoomLoad[] = [
  { label: "small room", room: "small", clientsPerNode: 4, rate: 500, durationMs: 2_500 },
  { label: "large room", room: "large", clientsPerNode: 150, rate: 40, durationMs: 3_000 },
];

/** Length of each stack's warm-up round (at scale 1). */
const WARMUP_MS = 1_000;

/** "4 clients/node at 500/s; 150 clients/node at 40/s" (scenario descriptions). */
export function describeLoads(): string {
  return ROOM_LOADS.map((l) => `${l.label} ${l.clientsPerNode}/node at ${l.rate}/s`).join(", ");
}

const HERE = import.meta.dirname;
const PROFILE_DIR_VAR = "BENCH_CPU_PROF";
const PROFILE_IMPL_VAR = "BENCH_CPU_PROF_IMPL";
/** Comma-separated room names to run (e.g. `small` while profiling); all when unset. */
const ROOMS_VAR = "BENCH_CLUSTER_ROOMS";

/** The room loads this run measures ({@link ROOMS_VAR}). */
function selectedLoads(): RoomLoad[] {
  const only = process.env[ROOMS_VAR];
  if (only === undefined || only === "") return [...ROOM_LOADS];
  const names = new Set(only.split(","));
  const loads = ROOM_LOADS.filter((load) => names.has(load.room));
  if (loads.length === 0) throw new Error(`${ROOMS_VAR}=${only} names no room of ROOM_LOADS`);
  return loads;
}

interface Stack {
  nodes: Child<NodeReady>[];
  clients: Child;
}

interface Sample {
  cpuUs: number[];
  /** System (kernel) CPU of all nodes, µs. */
  systemUs: number;
  sent: number;
  stats: ClientStats;
  /** Redis CPU over the window, µs (undefined when the stack does not use Redis). */
  redisUs: number | undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function profileArgs(impl: Impl): string[] {
  const dir = process.env[PROFILE_DIR_VAR];
  if (dir === undefined || dir === "") return [];
  return (process.env[PROFILE_IMPL_VAR] ?? "switchyard") === impl
    ? ["--cpu-prof", "--cpu-prof-dir", dir]
    : [];
}

async function startStack(impl: Impl, config: NodeConfig, nodes: number): Promise<Stack> {
  const started = await Promise.allSettled(
    Array.from({ length: nodes }, () =>
      Child.start<NodeReady>(join(HERE, "node.ts"), {
        env: { BENCH_NODE: JSON.stringify(config) },
        execArgv: profileArgs(impl),
      }),
    ),
  );
  const clients = await Child.start(join(HERE, "clients.ts")).catch(async (error: unknown) => {
    await stopAll(started.map((s) => (s.status === "fulfilled" ? s.value : undefined)));
    throw error;
  });
  const ok = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = started.find((s) => s.status === "rejected");
  if (failed !== undefined) {
    await stopAll([...ok, clients]);
    throw failed.reason;
  }
  return { nodes: ok, clients };
}

async function formCluster(stack: Stack): Promise<void> {
  const n = stack.nodes.length;
  for (const node of stack.nodes) {
    await until("the cluster to form", async () => (await node.request<number>("servers")) === n);
  }
  const urls = stack.nodes.map((node) => `http://127.0.0.1:${node.ready.port}`);
  for (const { room, clientsPerNode } of ROOM_LOADS) {
    await stack.clients.request("connect", { urls, perNode: clientsPerNode, room });
    for (const node of stack.nodes) {
      await until(
        `every client to join room ${room}`,
        async () => (await node.request<number>("members", room)) === clientsPerNode,
      );
    }
  }
}

/** Redis' own CPU time (user + sys), µs, from INFO cpu. */
async function redisCpuUs(redis: Redis): Promise<number> {
  const info = await redis.info("cpu");
  const read = (field: string): number =>
    Number(new RegExp(`^${field}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
  return (read("used_cpu_user") + read("used_cpu_sys")) * 1e6;
}

async function measureRound(
  stack: Stack,
  load: RoomLoad,
  count: number,
  redis: Redis | undefined,
): Promise<Sample> {
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

type RoomMetrics = Record<
  "cpu" | "system" | "publisher" | "receiver" | "p50" | "p99" | "local" | "redis",
  Metric
>;

function roomMetrics(load: RoomLoad, options: ClusterBenchOptions): RoomMetrics {
  const baseline = options.baseline === undefined ? {} : { baseline: options.baseline };
  const t = options.targets;
  const row = (name: string, unit: string, target?: number): Metric =>
    metric(`${load.label}: ${name}`, unit, {
      ...baseline,
      ...(target === undefined ? {} : { target }),
    });
  return {
    cpu: row("node CPU per cluster delivery (all nodes)", "µs", t?.cpuPerDelivery),
    system: row("… of which kernel (system) CPU", "µs"),
    publisher: row("publisher node CPU per broadcast", "µs"),
    receiver: row("receiving node CPU per delivery", "µs"),
    p50: row("cross-node latency p50", "ms"),
    p99: row("cross-node latency p99", "ms", t?.p99),
    local: row("publisher-local latency p50", "ms"),
    redis: row("Redis CPU per broadcast", "µs"),
  };
}

/** Broadcasts of one round of `load`: its duration at the rate, scaled, at least 20. */
function broadcastsPerRound(ctx: ScenarioContext, load: RoomLoad, ms: number): number {
  return Math.max(20, Math.round((load.rate * ms * ctx.scale) / 1000));
}

/** The alternated rounds of one room: a warm-up round per stack, then ctx.rounds measured. */
async function runLoad(
  ctx: ScenarioContext,
  load: RoomLoad,
  stacks: Map<Impl, Stack>,
  options: ClusterBenchOptions,
  redisClient: Redis,
): Promise<Metric[]> {
  const m = roomMetrics(load, options);
  const count = broadcastsPerRound(ctx, load, load.durationMs);
  const warmup = broadcastsPerRound(ctx, load, WARMUP_MS);
  const n = CLUSTER_NODES;
  ctx.log(
    `${load.label}: ${n} nodes × ${load.clientsPerNode} clients, ${count} broadcasts/round at ${load.rate}/s ` +
      `(${count * (n - 1) * load.clientsPerNode} cross-node deliveries/round)`,
  );
  await alternate(ctx.rounds, async (impl, index, measured) => {
    const stack = stacks.get(impl);
    if (stack === undefined) throw new Error(`no ${impl} stack`);
    const usesRedis = impl === "official" || options.bus === "redis";
    const redis = usesRedis ? redisClient : undefined;
    const s = await measureRound(stack, load, measured ? count : warmup, redis);
    const delivered = sum(s.stats.received);
    const expected = s.sent * n * load.clientsPerNode;
    if (delivered < expected) ctx.log(`${impl} round ${index}: ${expected - delivered} lost`);
    if (!measured) return;
    const remote = sum(s.stats.received.slice(1));
    record(m.cpu, impl, sum(s.cpuUs) / delivered);
    record(m.system, impl, s.systemUs / delivered);
    record(m.publisher, impl, (s.cpuUs[0] ?? Number.NaN) / s.sent);
    record(m.receiver, impl, sum(s.cpuUs.slice(1)) / remote);
    record(m.p50, impl, s.stats.crossNode.p50 / 1000);
    record(m.p99, impl, s.stats.crossNode.p99 / 1000);
    record(m.local, impl, s.stats.local.p50 / 1000);
    if (s.redisUs !== undefined) record(m.redis, impl, s.redisUs / s.sent);
    ctx.log(
      `${load.label} ${impl} round ${index}: ${(sum(s.cpuUs) / delivered).toFixed(1)} µs/delivery, ` +
        `p99 ${(s.stats.crossNode.p99 / 1000).toFixed(2)} ms over ${s.stats.crossNode.count}`,
    );
  });
  const metrics = [m.cpu, m.system, m.publisher, m.receiver, m.p50, m.p99, m.local];
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
      const config: NodeConfig =
        impl === "official"
          ? { impl, bus: "redis", url: redis.url, key: `sio-bench-${run}` }
          : { impl, bus: options.bus, url: busUrl, key: `sy-bench-${run}` };
      const stack = await startStack(impl, config, CLUSTER_NODES);
      stacks.set(impl, stack);
      await formCluster(stack);
    }
    for (const load of selectedLoads()) {
      metrics.push(...(await runLoad(ctx, load, stacks, options, redisClient)));
    }
  } finally {
    await Promise.all(
      [...stacks.values()].map(async (stack) => {
        await stack.clients.request("close").catch(() => undefined);
        await stopAll([stack.clients, ...stack.nodes]);
      }),
    );
    redisClient?.disconnect();
    await Promise.allSettled(services.map((service) => service.close()));
  }
  return metrics;
}
