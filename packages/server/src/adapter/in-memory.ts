// The in-memory adapter: rooms ⇄ sids bookkeeping for one namespace on one node, and the
// broadcast fast path (targets resolved once, packet encoded once, same chunks to every session).
import { EventEmitter } from "node:events";
import type { Packet } from "@switchyard/protocol";
import { adapterLog } from "../log.js";
import { emitIsolated } from "../typed-events.js";
import type {
  AdapterContract,
  AdapterNamespace,
  AdapterSocket,
  BroadcastOptions,
  EncodedWriteOptions,
  PrivateSessionId,
  Room,
  Session,
  SessionToPersist,
  SocketDetails,
  SocketId,
} from "./adapter.js";

/**
 * The default adapter of every namespace. Extend it to build a cluster adapter.
 * Events: `create-room(room)`, `delete-room(room)`, `join-room(room, id)`, `leave-room(room, id)`.
 * A listener that throws is rethrown on the next tick; the bookkeeping still completes.
 */
export class Adapter extends EventEmitter implements AdapterContract {
  readonly nsp: AdapterNamespace;
  readonly rooms: Map<Room, Set<SocketId>> = new Map();
  readonly sids: Map<SocketId, Set<Room>> = new Map();

  constructor(nsp: AdapterNamespace) {
    super();
    this.nsp = nsp;
  }

  /** Called once when the namespace is created. */
  init(): Promise<void> | void {}

  /** Called by `io.close()` and when an empty child namespace is removed. */
  close(): Promise<void> | void {}

  /** The number of nodes in the cluster (1 for the in-memory adapter). */
  serverCount(): Promise<number> {
    return Promise.resolve(1);
  }

  addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void {
    let joined = this.sids.get(id);
    if (joined === undefined) {
      joined = new Set();
      this.sids.set(id, joined);
    }
    for (const room of rooms) {
      joined.add(room);
      let members = this.rooms.get(room);
      if (members === undefined) {
        members = new Set();
        this.rooms.set(room, members);
        emitIsolated(this, "create-room", [room]);
      }
      if (!members.has(id)) {
        members.add(id);
        emitIsolated(this, "join-room", [room, id]);
      }
    }
  }

  del(id: SocketId, room: Room): Promise<void> | void {
    this.sids.get(id)?.delete(room);
    this.#removeFromRoom(room, id);
  }

  delAll(id: SocketId): void {
    const joined = this.sids.get(id);
    if (joined === undefined) return;
    for (const room of joined) this.#removeFromRoom(room, id);
    this.sids.delete(id);
  }

  socketRooms(id: SocketId): Set<Room> | undefined {
    return this.sids.get(id);
  }

  /** Sends a packet to the targeted local sockets, encoding it once. */
  broadcast(packet: Packet, opts: BroadcastOptions): void {
    packet.nsp = this.nsp.name;
    this.broadcastEncoded(packet, this.nsp.encoder.encode(packet), opts);
  }

  /**
   * Writes `encoded`, the namespace encoder's chunks of `packet`, to the targeted local sockets
   * (whose outgoing any-listeners get `packet`). Cluster adapters call it with chunks a peer
   * encoded (wire-packet.ts).
   */
  protected broadcastEncoded(
    packet: Packet,
    encoded: readonly unknown[],
    opts: BroadcastOptions,
  ): void {
    const writeOptions = toWriteOptions(opts);
    let reached = 0;
    this.apply(opts, (socket) => {
      reached++;
      socket.notifyOutgoingListeners(packet);
      socket.writeEncoded(encoded, writeOptions);
    });
    if (adapterLog.enabled) logBroadcast(this.nsp.name, packet, opts, reached);
  }

  /** Like broadcast, with one ack id; reports the number of targets, then each answer to `ack`. */
  broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void {
    const writeOptions = toWriteOptions(opts);
    packet.nsp = this.nsp.name;
    const id = this.nsp.nextAckId();
    packet.id = id;
    const encoded = this.nsp.encoder.encode(packet);
    const expiresAt = Date.now() + (opts.flags?.timeout ?? 0);
    let clientCount = 0;
    this.apply(opts, (socket) => {
      clientCount++;
      socket.registerBroadcastAck(id, ack, expiresAt);
      socket.notifyOutgoingListeners(packet);
      socket.writeEncoded(encoded, writeOptions);
    });
    clientCountCallback(clientCount);
  }

  /** The ids of the sockets in any of `rooms` (all sockets when empty). */
  sockets(rooms: Set<Room>): Promise<Set<SocketId>> {
    const ids = new Set<SocketId>();
    this.apply({ rooms }, (socket) => ids.add(socket.id));
    return Promise.resolve(ids);
  }

