// WebSocket transport (docs/protocol.md §1.8): one Engine.IO packet per frame, binary raw. On `ws`
// without permessage-deflate, data frames are written pre-framed to the socket (see below); on
// another `wsEngine`, through its `send()`.
import { EventEmitter } from "node:events";
import type { Duplex } from "node:stream";
import { decodeEnginePacket } from "@switchyard/protocol";
import { WebSocket } from "ws";
import { TransportError } from "../engine/errors.js";
import { deferListenerTable } from "../listener-table.js";
import type { OutboundPacket, Transport, TransportEvents, TransportSink } from "./transport.js";
import { writePacketFrames } from "./websocket-native/sender.js";
import type { WsEngineData, WsEngineSocket } from "./ws-engine.js";

/** How the engine configured this connection. */
export interface WebSocketTransportOptions {
  /** False when the client asked for `b64=1`: binary goes out as `b<base64>` text. */
  readonly supportsBinary: boolean;
  /** True when permessage-deflate may be in use: frames then go through `ws.send`. */
  readonly perMessageDeflate: boolean;
}

const NOOP_SINK: TransportSink = {
  onPacket: () => {},
  onParseError: () => {},
  onError: () => {},
  onClose: () => {},
  onWritable: () => {},
};

const OPEN = 1;

/** Unanswered pongs after which a peer that pings without reading is cut off (ws's default). */
const MAX_PENDING_PONGS = 60;

/**
 * The engine's WebSocket class (ws's `WebSocket` option), created with ws's `autoPong` off.
 *
 * Memory: ws delivers every event through `emit()`, so this class routes `message`, `close` and
 * `error` straight to its transport (one field) and answers pings itself: no listener, listener
 * table (a ~190-byte dictionary per EventEmitter) or per-socket auto-pong closure stays alive
 * with an idle connection. Listeners added later still get every event.
 */
export class EngineWebSocket extends WebSocket {
  /** @package */
  transport: WebSocketTransport | undefined = undefined;
  #pendingPongs = 0;

  constructor(...args: unknown[]) {
    super(...(args as ConstructorParameters<typeof WebSocket>));
    // Node's EventEmitter creates the table on the first listener when it is unset.
    deferListenerTable(this);
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    switch (event) {
      case "message":
        this.transport?.onWsMessage(args[0] as WsEngineData, args[1] as boolean);
        break;
      case "close":
        this.transport?.onWsClose();
        break;
      case "error":
        this.transport?.onWsError(args[0]);
        break;
      case "ping":
        this.#answerPing(args[0] as Buffer);
        break;
    }
    // Listeners added later still run. Without one, EventEmitter is skipped: it would throw an
    // `error` that the transport has handled.
    return this.listenerCount(event) > 0 && super.emit(event, ...args);
  }

  /** What ws's auto-pong does: echo the ping's data, or terminate a peer that does not read. */
  #answerPing(data: Buffer): void {
    if (this.readyState !== OPEN) return;
    if (this.#pendingPongs >= MAX_PENDING_PONGS) {
      this.terminate();
      return;
    }
    this.#pendingPongs++;
    this.pong(data, false, () => {
      this.#pendingPongs--;
    });
  }
}

