// Namespace: a set of sockets sharing connect middlewares, an adapter (rooms) and an ack-id
// counter. A CONNECT enters through addSocket(): recovery, middlewares, then the CONNECT reply.

import { PacketType } from "@switchyard/protocol";
import type {
  AdapterContract,
  AdapterNamespace,
  RecoverySettings,
  Room,
  Session,
  SocketId,
} from "../adapter/adapter.js";
import { BroadcastOperator } from "../broadcast/operator.js";
import type { RemoteSocket } from "../broadcast/remote-socket.js";
import type { Connection, ConnectionSocket, ConnectTarget } from "../connection/connection.js";
import type { PacketEncoder } from "../connection/parser.js";
import type { Server } from "../server.js";
import { runMiddlewareChain } from "../socket/middleware-chain.js";
import { RESERVED_NAMESPACE_EVENTS } from "../socket/reserved-events.js";
import { Socket } from "../socket/socket.js";
import { reservedEventError } from "../socket-errors.js";
import type {
  AllButLast,
  DecorateAcknowledgements,
  DecorateAcknowledgementsWithMultipleResponses,
  DecorateAcknowledgementsWithTimeoutAndMultipleResponses,
  DefaultEventsMap,
  EventNames,
  EventNamesWithAck,
  EventParams,
  EventsMap,
  FirstNonErrorArg,
  Last,
  RemoveAcknowledgements,
} from "../typed-events.js";
import { StrictEventEmitter } from "../typed-events.js";
import type { NamespaceContext } from "./namespace-context.js";

/** An Error that a connect middleware passes to `next()`; `data` reaches the client. */
export interface ExtendedError extends Error {
  // biome-ignore lint/suspicious/noExplicitAny: user-defined payload, typed any by socket.io
  data?: any;
}

