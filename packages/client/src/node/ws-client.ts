// A lean RFC 6455 WebSocket client for Node, the one the Node build uses unless an option needs
// the `ws` package (platform.ts decides). Why it exists: in the client benchmark
// (bench/scenarios/client, 100 sockets fed ~100-byte events) a CPU profile put ≈ 1.6 µs per
// received frame inside `ws` (its Receiver is a Writable stream: stream machinery, a queue of
// Buffers, per-frame Buffer objects), more than JSON.parse and our whole event chain. Here the
// socket's 'data' chunks go straight to a frame parser (ws-receiver.ts) that hands whole
// frames on as views of the chunk: ≈ 0.6 µs per frame in the same profile, and 0.4–0.8 µs less
// client CPU per received event in the benchmark (3.6–3.8 µs against 4.1–4.5 µs with `ws`).
//
// `ws` is still used, through websocket.ts, when `perMessageDeflate` is enabled (true or an
// object: compression is an extension this client does not implement), for URLs other than ws:
// and wss:, and in runtimes other than Node (Bun, Deno: the global WebSocket, as before).
//
// The surface is the WebSocketLike the engine's transport uses: onopen/onmessage/onclose/onerror,
// readyState, send and close(code, reason). Binary messages arrive as Buffers (the engine converts
// them to its binaryType). Events are plain objects shaped like `ws`'s: open `{type, target}`,
// close `{type, target, code, reason, wasClean}`, error `{type, target, error, message}`.

import type { WebSocketLike } from "../platform.js";
import type { NetSocket, NodeBuffer } from "./ws-builtins.js";
import { WebSocketHandshakeError, type WebSocketProtocolError } from "./ws-errors.js";
import {
  bytesOf,
  closePayload,
  encodeFrame,
  OP_BINARY,
  OP_CLOSE,
  OP_PONG,
  OP_TEXT,
  utf8Length,
} from "./ws-frame.js";
import { Handshake, type HandshakeOptions, type HandshakeSink } from "./ws-handshake.js";
import { Receiver, type ReceiverSink } from "./ws-receiver.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;
/** `ws`'s default maxPayload: the largest message accepted (100 MiB). */
export const DEFAULT_MAX_PAYLOAD: number = 100 * 1024 * 1024;
/** How long to wait for the server's close frame and TCP close after ours (as `ws`). */
const CLOSE_TIMEOUT_MS = 30_000;

/** Options of the lean client. */
export interface LeanWebSocketOptions extends HandshakeOptions {
  /** The largest message accepted, in bytes (0: no limit). @default 100 MiB */
  readonly maxPayload?: number;
  /** Unref the socket once open, so that it alone does not keep Node running (`autoUnref`). */
  readonly unref?: boolean;
}

type Listener = ((event: unknown) => void) | null;

function isBlob(value: unknown): value is Blob {
  return typeof Blob === "function" && value instanceof Blob;
}

/** A WebSocket connection on node:http(s) and a raw socket. */
export class LeanWebSocket implements WebSocketLike, ReceiverSink, HandshakeSink {
  /** Ignored: binary messages arrive as Buffers, which the engine converts. */
  binaryType = "nodebuffer";
  onopen: Listener = null;
  onclose: Listener = null;
  onerror: Listener = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  /** The sub-protocol the server picked ("" for none). */
  protocol = "";
  #readyState = CONNECTING;
  #handshake: Handshake | undefined;
  #socket: NetSocket | undefined;
  readonly #receiver: Receiver;
  /** Reused for every message: the transport reads `data` synchronously and keeps no reference. */
  readonly #event: { data: unknown } = { data: undefined };
  #closeFrameSent = false;
  #closeFrameReceived = false;
  #closeCode = 1006;
  #closeReason = "";
  #closeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Sends waiting behind a Blob being read, in order (undefined: none). */
  #queue: Array<{ opcode: number; data: unknown }> | undefined;
  readonly #unref: boolean;

