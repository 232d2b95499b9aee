// Engine.IO v4 packets (docs/protocol.md §1.2): the seven types and the codec of one packet.
// Transports feed raw frames in here; the payload codec (payload.ts) builds on it for polling.
import type { BinaryData, BinaryType } from "../binary/binary-data.js";
import {
  DEFAULT_BINARY_TYPE,
  decodeBase64,
  encodeBase64,
  fromBytes,
  HAS_BLOB,
} from "../binary/runtime.js";
import { toBytes } from "../binary/to-bytes.js";
import {
  CODE_ENGINE_EMPTY_PACKET,
  CODE_ENGINE_INVALID_BASE64,
  CODE_ENGINE_UNKNOWN_TYPE,
  type DecodeResult,
  decodeFailure,
} from "../errors.js";

/** The Engine.IO protocol revision this codec speaks (the `EIO=4` query parameter). */
export const ENGINE_PROTOCOL_VERSION = 4;

/** Engine.IO packet types; the index of each is its wire digit. */
export const EnginePacketTypes = [
  "open",
  "close",
  "ping",
  "pong",
  "message",
  "upgrade",
  "noop",
] as const;

/** One of the seven Engine.IO packet type names. */
export type EnginePacketType = (typeof EnginePacketTypes)[number];

/** One Engine.IO packet: a type and optional text or binary data. */
export interface EnginePacket {
  type: EnginePacketType;
  data?: string | BinaryData | undefined;
  options?: { compress?: boolean } | undefined;
}

/** Type name → wire digit (its index), as a string ready to prepend. */
const TYPE_DIGITS = Object.fromEntries(
  EnginePacketTypes.map((type, i) => [type, `${i}`]),
) as Readonly<Record<EnginePacketType, string>>;

/** The official parser's message for every undecodable packet; the code tells them apart. */
const PARSER_ERROR = "parser error";

const CHAR_ZERO = 48; // "0"
const CHAR_B = 98; // "b": base64 binary message, no type digit (docs/protocol.md §0.3)

function isBlob(value: unknown): value is Blob {
  return HAS_BLOB && value instanceof Blob;
}

function isBufferSource(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value);
}

/**
 * Encodes one packet for a transport. Text is `<digit><data>`. Binary data goes out as is when
 * the transport supports binary (a raw frame is implicitly a message), else as `b<base64>`.
 * @throws TypeError when a Blob must become base64: use {@link encodeEnginePacketAsync}.
 */
export function encodeEnginePacket(
  packet: EnginePacket,
  supportsBinary: boolean,
): string | BinaryData {
  const data = packet.data;
  if (data === undefined) return TYPE_DIGITS[packet.type];
  if (typeof data === "string") return TYPE_DIGITS[packet.type] + data;
  if (supportsBinary) return data;
  if (isBlob(data)) {
    throw new TypeError("Blob needs encodeEnginePacketAsync");
  }
  return `b${encodeBase64(data)}`;
}

/** Like {@link encodeEnginePacket}, and also base64-encodes Blob data (read with `arrayBuffer()`). */
export async function encodeEnginePacketAsync(
  packet: EnginePacket,
  supportsBinary: boolean,
): Promise<string | BinaryData> {
  const data = packet.data;
  if (!supportsBinary && isBlob(data)) return `b${encodeBase64(await data.arrayBuffer())}`;
  return encodeEnginePacket(packet, supportsBinary);
}

/**
 * Decodes one frame: a text packet, a `b<base64>` message, or a raw binary message whose data
 * becomes `binaryType`. Bad input comes back as a failed result; never throws.
 */
export function decodeEnginePacket(
  raw: string | BinaryData,
  binaryType: BinaryType = DEFAULT_BINARY_TYPE,
): DecodeResult<EnginePacket> {
  if (typeof raw === "string") return decodeText(raw, binaryType);
  if (isBufferSource(raw)) {
    // A whole ArrayBuffer wanted as "arraybuffer" comes back as is (toArrayBuffer of a full view).
    return { ok: true, value: { type: "message", data: fromBytes(toBytes(raw), binaryType) } };
  }
  // A Blob cannot be read synchronously, so it is handed over as is whatever the binaryType.
  if (isBlob(raw)) return { ok: true, value: { type: "message", data: raw } };
  return decodeFailure(CODE_ENGINE_UNKNOWN_TYPE, PARSER_ERROR);
}

function decodeText(raw: string, binaryType: BinaryType): DecodeResult<EnginePacket> {
  if (raw.length === 0) {
    return decodeFailure(CODE_ENGINE_EMPTY_PACKET, PARSER_ERROR);
  }
  const first = raw.charCodeAt(0);
  // The range check keeps the table lookup in bounds (a negative index is a slow property miss).
  const digit = first - CHAR_ZERO;
  const type = digit >= 0 && digit < 7 ? EnginePacketTypes[digit] : undefined;
  if (type !== undefined) {
    return raw.length === 1
      ? { ok: true, value: { type } }
      : { ok: true, value: { type, data: raw.slice(1) } };
  }
  if (first === CHAR_B) {
    const bytes = decodeBase64(raw, 1);
    if (bytes === undefined) {
      return decodeFailure(CODE_ENGINE_INVALID_BASE64, PARSER_ERROR);
    }
    return { ok: true, value: { type: "message", data: fromBytes(bytes, binaryType) } };
  }
  return decodeFailure(CODE_ENGINE_UNKNOWN_TYPE, PARSER_ERROR);
}
