// The RFC 6455 §5.2 frame header, as both ends of a WebSocket read it: the sizes of its parts, the
// checks on its first two bytes (RSV bits, opcode, FIN and length of control frames) and the
// payload length in its three forms (7-bit, 16-bit, 64-bit up to 2^53 - 1). Pure functions over
// bytes, with no state and no allocation unless a check fails: the receivers keep their own state
// (partial headers, the message being assembled), their own masking rule (a server requires masked
// frames, a client unmasked ones, §5.1) and their own error classes. A refusal is returned as a
// FrameFault carrying `ws`'s name for the fault, its message and the close status to send,
// so that either receiver reports what `ws` reports.
import { type FrameFault, frameFault } from "./fault.js";

/** The opcodes (§5.2) a receiver acts on; the others are reserved (refused). */
export const WebSocketOpcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** The largest high 32-bit word of a 64-bit length that keeps it ≤ 2^53 - 1. */
const MAX_HIGH_WORD = 0x1fffff;

const TOO_LONG: FrameFault = Object.freeze(
  frameFault(
    "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH",
    "Unsupported WebSocket frame: payload length > 2^53 - 1",
    1009,
  ),
);

/** Whether the MASK bit of the second header byte is set. */
export function isFrameMasked(second: number): boolean {
  return (second & 0x80) !== 0;
}

/**
 * Bytes of the header up to the end of the payload length, from the second header byte: 2, then
 * 2 more for the 16-bit form (126) or 8 more for the 64-bit form (127).
 */
export function frameLengthEnd(second: number): number {
  const length = second & 0x7f;
  return length === 126 ? 4 : length === 127 ? 10 : 2;
}

/** Bytes of the whole header, from the second header byte: with the mask key when MASK is set. */
export function frameHeaderSize(second: number): number {
  return frameLengthEnd(second) + ((second & 0x80) === 0 ? 0 : 4);
}

/**
 * Checks the first two header bytes, in `ws`'s order so that a frame breaking several rules gets
 * `ws`'s fault: RSV bits (no extension is negotiated), then the opcode: a control frame (close,
 * ping, pong) must have FIN set and a 7-bit length ≤ 125 (and not 1 for close: a status is two
 * bytes); a continuation frame must continue a message (`inMessage`), a text or binary frame must
 * not come inside one, other opcodes are reserved. The MASK bit is the caller's rule (§5.1).
 * Returns undefined when the header may come now.
 */
export function checkFrameStart(
  first: number,
  second: number,
  inMessage: boolean,
): FrameFault | undefined {
  if ((first & 0x30) !== 0)
    return frameFault("WS_ERR_UNEXPECTED_RSV_2_3", "RSV2 and RSV3 must be clear");
  if ((first & 0x40) !== 0) return frameFault("WS_ERR_UNEXPECTED_RSV_1", "RSV1 must be clear");
  const opcode = first & 0x0f;
  if (opcode >= WebSocketOpcode.CLOSE && opcode <= WebSocketOpcode.PONG) {
    if ((first & 0x80) === 0) return frameFault("WS_ERR_EXPECTED_FIN", "FIN must be set");
    // The 7-bit length itself: a control frame never uses the extended forms (126, 127).
    const length = second & 0x7f;
    if (length > 125 || (opcode === WebSocketOpcode.CLOSE && length === 1)) {
      return frameFault(
        "WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH",
        `invalid payload length ${length}`,
      );
    }
    return undefined;
  }
  const valid =
    opcode === WebSocketOpcode.CONTINUATION
      ? inMessage
      : opcode <= WebSocketOpcode.BINARY && !inMessage;
  return valid ? undefined : frameFault("WS_ERR_INVALID_OPCODE", `invalid opcode ${opcode}`);
}

/**
 * The payload length of the header at `at` in `bytes`, whose length field is complete (at least
 * `frameLengthEnd` bytes from `at`): the 7-bit length, or the 16-bit or 64-bit one it announces.
 * A 64-bit length above 2^53 - 1 (not a safe JavaScript number) is refused with close status 1009.
 */
export function readFramePayloadLength(bytes: Uint8Array, at: number): number | FrameFault {
  const length = (bytes[at + 1] as number) & 0x7f;
  if (length === 126) return ((bytes[at + 2] as number) << 8) | (bytes[at + 3] as number);
  if (length !== 127) return length;
  const high = readUint32(bytes, at + 2);
  if (high > MAX_HIGH_WORD) return TOO_LONG;
  return high * 0x1_0000_0000 + readUint32(bytes, at + 6);
}

/** The big-endian unsigned 32-bit integer at `at`. */
function readUint32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) * 0x100_0000 +
    (((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number))
  );
}
