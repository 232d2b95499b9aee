// The fast path of reading history entries back (a restore reads one entry per missed event).
// A recoverable broadcast in the encoded form, as the publisher's encoder writes it, ends with
// the last two entries of its data map, `e` (one chunk: the text) and `o` (the counter):
//
//   <header> 91 <str: text> a1 6f <uint: o>
//
// <header> — the version, uid, namespace, type, the data map's header, `opts` and the key `e` —
// is the same bytes for every event one node broadcasts with the same options, so a restore that
// reads 1,000 such entries decodes the header once: an entry that starts with a header already
// decoded (and checked) is read by its tail alone, to the values the general decoder would give,
// because msgpack bytes mean the same whatever follows them. Measured (1,000
// entries of `io.to(room).emit("m", n, i)`): 3.3 ms with @msgpack/msgpack for every entry, see
// docs/performance.md for the figures with this path. Anything else (batches' envelopes, binary
// attachments, the object form, gap markers, unknown headers) takes the general path.
import type { BroadcastOptions } from "./adapter.js";

/** A header decoded and checked by the general path, with what it says. */
export interface EntryHeader {
  readonly bytes: Uint8Array;
  readonly uid: string;
  readonly nsp: string;
  /** Shared by every event read with this header: read-only. */
  readonly opts: BroadcastOptions;
}

/** The variable part of an entry with a known header. */
export interface EntryTail {
  readonly text: string;
  readonly own: number;
}

/** Headers kept per reader: a restore's entries come from a few nodes and option sets. */
const MAX_HEADERS = 8;

const FIXARRAY_1 = 0x91;
const REPLACEMENT = "\ufffd";
const KEY_E = [0xa1, 0x65] as const; // fixstr "e"
const KEY_O = [0xa1, 0x6f] as const; // fixstr "o"

/**
 * A batch's envelope up to its items (cluster-batch.ts): `{ v, uid, nsp, type: 14, data: [` —
 * the same bytes for every batch of one node in one namespace.
 */
export interface BatchHeader {
  readonly bytes: Uint8Array;
  readonly uid: string;
  readonly nsp: string;
}

/** The known headers of one reader, most recently used first. */
export class EntryHeaders {
  readonly #headers: EntryHeader[] = [];
  readonly #batches: BatchHeader[] = [];

  /** The known batch header `bytes` starts with, and the batch's items (views of `bytes`). */
  matchBatch(bytes: Uint8Array): { header: BatchHeader; items: Uint8Array[] } | undefined {
    for (const header of this.#batches) {
      if (!startsWith(bytes, header.bytes)) continue;
      const items = readItems(bytes, header.bytes.byteLength);
      return items === undefined ? undefined : { header, items };
    }
    return undefined;
  }

  /**
   * Learns the header of the batch `bytes`, which the general path decoded into the items
   * `items` of `uid` in `nsp`, its envelope ending with the data array. Kept only when the
   * bytes are exactly that header followed by those items, each a bin.
   */
  learnBatch(bytes: Uint8Array, batch: { uid: string; nsp: string; items: Uint8Array[] }): void {
    let itemBytes = arrayHeaderLength(batch.items.length);
    for (const item of batch.items) itemBytes += binHeaderLength(item.byteLength) + item.byteLength;
    const length = bytes.byteLength - itemBytes;
    if (length <= 0 || this.#batches.length >= MAX_HEADERS) return;
    const items = readItems(bytes, length);
    if (items === undefined || items.length !== batch.items.length) return;
    for (let i = 0; i < items.length; i++) {
      const a = viewOf(items[i] as Uint8Array);
      if (!a.equals(batch.items[i] as Uint8Array)) return;
    }
    this.#batches.push({ bytes: bytes.slice(0, length), uid: batch.uid, nsp: batch.nsp });
  }

  /** The known header `bytes` starts with, and its tail; null when there is none. */
  match(bytes: Uint8Array): { header: EntryHeader; tail: EntryTail } | null {
    const headers = this.#headers;
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i] as EntryHeader;
      if (!startsWith(bytes, header.bytes)) continue;
      const tail = readTail(bytes, header.bytes.byteLength);
      if (tail === undefined) return null;
      if (i > 0) {
        headers.splice(i, 1);
        headers.unshift(header);
      }
      return { header, tail };
    }
    return null;
  }

  /**
   * Learns the header of `bytes`, which the general path decoded (and checked) into an event of
   * `uid` in `nsp` with `opts`, text `text` and counter `own`, its data map ending with `e` then
   * `o` and the envelope with the data map. Kept only when the bytes are exactly that header
   * followed by the tail those values encode to.
   */
  learn(
    bytes: Uint8Array,
    event: { uid: string; nsp: string; opts: BroadcastOptions; text: string; own: number },
  ): void {
    const textBytes = Buffer.byteLength(event.text, "utf8");
    const tailBytes =
      1 + strHeaderLength(textBytes) + textBytes + KEY_O.length + uintLength(event.own);
    const length = bytes.byteLength - tailBytes;
    if (length < KEY_E.length + 1) return;
    if (bytes[length - 2] !== KEY_E[0] || bytes[length - 1] !== KEY_E[1]) return;
    const tail = readTail(bytes, length);
    if (tail === undefined || tail.text !== event.text || tail.own !== event.own) return;
    // A copy: the entry's bytes may be a view of a whole reply.
    const header: EntryHeader = {
      bytes: bytes.slice(0, length),
      uid: event.uid,
      nsp: event.nsp,
      opts: event.opts,
    };
    this.#headers.unshift(header);
    if (this.#headers.length > MAX_HEADERS) this.#headers.pop();
  }
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  const n = prefix.byteLength;
  if (bytes.byteLength <= n) return false;
  return viewOf(bytes).compare(prefix, 0, n, 0, n) === 0;
}

