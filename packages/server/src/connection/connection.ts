// One Connection per Engine.IO session (socket.io's `Client`): decodes Socket.IO packets,
// routes them by namespace, enforces connectTimeout and the §2.5 rules (bad state → close).

import type { Packet } from "@switchyard/protocol";
import { PacketType } from "@switchyard/protocol";
import { type OfficialWriteOptions, toEncodedWriteOptions } from "../compat/official-adapter.js";
import { EVENT_RATE_LIMIT_REASON, type EventRateLimiter } from "../limits/event-rate-limit.js";
import { socketLog } from "../log.js";
import type { EngineSessionLike, EngineWriteOptions, SessionHandler } from "./engine-session.js";
import type { PacketDecoder, PacketEncoder } from "./parser.js";
import { acceptsPreEncoded, sharedPackets } from "./shared-frames.js";

/** What a connection needs of a namespace socket. */
export interface ConnectionSocket {
  readonly id: string;
  readonly nsp: { readonly name: string };
  onPacket(packet: Packet): void;
  onClose(reason: string, description?: unknown): void;
  onError(err: Error): void;
  disconnect(close?: boolean): unknown;
}

/** A namespace that a CONNECT can join. */
export interface ConnectTarget {
  readonly name: string;
  addSocket(
    connection: Connection,
    auth: Record<string, unknown>,
    onConnected: (socket: ConnectionSocket) => void,
  ): void;
}

/** What a connection needs of the server. */
export interface ConnectionHost {
  readonly encoder: PacketEncoder;
  createDecoder(): PacketDecoder;
  /**
   * A decoder shared by every connection for text packets without attachments, given only when
   * the parser is ours: its `add()` returns the packet and keeps no state for such packets.
   */
  sharedDecoder(): PacketDecoder | undefined;
  connectTimeoutMs(): number;
  /** The `eventRateLimit` of incoming events per socket; undefined when off. */
  eventLimiter?(): EventRateLimiter | undefined;
  /** Finds the namespace for a CONNECT (existing, or a new dynamic child); undefined if none. */
  resolveNamespace(
    name: string,
    auth: Record<string, unknown>,
    done: (nsp: ConnectTarget | undefined) => void,
  ): void;
}

/** Options of one outgoing packet. */
export interface PacketWriteOptions {
  compress?: boolean | undefined;
  volatile?: boolean | undefined;
}

/** The listeners on a session of another engine (ours calls the connection directly). */
interface SessionListeners {
  data: (data: string | Buffer) => void;
  error: (err: Error) => void;
  close: (reason: string, description?: unknown) => void;
}

const BINARY_EVENT = 0x35;
const BINARY_ACK = 0x36;

/**
 * The Socket.IO side of one Engine.IO session.
 *
 * Memory: an idle connection is the common case, so it keeps no decoder (text packets go through
 * the server's shared one; a per-connection decoder exists only while binary attachments are
 * being collected), no listener closures on our engine's sessions, and a plain array of its
 * sockets (almost always one).
 */
export class Connection implements SessionHandler {
  readonly session: EngineSessionLike;
  readonly #host: ConnectionHost;
  #decoder: PacketDecoder | undefined;
  /** Connected sockets, at most one per namespace, in connection order: the first, the others. */
  #first: ConnectionSocket | undefined;
  #others: ConnectionSocket[] | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  readonly #listeners: SessionListeners | undefined;

