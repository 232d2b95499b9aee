// @switchyard/client, browser entry: drop-in for socket.io-client 4.8. Every public name by hand.

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
