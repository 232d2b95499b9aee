// The `ws` package behind the WebSocketLike surface the transport uses. ws's own `onmessage`
// builds a MessageEvent per message and, for binaryType "arraybuffer", copies every binary
// message into a fresh ArrayBuffer. Here messages arrive through ws's plain "message" event as
// strings and Buffers, in one reused event object; the engine converts binary data to its own
// binaryType. Open, close and error keep ws's event objects (they are rare, and reported as is).
import type { WebSocketLike } from "../platform.js";

/** The part of a `ws` WebSocket this adapter uses. */
export interface WsSocket {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  on(event: "message", fn: (data: { toString(): string }, isBinary: boolean) => void): unknown;
  on(event: "upgrade", fn: (response: { socket: { unref(): unknown } }) => void): unknown;
  send(data: unknown, options?: { compress?: boolean }): void;
  close(code?: number, reason?: string): void;
}

/** A `ws` WebSocket with a lighter message path. */
export class NodeWebSocket implements WebSocketLike {
  /** Ignored: binary messages arrive as Buffers, which the engine converts. */
  binaryType = "nodebuffer";
  onmessage: ((event: { data: unknown }) => void) | null = null;
  readonly #ws: WsSocket;
  /** Reused for every message: the transport reads `data` synchronously and keeps no reference. */
  readonly #event: { data: unknown } = { data: undefined };

  /** `unref`: the connection's socket is unref'd once upgraded (`autoUnref`). */
  constructor(ws: WsSocket, unref = false) {
    this.#ws = ws;
    ws.on("message", (data, isBinary) => this.#onMessage(data, isBinary));
    // ws's public "upgrade" event hands the 101 response, whose socket the connection keeps.
    if (unref) ws.on("upgrade", (response) => response.socket.unref());
  }

  #onMessage(data: { toString(): string }, isBinary: boolean): void {
    const listener = this.onmessage;
    if (listener === null) return;
    const event = this.#event;
    event.data = isBinary ? data : data.toString();
    listener(event);
    event.data = undefined;
  }

  get readyState(): number {
    return this.#ws.readyState;
  }

  get onopen(): ((event: unknown) => void) | null {
    return this.#ws.onopen;
  }
  set onopen(fn: ((event: unknown) => void) | null) {
    this.#ws.onopen = fn;
  }

  get onclose(): ((event: unknown) => void) | null {
    return this.#ws.onclose;
  }
  set onclose(fn: ((event: unknown) => void) | null) {
    this.#ws.onclose = fn;
  }

  get onerror(): ((event: unknown) => void) | null {
    return this.#ws.onerror;
  }
  set onerror(fn: ((event: unknown) => void) | null) {
    this.#ws.onerror = fn;
  }

  send(data: unknown, options?: { compress?: boolean }): void {
    this.#ws.send(data, options);
  }

  close(code?: number, reason?: string): void {
    this.#ws.close(code, reason);
  }
}
