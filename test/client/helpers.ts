// Shared helpers of the client suites: a peer (Socket.IO server) abstraction the contract runs
// against, event waiting with bounded timeouts, and cleanup of every client a test opens.

import { type IoOptions, io, type Socket } from "@switchyard/client";
import type { Server, ServerOptions } from "socket.io";

/** A running Socket.IO server on loopback. */
export interface Peer {
  port: number;
  url: string;
  io: Server;
  close(): Promise<void>;
}

/** What a test asks of the peer: options, a fixed port (restarts) and handler setup. */
export interface PeerOptions {
  port?: number;
  serverOptions?: Partial<ServerOptions>;
  setup?: (io: Server) => void;
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

/** Tracks clients so each test closes what it opened. */
export class Clients {
  #sockets: Socket[] = [];

  /** Opens a client socket (forceNew unless the test says otherwise). */
  open(url: string, opts: IoOptions = {}): Socket {
    const socket = io(url, {
      forceNew: true,
      reconnectionDelay: 50,
      randomizationFactor: 0,
      ...opts,
    });
    this.#sockets.push(socket);
    return socket;
  }

  /** Tracks a socket opened by other means. */
  track(socket: Socket): Socket {
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
