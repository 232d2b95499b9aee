// Isomorphic base64 for the `b<base64>` Engine.IO packets of polling (protocol.md §1.2).
// Node's native Buffer codec when present, a table codec in browsers. Invalid input → undefined.
import { NodeBuffer, type NodeBufferInstance, toBytes } from "./to-bytes.js";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const PAD = 61; // "="

/** Char code → 6-bit value; 255 marks characters outside the standard alphabet. */
const DECODE_TABLE = new Uint8Array(128).fill(255);
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i;

/** 6-bit value → char code. */
const ENCODE_TABLE = new Uint8Array(64);
for (let i = 0; i < ALPHABET.length; i++) ENCODE_TABLE[i] = ALPHABET.charCodeAt(i);

/**
 * Number of base64 digits in `input[start..]` once the padding is dropped, or -1 when the text is
 * not standard base64 (a character outside A–Z a–z 0–9 + /, padding that is not at the end, more
 * than two `=`, or a length that cannot come from an encoder). Node's own decoder silently skips
 * bad characters, so this check runs before it too.
 */
function digitCount(input: string, start: number): number {
  let end = input.length;
  const total = end - start;
  if (end > start && input.charCodeAt(end - 1) === PAD) {
    end--;
    if (end > start && input.charCodeAt(end - 1) === PAD) end--;
    if (total % 4 !== 0) return -1;
  }
  const digits = end - start;
  if (digits % 4 === 1) return -1;
  for (let i = start; i < end; i++) {
    const code = input.charCodeAt(i);
    if (code > 127 || DECODE_TABLE[code] === 255) return -1;
  }
  return digits;
}

/**
 * Table encoder, used where the runtime has no Buffer. `btoa` is not used: it needs a "binary
 * string" built one char per byte first, which costs an extra pass and a large temporary.
 * @package
 */
export function encodeBase64Portable(bytes: Uint8Array): string {
  const length = bytes.length;
  const out = new Uint8Array(Math.ceil(length / 3) * 4);
  let o = 0;
  let i = 0;
  for (; i + 2 < length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out[o++] = ENCODE_TABLE[n >>> 18] ?? 0;
    out[o++] = ENCODE_TABLE[(n >>> 12) & 63] ?? 0;
    out[o++] = ENCODE_TABLE[(n >>> 6) & 63] ?? 0;
    out[o++] = ENCODE_TABLE[n & 63] ?? 0;
  }
  const rest = length - i;
  if (rest > 0) {
    const n = ((bytes[i] ?? 0) << 16) | (rest === 2 ? (bytes[i + 1] ?? 0) << 8 : 0);
    out[o++] = ENCODE_TABLE[n >>> 18] ?? 0;
    out[o++] = ENCODE_TABLE[(n >>> 12) & 63] ?? 0;
    out[o++] = rest === 2 ? (ENCODE_TABLE[(n >>> 6) & 63] ?? 0) : PAD;
    out[o++] = PAD;
  }
  return latin1ToString(out);
}

/** Builds a string from ASCII char codes in chunks: one giant apply would overflow the stack. */
function latin1ToString(codes: Uint8Array): string {
  const chunk = 0x8000;
  if (codes.length <= chunk) return String.fromCharCode.apply(null, codes as unknown as number[]);
  let result = "";
  for (let i = 0; i < codes.length; i += chunk) {
    const part = codes.subarray(i, i + chunk);
    result += String.fromCharCode.apply(null, part as unknown as number[]);
  }
  return result;
}

/**
 * Table decoder of `input[start..]`, used where the runtime has no Buffer (`atob` is slow for
 * binary and yields a string, not bytes). Leftover bits of a short final group are ignored, as
 * Node does. Returns undefined when the text is not base64.
 * @package
 */
export function decodeBase64Portable(input: string, start = 0): Uint8Array | undefined {
  const digits = digitCount(input, start);
  if (digits < 0) return undefined;
  const out = new Uint8Array((digits * 3) >>> 2);
  const end = start + digits;
  let o = 0;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const n =
      (sextet(input, i) << 18) |
      (sextet(input, i + 1) << 12) |
      (sextet(input, i + 2) << 6) |
      sextet(input, i + 3);
    out[o++] = n >>> 16;
    out[o++] = (n >>> 8) & 255;
    out[o++] = n & 255;
  }
  const rest = end - i;
  if (rest >= 2) {
    const n =
      (sextet(input, i) << 18) |
      (sextet(input, i + 1) << 12) |
      (rest === 3 ? sextet(input, i + 2) << 6 : 0);
    out[o++] = n >>> 16;
    if (rest === 3) out[o++] = (n >>> 8) & 255;
  }
  return out;
}

/** The 6-bit value of an already validated digit. */
function sextet(input: string, index: number): number {
  return DECODE_TABLE[input.charCodeAt(index)] ?? 0;
}

/** Standard base64 (with padding) of exactly the bytes of an ArrayBuffer or view. */
export function encodeBase64(data: ArrayBufferLike | ArrayBufferView): string {
  if (NodeBuffer?.isBuffer(data)) return (data as NodeBufferInstance).toString("base64");
  const bytes = toBytes(data);
  if (NodeBuffer === undefined) return encodeBase64Portable(bytes);
  // Buffer.from(buffer, offset, length) shares memory: the view's bytes only, no copy.
  return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
}

/**
 * Decodes standard base64 of `input[start..]` (padding optional) into bytes: a Buffer in Node, a
 * Uint8Array elsewhere. Returns undefined for text that is not base64; never throws.
 */
export function decodeBase64(input: string, start = 0): Uint8Array | undefined {
  if (NodeBuffer === undefined) return decodeBase64Portable(input, start);
  if (digitCount(input, start) < 0) return undefined;
  return NodeBuffer.from(start === 0 ? input : input.slice(start), "base64");
}
