// The client contract against our own server, @switchyard/server: the same suite as the official
// peer. Cases failing because of a server bug are listed here, run as `it.fails`.
import { describePeer } from "./contract.js";
import { startSwitchyardPeer } from "./switchyard-peer.js";

describePeer("@switchyard/server", startSwitchyardPeer, { knownServerBugs: [] });
