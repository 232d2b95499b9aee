// The runtime-dependent part of the codecs: Node's Buffer (Node, Bun, Deno) for base64 and the
// `nodebuffer` binary type, the portable codec elsewhere. Browser bundles get runtime.browser.ts
// instead (package.json "browser" field), which has no Node code at all. This file stays
// isomorphic for runtimes and bundlers that ignore that field.
import { base64Text, decodeBase64Portable, encodeBase64Portable } from "./base64.js";
import type { BinaryType } from "./binary-data.js";
import { toArrayBuffer, toBytes } from "./to-bytes.js";

/** A Node Buffer instance, as far as the codecs use it. */
interface NodeBufferInstance extends Uint8Array {
  toString(encoding?: "base64"): string;
}

/** The slice of Node's Buffer the codecs use, typed structurally: protocol/ has no Node types. */
interface NodeBufferStatic {
  from(data: string, encoding: "base64"): NodeBufferInstance;
  from(data: ArrayBufferLike, byteOffset?: number, length?: number): NodeBufferInstance;
  isBuffer(value: unknown): boolean;
}

/** Node's Buffer when the runtime has one, else undefined (browsers). */
const NodeBuffer: NodeBufferStatic | undefined = (() => {
  const candidate = (globalThis as unknown as { Buffer?: Partial<NodeBufferStatic> }).Buffer;
  return typeof candidate?.from === "function" && typeof candidate.isBuffer === "function"
    ? (candidate as NodeBufferStatic)
    : undefined;
})();

/** True where the runtime has Blob (browsers, Node 18+). Internal: not in the package index. */
export const HAS_BLOB: boolean = typeof Blob === "function";

/** The BinaryType decoders use when none is given: `nodebuffer` where Buffer exists, else `arraybuffer`. */
export const DEFAULT_BINARY_TYPE: BinaryType =
  NodeBuffer === undefined ? "arraybuffer" : "nodebuffer";

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
  const text = base64Text(input, start);
  return text === undefined ? undefined : NodeBuffer.from(text, "base64");
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
