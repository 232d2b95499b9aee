// Recovery history and session records held in memory by a "broker" that lives in one process:
// the in-process bus (tests, single-process clusters) and the sticky IPC relay in the node:cluster
// primary (a worker may crash, the primary keeps the history). Synchronous; the buses wrap it.
// Bounded: entries per log and their age, records by their time to live.
import { randomBytes } from "node:crypto";
import type { HistoryEntry, HistoryRead, LogPosition, SessionWrite } from "./cluster-history.js";

/** Bounds of a memory history. */
export interface MemoryHistoryOptions {
  /** Most entries kept per log (room); older ones are dropped. @default 10000 */
  maxEntriesPerLog?: number;
  /** Entries older than this are dropped, in ms. @default 600000 (10 minutes) */
  maxAgeMs?: number;
}

interface StoredEntry extends HistoryEntry {
  at: number;
}

interface Log {
  entries: StoredEntry[];
  /** The newest entry dropped from this log (trimmed or expired), `major` 0 when none. */
  dropped: number;
}

interface Namespace {
  epoch: string;
  counter: number;
  logs: Map<string, Log>;
}

interface StoredRecord {
  owner: string;
  /** Undefined once claimed: a claimed record cannot be claimed again. */
  value: Uint8Array | undefined;
  expiresAt: number;
}

/** The log key of the namespace-wide log. */
export const ALL_LOG = "\u0000all";

/** Logs, records and signs of life of every namespace of one memory broker. */
export class MemoryHistory {
  readonly #namespaces: Map<string, Namespace> = new Map();
  readonly #records: Map<string, StoredRecord> = new Map();
  readonly #nodes: Map<string, { at: number; expiresAt: number }> = new Map();
  readonly #maxEntries: number;
  readonly #maxAgeMs: number;

  constructor(options: MemoryHistoryOptions = {}) {
    this.#maxEntries = options.maxEntriesPerLog ?? 10_000;
    this.#maxAgeMs = options.maxAgeMs ?? 10 * 60 * 1000;
  }

  /** The namespace's epoch (created on first use). */
  epoch(nsp: string): string {
    return this.#namespace(nsp).epoch;
  }

  /** Forgets everything, as a broker restarted without persistence would. */
  reset(): void {
    this.#namespaces.clear();
    this.#records.clear();
    this.#nodes.clear();
  }

  /** Gives the next position of `nsp`, storing `payload` in `log` unless `log` is undefined. */
  append(
    nsp: string,
    log: string | undefined,
    payload: Uint8Array,
  ): LogPosition & { epoch: string } {
    const space = this.#namespace(nsp);
    space.counter++;
    const position = { epoch: space.epoch, major: space.counter, minor: 0 };
    if (log === undefined) return position;
    let stored = space.logs.get(log);
    if (stored === undefined) {
      stored = { entries: [], dropped: 0 };
      space.logs.set(log, stored);
    }
    const now = Date.now();
    stored.entries.push({ major: space.counter, minor: 0, payload, at: now });
    this.#trim(stored, now);
    return position;
  }

  /** The entries at or after `from` of the given logs, or why some may be gone. */
  read(nsp: string, logs: string[], from: LogPosition): HistoryRead {
    const space = this.#namespace(nsp);
    const now = Date.now();
    const entries: HistoryEntry[] = [];
    for (const key of new Set(logs)) {
      const log = space.logs.get(key);
      if (log === undefined) continue;
      this.#trim(log, now);
      // Something after `from` was dropped: what is left is not everything the client missed.
      if (log.dropped > 0 && log.dropped >= from.major) return { ok: false, reason: "trimmed" };
      for (const entry of log.entries) {
        if (entry.major >= from.major) {
          entries.push({ major: entry.major, minor: entry.minor, payload: entry.payload });
        }
      }
    }
    return { ok: true, epoch: space.epoch, entries };
  }

  /** Writes records unless another node owns them. */
  save(owner: string, writes: SessionWrite[]): void {
    const now = Date.now();
    for (const write of writes) {
      const current = this.#liveRecord(write.pid, now);
      if (current !== undefined && current.owner !== owner) continue;
      this.#records.set(write.pid, { owner, value: write.value, expiresAt: now + write.ttlMs });
    }
  }

  /** Deletes the records `owner` still owns. */
  drop(owner: string, pids: string[]): void {
    for (const pid of pids) {
      if (this.#records.get(pid)?.owner === owner) this.#records.delete(pid);
    }
  }

  /** Reads a record without claiming it. */
  peek(pid: string): Uint8Array | undefined {
    return this.#liveRecord(pid, Date.now())?.value;
  }

  /** Reads and claims a record (restore-once). */
  claim(owner: string, pid: string, ttlMs: number): Uint8Array | undefined {
    const now = Date.now();
    const current = this.#liveRecord(pid, now);
    if (current?.value === undefined) return undefined;
    this.#records.set(pid, { owner, value: undefined, expiresAt: now + ttlMs });
    return current.value;
  }

  touch(uid: string, ttlMs: number): void {
    const now = Date.now();
    this.#nodes.set(uid, { at: now, expiresAt: now + ttlMs });
    this.#sweep(now);
  }

  lastSeen(uid: string): number | undefined {
    const node = this.#nodes.get(uid);
    return node === undefined || node.expiresAt < Date.now() ? undefined : node.at;
  }

  #liveRecord(pid: string, now: number): StoredRecord | undefined {
    const record = this.#records.get(pid);
    if (record !== undefined && record.expiresAt < now) {
      this.#records.delete(pid);
      return undefined;
    }
    return record;
  }

  #namespace(nsp: string): Namespace {
    let space = this.#namespaces.get(nsp);
    if (space === undefined) {
      space = { epoch: randomBytes(6).toString("base64url"), counter: 0, logs: new Map() };
      this.#namespaces.set(nsp, space);
    }
    return space;
  }

  #trim(log: Log, now: number): void {
    const entries = log.entries;
    let drop = Math.max(0, entries.length - this.#maxEntries);
    while (drop < entries.length && (entries[drop] as StoredEntry).at < now - this.#maxAgeMs)
      drop++;
    if (drop === 0) return;
    log.dropped = (entries[drop - 1] as StoredEntry).major;
    entries.splice(0, drop);
  }

  /** Drops expired records and nodes (bounded memory). */
  #sweep(now: number): void {
    for (const [pid, record] of this.#records)
      if (record.expiresAt < now) this.#records.delete(pid);
    for (const [uid, node] of this.#nodes) if (node.expiresAt < now) this.#nodes.delete(uid);
  }
}
