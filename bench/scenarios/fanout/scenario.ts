// fanout: 1,000 websocket clients in one room; the server under test broadcasts ~100-byte JSON
// events with `io.to(room).emit`. Server CPU per delivery and throughput under a burst load
// (10 broadcasts per macrotask, flow-controlled), latency and ELU under a paced load.
import { metric } from "../../lib/metric.js";
import { type Scenario, scaled } from "../../lib/scenario.js";
import type { BurstArgs, PacedArgs } from "../server-under-test/server.js";
import { probed } from "../server-under-test/stacks.js";
import type { FanoutArgs, RunResult } from "../server-under-test/ws-clients.js";
import { runWsRounds } from "../server-under-test/ws-rounds.js";

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
    const metrics = {
      cpu: metric("server CPU per delivery (burst)", "µs", { target: 0.35 }),
      throughput: metric("throughput (burst)", "deliveries/s", { lowerIsBetter: false }),
      unit: "delivery",
      pacedRate: PACED_RATE,
    };
    return runWsRounds(ctx, clients, metrics, async (stack, gen) => {
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
      return {
        cpuUs,
        throughput: (burst.count * clients * 1000) / b.probe.wallMs,
        paced: p,
        pacedUnits: paced.count * clients,
        summary: `burst ${cpuUs.toFixed(2)} µs/delivery`,
      };
    });
  },
};
