// The session records of one adapter in the bus's shared store: written as sockets change
// (batched: one store call per tick, not one round trip per join), refreshed while they live, marked
// disconnected at a recoverable disconnection, dropped at a final one, claimed once at a restore.
// A SIGKILLed node's sockets are thus recoverable elsewhere: their records are already stored,
// and the node's last sign of life (touch) stands for their disconnection time.

import type { ItemPosition } from "../recovery/cluster-offset.js";
import {
  decodeSessionRecord,
  encodeSessionRecord,
  type SessionRecord,
  type StoredPosition,
} from "../recovery/session-record.js";
import type { AdapterSocket, RecoverySettings, SessionToPersist, SocketId } from "./adapter.js";
import { AdapterError, AdapterErrorCode } from "./cluster-errors.js";
import type { SessionStore, SessionWrite } from "./cluster-history.js";

/** What the session records need from their adapter. */
export interface SessionHost {
  readonly uid: string;
  readonly nsp: { readonly name: string; readonly sockets: ReadonlyMap<SocketId, AdapterSocket> };
  reportError(error: Error): void;
  /** Whether node `uid` (this one included) still holds a connected socket `sid`. */
  holdsSocket(uid: string, sid: SocketId): Promise<boolean>;
}

/** The outcome of claiming a record for a restore. */
export type ClaimResult =
  | { ok: true; record: SessionRecord }
  | { ok: false; reason: "session" | "expired" | "connected" };

/** The longest interval between two signs of life of a node, in ms. */
const MAX_TOUCH_MS = 5000;

/** Since when a socket is in its namespace and in each of its rooms (see session-record.ts). */
interface Membership {
  since: ItemPosition;
  floors: Map<string, ItemPosition | null>;
}

/** The session records of one namespace on one node. */
export class RecoverySessions {
  readonly #host: SessionHost;
  readonly #store: SessionStore;
  readonly #maxDisconnectionMs: number;
  /** Sockets whose record must be written again (joined, left, connected). */
  readonly #dirty: Set<SocketId> = new Set();
  /** Records of disconnected sockets waiting for the next write, by pid. */
  readonly #disconnected: Map<string, SessionWrite> = new Map();
  /** Pids whose records go away (final disconnection). */
  readonly #drops: Set<string> = new Set();
  /** Sockets saved as disconnected: their removal from the rooms is not a final one. */
  readonly #persisted: Set<SocketId> = new Set();
  readonly #members: Map<SocketId, Membership> = new Map();
  /** Restored here with nothing missed: the offset the client still holds and its stand-in. */
  readonly #aliases: Map<SocketId, [string, string]> = new Map();
  readonly #frontier: () => ItemPosition;
  #scheduled = false;
  #writing: Promise<void> = Promise.resolve();
  #touchTimer: NodeJS.Timeout | undefined;
  #touches = 0;

  constructor(
    host: SessionHost,
    store: SessionStore,
    settings: RecoverySettings,
    frontier: () => ItemPosition,
  ) {
    this.#host = host;
    this.#frontier = frontier;
    this.#store = store;
    this.#maxDisconnectionMs = settings.maxDisconnectionDuration;
  }

