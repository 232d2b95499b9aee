// ParentNamespace: the namespace returned by `io.of(regexp | fn)`. It owns no sockets; each
// matching name becomes a child namespace that copies its middlewares and connect listeners.

import type { Packet } from "@switchyard/protocol";
import type { AdapterContract, AdapterNamespace, BroadcastOptions } from "../adapter/adapter.js";
import { Adapter } from "../adapter/in-memory.js";
import type { RemoteSocket } from "../broadcast/remote-socket.js";
import type { Server } from "../server.js";
import { SocketError, SocketErrorCode } from "../socket-errors.js";
import type {
  DefaultEventsMap,
  EventNames,
  EventParams,
  EventsMap,
  RemoveAcknowledgements,
} from "../typed-events.js";
import { Namespace } from "./namespace.js";
import type { NamespaceContext } from "./namespace-context.js";

let parentCount = 0;

/** A dynamic namespace: matches names with a RegExp or a function and creates children. */
export class ParentNamespace<
  ListenEvents extends EventsMap = DefaultEventsMap,
  EmitEvents extends EventsMap = ListenEvents,
  ServerSideEvents extends EventsMap = DefaultEventsMap,
  // biome-ignore lint/suspicious/noExplicitAny: socket.io's default SocketData is any
  SocketData = any,
> extends Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
  /** The child namespaces created so far. */
  readonly children: Set<Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>> =
    new Set();
  readonly #context: NamespaceContext;
  readonly #register: (
    nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  ) => void;
  readonly #unregister: (
    nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
  ) => void;

  constructor(
    server: Server<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    context: NamespaceContext,
    register: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
    unregister: (nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>) => void,
  ) {
    super(server, context, `/_${parentCount++}`);
    this.#context = context;
    this.#register = register;
    this.#unregister = unregister;
  }

  /** The parent broadcasts through every child's adapter. */
  override createAdapter(): Adapter {
    const adapter = new ParentBroadcastAdapter(this, () => this.children);
    this.adapter = adapter;
    return adapter;
  }

  /** Broadcasts to every child namespace. */
  override emit<Ev extends EventNames<RemoveAcknowledgements<EmitEvents>>>(
    ev: Ev,
    ...args: EventParams<RemoveAcknowledgements<EmitEvents>, Ev>
  ): boolean {
    for (const child of this.children) child.emit(ev, ...args);
    return true;
  }

  /** @throws SocketError (`SY_ERR_SOCKET_PARENT_NAMESPACE_UNSUPPORTED`). */
  override fetchSockets(): Promise<RemoteSocket<EmitEvents, SocketData>[]> {
    throw new SocketError(
      SocketErrorCode.PARENT_NAMESPACE_UNSUPPORTED,
      "fetchSockets() is not supported on parent namespaces",
    );
  }

  /**
   * @package Creates the child `name`: copies the middlewares and connect/connection listeners
   * as they are now, registers it with the server, and (optionally) removes it once empty.
   */
  createChild(name: string): Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData> {
    const child = new Namespace(this.server, this.#context, name);
    for (const fn of this.middlewares) child.use(fn);
    for (const listener of this.listeners("connect")) child.on("connect", listener);
    for (const listener of this.listeners("connection")) child.on("connection", listener);
    this.children.add(child);
    if (this.#context.cleanupEmptyChildNamespaces()) {
      child.onSocketRemoved = () => {
        // A socket still in the middlewares keeps the child: it would connect to an orphan.
        if (child.inUse) return;
        void child.adapter.close();
        this.children.delete(child);
        this.#unregister(child);
      };
    }
    this.#register(child);
    return child;
  }
}

/** The parent's adapter: a broadcast goes to the same rooms of every child. */
class ParentBroadcastAdapter extends Adapter {
  readonly #children: () => Iterable<{ readonly adapter: AdapterContract }>;

  constructor(
    nsp: AdapterNamespace,
    children: () => Iterable<{ readonly adapter: AdapterContract }>,
  ) {
    super(nsp);
    this.#children = children;
  }

  override broadcast(packet: Packet, opts: BroadcastOptions): void {
    for (const child of this.#children()) {
      // A copy per child: a recovery adapter appends its own offset to the data.
      const data = Array.isArray(packet.data) ? [...packet.data] : packet.data;
      child.adapter.broadcast({ ...packet, data }, opts);
    }
  }
}
