// Shared helpers of the client suites: a peer (Socket.IO server) abstraction the contract runs
// against, event waiting with bounded timeouts, and cleanup of every client a test opens.

import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { type IoOptions, io, type Socket } from "@switchyard/client";

// The contract talks to either server through these small structural views, which both
// socket.io's and @switchyard/server's classes satisfy (checked by the peer files).

/** Listener signature shared by the peers' event emitters (`any`: both servers type it so). */
// biome-ignore lint/suspicious/noExplicitAny: listeners of both servers take any-typed arguments
type AnyListener = (...args: any[]) => void;

/** The Engine.IO session of a server-side socket (`socket.conn`). */
export interface PeerConnection {
  readonly transport: { readonly name: string };
  close(): unknown;
  on(event: string, listener: AnyListener): unknown;
}

/** A server-side Socket.IO socket. */
export interface PeerSocket {
  readonly id: string;
  readonly recovered: boolean;
  readonly rooms: Set<string>;
  readonly nsp: { readonly name: string };
  readonly conn: PeerConnection;
  readonly handshake: {
    // biome-ignore lint/suspicious/noExplicitAny: both servers type query/auth values as any
    readonly query: Record<string, any>;
    // biome-ignore lint/suspicious/noExplicitAny: both servers type query/auth values as any
    readonly auth: Record<string, any>;
    readonly headers: IncomingHttpHeaders;
  };
  on(event: string, listener: AnyListener): unknown;
  off(event: string, listener: AnyListener): unknown;
  onAny(listener: AnyListener): unknown;
  emit(event: string, ...args: unknown[]): boolean;
  timeout(ms: number): { emitWithAck(event: string, ...args: unknown[]): Promise<unknown> };
  join(room: string): unknown;
  disconnect(close?: boolean): unknown;
}

/** A server namespace, as far as the contract listens to it. */
export interface PeerNamespace {
  on(event: "connection", listener: (socket: PeerSocket) => void): unknown;
  off(event: string, listener: AnyListener): unknown;
  use(fn: (socket: PeerSocket, next: (err?: Error) => void) => void): unknown;
  /** Broadcasts to every socket of the namespace. */
  emit(event: string, ...args: unknown[]): boolean;
  /** A broadcast whose ack collects one answer per socket within `ms`. */
  timeout(ms: number): { emit(event: string, ...args: unknown[]): unknown };
  to(room: string): { emit(event: string, ...args: unknown[]): unknown };
  in(room: string): { disconnectSockets(close?: boolean): unknown };
}

/** The Socket.IO server of a peer: the main namespace, of(), and the engine's events. */
export interface PeerServer extends PeerNamespace {
  /** A namespace by name, or a parent namespace matching dynamic names. */
  of(name: string | RegExp): PeerNamespace;
  readonly engine: {
    on(event: string, listener: AnyListener): unknown;
  };
}

/** The server options the contract uses; each peer passes them to its own server as is. */
export interface PeerServerOptions {
  path?: string;
  transports?: Array<"polling" | "websocket">;
  addTrailingSlash?: boolean;
  cookie?: boolean;
  maxHttpBufferSize?: number;
  pingInterval?: number;
  pingTimeout?: number;
  connectionStateRecovery?: { maxDisconnectionDuration?: number; skipMiddlewares?: boolean };
  perMessageDeflate?: boolean;
  allowRequest?: (
    req: IncomingMessage,
    callback: (message: string | null | undefined, success: boolean) => void,
  ) => void;
}

/** A running Socket.IO server on loopback. */
export interface Peer {
  port: number;
  url: string;
  io: PeerServer;
  close(): Promise<void>;
}

/** What a test asks of the peer: options, a fixed port (restarts) and handler setup. */
export interface PeerOptions {
  port?: number;
  serverOptions?: PeerServerOptions;
  setup?: (io: PeerServer) => void;
}

/** Starts a peer; each implementation (official socket.io, @switchyard/server) provides one. */
export type StartPeer = (options?: PeerOptions) => Promise<Peer>;

/** Anything with on/off: our Socket and Manager, the server's Server and Socket. */
type Listenable = object;

interface OnOff {
  on(event: string, fn: (...args: unknown[]) => void): unknown;
  off(event: string, fn: (...args: unknown[]) => void): unknown;
}

/** Resolves with the arguments of the next `event`; rejects after `timeoutMs`. */
export function waitFor<T extends unknown[] = unknown[]>(
  emitter: Listenable,
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  const target = emitter as OnOff;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.off(event, listener);
      reject(new Error(`timed out after ${timeoutMs} ms waiting for "${event}"`));
    }, timeoutMs);
    const listener = (...args: unknown[]): void => {
      clearTimeout(timer);
      target.off(event, listener);
      resolve(args as T);
    };
    target.on(event, listener);
  });
}

/** A client implementation's `io()` lookup, typed by our client's API. */
export type ClientLookup = (uri: string, opts?: IoOptions) => Socket;

/** The client the contract drives: ours, or the official socket.io-client as a cross-check. */
export interface ContractClient {
  name: string;
  lookup: ClientLookup;
}

/** @switchyard/client, the client under test. */
export const switchyardClient: ContractClient = { name: "@switchyard/client", lookup: io };

/** What each contract group gets: the server to start, the client to drive, and its `it`. */
export interface Contract {
  startPeer: StartPeer;
  client: ContractClient;
  it: ContractIt;
}

/** Tracks clients so each test closes what it opened. */
export class Clients {
  #sockets: Socket[] = [];
  readonly #lookup: ClientLookup;

  constructor(lookup: ClientLookup = io) {
    this.#lookup = lookup;
  }

  /** Opens a client socket (forceNew unless the test says otherwise). */
  open(url: string, opts: IoOptions = {}): Socket {
    const socket = this.#lookup(url, {
      forceNew: true,
      reconnectionDelay: 50,
      randomizationFactor: 0,
      ...opts,
    });
    this.#sockets.push(socket);
    return socket;
  }

  /** Opens a socket through the plain `io()` lookup (Manager cache and multiplexing apply). */
  lookup(url: string, opts?: IoOptions): Socket {
    const socket = this.#lookup(url, opts);
    this.#sockets.push(socket);
    return socket;
  }

  /** Disconnects every tracked socket and closes its Manager. */
  closeAll(): void {
    for (const socket of this.#sockets) {
      socket.disconnect();
      socket.io._close();
    }
    this.#sockets = [];
  }
}

/** Resolves on `connect`, rejects on `connect_error`. */
export function connected(socket: Socket, timeoutMs = 5000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("connect timed out")), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (err: Error) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** The contract's `it`: a plain test, or `it.fails` for a case listed as a known server bug. */
export type ContractIt = (name: string, fn: () => Promise<void>) => void;
