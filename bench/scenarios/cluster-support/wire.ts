// What the cluster bench's parent and children say to each other, and the shared clock.
import type { Impl } from "../../lib/metric.js";

/** The room every bench socket joins; broadcasts go to it. */
export const BENCH_ROOM = "bench";

/** Which cluster bus a node uses. */
export type Bus = "redis" | "nats";

/** A node child's configuration (JSON in BENCH_NODE). */
export interface NodeConfig {
  impl: Impl;
  bus: Bus;
  url: string;
  /** Channel prefix (Redis key / NATS subject prefix): one per stack, so stacks never mix. */
  key: string;
}

export interface NodeReady {
  port: number;
}

/** `publish` command: `count` broadcasts at `rate` per second. */
export interface PublishArgs {
  count: number;
  rate: number;
}

/** `connect` command of the clients child: `perNode` websocket clients to each url. */
export interface ConnectArgs {
  urls: string[];
  perNode: number;
}

/** `stats` reply of the clients child since the last `reset`. */
export interface ClientStats {
  /** Messages received by the clients of each node (index = node). */
  received: number[];
  /** One-way latency quantiles, in µs, over the nodes other than node 0 (the publisher). */
  crossNode: { p50: number; p99: number; count: number };
  /** The same over node 0's own clients (local delivery). */
  local: { p50: number; p99: number; count: number };
}

/** Microseconds on the system-wide monotonic clock (comparable across local processes). */
export function nowMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}
