// Engine.IO v4 codec entry point: every public name of engine/ and binary/base64, listed by hand.
// The package index (../index.ts) re-exports from here.
export { DEFAULT_BINARY_TYPE, decodeBase64, encodeBase64 } from "../binary/runtime.js";
export type { EngineOpenPacket, ReceivedOpenPacket } from "./open.js";
export { encodeOpenPacket, parseOpenPacket } from "./open.js";
export type { EnginePacket, EnginePacketType } from "./packet.js";
export {
  decodeEnginePacket,
  ENGINE_PROTOCOL_VERSION,
  EnginePacketTypes,
  encodeEnginePacket,
  encodeEnginePacketAsync,
} from "./packet.js";
export type { EnginePayloadDecodeResult } from "./payload.js";
export {
  decodeEnginePayload,
  encodeEnginePayload,
  encodeEnginePayloadAsync,
  RECORD_SEPARATOR,
} from "./payload.js";
