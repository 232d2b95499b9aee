// The recovery layer of a cluster adapter: with `connectionStateRecovery` on and a bus that keeps
// a history (cluster-history.ts), recoverable broadcasts are appended to their rooms' logs by the
// publisher, every delivered event carries an offset, session records follow the sockets, and a
// client can recover on any node (cluster-recovery.ts). ClusterAdapter builds the message
// semantics on top; with recovery off, nothing here runs.
import type { Packet } from "@switchyard/protocol";
import { PacketType } from "@switchyard/protocol";
import type { ItemPosition } from "../recovery/cluster-offset.js";
import type {
  BroadcastOptions,
  PrivateSessionId,
  Room,
  Session,
  SessionToPersist,
  SocketId,
} from "./adapter.js";
import { ClusterBusAdapter, type ClusterTarget, logKeyOf } from "./cluster-bus.js";
import { AdapterError, AdapterErrorCode } from "./cluster-errors.js";
import type { ClusterHistory, DeliveredPosition, LogPosition } from "./cluster-history.js";
import { MessageType } from "./cluster-message.js";
import { ClusterRecovery, type RecoveryCounters, type RecoveryHost } from "./cluster-recovery.js";
import { HistoryEntryReader } from "./history-entry.js";
import { LogChains } from "./log-chains.js";
import { SeenWindow } from "./seen-window.js";
import type { WirePacket } from "./wire-packet.js";

/** How long after a failed append the history is told about the gap (retried until it takes). */
const GAP_RETRY_MS = 1000;

/**
 * A cluster bus adapter with recovery across nodes. Buses with a history override
 * {@link history} and {@link doAppend}, and pass each ordered message's position to `onPayload`.
 */
