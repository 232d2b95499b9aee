// Typed errors of the codecs. Every code here is listed in docs/errors.md (a test checks it).
// Decoders never throw these at peer input: they return them inside a DecodeResult.

/** Base class of every switchyard error: a stable `code`, `name` set to the class name. */
export class SwitchyardError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

// Each code is also a constant of its own (CODE_*), used inside the package: a bundler inlines
// those and drops the object when only the codecs are bundled (the browser client).

/** Engine.IO: the first character is not a known packet type (the official "parser error"). @package */
export const CODE_ENGINE_UNKNOWN_TYPE = "SY_ERR_PROTOCOL_ENGINE_UNKNOWN_TYPE";

/** Engine.IO: an empty string where a packet was expected. @package */
export const CODE_ENGINE_EMPTY_PACKET = "SY_ERR_PROTOCOL_ENGINE_EMPTY_PACKET";

/** Engine.IO: a `b<base64>` packet whose body is not valid base64. @package */
export const CODE_ENGINE_INVALID_BASE64 = "SY_ERR_PROTOCOL_ENGINE_INVALID_BASE64";

/** Engine.IO: a polling payload holds more packets than the limit allows. @package */
export const CODE_ENGINE_TOO_MANY_PACKETS = "SY_ERR_PROTOCOL_ENGINE_TOO_MANY_PACKETS";

/** Socket.IO: the first character is not a packet type 0–6. @package */
export const CODE_UNKNOWN_PACKET_TYPE = "SY_ERR_PROTOCOL_UNKNOWN_PACKET_TYPE";

/** Socket.IO: a BINARY packet whose attachment count is missing or malformed, or a bad placeholder. @package */
export const CODE_ILLEGAL_ATTACHMENTS = "SY_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS";

/** Socket.IO: more attachments than `maxAttachments`. @package */
export const CODE_TOO_MANY_ATTACHMENTS = "SY_ERR_PROTOCOL_TOO_MANY_ATTACHMENTS";

/** Socket.IO: the JSON does not parse, or the data does not fit the packet type. @package */
export const CODE_INVALID_PAYLOAD = "SY_ERR_PROTOCOL_INVALID_PAYLOAD";

/** Socket.IO: an EVENT whose name is reserved (connect, disconnect, …). @package */
export const CODE_RESERVED_EVENT_NAME = "SY_ERR_PROTOCOL_RESERVED_EVENT_NAME";

/** Socket.IO: text arrived while the decoder still expected binary attachments. @package */
export const CODE_UNEXPECTED_TEXT = "SY_ERR_PROTOCOL_UNEXPECTED_TEXT";

/** Socket.IO: binary arrived while no BINARY packet was being reconstructed. @package */
export const CODE_UNEXPECTED_BINARY = "SY_ERR_PROTOCOL_UNEXPECTED_BINARY";

/** Socket.IO: `add()` was given something that is neither a string nor binary. @package */
export const CODE_UNKNOWN_CHUNK_TYPE = "SY_ERR_PROTOCOL_UNKNOWN_CHUNK_TYPE";

/** Socket.IO: the data nests deeper than `maxDepth`. @package */
export const CODE_TOO_DEEP = "SY_ERR_PROTOCOL_TOO_DEEP";

/** Socket.IO: a text packet longer than `maxLength` characters. @package */
export const CODE_TOO_LONG = "SY_ERR_PROTOCOL_TOO_LONG";

/** Socket.IO: the decoder was used after `destroy()`. @package */
export const CODE_DECODER_DESTROYED = "SY_ERR_PROTOCOL_DECODER_DESTROYED";

/** Engine.IO: an open packet whose JSON is not exactly {sid, upgrades, pingInterval, pingTimeout, maxPayload}. @package */
export const CODE_ENGINE_INVALID_OPEN_PACKET = "SY_ERR_PROTOCOL_ENGINE_INVALID_OPEN_PACKET";

