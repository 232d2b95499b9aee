// Engine.IO polling payloads (docs/protocol.md §1.4): packets joined by the record separator "\x1e".
// Polling transports read and write whole HTTP bodies through here; each packet uses packet.ts.
import type { BinaryType } from "../binary/binary-data.js";
import { DEFAULT_BINARY_TYPE } from "../binary/runtime.js";
import { CODE_ENGINE_TOO_MANY_PACKETS, decodeFailure, type ProtocolError } from "../errors.js";
import { DEFAULT_MAX_PAYLOAD_PACKETS } from "../limits.js";
import {
  decodeEnginePacket,
  type EnginePacket,
  encodeEnginePacket,
  encodeEnginePacketAsync,
} from "./packet.js";

/** Separates the packets of a polling payload (ASCII "record separator"). */
export const RECORD_SEPARATOR = "\x1e";

/** What a payload decode yields: the packets read, and the error that stopped it, if any. */
export interface EnginePayloadDecodeResult {
  packets: EnginePacket[];
  error?: ProtocolError | undefined;
}

/**
 * Encodes packets into one polling body. Binary goes out as `b<base64>`. As in the official
 * parser, a "\x1e" inside text data is not escaped: it splits that packet on the other side.
 * @throws TypeError when a packet holds a Blob: use {@link encodeEnginePayloadAsync}.
 */
export function encodeEnginePayload(packets: readonly EnginePacket[]): string {
  const length = packets.length;
  if (length === 0) return "";
  let payload = encodeEnginePacket(packets[0] as EnginePacket, false) as string;
  for (let i = 1; i < length; i++) {
    payload += RECORD_SEPARATOR + (encodeEnginePacket(packets[i] as EnginePacket, false) as string);
  }
  return payload;
}

/** Like {@link encodeEnginePayload}, and also accepts Blob data. */
export async function encodeEnginePayloadAsync(packets: readonly EnginePacket[]): Promise<string> {
  const encoded = await Promise.all(
    packets.map((packet) => encodeEnginePacketAsync(packet, false)),
  );
  return encoded.join(RECORD_SEPARATOR);
}

/**
 * Splits a polling body into packets. Decoding stops at the first bad packet: the packets before
 * it are returned and `error` is set. More than `maxPackets` packets is an error too.
 */
export function decodeEnginePayload(
  payload: string,
  binaryType: BinaryType = DEFAULT_BINARY_TYPE,
  maxPackets: number = DEFAULT_MAX_PAYLOAD_PACKETS,
): EnginePayloadDecodeResult {
  const packets: EnginePacket[] = [];
  let start = 0;
  for (;;) {
    if (packets.length >= maxPackets) {
      const failure = decodeFailure(CODE_ENGINE_TOO_MANY_PACKETS, "too many packets");
      return { packets, error: failure.error };
    }
    const end = payload.indexOf(RECORD_SEPARATOR, start);
    const raw = end === -1 ? payload.slice(start) : payload.slice(start, end);
    const result = decodeEnginePacket(raw, binaryType);
    if (!result.ok) return { packets, error: result.error };
    packets.push(result.value);
    if (end === -1) return { packets };
    start = end + 1;
  }
}
