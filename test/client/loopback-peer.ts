// The loopback HTTP server around either peer's Socket.IO server (official-peer.ts,
// switchyard-peer.ts): listen on 127.0.0.1, run the test's setup, close everything.
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Peer, PeerOptions, PeerServer, PeerServerOptions } from "./helpers.js";

/** One server implementation attached to `http`: its contract view and how to close it. */
export interface AttachedServer {
  io: PeerServer;
  close(): Promise<void>;
}

/** Starts `attach`'s server on 127.0.0.1 (port 0 unless given). */
export async function startLoopbackPeer(
  attach: (http: HttpServer, serverOptions: PeerServerOptions) => AttachedServer,
  options: PeerOptions,
): Promise<Peer> {
  const http = createServer();
  const server = attach(http, { ...options.serverOptions });
  options.setup?.(server.io);
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    io: server.io,
    async close() {
      const closing = server.close();
      http.closeAllConnections();
      await closing;
    },
  };
}
