// Namespace socket: CONNECT with auth, emit/ack, buffering until connected (both directions,
// flushed before `connect` fires), connection-state recovery and disconnect reasons (§2.5–2.6, §4.4).
import { type Packet, RESERVED_EVENTS } from "@switchyard/protocol";
import { type AckCallback, AckRegistry, type EmitFlags, RetryQueue } from "./acks.js";
import { AnyListeners } from "./any-listeners.js";
import type { ArgsOf } from "./emitter.js";
import type { CloseDetails } from "./engine/transport.js";
import { ClientError } from "./errors.js";
import type { Manager } from "./manager.js";
import type { AuthOption, SocketOptions } from "./options.js";
import {
  ACK,
  BINARY_ACK,
  BINARY_EVENT,
  CONNECT,
  CONNECT_ERROR,
  DISCONNECT,
  EVENT,
} from "./packet-types.js";
import type { AckResult, DefaultEventsMap, DisconnectReason } from "./types.js";

/** Events the socket itself emits. */
export interface SocketReservedEvents {
  connect: () => void;
  connect_error: (err: Error) => void;
  disconnect: (reason: DisconnectReason, description?: CloseDetails | Error) => void;
}

type AnyFn = (...args: unknown[]) => void;
/** A packet before `#packet()` stamps the namespace on it (as in socket.io-client). */
type OutgoingPacket = Omit<Packet, "nsp"> & { nsp?: string; options?: { compress?: boolean } };

const V2_MESSAGE = "Socket.IO server in v2.x: not compatible";

/**
 * A socket bound to one namespace, multiplexed over its Manager's connection.
 * @example
 * const socket = io("https://example.com/admin", { auth: { token: "abc" } });
 * socket.emit("hello", "world", (reply) => console.log(reply));
 */
export class Socket<
  ListenEvents extends object = DefaultEventsMap,
  EmitEvents extends object = ListenEvents,
