// The adapter contract: what a namespace needs from its adapter (rooms, broadcast, remote
// operations, recovery), and what an adapter may use of the namespace and its sockets. The
// in-memory Adapter implements it; the Redis, NATS and IPC adapters extend that class.
import type { EventEmitter } from "node:events";
import type { Packet } from "@switchyard/protocol";
import type { PacketEncoder } from "../connection/parser.js";
import type { Handshake } from "../socket/handshake.js";

export type Room = string;
export type SocketId = string;
/** The private id a client presents (`pid`) to recover its session. */
export type PrivateSessionId = string;

/** Modifiers of one broadcast (socket.io-adapter `BroadcastFlags`). */
export interface BroadcastFlags {
  volatile?: boolean;
  compress?: boolean;
  local?: boolean;
  broadcast?: boolean;
  binary?: boolean;
  timeout?: number;
}

/** Who receives a broadcast: sockets in any of `rooms` (everyone when empty), minus `except`. */
export interface BroadcastOptions {
  rooms: Set<Room>;
  except?: Set<Room>;
  flags?: BroadcastFlags;
}

/** Per-write options handed to the engine session. */
export interface EncodedWriteOptions {
  volatile?: boolean | undefined;
  compress?: boolean | undefined;
}

/** The serialisable view of a socket (what a remote node returns from fetchSockets). */
export interface SocketDetails {
  id: SocketId;
  handshake: Handshake;
  rooms: Room[];
  data: unknown;
}

/** A session saved at disconnection, restored when the client comes back with its pid. */
export interface SessionToPersist {
  sid: SocketId;
  pid: PrivateSessionId;
  rooms: Room[];
  data: unknown;
}

/** A restored session: the saved state plus the event packets (data arrays) the client missed. */
export interface Session extends SessionToPersist {
  missedPackets: unknown[][];
  /**
   * The same events encoded by the default parser, offsets included (cluster adapters, default
   * parser): the socket writes these as they are instead of encoding `missedPackets`.
   */
  missedEncoded?: ReadonlyArray<readonly unknown[]>;
}

/** What an adapter may use of a local socket. */
export interface AdapterSocket {
  readonly id: SocketId;
  /** The private session id (recovery on), kept in the session record. */
  readonly pid?: PrivateSessionId | undefined;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  data: unknown;
  /** Writes a packet that the adapter encoded once for every target. */
  writeEncoded(encoded: readonly unknown[], options: EncodedWriteOptions): void;
  /** Runs the socket's outgoing any-listeners for a broadcast packet. */
  notifyOutgoingListeners(packet: Packet): void;
  /**
   * Registers the ack callback of a broadcast under the packet id. `expiresAt` (epoch ms) is when
   * the broadcast stops waiting: past it, the socket may forget a callback its client never
   * answered.
   */
  registerBroadcastAck(id: number, ack: (...args: unknown[]) => void, expiresAt?: number): void;
  join(rooms: Room | Room[]): Promise<void> | void;
  leave(room: Room): Promise<void> | void;
  disconnect(close?: boolean): unknown;
}

/** Connection-state-recovery settings as the adapter sees them. */
export interface RecoverySettings {
  maxDisconnectionDuration: number;
  skipMiddlewares: boolean;
}

/** What an adapter may use of its namespace. */
export interface AdapterNamespace {
  readonly name: string;
  readonly sockets: ReadonlyMap<SocketId, AdapterSocket>;
  /** The server's shared encoder: a broadcast is encoded once with it. */
  readonly encoder: PacketEncoder;
  /** Recovery settings, or undefined when `connectionStateRecovery` is off. */
  readonly recovery: RecoverySettings | undefined;
  /** Allocates the next ack id of the namespace. */
  nextAckId(): number;
  /** Delivers a server-side event received from another node to local listeners. */
  onServerSideEmit(args: unknown[]): void;
}

/** The adapter contract. `Adapter` (in-memory) is the reference implementation. */
export interface AdapterContract extends EventEmitter {
  readonly nsp: AdapterNamespace;
  readonly rooms: Map<Room, Set<SocketId>>;
  readonly sids: Map<SocketId, Set<Room>>;
  init(): Promise<void> | void;
  close(): Promise<void> | void;
  serverCount(): Promise<number>;
  addAll(id: SocketId, rooms: Set<Room>): Promise<void> | void;
  del(id: SocketId, room: Room): Promise<void> | void;
  delAll(id: SocketId): void;
  socketRooms(id: SocketId): Set<Room> | undefined;
  broadcast(packet: Packet, opts: BroadcastOptions): void;
  broadcastWithAck(
    packet: Packet,
    opts: BroadcastOptions,
    clientCountCallback: (clientCount: number) => void,
    ack: (...args: unknown[]) => void,
  ): void;
  sockets(rooms: Set<Room>): Promise<Set<SocketId>>;
  fetchSockets(opts: BroadcastOptions): Promise<Array<AdapterSocket | SocketDetails>>;
  addSockets(opts: BroadcastOptions, rooms: Room[]): void;
  delSockets(opts: BroadcastOptions, rooms: Room[]): void;
  disconnectSockets(opts: BroadcastOptions, close: boolean): void;
  serverSideEmit(packet: unknown[]): void;
  persistSession(session: SessionToPersist): Promise<void> | void;
  restoreSession(pid: PrivateSessionId, offset: string): Promise<Session | null> | Session | null;
}

/** The `adapter` option: a class or a factory, called once per namespace. */
export type AdapterConstructor =
  | (new (
      nsp: AdapterNamespace,
    ) => AdapterContract)
  | ((nsp: AdapterNamespace) => AdapterContract);
