// The subset of an Engine.IO server and session that the Socket.IO layer uses. Both our engine
// (engine/server.ts) and the official `engine.io` 6.6 Server satisfy it, so `io.bind()` takes either.
import type { IncomingMessage } from "node:http";

/** Options of one write to the engine (per packet). */
export interface EngineWriteOptions {
  compress?: boolean;
  /** Our engine drops a volatile packet that cannot leave at once; others ignore the flag. */
  volatile?: boolean;
}

/** The first HTTP request of a session, with the query parsed by the engine when available. */
export type EngineRequest = IncomingMessage & { _query?: Record<string, string | undefined> };

/** What a session of our engine calls directly, instead of per-session event listeners. */
export interface SessionHandler {
  /** A message, before the session's `data` event. */
  onSessionData(data: string | Buffer): void;
  /** The session closed, before its `close` event. */
  onSessionClose(reason: string, description?: unknown): void;
}

/** One Engine.IO session (the official engine.io `Socket` shape). */
export interface EngineSessionLike {
  /** The sid (engine.io: `id`). */
  readonly id: string;
  readonly request: EngineRequest;
  readonly remoteAddress: string;
  readonly protocol: number;
  readonly readyState: string;
  readonly transport: { readonly name: string; readonly writable?: boolean };
  write(data: string | Buffer, options?: EngineWriteOptions, callback?: () => void): unknown;
  close(): unknown;
  on(event: "data", listener: (data: string | Buffer) => void): unknown;
  on(event: "error", listener: (err: Error) => void): unknown;
  on(event: "close", listener: (reason: string, description?: unknown) => void): unknown;
  // biome-ignore lint/suspicious/noExplicitAny: the EventEmitter signature, so any emitter fits
  removeListener(event: string, listener: (...args: any[]) => void): unknown;
  /** Our engine only: routes messages and the close to `handler` (undefined detaches). */
  setHandler?(handler: SessionHandler | undefined): void;
}

/** An Engine.IO server: anything that emits `connection` with a session and can be closed. */
export interface EngineLike {
  on(event: "connection", listener: (session: EngineSessionLike) => void): unknown;
  close(): unknown;
}
