// Socket.IO v5 codec: public names of socket/, wired into the package index by hand.

export { ENCODE_MAX_DEPTH, hasBinary, setOwn } from "./binary.js";
export type { DecoderOptions } from "./decode-string.js";
export { decodePacketString } from "./decode-string.js";
export type { DecoderEvents, DecoderResult } from "./decoder.js";
export { Decoder } from "./decoder.js";
export type { JsonReplacer } from "./encoder.js";
export { Encoder } from "./encoder.js";
export type { Packet } from "./packet.js";
export { PacketType, RESERVED_EVENTS, SOCKET_PROTOCOL_VERSION } from "./packet.js";
export { isPacketValid } from "./validate.js";
