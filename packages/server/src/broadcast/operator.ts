// BroadcastOperator: an immutable selection of target sockets (rooms, except, flags). Every
// modifier returns a new operator; `emit` hands one packet to the adapter, which encodes it once.

import { PacketType } from "@switchyard/protocol";
import type {
  AdapterContract,
  AdapterSocket,
  BroadcastFlags,
  BroadcastOptions,
  Room,
  SocketDetails,
  SocketId,
} from "../adapter/adapter.js";
import { RESERVED_SOCKET_EVENTS } from "../socket/reserved-events.js";
import { reservedEventError, TimeoutError } from "../socket-errors.js";
import type {
  AllButLast,
  DecorateAcknowledgements,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
  TypedEventBroadcaster,
} from "../typed-events.js";
import { RemoteSocket } from "./remote-socket.js";

/** Operator flags: the adapter's flags plus the single-response mode of RemoteSocket. */
export interface OperatorFlags extends BroadcastFlags {
  expectSingleResponse?: boolean;
}

/** A chainable, immutable broadcast target (`io.to("room").except("other").emit(…)`). */
export class BroadcastOperator<EmitEvents extends EventsMap, SocketData = unknown>
  implements TypedEventBroadcaster<EmitEvents>
{
  readonly #adapter: AdapterContract;
  readonly #rooms: ReadonlySet<Room>;
  readonly #exceptRooms: ReadonlySet<Room>;
  readonly #flags: Readonly<OperatorFlags>;

  constructor(
    adapter: AdapterContract,
    rooms: ReadonlySet<Room> = new Set(),
    exceptRooms: ReadonlySet<Room> = new Set(),
    flags: Readonly<OperatorFlags> = {},
  ) {
    this.#adapter = adapter;
    this.#rooms = rooms;
    this.#exceptRooms = exceptRooms;
    this.#flags = flags;
  }

  /** Targets the sockets in `room` (added to the rooms already targeted). */
  to(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    const rooms = new Set(this.#rooms);
    for (const r of toArray(room)) rooms.add(r);
    return new BroadcastOperator(this.#adapter, rooms, this.#exceptRooms, this.#flags);
  }

  /** Alias of `to()`. */
  in(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    return this.to(room);
  }

  /** Excludes the sockets in `room`. */
  except(room: Room | Room[]): BroadcastOperator<EmitEvents, SocketData> {
    const exceptRooms = new Set(this.#exceptRooms);
    for (const r of toArray(room)) exceptRooms.add(r);
    return new BroadcastOperator(this.#adapter, this.#rooms, exceptRooms, this.#flags);
  }

  /** Sets the compress flag of the packets. */
  compress(compress: boolean): BroadcastOperator<EmitEvents, SocketData> {
    return this.#withFlags({ compress });
  }

  /** Drops the packet for clients whose transport is not writable right now. */
  get volatile(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#withFlags({ volatile: true });
  }

  /** Targets only the sockets of this node (cluster adapters skip the bus). */
  get local(): BroadcastOperator<EmitEvents, SocketData> {
    return this.#withFlags({ local: true });
  }

  /** Sets the ack timeout: the callback gets `(err, responses)` and `err` on expiry. */
  timeout(timeoutMs: number): BroadcastOperator<DecorateAcknowledgements<EmitEvents>, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, this.#exceptRooms, {
      ...this.#flags,
      timeout: timeoutMs,
    });
  }

  /**
   * Emits to every targeted socket. A trailing function collects one response per socket.
   * @throws SocketError (`SY_ERR_SOCKET_RESERVED_EVENT_NAME`) for a reserved name.
   */
  emit<Ev extends EventNames<EmitEvents>>(ev: Ev, ...args: EventParams<EmitEvents, Ev>): boolean {
    if (RESERVED_SOCKET_EVENTS.has(ev)) throw reservedEventError(ev);
    const data: unknown[] = [ev, ...args];
    const last = data[data.length - 1];
    const options = this.#options();
    if (typeof last !== "function") {
      this.#adapter.broadcast({ type: PacketType.EVENT, nsp: "/", data }, options);
      return true;
    }
    data.pop();
    this.#emitWithAckCallback(data, options, last as (...a: unknown[]) => void);
    return true;
  }

  /** Emits and resolves with the responses (rejects with a TimeoutError carrying `responses`). */
  emitWithAck<Ev extends EventNamesWithAck<EmitEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<EmitEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>> {
    return new Promise((resolve, reject) => {
      const ack = (err: Error | null, responses: unknown): void => {
        if (err) reject(err);
        else resolve(responses as FirstNonErrorArg<Last<EventParams<EmitEvents, Ev>>>);
      };
      this.emit(ev, ...([...args, ack] as EventParams<EmitEvents, Ev>));
    });
  }

  /** The ids of the targeted sockets (the except rooms are ignored, as in socket.io). */
  allSockets(): Promise<Set<SocketId>> {
    return this.#adapter.sockets(new Set(this.#rooms));
  }

  /** The targeted sockets: local ones as real Socket objects, remote ones as RemoteSocket. */
  async fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    const found = await this.#adapter.fetchSockets(this.#options());
    return found.map((socket) =>
      isLocalSocket(socket)
        ? (socket as unknown as RemoteSocket<EmitEvents, SocketData>)
        : new RemoteSocket<EmitEvents, SocketData>(
            this.#adapter,
            socket,
            new BroadcastOperator(this.#adapter, new Set([socket.id]), new Set(), {
              expectSingleResponse: true,
            }),
          ),
    );
  }

  /** Makes the targeted sockets join `room`. */
  socketsJoin(room: Room | Room[]): void {
    this.#adapter.addSockets(this.#options(), toArray(room));
  }

  /** Makes the targeted sockets leave `room`. */
  socketsLeave(room: Room | Room[]): void {
    this.#adapter.delSockets(this.#options(), toArray(room));
  }

  /** Disconnects the targeted sockets; `close` also closes their Engine.IO sessions. */
  disconnectSockets(close = false): void {
    this.#adapter.disconnectSockets(this.#options(), close);
  }

  #withFlags(flags: OperatorFlags): BroadcastOperator<EmitEvents, SocketData> {
    return new BroadcastOperator(this.#adapter, this.#rooms, this.#exceptRooms, {
      ...this.#flags,
      ...flags,
    });
  }

  #options(): BroadcastOptions {
    const { expectSingleResponse: _single, ...flags } = this.#flags;
    return { rooms: new Set(this.#rooms), except: new Set(this.#exceptRooms), flags };
  }

  /** Official semantics: done when every node reported its count and every client answered. */
  #emitWithAckCallback(
    data: unknown[],
    options: BroadcastOptions,
    ack: (...args: unknown[]) => void,
  ): void {
    const single = this.#flags.expectSingleResponse === true;
    const responses: unknown[] = [];
    let done = false;
    let expectedServers = -1;
    let reportedServers = 0;
    let expectedClients = 0;
    // No default timeout: without timeout(), setTimeout(undefined) fires at once (§0.8).
    const timer = setTimeout(() => {
      done = true;
      ack(new TimeoutError(responses), single ? null : responses);
    }, this.#flags.timeout);
    const check = (): void => {
      if (done || expectedServers !== reportedServers || responses.length !== expectedClients) {
        return;
      }
      done = true;
      clearTimeout(timer);
      ack(null, single ? responses[0] : responses);
    };
    this.#adapter.broadcastWithAck(
      { type: PacketType.EVENT, nsp: "/", data },
      options,
      (clientCount) => {
        expectedClients += clientCount;
        reportedServers++;
        check();
      },
      (response) => {
        // A late answer (after the deadline) must not change what the callback already got.
        if (done) return;
        responses.push(response);
        check();
      },
    );
    this.#adapter.serverCount().then(
      (count) => {
        expectedServers = count;
        check();
      },
      () => undefined,
    );
  }
}

function toArray(room: Room | Room[]): Room[] {
  return Array.isArray(room) ? room : [room];
}

function isLocalSocket(socket: AdapterSocket | SocketDetails): socket is AdapterSocket {
  return "writeEncoded" in socket;
}
