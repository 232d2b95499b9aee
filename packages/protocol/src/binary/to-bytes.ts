// Binary views shared by the codecs: any BinaryData → Uint8Array (no copy) on the way out, and
// bytes → an ArrayBuffer of exactly those bytes on the way in (runtime.ts: fromBytes).

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
