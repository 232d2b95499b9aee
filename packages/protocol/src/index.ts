// Public API of @switchyard/protocol: every name listed by hand.

export type { BinaryData, BinaryType } from "./binary/binary-data.js";
export { isBinary } from "./binary/binary-data.js";
export type { ArgsOf, EventMap } from "./emitter.js";
export { Emitter } from "./emitter.js";
export type {
  EngineOpenPacket,
  EnginePacket,
  EnginePacketType,
  EnginePayloadDecodeResult,
  ReceivedOpenPacket,
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
export type {
  DecoderEvents,
  DecoderOptions,
  DecoderResult,
  JsonReplacer,
  Packet,
} from "./socket/index.js";
export {
  Decoder,
  decodePacketString,
  ENCODE_MAX_DEPTH,
  Encoder,
  hasBinary,
  isPacketValid,
  PacketType,
  RESERVED_EVENTS,
  SOCKET_PROTOCOL_VERSION,
  setOwn,
} from "./socket/index.js";
export type { FrameFault, FrameFaultReason } from "./websocket/index.js";
export {
  checkFrameStart,
  frameHeaderSize,
  frameLengthEnd,
  isFrameMasked,
  isValidCloseCode,
  readCloseStatus,
  readFramePayloadLength,
  WebSocketOpcode,
} from "./websocket/index.js";
