// reconnect-storm: 3 nodes on Redis behind switchyard-balancer replicas, thousands of clients
// (most upgrading to WebSocket, some polling-only), node 0 SIGKILLed: the survivors' CPU per
// reconnection (handshake, upgrade, and the recovery attempt when connection state recovery is
// on) and the time until every client is connected again; switchyard + @switchyard/adapter-redis
// against socket.io + @socket.io/redis-adapter (recovery off) or
// @socket.io/redis-streams-adapter (recovery on), behind the same balancer.
import { execFileSync } from "node:child_process";
import { resolveService, type TestService } from "../../../test/support/services.js";
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, type ScenarioContext, scaled } from "../../lib/scenario.js";
import type { Backoff } from "./storm-client.js";
import { GENERATORS, NODES, type StormSample, stormRound } from "./storm-round.js";

/** Clients at scale 1 (`BENCH_STORM_CLIENTS` overrides, whatever the scale). */
const DEFAULT_CLIENTS = 10_000;
/** Every this many-th client is polling-only (`BENCH_STORM_POLLING_EVERY`). */
const DEFAULT_POLLING_EVERY = 10;
/** socket.io-client 4.8's defaults: reconnectionDelay 1000, reconnectionDelayMax 5000, 0.5. */
const BACKOFF: Backoff = { minMs: 1_000, maxMs: 5_000, jitter: 0.5 };
const MODES = [
  { label: "recovery off", recovery: false },
  { label: "recovery on", recovery: true },
] as const;