/** Reserved events of a namespace. */
export interface NamespaceReservedEventsMap<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> {
  connect: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void;
  connection: (socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void;
}

/** A connect middleware of `io.use()` / `nsp.use()`. */
export type ConnectMiddleware<L extends EventsMap, E extends EventsMap, S extends EventsMap, D> = (
  socket: Socket<L, E, S, D>,
  next: (err?: ExtendedError) => void,
) => void;

type Multi<E extends EventsMap> = DecorateAcknowledgementsWithMultipleResponses<E>;

/** A namespace (`/`, `/admin`, or a dynamic child). */
export class Namespace<
    ListenEvents extends EventsMap = DefaultEventsMap,
    EmitEvents extends EventsMap = ListenEvents,
    ServerSideEvents extends EventsMap = DefaultEventsMap,
    // biome-ignore lint/suspicious/noExplicitAny: socket.io's default SocketData is any
    SocketData = any,
  >
  extends StrictEventEmitter<
    ServerSideEvents,
    RemoveAcknowledgements<EmitEvents>,
    NamespaceReservedEventsMap<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >
  implements AdapterNamespace, ConnectTarget
{
  readonly name: string;
  /** The connected sockets of this node, by id. */
  readonly sockets: Map<SocketId, Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> =
    new Map();
  readonly server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  adapter: AdapterContract;
  readonly #context: NamespaceContext;
  readonly #middlewares: ConnectMiddleware<
    ListenEvents,
    EmitEvents,
    ServerSideEvents,
    SocketData
  >[] = [];
  readonly #preConnect = new Map<
    SocketId,
    Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>
  >();
  #ids = 0;
  /** @package Called after a socket leaves (empty-child cleanup). */
  onSocketRemoved: (() => void) | undefined;

  constructor(
    server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    context: NamespaceContext,
    name: string,
  ) {
    super();
    this.server = server;
    this.#context = context;
    this.name = name;
    this.adapter = this.createAdapter();
  }

  /** @package The server's shared encoder (AdapterNamespace). */
  get encoder(): PacketEncoder {
    return this.#context.encoder;
  }

  /** @package Recovery settings, undefined when recovery is off (AdapterNamespace). */
  get recovery(): RecoverySettings | undefined {
    return this.#context.recovery();
  }

  /** @package The connect middlewares, in order (copied into dynamic children). */
  get middlewares(): readonly ConnectMiddleware<
    ListenEvents,
    EmitEvents,
    ServerSideEvents,
    SocketData
  >[] {
    return this.#middlewares;
  }

  /** @package Creates (or re-creates, after `io.adapter(x)`) the adapter of this namespace. */
  createAdapter(): AdapterContract {
    const adapter = this.#context.createAdapter(this);
    this.adapter = adapter;
    // A failed init is reported on the adapter's "error" event when someone listens; otherwise
    // it is dropped, as socket.io does (an "error" with no listener would crash the process).
    Promise.resolve(adapter.init()).catch((err: unknown) => {
      if (adapter.listenerCount("error") > 0) adapter.emit("error", err);
    });
    return adapter;
  }

  /** Adds a connect middleware. */
  use(fn: ConnectMiddleware<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): this {
    this.#middlewares.push(fn);
    return this;
  }

  /** @package Allocates the next ack id (shared by the namespace's sockets and broadcasts). */
  nextAckId(): number {
    return this.#ids++;
  }

  /** @package CONNECT: recover or create the socket, run the middlewares, then connect it. */
  addSocket(
    client: Connection,
    auth: Record<string, unknown>,
    onConnected: (socket: ConnectionSocket) => void,
  ): void {
    // A failure (in createSocket or admit) is rethrown on the next tick, never left as an
    // unhandled rejection.
    this.#createSocket(client, auth)
      .then((socket) => this.#admit(client, socket, onConnected))
      .catch((err: unknown) =>
        process.nextTick(() => {
          throw err;
        }),
      );
  }

  /** @package Whether a socket is connected or still running the connect middlewares. */
  get inUse(): boolean {
    return this.sockets.size > 0 || this.#preConnect.size > 0;
  }

  /** @package A socket left: forget it. */
  removeSocket(socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>): void {
    this.sockets.delete(socket.id);
    this.#preConnect.delete(socket.id);
    this.onSocketRemoved?.();
  }

  /** @package Delivers a server-side event from another node to the local listeners. */
  onServerSideEmit(args: unknown[]): void {
    const [ev, ...rest] = args;
    this.emitUntyped(ev as string, ...rest);
  }

  /** @internal socket.io's ack-id counter, read and incremented by socket.io-adapter. */
  get _ids(): number {
    return this.#ids;
  }

  set _ids(value: number) {
    this.#ids = value;
  }

  /** @internal socket.io's name of onServerSideEmit(), called by socket.io-adapter. */
  _onServerSideEmit(args: unknown[]): void {
    this.onServerSideEmit(args);
  }

  /** Targets a room. */
  to(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#operator().to(room);
  }

  /** Alias of `to()`. */
  in(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#operator().in(room);
  }

  /** Targets everyone except the sockets in `room`. */
  except(room: Room | Room[]): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#operator().except(room);
  }

  /** Broadcasts to every socket of the namespace. Always returns true. */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    return (this.#operator() as BroadcastOperator<EventsMap, SocketData>).emit(
      ev as string,
      ...args,
    );
  }