> extends AnyListeners<ListenEvents, SocketReservedEvents> {
  /** The Manager. */
  readonly io: Manager;
  /** The namespace. */
  readonly nsp: string;
  /** The session id the server gave this socket; undefined while disconnected. */
  id: string | undefined;
  /** True once the server accepted the CONNECT. */
  connected = false;
  /** True when the last connection restored the previous session (connection-state recovery). */
  recovered = false;
  /** The CONNECT payload, or a function producing it on every (re)connect. */
  auth: AuthOption | undefined;
  /** Events received before `connect`. */
  receiveBuffer: unknown[][] = [];
  /** Packets emitted while disconnected, sent on connect. */
  sendBuffer: OutgoingPacket[] = [];
  readonly #opts: Partial<SocketOptions>;
  readonly #acks: AckRegistry = new AckRegistry();
  readonly #queue: RetryQueue | undefined;
  #ids = 0;
  #flags: EmitFlags = {};
  #subs: Array<() => void> | undefined;
  #pid: string | undefined;
  #lastOffset: string | undefined;

  constructor(io: Manager, nsp: string, opts: Partial<SocketOptions> = {}) {
    super();
    this.io = io;
    this.nsp = nsp;
    this.#opts = opts;
    this.auth = opts.auth;
    if (opts.retries !== undefined) {
      this.#queue = new RetryQueue(
        opts.retries,
        (args, flags) => {
          this.#flags = flags;
          this.#emit(args);
        },
        () => this.connected,
      );
    }
    if (io.opts.autoConnect !== false) this.open();
  }

  /** True while subscribed to the Manager (it will reconnect). */
  get active(): boolean {
    return this.#subs !== undefined;
  }

  /** True while not connected. */
  get disconnected(): boolean {
    return !this.connected;
  }

  #subscribe(): void {
    if (this.#subs !== undefined) return;
    const io = this.io;
    this.#subs = [
      io.subscribe("open", () => this.#onOpen()),
      io.subscribe("packet", (packet) => this.#onPacket(packet)),
      io.subscribe("error", (err) => {
        if (!this.connected) this.emitReserved("connect_error", err);
      }),
      io.subscribe("close", (reason, description) =>
        this.#onClose(reason as DisconnectReason, description),
      ),
    ];
  }

  /** Connects (or reconnects after `disconnect()`). */
  connect(): this {
    if (this.connected) return this;
    this.#subscribe();
    if (!this.io._reconnecting) this.io.open();
    if (this.io._readyState === "open") this.#onOpen();
    return this;
  }

  /** Alias of {@link Socket.connect}. */
  open(): this {
    return this.connect();
  }

  #onOpen(): void {
    const auth = this.auth;
    if (typeof auth === "function") auth((data) => this.#sendConnect(data));
    else this.#sendConnect(auth);
  }

  #sendConnect(data: Record<string, unknown> | undefined): void {
    const payload =
      this.#pid === undefined ? data : { pid: this.#pid, offset: this.#lastOffset, ...data };
    this.#packet({ type: CONNECT, data: payload });
  }

  #packet(packet: OutgoingPacket): void {
    packet.nsp = this.nsp;
    this.io._packet(packet as Packet);
  }

  /** Sends a `message` event. */
  send(...args: unknown[]): this {
    this.#emit(["message", ...args]);
    return this;
  }

  /** Alias of {@link Socket.send}. */
  write(...args: unknown[]): this {
    return this.send(...args);
  }

  /**
   * Emits an event; a trailing function is the ack callback.
   * @throws ClientError SY_ERR_CLIENT_RESERVED_EVENT_NAME for a reserved event name.
   */
  emit<Ev extends keyof EmitEvents & string>(ev: Ev, ...args: ArgsOf<EmitEvents[Ev]>): this {
    this.#emit([ev, ...args]);
    return this;
  }

  #emit(args: unknown[]): void {
    const ev = args[0] as string;
    if (RESERVED_EVENTS.has(ev)) {
      throw new ClientError(
        "SY_ERR_CLIENT_RESERVED_EVENT_NAME",
        `"${ev}" is a reserved event name`,
      );
    }
    const flags = this.#flags;
    this.#flags = {};
    if (this.#queue !== undefined && flags.fromQueue !== true && flags.volatile !== true) {
      this.#queue.add(args, flags);
      return;
    }
    const packet: OutgoingPacket = {
      type: EVENT,
      data: args,
      options: { compress: flags.compress !== false },
    };
    const last = args.at(-1);
    if (typeof last === "function") {
      const id = this.#ids++;
      args.pop();
      const timeout = flags.timeout ?? this.#opts.ackTimeout;
      this.#acks.register(
        id,
        last as AckCallback,
        timeout,
        () => {
          this.sendBuffer = this.sendBuffer.filter((buffered) => buffered.id !== id);
        },
        this.io.opts,
      );
      packet.id = id;
    }
    const engine = this.io.engine;
    const writable = engine?.transport?.writable === true;
    const isConnected = this.connected && engine?.hasPingExpired() !== true;
    if (flags.volatile === true && !writable) return;
    if (isConnected) {
      this.notifyOutgoing(packet.data);
      this.#packet(packet);
    } else {
      this.sendBuffer.push(packet);
    }
  }

  /**
   * Emits and resolves with the ack's argument. Rejects on timeout with `timeout()`/`ackTimeout`,
   * and with "socket has been disconnected" when the connection is lost first (with or without
   * a timeout, as socket.io-client 4.8).
   * @example
   * const reply = await socket.timeout(5000).emitWithAck("hello", "world");
   */
  emitWithAck<Ev extends keyof EmitEvents & string>(
    ev: Ev,
    ...args: unknown[]
  ): Promise<AckResult<EmitEvents[Ev]>> {
    return new Promise((resolve, reject) => {
      // Error-first, so that the registry can settle it at disconnection.
      const fn: AckCallback = (first, second) => {
        if (first !== null && first !== undefined) reject(first);
        else resolve(second as AckResult<EmitEvents[Ev]>);
      };
      fn.withError = true;
      this.#emit([ev, ...args, fn]);
    });
  }

  /** Sets the ack timeout of the next emit: the ack then gets `(err, ...args)`. */
  timeout(ms: number): this {
    this.#flags.timeout = ms;
    return this;
  }

  /** The next emit is dropped when the transport cannot send it right now. */
  get volatile(): this {
    this.#flags.volatile = true;
    return this;
  }

  /** Sets whether the next emit may be compressed. */
  compress(compress: boolean): this {
    this.#flags.compress = compress;
    return this;
  }

  #onPacket(packet: Packet): void {
    if (packet.nsp !== this.nsp) return;
    const data = packet.data as Record<string, unknown> | unknown[] | undefined;
    switch (packet.type) {
      case CONNECT: {
        const body = data as { sid?: unknown; pid?: unknown } | undefined;
        if (typeof body?.sid === "string") {
          this.#onConnect(body.sid, typeof body.pid === "string" ? body.pid : undefined);
        } else {
          this.emitReserved(
            "connect_error",
            new ClientError("SY_ERR_CLIENT_V2_SERVER", V2_MESSAGE),
          );
        }
        break;
      }
      case EVENT:
      case BINARY_EVENT:
        this.#onEvent(packet);
        break;
      case ACK:
      case BINARY_ACK:
        this.#onAck(packet);
        break;
      case DISCONNECT:
        this.#destroy();
        this.#onClose("io server disconnect");
        break;
      case CONNECT_ERROR: {
        this.#destroy();
        const body = data as { message?: unknown; data?: unknown } | string | undefined;
        const message = typeof body === "string" ? body : String(body?.message);
        const err = new ClientError("SY_ERR_CLIENT_CONNECT_REFUSED", message);
        if (typeof body === "object") err.data = body.data;
        this.emitReserved("connect_error", err);
      }
    }
  }

  #onEvent(packet: Packet): void {
    // An array (decoder-checked) that nothing else holds: used in place, as socket.io-client does.
    const args = (packet.data as unknown[] | undefined) ?? [];
    if (packet.id !== undefined) args.push(this.#ackFor(packet.id));
    if (this.connected) this.#emitEvent(args);
    else this.receiveBuffer.push(args);
  }

  #emitEvent(args: readonly unknown[]): void {
    this.notifyAny(args);
    this.emitUntyped(String(args[0]), args.slice(1));
    const last = args.at(-1);
    if (this.#pid !== undefined && typeof last === "string") this.#lastOffset = last;
  }

  #ackFor(id: number): AnyFn {
    let sent = false;
    return (...args: unknown[]) => {
      if (sent) return;
      sent = true;
      this.#packet({ type: ACK, id, data: args });
    };
  }

  #onAck(packet: Packet): void {
    const ack = this.#acks.take(packet.id as number); // none for an ACK without id
    if (ack === undefined) return;
    const args = [...((packet.data as unknown[] | undefined) ?? [])]; // an array (decoder-checked)
    if (ack.withError === true) args.unshift(null);
    ack(...args);
  }

  #onConnect(id: string, pid: string | undefined): void {
    this.id = id;
    this.recovered = pid !== undefined && this.#pid === pid;
    this.#pid = pid;
    this.connected = true;
    for (const args of this.receiveBuffer) this.#emitEvent(args);
    this.receiveBuffer = [];
    for (const packet of this.sendBuffer) {
      this.notifyOutgoing(packet.data);
      this.#packet(packet);
    }
    this.sendBuffer = [];
    // The retry queue's head goes out (again) before the `connect` listeners run, as officially:
    // a packet they emit with `retries` is then sent once, not a second time by this drain.
    this.#queue?.drain(true);
    this.emitReserved("connect");
  }

  #onClose(reason: DisconnectReason, description?: CloseDetails | Error): void {
    this.connected = false;
    this.id = undefined;
    this.emitReserved("disconnect", reason, description);
    this.#acks.clear((id) => this.sendBuffer.some((packet) => packet.id === id));
  }

  #destroy(): void {
    if (this.#subs !== undefined) {
      for (const unsubscribe of this.#subs) unsubscribe();
      this.#subs = undefined;
    }
    this.io._destroy(this);
  }

  /** Disconnects by hand: sends DISCONNECT, fires `disconnect("io client disconnect")`, no reconnect. */
  disconnect(): this {
    if (this.connected) this.#packet({ type: DISCONNECT });
    this.#destroy();
    if (this.connected) this.#onClose("io client disconnect");
    return this;
  }

  /** Alias of {@link Socket.disconnect}. */
  close(): this {
    return this.disconnect();
  }
}