export abstract class ClusterHistoryAdapter extends ClusterBusAdapter {
  #recovery: ClusterRecovery | undefined;
  #opening: Promise<void> | undefined;
  #historyOpening = false;
  /** Rooms whose new subscription waits for a fence: their members' floors are unknown. */
  readonly #pendingRooms: Set<Room> = new Set();
  /** Rooms whose subscription was confirmed, waiting for the next room fence. */
  #fenceBatch: Set<Room> | undefined;
  /** Room fences in flight (see {@link whenSubscribed}). */
  readonly #fencing: Set<Promise<void>> = new Set();
  /** Targets some of whose events could not be appended: a gap is written there. */
  readonly #gaps: Map<string, ClusterTarget> = new Map();
  /** The counters delivered per publishing node, per log (see {@link isDuplicate}). */
  readonly #seen: Map<string, Map<string, SeenWindow>> = new Map();
  /** Lost ordered messages, seen and read back (see {@link onPayload}). */
  readonly #chains: LogChains = new LogChains({
    deliver: (payload, position, target) => super.onPayload(payload, position, target),
    history: () => this.history(),
    failed: (cause) => {
      const message = "reading back messages lost on the way (a failover) failed";
      this.reportError(new AdapterError(AdapterErrorCode.RECOVERY_FAILED, message, { cause }));
    },
  });
  #gapTimer: NodeJS.Timeout | undefined;

  /** Whether live node `uid` holds a connected socket `sid` (false when it does not answer). */
  protected abstract remoteHolds(uid: string, sid: SocketId): Promise<boolean>;

  /** The bus's history for this namespace, or undefined when the bus keeps none. */
  protected history(): ClusterHistory | undefined {
    return undefined;
  }

  /**
   * Resolves when every room subscribed so far knows from which position its members are in it
   * (its fence came back, or failed): a session saved after that replays the room's past.
   */
  async whenRoomsSettled(): Promise<void> {
    while (this.#fencing.size > 0) await Promise.allSettled([...this.#fencing]);
  }

  /**
   * False while the recovery history is being opened (a round trip once the bus is up): a socket
   * that connects meanwhile has no record of when it joined its rooms, so its session could not be
   * recovered later. `/readyz` waits for it (ops/health.ts), so a balancer sends no client before.
   */
  get historyReady(): boolean {
    return !this.#historyOpening;
  }

  /** Recovery counters (hits, misses by reason, replayed events), when recovery runs. */
  get recoveryCounters(): RecoveryCounters | undefined {
    return this.#recovery?.counters;
  }

  /** Opens the history when recovery is on (called by init, before the subscriptions). */
  protected async openRecovery(): Promise<void> {
    const settings = this.nsp.recovery;
    if (settings === undefined) return;
    const history = this.history();
    if (history === undefined) {
      const message =
        "connectionStateRecovery is on but this adapter's bus keeps no history: no session will be recovered";
      this.reportError(new AdapterError(AdapterErrorCode.RECOVERY_UNSUPPORTED, message));
      return;
    }
    const recovery = new ClusterRecovery(this.#host, history, settings);
    this.#historyOpening = true;
    try {
      this.#opening = recovery.open();
      await this.#opening;
    } finally {
      this.#historyOpening = false;
    }
    this.#recovery = recovery;
    this.on("create-room", (room: Room) => {
      // A socket's own room never has a past; without room channels every node hears "all".
      if (this.roomChannels && !this.nsp.sockets.has(room) && !this.isPinned(room)) {
        this.#pendingRooms.add(room);
      }
    });
    this.on("delete-room", (room: Room) => {
      this.#pendingRooms.delete(room);
      this.forgetLog({ kind: "room", room });
    });
  }

  /** The bus reconnected after an outage: the history and the records may have to be redone. */
  protected reopenRecovery(): void {
    this.#recovery?.reopen().catch((cause: unknown) => {
      const message = "reopening the recovery history after an outage failed";
      this.reportError(new AdapterError(AdapterErrorCode.SESSION_STORE_FAILED, message, { cause }));
    });
  }

  /** Stops the recovery timers and writes the pending session records. */
  protected async closeRecovery(): Promise<void> {
    if (this.#gapTimer !== undefined) clearTimeout(this.#gapTimer);
    await this.#recovery?.close();
  }

  /** Whether `packet` sent with `opts` is stored for recovery (the official rules). */
  protected isRecoverable(packet: Packet, opts: BroadcastOptions): boolean {
    return (
      this.#recovery !== undefined &&
      (packet.type === PacketType.EVENT || packet.type === PacketType.BINARY_EVENT) &&
      packet.id === undefined &&
      opts.flags?.volatile !== true &&
      opts.flags?.local !== true &&
      Array.isArray(packet.data)
    );
  }

  /** Numbers this node's next recoverable event (the `o` it carries on the bus). */
  protected nextOwn(): number {
    return this.#recovery?.nextOwn() ?? 0;
  }

  /**
   * Before the local delivery of own event `own`: offers it to restores, appends the offset to
   * its data and returns it (for the chunks encoded before, wire-packet.ts).
   */
  protected stampOwn(packet: Packet, opts: BroadcastOptions, own: number): string | undefined {
    const recovery = this.#recovery;
    const data = packet.data as unknown[];
    if (recovery === undefined) return undefined;
    if (recovery.restoring) recovery.record({ kind: "own", own, data: [...data] }, opts);
    const stamp = recovery.stamp();
    data.push(stamp);
    return stamp;
  }

  /**
   * Whether a recoverable event of node `uid` numbered `own` was delivered already: a publish
   * retried after its reply was lost (a failover) that had in fact gone through arrives twice, on
   * the same log. Kept per node and log (events read back from a log after a lost message,
   * log-chains.ts, come after the node's later events of other logs), over a window of recent
   * numbers (seen-window.ts): an original that lands behind a later append of its log (retried
   * after a broker restart) is delivered late rather than dropped.
   */
  protected isDuplicate(uid: string, own: number): boolean {
    let logs = this.#seen.get(uid);
    if (logs === undefined) {
      logs = new Map();
      this.#seen.set(uid, logs);
    }
    const log = this.deliveringLog ?? "";
    let seen = logs.get(log);
    if (seen === undefined) {
      seen = new SeenWindow();
      logs.set(log, seen);
    }
    return !seen.take(own);
  }

  /** Forgets a node that left (its counters are never seen again). */
  protected forgetPublisher(uid: string): void {
    this.#seen.delete(uid);
  }

  /** Before the local delivery of an ordered event from another node: the same. */
  protected stampRemote(packet: Packet, opts: BroadcastOptions): void {
    const recovery = this.#recovery;
    const position = this.deliveringPosition;
    if (recovery === undefined || position === undefined || !Array.isArray(packet.data)) return;
    const data = packet.data as unknown[];
    if (recovery.restoring) recovery.record({ kind: "remote", position, data: [...data] }, opts);
    data.push(recovery.stamp());
  }

  /**
   * {@link stampRemote} for a peer's encoded event: the offset to append to its text (one for
   * every local socket), undefined when the event is not ordered.
   */
  protected stampRemoteEncoded(chunks: WirePacket, opts: BroadcastOptions): string | undefined {
    const recovery = this.#recovery;
    const position = this.deliveringPosition;
    if (recovery === undefined || position === undefined) return undefined;
    if (recovery.restoring) {
      recovery.record({ kind: "remote", position, data: { encoded: chunks } }, opts);
    }
    return recovery.stamp();
  }

  /**
   * An ordered message whose log's previous entry is not the last one this node delivered from
   * that log means some were lost on the way (a subscription re-made during a broker failover):
   * the missing entries are read back from the log and delivered first, in order, while later
   * ordered messages wait. Clients get them late, but get them.
   */
  protected override onPayload(
    payload: Uint8Array,
    position?: DeliveredPosition,
    target?: ClusterTarget,
  ): void {
    // Fences (a node's own target) have no log to catch up from: a lost one times out its restore.
    const chained = target !== undefined && target.kind !== "node";
    if (position === undefined || !chained || this.#recovery === undefined) {
      super.onPayload(payload, position, target);
      return;
    }
    this.#chains.offer(payload, position, target);
  }

  /** Publisher counters kept for the copy check, one per node and log (for tests and metrics). */
  get trackedLogCounters(): number {
    let count = 0;
    for (const logs of this.#seen.values()) count += logs.size;
    return count;
  }

  /** Entries read back from a log after a lost message (a failover), for metrics and tests. */
  get caughtUp(): number {
    return this.#chains.caughtUp;
  }

  /** This node stopped following a log: its chain restarts at the next subscription. */
  protected forgetLog(target: ClusterTarget): void {
    this.#chains.forget(target);
    // Rooms come and go (every socket's own room is one): their last counters go with them.
    const log = logKeyOf(target);
    for (const logs of this.#seen.values()) logs.delete(log);
  }

  protected override onOrdered(position: DeliveredPosition, index: number): void {
    this.#recovery?.onOrdered(position, index);
  }

  protected override onFence(payload: Uint8Array, position: DeliveredPosition): void {
    const token = Buffer.from(payload.subarray(1)).toString("latin1");
    this.#recovery?.onFence(token, position);
  }

  /**
   * The position after which the new subscription to `room` delivers every ordered message, when
   * the bus knows it (a bus that dispatches one ordered feed locally); undefined: a fence finds out.
   */
  protected subscribedAfter(_room: Room): ItemPosition | undefined {
    return undefined;
  }

  protected override onRoomSubscribed(room: Room): void {
    const recovery = this.#recovery;
    if (recovery === undefined || !this.#pendingRooms.has(room)) return;
    const floor = this.subscribedAfter(room);
    if (floor !== undefined) {
      this.#pendingRooms.delete(room);
      recovery.sessions.settle(room, floor);
      return;
    }
    if (this.#fenceBatch !== undefined) {
      this.#fenceBatch.add(room);
      return;
    }
    const batch = new Set([room]);
    this.#fenceBatch = batch;
    // One fence for every room subscribed in this tick.
    const fencing = new Promise<void>((resolve) => {
      setImmediate(() => {
        this.#fenceBatch = undefined;
        void recovery.fence().then((fence) => {
          if (fence !== undefined) this.#host.roomsSettled([...batch], fence);
          resolve();
        });
      });
    });
    this.#fencing.add(fencing);
    void fencing.finally(() => this.#fencing.delete(fencing));
  }

  /**
   * With recovery, resolves once the session record of every socket of this node, as it is now
   * (a restored socket's included), is in the bus's store: another node then sees these sessions
   * as connected here. Records are otherwise written at the end of the tick that changed them.
   */
  async whenSessionsSaved(): Promise<void> {
    await this.#opening?.catch(() => undefined);
    await this.#recovery?.sessions.saved();
  }

  /**
   * Resolves when every pending subscription reached the bus and, with recovery, when the rooms
   * joined so far know from which log position their members are in (their fence came back).
   */
  override async whenSubscribed(): Promise<void> {
    await super.whenSubscribed();
    await this.whenRoomsSettled();
  }

  protected override onAppendFailed(target: ClusterTarget, _count: number): void {
    if (this.#recovery === undefined) return;
    const key = target.kind === "room" ? `r${target.room}` : target.kind;
    this.#gaps.set(key, target);
    this.#gapTimer ??= setTimeout(() => this.#writeGaps(), GAP_RETRY_MS);
    this.#gapTimer.unref();
  }

  override addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void {
    const recovery = this.#recovery;
    if (recovery === undefined) return super.addAll(id, rooms);
    const before = this.sids.get(id);
    const fresh = [...rooms].filter((room) => before?.has(room) !== true);
    const done = super.addAll(id, rooms);
    recovery.sessions.joined(id, fresh, (room) =>
      this.#pendingRooms.has(room) ? null : recovery.frontier,
    );
    return done;
  }

  override del(id: SocketId, room: Room): Promise<void> | void {
    const done = super.del(id, room);
    this.#recovery?.sessions.leftRoom(id, room);
    return done;
  }

  override delAll(id: SocketId): void {
    const pid = this.nsp.sockets.get(id)?.pid;
    super.delAll(id);
    this.#recovery?.sessions.left(id, pid);
  }

  override persistSession(session: SessionToPersist): Promise<void> | void {
    this.#recovery?.sessions.persist(session);
  }

  override async restoreSession(pid: PrivateSessionId, offset: string): Promise<Session | null> {
    await this.#opening?.catch(() => undefined);
    return this.#recovery === undefined ? null : this.#recovery.restore(pid, offset);
  }

  /** Tells the histories that lost events about it; retried while the broker refuses. */
  #writeGaps(): void {
    this.#gapTimer = undefined;
    const gaps = [...this.#gaps.values()];
    this.#gaps.clear();
    for (const target of gaps) {
      const rooms = target.kind === "room" ? [target.room] : [];
      const payload = this.encode({ type: MessageType.HISTORY_GAP, data: { rooms } });
      if (payload !== undefined) this.publishEncoded(target, payload, true);
    }
  }

  /** What the recovery engine uses of this adapter. */
  readonly #host: RecoveryHost = {
    uid: this.uid,
    nsp: this.nsp,
    encoder: this.nsp.encoder,
    reportError: (error) => this.reportError(error),
    entryReader: () => {
      const reader = new HistoryEntryReader(this.nsp.name);
      return (entry) => reader.read(entry);
    },
    pinRooms: (rooms) => this.pinRooms(rooms),
    unpinRooms: (rooms) => this.unpinRooms(rooms),
    settleAppends: () => this.settleAppends(),
    holdsSocket: (uid, sid) =>
      uid === this.uid ? Promise.resolve(this.nsp.sockets.has(sid)) : this.remoteHolds(uid, sid),
    roomsSettled: (rooms, fence) => this.#roomsSettled(rooms, fence),
  };

  #roomsSettled(rooms: readonly Room[], fence: LogPosition): void {
    const floor: ItemPosition = { major: fence.major, minor: fence.minor, index: 0 };
    for (const room of rooms) {
      if (this.#pendingRooms.delete(room)) this.#recovery?.sessions.settle(room, floor);
    }
  }
}
