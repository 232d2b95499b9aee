// @switchyard/server as a peer of the contract suite (loopback only).
import { Server } from "@switchyard/server";
import type { Peer, PeerOptions } from "./helpers.js";
import { startLoopbackPeer } from "./loopback-peer.js";

/** Starts our server on 127.0.0.1 (port 0 unless given). */
export function startSwitchyardPeer(options: PeerOptions = {}): Promise<Peer> {
  return startLoopbackPeer((http, serverOptions) => {
    const server = new Server(http, serverOptions);
    return { io: server, close: () => server.close() };
  }, options);
}
