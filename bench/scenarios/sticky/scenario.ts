// sticky: the cost of routing by sid. The same closed-loop echo load (official socket.io-client,
// polling-only then websocket-only) goes to two switchyard nodes straight ("direct"), through
// switchyard-balancer, and through nginx and HAProxy running the configurations that
// `switchyard-balancer --print` generates, in rotating order within each round.
import { join } from "node:path";
import { Child, stopAll } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import { type Metric, metric, record } from "../../lib/metric.js";
import type { Scenario, ScenarioContext } from "../../lib/scenario.js";
import type { OpenArgs, RunResult } from "./load.js";
import {
  type NativeRouter,
  processTreeCpuUs,
  routerThreads,
  startNativeRouter,
} from "./native-router.js";

const HERE = import.meta.dirname;
const NODE_IDS = ["bench-a", "bench-b"];
const CLIENTS = 8;
const ROUND_MS = 2_000;
const TRANSPORTS: OpenArgs["transport"][] = ["polling", "websocket"];
/** A directory here runs the balancer under `--cpu-prof` (for profiling, not for the tables). */
const PROFILE_DIR_VAR = "BENCH_CPU_PROF";

/** Where a round's load goes. */
type Route = "direct" | "balancer" | "nginx" | "haproxy";
const ROUTES: readonly Route[] = ["direct", "balancer", "nginx", "haproxy"];
const NATIVE = ["nginx", "haproxy"] as const;

