// Socket: one client in one namespace. User API (emit/on/join/leave/disconnect/timeout) over a
// Connection; incoming packets are dispatched here after the packet middlewares. Its ids and the
// details users read (handshake, data, request, rooms) are SocketIdentity's (socket-identity.ts).

import type { Packet } from "@switchyard/protocol";
import { PacketType } from "@switchyard/protocol";
import type { AdapterSocket, EncodedWriteOptions, Room, Session } from "../adapter/adapter.js";
import { BroadcastOperator } from "../broadcast/operator.js";
import type { OfficialAckTable } from "../compat/official-adapter.js";
import type { Connection, ConnectionSocket } from "../connection/connection.js";
import { socketLog } from "../log.js";
import type { Namespace } from "../namespace/namespace.js";
import { RECOVERABLE_DISCONNECT_REASONS } from "../recovery/recovery-options.js";
import { reservedEventError } from "../socket-errors.js";
import type {
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
} from "../typed-events.js";
import { type AckCallback, callIsolated, PendingAcks, singleShot } from "./acks.js";
import { runMiddlewareChain } from "./middleware-chain.js";
import { RESERVED_SOCKET_EVENTS } from "./reserved-events.js";
import { SocketIdentity } from "./socket-identity.js";
import type { DisconnectReason, Event, SocketFlags } from "./socket-types.js";

export type { DisconnectReason, Event, SocketReservedEventsMap } from "./socket-types.js";

type Multi<E extends EventsMap> = DecorateAcknowledgementsWithMultipleResponses<E>;

/** Empty flags of an emit; never mutated (a modifier creates the socket's own flags first). */
const NO_FLAGS: SocketFlags = Object.freeze({});
const NO_MIDDLEWARES: readonly never[] = Object.freeze([]);

/**
 * A client connected to one namespace.
 *
 * Memory: idle sockets are the common case, so everything that is not always used is created on
 * first use: the handshake object (from the request, the auth and the creation time), `data`, the
 * pending acks, the packet middlewares, the emit flags and the catch-all listeners; the listener
 * table is a fast-mode object rather than EventEmitter's dictionary.
 */
