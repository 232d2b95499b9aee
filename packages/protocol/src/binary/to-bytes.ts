// Binary views and conversions shared by the codecs: any BinaryData → Uint8Array (no copy) on the
// way out, and decoded bytes → the caller's BinaryType on the way in.
import type { BinaryType } from "./binary-data.js";

/**
 * A Node Buffer instance, as far as the codecs use it.
 * @package
 */
export interface NodeBufferInstance extends Uint8Array {
  toString(encoding?: "base64"): string;
}

/** The slice of Node's Buffer the codecs use, typed structurally: protocol/ has no Node types. */
interface NodeBufferStatic {
  from(data: string, encoding: "base64"): NodeBufferInstance;
  from(data: ArrayBufferLike, byteOffset?: number, length?: number): NodeBufferInstance;
  isBuffer(value: unknown): boolean;
}

/**
 * Node's Buffer when the runtime has one (Node, Bun, Deno), else undefined (browsers).
 * @package
 */
export const NodeBuffer: NodeBufferStatic | undefined = (() => {
  const candidate = (globalThis as unknown as { Buffer?: Partial<NodeBufferStatic> }).Buffer;
  return typeof candidate?.from === "function" && typeof candidate.isBuffer === "function"
    ? (candidate as NodeBufferStatic)
    : undefined;
})();

/** The BinaryType decoders use when none is given: `nodebuffer` where Buffer exists, else `arraybuffer`. */
export const DEFAULT_BINARY_TYPE: BinaryType =
  NodeBuffer === undefined ? "arraybuffer" : "nodebuffer";

/** A Uint8Array over exactly the bytes of an ArrayBuffer or view, sharing its memory. */
export function toBytes(data: ArrayBufferLike | ArrayBufferView): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(data);
}

/** An ArrayBuffer holding exactly these bytes; the backing buffer itself when the view spans all of it. */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = bytes.buffer;
  if (
    buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === buffer.byteLength
  ) {
    return buffer;
  }
  // Node's small Buffers live in a shared 8 KiB pool: hand out a copy of our bytes, never the
  // pool. Not `bytes.slice()`: on a Buffer that is the old alias of subarray and shares memory.
  return new Uint8Array(bytes).buffer;
}

/**
 * Converts decoded bytes to the requested BinaryType: `nodebuffer` → Buffer (a Uint8Array where
 * the runtime has no Buffer), `arraybuffer` → ArrayBuffer of exactly these bytes, `blob` → Blob.
 */
export function fromBytes(
  bytes: Uint8Array,
  binaryType: BinaryType,
): Uint8Array | ArrayBuffer | Blob {
  switch (binaryType) {
    case "arraybuffer":
      return toArrayBuffer(bytes);
    case "blob":
      return new Blob([bytes as Uint8Array<ArrayBuffer>]);
    default:
      if (NodeBuffer === undefined || NodeBuffer.isBuffer(bytes)) return bytes;
      return NodeBuffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}
