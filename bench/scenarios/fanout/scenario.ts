// fanout: 1,000 websocket clients in one room; the server under test broadcasts ~100-byte JSON
// events with `io.to(room).emit`. Server CPU per delivery and throughput under a burst load
// (10 broadcasts per macrotask, flow-controlled), latency and ELU under a paced load.
import { type Metric, metric, record } from "../../lib/metric.js";
import { alternate, type Scenario, scaled } from "../../lib/scenario.js";
import type { BurstArgs, PacedArgs } from "../server-under-test/server.js";
import {
  probed,
  type Stack,
  startStack,
  stopStack,
  WS_CLIENTS_SCRIPT,
} from "../server-under-test/stacks.js";
import type { FanoutArgs, RunResult } from "../server-under-test/ws-clients.js";

const PAYLOAD_BYTES = 100;
/** Paced load: broadcasts per second, which both stacks sustain with room to spare. */
const PACED_RATE = 25;

export const scenario: Scenario = {
  name: "fanout",
  description:
    "1,000 websocket clients in a room, io.to(room).emit of ~100-byte JSON; server CPU per delivery",
  notes: [
    "Burst: 10 broadcasts per macrotask, at most 20 broadcasts ahead of the clients (progress reports over one socket); throughput = deliveries ÷ wall time of the burst.",
    `Paced: ${PACED_RATE} broadcasts/s; latency = send stamp in the payload → frame read by the generator (other process).`,
    "Clients: raw `ws` speaking the Engine.IO/Socket.IO wire in one generator process, identical for both stacks.",
  ],
  async run(ctx) {
    const clients = scaled(ctx, 1000, 20);
    const burst: BurstArgs = {
      count: scaled(ctx, 120, 20),
      perTick: 10,
      window: 20,
      payloadBytes: PAYLOAD_BYTES,
    };
    const pacedCount = scaled(ctx, 1.5 * PACED_RATE, 10);
    const paced: PacedArgs = { count: pacedCount, rate: PACED_RATE, payloadBytes: PAYLOAD_BYTES };
    const cpu = metric("server CPU per delivery (burst)", "µs", { target: 0.35 });
    const throughput = metric("throughput (burst)", "deliveries/s", { lowerIsBetter: false });
    const cpuPaced = metric(`server CPU per delivery (paced ${PACED_RATE}/s)`, "µs");
    const p50 = metric("delivery latency p50 (paced)", "ms");
    const p99 = metric("delivery latency p99 (paced)", "ms");
    const elu = metric("server ELU (paced)", "");
    const stacks: Partial<Record<Stack["impl"], Stack>> = {};
    try {
      for (const impl of ["switchyard", "official"] as const) {
        const stack = await startStack(impl, WS_CLIENTS_SCRIPT);
        stacks[impl] = stack;
        const port = stack.server.ready.port;
        await stack.generators[0]?.request("connect", { port, count: clients, concurrency: 50 });
        ctx.log(`${impl}: ${clients} clients connected`);
      }
      await alternate(ctx.rounds, async (impl, index, measured) => {
        const stack = stacks[impl] as Stack;
        const gen = stack.generators[0];
        if (gen === undefined) throw new Error("no generator");
        const run = async (args: FanoutArgs, emit: () => Promise<unknown>) => {
          await gen.request("fanout:arm", args);
          return probed(stack, async () => {
            await emit();
            return gen.request<RunResult>("fanout:wait");
          });
        };
        const b = await run(
          { deliveries: burst.count * clients, progressEvery: 5, latency: false },
          () => stack.server.request("broadcast:burst", burst),
        );
        const p = await run(
          { deliveries: paced.count * clients, progressEvery: 1e9, latency: true },
          () => stack.server.request("broadcast:paced", paced),
        );
        const cpuUs = b.probe.cpuUs / (burst.count * clients);
        ctx.log(
          `${impl} round ${index}: burst ${cpuUs.toFixed(2)} µs/delivery, paced p50 ${p.result.latency?.p50.toFixed(2)} ms p99 ${p.result.latency?.p99.toFixed(2)} ms, ELU ${p.probe.elu.toFixed(2)}`,
        );
        if (!measured) return;
        record(cpu, impl, cpuUs);
        record(throughput, impl, (burst.count * clients * 1000) / b.probe.wallMs);
        record(cpuPaced, impl, p.probe.cpuUs / (paced.count * clients));
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
