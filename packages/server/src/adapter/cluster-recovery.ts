// Connection state recovery across nodes, the stateful half (recovery/replay.ts is the pure
// half): the node's delivery frontiers stamped into offsets, the session records kept in the
// bus's store as sockets change, and the restore (claim, fence, read, join the live stream).
// docs/recovery.md describes the guarantees and why they hold.
import { randomBytes } from "node:crypto";
import type { PacketEncoder } from "../connection/parser.js";
import {
  type ClusterOffset,
  compareItems,
  formatOffset,
  type ItemPosition,
  parseOffset,
  START,
} from "../recovery/cluster-offset.js";
import { restoredSession } from "../recovery/missed-events.js";
import {
  type BufferedEvent,
  type EntryReader,
  type EventPayload,
  reaches,
  replay,
} from "../recovery/replay.js";
import type { SessionRecord, StoredPosition } from "../recovery/session-record.js";
import type { BroadcastOptions, PrivateSessionId, RecoverySettings, Session } from "./adapter.js";
import { FENCE_MARKER } from "./cluster-bus.js";
import { AdapterError, AdapterErrorCode } from "./cluster-errors.js";
import type { ClusterHistory, DeliveredPosition, LogPosition } from "./cluster-history.js";
import { RecoverySessions, type SessionHost } from "./recovery-sessions.js";

/** Why a recovery attempt got a new session. */
export type RecoveryMissReason =
  | "offset"
  | "session"
  | "connected"
  | "expired"
  | "epoch"
  | "trimmed"
  | "gap"
  | "timeout"
  | "error";

/** Counters of recovery attempts (read by `/metrics` and tests). */
export interface RecoveryCounters {
  hits: number;
  misses: Record<RecoveryMissReason, number>;
  /** Events replayed to recovered sockets. */
  replayed: number;
  /** Ordered items that arrived at or before the frontier (a bus that broke log order). */
  outOfOrder: number;
}

/** What the recovery engine needs from its adapter. */
export interface RecoveryHost extends SessionHost {
  /** The server's encoder: missed events are handed to the socket encoded (missed-events.ts). */
  readonly encoder: PacketEncoder;
  /**
   * A reader of log entries for one restore (the adapter knows the envelope and its batch
   * limits; a reader keeps what it learnt from one entry for the next: history-entry.ts).
   */
  entryReader(): EntryReader;
  /** Subscribes to the rooms' channels (kept until unpin) and resolves once the bus confirmed. */
  pinRooms(rooms: readonly string[]): Promise<void>;
  unpinRooms(rooms: readonly string[]): void;
  /** Resolves once every append this node made so far was stored (or failed). */
  settleAppends(): Promise<void>;
  /** The restore's fence came back: the pinned rooms' past is now known up to `fence`. */
  roomsSettled(rooms: readonly string[], fence: LogPosition): void;
}

/** How long a restore waits for its fence to come back. */
const FENCE_TIMEOUT_MS = 5000;

/** A restore in progress: the events delivered meanwhile to its rooms. */
interface PendingRestore {
  rooms: readonly string[];
  buffer: BufferedEvent[];
}

/** The recovery engine of one cluster adapter (one namespace on one node). */
export class ClusterRecovery {
  readonly counters: RecoveryCounters = {
    hits: 0,
    misses: {
      offset: 0,
      session: 0,
      connected: 0,
      expired: 0,
      epoch: 0,
      trimmed: 0,
      gap: 0,
      timeout: 0,
      error: 0,
    },
    replayed: 0,
    outOfOrder: 0,
  };
  readonly sessions: RecoverySessions;
  readonly #host: RecoveryHost;
  readonly #history: ClusterHistory;
  #epoch = "";
  /** The last ordered event of another publisher delivered here. */
  #remote: ItemPosition = START;
  /** This node's own recoverable events so far. */
  #own = 0;
  readonly #restores: Set<PendingRestore> = new Set();
  readonly #fences: Map<string, (position: DeliveredPosition) => void> = new Map();

