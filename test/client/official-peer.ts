// The official socket.io 4.8 server as a peer of the contract suite (loopback only).
import { Server } from "socket.io";
import type { Peer, PeerOptions } from "./helpers.js";
import { startLoopbackPeer } from "./loopback-peer.js";

/** Starts the official server on 127.0.0.1 (port 0 unless given). */
export function startOfficialPeer(options: PeerOptions = {}): Promise<Peer> {
  return startLoopbackPeer((http, serverOptions) => {
    const server = new Server(http, serverOptions);
    return { io: server, close: () => server.close() };
  }, options);
}
