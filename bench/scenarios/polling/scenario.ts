// polling: 100 HTTP long-polling clients (no websocket) emit an event with an ack; the server
// under test acks it. Server CPU per round trip (POST of the event + the GET that carries the ack).
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, scaled } from "../../lib/scenario.js";
import {
  POLLING_CLIENTS_SCRIPT,
  probed,
  type Stack,
  startStack,
  stopStack,
} from "../server-under-test/stacks.js";
import type { EchoArgs, RunResult } from "../server-under-test/ws-clients.js";

const PAYLOAD_BYTES = 100;

export const scenario: Scenario = {
  name: "polling",
  description: "100 polling-only clients, emit with ack round trips; server CPU per round trip",
  notes: [
    "Closed loop: one request in flight per client; a round trip is a POST with the event and the long-poll GET answered with the ack. Latency is of the closed loop (not paced).",
    "Clients: raw HTTP/1.1 keep-alive requests speaking the Engine.IO polling wire in one generator process, identical for both stacks.",
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
    const stacks: Partial<Record<Stack["impl"], Stack>> = {};
    try {
      for (const impl of ["switchyard", "official"] as const) {
        const stack = await startStack(impl, POLLING_CLIENTS_SCRIPT);
        stacks[impl] = stack;
        const port = stack.server.ready.port;
        await stack.generators[0]?.request("connect", { port, count: clients, concurrency: 20 });
      }
      await alternate(ctx.rounds, async (impl, index, measured) => {
        const stack = stacks[impl] as Stack;
        const gen = stack.generators[0];
        if (gen === undefined) throw new Error("no generator");
        const c = await probed(stack, () => gen.request<RunResult>("echo:run", closed));
        const cpuUs = c.probe.cpuUs / closed.count;
        ctx.log(`${impl} round ${index}: ${cpuUs.toFixed(1)} µs/round trip`);
        if (!measured) return;
        record(cpu, impl, cpuUs);
        record(throughput, impl, (closed.count * 1000) / c.result.wallMs);
        record(p50, impl, c.result.latency?.p50 ?? Number.NaN);
        record(p99, impl, c.result.latency?.p99 ?? Number.NaN);
      });
    } finally {
      await Promise.all([stopStack(stacks.switchyard), stopStack(stacks.official)]);
    }
    const metrics: Metric[] = [cpu, throughput, p50, p99];
    return metrics;
  },
};