  constructor(host: RecoveryHost, history: ClusterHistory, settings: RecoverySettings) {
    this.#host = host;
    this.#history = history;
    this.sessions = new RecoverySessions(host, history.sessions, settings, () => this.#remote);
  }

  /** Opens the history and starts keeping session records. */
  async open(): Promise<void> {
    this.#epoch = await this.#history.open();
    this.sessions.start();
  }

  /**
   * The bus came back after an outage: the history may be a new one (a broker restarted without
   * persistence), and the session records of the live sockets may be gone with it: reads the
   * epoch again (a new one starts the remote frontier over) and writes every live record again.
   */
  async reopen(): Promise<void> {
    const epoch = await this.#history.open();
    if (epoch !== this.#epoch) {
      this.#epoch = epoch;
      this.#remote = START;
    }
    this.sessions.rewriteAll();
  }

  /** Stops the timers and writes the pending session records. */
  close(): Promise<void> {
    return this.sessions.stop();
  }

  /** The history below (the adapter appends to it). */
  get history(): ClusterHistory {
    return this.#history;
  }

  /** Counts one more own recoverable event and returns its number. */
  nextOwn(): number {
    this.#own++;
    return this.#own;
  }

  /** The offset of an event delivered now: this node's two frontiers. */
  stamp(): string {
    return formatOffset({ epoch: this.#epoch, remote: this.#remote, own: this.#own });
  }

  /** An ordered item of another publisher is being delivered: it is the new remote frontier. */
  onOrdered(position: DeliveredPosition, index: number): void {
    const next = { major: position.major, minor: position.minor, index };
    if (position.epoch !== this.#epoch) {
      // A new history (the broker lost the old one): offsets of the old epoch no longer resolve.
      this.#epoch = position.epoch;
      this.#remote = next;
      return;
    }
    // Ordered messages arrive in log order; a bus that broke it is counted, never followed back.
    if (compareItems(next, this.#remote) > 0) this.#remote = next;
    else this.counters.outOfOrder++;
  }

  /** A fence came back: everything before it was delivered, it is the new remote frontier. */
  onFence(token: string, position: DeliveredPosition): void {
    this.onOrdered(position, 0);
    this.#fences.get(token)?.(position);
  }

  /** Whether a restore is running (deliveries are then offered to {@link record}). */
  get restoring(): boolean {
    return this.#restores.size > 0;
  }

  /** Offers a delivered event to the running restores whose rooms it reaches. */
  record(event: BufferedEvent, opts: BroadcastOptions): void {
    for (const restore of this.#restores) {
      if (reaches(restore.rooms, opts)) restore.buffer.push(event);
    }
  }

  /** Restores a session, or returns null (and counts why). */
  async restore(pid: PrivateSessionId, offsetText: string): Promise<Session | null> {
    if (parseOffset(offsetText) === undefined) return this.#miss("offset");
    let claimed: Awaited<ReturnType<RecoverySessions["claim"]>>;
    try {
      claimed = await this.sessions.claim(pid);
    } catch (cause) {
      this.#host.reportError(
        new AdapterError(AdapterErrorCode.RECOVERY_FAILED, "claiming a session failed", { cause }),
      );
      return this.#miss("error");
    }
    if (claimed.ok === false) return this.#miss(claimed.reason);
    const record = claimed.record;
    // Restored on record.node with nothing missed, and no event since: the client's offset (of
    // the node before) stands for that node's stamp of the restore (session-record.ts).
    const alias = record.alias;
    const offset = parseOffset(
      alias !== undefined && alias[0] === offsetText ? alias[1] : offsetText,
    );
    if (offset === undefined) return this.#miss("offset");
    // A room joined right before the record was written, whose subscription was not confirmed
    // yet: which of its events came before the join is unknown, so nothing can be promised.
    if (record.floors.includes(null)) return this.#miss("gap");
    const rooms = record.rooms.includes(record.sid) ? record.rooms : [...record.rooms, record.sid];
    const pending: PendingRestore = { rooms, buffer: [] };
    this.#restores.add(pending);
    let pinned = false;
    try {
      await this.#host.pinRooms(rooms);
      pinned = true;
      await this.#host.settleAppends();
      const ownAtFence = this.#own;
      const fence = await this.fence();
      if (fence === undefined) return this.#miss("timeout");
      this.#host.roomsSettled(rooms, fence);
      const result = await this.#collect(offset, record, rooms, fence, ownAtFence, pending);
      if (typeof result === "string") return this.#miss(result);
      this.counters.hits++;
      this.counters.replayed += result.length;
      const saved = { sid: record.sid, pid, rooms: record.rooms, data: record.data };
      const host = this.#host;
      const stamp = this.stamp();
      // Nothing to send: the client keeps its offset, which now stands for this stamp.
      if (result.length === 0) this.sessions.alias(record.sid, offsetText, stamp);
      return restoredSession(saved, result, stamp, host.nsp.name, host.encoder);
    } catch (cause) {
      this.#host.reportError(
        new AdapterError(AdapterErrorCode.RECOVERY_FAILED, "a session restore failed", { cause }),
      );
      return this.#miss("error");
    } finally {
      this.#restores.delete(pending);
      // After the recovered socket joined its rooms (it does so in the same microtask run as
      // this promise's continuation): a room it is in keeps its subscription.
      if (pinned) setImmediate(() => this.#host.unpinRooms(rooms));
    }
  }

  async #collect(
    offset: ClusterOffset,
    record: SessionRecord,
    rooms: readonly string[],
    fence: DeliveredPosition,
    ownAtFence: number,
    pending: PendingRestore,
  ): Promise<EventPayload[] | RecoveryMissReason> {
    // An offset at or after the fence was never delivered by anyone: forged. (Positions of
    // another epoch are not comparable: the read below tells whether that history is lost.)
    const remote = offset.remote;
    if (
      offset.epoch === fence.epoch &&
      (remote.major > fence.major || (remote.major === fence.major && remote.minor >= fence.minor))
    ) {
      return "offset";
    }
    const targets = [
      { kind: "all" as const },
      ...rooms.map((room) => ({ kind: "room" as const, room })),
    ];
    const read = await this.#history.read(targets, remote);
    if (!read.ok) return read.reason;
    if (read.epoch !== offset.epoch) return "epoch";
    const floors = new Map<string, ItemPosition | null>();
    for (const [i, room] of record.rooms.entries()) {
      floors.set(room, position(record.floors[i] ?? null));
    }
    if (!floors.has(record.sid)) floors.set(record.sid, position(record.since));
    const result = replay({
      offset,
      rooms,
      floors,
      since: position(record.since) ?? START,
      node: record.node,
      entries: read.entries,
      fence,
      ownAtFence,
      buffered: pending.buffer,
      read: this.#host.entryReader(),
    });
    return result.ok ? result.events : result.reason;
  }

  /** The last ordered event of another publisher delivered here. */
  get frontier(): ItemPosition {
    return this.#remote;
  }

  /**
   * Sends a fence to this node and resolves with its position once it came back (everything
   * appended before it was delivered here by then), or undefined after a timeout or a failure.
   */
  fence(): Promise<DeliveredPosition | undefined> {
    const token = randomBytes(9).toString("base64url");
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#fences.delete(token);
        resolve(undefined);
      }, FENCE_TIMEOUT_MS);
      this.#fences.set(token, (position) => {
        clearTimeout(timer);
        this.#fences.delete(token);
        resolve(position);
      });
      const payload = new Uint8Array(1 + token.length);
      payload[0] = FENCE_MARKER;
      payload.set(Buffer.from(token, "latin1"), 1);
      this.#history.fence(this.#host.uid, payload).catch((cause: unknown) => {
        clearTimeout(timer);
        this.#fences.delete(token);
        this.#host.reportError(
          new AdapterError(AdapterErrorCode.PUBLISH_FAILED, "a recovery fence failed", { cause }),
        );
        resolve(undefined);
      });
    });
  }

  #miss(reason: RecoveryMissReason): null {
    this.counters.misses[reason]++;
    return null;
  }
}

function position(stored: StoredPosition | null): ItemPosition | null {
  return stored === null ? null : { major: stored[0], minor: stored[1], index: stored[2] };
}