  constructor(host: ConnectionHost, session: EngineSessionLike) {
    this.#host = host;
    this.session = session;
    if (typeof session.setHandler === "function") {
      session.setHandler(this);
    } else {
      const listeners: SessionListeners = {
        data: (data) => this.onSessionData(data),
        error: (err) => this.#onSessionError(err),
        close: (reason, description) => this.onSessionClose(reason, description),
      };
      this.#listeners = listeners;
      session.on("data", listeners.data);
      session.on("error", listeners.error);
      session.on("close", listeners.close);
    }
    this.#connectTimer = setTimeout(() => {
      if (this.#first === undefined) this.close();
    }, host.connectTimeoutMs());
  }

  /** The Engine.IO session (socket.io's `client.conn`). */
  get conn(): EngineSessionLike {
    return this.session;
  }

  /** The Engine.IO session id (socket.io's `client.id`, read by @socket.io/admin-ui). */
  get id(): string {
    return this.session.id;
  }

  /** The first HTTP request of the session. */
  get request(): EngineSessionLike["request"] {
    return this.session.request;
  }

  /** Encodes and writes one packet (dropped unless the session is open). */
  writePacket(packet: Packet, options: PacketWriteOptions = {}): void {
    if (this.session.readyState !== "open") return;
    if (options.volatile === true && !this.#takesVolatile()) return;
    this.#writeChunks(this.#host.encoder.encode(packet), options);
  }

  /**
   * Writes chunks that an adapter encoded once for every target of a broadcast. With our engine
   * they are also wrapped once into Engine.IO packets shared by every session (no per-socket work).
   */
  writeEncoded(chunks: readonly unknown[], options: PacketWriteOptions): void {
    if (this.session.readyState !== "open") return;
    if (options.volatile === true && !this.#takesVolatile()) return;
    const session = this.session;
    if (!acceptsPreEncoded(session)) {
      this.#writeChunks(chunks, options);
      return;
    }
    const writeOptions = toEngineOptions(options.compress);
    for (const packet of sharedPackets(chunks)) session.writePreEncoded(packet, writeOptions);
  }

  /**
   * Whether a volatile packet goes out, decided once for the whole packet (header and binary
   * attachments): as socket.io does, only when the transport can write it now. Our engine also
   * counts what this tick's batch already holds (the official engine would have flushed it,
   * leaving the transport busy) and its `maxBufferedBytes`.
   */
  #takesVolatile(): boolean {
    const session = this.session;
    if (acceptsPreEncoded(session)) return session.canSendVolatile();
    return session.transport.writable !== false;
  }

  #writeChunks(chunks: readonly unknown[], options: PacketWriteOptions): void {
    for (const chunk of chunks) {
      // A fresh object per write: the official engine.io mutates the options it is given.
      this.session.write(chunk as string | Buffer, { ...toEngineOptions(options.compress) });
    }
  }

  /**
   * @internal socket.io's pre-encoded write, called by socket.io-adapter's broadcasts; the same
   * as writeEncoded(), which our adapters call (compat/official-adapter.ts).
   */
  writeToEngine(chunks: readonly unknown[], opts?: OfficialWriteOptions): void {
    this.writeEncoded(chunks, toEncodedWriteOptions(opts));
  }

  /** Forgets a socket that left its namespace. */
  removeSocket(socket: ConnectionSocket): void {
    const others = this.#others;
    if (this.#first === socket) {
      this.#first = others?.shift();
    } else {
      const index = others === undefined ? -1 : others.indexOf(socket);
      if (others === undefined || index === -1) return;
      others.splice(index, 1);
    }
    if (others?.length === 0) this.#others = undefined;
  }

  /** `socket.disconnect(true)`: every socket leaves its namespace, then the session closes. */
  disconnectAll(): void {
    for (const socket of this.#takeSockets()) socket.disconnect();
    this.close();
  }

  /** Closes the session: every socket gets `forced server close`. */
  close(): void {
    if (this.session.readyState !== "open") return;
    // Detach first: an engine that emits "close" synchronously must not win over our reason.
    this.#detach();
    this.session.close();
    this.onSessionClose("forced server close");
  }

  /** @package A message of the session. */
  onSessionData(data: string | Buffer): void {
    const shared = this.#host.sharedDecoder();
    let decoder = this.#decoder;
    if (decoder === undefined) {
      if (shared !== undefined && !startsReconstruction(data)) {
        this.#onDecodeResult(shared.add(data));
        return;
      }
      decoder = this.#createDecoder();
    }
    let result: unknown;
    try {
      result = decoder.add(data);
    } catch (err) {
      this.#onSessionError(toError(err));
      return;
    }
    if (shared === undefined) {
      // Another parser: its packets come through the "decoded" event.
      if (isFailedResult(result)) this.#onSessionError(result.error);
      return;
    }
    // Ours: once a packet is complete the decoder holds nothing; the shared one takes over again.
    if (isDecodedResult(result)) this.#decoder = undefined;
    this.#onDecodeResult(result);
  }

  /** @package The session closed. */
  onSessionClose(reason: string, description?: unknown): void {
    this.#detach();
    for (const socket of this.#takeSockets()) socket.onClose(reason, description);
    this.#decoder?.destroy();
    this.#decoder = undefined;
  }

  #createDecoder(): PacketDecoder {
    const decoder = this.#host.createDecoder();
    if (this.#host.sharedDecoder() === undefined) {
      decoder.on("decoded", (packet) => this.#onDecoderPacket(packet));
    }
    this.#decoder = decoder;
    return decoder;
  }

  #onDecodeResult(result: unknown): void {
    if (isFailedResult(result)) this.#onSessionError(result.error);
    else if (isDecodedResult(result)) this.#onDecoderPacket(result.packet);
  }

  #onDecoderPacket(packet: Packet): void {
    const socket = this.#socketOf(packet.nsp);
    if (socketLog.enabled) logPacket(this.session.id, packet);
    if (socket === undefined && packet.type === PacketType.CONNECT) {
      this.#connect(packet.nsp, isRecord(packet.data) ? packet.data : {});
    } else if (
      socket !== undefined &&
      packet.type !== PacketType.CONNECT &&
      packet.type !== PacketType.CONNECT_ERROR
    ) {
      const limiter = this.#host.eventLimiter?.();
      if (limiter !== undefined && isEvent(packet.type) && !limiter.take(socket)) {
        // After the events it was allowed (queued for the next ticks) reach their listeners.
        if (limiter.action === "disconnect" && limiter.claimDisconnect(socket)) {
          setImmediate(() => this.#disconnectFlooder(socket));
        }
        return;
      }
      process.nextTick(() => socket.onPacket(packet));
    } else {
      // §2.5: duplicate CONNECT, packet for a namespace not joined, or a CONNECT_ERROR from a client.
      socketLog.log(
        "session %s: packet type %d for %s out of order, closing",
        this.session.id,
        packet.type,
        packet.nsp,
      );
      this.close();
    }
  }

  /** A socket over the event rate limit leaves its namespace, told by a DISCONNECT packet. */
  #disconnectFlooder(socket: ConnectionSocket): void {
    if (this.#socketOf(socket.nsp.name) !== socket) return;
    socketLog.log("socket %s of %s over eventRateLimit: disconnected", socket.id, socket.nsp.name);
    this.writePacket({ type: PacketType.DISCONNECT, nsp: socket.nsp.name });
    socket.onClose(EVENT_RATE_LIMIT_REASON);
  }

  #socketOf(nsp: string): ConnectionSocket | undefined {
    if (this.#first === undefined || this.#first.nsp.name === nsp) return this.#first;
    return this.#others?.find((socket) => socket.nsp.name === nsp);
  }

  /** Every socket, in connection order (a copy). */
  #sockets(): ConnectionSocket[] {
    if (this.#first === undefined) return [];
    return this.#others === undefined ? [this.#first] : [this.#first, ...this.#others];
  }

  /** Every socket, forgotten by the connection. */
  #takeSockets(): ConnectionSocket[] {
    const sockets = this.#sockets();
    this.#first = undefined;
    this.#others = undefined;
    return sockets;
  }

  #onSessionError(err: Error): void {
    for (const socket of this.#sockets()) socket.onError(err);
    this.session.close();
  }

  #connect(name: string, auth: Record<string, unknown>): void {
    this.#host.resolveNamespace(name, auth, (nsp) => {
      if (nsp === undefined) {
        socketLog.log("session %s: CONNECT to unknown namespace %s refused", this.session.id, name);
        this.writePacket({
          type: PacketType.CONNECT_ERROR,
          nsp: name,
          data: { message: "Invalid namespace" },
        });
        return;
      }
      nsp.addSocket(this, auth, (socket) => {
        socketLog.log("session %s: socket %s connected to %s", this.session.id, socket.id, name);
        if (this.#first === undefined) this.#first = socket;
        else if (this.#others === undefined) this.#others = [socket];
        else this.#others.push(socket);
        clearTimeout(this.#connectTimer);
        this.#connectTimer = undefined;
      });
    });
  }

  #detach(): void {
    const listeners = this.#listeners;
    if (listeners === undefined) {
      this.session.setHandler?.(undefined);
    } else {
      this.session.removeListener("data", listeners.data);
      this.session.removeListener("error", listeners.error);
      this.session.removeListener("close", listeners.close);
    }
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }
}

