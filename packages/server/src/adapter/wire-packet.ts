// Broadcasts carried in their encoded form between nodes ("encode once per cluster"): the chunks
// the default parser writes for an event packet — its text `2["ev",…]` (`5<n>-…` with binary
// attachments, `/nsp,` after the type outside the main namespace), then each attachment. A
// receiving node checks them (a peer's bytes never reach a client unchecked), appends its
// recovery offset to the text, and writes them to its sockets as they are. Pure: no I/O.
import {
  type BinaryData,
  DEFAULT_MAX_LENGTH,
  Decoder,
  decodePacketString,
  ENCODE_MAX_DEPTH,
  isBinary,
  type Packet,
  PacketType,
} from "@switchyard/protocol";

/** The chunks of one event packet: its text, then its binary attachments (in placeholder order). */
export type WirePacket = readonly [string, ...BinaryData[]];

/** Bounds of an encoded packet, applied by the sender (else it sends the object form) and receiver. */
export interface WirePacketLimits {
  /** Longest text, in UTF-16 code units. */
  maxLength: number;
  /** Most binary attachments. */
  maxAttachments: number;
}

/**
 * 1e6 code units (the Socket.IO decoder's own default) and 256 attachments: a broadcast past
 * either travels in the object form, which has no such bound.
 */
export const WIRE_PACKET_DEFAULTS: Readonly<WirePacketLimits> = {
  maxLength: DEFAULT_MAX_LENGTH,
  maxAttachments: 256,
};

const OPEN_BRACKET = 0x5b; // [
const CLOSE_BRACKET = 0x5d; // ]
const SLASH = 0x2f; // /

/**
 * The text of `text`'s packet with `argument` appended as the last element of its data array:
 * `appendArgument(encode(data), s) === encode([...data, s])` for an event packet of the default
 * parser (a string adds no attachment, so a binary header's count stays right).
 */
export function appendArgument(text: string, argument: string): string {
  const end = text.length - 1;
  const empty = text.charCodeAt(end - 1) === OPEN_BRACKET;
  return `${text.slice(0, end)}${empty ? "" : ","}${JSON.stringify(argument)}]`;
}

/** {@link appendArgument} on a packet's chunks: the attachments are shared, not copied. */
export function withArgument(chunks: WirePacket, argument: string): WirePacket {
  const [text, ...attachments] = chunks;
  return [appendArgument(text, argument), ...attachments];
}

/** Why a received encoded packet is refused (the sender cannot have encoded it so). */
export type WirePacketProblem = "shape" | "limit" | "namespace" | "packet";

/**
 * Checks a peer's encoded packet for namespace `nsp` before any client sees it: chunks of the
 * right types within `limits`; the exact prefix the encoder writes for an event without ack id
 * in `nsp` (`2`, or `5<attachments>-`, then `nsp,` unless it is "/"), right before the data
 * array, which ends the text; and the Socket.IO decoder's verdict on the whole (JSON, an event
 * name first, placeholders that match the attachments). Costs one JSON.parse of the text (see
 * docs/performance.md). Returns undefined when the packet may be written as it is.
 */
export function checkWirePacket(
  chunks: unknown,
  nsp: string,
  limits: WirePacketLimits,
): WirePacketProblem | undefined {
  if (!Array.isArray(chunks) || chunks.length === 0) return "shape";
  const text: unknown = chunks[0];
  const attachments = chunks.length - 1;
  if (typeof text !== "string") return "shape";
  for (let i = 1; i < chunks.length; i++) if (!isBinary(chunks[i])) return "shape";
  if (text.length > limits.maxLength || attachments > limits.maxAttachments) return "limit";
  const prefix = packetPrefix(attachments, nsp);
  if (!text.startsWith(prefix) || text.charCodeAt(prefix.length) === SLASH) return "namespace";
  if (
    text.charCodeAt(prefix.length) !== OPEN_BRACKET ||
    text.charCodeAt(text.length - 1) !== CLOSE_BRACKET
  ) {
    return "packet";
  }
  // A literal, not a spread: spreading costs more than the whole decode of a small packet.
  const packetLimits = {
    maxLength: limits.maxLength,
    maxAttachments: limits.maxAttachments,
    maxDepth: ENCODE_MAX_DEPTH,
  };
  let packet: Packet | undefined;
  if (attachments === 0) {
    const decoded = decodePacketString(text, packetLimits);
    if (decoded.ok) packet = decoded.value;
  } else {
    packet = decodeChunks(chunks as unknown as WirePacket, packetLimits);
  }
  // The decoder also takes a number as event name; broadcasts have a string (as the object form).
  const data = packet?.data;
  const named = Array.isArray(data) && typeof data[0] === "string";
  return named && packet?.nsp === nsp ? undefined : "packet";
}

/**
 * The packet of checked chunks, data decoded (attachments in place, as a client would see it);
 * undefined when they do not decode. For the rare readers of the data: outgoing any-listeners,
 * a restore running, a history read.
 */
export function decodeWirePacket(chunks: WirePacket): Packet | undefined {
  return decodeChunks(chunks, {
    maxLength: Number.MAX_SAFE_INTEGER,
    maxAttachments: Number.MAX_SAFE_INTEGER,
    maxDepth: ENCODE_MAX_DEPTH,
  });
}

/** The packet of `chunks` whose data is decoded on first read (then kept). */
export function lazyPacket(chunks: WirePacket, nsp: string): Packet {
  let data: unknown;
  let decoded = false;
  return {
    type: PacketType.EVENT,
    nsp,
    get data(): unknown {
      if (!decoded) {
        decoded = true;
        data = decodeWirePacket(chunks)?.data;
      }
      return data;
    },
  };
}

function decodeChunks(
  chunks: WirePacket,
  limits: WirePacketLimits & { maxDepth: number },
): Packet | undefined {
  const decoder = new Decoder(limits);
  let packet: Packet | undefined;
  for (const chunk of chunks) {
    if (packet !== undefined) return undefined;
    const result = decoder.add(chunk);
    if (!result.ok) return undefined;
    packet = result.packet;
  }
  return packet?.type === PacketType.EVENT && packet.id === undefined ? packet : undefined;
}

/** What the encoder writes before the data of an event without ack id in `nsp`. */
function packetPrefix(attachments: number, nsp: string): string {
  const type = attachments === 0 ? "2" : `5${attachments}-`;
  return nsp === "/" ? type : `${type}${nsp},`;
}