  /** @throws when `url` is not a ws:/wss: URL or node:http refuses the request headers. */
  constructor(url: string, options: LeanWebSocketOptions) {
    const parsed = new URL(url);
    if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
      throw new SyntaxError(`The URL's protocol must be one of "ws:" or "wss:"`);
    }
    this.#receiver = new Receiver(this, options.maxPayload ?? DEFAULT_MAX_PAYLOAD);
    this.#unref = options.unref === true;
    this.#handshake = new Handshake(parsed, options, this);
  }

  get readyState(): number {
    return this.#readyState;
  }

  /** Sends a text or binary message (a Blob is read first; later sends wait for it). */
  send(data: unknown): void {
    if (this.#readyState === CONNECTING) {
      throw new Error("WebSocket is not open: readyState 0 (CONNECTING)");
    }
    if (this.#readyState !== OPEN || this.#closeFrameSent) return;
    const opcode = typeof data === "string" ? OP_TEXT : OP_BINARY;
    if (this.#queue !== undefined || isBlob(data)) {
      this.#enqueue(opcode, data);
      return;
    }
    this.#write(opcode, data);
  }

  /**
   * Starts the closing handshake (or abandons the opening one).
   * @throws TypeError for a code outside 1000 and 3000–4999; SyntaxError for a reason over 123 bytes.
   */
  close(code?: number, reason = ""): void {
    const state = this.#readyState;
    if (state === CLOSED) return;
    if (state === CONNECTING) {
      this.#handshake?.abort(
        new WebSocketHandshakeError("WebSocket was closed before the connection was established"),
      );
      return;
    }
    if (code !== undefined && code !== 1000 && (code < 3000 || code > 4999)) {
      throw new TypeError("First argument must be a valid error code number");
    }
    if (utf8Length(reason) > 123) {
      throw new SyntaxError("The message must not be greater than 123 bytes");
    }
    this.#sendClose(code, reason);
  }

  /** Sends our close frame once, then ends the socket or waits for the server's. */
  #sendClose(code: number | undefined, reason: string): void {
    this.#readyState = CLOSING;
    const socket = this.#socket;
    if (socket === undefined) return;
    if (!this.#closeFrameSent) {
      this.#closeFrameSent = true;
      this.#queue = undefined;
      socket.write(encodeFrame(OP_CLOSE, closePayload(code, reason)));
    }
    if (this.#closeFrameReceived) socket.end();
    this.#closeTimer ??= setTimeout(() => socket.destroy(), CLOSE_TIMEOUT_MS);
  }

  #write(opcode: number, data: unknown): void {
    const payload =
      typeof data === "string"
        ? data
        : data instanceof ArrayBuffer || ArrayBuffer.isView(data)
          ? bytesOf(data)
          : String(data);
    this.#socket?.write(encodeFrame(typeof payload === "string" ? OP_TEXT : opcode, payload));
  }

  #enqueue(opcode: number, data: unknown): void {
    const queue = this.#queue;
    if (queue !== undefined) {
      queue.push({ opcode, data });
      return;
    }
    this.#queue = [{ opcode, data }];
    this.#drain();
  }

  /** Writes queued sends in order, reading each Blob before it goes out. */
  #drain(): void {
    const queue = this.#queue;
    if (queue === undefined) return;
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      if (isBlob(next.data)) {
        const opcode = next.opcode;
        next.data.arrayBuffer().then(
          (bytes) => {
            if (this.#queue !== queue) return;
            this.#write(opcode, bytes);
            this.#drain();
          },
          () => {
            if (this.#queue === queue) this.#drain();
          },
        );
        return;
      }
      this.#write(next.opcode, next.data);
    }
    this.#queue = undefined;
  }

  // HandshakeSink

  onUpgrade(socket: NetSocket, head: NodeBuffer, protocol: string): void {
    this.#handshake = undefined;
    this.#socket = socket;
    this.protocol = protocol;
    socket.setTimeout(0);
    socket.setNoDelay(true);
    if (this.#unref) socket.unref();
    const receiver = this.#receiver;
    socket.on("data", (chunk) => receiver.push(chunk));
    socket.on("end", () => this.#onSocketEnd());
    socket.on("error", () => this.#onSocketError());
    socket.on("close", () => this.#onSocketClose());
    socket.resume();
    this.#readyState = OPEN;
    this.onopen?.({ type: "open", target: this });
    if (head.length > 0 && this.#readyState === OPEN) receiver.push(head);
  }

  onHandshakeError(err: unknown): void {
    this.#handshake = undefined;
    this.#readyState = CLOSING;
    this.#emitError(err);
    this.#emitClose();
  }

  // ReceiverSink

  onText(text: string): void {
    this.#dispatch(text);
  }

  onBinary(data: NodeBuffer): void {
    this.#dispatch(data);
  }

  #dispatch(data: string | NodeBuffer): void {
    const listener = this.onmessage;
    if (listener === null || this.#readyState !== OPEN) return;
    const event = this.#event;
    event.data = data;
    listener(event);
    event.data = undefined;
  }

  onPing(payload: NodeBuffer): void {
    if (this.#readyState === OPEN && !this.#closeFrameSent) {
      this.#socket?.write(encodeFrame(OP_PONG, payload));
    }
  }

  onCloseFrame(code: number, reason: string): void {
    this.#closeFrameReceived = true;
    this.#closeCode = code;
    this.#closeReason = reason;
    this.#sendClose(code === 1005 ? undefined : code, reason);
  }

  onProtocolError(err: WebSocketProtocolError): void {
    this.#sendClose(err.closeCode, "");
    this.#emitError(err);
  }

  // Socket events

  #onSocketEnd(): void {
    this.#readyState = CLOSING;
    this.#receiver.stop();
    this.#socket?.end();
  }

  #onSocketError(): void {
    // As with `ws`: no error event after the handshake; the close event (1006) reports it.
    this.#readyState = CLOSING;
    this.#socket?.destroy();
  }

  #onSocketClose(): void {
    this.#receiver.stop();
    if (this.#closeTimer !== undefined) clearTimeout(this.#closeTimer);
    this.#closeTimer = undefined;
    this.#queue = undefined;
    this.#emitClose();
  }

  #emitError(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.onerror?.({ type: "error", target: this, error: err, message });
  }

  #emitClose(): void {
    if (this.#readyState === CLOSED) return;
    this.#readyState = CLOSED;
    this.onclose?.({
      type: "close",
      target: this,
      code: this.#closeCode,
      reason: this.#closeReason,
      wasClean: this.#closeFrameSent && this.#closeFrameReceived,
    });
  }
}
