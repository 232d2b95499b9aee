// Engine.IO client socket: handshake, heartbeat with a wall-clock deadline, write buffer with
// POST splitting by maxPayload, and the polling → WebSocket upgrade (docs/protocol.md §1.3–1.7).
// Fed by the transports; feeds the Manager ("data" events).
import {
  type BinaryData,
  type BinaryType,
  DEFAULT_BINARY_TYPE,
  type EnginePacket,
  parseOpenPacket,
  type ReceivedOpenPacket,
} from "@switchyard/protocol";
import { Emitter } from "../emitter.js";
import type { TransportError } from "../errors.js";
import { type CookieJarLike, platform } from "../platform.js";
import { startTimer } from "../timers.js";
import { decodeQuery } from "../url.js";
import type { EngineOptions, TransportName } from "./options.js";
import { Polling } from "./polling.js";
import { baseQuery, type CloseDetails, type Transport } from "./transport.js";
import { probeUpgrade } from "./upgrade.js";
import { WebSocketTransport } from "./websocket.js";

/** Engine socket state. */
export type EngineState = "opening" | "open" | "closing" | "closed";

/** Close reasons of the engine socket. */
export type EngineCloseReason =
  | "transport close"
  | "transport error"
  | "ping timeout"
  | "forced close";

/** Events of the engine socket. */
export interface EngineEvents {
  open: () => void;
  /** The server's open packet (`maxPayload` absent when it sent none: no limit). */
  handshake: (data: ReceivedOpenPacket) => void;
  packet: (packet: EnginePacket) => void;
  packetCreate: (packet: EnginePacket) => void;
  data: (data: string | BinaryData) => void;
  message: (data: string | BinaryData) => void;
  drain: () => void;
  flush: () => void;
  heartbeat: () => void;
  ping: () => void;
  pong: () => void;
  error: (err: Error) => void;
  upgrading: (transport: Transport) => void;
  upgrade: (transport: Transport) => void;
  upgradeError: (err: Error) => void;
  close: (reason: EngineCloseReason, description?: CloseDetails | Error) => void;
}

function packetSize(data: EnginePacket["data"]): number {
  if (data === undefined) return 0;
  if (typeof data === "string") return new TextEncoder().encode(data).length;
  const bytes = data instanceof Blob ? data.size : data.byteLength;
  return Math.ceil(bytes * 1.33); // base64 growth on polling
}

/** Engine.IO v4 client connection. */
export class EngineSocket extends Emitter<object, EngineEvents> {
  /** Set after a session upgraded to WebSocket (used by `rememberUpgrade`). */
  static priorWebsocketSuccess = false;
  /** Engine.IO protocol revision. */
  static readonly protocol = 4;

  id: string | null = null;
  readyState: EngineState = "opening";
  transport!: Transport;
  writeBuffer: EnginePacket[] = [];
  binaryType: BinaryType = DEFAULT_BINARY_TYPE;
  /** True while an upgrade is being finalised: writes wait. */
  upgrading = false;
  readonly opts: EngineOptions;
  #transports: TransportName[];
  /** pingInterval + pingTimeout of the handshake: the heartbeat deadline. */
  #pingDelay = 0;
  /** The server's maxPayload; 0: no limit. */
  #maxPayload = 0;
  /** Cancels the heartbeat deadline's timer. */
  #stopPingTimer: (() => void) | undefined;
  #pingDeadline = Infinity;
  #prevBufferLen = 0;
  /** @package Node cookie jar when `withCredentials` is set. */
  jar: CookieJarLike | undefined;
  #unwatchPage: () => void;

