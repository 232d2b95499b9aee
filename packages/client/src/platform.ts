// What differs between runtimes, behind one object: how to open a WebSocket, how to make a
// long-polling request and how to watch the page. This file is the browser variant (fetch);
// index.node.ts installs node/platform.ts instead (node:http, node/poll-request.ts).
import type { EngineOptions } from "./engine/options.js";

/** The part of the WebSocket API the transport uses (browser WebSocket and `ws` both have it). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  send(data: unknown, options?: { compress?: boolean }): void;
  close(code?: number, reason?: string): void;
}

/** Stores Set-Cookie values and produces the Cookie header (engine/cookie-jar.ts). */
export interface CookieJarLike {
  parse(setCookies: readonly string[]): void;
  header(): string | undefined;
}

/** A polling request as fetch takes it (Engine.IO v4 polling only ever sends text). */
export interface PollInit extends RequestInit {
  method: "GET" | "POST";
  headers: Record<string, string>;
  body: string | null;
  signal: AbortSignal;
}

/** The part of a fetch Response the polling transport reads. */
export interface PollResponse {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

/** Runtime hooks. */
export interface Platform {
  /**
   * Opens a WebSocket; `options` are the engine options (Node reads headers and TLS, and sends
   * the cookies of `jar`).
   */
  createWebSocket(
    url: string,
    protocols: string | string[] | undefined,
    options: Readonly<Record<string, unknown>>,
    jar?: CookieJarLike,
  ): WebSocketLike | Promise<WebSocketLike>;
  /**
   * One polling request, aborted through `init.signal`; `opts` are the transport's options
   * (Node reads `agent` and TLS, and sends and stores the cookies of `jar`).
   */
  request(
    url: string,
    init: PollInit,
    opts: Readonly<EngineOptions>,
    jar?: CookieJarLike,
  ): Promise<PollResponse>;
  /** Subscribes to page events (beforeunload, offline); returns the unsubscribe function. */
  watchPage(
    onBeforeUnload: (() => void) | undefined,
    onOffline: (() => void) | undefined,
  ): () => void;
  /** Where `withCredentials` needs a client-side cookie jar (Node): creates one. */
  createCookieJar?: () => CookieJarLike;
}

interface PageTarget {
  addEventListener?: (type: string, fn: () => void, capture?: boolean) => void;
  removeEventListener?: (type: string, fn: () => void, capture?: boolean) => void;
}

const browserPlatform: Platform = {
  createWebSocket(url, protocols) {
    return new WebSocket(url, protocols) as unknown as WebSocketLike;
  },
  request: (url, init) => fetch(url, init),
  watchPage(onBeforeUnload, onOffline) {
    const page = globalThis as PageTarget;
    const add = page.addEventListener;
    const remove = page.removeEventListener;
    if (add === undefined || remove === undefined) return () => {};
    if (onBeforeUnload !== undefined) add("beforeunload", onBeforeUnload, false);
    if (onOffline !== undefined) add("offline", onOffline, false);
    return () => {
      if (onBeforeUnload !== undefined) remove("beforeunload", onBeforeUnload, false);
      if (onOffline !== undefined) remove("offline", onOffline, false);
    };
  },
};

let current: Platform = browserPlatform;

/** The runtime hooks in use. */
export function platform(): Platform {
  return current;
}

/**
 * Replaces the runtime hooks (index.node.ts does this once at load).
 * @package
 */
export function setPlatform(next: Platform): void {
  current = next;
}