  fetchSockets(opts: BroadcastOptions): Promise<Array<AdapterSocket | SocketDetails>> {
    const found: AdapterSocket[] = [];
    this.apply(opts, (socket) => found.push(socket));
    return Promise.resolve(found);
  }

  addSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.apply(opts, (socket) => void socket.join(rooms));
  }

  delSockets(opts: BroadcastOptions, rooms: Room[]): void {
    this.apply(opts, (socket) => {
      for (const room of rooms) void socket.leave(room);
    });
  }

  disconnectSockets(opts: BroadcastOptions, close: boolean): void {
    this.apply(opts, (socket) => socket.disconnect(close));
  }

  /** Sends an event to the other nodes: a no-op on a single node (see docs/compat.md). */
  serverSideEmit(packet: unknown[]): void {
    const last = packet[packet.length - 1];
    if (typeof last === "function") {
      // There are no other nodes: nobody will answer, so the ack gets no responses at once.
      process.nextTick(() => last(null, []));
    }
  }

  persistSession(_session: SessionToPersist): Promise<void> | void {}

  restoreSession(
    _pid: PrivateSessionId,
    _offset: string,
  ): Promise<Session | null> | Session | null {
    return null;
  }

  /** Calls `fn` once for every local socket targeted by `opts`. */
  protected apply(opts: BroadcastOptions, fn: (socket: AdapterSocket) => void): void {
    const excluded = this.exceptSids(opts.except);
    if (opts.rooms.size > 0) this.#applyToRooms(opts.rooms, excluded, fn);
    else this.#applyToAll(excluded, fn);
  }

  #applyToRooms(
    rooms: Set<Room>,
    excluded: ReadonlySet<SocketId>,
    fn: (socket: AdapterSocket) => void,
  ): void {
    if (rooms.size === 1) {
      for (const room of rooms) this.#applyToRoom(room, excluded, fn);
      return;
    }
    const sockets = this.nsp.sockets;
    // A socket in several targeted rooms is reached once.
    const reached = new Set<SocketId>();
    for (const room of rooms) {
      for (const id of this.rooms.get(room) ?? []) {
        if (reached.has(id) || excluded.has(id)) continue;
        const socket = sockets.get(id);
        if (socket === undefined) continue;
        reached.add(id);
        fn(socket);
      }
    }
  }

  /** One room (every remote broadcast over a room channel): no set of reached sockets needed. */
  #applyToRoom(
    room: Room,
    excluded: ReadonlySet<SocketId>,
    fn: (socket: AdapterSocket) => void,
  ): void {
    const members = this.rooms.get(room);
    if (members === undefined) return;
    const sockets = this.nsp.sockets;
    for (const id of members) {
      if (excluded.has(id)) continue;
      const socket = sockets.get(id);
      if (socket !== undefined) fn(socket);
    }
  }

  #applyToAll(excluded: ReadonlySet<SocketId>, fn: (socket: AdapterSocket) => void): void {
    const sockets = this.nsp.sockets;
    for (const id of this.sids.keys()) {
      if (excluded.has(id)) continue;
      const socket = sockets.get(id);
      if (socket !== undefined) fn(socket);
    }
  }

  /** The ids of the sockets in any of the excluded rooms. */
  protected exceptSids(except: Set<Room> | undefined): ReadonlySet<SocketId> {
    if (except === undefined || except.size === 0) return NO_SIDS;
    const ids = new Set<SocketId>();
    for (const room of except) {
      const members = this.rooms.get(room);
      if (members !== undefined) for (const id of members) ids.add(id);
    }
    return ids;
  }

  #removeFromRoom(room: Room, id: SocketId): void {
    const members = this.rooms.get(room);
    if (members === undefined || !members.delete(id)) return;
    emitIsolated(this, "leave-room", [room, id]);
    if (members.size === 0 && this.rooms.delete(room)) emitIsolated(this, "delete-room", [room]);
  }
}

/** The excluded sids of a broadcast without `except` rooms (most of them): nothing to allocate. */
const NO_SIDS: ReadonlySet<SocketId> = new Set<SocketId>();

function toWriteOptions(opts: BroadcastOptions): EncodedWriteOptions {
  return { volatile: opts.flags?.volatile, compress: opts.flags?.compress };
}

/** One debug line per broadcast: namespace, event, rooms, exceptions, local sockets reached. */
function logBroadcast(nsp: string, packet: Packet, opts: BroadcastOptions, reached: number): void {
  const event = Array.isArray(packet.data) ? packet.data[0] : undefined;
  const rooms = opts.rooms.size === 0 ? "all" : [...opts.rooms].join(",");
  const except =
    opts.except === undefined || opts.except.size === 0
      ? ""
      : ` except ${[...opts.except].join(",")}`;
  adapterLog.log("broadcast %s %o to %s%s: %d local sockets", nsp, event, rooms, except, reached);
}
