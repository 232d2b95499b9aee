// Public API of @switchyard/protocol: every name listed by hand.

export type { BinaryData, BinaryType } from "./binary/binary-data.js";
export { isBinary } from "./binary/binary-data.js";
export type {
  EngineOpenPacket,
  EnginePacket,
  EnginePacketType,
  EnginePayloadDecodeResult,
} from "./engine/index.js";
export {
  DEFAULT_BINARY_TYPE,
  decodeBase64,
  decodeEnginePacket,
  decodeEnginePayload,
  ENGINE_PROTOCOL_VERSION,
  EnginePacketTypes,
  encodeBase64,
  encodeEnginePacket,
  encodeEnginePacketAsync,
  encodeEnginePayload,
  encodeEnginePayloadAsync,
  encodeOpenPacket,
  parseOpenPacket,
  RECORD_SEPARATOR,
} from "./engine/index.js";
export type { DecodeResult } from "./errors.js";
export { ProtocolError, ProtocolErrorCode, SwitchyardError } from "./errors.js";
export {
  DEFAULT_MAX_ATTACHMENTS,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_LENGTH,
  DEFAULT_MAX_PAYLOAD_PACKETS,
} from "./limits.js";
