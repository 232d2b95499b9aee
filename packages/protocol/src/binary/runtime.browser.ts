// Browser variant of runtime.ts, swapped in by package.json's "browser" field: no Buffer, so
// base64 is the portable codec, `nodebuffer` data stays a Uint8Array, and Blob always exists.
import { decodeBase64Portable, encodeBase64Portable } from "./base64.js";
import type { BinaryType } from "./binary-data.js";
import { toArrayBuffer, toBytes } from "./to-bytes.js";

/** Browsers always have Blob. Internal: not in the package index. */
export const HAS_BLOB: boolean = true;

/** Browsers have no Buffer: decoded binary is an ArrayBuffer by default. */
export const DEFAULT_BINARY_TYPE: BinaryType = "arraybuffer";

/** Standard base64 (with padding) of exactly the bytes of an ArrayBuffer or view. */
export function encodeBase64(data: ArrayBufferLike | ArrayBufferView): string {
  return encodeBase64Portable(toBytes(data));
}

/** Decodes standard base64 of `input[start..]` into bytes; undefined when it is not base64. */
export const decodeBase64: (input: string, start?: number) => Uint8Array | undefined =
  decodeBase64Portable;

/** Decoded bytes as an ArrayBuffer, a Blob, or (`nodebuffer`) the Uint8Array itself. */
export function fromBytes(
  bytes: Uint8Array,
  binaryType: BinaryType,
): Uint8Array | ArrayBuffer | Blob {
  return binaryType === "arraybuffer"
    ? toArrayBuffer(bytes)
    : binaryType === "blob"
      ? new Blob([bytes as Uint8Array<ArrayBuffer>])
      : bytes;
}
