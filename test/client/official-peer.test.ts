// The client contract against the official socket.io 4.8 server (the reference peer).
import { describePeer } from "./contract.js";
import { startOfficialPeer } from "./official-peer.js";

describePeer("the official socket.io 4.8 server", startOfficialPeer);