function toBuffer(data: WsEngineData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * The websocket transport of one session.
 *
 * Raw frame path: with permessage-deflate off, `ws`'s Sender writes every frame synchronously to
 * the socket (it only queues while deflating or reading a Blob, neither of which can happen here),
 * so whole frames built with the public `WebSocket.Sender.frame()` can be written to the same
 * socket in order with ws's own control frames. That lets one broadcast frame be shared by every
 * socket and lets a batch of packets leave in one corked `write`. A socket that is not a `ws`
 * WebSocket (another `wsEngine`) gets every packet through its own `send()`.
 */
export class WebSocketTransport extends EventEmitter<TransportEvents> implements Transport {
  #sink: TransportSink = NOOP_SINK;
  readonly #ws: WsEngineSocket;
  readonly #socket: Duplex;
  readonly #supportsBinary: boolean;
  readonly #rawFrames: boolean;
  #closed = false;
  /** Batches handed to the socket whose write has not completed yet. */
  #inFlight = 0;

  constructor(ws: WsEngineSocket, socket: Duplex, options: WebSocketTransportOptions) {
    super();
    // No listener table until the first listener (most transports never get one).
    deferListenerTable(this);
    this.#ws = ws;
    this.#socket = socket;
    this.#supportsBinary = options.supportsBinary;
    this.#rawFrames = !options.perMessageDeflate && ws instanceof WebSocket;
    if (ws instanceof EngineWebSocket) {
      ws.transport = this;
      return;
    }
    // A socket of another class (another `wsEngine`): listeners, which need not be called with
    // the socket as `this`.
    ws.on("message", (data, isBinary) => this.onWsMessage(data, isBinary));
    ws.once("close", () => this.onWsClose());
    ws.on("error", (error) => this.onWsError(error));
  }

  get name(): "websocket" {
    return "websocket";
  }

  /** Served by an HTTP Upgrade (as engine.io's websocket transport). */
  get handlesUpgrades(): boolean {
    return true;
  }

  get writable(): boolean {
    return this.#inFlight === 0 && this.canFlush;
  }

  get canFlush(): boolean {
    return !this.#closed && this.#ws.readyState === OPEN;
  }

  get bufferedBytes(): number {
    return this.#ws.bufferedAmount;
  }

  bind(sink: TransportSink): void {
    this.#sink = sink;
  }

  /** @package From ws: one message. */
  onWsMessage(data: WsEngineData, isBinary: boolean): void {
    if (this.#closed) return;
    const bytes = toBuffer(data);
    const result = decodeEnginePacket(isBinary ? bytes : bytes.toString("utf8"), "nodebuffer");
    if (result.ok) {
      this.#sink.onPacket(result.value);
      this.emit("packet", result.value);
    } else this.#sink.onParseError(result.error);
  }

  /** @package From ws: the socket closed. */
  onWsClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    const sink = this.#sink;
    this.#sink = NOOP_SINK;
    sink.onClose();
    this.emit("close");
  }

  /** @package From ws: a socket error. */
  onWsError(cause?: unknown): void {
    this.#onError("websocket error", cause);
  }

  #onError(description: string, cause: unknown): void {
    if (this.#closed) return;
    this.#closed = true;
    const sink = this.#sink;
    this.#sink = NOOP_SINK;
    const error = new TransportError(description, cause === undefined ? undefined : { cause });
    sink.onError(error);
    if (this.listenerCount("error") > 0) this.emit("error", error);
    this.emit("close");
  }

  send(packets: readonly OutboundPacket[], onSent: () => void): void {
    if (!this.canFlush || packets.length === 0) return;
    this.#inFlight++;
    if (this.#rawFrames) this.#writeFrames(packets, onSent);
    else this.#sendMessages(packets, onSent);
  }

  /** The last frame of a batch was written (or failed). */
  #onBatchWritten(error: Error | null | undefined, onSent: () => void): void {
    this.#inFlight--;
    if (error) {
      this.#onError("write error", error);
      return;
    }
    onSent();
    if (this.#closed) return;
    this.emit("drain");
    if (this.#inFlight === 0 && this.canFlush) this.emit("ready");
  }

  #writeFrames(packets: readonly OutboundPacket[], onSent: () => void): void {
    writePacketFrames(this.#socket, packets, this.#supportsBinary, (error) =>
      this.#onBatchWritten(error, onSent),
    );
  }

  #sendMessages(packets: readonly OutboundPacket[], onSent: () => void): void {
    const last = packets.length - 1;
    for (let i = 0; i <= last; i++) {
      const packet = packets[i] as OutboundPacket;
      const data = packet.encoded.wsData(this.#supportsBinary);
      const options = { compress: packet.compress, binary: typeof data !== "string" };
      this.#ws.send(
        data,
        options,
        i === last ? (error?: Error) => this.#onBatchWritten(error, onSent) : undefined,
      );
    }
  }

  discard(): void {}

  close(onClosed?: () => void): void {
    if (this.#closed) {
      onClosed?.();
      return;
    }
    this.#closed = true;
    this.#sink = NOOP_SINK;
    this.#ws.close();
    onClosed?.();
    this.emit("close");
  }
}