export class Socket<
    ListenEvents extends EventsMap = DefaultEventsMap,
    EmitEvents extends EventsMap = ListenEvents,
    ServerSideEvents extends EventsMap = DefaultEventsMap,
    // biome-ignore lint/suspicious/noExplicitAny: socket.io's default SocketData is any
    SocketData = any,
  >
  extends SocketIdentity<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  implements AdapterSocket, ConnectionSocket
{
  #acks: PendingAcks | undefined;
  #middlewares: Array<(event: Event, next: (err?: Error) => void) => void> | undefined;
  #flags: SocketFlags | undefined;
  #cleanedUp = false;
  /** Set once the close has begun: a close from a `disconnecting` listener is a no-op. */
  #closing = false;

  constructor(
    nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    client: Connection,
    auth: Record<string, unknown>,
    previousSession?: Session,
  ) {
    super(nsp, client, auth, previousSession);
    if (previousSession !== undefined) {
      void this.join(previousSession.rooms);
      this.data = previousSession.data as SocketData;
      // §2.6: missed packets go out before the CONNECT reply; the client buffers them.
      const encoded = previousSession.missedEncoded;
      if (encoded !== undefined) {
        for (const chunks of encoded) client.writeEncoded(chunks, { compress: true });
      } else {
        for (const data of previousSession.missedPackets) {
          this.#writePacket({ type: PacketType.EVENT, nsp: nsp.name, data }, {});
        }
      }
      this.recovered = true;
    }
  }

  /**
   * Emits an event to the client; a trailing function receives the client's acknowledgement.
   * @throws SocketError (`SY_ERR_SOCKET_RESERVED_EVENT_NAME`) for a reserved name.
   * @example socket.emit("hello", "world", (answer) => console.log(answer));
   */
  override emit<Ev extends EventNames<EmitEvents>>(
    ev: Ev,
    ...args: EventParams<EmitEvents, Ev>
  ): boolean {
    if (RESERVED_SOCKET_EVENTS.has(ev)) throw reservedEventError(ev);
    const data: unknown[] = [ev, ...args];
    const packet: Packet = { type: PacketType.EVENT, nsp: this.nsp.name, data };
    const last = data[data.length - 1];
    if (typeof last === "function") {
      data.pop();
      packet.id = this.nsp.nextAckId();
      this.#registerAck(packet.id, last as AckCallback);
    }
    const flags = this.#flags ?? NO_FLAGS;
    this.#flags = undefined;
    if (this.nsp.recovery !== undefined && packet.id === undefined && flags.volatile !== true) {
      // Through the adapter, so that the packet is stored (with its offset) for recovery. Acked
      // and volatile packets are never stored: they are written directly.
      this.nsp.adapter.broadcast(packet, {
        rooms: new Set([this.id]),
        except: new Set(),
        flags: { ...flags },
      });
    } else {
      this.notifyOutgoingListeners(packet);
      this.#writePacket(packet, flags);
    }
    return true;
  }

  /** Emits and resolves with the acknowledgement (rejects on timeout after `timeout()`). */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>> {
    const withError = this.#flags?.timeout !== undefined;
    return new Promise((resolve, reject) => {
      const ack = (first: unknown, second: unknown): void => {
        if (!withError) resolve(first as FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>);
        else if (first) reject(first);
        else resolve(second as FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>);
      };
      this.emit(ev, ...([...args, ack] as EventParams<EmitEvents, Ev>));
    });
  }

  /** Emits a "message" event. */
  send(...args: EventParams<EmitEvents, "message">): this {
    this.emit("message", ...args);
    return this;
  }

  /** Alias of `send()`. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /** Joins one or several rooms. */
  join(rooms: Room | Room[]): Promise<void> | void {
    if (this.#cleanedUp) return;
    return this.nsp.adapter.addAll(this.id, new Set(Array.isArray(rooms) ? rooms : [rooms]));
  }

  /** Leaves a room. */
  leave(room: Room): Promise<void> | void {
    return this.nsp.adapter.del(this.id, room);
  }

  /** Targets a room, excluding this socket. */
  to(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#newBroadcastOperator().to(room);
  }

  /** Alias of `to()`. */
  in(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#newBroadcastOperator().in(room);
  }

  /** Targets everyone but the sockets in `room` (and this socket). */
  except(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#newBroadcastOperator().except(room);
  }

  /** Targets every socket of the namespace but this one. */
  get broadcast(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#newBroadcastOperator();
  }

  /** Targets the sockets of this node only, except this one. */
  get local(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#newBroadcastOperator().local;
  }

  /** The next packet may be dropped if the transport is not writable. */
  get volatile(): this {
    this.#ownFlags().volatile = true;
    return this;
  }

  /** Sets the compress flag of the next packet. */
  compress(compress: boolean): this {
    this.#ownFlags().compress = compress;
    return this;
  }

  /** The ack of the next emit gets `(err, ...args)`, with an Error when `timeoutMs` passes. */
  timeout(
    timeoutMs: number,
  ): Socket<ListenEvents, DecorateAcknowledgements<EmitEvents>, ServerSideEvents, SocketData> {
    this.#ownFlags().timeout = timeoutMs;
    return this as unknown as Socket<
      ListenEvents,
      DecorateAcknowledgements<EmitEvents>,
      ServerSideEvents,
      SocketData
    >;
  }

  /**
   * Leaves the namespace (`server namespace disconnect`). With `close`, every namespace of the
   * client is left and the Engine.IO session is closed.
   */
  disconnect(close = false): this {
    if (!this.connected) return this;
    if (close) {
      this.client.disconnectAll();
    } else if (!this.#closing) {
      this.#writePacket({ type: PacketType.DISCONNECT, nsp: this.nsp.name }, {});
      this.onClose("server namespace disconnect");
    }
    return this;
  }

  /** Adds a packet middleware: `next(err)` drops the event and emits `error` on the socket. */
  use(fn: (event: Event, next: (err?: Error) => void) => void): this {
    if (this.#middlewares === undefined) this.#middlewares = [fn];
    else this.#middlewares.push(fn);
    return this;
  }

  /** @package Writes chunks that the adapter encoded once for every target. */
  writeEncoded(encoded: readonly unknown[], options: EncodedWriteOptions): void {
    this.client.writeEncoded(encoded, options);
  }

  /** @package Registers the ack of a broadcast. */
  registerBroadcastAck(id: number, ack: (...args: unknown[]) => void, expiresAt?: number): void {
    if (expiresAt === undefined) this.#pendingAcks().set(id, ack);
    else this.#pendingAcks().setUntil(id, ack, expiresAt);
  }

  /** @internal socket.io's ack table, where socket.io-adapter registers a broadcast's ack. */
  get acks(): OfficialAckTable {
    return this.#pendingAcks();
  }

  /** @package Called by the namespace once the middlewares passed: joins own room, replies. */
  onConnect(): void {
    this.connected = true;
    void this.join(this.id);
    const pid = this.pid;
    const data = pid === undefined ? { sid: this.id } : { sid: this.id, pid };
    this.#writePacket({ type: PacketType.CONNECT, nsp: this.nsp.name, data }, {});
  }

  /** @package A packet for this namespace from the client. */
  onPacket(packet: Packet): void {
    switch (packet.type) {
      case PacketType.EVENT:
      case PacketType.BINARY_EVENT:
        this.#onEvent(packet);
        break;
      case PacketType.ACK:
      case PacketType.BINARY_ACK:
        this.#onAck(packet);
        break;
      case PacketType.DISCONNECT:
        this.onClose("client namespace disconnect");
        break;
    }
  }

  /** @package A decode or transport error on the connection. */
  onError(err: Error): void {
    // With no listener the error is dropped: it must not crash the process.
    if (this.listenerCount("error") > 0) this.emitReserved("error", err);
  }

  /** @package Leaves the namespace: `disconnecting`, rooms left, then `disconnect`. */
  onClose(reason: string, description?: unknown): void {
    // A `disconnecting` listener may call disconnect(): the close already under way wins.
    if (!this.connected || this.#closing) return;
    this.#closing = true;
    socketLog.log("socket %s left %s: %s", this.id, this.nsp.name, reason);
    const why = reason as DisconnectReason;
    this.emitReserved("disconnecting", why, description);
    const pid = this.pid;
    if (
      this.nsp.recovery !== undefined &&
      pid !== undefined &&
      RECOVERABLE_DISCONNECT_REASONS.has(reason)
    ) {
      void this.nsp.adapter.persistSession({
        sid: this.id,
        pid,
        rooms: [...this.rooms],
        data: this.data,
      });
    }
    this.cleanup();
    this.client.removeSocket(this);
    this.connected = false;
    this.emitReserved("disconnect", why, description);
    this.#acks?.failAll();
  }

  /** @package Removes the socket from its rooms and namespace. */
  cleanup(): void {
    this.nsp.adapter.delAll(this.id);
    this.nsp.removeSocket(this);
    this.#cleanedUp = true;
  }

  #writePacket(packet: Packet, flags: SocketFlags): void {
    packet.nsp = this.nsp.name;
    this.client.writePacket(packet, {
      compress: flags.compress !== false,
      volatile: flags.volatile,
    });
  }

  #registerAck(id: number, ack: AckCallback): void {
    const timeoutMs = this.#flags?.timeout;
    const bound: AckCallback = (...args) => callIsolated(ack, this, args);
    if (timeoutMs === undefined) this.#pendingAcks().set(id, bound);
    else this.#pendingAcks().setWithTimeout(id, bound, timeoutMs);
  }

  #pendingAcks(): PendingAcks {
    if (this.#acks === undefined) this.#acks = new PendingAcks();
    return this.#acks;
  }

  #ownFlags(): SocketFlags {
    if (this.#flags === undefined) this.#flags = {};
    return this.#flags;
  }

  #onEvent(packet: Packet): void {
    const args: unknown[] = Array.isArray(packet.data) ? [...packet.data] : [];
    const id = packet.id;
    if (id !== undefined) {
      args.push(
        singleShot((data) =>
          this.#writePacket({ type: PacketType.ACK, nsp: this.nsp.name, id, data }, {}),
        ),
      );
    }
    this.callAnyIncoming(args);
    runMiddlewareChain(this.#middlewares ?? NO_MIDDLEWARES, args as Event, (err) => {
      process.nextTick(() => {
        if (err !== undefined) this.onError(err);
        else if (this.connected) this.emitUntyped(args[0] as string, ...args.slice(1));
      });
    });
  }

  #onAck(packet: Packet): void {
    if (packet.id === undefined) return;
    const ack = this.#acks?.take(packet.id);
    if (ack !== undefined) ack(...(Array.isArray(packet.data) ? packet.data : []));
  }

  #newBroadcastOperator(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    const flags = this.#flags ?? {};
    this.#flags = undefined;
    return new BroadcastOperator(this.nsp.adapter, new Set(), new Set([this.id]), flags);
  }
}