/** Stable codes of the protocol package (docs/errors.md says what each one means). */
export const ProtocolErrorCode: {
  readonly ENGINE_UNKNOWN_TYPE: typeof CODE_ENGINE_UNKNOWN_TYPE;
  readonly ENGINE_EMPTY_PACKET: typeof CODE_ENGINE_EMPTY_PACKET;
  readonly ENGINE_INVALID_BASE64: typeof CODE_ENGINE_INVALID_BASE64;
  readonly ENGINE_TOO_MANY_PACKETS: typeof CODE_ENGINE_TOO_MANY_PACKETS;
  readonly UNKNOWN_PACKET_TYPE: typeof CODE_UNKNOWN_PACKET_TYPE;
  readonly ILLEGAL_ATTACHMENTS: typeof CODE_ILLEGAL_ATTACHMENTS;
  readonly TOO_MANY_ATTACHMENTS: typeof CODE_TOO_MANY_ATTACHMENTS;
  readonly INVALID_PAYLOAD: typeof CODE_INVALID_PAYLOAD;
  readonly RESERVED_EVENT_NAME: typeof CODE_RESERVED_EVENT_NAME;
  readonly UNEXPECTED_TEXT: typeof CODE_UNEXPECTED_TEXT;
  readonly UNEXPECTED_BINARY: typeof CODE_UNEXPECTED_BINARY;
  readonly UNKNOWN_CHUNK_TYPE: typeof CODE_UNKNOWN_CHUNK_TYPE;
  readonly TOO_DEEP: typeof CODE_TOO_DEEP;
  readonly TOO_LONG: typeof CODE_TOO_LONG;
  readonly DECODER_DESTROYED: typeof CODE_DECODER_DESTROYED;
  readonly ENGINE_INVALID_OPEN_PACKET: typeof CODE_ENGINE_INVALID_OPEN_PACKET;
} = {
  ENGINE_UNKNOWN_TYPE: CODE_ENGINE_UNKNOWN_TYPE,
  ENGINE_EMPTY_PACKET: CODE_ENGINE_EMPTY_PACKET,
  ENGINE_INVALID_BASE64: CODE_ENGINE_INVALID_BASE64,
  ENGINE_TOO_MANY_PACKETS: CODE_ENGINE_TOO_MANY_PACKETS,
  UNKNOWN_PACKET_TYPE: CODE_UNKNOWN_PACKET_TYPE,
  ILLEGAL_ATTACHMENTS: CODE_ILLEGAL_ATTACHMENTS,
  TOO_MANY_ATTACHMENTS: CODE_TOO_MANY_ATTACHMENTS,
  INVALID_PAYLOAD: CODE_INVALID_PAYLOAD,
  RESERVED_EVENT_NAME: CODE_RESERVED_EVENT_NAME,
  UNEXPECTED_TEXT: CODE_UNEXPECTED_TEXT,
  UNEXPECTED_BINARY: CODE_UNEXPECTED_BINARY,
  UNKNOWN_CHUNK_TYPE: CODE_UNKNOWN_CHUNK_TYPE,
  TOO_DEEP: CODE_TOO_DEEP,
  TOO_LONG: CODE_TOO_LONG,
  DECODER_DESTROYED: CODE_DECODER_DESTROYED,
  ENGINE_INVALID_OPEN_PACKET: CODE_ENGINE_INVALID_OPEN_PACKET,
};

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** A peer sent bytes that do not follow the Engine.IO v4 / Socket.IO v5 wire format. */
export class ProtocolError extends SwitchyardError {
  declare readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    // Literal, not new.target.name: minified browser bundles rename classes.
    this.name = "ProtocolError";
  }
}

/** The outcome of decoding peer input: never a thrown exception. */
export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

/** Builds the failed branch of a {@link DecodeResult}. */
export function decodeFailure(
  code: ProtocolErrorCode,
  message: string,
): { ok: false; error: ProtocolError } {
  return { ok: false, error: new ProtocolError(code, message) };
}
