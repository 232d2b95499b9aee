// Client WebSocket frames (RFC 6455 §5.2–5.3): FIN set, masked with a fresh random key per frame,
// header and payload in one buffer so each frame is one socket write. Mask keys come from a pool
// of random bytes refilled with crypto.randomFillSync (one call per 2,048 frames).
import { builtin, type NodeBuffer, type NodeBufferStatic } from "./ws-builtins.js";

export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PONG = 0xa;

const MASK_POOL_SIZE = 8192;

let Buffer: NodeBufferStatic | undefined;
let maskPool: NodeBuffer | undefined;
let maskOffset = MASK_POOL_SIZE;

function buffers(): NodeBufferStatic {
  Buffer ??= builtin("node:buffer").Buffer;
  return Buffer;
}

/** Copies a fresh 4-byte mask key into `frame` at `at`. */
function writeMaskKey(frame: NodeBuffer, at: number): void {
  if (maskOffset === MASK_POOL_SIZE) {
    maskPool ??= buffers().allocUnsafe(MASK_POOL_SIZE);
    builtin("node:crypto").randomFillSync(maskPool);
    maskOffset = 0;
  }
  const pool = maskPool as NodeBuffer;
  frame[at] = pool[maskOffset] as number;
  frame[at + 1] = pool[maskOffset + 1] as number;
  frame[at + 2] = pool[maskOffset + 2] as number;
  frame[at + 3] = pool[maskOffset + 3] as number;
  maskOffset += 4;
}

/** The bytes of ArrayBuffer or view `data`, without a copy. */
export function bytesOf(data: ArrayBuffer | ArrayBufferView): Uint8Array {
  return data instanceof ArrayBuffer
    ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** One masked frame with payload `data` (a string is sent as UTF-8). */
export function encodeFrame(opcode: number, data: string | Uint8Array): NodeBuffer {
  const B = buffers();
  const length = typeof data === "string" ? B.byteLength(data) : data.byteLength;
  const header = length < 126 ? 6 : length < 65_536 ? 8 : 14;
  const frame = B.allocUnsafe(header + length);
  frame[0] = 0x80 | opcode;
  if (length < 126) frame[1] = 0x80 | length;
  else if (length < 65_536) {
    frame[1] = 0x80 | 126;
    frame[2] = length >>> 8;
    frame[3] = length & 0xff;
  } else {
    frame[1] = 0x80 | 127;
    frame.writeUInt32BE(Math.floor(length / 0x1_0000_0000), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  const key = header - 4;
  writeMaskKey(frame, key);
  if (typeof data === "string") frame.write(data, header);
  else frame.set(data, header);
  const k0 = frame[key] as number;
  const k1 = frame[key + 1] as number;
  const k2 = frame[key + 2] as number;
  const k3 = frame[key + 3] as number;
  const end = header + length;
  let i = header;
  for (; i + 3 < end; i += 4) {
    frame[i] = (frame[i] as number) ^ k0;
    frame[i + 1] = (frame[i + 1] as number) ^ k1;
    frame[i + 2] = (frame[i + 2] as number) ^ k2;
    frame[i + 3] = (frame[i + 3] as number) ^ k3;
  }
  for (let j = 0; i < end; i++, j++) {
    frame[i] = (frame[i] as number) ^ (frame[key + j] as number);
  }
  return frame;
}

/** The payload of a close frame: the status code and the UTF-8 reason (none without a code). */
export function closePayload(code: number | undefined, reason: string): Uint8Array {
  if (code === undefined) return new Uint8Array(0);
  const B = buffers();
  const payload = B.allocUnsafe(2 + B.byteLength(reason));
  payload[0] = code >>> 8;
  payload[1] = code & 0xff;
  payload.write(reason, 2);
  return payload;
}

/** The UTF-8 length of `text`. */
export function utf8Length(text: string): number {
  return buffers().byteLength(text);
}
