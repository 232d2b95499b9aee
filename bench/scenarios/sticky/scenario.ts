// sticky: the switchyard balancer's overhead. The same closed-loop echo load (official
// socket.io-client, polling-only then websocket-only) goes through the balancer to two
// switchyard nodes, or straight to the nodes (the "direct" baseline column).
import { join } from "node:path";
import { Child, stopAll } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, type ScenarioContext } from "../../lib/scenario.js";
import type { OpenArgs, RunResult } from "./load.js";

const HERE = import.meta.dirname;
const NODE_IDS = ["bench-a", "bench-b"];
const CLIENTS = 8;
const ROUND_MS = 2_000;
const TRANSPORTS: OpenArgs["transport"][] = ["polling", "websocket"];
/** A directory here runs the balancer under `--cpu-prof` (for profiling, not for the tables). */
const PROFILE_DIR_VAR = "BENCH_CPU_PROF";

interface Rig {
  nodes: Child<{ port: number }>[];
  balancer: Child<{ port: number }>;
  load: Child;
}

async function startRig(): Promise<Rig> {
  const children: Child[] = [];
  try {
    const nodes = await Promise.all(
      NODE_IDS.map((id) =>
        Child.start<{ port: number }>(join(HERE, "node.ts"), { env: { BENCH_NODE_ID: id } }),
      ),
    );
    children.push(...nodes);
    const upstreams = NODE_IDS.map((id, i) => ({
      id,
      url: `http://127.0.0.1:${nodes[i]?.ready.port}`,
    }));
    const profileDir = process.env[PROFILE_DIR_VAR];
    const balancer = await Child.start<{ port: number }>(join(HERE, "balancer.ts"), {
      env: { BENCH_UPSTREAMS: JSON.stringify(upstreams) },
      execArgv: profileDir ? ["--cpu-prof", "--cpu-prof-dir", profileDir] : [],
    });
    children.push(balancer);
    const load = await Child.start(join(HERE, "load.ts"));
    return { nodes, balancer, load };
  } catch (error) {
    await stopAll(children);
    throw error;
  }
}

type TransportMetrics = Record<"rate" | "p50" | "p99" | "total" | "nodes" | "balancer", Metric>;

function metricsFor(transport: string): TransportMetrics {
  const direct = { baseline: "direct" };
  const unit = transport === "polling" ? "HTTP request" : "round trip";
  return {
    rate: metric(`${transport}: round trips/s`, "/s", { ...direct, lowerIsBetter: false }),
    p50: metric(`${transport}: round trip p50`, "ms", direct),
    p99: metric(`${transport}: round trip p99`, "ms", direct),
    total: metric(`${transport}: nodes+balancer CPU per round trip`, "µs", direct),
    nodes: metric(`${transport}: nodes' CPU per round trip`, "µs", direct),
    balancer: metric(`${transport}: balancer CPU per ${unit}`, "µs", direct),
  };
}

async function runTransport(
  ctx: ScenarioContext,
  rig: Rig,
  transport: OpenArgs["transport"],
): Promise<Metric[]> {
  const m = metricsFor(transport);
  const durationMs = Math.max(200, Math.round(ROUND_MS * ctx.scale));
  const nodeUrls = rig.nodes.map((node) => `http://127.0.0.1:${node.ready.port}`);
  const balancerUrl = `http://127.0.0.1:${rig.balancer.ready.port}`;
  const probed = [...rig.nodes, rig.balancer];
  await alternate(ctx.rounds, async (impl, index, measured) => {
    // switchyard = through the balancer; official column = straight to the nodes.
    const through = impl === "switchyard";
    const urls = through ? [balancerUrl] : nodeUrls;
    await rig.load.request("open", { urls, clients: CLIENTS, transport } satisfies OpenArgs);
    const before = await rig.balancer.request<number>("requests");
    await Promise.all(probed.map((child) => child.request("probe:start")));
    const result = await rig.load.request<RunResult>("run", { durationMs });
    const probes = await Promise.all(
      probed.map((child) => child.request<ProbeSample>("probe:stop")),
    );
    const requests = (await rig.balancer.request<number>("requests")) - before;
    await rig.load.request("close");
    const nodesUs = probes.slice(0, -1).reduce((a, p) => a + p.cpuUs, 0);
    const balancerUs = probes[probes.length - 1]?.cpuUs ?? Number.NaN;
    const trips = result.roundTrips;
    ctx.log(
      `${transport} ${through ? "balancer" : "direct"} round ${index}: ${Math.round((trips * 1000) / result.wallMs)} rt/s, ${requests} balancer requests`,
    );
    if (!measured) return;
    record(m.rate, impl, (trips * 1000) / result.wallMs);
    record(m.p50, impl, result.p50);
    record(m.p99, impl, result.p99);
    record(m.nodes, impl, nodesUs / trips);
    record(m.total, impl, (nodesUs + (through ? balancerUs : 0)) / trips);
    if (through) {
      const per = transport === "polling" ? requests : trips;
      record(m.balancer, impl, balancerUs / per);
    }
  });
  return Object.values(m);
}

export const scenario: Scenario = {
  name: "sticky",
  description: `switchyard-balancer overhead: ${CLIENTS} official clients in closed-loop echo round trips over 2 switchyard nodes, through the balancer vs direct (baseline "direct")`,
  notes: [
    'The "official" column is the same load sent straight to the nodes (`[direct]`): no official balancer exists, and a plain proxy would hide the routing cost we want to see.',
    "Polling: one round trip = a POST (emit) answered through the pending GET, so ≈ 2 HTTP requests through the balancer; websocket: frames through the balancer's tunnel.",
    "Every process is its own child (2 nodes, balancer, load generator); CPU is user+sys over the round. Balancer health checks are off (no per-request cost).",
  ],
  async run(ctx) {
    const rig = await startRig();
    try {
      const metrics: Metric[] = [];
      for (const transport of TRANSPORTS)
        metrics.push(...(await runTransport(ctx, rig, transport)));
      return metrics;
    } finally {
      await stopAll([rig.load, rig.balancer, ...rig.nodes]);
    }
  },
};