/** One debug line per decoded packet (call only when `socketLog.enabled`). */
function logPacket(sid: string, packet: Packet): void {
  const name = Array.isArray(packet.data) && packet.type === PacketType.EVENT ? packet.data[0] : "";
  socketLog.log("session %s: packet type %d for %s %o", sid, packet.type, packet.nsp, name);
}

function isEvent(type: PacketType): boolean {
  return type === PacketType.EVENT || type === PacketType.BINARY_EVENT;
}

/** Whether a message starts (or continues) a packet with binary attachments. */
function startsReconstruction(data: unknown): boolean {
  if (typeof data !== "string") return true;
  const type = data.charCodeAt(0);
  return type === BINARY_EVENT || type === BINARY_ACK;
}

// Shared frozen write options for our engine's pre-encoded path (it never mutates them). A
// volatile packet is decided before it is written (`#takesVolatile`), so no write carries the flag.
const DEFAULT: EngineWriteOptions = Object.freeze({});
const COMPRESS: EngineWriteOptions = Object.freeze({ compress: true });
const NO_COMPRESS: EngineWriteOptions = Object.freeze({ compress: false });

/** The shared engine options for a `compress` flag (a branch, not a lookup: it runs per write). */
function toEngineOptions(compress: boolean | undefined): EngineWriteOptions {
  if (compress === undefined) return DEFAULT;
  return compress ? COMPRESS : NO_COMPRESS;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFailedResult(value: unknown): value is { ok: false; error: Error } {
  return isRecord(value) && value["ok"] === false && value["error"] instanceof Error;
}

function isDecodedResult(value: unknown): value is { ok: true; packet: Packet } {
  return isRecord(value) && value["ok"] === true && value["packet"] !== undefined;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
