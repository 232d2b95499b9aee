// RemoteSocket: a socket held by another node, as returned by fetchSockets(). Its methods act
// through the adapter, targeting the socket's own room (its id).
import type {
  AdapterContract,
  BroadcastOptions,
  Room,
  SocketDetails,
  SocketId,
} from "../adapter/adapter.js";
import type { Handshake } from "../socket/handshake.js";
import type {
  DecorateAcknowledgements,
  EventNames,
  EventParams,
  EventsMap,
  TypedEventBroadcaster,
} from "../typed-events.js";
import type { BroadcastOperator } from "./operator.js";

/** A socket of another node (or its serialisable view). */
export class RemoteSocket<EmitEvents extends EventsMap, SocketData = unknown>
  implements TypedEventBroadcaster<EmitEvents>
{
  readonly id: SocketId;
  readonly handshake: Handshake;
  readonly rooms: Set<Room>;
  readonly data: SocketData;
  readonly #adapter: AdapterContract;
  readonly #operator: BroadcastOperator<EmitEvents, SocketData>;

  /** `operator` targets this socket's id with single-response acks (built by fetchSockets). */
  constructor(
    adapter: AdapterContract,
    details: SocketDetails,
    operator: BroadcastOperator<EmitEvents, SocketData>,
  ) {
    this.id = details.id;
    this.handshake = details.handshake;
    this.rooms = new Set(details.rooms);
    this.data = details.data as SocketData;
    this.#adapter = adapter;
    this.#operator = operator;
  }

  /** Emits to this socket; an ack callback gets its single response. */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    return this.#operator.emit(ev, ...args);
  }

  /** Sets the ack timeout of the next emit. */
  timeout(timeoutMs: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return this.#operator.timeout(timeoutMs);
  }

  /** Makes this socket join `room`. */
  join(room: Room | Room[]): void {
    this.#adapter.addSockets(this.#target(), Array.isArray(room) ? room : [room]);
  }

  /** Makes this socket leave `room`. */
  leave(room: Room): void {
    this.#adapter.delSockets(this.#target(), [room]);
  }

  /** Disconnects this socket; `close` also closes its Engine.IO session. */
  disconnect(close = false): this {
    this.#adapter.disconnectSockets(this.#target(), close);
    return this;
  }

  /** Complete options (empty `except` and `flags`): socket.io-adapter subclasses read them all. */
  #target(): BroadcastOptions {
    return { rooms: new Set([this.id]), except: new Set(), flags: {} };
  }
}
