// The `wsEngine` option's contract: the WebSocket server class the websocket transport runs on.
// Default: the engine's own server (websocket-native/). `ws`'s WebSocketServer or any class with
// the same shape (a `ws` subclass, eiows, a wrapper) can take its place, as in engine.io.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { PerMessageDeflateOptions } from "ws";

/** What the engine passes to `new wsEngine(options)` (engine.io's four options). */
export interface WsEngineOptions {
  noServer: true;
  clientTracking: false;
  perMessageDeflate: false | PerMessageDeflateOptions;
  /** The engine's `maxHttpBufferSize`. */
  maxPayload: number;
}

/** A message as a WebSocket server delivers it (`ws`'s `RawData`). */
export type WsEngineData = Buffer | ArrayBuffer | Buffer[];

/** One accepted WebSocket, as the transport uses it (a subset of `ws`'s `WebSocket`). */
export interface WsEngineSocket {
  /** 1 while open (the WHATWG value). */
  readonly readyState: number;
  /** Bytes queued by `send` and not yet written; counted against the session's buffer bounds. */
  readonly bufferedAmount: number;
  on(event: "message", listener: (data: WsEngineData, isBinary: boolean) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  once(event: "close", listener: () => void): unknown;
  send(
    data: string | Buffer,
    options: { compress: boolean; binary: boolean },
    callback?: (error?: Error) => void,
  ): void;
  close(): void;
}

/** An instance of the `wsEngine` class. */
export interface WsEngineServer {
  handleUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    callback: (ws: WsEngineSocket) => void,
  ): void;
  /**
   * Optional, as in engine.io: when present, the engine listens to `headers` to add its own
   * (middlewares' and `headers`/`initial_headers` listeners') to the 101.
   */
  on?(event: "headers", listener: (lines: string[], req: IncomingMessage) => void): unknown;
}

/** The `wsEngine` option: a class constructed once per engine, with {@link WsEngineOptions}. */
export type WsEngine = new (options: WsEngineOptions) => WsEngineServer;