function envNumber(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

/** The open-files limit the children inherit (`ulimit -n`). */
function openFilesLimit(): number {
  try {
    return Number(execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim());
  } catch {
    return 1024;
  }
}

/**
 * Balancer replicas: one holds two sockets per client (the client's and the tunnel's), so enough
 * replicas that each stays well inside the open-files limit (stateless replicas side by side, as
 * the balancer is meant to run).
 */
function balancerCount(clients: number): number {
  return Math.max(1, Math.ceil((2 * clients + 2_000) / (0.8 * openFilesLimit())));
}

interface ModeMetrics {
  cpu: Metric;
  net: Metric;
  allBack: Metric;
  p50: Metric;
  failed: Metric;
  recovered: Metric;
}

function modeMetrics(label: string): ModeMetrics {
  return {
    cpu: metric(`${label}: survivor CPU per reconnection`, "µs", { target: 0.5 }),
    net: metric(`${label}: … less the survivors' idle background`, "µs"),
    allBack: metric(`${label}: kill → every client connected again`, "ms"),
    p50: metric(`${label}: kill → reconnected, p50 of the clients`, "ms"),
    failed: metric(`${label}: failed attempts per reconnection`, ""),
    recovered: metric(`${label}: reconnections that recovered their session`, "%", {
      lowerIsBetter: false,
    }),
  };
}

function recordSample(m: ModeMetrics, impl: "switchyard" | "official", s: StormSample): string {
  const cpu = s.survivorCpuUs / s.reconnected;
  record(m.cpu, impl, cpu);
  record(m.net, impl, (s.survivorCpuUs - s.idleCpuUsPerMs * s.windowMs) / s.reconnected);
  record(m.allBack, impl, s.allBackMs);
  record(m.p50, impl, s.p50Ms);
  record(m.failed, impl, s.failedAttempts / s.reconnected);
  record(m.recovered, impl, (100 * s.recovered) / s.reconnected);
  return (
    `${s.reconnected} reconnections (${s.expected} on the killed node), ` +
    `${cpu.toFixed(0)} µs survivor CPU each, all back in ${s.allBackMs.toFixed(0)} ms ` +
    `(p50 ${s.p50Ms.toFixed(0)} ms), ${s.failedAttempts} failed attempts, ${s.recovered} recovered`
  );
}

async function runMode(
  ctx: ScenarioContext,
  mode: (typeof MODES)[number],
  redisUrl: string,
  clients: number,
): Promise<Metric[]> {
  const m = modeMetrics(mode.label);
  const run = `${process.pid}-${Date.now().toString(36)}`;
  const pollingEvery = envNumber("BENCH_STORM_POLLING_EVERY") ?? DEFAULT_POLLING_EVERY;
  await alternate(ctx.rounds, async (impl, index, measured) => {
    const sample = await stormRound({
      impl,
      recovery: mode.recovery,
      redisUrl,
      key: `storm-${run}-${impl === "switchyard" ? "sy" : "sio"}-${index + 1}`,
      clients,
      pollingEvery,
      balancers: balancerCount(clients),
      backoff: BACKOFF,
      log: ctx.log,
    });
    const line = recordSample(measured ? m : modeMetrics("warm-up"), impl, sample);
    ctx.log(`${mode.label} ${impl} round ${index}: ${line}`);
  });
  const rows = [m.cpu, m.net, m.allBack, m.p50, m.failed];
  if (mode.recovery) rows.push(m.recovered);
  return rows;
}

export const scenario: Scenario = {
  name: "reconnect-storm",
  description:
    `${NODES} nodes on Redis behind switchyard-balancer, ${DEFAULT_CLIENTS.toLocaleString("en-US")} clients ` +
    `(BENCH_STORM_CLIENTS; 1 in ${DEFAULT_POLLING_EVERY} polling-only, the others upgrading to WebSocket), node 0 SIGKILLed: ` +
    "survivor CPU per reconnection and time until every client is back, recovery off and on " +
    "(official: socket.io + @socket.io/redis-adapter 8.3, or @socket.io/redis-streams-adapter 0.3)",
  notes: [
    "Each round starts afresh: 3 nodes (tagged sids: switchyard's nodeId, the official server's engine.generateId = createSidGenerator), balancer replicas (createBalancer, least-connections, default health checks on GET /readyz), the clients connected through them, one broadcast to every client (its offset, for recovery), then node 0 is SIGKILLed.",
    `Clients: raw node:http + \`ws\` in ${GENERATORS} generator processes, speaking the wire as socket.io-client 4.8 does with its default transports (polling handshake, CONNECT over polling, upgrade \`2probe\`/\`3probe\`/\`5\`), polling-only ones keeping a long-poll; a lost connection reconnects after socket.io-client's backoff (1 s ± 50 %, doubling to 5 s), with \`40{"pid","offset"}\` when recovery is on.`,
    "Survivor CPU per reconnection: the two surviving nodes' user+sys CPU from the kill until every client is connected (and upgraded) again ÷ reconnections completed in that window; the row below subtracts the survivors' own background (their CPU rate over an idle second just before the kill, times the window). Time: kill → the last reconnection (monotonic clock, system-wide).",
    "Recovery on: switchyard's adapter keeps session records in Redis, so sessions of a SIGKILLed node are restored on a survivor; the official streams adapter saves a session only when its own node sees the disconnection, so after a kill its survivors find none and open new sessions. The recovered row shows which happened.",
    "Balancer replicas: one holds two sockets per client; their number keeps each well inside the open-files limit (ulimit -n), the same for both stacks.",
  ],
  async run(ctx) {
    const clients = envNumber("BENCH_STORM_CLIENTS") ?? scaled(ctx, DEFAULT_CLIENTS, 60);
    const only = process.env["BENCH_STORM_MODES"];
    const modes = MODES.filter(
      (mode) =>
        only === undefined ||
        only === "" ||
        only.split(",").includes(mode.label.split(" ")[1] ?? ""),
    );
    const services: TestService[] = [];
    try {
      const redis = await resolveService("redis");
      if (redis === undefined) throw new Error("Redis is required (redis-server or REDIS_URL)");
      services.push(redis);
      ctx.log(
        `${clients} clients, ${balancerCount(clients)} balancer replica(s), modes: ${modes.map((m) => m.label).join(", ")}`,
      );
      const metrics: Metric[] = [];
      for (const mode of modes) metrics.push(...(await runMode(ctx, mode, redis.url, clients)));
      return metrics;
    } finally {
      await Promise.allSettled(services.map((service) => service.close()));
    }
  },
};
