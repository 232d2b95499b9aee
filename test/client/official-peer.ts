// The official socket.io 4.8 server as a peer of the contract suite (loopback only).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "socket.io";
import type { Peer, PeerOptions, PeerServer } from "./helpers.js";

/** Starts the official server on 127.0.0.1 (port 0 unless given). */
export async function startOfficialPeer(options: PeerOptions = {}): Promise<Peer> {
  const http = createServer();
  const server = new Server(http, { ...options.serverOptions });
  const view: PeerServer = server;
  options.setup?.(view);
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    io: view,
    async close() {
      const closing = server.close();
      http.closeAllConnections();
      await closing;
    },
  };
}
