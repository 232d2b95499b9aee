// What the cluster bench's parent and children say to each other, and the shared clock.
import type { Impl } from "../../lib/metric.js";

/** The room a socket joins when its handshake names none. */
export const BENCH_ROOM = "bench";

/** The room of the generator's control socket on node 0 (no broadcast goes there). */
export const CONTROL_ROOM = "control";

/** The event the control socket sends to node 0: broadcasts every client has received. */
export const PROGRESS_EVENT = "progress";

/** Which cluster bus a node uses. */
export type Bus = "redis" | "nats";

/** A node child's configuration (JSON in BENCH_NODE). */
export interface NodeConfig {
  impl: Impl;
  bus: Bus;
  url: string;
  /** Channel prefix (Redis key / NATS subject prefix): one per stack, so stacks never mix. */
  key: string;
  /**
   * Connection state recovery on (`connectionStateRecovery: {}`): the official stack then uses
   * @socket.io/redis-streams-adapter instead of @socket.io/redis-adapter (cluster-recovery).
   */
  recovery?: boolean;
}

/** `socket` command of a node: one local socket's state (cluster-recovery's checks). */
export interface SocketState {
  recovered: boolean;
  rooms: string[];
}

export interface NodeReady {
  port: number;
}

/** `publish` command: `count` broadcasts to `room` at `rate` per second. */
export interface PublishArgs {
  room: string;
  count: number;
  rate: number;
  /** The event's name. @default "m" */
  event?: string;
}

/**
 * `burst` command: `count` broadcasts to `room`, `perTick` per macrotask, never more than `window`
 * broadcasts ahead of the progress the generator reports.
 */
export interface BurstArgs {
  room: string;
  count: number;
  perTick: number;
  window: number;
}

/** `burst:arm` command of the clients child: what the next burst delivers. */
export interface BurstArm {
  /** Broadcasts in the burst. */
  count: number;
  /** Clients in the room, all nodes (each broadcast is complete once all of them have it). */
  clients: number;
  /** Report progress to node 0 every this many completed broadcasts. */
  progressEvery: number;
}

/** `burst:wait` reply: the burst as the clients saw it. */
export interface BurstResult {
  /** Messages received by the clients of each node (index = node). */
  received: number[];
  /** First to last frame of the burst, ms. */
  wallMs: number;
  /** Broadcasts every client received (< count when the burst stalled). */
  completed: number;
}

/** `connect` command of the clients child: `perNode` websocket clients in `room` on each url. */
export interface ConnectArgs {
  urls: string[];
  perNode: number;
  room: string;
}

/** One-way latency quantiles, µs, and the number of samples behind them. */
export interface LatencySummary {
  p50: number;
  p99: number;
  count: number;
}

/** `stats` reply of the clients child since the last `reset`. */
export interface ClientStats {
  /** Messages received by the clients of each node (index = node). */
  received: number[];
  /** Latency over the clients of the nodes other than node 0 (the publisher). */
  crossNode: LatencySummary;
  /** The same over node 0's own clients (local delivery). */
  local: LatencySummary;
}

/**
 * Microseconds on the system-wide monotonic clock (CLOCK_MONOTONIC on Linux, comparable across
 * local processes). `process.hrtime()` rather than the bigint form: no allocation per call.
 */
export function nowMicros(): number {
  const [s, ns] = process.hrtime();
  return s * 1e6 + Math.floor(ns / 1e3);
}
