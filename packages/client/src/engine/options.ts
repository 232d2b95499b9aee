// Options of the Engine.IO client (engine.io-client 6.6 names and defaults, docs/protocol.md §4.2).

/** A transport name the client knows. */
export type TransportName = "polling" | "websocket";

/** Options of the engine connection; the Manager passes its own options through. */
export interface EngineOptions {
  /** Host name; filled from the URI. */
  hostname?: string;
  /** Alias of hostname (engine.io-client accepts both). */
  host?: string;
  /** Port; filled from the URI. */
  port?: string | number;
  /** Use https/wss; filled from the URI. */
  secure?: boolean;
  /** HTTP path. @default "/engine.io" ("/socket.io" through the Manager) */
  path?: string;
  /** Append "/" to the path. @default true */
  addTrailingSlash?: boolean;
  /** Extra query parameters, as an object or a query string. */
  query?: string | Record<string, unknown>;
  /** Transports to try, in order. @default ["polling", "websocket"] */
  transports?: readonly TransportName[];
  /** Probe and upgrade to WebSocket after a polling handshake. @default true */
  upgrade?: boolean;
  /** Start on WebSocket when the previous connection upgraded to it. @default false */
  rememberUpgrade?: boolean;
  /** If the first transport fails while opening, try the next one. @default false */
  tryAllTransports?: boolean;
  /** Cache-busting parameter: `true` adds it to WebSocket URLs too, `false` drops it from polling. */
  timestampRequests?: boolean;
  /** Name of the cache-busting parameter. @default "t" */
  timestampParam?: string;
  /** Send binary as base64 text even where binary frames work. @default false */
  forceBase64?: boolean;
  /** Headers for every HTTP request (and the WebSocket handshake in Node). */
  extraHeaders?: Record<string, string>;
  /** Send cookies cross-origin (browser); keep a cookie jar (Node). @default false */
  withCredentials?: boolean;
  /** Abort a polling request after this many ms. */
  requestTimeout?: number;
  /** Options that apply to one transport only, keyed by transport name. */
  transportOptions?: Partial<Record<TransportName, Partial<EngineOptions>>>;
  /** Close the connection on the page's `beforeunload`. @default false */
  closeOnBeforeunload?: boolean;
  /** WebSocket sub-protocols. */
  protocols?: string | string[];
  /**
   * Node: let the process exit while only this connection is left: its timers and its sockets
   * (polling requests, the WebSocket) are unref'd. @default false
   */
  autoUnref?: boolean;
  /**
   * Take setTimeout/clearTimeout as they were when the client was loaded, not the globals of the
   * moment, so fake timers installed later do not apply to the client. @default false
   */
  useNativeTimers?: boolean;
  /**
   * Node: `true` or an object opens the WebSocket with `ws` and offers permessage-deflate (the
   * `ws` option); otherwise the built-in client is used, which does not compress.
   */
  perMessageDeflate?: boolean | { threshold?: number };
  /**
   * Node: the http(s).Agent of the WebSocket and of polling requests; `false` opens a connection
   * per polling request. Polling defaults to a shared keep-alive agent.
   */
  agent?: unknown;
  /** Node TLS option (WebSocket and https polling). */
  pfx?: unknown;
  /** Node TLS option. */
  key?: unknown;
  /** Node TLS option. */
  passphrase?: string;
  /** Node TLS option. */
  cert?: unknown;
  /** Node TLS option. */
  ca?: unknown;
  /** Node TLS option. */
  ciphers?: string;
  /** Node TLS option. @default true */
  rejectUnauthorized?: boolean;
}