  constructor(opts: EngineOptions) {
    super();
    const path = (opts.path ?? "/engine.io").replace(/\/$/, "");
    this.opts = {
      upgrade: true,
      timestampParam: "t",
      ...opts,
      hostname: opts.hostname ?? opts.host ?? "localhost",
      path: path + (opts.addTrailingSlash === false ? "" : "/"),
      query: typeof opts.query === "string" ? decodeQuery(opts.query) : { ...opts.query },
    };
    this.#transports = [...(opts.transports ?? ["polling", "websocket"])];
    if (opts.withCredentials) this.jar = platform().createCookieJar?.();
    const onOffline =
      this.opts.hostname === "localhost"
        ? undefined
        : () => this.#onClose("transport close", { description: "network connection lost" });
    const onBeforeUnload = this.opts.closeOnBeforeunload
      ? () => {
          this.transport?.removeAllListeners();
          this.transport?.close();
        }
      : undefined;
    this.#unwatchPage = platform().watchPage(onBeforeUnload, onOffline);
    this.#open();
  }

  /** Builds a transport with the per-transport options and the current sid. */
  createTransport(name: TransportName): Transport {
    const query: Record<string, unknown> = baseQuery(
      name,
      this.opts.query as Record<string, unknown>,
    );
    if (this.id !== null) query["sid"] = this.id;
    const opts: EngineOptions = { ...this.opts, ...this.opts.transportOptions?.[name] };
    return new (name === "websocket" ? WebSocketTransport : Polling)(this, opts, query);
  }

