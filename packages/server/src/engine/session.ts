// One Engine.IO session (the official `Socket`): readyState, write buffer, flush, close reason.
// Fed by transport/*; feeds the Socket.IO connection layer through `message` events. Its types
// (close reasons, ready states, write options, events, engine context) are in session-types.ts,
// the tick's flush of every session written to in flush-tick.ts, the limits on unsent data in
// write-limits.ts and its open packet in handshake.ts.
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import type { BinaryData, EnginePacket, ProtocolError } from "@switchyard/protocol";
import type { SessionHandler } from "../connection/engine-session.js";
import { deferListenerTable } from "../listener-table.js";
import { engineLog } from "../log.js";
import { EncodedPacket } from "../transport/encoded-packet.js";
import type { Transport, TransportSink } from "../transport/transport.js";
import { TransportError } from "./errors.js";
import { flushOnNextTick, type TickFlushable } from "./flush-tick.js";
import { openPacketData } from "./handshake.js";
import { HeartbeatNode, HeartbeatScheduler } from "./heartbeat.js";
import type { ResolvedEngineOptions } from "./options.js";
import { releaseTransport } from "./released-transport.js";
import { messageData, type QueuedPacket, queuedPacket, viewOf } from "./session-packet.js";
import type {
  EngineCloseReason,
  EngineReadyState,
  EngineSessionEvents,
  SendCallback,
  SessionContext,
  SessionNode,
  WriteOptions,
} from "./session-types.js";
import { type UpgradeHost, UpgradeProbe } from "./upgrade.js";
import { withinVolatileLimit, writeBufferOverflow } from "./write-limits.js";

/**
 * One Engine.IO session: one client, one sid, one transport at a time.
 *
 * Memory: thousands of idle sessions are the common case, so a session holds no timer, closure
 * or per-session listener of its own: the heartbeat lives in the engine's shared scheduler (four
 * fields here), and the Socket.IO layer is called through one handler field, not listeners.
 */
export class EngineSession extends EventEmitter<EngineSessionEvents> {
  readonly id: string;
  /** Engine.IO protocol revision: always 4. */
  get protocol(): 4 {
    return 4;
  }
  /** The handshake request. */
  readonly request: IncomingMessage;
  readonly remoteAddress: string;
  #readyState: EngineReadyState = "opening";
  #transport: Transport;
  #upgraded = false;
  #probe: UpgradeProbe | undefined;
  #writeBuffer: QueuedPacket[] | undefined;
  #bufferedBytes = 0;
  #flushScheduled = false;
  readonly #context: SessionContext;
  #handler: SessionHandler | undefined;
  /**
   * The transport's events (one small object per session rather than five closures), the
   * session's node in the engine's heartbeat scheduler and its entry in the tick's flush queue.
   */
  static readonly #Sink = class SessionSink
    extends HeartbeatNode
    implements SessionNode, TickFlushable
  {
    readonly session: EngineSession;
    constructor(session: EngineSession) {
      super();
      this.session = session;
    }
    onPacket(packet: EnginePacket): void {
      this.session.#onPacket(packet);
    }
    onParseError(error: ProtocolError): void {
      this.session.#onClose("parse error", error);
    }
    onError(error: TransportError): void {
      this.session.#onClose("transport error", error);
    }
    onClose(): void {
      this.session.#onClose("transport close");
    }
    onWritable(): void {
      this.session.flush();
    }
    flushTick(): void {
      this.session.#flushScheduled = false;
      this.session.flush();
    }
  };
  readonly #sink: TransportSink & SessionNode & TickFlushable = new EngineSession.#Sink(this);

