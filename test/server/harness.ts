// Test harness of the Socket.IO server suites: a Server on an ephemeral loopback port, official
// socket.io-client peers, and bounded waits. Every test closes what it opened.
import { once } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ServerOptions, Socket } from "@switchyard/server";
import { Server } from "@switchyard/server";
import { Server as OfficialServer } from "socket.io";
import {
  type Socket as ClientSocket,
  io as ioc,
  type ManagerOptions,
  type SocketOptions,
} from "socket.io-client";

export interface Harness {
  io: Server;
  http: HttpServer;
  port: number;
  url: string;
  clients: ClientSocket[];
  /** Connects an official client to `nsp` (default `/`), forceNew, websocket by default. */
  client(nsp?: string, opts?: Partial<ManagerOptions & SocketOptions>): ClientSocket;
  close(): Promise<void>;
}

/** Which server a test runs against: ours, or the official socket.io 4.8 as a reference. */
export type ServerKind = "switchyard" | "official";

/**
 * Starts a Server attached to a fresh HTTP server on 127.0.0.1:0. With `kind` "official" it is
 * socket.io's (typed as ours: a differential test uses only what both have).
 */
export async function startServer(
  opts: ServerOptions = {},
  kind: ServerKind = "switchyard",
): Promise<Harness> {
  const http = createServer();
  const io =
    kind === "switchyard"
      ? new Server(http, opts)
      : (new OfficialServer(
          http,
          opts as ConstructorParameters<typeof OfficialServer>[1],
        ) as unknown as Server);
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  const port = (http.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const clients: ClientSocket[] = [];
  return {
    io,
    http,
    port,
    url,
    clients,
    client(nsp = "/", clientOpts = {}) {
      const socket = ioc(`${url}${nsp}`, {
        forceNew: true,
        reconnection: false,
        transports: ["websocket"],
        ...clientOpts,
      });
      clients.push(socket);
      return socket;
    },
    async close() {
      for (const c of clients) c.disconnect();
      await io.close();
    },
  };
}

/** Resolves with the arguments of the next `event`, or rejects after `timeoutMs`. */
export function waitFor<T extends unknown[] = unknown[]>(
  emitter: object,
  event: string,
  timeoutMs = 3000,
): Promise<T> {
  const target = emitter as { once(event: string, fn: (...args: unknown[]) => void): unknown };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`timed out waiting for "${event}"`)),
      timeoutMs,
    );
    target.once(event, (...args: unknown[]) => {
      clearTimeout(timer);
      resolve(args as T);
    });
  });
}

/** Resolves when `socket` is connected (rejects on connect_error). */
export function connected(socket: ClientSocket, timeoutMs = 3000): Promise<void> {
  if (socket.connected) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("connect timed out")), timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      resolve();
    });
    socket.once("connect_error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/**
 * Resolves once the socket's transport could write a packet at once (a GET pending, no WebSocket
 * write in flight): then a volatile packet is sent, on our server as on the official one.
 */
export async function idle(socket: Socket): Promise<void> {
  for (;;) {
    const transport = socket.conn.transport;
    if (transport.writable) return;
    await waitFor(transport, "ready");
  }
}
