// What a Server delegates to its main namespace `/`, as socket.io does: the EventEmitter API
// (`io.on("connection")` listens on `/`) and the broadcast API (`io.emit()`, `io.to(room)`…).
// Server (server.ts) owns `sockets` and everything else: options, attach/bind, of(), close().
import { EventEmitter } from "node:events";
import type { Room, SocketId } from "./adapter/adapter.js";
import type { BroadcastOperator } from "./broadcast/operator.js";
import type { RemoteSocket } from "./broadcast/remote-socket.js";
import type { ConnectMiddleware, Namespace } from "./namespace/namespace.js";
import type { Socket } from "./socket/socket.js";
import type {
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
  RemoveAcknowledgements,
} from "./typed-events.js";
import { StrictEventEmitter } from "./typed-events.js";

/** Reserved events of the server (emitted by the main namespace). */
export interface ServerReservedEventsMap<
  L extends EventsMap,
  E extends EventsMap,
  S extends EventsMap,
  D,
> {
  connect: (socket: Socket<L, E, S, D>) => void;
  connection: (socket: Socket<L, E, S, D>) => void;
  new_namespace: (namespace: Namespace<L, E, S, D>) => void;
}

type Multi<E extends EventsMap> = DecorateAcknowledgementsWithMultipleResponses<E>;

/** The API of a Server that is its main namespace's (see Server). */
export abstract class MainNamespaceDelegate<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> extends StrictEventEmitter<
  ServerSideEvents,
  RemoveAcknowledgements<EmitEvents>,
  ServerReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
> {
  /** The main namespace `/`. */
  abstract readonly sockets: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;

  /** Broadcasts to every socket of the main namespace. */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    return this.sockets.emit(ev, ...args);
  }

  use(fn: ConnectMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.sockets.use(fn);
    return this;
  }

  to(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.sockets.to(room);
  }

  in(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.sockets.in(room);
  }

  except(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.sockets.except(room);
  }

  send(...args: EventParams<EmitEvents, "message">): this {
    this.sockets.send(...args);
    return this;
  }

  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<
      DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>,
      Ev
    >
  ): boolean {
    return this.sockets.serverSideEmit(ev, ...args);
  }

  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]> {
    return this.sockets.serverSideEmitWithAck(ev, ...args);
  }

  /** @deprecated Use `fetchSockets()`. */
  allSockets(): Promise<Set<SocketId>> {
    return this.sockets.allSockets();
  }

  compress(compress: boolean): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.sockets.compress(compress);
  }

  get volatile(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.sockets.volatile;
  }

  get local(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.sockets.local;
  }

  timeout(
    timeoutMs: number,
  ): BroadcastOperator<DecorateAcknowledgements<Multi<EmitEvents>>, SocketData> {
    return this.sockets.timeout(timeoutMs);
  }

  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return this.sockets.fetchSockets();
  }

  socketsJoin(room: Room | Room[]): void {
    this.sockets.socketsJoin(room);
  }

  socketsLeave(room: Room | Room[]): void {
    this.sockets.socketsLeave(room);
  }

  disconnectSockets(close = false): void {
    this.sockets.disconnectSockets(close);
  }
}

// The EventEmitter API of the server is the main namespace's (`io.on("connection")` listens on `/`).
const FORWARDED = [
  "on",
  "once",
  "off",
  "addListener",
  "prependListener",
  "prependOnceListener",
  "removeListener",
  "removeAllListeners",
  "listeners",
  "rawListeners",
  "listenerCount",
  "eventNames",
  "setMaxListeners",
  "getMaxListeners",
] as const;

for (const name of FORWARDED) {
  const method = EventEmitter.prototype[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(MainNamespaceDelegate.prototype, name, {
    configurable: true,
    writable: true,
    value(
      this: MainNamespaceDelegate<EventsMap, EventsMap, EventsMap, unknown>,
      ...args: unknown[]
    ): unknown {
      const result = Reflect.apply(method, this.sockets, args);
      return result === this.sockets ? this : result;
    },
  });
}
