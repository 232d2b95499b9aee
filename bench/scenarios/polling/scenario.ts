// polling: 100 HTTP long-polling clients (no websocket) emit an event with an ack; the server
// under test acks it. Server CPU per round trip (POST of the event + the GET that carries the ack).
// Two floor servers (floor-server.ts) take the same load in every round, next to the official
// stack's round: what node:http alone, and a bare TCP socket alone, cost per round trip.
import { join } from "node:path";
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, scaled } from "../../lib/scenario.js";
import { type FloorSpec, Floors } from "../server-under-test/floors.js";
import {
  POLLING_CLIENTS_SCRIPT,
  probed,
  type Stack,
  startStack,
  stopStack,
} from "../server-under-test/stacks.js";
import type { EchoArgs, RunResult } from "../server-under-test/ws-clients.js";

const PAYLOAD_BYTES = 100;
const FLOOR_SCRIPT = join(import.meta.dirname, "floor-server.ts");
const FLOORS: FloorSpec[] = [
  { label: "floor: node:http, no Engine.IO", script: FLOOR_SCRIPT, args: ["http"] },
  { label: "floor: bare TCP, minimal HTTP", script: FLOOR_SCRIPT, args: ["net"] },
];

export const scenario: Scenario = {
  name: "polling",
  description: "100 polling-only clients, emit with ack round trips; server CPU per round trip",
  notes: [
    "Closed loop: one request in flight per client; a round trip is a POST with the event and the long-poll GET answered with the ack. Latency is of the closed loop (not paced).",
    "Clients: raw HTTP/1.1 keep-alive requests speaking the Engine.IO polling wire in one generator process, identical for both stacks.",
    "Floors (left column, ratio to the official stack's same rounds): servers that only answer the generator (hold a GET, ack each event) with no Engine.IO library, on node:http and on a bare TCP socket. A server on Node's sockets that reads and answers each request pays at least the bare-TCP floor.",
  ],
  async run(ctx) {
    const clients = scaled(ctx, 100, 10);
    const closed: EchoArgs = {
      count: scaled(ctx, 6_000, 300),
      inflight: 1,
      payloadBytes: PAYLOAD_BYTES,
    };
    const cpu = metric("server CPU per round trip", "µs", { target: 0.5 });
    const throughput = metric("throughput", "round trips/s", { lowerIsBetter: false });
    const p50 = metric("round trip p50 (closed loop)", "ms");
    const p99 = metric("round trip p99 (closed loop)", "ms");
    const floors = new Floors(FLOORS, cpu.name, cpu.unit);
    const stacks: Partial<Record<Stack["impl"], Stack>> = {};
    /** One closed-loop run on `stack`: its CPU per round trip and the generator's result. */
    const runOn = async (stack: Stack) => {
      const gen = stack.generators[0];
      if (gen === undefined) throw new Error("no generator");
      const c = await probed(stack, () => gen.request<RunResult>("echo:run", closed));
      return { cpuUs: c.probe.cpuUs / closed.count, result: c.result };
    };
    const connect = async (stack: Stack): Promise<void> => {
      await stack.generators[0]?.request("connect", {
        port: stack.server.ready.port,
        count: clients,
        concurrency: 20,
      });
    };
    try {
      for (const impl of ["switchyard", "official"] as const) {
        const stack = await startStack(impl, POLLING_CLIENTS_SCRIPT);
        stacks[impl] = stack;
        await connect(stack);
      }
      await floors.start(POLLING_CLIENTS_SCRIPT, connect);
      await alternate(ctx.rounds, async (impl, index, measured) => {
        const { cpuUs, result } = await runOn(stacks[impl] as Stack);
        ctx.log(`${impl} round ${index}: ${cpuUs.toFixed(1)} µs/round trip`);
        if (measured) {
          record(cpu, impl, cpuUs);
          record(throughput, impl, (closed.count * 1000) / result.wallMs);
          record(p50, impl, result.latency?.p50 ?? Number.NaN);
          record(p99, impl, result.latency?.p99 ?? Number.NaN);
        }
        if (impl !== "official") return;
        await floors.round(
          index,
          measured,
          cpuUs,
          async (floor) => {
            const run = await runOn(floor);
            return { cpuUs: run.cpuUs, summary: `${run.cpuUs.toFixed(1)} µs/round trip` };
          },
          ctx.log,
        );
      });
    } finally {
      await Promise.all([stopStack(stacks.switchyard), stopStack(stacks.official)]);
      await floors.stop();
    }
    const metrics: Metric[] = [cpu, throughput, p50, p99, ...floors.metrics];
    return metrics;
  },
};
