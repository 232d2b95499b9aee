// The websocket transport of one session on the built-in WebSocket path: frames parsed from the
// socket's 'data' chunks (receiver.ts) and written straight to it (sender.ts), with no `ws`
// object in between. The connection's life follows `ws`'s server side, so the session sees the
// same events with either engine:
// - a client close frame is answered with the same code (none for an empty one), then the server
//   ends the TCP connection (RFC 6455 §7.1.1); the session hears "transport close" once the
//   socket is closed;
// - a protocol violation fails the connection: a close frame with its status (1002, 1007, 1008,
//   1009), the socket ended once it is written, and the session closed at once with
//   "transport error" (`websocket error`, the WebSocketProtocolError as its cause);
// - the TCP end or a socket error without a close frame: "transport close" when the socket closes;
// - the session's close(): an empty close frame, then the client's close frame (or the end of the
//   TCP connection, or 30 s) ends the socket;
// - pings are answered with their payload; a client whose pongs pile up unwritten (60, as `ws`
//   counts) is cut off.
import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { decodeEnginePacket } from "@switchyard/protocol";
import { TransportError } from "../../engine/errors.js";
import { deferListenerTable } from "../../listener-table.js";
import type { OutboundPacket, Transport, TransportEvents, TransportSink } from "../transport.js";
import type { WebSocketProtocolError } from "./errors.js";
import { Receiver, type ReceiverLimits, type ReceiverSink } from "./receiver.js";
import { closeFrame, controlFrame, OP_PONG, writePacketFrames } from "./sender.js";

/** How the engine configured this connection. */
export interface NativeWebSocketOptions extends ReceiverLimits {
  /** False when the client asked for `b64=1`: binary goes out as `b<base64>` text. */
  readonly supportsBinary: boolean;
}

const NOOP_SINK: TransportSink = {
  onPacket: () => {},
  onParseError: () => {},
  onError: () => {},
  onClose: () => {},
  onWritable: () => {},
};

/** Unanswered pongs after which a peer that pings without reading is cut off (as `ws`). */
const MAX_PENDING_PONGS = 60;
/** How long to wait for the client's close frame and TCP close after ours (as `ws`). */
export const CLOSE_TIMEOUT_MS = 30_000;

const TRANSPORT = Symbol("switchyard.websocket");

/** A socket owned by a transport. The listeners below are shared: no closure per connection. */
interface OwnedSocket extends Duplex {
  [TRANSPORT]?: NativeWebSocketTransport;
}

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[TRANSPORT]?.onSocketData(chunk);
}
function onSocketEnd(this: OwnedSocket): void {
  this[TRANSPORT]?.onSocketEnd();
}
function onSocketError(this: OwnedSocket): void {
  this[TRANSPORT]?.onSocketError();
}
function onSocketClose(this: OwnedSocket): void {
  this[TRANSPORT]?.onSocketClose();
}
function destroySocket(socket: Duplex): void {
  socket.destroy();
}

