// What counts as binary on the wire, in every runtime: Buffer, typed arrays, ArrayBuffer, Blob.
import { HAS_BLOB } from "./runtime.js";

/** Binary data the codecs accept: Node Buffers are Uint8Arrays, so they are covered. */
export type BinaryData = ArrayBuffer | ArrayBufferView | Blob;

/** The form decoded binary takes: `nodebuffer` (Node default), `arraybuffer`, `blob` (browsers). */
export type BinaryType = "nodebuffer" | "arraybuffer" | "blob";

/** True for ArrayBuffer, any ArrayBuffer view (Buffer, Uint8Array, DataView…) and Blob/File. */
export function isBinary(value: unknown): value is BinaryData {
  return (
    value instanceof ArrayBuffer || ArrayBuffer.isView(value) || (HAS_BLOB && value instanceof Blob)
  );
}