  constructor(id: string, context: SessionContext, transport: Transport, req: IncomingMessage) {
    super();
    // Most sessions never get a listener: no table until the first one.
    deferListenerTable(this);
    this.id = id;
    this.#context = context;
    this.request = req;
    this.remoteAddress = req.socket.remoteAddress ?? "";
    this.#transport = transport;
    transport.bind(this.#sink);
    this.#open();
  }

  /** The shared heartbeat scheduler for sessions created with `options`. */
  static createHeartbeats(options: ResolvedEngineOptions): HeartbeatScheduler<SessionNode> {
    return new HeartbeatScheduler<SessionNode>(
      options.pingInterval,
      options.pingTimeout,
      (node) => node.session.sendPacket("ping"),
      (node) => node.session.#onClose("ping timeout"),
    );
  }

  /**
   * @package The Socket.IO connection of this session: it gets every message and the close
   * directly, before the `data`/`message` and `close` events (no listener per session).
   */
  setHandler(handler: SessionHandler | undefined): void {
    this.#handler = handler;
  }

  get readyState(): EngineReadyState {
    return this.#readyState;
  }

  get transport(): Transport {
    return this.#transport;
  }

  get upgraded(): boolean {
    return this.#upgraded;
  }

  get upgrading(): boolean {
    return this.#probe !== undefined;
  }

  /** Unsent bytes: the write buffer plus what the transport has not handed to the kernel. */
  get bufferedBytes(): number {
    return this.#bufferedBytes + this.#transport.bufferedBytes;
  }

  #open(): void {
    const { initialPacket } = this.#context.options;
    this.#readyState = "open";
    this.sendPacket("open", openPacketData(this.id, this.#context));
    if (initialPacket !== undefined) this.sendPacket("message", initialPacket);
    this.emit("open");
    this.#context.heartbeats.start(this.#sink);
  }

  /**
   * Sends a message packet. The callback runs once the packet has been written, with the
   * transport; it may take the place of the options.
   * @example session.send("hello", { compress: false }, () => console.log("written"))
   */
  send(data: string | BinaryData, callback?: SendCallback): this;
  send(data: string | BinaryData, options?: WriteOptions, callback?: SendCallback): this;
  send(
    data: string | BinaryData,
    options?: WriteOptions | SendCallback,
    callback?: SendCallback,
  ): this {
    this.sendPacket("message", data, options as WriteOptions, callback);
    return this;
  }

  /** Alias of {@link EngineSession.send}. */
  write(data: string | BinaryData, callback?: SendCallback): this;
  write(data: string | BinaryData, options?: WriteOptions, callback?: SendCallback): this;
  write(
    data: string | BinaryData,
    options?: WriteOptions | SendCallback,
    callback?: SendCallback,
  ): this {
    this.sendPacket("message", data, options as WriteOptions, callback);
    return this;
  }

  /**
   * Queues a packet encoded once for many sessions (broadcast fan-out). Returns false when the
   * packet was dropped (volatile that cannot leave at once, or the session is not open).
   */
  writePreEncoded(packet: EncodedPacket, options?: WriteOptions, callback?: SendCallback): boolean {
    return this.#enqueue(packet, options, callback);
  }

  /**
   * Queues a packet of any type; flushed on the next tick together with its neighbours. Returns
   * false when it was dropped. The callback may take the place of the options.
   */
  sendPacket(
    type: EnginePacket["type"],
    data?: string | BinaryData,
    options?: WriteOptions | SendCallback,
    callback?: SendCallback,
  ): boolean {
    if (typeof options === "function") return this.sendPacket(type, data, undefined, options);
    return this.#enqueue(new EncodedPacket(type, messageData(data)), options, callback);
  }

  /**
   * @package Whether a volatile packet would be taken now: it could leave at once, as with the
   * official engine's per-write flush. The transport is writable (a GET pending, no WebSocket
   * write in flight), nothing waits in this tick's write buffer, and the session is within
   * `maxBufferedBytes`. The Socket.IO layer asks once per packet (header and attachments).
   */
  canSendVolatile(): boolean {
    return (
      this.#readyState === "open" &&
      this.#writeBuffer === undefined &&
      this.#transport.writable &&
      withinVolatileLimit(this.bufferedBytes, this.#context.options)
    );
  }

  #enqueue(encoded: EncodedPacket, options?: WriteOptions, callback?: SendCallback): boolean {
    if (this.#readyState === "closing" || this.#readyState === "closed") return false;
    if (options?.volatile === true && !this.canSendVolatile()) return false;
    const size = encoded.sizeHint;
    const overflow = writeBufferOverflow(this.bufferedBytes + size, this.#context.options);
    if (overflow !== undefined) {
      this.#onClose("write buffer overflow", overflow);
      return false;
    }
    const entry = queuedPacket(encoded, options, callback);
    if (this.listenerCount("packetCreate") > 0) this.emit("packetCreate", viewOf(entry));
    if (this.#writeBuffer === undefined) this.#writeBuffer = [entry];
    else this.#writeBuffer.push(entry);
    this.#bufferedBytes += size;
    this.#scheduleFlush();
    return true;
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    // One tick flushes every session written to in this one (a broadcast writes to many).
    flushOnNextTick(this.#sink);
  }

  /**
   * Hands the whole write buffer to the transport when it can take it (polling: a GET is
   * pending; WebSocket: open). Each packet's callback runs once the batch is written.
   */
  flush(): void {
    const batch = this.#writeBuffer;
    if (this.#readyState === "closed" || batch === undefined) return;
    if (!this.#transport.canFlush) return;
    this.#writeBuffer = undefined;
    this.#bufferedBytes = 0;
    // The packet objects are built only for listeners (the fan-out path allocates none).
    const engineWants = this.#context.wantsFlush();
    if (engineWants || this.listenerCount("flush") > 0) {
      const packets = batch.map(viewOf);
      this.emit("flush", packets);
      if (engineWants) this.#context.onFlush(this, packets);
    }
    const transport = this.#transport;
    transport.send(batch, () => {
      if (this.#readyState === "closed") return;
      for (const entry of batch) entry.callback?.(transport);
      this.emit("drain");
      this.#context.onDrain(this);
    });
  }

  /**
   * Closes the session. Buffered packets are sent first unless `discard` is true.
   * The `close` event follows with reason "forced close".
   */
  close(discard = false): void {
    if (discard && (this.#readyState === "open" || this.#readyState === "closing")) {
      this.#closeTransport(true);
      return;
    }
    if (this.#readyState !== "open") return;
    this.#readyState = "closing";
    if (this.#writeBuffer !== undefined) {
      // A "drain" may belong to a batch that left before these packets: wait until the drain
      // that leaves the buffer empty, so nothing buffered before close() is dropped.
      const onDrain = (): void => {
        if (this.#writeBuffer !== undefined) this.once("drain", onDrain);
        else this.#closeTransport(false);
      };
      this.once("drain", onDrain);
      return;
    }
    this.#closeTransport(false);
  }

  #closeTransport(discard: boolean): void {
    this.#readyState = "closing";
    if (discard) this.#transport.discard();
    this.#transport.close(() => this.#onClose("forced close"));
  }

  /** @package Starts probing a websocket transport for this polling session. */
  maybeUpgrade(transport: Transport): void {
    const current = (): Transport => this.#transport;
    const closed = (): boolean => this.#readyState === "closed";
    const host: UpgradeHost = {
      get currentTransport() {
        return current();
      },
      get isClosed() {
        return closed();
      },
      onUpgrading: (next) => {
        engineLog.log("session %s upgrading to %s", this.id, next.name);
        this.emit("upgrading", next);
      },
      onUpgraded: (next) => this.#onUpgraded(next),
      onUpgradeEnd: () => {
        this.#probe = undefined;
      },
    };
    this.#probe = new UpgradeProbe(transport, host, this.#context.options.upgradeTimeout);
  }

  #onUpgraded(next: Transport): void {
    const previous = this.#transport;
    engineLog.log("session %s upgraded from %s to %s", this.id, previous.name, next.name);
    releaseTransport(previous);
    this.#upgraded = true;
    this.#transport = next;
    next.bind(this.#sink);
    this.emit("upgrade", next);
    this.flush();
    if (this.#readyState === "closing") next.close(() => this.#onClose("forced close"));
  }

  #onPacket(packet: EnginePacket): void {
    if (this.#readyState !== "open") return;
    this.emit("packet", packet);
    const heartbeats = this.#context.heartbeats;
    if (packet.type !== "pong") heartbeats.onActivity(this.#sink);
    switch (packet.type) {
      case "ping":
        // v4 clients never ping: the direction is wrong (docs/protocol.md §0.2).
        this.#onClose("transport error", new TransportError("invalid heartbeat direction"));
        return;
      case "pong":
        heartbeats.onPong(this.#sink);
        this.emit("heartbeat");
        return;
      case "message": {
        const data = packet.data as string | Buffer;
        this.#handler?.onSessionData(data);
        this.emit("data", data);
        this.emit("message", data);
        return;
      }
      default:
        // An EIO close over WebSocket is ignored (docs/protocol.md §0.4); so are the others.
        return;
    }
  }

  #onClose(reason: EngineCloseReason, description?: unknown): void {
    if (this.#readyState === "closed") return;
    engineLog.log("session %s closed: %s", this.id, reason);
    this.#readyState = "closed";
    this.#context.heartbeats.stop(this.#sink);
    this.#probe?.abort();
    this.#writeBuffer = undefined;
    this.#bufferedBytes = 0;
    releaseTransport(this.#transport);
    this.#context.onClose?.(this);
    const handler = this.#handler;
    this.#handler = undefined;
    handler?.onSessionClose(reason, description);
    this.emit("close", reason, description);
  }
}
