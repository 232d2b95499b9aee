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

/** Stable codes of the protocol package, with the message each one carries. */
export const ProtocolErrorCode = {
  /** Engine.IO: the first character is not a known packet type (the official "parser error"). */
  ENGINE_UNKNOWN_TYPE: "SY_ERR_PROTOCOL_ENGINE_UNKNOWN_TYPE",
  /** Engine.IO: an empty string where a packet was expected. */
  ENGINE_EMPTY_PACKET: "SY_ERR_PROTOCOL_ENGINE_EMPTY_PACKET",
  /** Engine.IO: a `b<base64>` packet whose body is not valid base64. */
  ENGINE_INVALID_BASE64: "SY_ERR_PROTOCOL_ENGINE_INVALID_BASE64",
  /** Engine.IO: a polling payload holds more packets than the limit allows. */
  ENGINE_TOO_MANY_PACKETS: "SY_ERR_PROTOCOL_ENGINE_TOO_MANY_PACKETS",
  /** Socket.IO: the first character is not a packet type 0–6. */
  UNKNOWN_PACKET_TYPE: "SY_ERR_PROTOCOL_UNKNOWN_PACKET_TYPE",
  /** Socket.IO: a BINARY packet whose attachment count is missing or malformed, or a bad placeholder. */
  ILLEGAL_ATTACHMENTS: "SY_ERR_PROTOCOL_ILLEGAL_ATTACHMENTS",
  /** Socket.IO: more attachments than `maxAttachments`. */
  TOO_MANY_ATTACHMENTS: "SY_ERR_PROTOCOL_TOO_MANY_ATTACHMENTS",
  /** Socket.IO: the JSON does not parse, or the data does not fit the packet type. */
  INVALID_PAYLOAD: "SY_ERR_PROTOCOL_INVALID_PAYLOAD",
  /** Socket.IO: an EVENT whose name is reserved (connect, disconnect, …). */
  RESERVED_EVENT_NAME: "SY_ERR_PROTOCOL_RESERVED_EVENT_NAME",
  /** Socket.IO: text arrived while the decoder still expected binary attachments. */
  UNEXPECTED_TEXT: "SY_ERR_PROTOCOL_UNEXPECTED_TEXT",
  /** Socket.IO: binary arrived while no BINARY packet was being reconstructed. */
  UNEXPECTED_BINARY: "SY_ERR_PROTOCOL_UNEXPECTED_BINARY",
  /** Socket.IO: `add()` was given something that is neither a string nor binary. */
  UNKNOWN_CHUNK_TYPE: "SY_ERR_PROTOCOL_UNKNOWN_CHUNK_TYPE",
  /** Socket.IO: the data nests deeper than `maxDepth`. */
  TOO_DEEP: "SY_ERR_PROTOCOL_TOO_DEEP",
  /** Socket.IO: a text packet longer than `maxLength` characters. */
  TOO_LONG: "SY_ERR_PROTOCOL_TOO_LONG",
  /** Socket.IO: the decoder was used after `destroy()`. */
  DECODER_DESTROYED: "SY_ERR_PROTOCOL_DECODER_DESTROYED",
  /** Engine.IO: an open packet whose JSON is not exactly {sid, upgrades, pingInterval, pingTimeout, maxPayload}. */
  ENGINE_INVALID_OPEN_PACKET: "SY_ERR_PROTOCOL_ENGINE_INVALID_OPEN_PACKET",
} as const;

export type ProtocolErrorCode = (typeof ProtocolErrorCode)[keyof typeof ProtocolErrorCode];

/** A peer sent bytes that do not follow the Engine.IO v4 / Socket.IO v5 wire format. */
export class ProtocolError extends SwitchyardError {
  declare readonly code: ProtocolErrorCode;

  constructor(code: ProtocolErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
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
