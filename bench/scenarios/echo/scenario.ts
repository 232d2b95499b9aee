// echo: 100 websocket clients emit an event with an ack; the server under test acks it
// (`socket.on("echo", (data, ack) => ack(data))`). Server CPU per ack under a closed loop
// (one request in flight per client), round-trip latency under a paced load.
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, scaled } from "../../lib/scenario.js";
import {
  probed,
  type Stack,
  startStack,
  stopStack,
  WS_CLIENTS_SCRIPT,
} from "../server-under-test/stacks.js";
import type { EchoArgs, RunResult } from "../server-under-test/ws-clients.js";

const PAYLOAD_BYTES = 100;
/** Paced load: acks per second over all clients, which both stacks sustain with room to spare. */
const PACED_RATE = 2000;

export const scenario: Scenario = {
  name: "echo",
  description:
    "100 websocket clients, emit with ack (~100-byte JSON), the server acks; server CPU per ack",
  notes: [
    "Closed loop: one request in flight per client; throughput = acks ÷ wall time.",
    `Paced: ${PACED_RATE} requests/s spread over the clients; latency = emit → ack, measured by the generator.`,
    "Clients: raw `ws` speaking the Engine.IO/Socket.IO wire in one generator process, identical for both stacks.",
  ],
  async run(ctx) {
    const clients = scaled(ctx, 100, 10);
    const closed: EchoArgs = {
      count: scaled(ctx, 20_000, 500),
      inflight: 1,
      payloadBytes: PAYLOAD_BYTES,
    };
    const paced: EchoArgs = {
      count: scaled(ctx, 1.5 * PACED_RATE, 100),
      inflight: 1,
      rate: PACED_RATE,
      payloadBytes: PAYLOAD_BYTES,
    };
    const cpu = metric("server CPU per ack (closed loop)", "µs", { target: 0.75 });
    const throughput = metric("throughput (closed loop)", "acks/s", { lowerIsBetter: false });
    const cpuPaced = metric(`server CPU per ack (paced ${PACED_RATE}/s)`, "µs");
    const p50 = metric("ack latency p50 (paced)", "ms");
    const p99 = metric("ack latency p99 (paced)", "ms");
    const elu = metric("server ELU (paced)", "");
    const stacks: Partial<Record<Stack["impl"], Stack>> = {};
    try {
      for (const impl of ["switchyard", "official"] as const) {
        const stack = await startStack(impl, WS_CLIENTS_SCRIPT);
        stacks[impl] = stack;
        const port = stack.server.ready.port;
        await stack.generators[0]?.request("connect", { port, count: clients, concurrency: 50 });
      }
      await alternate(ctx.rounds, async (impl, index, measured) => {
        const stack = stacks[impl] as Stack;
        const gen = stack.generators[0];
        if (gen === undefined) throw new Error("no generator");
        const c = await probed(stack, () => gen.request<RunResult>("echo:run", closed));
        const p = await probed(stack, () => gen.request<RunResult>("echo:run", paced));
        const cpuUs = c.probe.cpuUs / closed.count;
        ctx.log(
          `${impl} round ${index}: ${cpuUs.toFixed(1)} µs/ack, paced p50 ${p.result.latency?.p50.toFixed(2)} ms p99 ${p.result.latency?.p99.toFixed(2)} ms, ELU ${p.probe.elu.toFixed(2)}`,
        );
        if (!measured) return;
        record(cpu, impl, cpuUs);
        record(throughput, impl, (closed.count * 1000) / c.result.wallMs);
        record(cpuPaced, impl, p.probe.cpuUs / paced.count);
        record(p50, impl, p.result.latency?.p50 ?? Number.NaN);
        record(p99, impl, p.result.latency?.p99 ?? Number.NaN);
        record(elu, impl, p.probe.elu);
      });
    } finally {
      await Promise.all([stopStack(stacks.switchyard), stopStack(stacks.official)]);
    }
    const metrics: Metric[] = [cpu, throughput, cpuPaced, p50, p99, elu];
    return metrics;
  },
};