/** One session's WebSocket connection, after the 101 was written. */
export class NativeWebSocketTransport
  extends EventEmitter<TransportEvents>
  implements Transport, ReceiverSink
{
  #sink: TransportSink = NOOP_SINK;
  readonly #socket: OwnedSocket;
  readonly #receiver: Receiver;
  readonly #supportsBinary: boolean;
  /** The session is done with this transport (closed it, or was told it closed). */
  #closed = false;
  /** Data may still be sent: no close frame either way, no TCP end, no socket error. */
  #open = true;
  #closeFrameSent = false;
  #closeFrameReceived = false;
  /** Batches handed to the socket whose write has not completed yet. */
  #inFlight = 0;
  #pendingPongs = 0;
  #closeTimer: NodeJS.Timeout | undefined;

  /** Takes over `socket` (the 101 is written); `head`: bytes that came with the upgrade request. */
  constructor(socket: Duplex, head: Buffer, options: NativeWebSocketOptions) {
    super();
    // No listener table until the first listener (most transports never get one).
    deferListenerTable(this);
    const owned = socket as OwnedSocket;
    this.#socket = owned;
    this.#supportsBinary = options.supportsBinary;
    this.#receiver = new Receiver(this, options);
    owned[TRANSPORT] = this;
    // A net.Socket (or TLS socket) as from node:http; any Duplex works without these.
    const tcp = socket as Partial<Pick<Socket, "setTimeout" | "setNoDelay">>;
    tcp.setTimeout?.(0);
    tcp.setNoDelay?.(true);
    if (head.length > 0) owned.unshift(head);
    owned.on("data", onSocketData);
    owned.on("end", onSocketEnd);
    owned.on("error", onSocketError);
    owned.on("close", onSocketClose);
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
    return !this.#closed && this.#open;
  }

  get bufferedBytes(): number {
    return this.#socket.writableLength;
  }

  bind(sink: TransportSink): void {
    this.#sink = sink;
  }

  // Socket events (through the shared listeners above).

  /** @package */
  onSocketData(chunk: Buffer): void {
    this.#receiver.push(chunk);
  }

  /** @package The client ended its side without (or after) a close frame. */
  onSocketEnd(): void {
    this.#open = false;
    this.#receiver.stop();
    this.#socket.end();
  }

  /** @package As with `ws`: no error is reported; the close that follows is. */
  onSocketError(): void {
    this.#open = false;
    this.#socket.destroy();
  }

  /** @package */
  onSocketClose(): void {
    this.#open = false;
    this.#receiver.stop();
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    if (this.#closed) return;
    this.#closed = true;
    const sink = this.#sink;
    this.#sink = NOOP_SINK;
    sink.onClose();
    this.emit("close");
  }

  // ReceiverSink

  onText(data: Buffer): void {
    this.#onMessage(data.toString("utf8"));
  }

  onBinary(data: Buffer): void {
    this.#onMessage(data);
  }

  #onMessage(data: string | Buffer): void {
    if (this.#closed) return;
    const result = decodeEnginePacket(data, "nodebuffer");
    if (result.ok) {
      this.#sink.onPacket(result.value);
      this.emit("packet", result.value);
    } else this.#sink.onParseError(result.error);
  }

  onPing(payload: Buffer): void {
    if (!this.#open) return;
    if (this.#pendingPongs >= MAX_PENDING_PONGS) {
      this.#socket.destroy();
      return;
    }
    this.#pendingPongs++;
    this.#socket.write(controlFrame(OP_PONG, payload), () => {
      this.#pendingPongs--;
    });
  }

  onCloseFrame(code: number, reason: string): void {
    this.#closeFrameReceived = true;
    this.#open = false;
    this.#sendClose(code === 1005 ? undefined : code, reason);
  }

  onProtocolError(error: WebSocketProtocolError): void {
    this.#open = false;
    this.#sendClose(error.closeCode, "", true);
    this.#onError("websocket error", error);
  }

  /**
   * Our close frame (once), then the end of the socket once both close frames went (or at once
   * after a protocol error), and a timer that destroys a socket the client never closes.
   */
  #sendClose(code: number | undefined, reason: string, failed = false): void {
    const socket = this.#socket;
    if (!this.#closeFrameSent && socket.writable) {
      this.#closeFrameSent = true;
      socket.write(closeFrame(code, reason));
    }
    if (this.#closeFrameReceived || failed) socket.end();
    this.#closeTimer ??= setTimeout(destroySocket, CLOSE_TIMEOUT_MS, socket);
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
    writePacketFrames(this.#socket, packets, this.#supportsBinary, (error) =>
      this.#onBatchWritten(error, onSent),
    );
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

  discard(): void {}

  close(onClosed?: () => void): void {
    if (this.#closed) {
      onClosed?.();
      return;
    }
    this.#closed = true;
    this.#sink = NOOP_SINK;
    this.#open = false;
    this.#sendClose(undefined, "");
    onClosed?.();
    this.emit("close");
  }
}
