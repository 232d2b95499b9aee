// echo: 100 websocket clients emit an event with an ack; the server under test acks it
// (`socket.on("echo", (data, ack) => ack(data))`). Server CPU per ack under a closed loop
// (one request in flight per client), round-trip latency under a paced load.
import { join } from "node:path";
import { metric } from "../../lib/metric.js";
import { type Scenario, scaled } from "../../lib/scenario.js";
import { probed } from "../server-under-test/stacks.js";
import type { EchoArgs, RunResult } from "../server-under-test/ws-clients.js";
import { runWsRounds } from "../server-under-test/ws-rounds.js";

const PAYLOAD_BYTES = 100;
/** A plain `ws` server answering the same wire, run next to the official stack every round. */
const FLOOR_SCRIPT = join(import.meta.dirname, "floor-server.ts");
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
    "Floor (left column, ratio to the official stack's same rounds): a plain `ws` server that only answers the wire (open packet, CONNECT, the ack of each event), with no Engine.IO or Socket.IO library.",
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
    const metrics = {
      cpu: metric("server CPU per ack (closed loop)", "µs", { target: 0.7 }),
      throughput: metric("throughput (closed loop)", "acks/s", { lowerIsBetter: false }),
      unit: "ack",
      pacedRate: PACED_RATE,
    };
    const floors = [{ label: "floor: bare ws, no Engine.IO", script: FLOOR_SCRIPT }];
    return runWsRounds(
      ctx,
      clients,
      metrics,
      async (stack, gen) => {
        const c = await probed(stack, () => gen.request<RunResult>("echo:run", closed));
        const p = await probed(stack, () => gen.request<RunResult>("echo:run", paced));
        const cpuUs = c.probe.cpuUs / closed.count;
        return {
          cpuUs,
          throughput: (closed.count * 1000) / c.result.wallMs,
          paced: p,
          pacedUnits: paced.count,
          summary: `${cpuUs.toFixed(1)} µs/ack`,
        };
      },
      floors,
    );
  },
};