  #open(): void {
    if (this.#transports.length === 0) {
      // Let the caller attach listeners first.
      startTimer(
        this.opts,
        () => this.emitReserved("error", new Error("No transports available")),
        0,
      );
      return;
    }
    const first = this.#transports[0] as TransportName;
    const name =
      this.opts.rememberUpgrade &&
      EngineSocket.priorWebsocketSuccess &&
      this.#transports.includes("websocket")
        ? "websocket"
        : first;
    this.readyState = "opening";
    const transport = this.createTransport(name);
    transport.open();
    this.setTransport(transport);
  }

  /**
   * Makes `transport` the active one.
   * @package
   */
  setTransport(transport: Transport): void {
    this.transport?.removeAllListeners();
    this.transport = transport;
    transport
      .on("drain", () => this.#onDrain())
      .on("packet", (packet) => this.#onPacket(packet))
      .on("error", (err) => this.#onError(err))
      .on("close", (details) => this.#onClose("transport close", details));
  }

  #onPacket(packet: EnginePacket): void {
    if (this.readyState === "closed") return;
    this.emitReserved("packet", packet);
    this.emitReserved("heartbeat");
    switch (packet.type) {
      case "open":
        this.#onHandshake(String(packet.data)); // binary or no data fails as invalid JSON
        break;
      case "ping":
        this.#resetPingTimeout();
        this.sendPacket("pong");
        this.emitReserved("ping");
        this.emitReserved("pong");
        break;
      case "message":
        if (packet.data !== undefined) {
          this.emitReserved("data", packet.data);
          this.emitReserved("message", packet.data);
        }
        break;
    }
  }

  #onHandshake(raw: string): void {
    const result = parseOpenPacket(raw);
    if (!result.ok) {
      this.#onError(result.error);
      return;
    }
    const open = result.value;
    this.emitReserved("handshake", open);
    this.id = open.sid;
    this.transport.query["sid"] = open.sid;
    this.#pingDelay = open.pingInterval + open.pingTimeout;
    this.#maxPayload = open.maxPayload ?? 0;
    this.readyState = "open";
    EngineSocket.priorWebsocketSuccess = this.transport.name === "websocket";
    this.emitReserved("open");
    this.flush();
    if (this.readyState === "open" && this.opts.upgrade && this.transport.name === "polling") {
      const remember = (success: boolean): void => {
        EngineSocket.priorWebsocketSuccess = success;
      };
      // Names this client does not know (or was not asked to use) are ignored.
      for (const name of open.upgrades) {
        if (this.#transports.includes(name as TransportName))
          probeUpgrade(this, name as TransportName, remember);
      }
    }
    // "open" listeners may have closed the socket (TS does not see the state change).
    if ((this.readyState as EngineState) !== "closed") this.#resetPingTimeout();
  }

  #resetPingTimeout(): void {
    this.#stopPingTimer?.();
    const delay = this.#pingDelay;
    this.#pingDeadline = Date.now() + delay;
    this.#stopPingTimer = startTimer(this.opts, () => this.#onClose("ping timeout"), delay);
  }

  /**
   * True when the heartbeat deadline has passed on the wall clock (timers of a sleeping tab may
   * fire late). The connection is then closed on the next tick.
   */
  hasPingExpired(): boolean {
    if (Date.now() <= this.#pingDeadline) return false;
    this.#pingDeadline = Infinity;
    queueMicrotask(() => this.#onClose("ping timeout"));
    return true;
  }

  #onDrain(): void {
    this.writeBuffer.splice(0, this.#prevBufferLen);
    this.#prevBufferLen = 0;
    if (this.writeBuffer.length === 0) this.emitReserved("drain");
    else this.flush();
  }

  /** Writes buffered packets when the transport can take them. */
  flush(): void {
    if (this.readyState === "closed" || this.transport?.writable !== true || this.upgrading) return;
    if (this.writeBuffer.length === 0) return;
    const packets = this.#writablePackets();
    this.transport.send(packets);
    this.#prevBufferLen = packets.length;
    this.emitReserved("flush");
  }

  /** The longest prefix of the buffer that fits one POST under maxPayload. */
  #writablePackets(): EnginePacket[] {
    const buffer = this.writeBuffer;
    if (this.#maxPayload === 0 || this.transport.name !== "polling" || buffer.length <= 1)
      return buffer;
    let size = 1;
    for (let i = 0; i < buffer.length; i++) {
      size += packetSize(buffer[i]?.data);
      if (i > 0 && size > this.#maxPayload) return buffer.slice(0, i);
      size += 2;
    }
    return buffer;
  }

  /** Sends a message. */
  write(data: string | BinaryData, options?: { compress?: boolean }, fn?: () => void): this {
    this.sendPacket("message", data, options, fn);
    return this;
  }

  /** Alias of {@link EngineSocket.write}. */
  send(data: string | BinaryData, options?: { compress?: boolean }, fn?: () => void): this {
    return this.write(data, options, fn);
  }

  /** @package */
  sendPacket(
    type: EnginePacket["type"],
    data?: string | BinaryData,
    options?: { compress?: boolean },
    fn?: () => void,
  ): void {
    if (this.readyState === "closing" || this.readyState === "closed") return;
    const packet: EnginePacket = { type, options: { compress: options?.compress !== false } };
    if (data !== undefined) packet.data = data;
    this.emitReserved("packetCreate", packet);
    this.writeBuffer.push(packet);
    if (fn !== undefined) this.once("flush", fn);
    this.flush();
  }

  /** Closes the connection once the write buffer is flushed. */
  close(): this {
    // #onClose closes the transport too, and runs once: after an upgrade in progress ends either
    // way, the other listener finds the socket closed.
    const close = (): void => this.#onClose("forced close");
    const closeOnceUpgraded = (): void => {
      if (this.upgrading) this.once("upgrade", close).once("upgradeError", close);
      else close();
    };
    if (this.readyState === "opening" || this.readyState === "open") {
      this.readyState = "closing";
      if (this.writeBuffer.length > 0) this.once("drain", closeOnceUpgraded);
      else closeOnceUpgraded();
    }
    return this;
  }

  #onError(err: TransportError | Error): void {
    EngineSocket.priorWebsocketSuccess = false;
    if (
      this.opts.tryAllTransports &&
      this.#transports.length > 1 &&
      this.readyState === "opening"
    ) {
      this.#transports.shift();
      this.#open();
      return;
    }
    this.emitReserved("error", err);
    this.#onClose("transport error", err);
  }

  #onClose(reason: EngineCloseReason, description?: CloseDetails | Error): void {
    if (this.readyState === "closed") return;
    this.#stopPingTimer?.();
    this.#pingDeadline = Infinity;
    const transport = this.transport;
    transport.removeAllListeners(); // its close event must not come back here
    transport.close();
    this.#unwatchPage();
    this.readyState = "closed";
    this.id = null;
    this.emitReserved("close", reason, description);
    this.writeBuffer = [];
    this.#prevBufferLen = 0;
  }
}
