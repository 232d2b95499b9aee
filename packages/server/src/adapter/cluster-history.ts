// What a bus offers for connection state recovery across nodes (docs/recovery.md): an ordered,
// durable log per room written by the publisher at publish time, fences, and a session store.
// The bus implements it (in-process bus, Redis, NATS JetStream, the sticky IPC relay); the
// recovery engine (cluster-recovery.ts) builds the guarantees on top. No method throws for a
// broker failure: promises reject, and the engine counts and reports.
import type { ClusterTarget } from "./cluster-bus.js";

/**
 * A place in a namespace's log. Every entry of every room log of one namespace gets its position
 * from ONE ordering authority (a counter or clock in the broker), so positions order entries across
 * rooms: Redis `(ms, n)` of a per-namespace clock stream, JetStream `(sequence, 0)`, the in-process
 * bus `(counter, 0)`. `(0, 0)` is "before everything".
 */
export interface LogPosition {
  major: number;
  minor: number;
}

/** A position delivered with an ordered message: where it is, in which history. */
export interface DeliveredPosition extends LogPosition {
  /**
   * The history's epoch: a new one whenever the broker lost the log (restart without
   * persistence, stream deleted), so that positions of an old epoch are never trusted.
   */
  epoch: string;
  /**
   * The position of the previous entry of the same log, when the bus knows it (`(0, 0)`: none).
   * A receiver that delivered another one last missed some (its subscription was re-made during
   * a failover): it reads them back from the log before going on (cluster-history-adapter.ts).
   */
  prev?: LogPosition;
}

/** One entry read back from a log: one message or one batch of messages (cluster-batch.ts). */
export interface HistoryEntry extends LogPosition {
  payload: Uint8Array;
}

/** Why a log could not give back everything after a position. */
export type HistoryLossReason = "trimmed" | "epoch";

/** The entries of some logs after a position, or why they are incomplete. */
export type HistoryRead =
  | { ok: true; epoch: string; entries: HistoryEntry[] }
  | { ok: false; reason: HistoryLossReason };

/** One session record to write: opaque bytes (recovery/session-record.ts) owned by one node. */
export interface SessionWrite {
  pid: string;
  value: Uint8Array;
  /** How long the record lives after this write, in ms. */
  ttlMs: number;
}

/**
 * The shared store of session records. Every write and delete is conditional on ownership: a
 * record is written by the node that holds the socket, and once another node claims it (a
 * recovery), the former owner's late writes are refused.
 */
export interface SessionStore {
  /** Writes each record unless another node owns it. */
  save(owner: string, records: SessionWrite[]): Promise<void>;
  /** Deletes each record that `owner` still owns. */
  drop(owner: string, pids: string[]): Promise<void>;
  /** Reads a record without claiming it (undefined when absent, expired or claimed). */
  peek(pid: string): Promise<Uint8Array | undefined>;
  /**
   * Atomically reads a record and claims it for `owner` (restore-once): a second claim of the
   * same pid gets undefined, and so does a pid that does not exist or expired.
   */
  claim(owner: string, pid: string, ttlMs: number): Promise<Uint8Array | undefined>;
  /** Records that node `uid` is alive now (read back by {@link lastSeen}). */
  touch(uid: string, ttlMs: number): Promise<void>;
  /** When node `uid` was last alive (epoch ms), or undefined when it is unknown or expired. */
  lastSeen(uid: string): Promise<number | undefined>;
}

/**
 * The history side of a bus, for one namespace. Ordered messages are delivered to the adapter with
 * their position (`onPayload(payload, position)`), in log order, on the same subscriptions as
 * ordinary messages.
 */
export interface ClusterHistory {
  /** Opens the history (creating its epoch if needed) and resolves with the current epoch. */
  open(): Promise<string>;
  /**
   * Appends `payload` (a message or a batch) to the log of `target` (`all`: the namespace-wide log;
   * `room`: that room's log) and delivers it to the subscribers of `target` with its position.
   * Resolves once the broker stored it.
   */
  append(target: ClusterTarget, payload: Uint8Array): Promise<void>;
  /**
   * Delivers `payload` to the subscribers of node `uid` in log order, with a position, without
   * storing it: everything appended before it reaches that node before it.
   */
  fence(uid: string, payload: Uint8Array): Promise<void>;
  /**
   * The entries at or after `from` in the logs of `targets` (any order: the caller sorts by
   * position), or why some may be missing.
   */
  read(targets: ClusterTarget[], from: LogPosition): Promise<HistoryRead>;
  /** The session records. */
  readonly sessions: SessionStore;
}

/** Compares two positions: negative, zero or positive. */
export function comparePositions(a: LogPosition, b: LogPosition): number {
  return a.major - b.major || a.minor - b.minor;
}