interface Rig {
  nodes: Child<{ port: number }>[];
  balancer: Child<{ port: number }>;
  natives: NativeRouter[];
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
    const natives: NativeRouter[] = [];
    try {
      for (const kind of NATIVE) {
        natives.push(await startNativeRouter(kind, upstreams));
      }
    } catch (error) {
      await Promise.all(natives.map((router) => router.stop()));
      throw error;
    }
    const load = await Child.start(join(HERE, "load.ts"));
    return { nodes, balancer, natives, load };
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

/** nginx or HAProxy against switchyard-balancer: router CPU per round trip, and latency. */
function nativeMetricsFor(transport: string, kind: string): Record<"cpu" | "p50", Metric> {
  const against = { subject: kind, baseline: "switchyard-balancer" };
  return {
    cpu: metric(`${transport}: router CPU per round trip, ${kind} vs balancer`, "µs", {
      ...against,
      target: 0.3,
    }),
    p50: metric(`${transport}: round trip p50, ${kind} vs balancer`, "ms", against),
  };
}

interface RouteRound {
  trips: number;
  wallMs: number;
  p50: number;
  p99: number;
  nodesUs: number;
  /** The router's CPU from /proc (every router alike); NaN for "direct". */
  routerUs: number;
  /** The balancer's CPU from its own probe (process.cpuUsage), as before; NaN otherwise. */
  balancerProbeUs: number;
  /** HTTP requests the balancer routed (polling), 0 otherwise. */
  balancerRequests: number;
}

async function runRoute(
  rig: Rig,
  route: Route,
  transport: OpenArgs["transport"],
  durationMs: number,
): Promise<RouteRound> {
  const urls =
    route === "direct"
      ? rig.nodes.map((node) => `http://127.0.0.1:${node.ready.port}`)
      : route === "balancer"
        ? [`http://127.0.0.1:${rig.balancer.ready.port}`]
        : [rig.natives.find((router) => router.kind === route)?.url ?? ""];
  const routerCpu = (): number => {
    if (route === "direct") return Number.NaN;
    if (route === "balancer") return processTreeCpuUs(rig.balancer.process.pid ?? 0, false);
    return rig.natives.find((router) => router.kind === route)?.cpuUs() ?? Number.NaN;
  };
  await rig.load.request("open", { urls, clients: CLIENTS, transport } satisfies OpenArgs);
  const probed = [...rig.nodes, rig.balancer];
  const before = await rig.balancer.request<number>("requests");
  await Promise.all(probed.map((child) => child.request("probe:start")));
  const cpuBefore = routerCpu();
  const result = await rig.load.request<RunResult>("run", { durationMs });
  const cpuAfter = routerCpu();
  const probes = await Promise.all(probed.map((child) => child.request<ProbeSample>("probe:stop")));
  const requests = (await rig.balancer.request<number>("requests")) - before;
  await rig.load.request("close");
  return {
    trips: result.roundTrips,
    wallMs: result.wallMs,
    p50: result.p50,
    p99: result.p99,
    nodesUs: probes.slice(0, -1).reduce((a, p) => a + p.cpuUs, 0),
    routerUs: cpuAfter - cpuBefore,
    balancerProbeUs: route === "balancer" ? (probes.at(-1)?.cpuUs ?? Number.NaN) : Number.NaN,
    balancerRequests: route === "balancer" ? requests : 0,
  };
}

/** Records one measured round of every route. */
function recordRound(
  m: TransportMetrics,
  natives: Record<string, Record<"cpu" | "p50", Metric>>,
  rounds: ReadonlyMap<Route, RouteRound>,
  transport: OpenArgs["transport"],
): void {
  const direct = rounds.get("direct");
  const balancer = rounds.get("balancer");
  if (direct === undefined || balancer === undefined) throw new Error("a route did not run");
  for (const [impl, round] of [["switchyard", balancer] as const, ["official", direct] as const]) {
    const through = impl === "switchyard";
    record(m.rate, impl, (round.trips * 1000) / round.wallMs);
    record(m.p50, impl, round.p50);
    record(m.p99, impl, round.p99);
    record(m.nodes, impl, round.nodesUs / round.trips);
    record(m.total, impl, (round.nodesUs + (through ? round.balancerProbeUs : 0)) / round.trips);
  }
  const per = transport === "polling" ? balancer.balancerRequests : balancer.trips;
  record(m.balancer, "switchyard", balancer.balancerProbeUs / per);
  for (const kind of NATIVE) {
    const round = rounds.get(kind);
    const metrics = natives[kind];
    if (round === undefined || metrics === undefined) throw new Error(`${kind} did not run`);
    record(metrics.cpu, "switchyard", round.routerUs / round.trips);
    record(metrics.cpu, "official", balancer.routerUs / balancer.trips);
    record(metrics.p50, "switchyard", round.p50);
    record(metrics.p50, "official", balancer.p50);
  }
}

async function runTransport(
  ctx: ScenarioContext,
  rig: Rig,
  transport: OpenArgs["transport"],
): Promise<Metric[]> {
  const m = metricsFor(transport);
  const natives = Object.fromEntries(
    NATIVE.map((kind) => [kind, nativeMetricsFor(transport, kind)]),
  );
  const durationMs = Math.max(200, Math.round(ROUND_MS * ctx.scale));
  // One warm-up round (-1), then the measured ones; the order of the routes rotates every round
  // so slow drifts of a shared machine hit every route alike.
  for (let index = -1; index < ctx.rounds; index++) {
    const shift = (index + 1) % ROUTES.length;
    const order = [...ROUTES.slice(shift), ...ROUTES.slice(0, shift)];
    const rounds = new Map<Route, RouteRound>();
    for (const route of order) {
      const round = await runRoute(rig, route, transport, durationMs);
      rounds.set(route, round);
      ctx.log(
        `${transport} ${route} round ${index}: ${Math.round((round.trips * 1000) / round.wallMs)} rt/s, router ${Math.round(round.routerUs / round.trips)} µs/rt`,
      );
    }
    if (index >= 0) recordRound(m, natives, rounds, transport);
  }
  return [...Object.values(m), ...Object.values(natives).flatMap((n) => [n.cpu, n.p50])];
}

export const scenario: Scenario = {
  name: "sticky",
  description: `routing by sid: ${CLIENTS} official clients in closed-loop echo round trips over 2 switchyard nodes, direct, through switchyard-balancer, and through nginx and HAProxy running \`switchyard-balancer --print\` configs`,
  notes: [
    'Balancer rows: the "official" column is the same load sent straight to the nodes (`[direct]`): no official balancer exists, and a plain proxy would hide the routing cost we want to see.',
    `\`vs balancer\` rows: nginx (worker_processes ${routerThreads()}) or HAProxy (${routerThreads() === "auto" ? "its default threads" : `nbthread ${routerThreads()}`}) in the switchyard column, switchyard-balancer in the other; CPU of every router process and thread from /proc/<pid>/task/*/schedstat (nginx: master + workers), per echo round trip; target: native router ≤ 0.3× the balancer. \`BENCH_ROUTER_THREADS=1\` runs both on one thread, like the balancer.`,
    "Polling: one round trip = a POST (emit) answered through the pending GET, so ≈ 2 HTTP requests through the router; websocket: 2 frames (emit, ack) through the router's tunnel.",
    "Every process is its own child (2 nodes, balancer, load generator; nginx and haproxy spawned); the four routes run in rotating order within each round. Health checks are off in every router, and nginx/HAProxy log no requests.",
  ],
  async run(ctx) {
    const rig = await startRig();
    try {
      const metrics: Metric[] = [];
      for (const transport of TRANSPORTS)
        metrics.push(...(await runTransport(ctx, rig, transport)));
      return metrics;
    } finally {
      await Promise.all(rig.natives.map((router) => router.stop()));
      await stopAll([rig.load, rig.balancer, ...rig.nodes]);
    }
  },
};
