// The burst half of a cluster round: node 0 publishes to the room in bursts (`perTick` broadcasts
// per macrotask), flow-controlled so it is never more than `window` broadcasts ahead of the
// slowest client, for both stacks alike. Measures node CPU per cluster delivery, receiving-node
// CPU per delivery and throughput: the load where writes can coalesce per socket per tick.
import type { ProbeSample } from "../../lib/ipc.js";
import type { Impl, Metric } from "../../lib/metric.js";
import { record } from "../../lib/metric.js";
import type { RoomLoad } from "./rooms.js";
import type { Stack } from "./stack.js";
import type { BurstArgs, BurstArm, BurstResult } from "./wire.js";

/** The generator reports the slowest client's progress to node 0 every this many broadcasts. */
const PROGRESS_EVERY = 5;

/** Makes one metric row of a room: name, unit, target, and whether lower is better. */
export type RowFactory = (
  name: string,
  unit: string,
  options?: { target?: number | undefined; lowerIsBetter?: boolean },
) => Metric;

export interface BurstMetrics {
  cpu: Metric;
  receiver: Metric;
  throughput: Metric;
}

/** The burst rows of a room; the CPU row carries the target. */
export function burstMetrics(row: RowFactory, cpuTarget: number | undefined): BurstMetrics {
  return {
    cpu: row("node CPU per cluster delivery, all nodes (burst)", "µs", { target: cpuTarget }),
    receiver: row("receiving node CPU per delivery (burst)", "µs"),
    throughput: row("throughput (burst)", "deliveries/s", { lowerIsBetter: false }),
  };
}

export interface BurstSample {
  /** Each node's CPU over the burst, µs. */
  cpuUs: number[];
  result: BurstResult;
  /** Broadcasts the clients should have received (count × all clients). */
  expected: number;
}

/** One burst of `count` broadcasts to `load`'s room, with every node's CPU over it. */
export async function measureBurst(
  stack: Stack,
  load: RoomLoad,
  count: number,
): Promise<BurstSample> {
  const [publisher] = stack.nodes;
  if (publisher === undefined) throw new Error("no nodes");
  const clients = stack.nodes.length * load.clientsPerNode;
  const arm: BurstArm = { count, clients, progressEvery: PROGRESS_EVERY };
  await stack.clients.request("burst:arm", arm);
  await Promise.all(stack.nodes.map((node) => node.request("probe:start")));
  const args: BurstArgs = { ...load.burst, room: load.room, count };
  const published = publisher.request("burst", args);
  const result = await stack.clients.request<BurstResult>("burst:wait");
  // A stalled burst (lost messages) leaves node 0 waiting for progress: end it.
  if (result.completed < count) await publisher.request("burst:stop");
  await published;
  const probes = await Promise.all(
    stack.nodes.map((node) => node.request<ProbeSample>("probe:stop")),
  );
  return { cpuUs: probes.map((p) => p.cpuUs), result, expected: count * clients };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Records one measured burst; returns the line for the progress log. */
export function recordBurst(m: BurstMetrics, impl: Impl, s: BurstSample): string {
  const delivered = sum(s.result.received);
  const remote = sum(s.result.received.slice(1));
  const cpu = sum(s.cpuUs) / delivered;
  const throughput = (delivered * 1000) / s.result.wallMs;
  record(m.cpu, impl, cpu);
  record(m.receiver, impl, sum(s.cpuUs.slice(1)) / remote);
  record(m.throughput, impl, throughput);
  return `burst ${cpu.toFixed(2)} µs/delivery, ${Math.round(throughput / 1000)}k deliveries/s`;
}
