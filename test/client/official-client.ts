// The official socket.io-client 4.8 as the client of the contract, to cross-check a failure:
// the suite only uses API both clients share, so the official one is viewed through our types.
import { io as officialIo } from "socket.io-client";
import type { ClientLookup, ContractClient } from "./helpers.js";

const lookup = officialIo as unknown as ClientLookup;

/** socket.io-client 4.8. */
export const officialClient: ContractClient = { name: "socket.io-client 4.8", lookup };
