// One-shot decode of a Socket.IO text packet `<type>[<n>-][<nsp>,][<id>][<json>]` (docs/protocol.md §2.2).
// Hot path: charCodeAt scanning, no regex, one substring per field that needs it.

import {
  CODE_ILLEGAL_ATTACHMENTS,
  CODE_INVALID_PAYLOAD,
  CODE_RESERVED_EVENT_NAME,
  CODE_TOO_DEEP,
  CODE_TOO_LONG,
  CODE_TOO_MANY_ATTACHMENTS,
  CODE_UNKNOWN_PACKET_TYPE,
  type DecodeResult,
  decodeFailure,
} from "../errors.js";
import { DEFAULT_MAX_ATTACHMENTS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_LENGTH } from "../limits.js";
import { exceedsDepth } from "./depth.js";
import type { Packet, PacketType } from "./packet.js";
import { checkPayload } from "./validate.js";

const ZERO = 0x30;
const NINE = 0x39;
const DASH = 0x2d;
const SLASH = 0x2f;
/** Up to 15 decimal digits always fit a double exactly; longer ids go through Number(). */
const EXACT_DIGITS = 15;

/** Options of the Socket.IO decoder; every limit has a safe default. */
export interface DecoderOptions {
  /** Most binary attachments one packet may announce. @default 10 */
  maxAttachments?: number;
  /** Deepest array/object nesting accepted in the data. @default 64 */
  maxDepth?: number;
  /** Longest text packet accepted, in UTF-16 code units. @default 1e6 */
  maxLength?: number;
  /** Passed to JSON.parse as its reviver. */
  reviver?: (this: unknown, key: string, value: unknown) => unknown;
}

/** {@link DecoderOptions} with every default filled in. */
export interface DecoderLimits {
  maxAttachments: number;
  maxDepth: number;
  maxLength: number;
  reviver: ((this: unknown, key: string, value: unknown) => unknown) | undefined;
}

/** Fills in the defaults of {@link DecoderOptions}. */
export function resolveDecoderLimits(opts?: DecoderOptions): DecoderLimits {
  return {
    maxAttachments: opts?.maxAttachments ?? DEFAULT_MAX_ATTACHMENTS,
    maxDepth: opts?.maxDepth ?? DEFAULT_MAX_DEPTH,
    maxLength: opts?.maxLength ?? DEFAULT_MAX_LENGTH,
    reviver: opts?.reviver,
  };
}

const DEFAULT_LIMITS: DecoderLimits = /* @__PURE__ */ resolveDecoderLimits();

/**
 * Decodes one Socket.IO text packet. BINARY_EVENT/BINARY_ACK come back as a header with
 * `attachments` set and placeholders still in `data`. Never throws.
 */
export function decodePacketString(str: string, opts?: DecoderOptions): DecodeResult<Packet> {
  return parsePacketString(str, opts === undefined ? DEFAULT_LIMITS : resolveDecoderLimits(opts));
}

/** Reads a run of ASCII digits from `start`; `end` is the index of the first non-digit. */
function readDigits(str: string, start: number): { value: number; end: number } {
  let value = 0;
  let i = start;
  for (let code = str.charCodeAt(i); code >= ZERO && code <= NINE; code = str.charCodeAt(++i)) {
    value = value * 10 + (code - ZERO);
  }
  // Past 15 digits the running sum may round differently from Number(), which the official uses.
  if (i - start > EXACT_DIGITS) value = Number(str.slice(start, i));
  return { value, end: i };
}

/** {@link decodePacketString} with limits already resolved (the Decoder's hot path). */
export function parsePacketString(str: string, limits: DecoderLimits): DecodeResult<Packet> {
  const length = str.length;
  if (length > limits.maxLength) {
    return decodeFailure(CODE_TOO_LONG, "packet too long");
  }
  const type = str.charCodeAt(0) - ZERO;
  if (!(type >= 0 && type <= 6)) {
    return decodeFailure(CODE_UNKNOWN_PACKET_TYPE, "unknown packet type");
  }
  let i = 1;
  let attachments: number | undefined;
  if (type === 5 || type === 6) {
    const count = readDigits(str, 1);
    // A count of 0 is illegal too: the official parser (4.2.7) requires at least one attachment.
    if (count.end === 1 || count.value < 1 || str.charCodeAt(count.end) !== DASH) {
      return decodeFailure(CODE_ILLEGAL_ATTACHMENTS, "Illegal attachments");
    }
    if (count.value > limits.maxAttachments) {
      return decodeFailure(CODE_TOO_MANY_ATTACHMENTS, "too many attachments");
    }
    attachments = count.value;
    i = count.end + 1;
  }
  let nsp = "/";
  if (str.charCodeAt(i) === SLASH) {
    // The official decoder also accepts a namespace with no trailing comma (`0/admin`).
    const comma = str.indexOf(",", i + 1);
    nsp = comma === -1 ? str.slice(i) : str.slice(i, comma);
    i = comma === -1 ? length : comma + 1;
  }
  let id: number | undefined;
  const code = str.charCodeAt(i);
  if (code >= ZERO && code <= NINE) {
    const digits = readDigits(str, i);
    id = digits.value;
    i = digits.end;
  }
  const packet: Packet = { type: type as PacketType, nsp, id, data: undefined, attachments };
  return i < length ? parseData(str, i, packet, limits) : { ok: true, value: packet };
}

/** Parses and checks the JSON data that starts at `start`, then completes `packet`. */
function parseData(
  str: string,
  start: number,
  packet: Packet,
  limits: DecoderLimits,
): DecodeResult<Packet> {
  if (exceedsDepth(str, start, limits.maxDepth)) {
    return decodeFailure(CODE_TOO_DEEP, "too deep");
  }
  let data: unknown;
  try {
    data = JSON.parse(str.slice(start), limits.reviver);
  } catch {
    return decodeFailure(CODE_INVALID_PAYLOAD, "invalid payload");
  }
  const code = checkPayload(packet.type, data);
  if (code !== undefined) {
    return decodeFailure(
      code,
      code === CODE_RESERVED_EVENT_NAME
        ? "invalid payload: reserved event name"
        : "invalid payload",
    );
  }
  packet.data = data;
  return { ok: true, value: packet };
}
