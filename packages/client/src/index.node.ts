// @switchyard/client, Node entry: the same API, with the Node platform hooks (the `ws` package
// for WebSockets and TLS/header options, a cookie jar for withCredentials).

import { nodePlatform } from "./node/platform.js";
import { setPlatform } from "./platform.js";

setPlatform(nodePlatform);

export { connect, io, Manager, protocol, Socket } from "./api.js";
export type { EngineSocket } from "./engine/client.js";
export type { EngineOptions, TransportName } from "./engine/options.js";
export { ClientError, ClientErrorCode, TransportError } from "./errors.js";
export type { ManagerReservedEvents } from "./manager.js";
export type {
  AuthOption,
  IoOptions,
  ManagerOptions,
  ParserModule,
  SocketOptions,
} from "./options.js";
export type { SocketReservedEvents } from "./socket.js";
export type { DefaultEventsMap, DisconnectReason } from "./types.js";
