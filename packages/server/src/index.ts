// Public API of @switchyard/server (Engine.IO layer): every name listed by hand.

export { attach, listen } from "./engine/listen.js";
export type { EngineConnectionError, EngineServerEvents } from "./engine/server.js";
export { EngineServer } from "./engine/server.js";
export type {
  EngineCloseReason,
  EngineReadyState,
  EngineSessionEvents,
  WriteOptions,
} from "./engine/session.js";
export { EngineSession } from "./engine/session.js";
export type { HandshakeErrorContext } from "./errors.js";
export {
  EngineErrorMessage,
  EngineErrorNumber,
  HandshakeError,
  InvalidArgumentError,
  ServerErrorCode,
  TransportError,
} from "./errors.js";
export type { EngineMiddleware } from "./http/middleware.js";
export type {
  AllowRequest,
  AttachOptions,
  CookieOptions,
  EngineServerOptions,
  HttpCompressionOptions,
  TransportName,
} from "./options.js";
export { EncodedPacket } from "./transport/encoded-packet.js";
export type { Transport } from "./transport/transport.js";

/** This package's release line. */
export const version: string = "0.1.0";
export {
  createSidGenerator,
  defaultNodeId,
  nodeTag,
  readSidTag,
  SID_TAG_LENGTH,
} from "./node-id.js";
