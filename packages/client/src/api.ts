// The public API, shared by both entry points (index.ts for browsers, index.node.ts for Node).

import { lookup } from "./lookup.js";
import { Manager } from "./manager.js";
import { Socket } from "./socket.js";

/** Socket.IO protocol revision spoken by this client. */
export const protocol = 5;

/** The io() function, carrying `Manager`, `Socket`, `io` and `connect` like socket.io-client's. */
export const io: typeof lookup & {
  Manager: typeof Manager;
  Socket: typeof Socket;
  io: typeof lookup;
  connect: typeof lookup;
} = Object.assign(lookup, { Manager, Socket, io: lookup, connect: lookup });

/** Alias of {@link io}. */
export const connect: typeof io = io;

export { Manager, Socket };