function viewOf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Reads `91 <str> a1 6f <uint>` from `at` to the very end of `bytes`; undefined when the bytes
 * are anything else (then the general path decides).
 */
export function readTail(bytes: Uint8Array, at: number): EntryTail | undefined {
  const end = bytes.byteLength;
  if (bytes[at] !== FIXARRAY_1) return undefined;
  const length = readLength(bytes, at + 1, STR);
  if (length < 0) return undefined;
  const i = lengthEnd;
  const textEnd = i + length;
  if (textEnd + KEY_O.length + 1 > end) return undefined;
  const text = viewOf(bytes).toString("utf8", i, textEnd);
  // Bytes that are not UTF-8 decode differently here and in @msgpack/msgpack: leave any text
  // with a replacement character (rare in a real one) to the general path.
  if (text.includes(REPLACEMENT)) return undefined;
  if (bytes[textEnd] !== KEY_O[0] || bytes[textEnd + 1] !== KEY_O[1]) return undefined;
  const own = readUint(bytes, textEnd + 2, end);
  return own === undefined ? undefined : { text, own };
}

/** Reads an array of bins from `at` to the very end of `bytes` (views), or undefined. */
function readItems(bytes: Uint8Array, at: number): Uint8Array[] | undefined {
  const end = bytes.byteLength;
  const count = readLength(bytes, at, ARRAY);
  let i = lengthEnd;
  if (count <= 0 || count > end - i) return undefined;
  const items: Uint8Array[] = [];
  for (let k = 0; k < count; k++) {
    const length = readLength(bytes, i, BIN);
    if (length < 0) return undefined;
    i = lengthEnd;
    if (i + length > end) return undefined;
    items.push(bytes.subarray(i, i + length));
    i += length;
  }
  return i === end ? items : undefined;
}

/**
 * The header bytes of a msgpack type with a length: its fix form, 8, 16, 32 bits (NONE: the
 * type has no such form).
 */
interface LengthFormat {
  fixMask: number;
  fixTag: number;
  u8: number;
  u16: number;
  u32: number;
}

/** Matches no byte, and no missing one (-1). */
const NONE = 0x100;
/** fixstr, str 8/16/32. */
const STR: LengthFormat = { fixMask: 0xe0, fixTag: 0xa0, u8: 0xd9, u16: 0xda, u32: 0xdb };
/** fixarray, array 16/32 (no 8-bit form). */
const ARRAY: LengthFormat = { fixMask: 0xf0, fixTag: 0x90, u8: NONE, u16: 0xdc, u32: 0xdd };
/** bin 8/16/32 (no fix form). */
const BIN: LengthFormat = { fixMask: 0, fixTag: NONE, u8: 0xc4, u16: 0xc5, u32: 0xc6 };

/** Where the last header {@link readLength} read ends (no object per call on this hot path). */
let lengthEnd = 0;

/** The length in the `format` header at `at` (its end in {@link lengthEnd}), or -1. */
function readLength(bytes: Uint8Array, at: number, format: LengthFormat): number {
  const head = bytes[at] ?? -1;
  if ((head & format.fixMask) === format.fixTag) {
    lengthEnd = at + 1;
    return head & ~format.fixMask;
  }
  if (head === format.u8) {
    lengthEnd = at + 2;
    return bytes[at + 1] ?? -1;
  }
  if (head === format.u16) {
    lengthEnd = at + 3;
    return ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
  }
  if (head === format.u32) {
    lengthEnd = at + 5;
    return readU32(bytes, at + 1);
  }
  return -1;
}

/** A msgpack unsigned integer > 0 filling `bytes` from `at` to `end` exactly. */
function readUint(bytes: Uint8Array, at: number, end: number): number | undefined {
  const head = bytes[at] ?? 0xff;
  let value: number;
  let size: number;
  if (head < 0x80) {
    value = head;
    size = 1;
  } else if (head === 0xcc) {
    value = bytes[at + 1] ?? 0;
    size = 2;
  } else if (head === 0xcd) {
    value = ((bytes[at + 1] ?? 0) << 8) | (bytes[at + 2] ?? 0);
    size = 3;
  } else if (head === 0xce) {
    value = readU32(bytes, at + 1);
    size = 5;
  } else if (head === 0xcf) {
    value = readU32(bytes, at + 1) * 2 ** 32 + readU32(bytes, at + 5);
    size = 9;
  } else {
    return undefined;
  }
  if (at + size !== end || value <= 0 || !Number.isSafeInteger(value)) return undefined;
  return value;
}

function readU32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] ?? 0) * 2 ** 24 +
    (((bytes[at + 1] ?? 0) << 16) | ((bytes[at + 2] ?? 0) << 8) | (bytes[at + 3] ?? 0))
  );
}

/** Bytes of a msgpack str header for a string of `length` bytes. */
function strHeaderLength(length: number): number {
  if (length < 32) return 1;
  if (length < 0x100) return 2;
  return length < 0x10000 ? 3 : 5;
}

/** Bytes of a msgpack array header for `count` items. */
function arrayHeaderLength(count: number): number {
  if (count < 16) return 1;
  return count < 0x10000 ? 3 : 5;
}

/** Bytes of a msgpack bin header for `length` bytes. */
function binHeaderLength(length: number): number {
  if (length < 0x100) return 2;
  return length < 0x10000 ? 3 : 5;
}

/** Bytes of a msgpack unsigned integer `value` (> 0) in its shortest form. */
function uintLength(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x100) return 2;
  if (value < 0x10000) return 3;
  return value < 2 ** 32 ? 5 : 9;
}
