// The official socket.io-client 4.8 driven by the same contract, against both servers. Against the
// official server it checks the contract itself (the reference stack must pass every case);
// against @switchyard/server it tells a server bug (fails here too) from a client bug.
import { describePeer } from "./contract.js";
import { officialClient } from "./official-client.js";
import { startOfficialPeer } from "./official-peer.js";
import { startSwitchyardPeer } from "./switchyard-peer.js";

describePeer("the official socket.io 4.8 server", startOfficialPeer, { client: officialClient });
describePeer("@switchyard/server", startSwitchyardPeer, { client: officialClient });