  /** Broadcasts a "message" event. */
  send(...args: EventParams<EmitEvents, "message">): this {
    (this.#operator() as BroadcastOperator<EventsMap, SocketData>).emit("message", ...args);
    return this;
  }

  /** Alias of `send()`. */
  write(...args: EventParams<EmitEvents, "message">): this {
    return this.send(...args);
  }

  /**
   * Sends an event to the other nodes of the cluster (a no-op on a single node).
   * @throws SocketError (`SY_ERR_SOCKET_RESERVED_EVENT_NAME`) for connect/connection/new_namespace.
   */
  serverSideEmit<Ev extends EventNames<ServerSideEvents>>(
    ev: Ev,
    ...args: EventParams<
      DecorateAcknowledgementsWithTimeoutAndMultipleResponses<ServerSideEvents>,
      Ev
    >
  ): boolean {
    if (RESERVED_NAMESPACE_EVENTS.has(ev)) throw reservedEventError(ev);
    this.adapter.serverSideEmit([ev, ...args]);
    return true;
  }

  /** Sends an event to the other nodes and resolves with their responses. */
  serverSideEmitWithAck<Ev extends EventNamesWithAck<ServerSideEvents>>(
    ev: Ev,
    ...args: AllButLast<EventParams<ServerSideEvents, Ev>>
  ): Promise<FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]> {
    return new Promise((resolve, reject) => {
      const ack = (err: Error | null, responses: unknown[]): void => {
        if (err) reject(err);
        else resolve(responses as FirstNonErrorArg<Last<EventParams<ServerSideEvents, Ev>>>[]);
      };
      if (RESERVED_NAMESPACE_EVENTS.has(ev)) throw reservedEventError(ev);
      this.adapter.serverSideEmit([ev, ...args, ack]);
    });
  }

  /** @deprecated Use `fetchSockets()`. The ids of every socket of the namespace. */
  allSockets(): Promise<Set<SocketId>> {
    return this.#operator().allSockets();
  }

  compress(compress: boolean): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#operator().compress(compress);
  }

  get volatile(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#operator().volatile;
  }

  get local(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return this.#operator().local;
  }

  timeout(
    timeoutMs: number,
  ): BroadcastOperator<DecorateAcknowledgements<Multi<EmitEvents>>, SocketData> {
    return this.#operator().timeout(timeoutMs);
  }

  /** The sockets of the namespace (local ones are real Socket objects). */
  fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    return (
      this.#operator() as unknown as BroadcastOperator<EmitEvents, SocketData>
    ).fetchSockets();
  }

  socketsJoin(room: Room | Room[]): void {
    this.#operator().socketsJoin(room);
  }

  socketsLeave(room: Room | Room[]): void {
    this.#operator().socketsLeave(room);
  }

  disconnectSockets(close = false): void {
    this.#operator().disconnectSockets(close);
  }

  #operator(): BroadcastOperator<Multi<EmitEvents>, SocketData> {
    return new BroadcastOperator(this.adapter);
  }

  async #createSocket(
    client: Connection,
    auth: Record<string, unknown>,
  ): Promise<Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> {
    const pid = auth["pid"];
    const offset = auth["offset"];
    if (this.recovery !== undefined && typeof pid === "string" && typeof offset === "string") {
      let session: Session | null = null;
      try {
        session = await this.adapter.restoreSession(pid, offset);
      } catch {
        session = null;
      }
      if (session !== null) return new Socket(this, client, auth, session);
    }
    return new Socket(this, client, auth);
  }

  #admit(
    client: Connection,
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    onConnected: (socket: ConnectionSocket) => void,
  ): void {
    const isOpen = (): boolean => client.session.readyState === "open";
    if (this.recovery?.skipMiddlewares === true && socket.recovered && isOpen()) {
      this.#connect(socket, onConnected);
      return;
    }
    this.#preConnect.set(socket.id, socket);
    runMiddlewareChain(this.#middlewares, socket, (err?: ExtendedError) => {
      process.nextTick(() => {
        if (!isOpen()) {
          socket.cleanup();
          return;
        }
        if (err !== undefined) {
          socket.cleanup();
          client.writePacket({
            type: PacketType.CONNECT_ERROR,
            nsp: this.name,
            data:
              err.data === undefined
                ? { message: err.message }
                : { message: err.message, data: err.data },
          });
          return;
        }
        this.#connect(socket, onConnected);
      });
    });
  }

  #connect(
    socket: Socket<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    onConnected: (socket: ConnectionSocket) => void,
  ): void {
    this.#preConnect.delete(socket.id);
    this.sockets.set(socket.id, socket);
    socket.onConnect();
    onConnected(socket);
    this.emitReserved("connect", socket);
    this.emitReserved("connection", socket);
  }
}
