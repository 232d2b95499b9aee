// One Connection per Engine.IO session (socket.io's `Client`): decodes Socket.IO packets,
// routes them by namespace, enforces connectTimeout and the §2.5 rules (bad state → close).

import type { Packet } from "@switchyard/protocol";
import { PacketType } from "@switchyard/protocol";
import type { EngineSessionLike, EngineWriteOptions } from "./engine-session.js";
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
  connectTimeoutMs(): number;
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

/** The Socket.IO side of one Engine.IO session. */
export class Connection {
  readonly session: EngineSessionLike;
  readonly #host: ConnectionHost;
  readonly #decoder: PacketDecoder;
  /** Connected sockets by id, and by namespace name. */
  readonly #sockets = new Map<string, ConnectionSocket>();
  readonly #byNamespace = new Map<string, ConnectionSocket>();
  #connectTimer: NodeJS.Timeout | undefined;

  constructor(host: ConnectionHost, session: EngineSessionLike) {
    this.#host = host;
    this.session = session;
    this.#decoder = host.createDecoder();
    this.#decoder.on("decoded", this.onDecoderPacket);
    session.on("data", this.onSessionData);
    session.on("error", this.onSessionError);
    session.on("close", this.onSessionClose);
    this.#connectTimer = setTimeout(() => {
      if (this.#byNamespace.size === 0) this.close();
    }, host.connectTimeoutMs());
  }

  /** The Engine.IO session (socket.io's `client.conn`). */
  get conn(): EngineSessionLike {
    return this.session;
  }

  /** The first HTTP request of the session. */
  get request(): EngineSessionLike["request"] {
    return this.session.request;
  }

  /** Encodes and writes one packet (dropped unless the session is open). */
  writePacket(packet: Packet, options: PacketWriteOptions = {}): void {
    if (this.session.readyState !== "open") return;
    this.writeChunks(this.#host.encoder.encode(packet), options);
  }

  /**
   * Writes chunks that an adapter encoded once for every target of a broadcast. With our engine
   * they are also wrapped once into Engine.IO packets shared by every session (no per-socket work).
   */
  writeEncoded(chunks: readonly unknown[], options: PacketWriteOptions): void {
    if (this.session.readyState !== "open") return;
    if (options.volatile === true && this.session.transport.writable === false) return;
    const session = this.session;
    if (!acceptsPreEncoded(session)) {
      this.writeChunks(chunks, options);
      return;
    }
    const writeOptions = toEngineOptions(options);
    for (const packet of sharedPackets(chunks)) session.writePreEncoded(packet, writeOptions);
  }

  private writeChunks(chunks: readonly unknown[], options: PacketWriteOptions): void {
    if (options.volatile === true && this.session.transport.writable === false) return;
    for (const chunk of chunks) {
      // A fresh object per write: the official engine.io mutates the options it is given.
      this.session.write(chunk as string | Buffer, { ...toEngineOptions(options) });
    }
  }

  /** Forgets a socket that left its namespace. */
  removeSocket(socket: ConnectionSocket): void {
    if (this.#sockets.get(socket.id) !== socket) return;
    this.#sockets.delete(socket.id);
    this.#byNamespace.delete(socket.nsp.name);
  }

  /** `socket.disconnect(true)`: every socket leaves its namespace, then the session closes. */
  disconnectAll(): void {
    for (const socket of [...this.#sockets.values()]) socket.disconnect();
    this.#sockets.clear();
    this.#byNamespace.clear();
    this.close();
  }

  /** Closes the session: every socket gets `forced server close`. */
  close(): void {
    if (this.session.readyState !== "open") return;
    // Detach first: an engine that emits "close" synchronously must not win over our reason.
    this.detach();
    this.session.close();
    this.onSessionClose("forced server close");
  }

  private readonly onSessionData = (data: string | Buffer): void => {
    let result: unknown;
    try {
      result = this.#decoder.add(data);
    } catch (err) {
      this.onSessionError(toError(err));
      return;
    }
    if (isFailedResult(result)) this.onSessionError(result.error);
  };

  private readonly onDecoderPacket = (packet: Packet): void => {
    const socket = this.#byNamespace.get(packet.nsp);
    if (socket === undefined && packet.type === PacketType.CONNECT) {
      this.connect(packet.nsp, isRecord(packet.data) ? packet.data : {});
    } else if (
      socket !== undefined &&
      packet.type !== PacketType.CONNECT &&
      packet.type !== PacketType.CONNECT_ERROR
    ) {
      process.nextTick(() => socket.onPacket(packet));
    } else {
      // §2.5: duplicate CONNECT, packet for a namespace not joined, or a CONNECT_ERROR from a client.
      this.close();
    }
  };

  private readonly onSessionError = (err: Error): void => {
    for (const socket of [...this.#sockets.values()]) socket.onError(err);
    this.session.close();
  };

  private readonly onSessionClose = (reason: string, description?: unknown): void => {
    this.detach();
    const sockets = [...this.#sockets.values()];
    this.#sockets.clear();
    this.#byNamespace.clear();
    for (const socket of sockets) socket.onClose(reason, description);
    this.#decoder.destroy();
  };

  private connect(name: string, auth: Record<string, unknown>): void {
    this.#host.resolveNamespace(name, auth, (nsp) => {
      if (nsp === undefined) {
        this.writePacket({
          type: PacketType.CONNECT_ERROR,
          nsp: name,
          data: { message: "Invalid namespace" },
        });
        return;
      }
      nsp.addSocket(this, auth, (socket) => {
        this.#sockets.set(socket.id, socket);
        this.#byNamespace.set(nsp.name, socket);
        clearTimeout(this.#connectTimer);
        this.#connectTimer = undefined;
      });
    });
  }

  private detach(): void {
    this.session.removeListener("data", this.onSessionData);
    this.session.removeListener("error", this.onSessionError);
    this.session.removeListener("close", this.onSessionClose);
    clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }
}

// Shared frozen write options for our engine's pre-encoded path (it never mutates them).
const ENGINE_OPTIONS: Readonly<Record<string, EngineWriteOptions>> = {
  "undefined:false": Object.freeze({}),
  "true:false": Object.freeze({ compress: true }),
  "false:false": Object.freeze({ compress: false }),
  "undefined:true": Object.freeze({ volatile: true }),
  "true:true": Object.freeze({ compress: true, volatile: true }),
  "false:true": Object.freeze({ compress: false, volatile: true }),
};

function toEngineOptions(options: PacketWriteOptions): EngineWriteOptions {
  return ENGINE_OPTIONS[`${options.compress}:${options.volatile === true}`] ?? {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isFailedResult(value: unknown): value is { ok: false; error: Error } {
  return isRecord(value) && value["ok"] === false && value["error"] instanceof Error;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