  /** How often this node says it is alive. */
  get touchInterval(): number {
    return Math.max(50, Math.min(MAX_TOUCH_MS, Math.floor(this.#maxDisconnectionMs / 4)));
  }

  /** Writes the record of every local socket again (the store may have lost them). */
  rewriteAll(): void {
    this.#touch();
    for (const id of this.#host.nsp.sockets.keys()) this.changed(id);
  }

  /** Starts the sign-of-life timer (live records are rewritten every half `maxDisconnectionDuration`). */
  start(): void {
    const every = this.touchInterval;
    const refreshEvery = Math.max(1, Math.floor(this.#maxDisconnectionMs / 2 / every));
    this.#touch();
    this.#touchTimer = setInterval(() => {
      this.#touch();
      this.#touches++;
      if (this.#touches % refreshEvery === 0) this.rewriteAll();
    }, every);
    this.#touchTimer.unref();
  }

  /** Stops the timer and writes what is pending. */
  async stop(): Promise<void> {
    if (this.#touchTimer !== undefined) clearInterval(this.#touchTimer);
    this.#touchTimer = undefined;
    this.flush();
    await this.#writing;
  }

  /** Writes what is pending now and resolves once the store has every record written so far. */
  async saved(): Promise<void> {
    this.flush();
    await this.#writing;
  }

  /** A socket's rooms changed (or it connected): its record is written at the end of the tick. */
  changed(id: SocketId): void {
    this.#dirty.add(id);
    this.#schedule();
  }

  /** Socket `id` joined `rooms`; `floorOf` tells from which position it is a member of each. */
  joined(
    id: SocketId,
    rooms: readonly string[],
    floorOf: (room: string) => ItemPosition | null,
  ): void {
    let membership = this.#members.get(id);
    if (membership === undefined) {
      membership = { since: this.#frontier(), floors: new Map() };
      this.#members.set(id, membership);
    }
    for (const room of rooms) membership.floors.set(room, floorOf(room));
    this.changed(id);
  }

  /**
   * Socket `id` was restored here with nothing missed: the client still holds `offset` (another
   * node's), which stands for this node's `stamp` in its records until it gets another.
   */
  alias(id: SocketId, offset: string, stamp: string): void {
    this.#aliases.set(id, [offset, stamp]);
  }

  /** Socket `id` left `room`. */
  leftRoom(id: SocketId, room: string): void {
    if (this.#members.get(id)?.floors.delete(room)) this.changed(id);
  }

  /** This node's subscription to `room` is now confirmed: members waiting for it get `floor`. */
  settle(room: string, floor: ItemPosition): void {
    for (const [id, membership] of this.#members) {
      if (membership.floors.get(room) === null) {
        membership.floors.set(room, floor);
        this.changed(id);
      }
    }
  }

  /** A recoverable disconnection: the record says disconnected, for `maxDisconnectionDuration`. */
  persist(session: SessionToPersist): void {
    this.#dirty.delete(session.sid);
    const record: SessionRecord = {
      sid: session.sid,
      pid: session.pid,
      ...this.#membership(session.sid, session.rooms),
      data: session.data,
      node: this.#host.uid,
      live: false,
      at: Date.now(),
      alias: this.#aliases.get(session.sid),
    };
    const value = this.#encode(record);
    if (value === undefined) return;
    this.#persisted.add(session.sid);
    this.#drops.delete(session.pid);
    this.#disconnected.set(session.pid, {
      pid: session.pid,
      value,
      ttlMs: this.#maxDisconnectionMs,
    });
    this.#schedule();
  }

  /** A socket left its rooms for good: unless it was saved as disconnected, its record goes. */
  left(id: SocketId, pid: string | undefined): void {
    this.#dirty.delete(id);
    this.#members.delete(id);
    // A recoverable disconnection wrote its record (alias included) before this.
    this.#aliases.delete(id);
    if (this.#persisted.delete(id) || pid === undefined) return;
    this.#disconnected.delete(pid);
    this.#drops.add(pid);
    this.#schedule();
  }

  /**
   * Claims a record for a restore (restore-once) and checks that it has not expired. A record
   * still marked live belongs to a socket whose node died (then the node's last sign of life is the
   * disconnection time) or still holds it: then the session is not taken (as officially, where a
   * session is only saved once its server saw the disconnection).
   */
  async claim(pid: string): Promise<ClaimResult> {
    const peeked = await this.#store.peek(pid);
    const seen = peeked === undefined ? undefined : decodeSessionRecord(peeked);
    if (seen === undefined || seen.pid !== pid) return { ok: false, reason: "session" };
    if (seen.live && (await this.#host.holdsSocket(seen.node, seen.sid))) {
      return { ok: false, reason: "connected" };
    }
    const bytes = await this.#store.claim(this.#host.uid, pid, this.#maxDisconnectionMs);
    const record = bytes === undefined ? undefined : decodeSessionRecord(bytes);
    if (record === undefined || record.pid !== pid) return { ok: false, reason: "session" };
    let disconnectedAt = record.at;
    if (record.live) {
      const lastSeen =
        record.node === this.#host.uid ? record.at : await this.#store.lastSeen(record.node);
      if (lastSeen === undefined) return { ok: false, reason: "expired" };
      disconnectedAt = Math.max(record.at, lastSeen);
    }
    if (disconnectedAt + this.#maxDisconnectionMs < Date.now()) {
      return { ok: false, reason: "expired" };
    }
    return { ok: true, record };
  }

  #touch(): void {
    const ttlMs = this.#maxDisconnectionMs + 2 * this.touchInterval;
    this.#store.touch(this.#host.uid, ttlMs).catch((cause: unknown) => this.#failed(cause));
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    // After the current I/O callback's synchronous work: a connection handler that sets
    // `socket.data` right after the connect join is in the first write.
    setImmediate(() => this.flush());
  }

  /** Writes every pending record in one store call (and the drops in another). */
  flush(): void {
    this.#scheduled = false;
    const writes: SessionWrite[] = [];
    const liveTtl = 2 * this.#maxDisconnectionMs;
    const now = Date.now();
    for (const id of this.#dirty) {
      const socket = this.#host.nsp.sockets.get(id);
      const pid = socket?.pid;
      if (socket === undefined || pid === undefined) continue;
      const record: SessionRecord = {
        sid: id,
        pid,
        ...this.#membership(id, [...socket.rooms]),
        data: socket.data,
        node: this.#host.uid,
        live: true,
        at: now,
        alias: this.#aliases.get(id),
      };
      const value = this.#encode(record);
      if (value !== undefined) writes.push({ pid, value, ttlMs: liveTtl });
    }
    this.#dirty.clear();
    writes.push(...this.#disconnected.values());
    this.#disconnected.clear();
    const drops = [...this.#drops];
    this.#drops.clear();
    if (writes.length === 0 && drops.length === 0) return;
    const uid = this.#host.uid;
    // Writes of one node stay in order: a later write never overtakes an earlier one.
    this.#writing = this.#writing.then(async () => {
      if (writes.length > 0)
        await this.#store.save(uid, writes).catch((e: unknown) => this.#failed(e));
      if (drops.length > 0)
        await this.#store.drop(uid, drops).catch((e: unknown) => this.#failed(e));
    });
  }

  /** The rooms of a record with their floors. */
  #membership(id: SocketId, rooms: string[]): Pick<SessionRecord, "rooms" | "floors" | "since"> {
    const membership = this.#members.get(id);
    const floors = rooms.map((room) => {
      const floor = membership?.floors.get(room);
      return floor === undefined || floor === null ? null : stored(floor);
    });
    return { rooms, floors, since: stored(membership?.since ?? this.#frontier()) };
  }

  #encode(record: SessionRecord): Uint8Array | undefined {
    try {
      return encodeSessionRecord(record);
    } catch (cause) {
      const message = `the session of socket ${record.sid} cannot be stored (socket.data is not serialisable)`;
      this.#host.reportError(new AdapterError(AdapterErrorCode.ENCODE_FAILED, message, { cause }));
      return undefined;
    }
  }

  #failed(cause: unknown): void {
    const message = "writing session records to the store failed";
    this.#host.reportError(
      new AdapterError(AdapterErrorCode.SESSION_STORE_FAILED, message, { cause }),
    );
  }
}

function stored(position: ItemPosition): StoredPosition {
  return [position.major, position.minor, position.index];
}
