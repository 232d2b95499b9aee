// The cluster scenarios' runner: for each stack, N node processes on one bus plus a clients
// process; the room spans every node and node 0 broadcasts to it at a paced rate. Each round
// measures every node's CPU over the window and the clients' one-way latency.
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

/** Load of a full run (scale 1); the duration scales, the rate does not (paced, not saturated). */
export const CLUSTER_LOAD = { nodes: 3, clientsPerNode: 4, rate: 500, durationMs: 3_000 };

const HERE = import.meta.dirname;
const PROFILE_DIR_VAR = "BENCH_CPU_PROF";
const PROFILE_IMPL_VAR = "BENCH_CPU_PROF_IMPL";

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

async function formCluster(stack: Stack, clientsPerNode: number): Promise<void> {
  const n = stack.nodes.length;
  for (const node of stack.nodes) {
    await until("the cluster to form", async () => (await node.request<number>("servers")) === n);
  }
  const urls = stack.nodes.map((node) => `http://127.0.0.1:${node.ready.port}`);
  await stack.clients.request("connect", { urls, perNode: clientsPerNode });
  for (const node of stack.nodes) {
    await until(
      "every client to join the room",
      async () => (await node.request<number>("members")) === clientsPerNode,
    );
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
  count: number,
  rate: number,
  redis: Redis | undefined,
): Promise<Sample> {
  const [publisher] = stack.nodes;
  if (publisher === undefined) throw new Error("no nodes");
  const expected = count * stack.nodes.length * CLUSTER_LOAD.clientsPerNode;
  await stack.clients.request("reset");
  const redisBefore = redis === undefined ? undefined : await redisCpuUs(redis);
  const cpu = (): Promise<NodeJS.CpuUsage[]> =>
    Promise.all(stack.nodes.map((node) => node.request<NodeJS.CpuUsage>("cpu")));
  await Promise.all(stack.nodes.map((node) => node.request("probe:start")));
  const cpuBefore = await cpu();
  const { sent } = await publisher.request<{ sent: number }>("publish", { count, rate });
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

/** Runs the cluster scenario: both stacks, alternating rounds. */
export async function runClusterBench(
  ctx: ScenarioContext,
  options: ClusterBenchOptions,
): Promise<Metric[]> {
  const { nodes, clientsPerNode, rate, durationMs } = CLUSTER_LOAD;
  const count = Math.max(20, Math.round((rate * durationMs * ctx.scale) / 1000));
  const baseline = options.baseline === undefined ? {} : { baseline: options.baseline };
  const t = options.targets;
  const m = {
    cpu: metric("node CPU per cluster delivery (all nodes)", "µs", {
      ...baseline,
      ...(t === undefined ? {} : { target: t.cpuPerDelivery }),
    }),
    system: metric("… of which kernel (system) CPU", "µs", baseline),
    publisher: metric("publisher node CPU per broadcast", "µs", baseline),
    receiver: metric("receiving node CPU per delivery", "µs", baseline),
    p50: metric("cross-node latency p50", "ms", baseline),
    p99: metric("cross-node latency p99", "ms", {
      ...baseline,
      ...(t === undefined ? {} : { target: t.p99 }),
    }),
    local: metric("publisher-local latency p50", "ms", baseline),
    redis: metric("Redis CPU per broadcast", "µs", baseline),
  };

  const services: TestService[] = [];
  const stacks = new Map<Impl, Stack>();
  let redisClient: Redis | undefined;
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
      const stack = await startStack(impl, config, nodes);
      stacks.set(impl, stack);
      await formCluster(stack, clientsPerNode);
    }
    ctx.log(`${nodes} nodes × ${clientsPerNode} clients per stack, ${count} broadcasts/round`);

    await alternate(ctx.rounds, async (impl, index, measured) => {
      const stack = stacks.get(impl);
      if (stack === undefined) throw new Error(`no ${impl} stack`);
      const usesRedis = impl === "official" || options.bus === "redis";
      const s = await measureRound(stack, count, rate, usesRedis ? redisClient : undefined);
      const delivered = sum(s.stats.received);
      const expected = s.sent * nodes * clientsPerNode;
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
        `${impl} round ${index}: ${(sum(s.cpuUs) / delivered).toFixed(1)} µs/delivery, p99 ${(s.stats.crossNode.p99 / 1000).toFixed(2)} ms`,
      );
    });
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
  const metrics = [m.cpu, m.system, m.publisher, m.receiver, m.p50, m.p99, m.local];
  if (m.redis.switchyard.length > 0 || m.redis.official.length > 0) metrics.push(m.redis);
  return metrics;
}
