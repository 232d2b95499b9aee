// What a socket is, apart from what it does: its ids (the session id, and the private id that
// recovers it), its namespace and connection, its status, and the details users read (handshake,
// data, request, rooms), built on first read. Socket (socket.ts) adds emits, acks, rooms and the
// lifecycle on top.

import type { AdapterContract, Room, Session } from "../adapter/adapter.js";
import type { Connection } from "../connection/connection.js";
import type { EngineRequest, EngineSessionLike } from "../connection/engine-session.js";
import { compactListenerTable } from "../listener-table.js";
import type { Namespace } from "../namespace/namespace.js";
import type { EventsMap } from "../typed-events.js";
import { AnyListenerEmitter } from "./any-listener-emitter.js";
import { buildHandshake, type Handshake } from "./handshake.js";
import { generateSocketId } from "./socket-id.js";
import type { SocketReservedEventsMap } from "./socket-types.js";

/**
 * The identity and details of a socket (see Socket).
 *
 * Memory: the handshake object (from the request, the auth and the creation time) and `data` are
 * created on first use; the listener table is a fast-mode object rather than EventEmitter's
 * dictionary.
 */
export abstract class SocketIdentity<
  ListenEvents extends EventsMap,
  EmitEvents extends EventsMap,
  ServerSideEvents extends EventsMap,
  SocketData,
> extends AnyListenerEmitter<ListenEvents, EmitEvents, SocketReservedEventsMap> {
  /** The session id (reused after a recovery), never the Engine.IO sid. */
  readonly id: string;
  readonly nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>;
  readonly client: Connection;
  connected = false;
  /** Whether the state (id, rooms, data, missed packets) was restored from a previous session. */
  recovered = false;
  /** The private session id the client presents to recover (recovery only). */
  readonly #pid: string | undefined;
  /** The handshake once read; until then, the CONNECT auth (undefined for none) and the time. */
  #handshake: Handshake | undefined;
  readonly #auth: Record<string, unknown> | undefined;
  readonly #issued: number;
  #data: SocketData | undefined;

  /** Takes the ids of `previousSession` (a recovery), or mints new ones. */
  constructor(
    nsp: Namespace<ListenEvents, EmitEvents, ServerSideEvents, SocketData>,
    client: Connection,
    auth: Record<string, unknown>,
    previousSession: Session | undefined,
  ) {
    super();
    // A socket's usual few listeners in a compact table instead of Node's dictionary.
    compactListenerTable(this);
    this.nsp = nsp;
    this.client = client;
    this.#issued = Date.now();
    // The connection passes a fresh `{}` when the CONNECT had no auth: it is made on demand.
    this.#auth = Object.keys(auth).length === 0 ? undefined : auth;
    if (previousSession !== undefined) {
      this.id = previousSession.sid;
      this.#pid = previousSession.pid;
    } else {
      this.id = generateSocketId();
      this.#pid = nsp.recovery === undefined ? undefined : generateSocketId();
    }
  }

  get disconnected(): boolean {
    return !this.connected;
  }

  /** The details of the first HTTP request plus the CONNECT auth (built on first read). */
  get handshake(): Handshake {
    if (this.#handshake === undefined) {
      this.#handshake = buildHandshake(this.client.session, this.#auth ?? {}, this.#issued);
    }
    return this.#handshake;
  }

  /** Free-form data attached to the socket; included in fetchSockets and restored on recovery. */
  get data(): SocketData {
    if (this.#data === undefined) this.#data = {} as SocketData;
    return this.#data;
  }

  set data(data: SocketData) {
    this.#data = data;
  }

  /** The Engine.IO session. */
  get conn(): EngineSessionLike {
    return this.client.session;
  }

  /** The first HTTP request of the session. */
  get request(): EngineRequest {
    return this.client.session.request;
  }

  get adapter(): AdapterContract {
    return this.nsp.adapter;
  }

  /** The rooms of the socket, its own id included; empty once disconnected. */
  get rooms(): Set<Room> {
    return this.nsp.adapter.socketRooms(this.id) ?? new Set();
  }

  /** @package The private session id, sent in the CONNECT reply when recovery is on. */
  get pid(): string | undefined {
    return this.#pid;
  }
}
