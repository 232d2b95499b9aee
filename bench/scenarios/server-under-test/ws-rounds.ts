// What the echo and fanout scenarios share: both stacks with one ws-clients generator and the
// same number of connected clients each, rounds in alternation, a main run (closed loop or
// burst: server CPU per unit and throughput) and a paced run (CPU, latency and ELU) per round.
import type { Child } from "../../lib/child.js";
import type { ProbeSample } from "../../lib/ipc.js";
import { type Impl, type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type ScenarioContext } from "../../lib/scenario.js";
import { type FloorSpec, Floors } from "./floors.js";
import { type Stack, startStack, stopStack, WS_CLIENTS_SCRIPT } from "./stacks.js";
import type { RunResult } from "./ws-clients.js";

/** What one round of a stack measured. */
export interface WsRoundResult {
  /** Server CPU µs per unit (ack, delivery) of the main run. */
  cpuUs: number;
  /** Units per second of the main run. */
  throughput: number;
  /** The probed paced run, whose server CPU time is spread over `pacedUnits`. */
  paced: { probe: ProbeSample; result: RunResult };
  pacedUnits: number;
  /** The start of the round's log line, e.g. `75.8 µs/ack`. */
  summary: string;
}

/** The scenario's metrics of the main run; the paced ones are named after `unit` and `rate`. */
export interface WsMetrics {
  cpu: Metric;
  throughput: Metric;
  unit: string;
  pacedRate: number;
}

/**
 * Starts both stacks with `clients` websocket clients connected to each, runs `round` for the
 * warm-up and `ctx.rounds` measured rounds of each (alternate()), stops both stacks, and returns
 * the metrics: main CPU and throughput, then paced CPU, latency p50 and p99, and ELU; then one
 * main-CPU row per floor, each run right after the official stack's round and compared with it.
 */
export async function runWsRounds(
  ctx: ScenarioContext,
  clients: number,
  metrics: WsMetrics,
  round: (stack: Stack, gen: Child) => Promise<WsRoundResult>,
  floorSpecs: readonly FloorSpec[] = [],
): Promise<Metric[]> {
  const { cpu, throughput, unit, pacedRate } = metrics;
  const floors = new Floors(floorSpecs, cpu.name, cpu.unit);
  const pacedCpu = metric(`server CPU per ${unit} (paced ${pacedRate}/s)`, "µs");
  const p50 = metric(`${unit} latency p50 (paced)`, "ms");
  const p99 = metric(`${unit} latency p99 (paced)`, "ms");
  const elu = metric("server ELU (paced)", "");
  const stacks: Partial<Record<Impl, Stack>> = {};
  try {
    for (const impl of ["switchyard", "official"] as const) {
      const stack = await startStack(impl, WS_CLIENTS_SCRIPT);
      stacks[impl] = stack;
      await connectGenerator(stack.generators[0] as Child, stack.server.ready.port, clients);
      ctx.log(`${impl}: ${clients} clients connected`);
    }
    await floors.start(WS_CLIENTS_SCRIPT, (stack) =>
      connectGenerator(stack.generators[0] as Child, stack.server.ready.port, clients),
    );
    await alternate(ctx.rounds, async (impl, index, measured) => {
      const stack = stacks[impl] as Stack;
      const r = await round(stack, generatorOf(stack));
      const { probe, result } = r.paced;
      ctx.log(
        `${impl} round ${index}: ${r.summary}, paced p50 ${result.latency?.p50.toFixed(2)} ms p99 ${result.latency?.p99.toFixed(2)} ms, ELU ${probe.elu.toFixed(2)}`,
      );
      if (impl === "official") {
        await floors.round(
          index,
          measured,
          r.cpuUs,
          (floor) => round(floor, generatorOf(floor)),
          ctx.log,
        );
      }
      if (!measured) return;
      record(cpu, impl, r.cpuUs);
      record(throughput, impl, r.throughput);
      record(pacedCpu, impl, probe.cpuUs / r.pacedUnits);
      record(p50, impl, result.latency?.p50 ?? Number.NaN);
      record(p99, impl, result.latency?.p99 ?? Number.NaN);
      record(elu, impl, probe.elu);
    });
  } finally {
    await Promise.all([stopStack(stacks.switchyard), stopStack(stacks.official)]);
    await floors.stop();
  }
  return [cpu, throughput, pacedCpu, p50, p99, elu, ...floors.metrics];
}

function generatorOf(stack: Stack): Child {
  const gen = stack.generators[0];
  if (gen === undefined) throw new Error("no generator");
  return gen;
}

function connectGenerator(gen: Child, port: number, count: number): Promise<unknown> {
  return gen.request("connect", { port, count, concurrency: 50 });
}
